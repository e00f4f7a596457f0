"""What the order says about itself: its court (from the caption, looked up in the court
registry), case number, judge and the day it was entered or signed. Each is found with the
span of the words it was read from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from obligations.draft.dates import _ORDINAL_DATE, DATE, find_dates


@dataclass(frozen=True, slots=True)
class Found:
    """A value read from the text, with the span (in the cleaned text) and the words."""

    value: str
    start: int
    end: int
    words: str


_DIRECTIONS = r"(?:NORTHERN|SOUTHERN|EASTERN|WESTERN|CENTRAL|MIDDLE)"
_STATES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|District of Columbia|"
    "Florida|Georgia|Guam|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|"
    "Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|"
    "New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|"
    "Northern Mariana Islands|Ohio|Oklahoma|Oregon|Pennsylvania|Puerto Rico|Rhode Island|"
    "South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virgin Islands|Virginia|"
    "Washington|West Virginia|Wisconsin|Wyoming"
)
_DISTRICT = re.compile(
    rf"\b(?:(?P<dir>{_DIRECTIONS})\s+)?DISTRICT\s+OF\s+(?:THE\s+)?(?P<state>{_STATES.upper()})\b"
)
_CIRCUIT = re.compile(
    r"COURT\s+OF\s+APPEALS\s+FOR\s+THE\s+(?P<n>FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|"
    r"EIGHTH|NINTH|TENTH|ELEVENTH|DISTRICT\s+OF\s+COLUMBIA|FEDERAL)\s+CIRCUIT"
)
_CIRCUITS = {
    "FIRST": "ca1",
    "SECOND": "ca2",
    "THIRD": "ca3",
    "FOURTH": "ca4",
    "FIFTH": "ca5",
    "SIXTH": "ca6",
    "SEVENTH": "ca7",
    "EIGHTH": "ca8",
    "NINTH": "ca9",
    "TENTH": "ca10",
    "ELEVENTH": "ca11",
    "FEDERAL": "cafc",
}
#: state courts as captions name them -> the registry's id (the registry's names are the
#: reporters' forms, "California Superior Court", which captions do not use)
_STATE_CAPTIONS: tuple[tuple[str, str], ...] = (
    (r"SUPERIOR\s+COURT\s+OF\s+(?:THE\s+STATE\s+OF\s+)?CALIFORNIA", "calsuperct"),
    (r"SUPREME\s+COURT\s+OF\s+(?:THE\s+STATE\s+OF\s+)?CALIFORNIA", "cal"),
    (
        r"COURT\s+OF\s+APPEAL\S*\s+OF\s+(?:THE\s+)?STATE\s+OF\s+CALIFORNIA.{0,80}?(?P<ord>FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH)\s+APPELLATE\s+DISTRICT",
        "calctapp{n}d",
    ),
    (r"(?P<ord>FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH)\s+APPELLATE\s+DISTRICT", "calctapp{n}d"),
    (
        r"SUPREME\s+COURT\s+OF\s+(?:THE\s+STATE\s+OF\s+)?NEW\s+YORK.{0,40}?APPELLATE\s+DIVISION",
        "nyappdiv",
    ),
    (
        r"APPELLATE\s+DIVISION.{0,60}?SUPREME\s+COURT\s+OF\s+(?:THE\s+STATE\s+OF\s+)?NEW\s+YORK",
        "nyappdiv",
    ),
    (r"APPELLATE\s+TERM", "nyappterm"),
    (r"SUPREME\s+COURT\s+OF\s+(?:THE\s+STATE\s+OF\s+)?NEW\s+YORK", "nysupct"),
    (r"COURT\s+OF\s+APPEALS\s+OF\s+(?:THE\s+STATE\s+OF\s+)?NEW\s+YORK", "ny"),
    (r"SUPERIOR\s+COURT\s+OF\s+NEW\s+JERSEY.{0,40}?APPELLATE\s+DIVISION", "njsuperctappdiv"),
    (r"SUPERIOR\s+COURT\s+OF\s+NEW\s+JERSEY", "njsuper"),
    (r"SUPREME\s+COURT\s+OF\s+NEW\s+JERSEY", "nj"),
    (r"SUPREME\s+COURT\s+OF\s+FLORIDA", "fla"),
    (
        r"DISTRICT\s+COURT\s+OF\s+APPEAL.{0,40}?STATE\s+OF\s+FLORIDA.{0,40}?(?P<ord>FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH)\s+DISTRICT",
        "fladistctapp{n}",
    ),
    (
        r"(?P<ord>FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH)\s+DISTRICT\s+COURT\s+OF\s+APPEAL",
        "fladistctapp{n}",
    ),
    (r"CIRCUIT\s+COURT\s+OF\s+THE\s+\w+\s+JUDICIAL\s+CIRCUIT.{0,80}?FLORIDA", "flacirct"),
    (r"SUPREME\s+COURT\s+OF\s+TEXAS", "tex"),
    (
        r"(?P<ord>FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|ELEVENTH|TWELFTH|THIRTEENTH|FOURTEENTH|FIFTEENTH)\s+COURT\s+OF\s+APPEALS?\b(?!\s+OF\s+(?!TEXAS))",
        "texapp{n}",
    ),
    (
        r"COURT\s+OF\s+APPEALS\s+(?:FOR\s+THE\s+)?(?P<ord>FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|ELEVENTH|TWELFTH|THIRTEENTH|FOURTEENTH|FIFTEENTH)\s+(?:APPELLATE\s+)?DISTRICT\s+OF\s+TEXAS",
        "texapp{n}",
    ),
    (r"COURT\s+OF\s+CRIMINAL\s+APPEALS\s+OF\s+TEXAS", "texcrimapp"),
    (r"DISTRICT\s+COURT\b.{0,80}?COUNTY,?\s+TEXAS", "texdistct"),
    (r"UNITED\s+STATES\s+TAX\s+COURT", "tax"),
    (r"UNITED\s+STATES\s+COURT\s+OF\s+FEDERAL\s+CLAIMS", "uscfc"),
    (
        r"BANKRUPTCY\s+APPELLATE\s+PANEL.{0,40}?(?P<cir>FIRST|SIXTH|EIGHTH|NINTH|TENTH)\s+CIRCUIT",
        "bap{c}",
    ),
)
_ORDS = {
    "FIRST": 1, "SECOND": 2, "THIRD": 3, "FOURTH": 4, "FIFTH": 5, "SIXTH": 6, "SEVENTH": 7,
    "EIGHTH": 8, "NINTH": 9, "TENTH": 10, "ELEVENTH": 11, "TWELFTH": 12, "THIRTEENTH": 13,
    "FOURTEENTH": 14, "FIFTEENTH": 15,
}  # fmt: skip
_FROM = re.compile(r"\b(?:FROM|APPEAL\s+FROM|APPEALED\s+FROM|IN\s+THE\s+\d+\w*)\b[^|]{0,40}$")
_TX_ORD = "FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|ELEVENTH|TWELFTH|THIRTEENTH|FOURTEENTH|FIFTEENTH"
_CIR_N = {"FIRST": 1, "SIXTH": 6, "EIGHTH": 8, "NINTH": 9, "TENTH": 10}


@cache
def _by_name() -> dict[str, str]:
    from calendars import all_courts

    return {c.name.upper(): c.id for c in all_courts().values()}


@cache
def _ids() -> frozenset[str]:
    from calendars import all_courts

    return frozenset(all_courts())


def find_court(text: str) -> Found | None:
    """The court named in the caption (the first 3,000 characters), as a registry id."""
    head = text[:3000]
    # a caption is set in short lines; a court named inside a paragraph ("The Fourteenth Court
    # of Appeals affirmed his conviction") is not this order's court
    caption = "\n".join(line for line in head.split("\n") if len(line.strip()) <= 100)
    short = re.sub(r"\s+", " ", caption.upper())
    up = re.sub(r"\s+", " ", head.upper())
    # spans are found again in the original head by a whitespace-tolerant search
    m = _CIRCUIT.search(up)
    if m:
        n = m.group("n")
        cid = "cadc" if "COLUMBIA" in n else _CIRCUITS[n]
        return _found(head, m.group(0), cid)
    for pattern, template in _STATE_CAPTIONS:
        for m in re.finditer(pattern, short):
            if _FROM.search(short[max(0, m.start() - 40) : m.start()]):
                continue  # the court appealed from, not this one
            cid = template
            if "{n}" in cid:
                cid = cid.format(n=_ORDS[m.group("ord")])
            if "{c}" in cid:
                cid = cid.format(c=_CIR_N[m.group("cir")])
            if cid in _ids():
                return _found(head, m.group(0), cid)
            break
    m = _DISTRICT.search(up)
    if m and _FROM.search(up[max(0, m.start() - 60) : m.start()]):
        m = None
    if m and re.search(r"UNITED STATES|DISTRICT COURT|BANKRUPTCY COURT", up[: m.end() + 200]):
        bankruptcy = "BANKRUPTCY COURT" in up[: m.end() + 300]
        kind = "Bankruptcy" if bankruptcy else "District"
        where = m.group(0).title().replace(" Of ", " of ").replace(" The ", " the ")
        name = f"United States {kind} Court for the {where}".upper()
        known = _by_name().get(name)
        if known is not None:
            return _found(head, m.group(0), known)
    return None


def _found(head: str, words: str, value: str) -> Found:
    pattern = r"\s+".join(re.escape(w) for w in words.split())
    m = re.search(pattern, head, re.IGNORECASE)
    if m is None:  # pragma: no cover - the words came from this head
        return Found(value, 0, 0, words)
    return Found(value, m.start(), m.end(), m.group(0))


_CASE = re.compile(
    r"(?:(?i:case|civil\s+action|civ\.?\s+action|criminal\s+action|adv(?:ersary)?\.?\s+(?:proc\.?|pro\.?)|bankruptcy|docket|appeal|cause|index))?"
    r"\s*\b(?i:no|number|nos)\.?\s*:?\s*"
    r"(?P<v>(?:\d:)?\d{2,4}[-‐–]?(?:[a-zA-Z]{1,4}[-‐–]?)?\d{1,6}(?:[-‐–][A-Z]{1,5})*(?:\s*\([A-Z]{2,5}\))?|[A-Z]{1,3}\d{4,}|\d{2}-\d{3,6})",
)
_CASE_HEADER = re.compile(
    r"^\s*Case\s+(?P<v>(?:\d:)?\d{2}-[a-z]{2}-\d{3,6}(?:-[A-Z]{1,5})*)", re.MULTILINE
)


def find_case(text: str, original: str) -> Found | None:
    """The case number: "Case No. 2:13-cv-01234-KJN", "Civil Action No. 11-1234 (JLL)", or the
    ECF header of a page ("Case 2:13-cv-01234-KJN Document 45 ...")."""
    for m in _CASE.finditer(text[:4000]):
        v = m.group("v").strip()
        before = text[max(0, m.start() - 8) : m.start() + 4]
        if re.search(r"ECF|Dkt|Doc|Rule|Order", before, re.IGNORECASE):
            continue
        if not re.search(r"[-‐–:]", v) or re.fullmatch(r"\d{4}", v):
            continue
        return Found(v, m.start("v"), m.end("v"), m.group(0).strip())
    header = _CASE_HEADER.search(original)
    if header:
        return Found(header.group("v"), -1, -1, header.group(0).strip())
    return None


_ENTERED = re.compile(
    r"(?:^|\n)[ \t]*(?:ORDER\s+|Order\s+)?(?P<label>ENTERED|DATED|Dated|Entered|entered|Date|DATE|Signed|SIGNED|FILED|Filed|filed|Date\s+Filed|SO\s+ORDERED)\b[ \t]*(?:on|at|this)?[ \t]*:?"
    r"|(?P<this>\bIT\s+IS\s+(?:SO\s+ORDERED\s+)?ON\s+THIS|\bSO\s+ORDERED\s+(?:on\s+)?(?:this)?|\bORDERED\s+(?:this|on)\b|\b(?:DATED|Dated|ENTERED|Entered|Signed|SIGNED|DONE\s+AND\s+ORDERED|Done\s+and\s+ordered)\s+(?:at\s+[^,\n]{1,40},?\s+)?(?:[\w ,]{0,30}\s+)?(?:this|on)\b|\bon\s+this\s+(?=\d{1,2}(?:st|nd|rd|th)\s+day))",
    re.IGNORECASE,
)
_HEADER_DATE = re.compile(r"\A(?:[^\n]*\n){0,5}?[ \t]*(?P<d>\d{1,2}-\d{1,2}-\d{4})[ \t]*(?:\n|\Z)")


def find_entered(text: str) -> Found | None:
    """The day the order was entered or signed: a date right after "ENTERED", "Dated:",
    "Signed", "IT IS ON THIS", "SO ORDERED this", "on this 21st day of"; or the date line a
    published copy puts at its top. ENTERED wins over the others, then the last signature date.
    A date after "order dated" is another order's. ``None`` when no such date is written."""
    readings = entered_readings(text)
    return max(readings, key=lambda r: (r[0], r[1]))[2] if readings else None


def entered_readings(text: str) -> list[tuple[int, int, Found]]:
    """Every place the text gives the order's own date: (rank, position, found)."""
    out: list[tuple[int, int, Found]] = []
    for m in _ENTERED.finditer(text):
        tail = text[m.end() : m.end() + 60]
        dates = [d for d in find_dates(tail) if d[0] <= 14]
        if not dates:
            continue
        if re.search(
            r"\border\s+(?:dated|entered|filed)?\s*$",
            text[max(0, m.start() - 20) : m.start()],
            re.IGNORECASE,
        ) and not re.match(r"\n?[ \t]*order\b", m.group(0), re.IGNORECASE):
            continue  # "By order dated February 13, 2019": another order's date
        _, e, d = dates[0]
        label = (m.group("label") or "").upper()
        rank = (
            3
            if label.startswith("ENTERED")
            else 0
            if label.startswith(("FILED", "DATE FILED"))
            else 1
        )
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        out.append(
            (rank, m.start(), Found(d.isoformat(), start, m.end() + e, text[start : m.end() + e]))
        )
    head = _HEADER_DATE.search(text)
    if head:
        ds = find_dates(head.group("d"))
        if ds:
            found = Found(ds[0][2].isoformat(), head.start("d"), head.end("d"), head.group("d"))
            out.append((2, -1, found))
    return out


_JUDGE_TITLE = re.compile(
    r"^[ \t]*(?P<title>(?:(?:UNITED\s+STATES|U\.\s?S\.|CHIEF|SENIOR|Chief|Senior|United\s+States|U\.S\.)\s+)*"
    r"(?:DISTRICT|MAGISTRATE|BANKRUPTCY|CIRCUIT|District|Magistrate|Bankruptcy|Circuit|Superior\s+Court|SUPERIOR\s+COURT)?\s*"
    r"(?:JUDGE|Judge|JUSTICE|Justice|COMMISSIONER|Commissioner))[ \t]*$",
    re.MULTILINE,
)
_NAME = re.compile(
    r"(?:/s/|s/|Hon\.|HON\.|Honorable|HONORABLE)?\s*(?P<n>[A-Z][A-Za-z.'’-]*(?:\s+[A-Z][A-Za-z.'’-]*){1,4})\s*,?\s*$"
)


def find_judge(text: str) -> Found | None:
    """The judge who signed: a name on the line before a judge's title ("KENDALL J. NEWMAN" /
    "UNITED STATES MAGISTRATE JUDGE"), the last such pair in the order."""
    result: Found | None = None
    for m in _JUDGE_TITLE.finditer(text):
        before = text[: m.start()].rstrip()
        line_start = before.rfind("\n") + 1
        line = before[line_start:]
        nm = _NAME.search(line)
        if not nm or re.search(r"\d", line) or len(line) > 80:
            continue
        name = nm.group("n").strip().rstrip(",")
        if name.isupper():
            name = " ".join(
                w if len(w) <= 2 and w.endswith(".") else w.capitalize() for w in name.split()
            )
        title = " ".join(
            w.capitalize() if w.upper() not in ("U.S.",) else w for w in m.group("title").split()
        )
        title = title.replace("U.s.", "U.S.")
        result = Found(
            f"{name}, {title}",
            line_start + nm.start("n"),
            m.end(),
            text[line_start + nm.start("n") : m.end()],
        )
    return result


def is_date_match(text: str) -> bool:
    return bool(DATE.search(text) or _ORDINAL_DATE.search(text))


__all__ = ["Found", "date", "find_case", "find_court", "find_entered", "find_judge"]

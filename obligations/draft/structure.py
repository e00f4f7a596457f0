"""The order's paragraphs (with the cites the order gives them: "¶ 3", "4(a)", "second ORDERED
paragraph") and their sentences and clauses, as spans of the cleaned text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKER = re.compile(
    r"^[ \t]*(?:[-•*][ \t]*)?(?:(?P<num>\d{1,3})\.(?!\d)|\((?P<pnum>\d{1,3})\)|(?P<let>[a-z])\.(?![a-z.])|\((?P<plet>[a-z])\)"
    r"|(?P<rom>(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii))\.|\((?P<prom>(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii))\)"
    r"|(?P<ROM>(?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII))\.)[ \t]+",
)
_ORDERED = re.compile(
    r"^[ \t]*(?:(?:IT\s+IS\s+)?(?:FURTHER\s+|HEREBY\s+|ALSO\s+)*ORDERED\b|(?:It\s+is\s+)?(?:further\s+|hereby\s+)*ordered\b)",
)
DECRETAL = re.compile(
    r"\b(?:IT\s+IS\s+(?:HEREBY\s+|FURTHER\s+)*ORDERED\b(?!\s*\.)|It\s+is\s+(?:hereby\s+|further\s+)*ordered\b(?!\s*\.)"
    r"|^[ \t]*ORDERED\b|(?:ORDERS|orders|ORDERED|ordered|DIRECTS|directs)\s+as\s+follows|IT\s+IS\s+ON\s+THIS\b"
    r"|(?:hereby\s+)?ORDERS\s*:|THEREFORE\s+ORDERED)",
    re.MULTILINE,
)
_ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]
_ABBREV = {
    "no",
    "nos",
    "fed",
    "r",
    "civ",
    "p",
    "crim",
    "app",
    "evid",
    "bankr",
    "u.s",
    "i.e",
    "e.g",
    "id",
    "v",
    "vs",
    "inc",
    "co",
    "corp",
    "ltd",
    "mr",
    "ms",
    "mrs",
    "dr",
    "hon",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "a.m",
    "p.m",
    "l",
    "cir",
    "supp",
    "stat",
    "al",
    "seq",
    "ecf",
    "dkt",
    "doc",
    "para",
    "cal",
    "n.d",
    "s.d",
    "e.d",
    "w.d",
    "c.d",
    "m.d",
    "d",
    "st",
    "ave",
    "ct",
    "sec",
    "art",
    "ch",
    "jr",
    "sr",
    "cf",
    "n",
    "u.s.c",
    "f",
    "f.2d",
    "f.3d",
    "f.4th",
    "s.ct",
    "l.r",
    "loc",
    "gov",
    "proc",
    "pp",
    "pg",
    "approx",
    "dept",
    "assn",
    "bros",
    "ex",
    "exh",
    "tr",
    "p.c",
    "llc",
    "l.l.c",
    "ll.p",
}


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph: its span and its cite."""

    start: int
    end: int
    cite: str
    ordered: bool  # an "ORDERED that ..." paragraph


_BREAK = re.compile(
    r"\n[ \t]*\n+|\n(?=[ \t]*(?:[-•*][ \t]*)?(?:\d{1,3}\.|\(\w{1,4}\)|[a-z]\.[ \t]|(?:IT\s+IS\s+)?(?:FURTHER\s+)?ORDERED\b))"
)
_HEADING = re.compile(r"[^a-z\n]{2,120}(?<![.;,])|Opinion|[^\n]{0,40}\d{2}-\d{2}-\d{4}[^\n]{0,10}")


#: a line that ends on a word no sentence or heading ends on runs on into the next
_RUNS_ON = re.compile(
    r"\b(?:the|to|of|a|an|and|or|for|in|with|at|than|that|no|not|by|on|before|after|prior|shall|must|will|may|is|are|be)$",
    re.IGNORECASE,
)


def _breaks(text: str) -> list[tuple[int, int]]:
    """Where paragraphs end: blank lines, a line that begins a numbered item or an ORDERED
    clause, and either side of a heading line (no lower-case letters: "ORDER TO SHOW CAUSE")."""
    found = {(m.start(), m.end()) for m in _BREAK.finditer(text)}
    pos = 0
    prev = ""
    for line in text.split("\n"):
        end = pos + len(line)
        if (
            line.strip()
            and _HEADING.fullmatch(line.strip())
            and not _RUNS_ON.search(line.strip())
            and (not prev.strip() or not _RUNS_ON.search(prev.strip()))
        ):
            if pos > 0:
                found.add((pos - 1, pos))
            if end < len(text):
                found.add((end, end + 1))
        pos = end + 1
        prev = line
    merged: list[tuple[int, int]] = []
    for a, b in sorted(found):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def blocks(text: str) -> list[Block]:
    """The paragraphs of the cleaned text, with cites. A numbered item that begins in lower
    case ("1. the outstanding discovery request(s);") continues the paragraph before it."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for a, b in _breaks(text):
        if a > pos:
            spans.append((pos, a))
        pos = b
    if pos < len(text):
        spans.append((pos, len(text)))
    out: list[Block] = []
    top = ""
    sub = ""
    n_ordered = 0
    n_plain = 0
    for s, e in spans:
        chunk = text[s:e]
        if not chunk.strip():
            continue
        m = _MARKER.match(chunk)
        rest = chunk[m.end() :] if m else chunk
        if m and out and rest[:1].islower() and (m.group("num") or m.group("pnum")):
            prev = out[-1]
            if text[prev.start : prev.end].rstrip().endswith((":", ";", "and", "or")):
                out[-1] = Block(prev.start, e, prev.cite, prev.ordered)
                continue
        if (
            out
            and not m
            and rest.lstrip()[:1].islower()
            and not rest.lstrip().startswith("s/")
            and not re.search(r"[.!?:]\s*$", text[out[-1].start : out[-1].end])
            and not _ORDERED.match(chunk)
        ):
            prev = out[-1]
            out[-1] = Block(prev.start, e, prev.cite, prev.ordered)
            continue
        ordered = bool(_ORDERED.match(chunk))
        if ordered:
            n_ordered += 1
            word = _ORDINALS[n_ordered - 1] if n_ordered <= len(_ORDINALS) else f"{n_ordered}th"
            cite = f"{word} ORDERED paragraph"
            if top:
                cite = f"¶ {top}, {cite}"
        elif m and (m.group("num") or m.group("pnum")):
            top = m.group("num") or m.group("pnum")
            sub = ""
            cite = f"¶ {top}"
        elif m and (m.group("ROM")):
            top = m.group("ROM")
            sub = ""
            cite = f"Part {top}"
        elif m:
            letter = m.group("let") or m.group("plet") or m.group("rom") or m.group("prom")
            sub = letter
            cite = f"¶ {top}({sub})" if top else f"({sub})"
        else:
            n_plain += 1
            cite = f"¶ {top}" if top else f"paragraph {n_plain} (unnumbered)"
        out.append(Block(s, e, cite, ordered))
    return out


_BOUNDARY = re.compile(
    r"(?<=[.!?])[\"”’)\]¹²³⁴⁵⁶⁷⁸⁹⁰]*\s+(?=[\"“(]?[A-Z0-9]|(?:[a-z]|[ivx]{1,4})[.)]\s+[A-Z]|\([a-z]\)\s+[A-Z])"
)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]``: spans, trimmed of surrounding space; a period after
    an abbreviation ("Fed. R. Civ. P.", "No.", "a.m.") or an initial ("J.") does not end one."""
    out: list[tuple[int, int]] = []
    s = start
    chunk = text[start:end]
    for m in _BOUNDARY.finditer(chunk):
        dot = start + m.start()
        word = re.search(r"([\w.]+)\.?$", text[s:dot])
        w = word.group(1).lower().rstrip(".") if word else ""
        if (
            (w in _ABBREV and not (w in ("a.m", "p.m") and "\n" in m.group(0)))
            or (len(w) == 1 and w.isalpha())
            or (re.fullmatch(r"[\d]{1,3}|[a-z]|[ivx]{1,4}", w) and text[s:dot].strip(" -•*(") == w)
        ):
            continue
        out.append((s, start + m.start() + len(m.group(0).rstrip())))
        s = start + m.end()
    if s < end:
        out.append((s, end))
    result = []
    for a, b in out:
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        a += lead
        b = a + len(seg.strip())
        if b > a:
            result.append((a, b))
    return result

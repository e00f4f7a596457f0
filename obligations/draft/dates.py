"""Numbers in words, dates and times in the forms orders write them."""

from __future__ import annotations

import re
from datetime import date, time

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_NUMBER_WORD = (
    r"(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(k for k in _UNITS if _UNITS[k] < 10 and k != "zero")
    + r"))?"
    r"|(?:" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
    r"|(?:(?:one|two|three|four|five|six|seven|eight|nine) hundred(?: (?:and )?[a-z-]+)?))"
)
#: a count as orders write it: "14", "fourteen", "fourteen (14)", "14 (fourteen)"
COUNT = (
    rf"(?:(?P<w>{_NUMBER_WORD})\s*\(\s*(?P<wd>\d{{1,5}})\s*\)"
    rf"|(?P<d>\d{{1,5}})(?:\s*\(\s*{_NUMBER_WORD}\s*\))?"
    rf"|(?P<w2>{_NUMBER_WORD}))"
)


def number_value(words: str) -> int | None:
    """``"fourteen"`` -> 14, ``"twenty-one"`` -> 21, ``"one hundred twenty"`` -> 120."""
    w = words.lower().replace("-", " ").replace(" and ", " ").split()
    if not w:
        return None
    total = 0
    if len(w) >= 2 and w[1] == "hundred":
        if w[0] not in _UNITS:
            return None
        total = _UNITS[w[0]] * 100
        w = w[2:]
    if not w:
        return total
    if w[0] in _TENS:
        total += _TENS[w[0]]
        w = w[1:]
        if w and w[0] in _UNITS and 0 < _UNITS[w[0]] < 10:
            total += _UNITS[w[0]]
            w = w[1:]
    elif w[0] in _UNITS:
        total += _UNITS[w[0]]
        w = w[1:]
    else:
        return None
    return total if not w else None


def count_value(m: re.Match[str]) -> int | None:
    """The value of a ``COUNT`` match; ``None`` when words and figures disagree."""
    if m.group("wd"):
        a, b = number_value(m.group("w")), int(m.group("wd"))
        return b if a == b else None
    if m.group("d"):
        return int(m.group("d"))
    return number_value(m.group("w2"))


MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_ORD_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
_WEEKDAY = r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?"
DATE = re.compile(
    r"(?<![\w/-])(?:"
    + _WEEKDAY
    + rf"{_MONTH}\s+{_DAY}(?:\s*,\s*|\s+)(?P<year>\d{{4}})"  # July 15, 2013
    + rf"|{_WEEKDAY}{_DAY.replace('day>', 'day2>')}\s+(?:day\s+of\s+)?{_MONTH.replace('mon>', 'mon2>')},?\s+(?P<year2>\d{{4}})"  # 15 July 2013, 2nd day of July, 2013
    + r"|(?P<nm>\d{1,2})(?P<sep>[/.-])(?P<nd>\d{1,2})(?P=sep)(?P<ny>\d{4}|\d{2}(?![\d-]))"  # 7/15/2013, 07/15/13, 10-19-2021
    + r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"  # 2013-07-15
    + r")(?![\w/])",
    re.IGNORECASE,
)
#: a month and day with no year: never completed by guessing the year
DATE_NO_YEAR = re.compile(_WEEKDAY + rf"{_MONTH}\s+{_DAY}(?!\s*,?\s*\d)(?![\w])", re.IGNORECASE)
TIME = re.compile(
    r"(?<![\w:])(?:(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>a\.?\s?m\.?|p\.?\s?m\.?)(?!\w)"
    r"|(?P<noon>noon)|(?P<h24>[01]\d|2[0-3]):(?P<m24>[0-5]\d)(?!\s*[ap]\.?m))",
    re.IGNORECASE,
)


def date_value(m: re.Match[str]) -> date | None:
    """The date of a ``DATE`` match, or ``None`` for a day that does not exist."""
    try:
        if m.group("mon"):
            return date(int(m.group("year")), MONTHS[m.group("mon").lower()], int(m.group("day")))
        if m.group("mon2"):
            return date(
                int(m.group("year2")), MONTHS[m.group("mon2").lower()], int(m.group("day2"))
            )
        if m.group("nm"):
            y = int(m.group("ny"))
            if len(m.group("ny")) == 2:
                y += 2000 if y < 70 else 1900
            return date(y, int(m.group("nm")), int(m.group("nd")))
        return date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
    except ValueError:
        return None


_ORDINAL_DATE = re.compile(
    r"(?P<ord>"
    + "|".join([*_ORD_WORDS, "twenty", "thirty"])
    + r")(?:[- ](?P<ord2>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))?"
    rf"\s+day\s+of\s+{_MONTH},?\s+(?P<year>\d{{4}})",
    re.IGNORECASE,
)


def find_dates(text: str) -> list[tuple[int, int, date]]:
    """Every date in ``text`` that exists: (start, end, day)."""
    found: list[tuple[int, int, date]] = []
    for m in DATE.finditer(text):
        d = date_value(m)
        if d is not None and 1900 <= d.year <= 2200:
            found.append((m.start(), m.end(), d))
    for m in _ORDINAL_DATE.finditer(text):
        n = {**_ORD_WORDS, "twenty": 20, "thirty": 30}[m.group("ord").lower()]
        if m.group("ord2"):
            n += _ORD_WORDS[m.group("ord2").lower()]
        try:
            d = date(int(m.group("year")), MONTHS[m.group("mon").lower()], n)
        except ValueError:
            continue
        if 1900 <= d.year <= 2200:
            found.append((m.start(), m.end(), d))
    found.sort()
    return found


def time_value(m: re.Match[str]) -> time | None:
    if m.group("noon"):
        return time(12, 0)
    if m.group("h24"):
        return time(int(m.group("h24")), int(m.group("m24")))
    h, mi = int(m.group("h")), int(m.group("m") or 0)
    if not 1 <= h <= 12 or mi > 59:
        return None
    pm = m.group("ap").lower().startswith("p")
    if h == 12:
        h = 0
    return time(h + 12 if pm else h, mi)

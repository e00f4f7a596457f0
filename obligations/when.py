"""The when-language: the one parser for a due rule ("14 days after order", "on 2013-07-15").

Order files, the calculator and the CLI all read due rules through ``parse_when``, so a rule
means the same thing everywhere. The grammar is small and strict on purpose: anything it does
not know is a ``WhenSyntaxError`` naming the column and what was expected, never a guess, since
a guessed deadline is worse than a rejected one. See docs/when-language.md.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal, NoReturn

from calendars.errors import BadInput
from calendars.period import SERVICE_METHODS, Direction, Period, Unit

__all__ = [
    "Anchor",
    "Combined",
    "DateAnchor",
    "DueAnchor",
    "Fixed",
    "NamedAnchor",
    "OrderAnchor",
    "Relative",
    "SimpleAnchor",
    "When",
    "WhenSyntaxError",
    "format_when",
    "names",
    "parse_when",
]


# --- The parsed forms -----------------------------------------------------------------------
# Each form's str() is its canonical text; format_when adds the guarantee that it parses back.


@dataclass(frozen=True, slots=True)
class OrderAnchor:
    """The word "order": the order's own date, which the loader knows and the text does not."""

    def __str__(self) -> str:
        return "order"


@dataclass(frozen=True, slots=True)
class DateAnchor:
    """A literal date or date-time (the calculator's case); a naive date-time is court time."""

    at: date | datetime

    def __str__(self) -> str:
        if isinstance(self.at, datetime):
            return self.at.isoformat(timespec="minutes")
        return self.at.isoformat()


@dataclass(frozen=True, slots=True)
class NamedAnchor:
    """A recorded case event or another obligation's completion; the loader decides which."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class DueAnchor:
    """Another obligation's due date ("opposition.due"), so deadlines chain before completion."""

    name: str

    def __str__(self) -> str:
        return f"{self.name}.due"


@dataclass(frozen=True, slots=True)
class Combined:
    """Orders often run a period from whichever of two events comes last ("the later of a, b")."""

    pick: Literal["later", "earlier"]
    anchors: tuple[SimpleAnchor, ...]

    def __str__(self) -> str:
        """Two anchors as "a, b", more as "a, b and c", the way orders write them."""
        texts = [str(a) for a in self.anchors]
        if len(texts) > 2:
            texts = [f"{', '.join(texts[:-1])} and {texts[-1]}"]
        return f"the {self.pick} of {', '.join(texts)}"


SimpleAnchor = OrderAnchor | DateAnchor | NamedAnchor | DueAnchor
Anchor = SimpleAnchor | Combined


@dataclass(frozen=True, slots=True)
class Fixed:
    """A date set by the court ("no later than July 15, 2013"): never counted, never rolled."""

    on: date
    at: time | None
    word: Literal["on", "by"]

    def __str__(self) -> str:
        day = f"{self.word} {self.on.isoformat()}"
        return day if self.at is None else f"{day} {self.at.isoformat(timespec='minutes')}"


@dataclass(frozen=True, slots=True)
class Relative:
    """A period counted from an anchor; ``service`` None means the rule did not state one."""

    period: Period
    direction: Direction
    anchor: Anchor
    service: str | None

    def __str__(self) -> str:
        text = f"{self.period} {self.direction.value} {self.anchor}"
        return text if self.service is None else f"{text} with service by {self.service}"


When = Fixed | Relative


class WhenSyntaxError(BadInput):
    """A due rule that does not parse, with where and why, so a loader can point at it.

    ``column`` is 1-based, of the offending token (or just past the text when it ended too
    soon); ``found`` is as shown in the message: the token in quotes, or "end of text".
    """

    def __init__(
        self, text: str, column: int, expected: str, found: str, hint: str | None = None
    ) -> None:
        self.text = text
        self.column = column
        self.expected = expected
        self.found = found
        self.hint = hint
        message = f"column {column}: expected {expected}, found {found}"
        super().__init__(message if hint is None else f"{message} ({hint})")


# --- Vocabulary -----------------------------------------------------------------------------

_UNITS: dict[str, Unit] = {
    "day": Unit.DAYS,
    "days": Unit.DAYS,
    "hour": Unit.HOURS,
    "hours": Unit.HOURS,
    "week": Unit.WEEKS,
    "weeks": Unit.WEEKS,
    "month": Unit.MONTHS,
    "months": Unit.MONTHS,
    "year": Unit.YEARS,
    "years": Unit.YEARS,
}
_UNIT_LIST = "days, court days, hours, weeks, months, years"
_UNIT_CHOICES = (*_UNITS, "court day", "court days", "calendar day", "calendar days")

#: Words that are never names, so "14 days after with ..." fails at "with" instead of reading
#: an anchor called "with".
_KEYWORDS = frozenset(
    {"order", "on", "by", "after", "before", "with", "service", "the", "later", "earlier"}
    | {"of", "and", "due", "court", "calendar", *_UNITS}
)

#: Words people write that the language spells differently; used for hints only.
_ALIASES = {
    "business": "court days",
    "judicial": "court days",
    "working": "court days",
    "of": "after",
    "from": "after",
    "since": "after",
    "prior": "before",
    "email": "electronic",
    "e-mail": "electronic",
    "ecf": "electronic",
    "personal": "hand",
    "post": "mail",
}

_COUNT = re.compile(r"[0-9]+")
_MAX_COUNT = 10000
_DATE_LIKE = re.compile(r"[0-9]+-[0-9]")  # a token starting like this is a date, never a name
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_LOOSE_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TIME_LIKE = re.compile(r"[0-9]{1,2}:")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TOKEN = re.compile(r",|[^\s,]+")

_START = "'on DATE', 'by DATE' or 'N UNIT after|before ANCHOR'"
_SIMPLE = "order, a date, a date-time, a name or NAME.due"
_ANCHOR = f"an anchor ({_SIMPLE}, or 'the later of' / 'the earlier of')"
_METHODS = f"a service method ({', '.join(SERVICE_METHODS)})"
_TIME_RANGE = "a time HH:MM (00:00 to 23:59)"


def _suggest(word: str, choices: tuple[str, ...]) -> str | None:
    """A "did you mean" hint: a known alias first, then the closest spelling, else nothing."""
    word = word.lower()
    alias = _ALIASES.get(word)
    if alias in choices:
        return f"did you mean '{alias}'?"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


# --- The parser -----------------------------------------------------------------------------


def parse_when(text: str) -> When:
    """Parse a due rule; raise WhenSyntaxError (a ValueError) for anything outside the grammar."""
    return _Parser(text).when()


class _Parser:
    """Recursive descent over whitespace/comma tokens; each method reads one grammar rule."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [(m.group(), m.start() + 1) for m in _TOKEN.finditer(text)]
        self.pos = 0

    # Token access.

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def word(self) -> str | None:
        """The next token lowercased, because keywords are case-insensitive (ASCII only, so the
        Kelvin sign in "weeKs" is not read as a "k")."""
        token = self.peek()
        return token.lower() if token is not None and token.isascii() else token

    def advance(self) -> None:
        self.pos += 1

    def expect(self, keyword: str) -> None:
        if self.word() != keyword:
            self.fail(f"'{keyword}'")
        self.advance()

    def fail(self, expected: str, hint: str | None = None) -> NoReturn:
        """Raise at the current token, or just past the last one when the text ended early."""
        if self.pos < len(self.tokens):
            token, column = self.tokens[self.pos]
            raise WhenSyntaxError(self.text, column, expected, f"'{token}'", hint)
        last, column = self.tokens[-1] if self.tokens else ("", 1)
        raise WhenSyntaxError(self.text, column + len(last), expected, "end of text", hint)

    def method_hint(self, start: int) -> str | None:
        """Hint at a method typed with spaces: "mail out of state" -> "mail-out-of-state"."""
        joined = "-".join(token.lower() for token, _ in self.tokens[start:])
        return f"did you mean '{joined}'?" if joined in SERVICE_METHODS else None

    # Grammar rules.

    def when(self) -> When:
        first = self.word()
        if first in ("on", "by"):
            return self.fixed()
        if first is not None and _COUNT.fullmatch(first):
            return self.relative()
        hint = None
        if first == "within":
            hint = "'within 14 days of the order' is written '14 days after order'"
        elif first is not None and re.fullmatch(r"[+-]?[0-9.]+", first):
            hint = "a count is a whole number without a sign"
        self.fail(_START, hint)

    def fixed(self) -> Fixed:
        word: Literal["on", "by"] = "on" if self.word() == "on" else "by"
        self.advance()
        on, at = self.date_time()
        if self.peek() is not None:
            self.fail("end of text" if at is not None else "a time HH:MM or end of text")
        return Fixed(on, at, word)

    def relative(self) -> Relative:
        n = self.count()
        period = Period(n, self.unit(n))
        word = self.word()
        if word not in ("after", "before"):
            self.fail("'after' or 'before'", _suggest(self.peek() or "", ("after", "before")))
        direction = Direction(word)
        self.advance()
        anchor, more = self.anchor()
        return Relative(period, direction, anchor, self.service(anchor, more))

    def count(self) -> int:
        """1 to 10000: zero, or more than 27 years of days, is a typo rather than an order."""
        token = self.peek() or ""
        if len(token.lstrip("0")) > len(str(_MAX_COUNT)) or not 1 <= int(token) <= _MAX_COUNT:
            self.fail(f"a count from 1 to {_MAX_COUNT}")
        self.advance()
        return int(token)

    def unit(self, n: int) -> Unit:
        """Read a unit; singular only after 1, because "14 day" is more likely a typo than not."""
        first = self.word()
        if first in ("court", "calendar"):
            self.advance()
            if self.word() not in ("day", "days"):
                self.fail(f"'days' after '{first}'")
            unit = Unit.COURT_DAYS if first == "court" else Unit.DAYS
        elif first in _UNITS:
            unit = _UNITS[first]
        else:
            choices = _UNIT_CHOICES if n == 1 else tuple(c for c in _UNIT_CHOICES if c[-1] == "s")
            self.fail(f"a unit ({_UNIT_LIST})", _suggest(self.peek() or "", choices))
        if n != 1 and not (self.word() or "").endswith("s"):
            self.fail(f"'{self.word()}s' after a count of {n}")
        self.advance()
        return unit

    def anchor(self) -> tuple[Anchor, bool]:
        """Read an anchor; the flag says whether a "," or "and" could still extend it."""
        if self.word() != "the":
            return self.simple(_ANCHOR), False
        self.advance()
        pick: Literal["later", "earlier"]
        if self.word() == "later":
            pick = "later"
        elif self.word() == "earlier":
            pick = "earlier"
        else:
            self.fail("'later' or 'earlier'", _suggest(self.peek() or "", ("later", "earlier")))
        self.advance()
        self.expect("of")
        simple = f"a single anchor ({_SIMPLE})"
        anchors = [self.simple(simple)]
        more = True
        while more and self.word() in (",", "and"):
            if self.word() == ",":
                self.advance()
            if self.word() == "and":
                self.advance()
                more = False
            anchors.append(self.simple(simple))
        if len(anchors) < 2:
            self.fail(f"',' or 'and' and another anchor ('the {pick} of' needs at least two)")
        return Combined(pick, tuple(anchors)), more

    def simple(self, expected: str) -> SimpleAnchor:
        token = self.peek()
        if token is None:
            self.fail(expected)
        if self.word() == "order":
            self.advance()
            return OrderAnchor()
        if _DATE_LIKE.match(token):
            on, at = self.date_time()
            return DateAnchor(on if at is None else datetime.combine(on, at))
        name, dot, suffix = token.partition(".")
        if dot and suffix.lower() != "due":
            self.fail(expected, "only '.due' may follow a name")
        if not _NAME.fullmatch(name) or name in _KEYWORDS or name.isdigit():
            self.fail(expected, self.name_hint(name))
        self.advance()
        return DueAnchor(name) if dot else NamedAnchor(name)

    def name_hint(self, name: str) -> str | None:
        """Say why a token is not a name, since "Hearing" or "after" look like one to a person."""
        lowered = name.lower()
        if not lowered[:1].isalnum():
            return None
        if lowered == "the":
            return "combinations do not nest"
        if lowered in ("later", "earlier"):
            return f"did you mean 'the {lowered} of'?"
        if lowered in _KEYWORDS:
            return f"'{lowered}' is a keyword and cannot be a name"
        if lowered.isdigit():
            return "a number cannot be a name"
        if _NAME.fullmatch(lowered):
            return f"names are lowercase: did you mean '{lowered}'?"
        return "a name is lowercase ASCII letters, digits, '-' and '_'"

    def date_time(self) -> tuple[date, time | None]:
        """Read DATE, DATE'T'TIME or DATE TIME; both separators occur in real use."""
        day_text, separator, time_text = (self.peek() or "").upper().partition("T")
        day = self.date(day_text)
        at = self.time(time_text) if separator else None
        self.advance()
        if at is None and _TIME_LIKE.match(self.peek() or ""):
            at = self.time(self.peek() or "")
            self.advance()
        return day, at

    def date(self, text: str) -> date:
        """Check the date exists here, so a loader never stores 2013-02-30."""
        match = _DATE.fullmatch(text)
        if match is None:
            loose = _LOOSE_DATE.fullmatch(text)
            hint = None
            if loose:
                hint = f"did you mean '{loose[1]}-{int(loose[2]):02}-{int(loose[3]):02}'?"
            self.fail("a date YYYY-MM-DD", hint)
        year, month, day = (int(part) for part in match.groups())
        if year < 1:
            self.fail("a date YYYY-MM-DD", "there is no year 0")
        if not 1 <= month <= 12:
            self.fail("a date YYYY-MM-DD", f"there is no month {month}")
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            hint = f"the day does not exist: {calendar.month_name[month]} {year} has {last} days"
            self.fail("a date YYYY-MM-DD", hint)
        return date(year, month, day)

    def time(self, text: str) -> time:
        """HH:MM only: "5pm" or "17:00:00" would be guesses about what the clerk meant."""
        match = _TIME.fullmatch(text)
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            padded = f"did you mean '0{text}'?" if re.fullmatch(r"[0-9]:[0-5][0-9]", text) else None
            self.fail(_TIME_RANGE, padded)
        return time(int(match[1]), int(match[2]))

    def service(self, anchor: Anchor, more: bool) -> str | None:
        """Read the optional "with service by METHOD", which must end the text."""
        if self.peek() is None:
            return None
        if self.word() != "with":
            expected = "'with service by METHOD' or end of text"
            if more:
                expected = f"',' or 'and' and another anchor, {expected}"
            hint = None
            if self.word() in (",", "and"):
                hint = "'and' goes only before the last anchor: 'the later of a, b, c and d'"
                if not isinstance(anchor, Combined):
                    hint = "combine anchors with 'the later of a, b' or 'the earlier of a, b'"
            self.fail(expected, hint)
        self.advance()
        self.expect("service")
        self.expect("by")
        method = self.word()
        if method not in SERVICE_METHODS:
            hint = self.method_hint(self.pos) or _suggest(self.peek() or "", SERVICE_METHODS)
            self.fail(_METHODS, hint)
        self.advance()
        if self.peek() is not None:
            self.fail("end of text", self.method_hint(self.pos - 1))
        return method


# --- Writing and inspecting -----------------------------------------------------------------


def format_when(when: When) -> str:
    """The canonical text of a rule; raise ValueError if the language cannot say it exactly.

    The check (parse the text back, compare) keeps the promise parse_when(format_when(w)) == w
    for values built by hand, e.g. a date-time with seconds or a name with capitals.
    """
    text = str(when)
    try:
        again = parse_when(text)
    except WhenSyntaxError as err:
        raise ValueError(f"{when!r} cannot be written in the when-language: {err}") from None
    if again != when:
        raise ValueError(f"{when!r} cannot be written exactly in the when-language: {text!r}")
    return text


def names(when: When) -> tuple[str, ...]:
    """The event and obligation names a rule refers to, once each in order, for reference checks."""
    if isinstance(when, Fixed):
        return ()
    anchors = when.anchor.anchors if isinstance(when.anchor, Combined) else (when.anchor,)
    found = [a.name for a in anchors if isinstance(a, NamedAnchor | DueAnchor)]
    return tuple(dict.fromkeys(found))

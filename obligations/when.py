"""The when-language: the one parser for a due rule ("14 days after order", "on 2013-07-15").

Order files, the calculator and the CLI all read due rules through ``parse_when``, so a rule
means the same thing everywhere. The grammar is small and strict on purpose: anything it does
not know is a ``WhenSyntaxError`` naming the column and what was expected, never a guess, since
a guessed deadline is worse than a rejected one. See docs/when-language.md.

A rule is one *part* (a fixed date, a day the same as an anchor's, or a period counted from an
anchor), several parts combined ("A or B, whichever is earlier"), or a periodic series ("every
90 days after stay-entered until stay-lifted").
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
    "WEEKDAYS",
    "Anchor",
    "Combined",
    "DateAnchor",
    "DueAnchor",
    "Either",
    "Fixed",
    "MissedAnchor",
    "NamedAnchor",
    "OrderAnchor",
    "Part",
    "Periodic",
    "Relative",
    "SameDay",
    "SimpleAnchor",
    "When",
    "WhenSyntaxError",
    "anchors_of",
    "format_when",
    "names",
    "parse_period",
    "parse_when",
    "parts_of",
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
    """A recorded case event or another obligation's completion; the loader decides which.
    ``order-id/obligation-id`` names another order's obligation."""

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
class MissedAnchor:
    """A default as a trigger ("perfect-appeal.missed"): the day after another obligation's due
    date, once that date has passed with no completion on or before it."""

    name: str

    def __str__(self) -> str:
        return f"{self.name}.missed"


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


SimpleAnchor = OrderAnchor | DateAnchor | NamedAnchor | DueAnchor | MissedAnchor
Anchor = SimpleAnchor | Combined


@dataclass(frozen=True, slots=True)
class Fixed:
    """A date set by the court ("no later than July 15, 2013"): never counted, never rolled.
    ``end``: an appearance's end time ("from 10:00 a.m. through 12:00 noon")."""

    on: date
    at: time | None
    word: Literal["on", "by"]
    end: time | None = None

    def __str__(self) -> str:
        day = f"{self.word} {self.on.isoformat()}"
        if self.at is None:
            return day
        day = f"{day} {self.at.isoformat(timespec='minutes')}"
        return day if self.end is None else f"{day} to {self.end.isoformat(timespec='minutes')}"


@dataclass(frozen=True, slots=True)
class SameDay:
    """Due on the day of an anchor, with no period counted ("immediately upon entry of the
    protective order", "by the same deadline"); never rolled. The words are kept as written."""

    anchor: Anchor
    word: Literal["on", "by", "upon", "immediately upon"]

    def __str__(self) -> str:
        return f"{self.word} {self.anchor}"


@dataclass(frozen=True, slots=True)
class Relative:
    """A period counted from an anchor; ``service`` None means the rule did not state one.

    ``weekday`` (0 Monday .. 6 Sunday) set: due on the first such day *after* the period
    expires ("the Monday next after the expiration of twenty days", Tex. R. Civ. P. 99(b)),
    at ``at`` (court time) when given; a weekday rule counts forward only."""

    period: Period
    direction: Direction
    anchor: Anchor
    service: str | None
    weekday: int | None = None
    at: time | None = None

    def __str__(self) -> str:
        text = f"{self.period} {self.direction.value} {self.anchor}"
        if self.service is not None:
            text = f"{text} with service by {self.service}"
        if self.weekday is None:
            return text
        day = f"the {WEEKDAYS[self.weekday]} after {text}"
        return f"on {day}" if self.at is None else f"by {self.at.strftime('%H:%M')} on {day}"


Part = Fixed | SameDay | Relative


@dataclass(frozen=True, slots=True)
class Either:
    """Whole rules combined, each computed under its own rule (a counted part rolled, a fixed
    part never): the earlier or the later of their dates, or (``once``) the first part until
    the second can be computed, then the second. ``in_any_event``: the earlier of two, in the
    words orders use ("120 days after service, and in any event by 2025-03-03")."""

    parts: tuple[Part, ...]
    pick: Literal["earlier", "later", "once"]
    in_any_event: bool = False

    def __str__(self) -> str:
        texts = [str(p) for p in self.parts]
        if self.in_any_event:
            return f"{texts[0]}, and in any event {', '.join(texts[1:])}"
        if self.pick == "once":
            return f"{texts[0]}, or {' or '.join(texts[1:])} once it happens"
        return f"{' or '.join(texts)}, whichever is {self.pick}"


@dataclass(frozen=True, slots=True)
class Periodic:
    """A duty that repeats: instance #1 is ``first``; each next one ``every`` after the one
    before. ``thereafter`` False is the form "every 90 days after ANCHOR" (``first`` is then
    the period counted once from the anchor). The series ends at ``until`` (no instance due
    after it) or after ``times`` instances; without either it runs on."""

    every: Period
    first: Part
    thereafter: bool
    until: SimpleAnchor | None = None
    times: int | None = None

    def __str__(self) -> str:
        if self.thereafter:
            text = f"{self.first} and every {self.every} thereafter"
        else:
            anchor = self.first.anchor if isinstance(self.first, Relative) else self.first
            text = f"every {self.every} after {anchor}"
        if self.until is not None:
            text += f" until {self.until}"
        if self.times is not None:
            text += f" for {self.times} {'time' if self.times == 1 else 'times'}"
        return text


When = Part | Either | Periodic


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
#: The days of the week, as a weekday rule names them (``date.weekday()`` order).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNIT_CHOICES = (*_UNITS, "court day", "court days", "calendar day", "calendar days")

#: Words that are never names, so "14 days after with ..." fails at "with" instead of reading
#: an anchor called "with". The last set begins or continues a combination or a series, so a
#: name spelled like one would be ambiguous. "service" is a name ("120 days after service"):
#: the clause "with service by" is found by its "with".
_KEYWORDS = frozenset(
    {"order", "on", "by", "after", "before", "with", "the", "later", "earlier", "of", "and"}
    | {"due", "court", "calendar", *_UNITS}
    | {"or", "every", "until", "for", "once", "whichever", "upon", "immediately", "thereafter"}
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
_MONTHS = frozenset(
    [m.lower() for m in calendar.month_name[1:]] + [m.lower() for m in calendar.month_abbr[1:]]
)
#: Words of "the date of this order", "entry of this order": the order's own date.
_ORDER_WORDS = frozenset({"order", "hereof", "herein"})

_COUNT = re.compile(r"[0-9]+")
_MAX_COUNT = 10000
_DATE_LIKE = re.compile(r"[0-9]+-[0-9]")  # a token starting like this is a date, never a name
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_LOOSE_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TIME_LIKE = re.compile(r"[0-9]{1,2}:")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TOKEN = re.compile(r",|[^\s,]+")
_SUFFIXES = ("due", "missed")

_START = "'on DATE', 'by DATE' or 'N UNIT after|before ANCHOR'"
_SIMPLE = "order, a date, a date-time, a name or NAME.due"
_ANCHOR = f"an anchor ({_SIMPLE}, or 'the later of' / 'the earlier of')"
_SAME_DAY = "an anchor (order, a name, NAME.due, NAME.missed, or 'the later of' / 'the earlier of')"
_METHODS = f"a service method ({', '.join(SERVICE_METHODS)})"
_TIME_RANGE = "a time HH:MM (00:00 to 23:59)"
_DATE_TEXT = "a date YYYY-MM-DD"
_ENDINGS = "', whichever is earlier', ', whichever is later' or 'once it happens'"
_COMBINE_HINT = (
    "a rule with 'or' says which date governs: 'A or B, whichever is earlier',"
    " 'A or B, whichever is later' or 'A, or B once it happens'"
)
_REPEATS = "a unit a duty repeats in (days, court days, weeks, months, years)"
_WEEKDAY_TEXT = f"a day of the week ({', '.join(WEEKDAYS)})"
_WEEKDAY_FORM = "'on the WEEKDAY after N UNIT after ANCHOR'"
_WEEKDAY_UNITS = "a unit a weekday rule counts in (days, court days, weeks, months, years)"


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


#: What may follow a part, and the hint, when what follows it is none of that.
_Tail = tuple[str, str | None]


class _Parser:
    """Recursive descent over whitespace/comma tokens; each method reads one grammar rule."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [(m.group(), m.start() + 1) for m in _TOKEN.finditer(text)]
        self.pos = 0

    # Token access.

    def peek(self, ahead: int = 0) -> str | None:
        at = self.pos + ahead
        return self.tokens[at][0] if at < len(self.tokens) else None

    def word(self, ahead: int = 0) -> str | None:
        """A token lowercased, because keywords are case-insensitive (ASCII only, so the
        Kelvin sign in "weeKs" is not read as a "k")."""
        token = self.peek(ahead)
        return token.lower() if token is not None and token.isascii() else token

    def advance(self) -> None:
        self.pos += 1

    def expect(self, keyword: str, hint: str | None = None) -> None:
        if self.word() != keyword:
            self.fail(f"'{keyword}'", hint)
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

    def order_hint(self) -> str | None:
        """ "30 days after the date of this order": the order's own date is the anchor 'order'."""
        ahead = [(self.word(k) or "").strip(".") for k in range(8)]
        if not _ORDER_WORDS & set(ahead):
            return None
        start = self.pos
        while start > 0 and (self.tokens[start - 1][0].lower() not in ("after", "before")):
            start -= 1
        head = " ".join(token for token, _ in self.tokens[:start])
        return f"the order's own date is written 'order': '{head} order'"

    # Grammar rules.

    def when(self) -> When:
        if self.word() == "every":
            return self.every()
        part, tail = self.part()
        return self.rest(part, tail)

    def part(self) -> tuple[Part, _Tail]:
        """One simple rule, and what may follow it (for the message when something else does)."""
        first = self.word()
        if first in ("on", "by"):
            nxt = self.peek(1)
            if self.weekday_like():
                return self.weekday()
            if nxt is None or _DATE_LIKE.match(nxt) or not self.anchor_like(1):
                return self.fixed()
            return self.same_day()
        if first in ("upon", "immediately"):
            return self.same_day()
        if first is not None and _COUNT.fullmatch(first):
            return self.relative()
        hint = None
        if first == "within":
            hint = "'within 14 days of the order' is written '14 days after order'"
        elif first is not None and re.fullmatch(r"[+-]?[0-9.]+", first):
            hint = "a count is a whole number without a sign"
        elif first == "every":
            hint = "a series is the whole rule: 'every N UNIT after ANCHOR', not a part of one"
        self.fail(_START, hint)

    def anchor_like(self, ahead: int) -> bool:
        """Whether the token ``ahead`` can begin a non-literal anchor (so "on X" is a same-day
        rule); a capitalised word or a month's name stays a (mistyped) date."""
        token = self.peek(ahead)
        if token is None:
            return False
        lowered = token.lower()
        if lowered in ("order", "the"):
            return True
        if lowered in _MONTHS or not token.isascii() or token != lowered:
            return False
        name = token.partition(".")[0]
        return bool(_NAME.fullmatch(name.replace("/", "-"))) and not name.isdigit()

    def weekday_like(self) -> bool:
        """Whether "on"/"by" begins a weekday rule: a time ("by 10:00 on the monday ...") or
        "the" and a word that is not a combination's ("on the monday ...", "on the mondy")."""
        nxt = self.peek(1)
        if nxt is not None and _TIME_LIKE.match(nxt):
            return True
        day = self.word(2)
        if self.word(1) != "the" or day is None or day in ("later", "earlier"):
            return False
        return day in WEEKDAYS or bool(difflib.get_close_matches(day, WEEKDAYS, n=1, cutoff=0.6))

    def weekday(self) -> tuple[Relative, _Tail]:
        """ "on the WEEKDAY after N UNIT after ANCHOR", with "by HH:MM" for a time of day."""
        self.advance()
        at = None
        if _TIME_LIKE.match(self.peek() or ""):
            at = self.time(self.peek() or "")
            self.advance()
            self.expect("on", "a time of day goes before the day: 'by HH:MM on the WEEKDAY ...'")
        self.expect("the")
        day = self.word()
        if day not in WEEKDAYS:
            self.fail(_WEEKDAY_TEXT, _suggest(self.peek() or "", WEEKDAYS))
        self.advance()
        if self.word() == "next":  # "the Monday next after", as Tex. R. Civ. P. 99(b) says it
            self.advance()
        self.expect("after", f"a weekday rule reads {_WEEKDAY_FORM}")
        if not _COUNT.fullmatch(self.word() or ""):
            hint = "a weekday is found after a period: 'on the monday after 20 days after service'"
            self.fail("a period 'N UNIT after ANCHOR'", hint)
        n = self.count()
        start = self.pos
        unit = self.unit(n)
        if unit is Unit.HOURS:
            self.pos = start
            self.fail(_WEEKDAY_UNITS)
        if self.word() != "after":
            if self.word() == "before":
                self.fail("'after'", "the weekday follows a period counted forward")
            self.fail("'after'", _suggest(self.peek() or "", ("after",)))
        self.advance()
        anchor, more = self.anchor(_ANCHOR)
        service, tail = self.service(anchor, more)
        rule = Relative(Period(n, unit), Direction.AFTER, anchor, service, WEEKDAYS.index(day), at)
        return rule, tail

    def fixed(self) -> tuple[Fixed, _Tail]:
        word: Literal["on", "by"] = "on" if self.word() == "on" else "by"
        self.advance()
        on, at = self.date_time()
        end = None
        if at is None and self.word() == "from":
            self.advance()
            at = self.clock()
            self.expect("to")
            end = self.clock(after=at)
        elif at is not None and self.word() == "to":
            self.advance()
            end = self.clock(after=at)
        if end is not None:
            tail: _Tail = ("end of text", None)
        elif at is not None:
            tail = ("'to HH:MM' or end of text", None)
        else:
            tail = ("a time HH:MM or end of text", None)
        return Fixed(on, at, word, end), tail

    def clock(self, after: time | None = None) -> time:
        """A time token; after ``after`` when it ends an appearance."""
        token = self.peek()
        if token is None:
            self.fail(_TIME_RANGE)
        at = self.time(token)
        if after is not None and at <= after:
            self.fail(
                f"a time after {after.isoformat(timespec='minutes')}",
                "an appearance ends after it begins",
            )
        self.advance()
        return at

    def same_day(self) -> tuple[SameDay, _Tail]:
        word: Literal["on", "by", "upon", "immediately upon"]
        first = self.word()
        self.advance()
        if first == "immediately":
            self.expect("upon")
            word = "immediately upon"
        else:
            word = "on" if first == "on" else "by" if first == "by" else "upon"
        token = self.peek()
        if token is not None and _DATE_LIKE.match(token) and "/" not in token:
            self.fail(_SAME_DAY, "a date is written 'on DATE'")
        anchor, more = self.anchor(_SAME_DAY)
        tail = "end of text"
        if more:
            tail = "',' or 'and' and another anchor, or end of text"
        return SameDay(anchor, word), (tail, self.order_hint())

    def relative(self) -> tuple[Relative, _Tail]:
        n = self.count()
        period = Period(n, self.unit(n))
        word = self.word()
        if word not in ("after", "before"):
            self.fail("'after' or 'before'", _suggest(self.peek() or "", ("after", "before")))
        direction = Direction(word)
        self.advance()
        anchor, more = self.anchor(_ANCHOR)
        service, tail = self.service(anchor, more)
        return Relative(period, direction, anchor, service), tail

    def count(self) -> int:
        """1 to 10000: zero, or more than 27 years of days, is a typo rather than an order."""
        token = self.peek() or ""
        if not _COUNT.fullmatch(token):
            self.fail(f"a count from 1 to {_MAX_COUNT}")
        if len(token.lstrip("0")) > len(str(_MAX_COUNT)) or not 1 <= int(token) <= _MAX_COUNT:
            hint = None
            if token.strip("0") == "" and token:
                hint = "a duty due on the day of its anchor is written 'on ANCHOR'"
            self.fail(f"a count from 1 to {_MAX_COUNT}", hint)
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

    def boundary(self) -> bool:
        """At a "," or "and" that begins the next part of a rule, not the next anchor of a
        combination: ", or", ", whichever", ", and in any event", "and every"."""
        word, nxt = self.word(), self.word(1)
        if word == ",":
            return nxt in ("or", "whichever") or (nxt == "and" and self.word(2) == "in")
        return word == "and" and nxt in ("every", "in")

    def anchor(self, expected: str) -> tuple[Anchor, bool]:
        """Read an anchor; the flag says whether a "," or "and" could still extend it."""
        if self.word() != "the":
            return self.simple(expected), False
        self.advance()
        pick: Literal["later", "earlier"]
        if self.word() == "later":
            pick = "later"
        elif self.word() == "earlier":
            pick = "earlier"
        else:
            hint = self.order_hint() or _suggest(self.peek() or "", ("later", "earlier"))
            self.fail("'later' or 'earlier'", hint)
        self.advance()
        self.expect("of")
        simple = f"a single anchor ({_SIMPLE})"
        anchors = [self.simple(simple)]
        more = True
        while more and self.word() in (",", "and") and not self.boundary():
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
        if _DATE_LIKE.match(token) and "/" not in token:
            on, at = self.date_time()
            return DateAnchor(on if at is None else datetime.combine(on, at))
        name, dot, suffix = token.partition(".")
        if dot and suffix.lower() not in _SUFFIXES:
            self.fail(expected, "only '.due' or '.missed' may follow a name")
        if not _is_name(name):
            self.fail(expected, self.name_hint(name))
        self.advance()
        if not dot:
            return NamedAnchor(name)
        return DueAnchor(name) if suffix.lower() == "due" else MissedAnchor(name)

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
        if _is_name(lowered):
            return f"names are lowercase: did you mean '{lowered}'?"
        if "/" in lowered:
            return "another order's obligation is written ORDER-ID/OBLIGATION-ID"
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
            elif text.lower() in _MONTHS:
                hint = "a date is written YYYY-MM-DD"
            self.fail(_DATE_TEXT, hint)
        year, month, day = (int(part) for part in match.groups())
        if year < 1:
            self.fail(_DATE_TEXT, "there is no year 0")
        if not 1 <= month <= 12:
            self.fail(_DATE_TEXT, f"there is no month {month}")
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            hint = f"the day does not exist: {calendar.month_name[month]} {year} has {last} days"
            self.fail(_DATE_TEXT, hint)
        return date(year, month, day)

    def time(self, text: str) -> time:
        """HH:MM only: "5pm" or "17:00:00" would be guesses about what the clerk meant."""
        match = _TIME.fullmatch(text)
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            padded = f"did you mean '0{text}'?" if re.fullmatch(r"[0-9]:[0-5][0-9]", text) else None
            self.fail(_TIME_RANGE, padded)
        return time(int(match[1]), int(match[2]))

    def service(self, anchor: Anchor, more: bool) -> tuple[str | None, _Tail]:
        """Read the optional "with service by METHOD"; return it and what may follow."""
        tail = "'with service by METHOD' or end of text"
        if more:
            tail = f"',' or 'and' and another anchor, {tail}"
        if self.word() != "with":
            hint = None
            if self.word() in (",", "and") and not self.boundary():
                hint = "'and' goes only before the last anchor: 'the later of a, b, c and d'"
                if not isinstance(anchor, Combined):
                    hint = "combine anchors with 'the later of a, b' or 'the earlier of a, b'"
            return None, (tail, hint or self.order_hint())
        self.advance()
        self.expect("service")
        self.expect("by")
        method = self.word()
        if method not in SERVICE_METHODS:
            hint = self.method_hint(self.pos) or _suggest(self.peek() or "", SERVICE_METHODS)
            self.fail(_METHODS, hint)
        self.advance()
        return method, ("end of text", self.method_hint(self.pos - 1))

    # What may follow a part: nothing, a combination, or "and every ... thereafter".

    def rest(self, part: Part, tail: _Tail) -> When:
        word = self.word()
        if word is None:
            return part
        if word == "and" and self.word(1) == "every":
            self.advance()
            self.advance()
            return self.series(part, thereafter=True)
        if word == "," and self.word(1) == "and" and self.word(2) == "in":
            self.advance()
            self.advance()
            self.advance()
            self.expect("any")
            self.expect("event")
            second, second_tail = self.part()
            self.end(second_tail)
            return Either((part, second), "earlier", in_any_event=True)
        if word == "," and self.word(1) == "or":
            self.advance()
        elif word != "or":
            self.fail(*tail)
        parts = [part]
        while True:
            self.expect("or")
            nxt, nxt_tail = self.part()
            parts.append(nxt)
            word = self.word()
            if word == "or" or (word == "," and self.word(1) == "or"):
                if word == ",":
                    self.advance()
                continue
            if word == "," and self.word(1) == "whichever":
                self.advance()
                return self.whichever(parts)
            if word == "once":
                if len(parts) != 2:
                    self.fail(
                        _ENDINGS, "'once it happens' joins two rules: 'A, or B once it happens'"
                    )
                self.advance()
                self.expect("it")
                self.expect("happens")
                self.end(("end of text", None))
                return Either(tuple(parts), "once")
            hint = nxt_tail[1] or _COMBINE_HINT
            if word == "whichever":
                hint = "a comma goes before 'whichever'"
            expected = _ENDINGS
            if word is not None:
                own = nxt_tail[0].removesuffix("end of text").removesuffix(" or ")
                expected = f"{own + ', ' if own else ''}'or', {_ENDINGS}"
            self.fail(expected, hint)

    def whichever(self, parts: list[Part]) -> Either:
        self.expect("whichever")
        self.expect("is")
        pick = self.word()
        if pick not in ("earlier", "later"):
            self.fail("'earlier' or 'later'", _suggest(self.peek() or "", ("earlier", "later")))
        self.advance()
        self.end(("end of text", None))
        return Either(tuple(parts), "earlier" if pick == "earlier" else "later")

    def end(self, tail: _Tail) -> None:
        if self.peek() is not None:
            self.fail(*tail)

    def every(self) -> Periodic:
        """ "every N UNIT after ANCHOR ...": instance #1 is the period counted from the anchor."""
        self.advance()
        n = self.count()
        period = self.repeat_unit(n)
        word = self.word()
        if word != "after":
            hint = (
                "a series runs forward: 'every N UNIT after ANCHOR'" if word == "before" else None
            )
            self.fail("'after'", hint or _suggest(self.peek() or "", ("after",)))
        self.advance()
        anchor, _ = self.anchor(_ANCHOR)
        first = Relative(period, Direction.AFTER, anchor, None)
        return self.ends(period, first, thereafter=False)

    def series(self, first: Part, thereafter: bool) -> Periodic:
        """ "FIRST and every N UNIT thereafter ...": instance #1 is the first part's date."""
        n = self.count()
        period = self.repeat_unit(n)
        self.expect(
            "thereafter", "the series counts on from the first date: 'and every N UNIT thereafter'"
        )
        return self.ends(period, first, thereafter)

    def repeat_unit(self, n: int) -> Period:
        token = self.pos
        unit = self.unit(n)
        if unit is Unit.HOURS:
            self.pos = token
            self.fail(_REPEATS)
        return Period(n, unit)

    def ends(self, every: Period, first: Part, thereafter: bool) -> Periodic:
        """The optional "until ANCHOR" and "for N times" that end a series."""
        until = None
        times = None
        if self.word() == "until":
            self.advance()
            until = self.simple(f"an anchor that ends the series ({_SIMPLE})")
        if self.word() == "for":
            self.advance()
            times = self.count()
            plural = self.word()
            if plural not in ("times", "time") or (plural == "time") != (times == 1):
                self.fail(f"'{'time' if times == 1 else 'times'}'")
            self.advance()
        if self.peek() is not None:
            expected = "'until ANCHOR', 'for N times' or end of text"
            if until is not None:
                expected = "'for N times' or end of text"
            if times is not None:
                expected = "end of text"
            self.fail(expected)
        return Periodic(every, first, thereafter, until, times)


def parse_period(text: str) -> Period:
    """A period alone ("14 days", "2 court days"), as an extension or an amendment gives it;
    WhenSyntaxError (columns of ``text``) for anything else."""
    p = _Parser(text)
    first = p.word()
    if first is None or not _COUNT.fullmatch(first):
        hint = (
            "a count is a whole number without a sign"
            if first and re.fullmatch(r"[+-]?[0-9.]+", first)
            else None
        )
        p.fail("a period such as '14 days' or '2 court days'", hint)
    n = p.count()
    unit = p.unit(n)
    if p.peek() is not None:
        p.fail("end of text")
    return Period(n, unit)


def _is_name(name: str) -> bool:
    """A name, or another order's obligation ``order-id/obligation-id``."""
    other, slash, own = name.rpartition("/")
    if slash and not (_NAME.fullmatch(other) and "/" not in other):
        return False
    return bool(_NAME.fullmatch(own)) and own not in _KEYWORDS and not own.isdigit()


# --- Writing and inspecting -----------------------------------------------------------------


def format_when(when: When) -> str:
    """The canonical text of a rule; raise ValueError if the language cannot say it exactly.

    The check (parse the text back, compare) keeps the promise parse_when(format_when(w)) == w
    for values built by hand, e.g. a date-time with seconds or a name with capitals.
    """
    try:
        text = str(when)
    except (AttributeError, TypeError, IndexError):
        raise ValueError(f"{when!r} cannot be written in the when-language") from None
    try:
        again = parse_when(text)
    except WhenSyntaxError as err:
        raise ValueError(f"{when!r} cannot be written in the when-language: {err}") from None
    if again != when:
        raise ValueError(f"{when!r} cannot be written exactly in the when-language: {text!r}")
    return text


def parts_of(when: When) -> tuple[Part, ...]:
    """The simple rules a rule is made of: itself, a combination's parts, a series' first."""
    if isinstance(when, Either):
        return when.parts
    if isinstance(when, Periodic):
        return (when.first,)
    return (when,)


def anchors_of(when: When | None) -> tuple[SimpleAnchor, ...]:
    """Every simple anchor a rule counts from, in the order written (a series' end included)."""
    if when is None:
        return ()
    found: list[SimpleAnchor] = []
    for part in parts_of(when):
        if isinstance(part, Fixed):
            continue
        anchor = part.anchor
        found.extend(anchor.anchors if isinstance(anchor, Combined) else (anchor,))
    if isinstance(when, Periodic) and when.until is not None:
        found.append(when.until)
    return tuple(found)


def names(when: When) -> tuple[str, ...]:
    """The event and obligation names a rule refers to, once each in order, for reference checks."""
    found = [
        a.name for a in anchors_of(when) if isinstance(a, NamedAnchor | DueAnchor | MissedAnchor)
    ]
    return tuple(dict.fromkeys(found))

"""Order files: TOML in, an ``Order`` out, or every mistake with its file, line and column.

tomllib gives values but no positions, so ``_Locator`` scans the raw text once for where each
table header and key stands; the checks read the values tomllib gave and point back through it.
A file with any error loads nothing. See docs/order-files.md.
"""

from __future__ import annotations

import calendar
import difflib
import json
import os
import re
import tomllib
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any, TypeVar

from calendars import RULESET_IDS, SERVICE_METHODS, UnknownCourt, get_court, get_ruleset
from calendars.errors import OutOfSpan, PlacedError, PlacedErrors, check_span
from calendars.period import Period
from obligations.model import Amendment, Check, Kind, Obligation, Order, State
from obligations.when import (
    DateAnchor,
    DueAnchor,
    Fixed,
    MissedAnchor,
    NamedAnchor,
    Periodic,
    Relative,
    When,
    WhenSyntaxError,
    anchors_of,
    parse_period,
    parse_when,
    parts_of,
)

__all__ = [
    "OrderFileError",
    "OrderFileErrors",
    "check_orders",
    "load_order",
    "load_orders",
    "order_schema",
    "parse_order",
    "toml_string",
    "toml_value",
    "write_order_file",
]


class OrderFileError(PlacedError):
    """One mistake in an order file, where a clerk can find it (1-based line and column)."""


class OrderFileErrors(PlacedErrors):
    """Every mistake found, in file order: fixing one at a time would take a clerk many runs."""

    errors: tuple[OrderFileError, ...]


# --- The format -----------------------------------------------------------------------------
# One table of keys per section; the loader and order_schema() both read it, so they agree.


@dataclass(frozen=True, slots=True)
class _Key:
    type: str  # string | date | moment (a date or a date-time) | given | expect | targets
    title: str
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    closed: bool = True  # False: the choices are checked elsewhere (service: the court's rules)
    pattern: str = ""


_ID = r"[a-z0-9][a-z0-9_-]*"
_STATES = tuple(s.value for s in State)
_KINDS = tuple(k.value for k in Kind)
_ACTIONS = ("extend", "vacate", "supersede")
_CONDITION_STATES = ("met", "not-met")
#: The largest order file read: a real order's file is a few kilobytes; anything near this is
#: not an order, and reading it would cost seconds and memory for nothing.
MAX_BYTES = 5 * 1024 * 1024

_ORDER: dict[str, _Key] = {
    "id": _Key(
        "string",
        "Order id",
        "Unique within the case: lowercase letters, digits, - and _.",
        True,
        pattern=_ID,
    ),
    "case": _Key("string", "Case", "The case this order is entered in.", True),
    "court": _Key(
        "string", "Court", "A court id docketcal knows (docketcal courts), e.g. caed.", True
    ),
    "entered": _Key("date", "Entered", "The day the order was entered (docketed).", True),
    "issued": _Key("date", "Issued", "The day the order says it issued."),
    "served": _Key("date", "Served", "The day the order was served."),
    "runs_from": _Key(
        "string",
        "Runs from",
        'What "order" means in a due rule: the day entered (default), issued or served.',
        choices=("entered", "issued", "served"),
    ),
    "title": _Key("string", "Title", "The order's title."),
    "judge": _Key("string", "Judge", "The judge who signed it."),
    "source": _Key("string", "Source", "Where the order comes from (court, date, ECF number)."),
    "note": _Key("string", "Note", "Anything a reader should know about this file."),
    "rules": _Key(
        "string",
        "Rule set",
        "A rule set other than the court's, e.g. frcrp for a criminal case.",
        choices=RULESET_IDS,
    ),
    "consequence": _Key(
        "string",
        "Consequence",
        "What the order says follows any failure to comply; shown on every duty without its own.",
    ),
}
_OBLIGATION: dict[str, _Key] = {
    "id": _Key(
        "string",
        "Obligation id",
        "Unique within the order; the name due rules use for it.",
        True,
        pattern=_ID,
    ),
    "party": _Key("string", "Party", "plaintiff, defendant, both, court or a named party.", True),
    "text": _Key("string", "Text", "The order's own words.", True),
    "cite": _Key("string", "Cite", "The pinpoint in the order, e.g. ¶ 3.", True),
    "kind": _Key(
        "string", "Kind", "deadline (default), standing, prohibition or recurring.", choices=_KINDS
    ),
    "due": _Key(
        "string",
        "Due rule",
        'A when-language rule, e.g. "14 days after order". Required for a deadline; not allowed for standing and prohibition.',
    ),
    "service": _Key(
        "string",
        "Service",
        "The service method when the due rule does not say.",
        choices=SERVICE_METHODS,
        closed=False,
    ),
    "summary": _Key(
        "string",
        "Summary",
        'The duty in a few words, for agendas and calendar titles ("produce all responsive documents").',
    ),
    "consequence": _Key("string", "Consequence", "What the order says follows a failure."),
    "condition": _Key("string", "Condition", "A condition the duty depends on."),
    "condition_id": _Key(
        "string",
        "Condition name",
        "The name the condition is recorded under (docketcal condition CASE NAME met|not-met); several duties may share one. Default: the obligation's id.",
        pattern=_ID,
    ),
    "review": _Key(
        "string",
        "Review",
        "What a person must decide before the due rule can be written or trusted. Without a due rule the duty waits on the review.",
    ),
    "source_text": _Key(
        "string", "Source text", "The words of the order the due rule was read from."
    ),
    "rules": _Key(
        "string",
        "Rule set",
        "The rule set that counts this duty's periods when it is not the order's, e.g. frap for"
        " a notice of appeal filed in a district court.",
        choices=RULESET_IDS,
    ),
    "on": _Key(
        "string",
        "On",
        "Recurring duties: the event whose every occurrence creates an instance.",
        pattern=_ID,
    ),
}
_AMEND: dict[str, _Key] = {
    "order": _Key(
        "string",
        "Order",
        "The earlier order (same case); one not loaded yet is held as pending until it is.",
        True,
    ),
    "obligation": _Key("string", "Obligation", "The earlier order's obligation."),
    "obligations": _Key(
        "targets",
        "Obligations",
        'Several of the earlier order\'s obligations (a list of ids), or "all".',
    ),
    "due_on_or_after": _Key(
        "date", "Due on or after", "Only the obligations due on or after this date."
    ),
    "action": _Key("string", "Action", "extend, vacate or supersede.", True, choices=_ACTIONS),
    "to": _Key("moment", "Extend to", "extend: the new due date (or date-time)."),
    "by": _Key(
        "string", "Extend by", 'extend: a period counted from the old due date, e.g. "14 days".'
    ),
    "replacement": _Key(
        "string", "Replacement", "supersede: the [[obligation]] of this order that takes its place."
    ),
    "reason": _Key("string", "Reason", "Why, e.g. Stipulation granted."),
}
_CHECK: dict[str, _Key] = {
    "name": _Key("string", "Name", "What the example shows."),
    "given": _Key(
        "given",
        "Given",
        'Completions (obligation ids) and case events, each with its date (or { on = DATE, service = "mail" }); conditions as "met" or "not-met".',
    ),
    "as_of": _Key("date", "As of", "The day the states are taken on."),
    "expect": _Key(
        "expect", "Expect", "Obligation ids with the due date or the state expected.", True
    ),
}
_SECTIONS: dict[str, tuple[str, dict[str, _Key]]] = {
    "order": ("[order]", _ORDER),
    "obligation": ("[[obligation]]", _OBLIGATION),
    "amend": ("[[amend]]", _AMEND),
    "check": ("[[check]]", _CHECK),
}

_EXPECTED = {
    "string": "a string in quotes",
    "date": "a TOML date such as 2013-11-12",
    "moment": "a TOML date or date-time such as 2013-11-12 or 2013-11-12T17:00:00",
    "given": 'an inline table such as { "return-documents" = 2013-11-25 }',
    "targets": 'the string "all" or an array of obligation ids such as ["a", "b"]',
    "expect": 'an inline table such as { "bates-stamp" = 2013-12-09, "meet-and-confer" = "standing" }',
}


# --- Positions ------------------------------------------------------------------------------

_Where = tuple[str, int, tuple[str, ...]]  # (section, occurrence, key path)


@dataclass(frozen=True, slots=True)
class _Spot:
    key: tuple[int, int]  # line, column of the key
    value: tuple[int, int]  # line, column where the value starts
    raw: str  # the value as written


_BARE = re.compile(r"[A-Za-z0-9_-]*")
_SCALAR = re.compile(r"[^,\]}#\r\n]*")


def _end(pattern: re.Pattern[str], text: str, i: int) -> int:
    m = pattern.match(text, i)
    return m.end() if m else i


class _Locator:
    """Where each header and key stands in the raw text.

    It runs only on text tomllib accepted, so it can be lenient: it tells strings, arrays and
    inline tables apart and skips anything else to the end of the value.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.headers: dict[tuple[str, int], tuple[int, int]] = {}
        self.spots: dict[_Where, _Spot] = {}
        self.scan()

    def at(self, i: int) -> tuple[int, int]:
        line = bisect_right(self.starts, i)
        return line, i - self.starts[line - 1] + 1

    def where(
        self, w: _Where, *, key: bool = False, offset: int | None = None, find: str = ""
    ) -> tuple[int, int]:
        """The value's position; its key's for an inline-table entry (or ``key``); inside a
        plain one-line string at ``offset`` or at the first match of ``find``."""
        section, index, path = w
        spot = self.spots.get(w)
        if spot is None:
            # a key that is not there: its own table's header when it is one, else the header of
            # the table it is missing from (the Nth of an array of tables, not the first)
            header = self.headers.get((".".join((section, *path)).strip("."), 0)) if path else None
            return header or self.headers.get((section, index), (1, 1))
        if key or len(path) > 1:
            return spot.key
        raw = spot.raw
        plain = len(raw) > 1 and raw[0] in "\"'" and raw[:3] != raw[0] * 3
        if plain and (raw[0] == "'" or "\\" not in raw):
            if find and (m := re.search(find, raw[1:-1])):
                offset = m.start()
            if offset is not None:
                return spot.value[0], spot.value[1] + 1 + offset
        return spot.value

    def scan(self) -> None:
        text, i = self.text, 0
        section = ("", 0)
        arrays: Counter[str] = Counter()
        while (i := self.skip(i, newlines=True)) < len(text):
            start = i
            if text[i] == "[":
                double = text.startswith("[[", i)
                path, i = self.key(i + 1 + double)
                name = ".".join(path)
                section = (name, arrays[name])
                arrays[name] += double
                self.headers.setdefault(section, self.at(start))
                i += 1 + double
                continue
            path, i = self.key(i)
            i = self.skip(i + 1)
            end = self.value(i, section, path)
            self.spots[(*section, path)] = _Spot(self.at(start), self.at(i), text[i:end])
            i = end

    def skip(self, i: int, newlines: bool = False) -> int:
        """Past blanks and comments (and line ends, between statements)."""
        text = self.text
        while i < len(text):
            if text[i] in " \t" or (newlines and text[i] in "\r\n"):
                i += 1
            elif text[i] == "#":
                while i < len(text) and text[i] != "\n":
                    i += 1
            else:
                break
        return i

    def key(self, i: int) -> tuple[tuple[str, ...], int]:
        """A dotted key; returns its parts and the index of what follows it."""
        parts: list[str] = []
        while True:
            i = self.skip(i)
            if i < len(self.text) and self.text[i] in "\"'":
                end = self.string(i)
                parts.append(str(next(iter(tomllib.loads(f"{self.text[i:end]} = 0")))))
            else:
                end = _end(_BARE, self.text, i)
                parts.append(self.text[i:end])
            i = self.skip(end)
            if i >= len(self.text) or self.text[i] != ".":
                return tuple(parts), i
            i += 1

    def string(self, i: int) -> int:
        text, q = self.text, self.text[i]
        escapes = q == '"'
        if text.startswith(q * 3, i):
            j = i + 3
            while j < len(text) and not text.startswith(q * 3, j):
                j += 2 if escapes and text[j] == "\\" else 1
            while text.startswith(q, j + 3):  # up to two quotes may end the content
                j += 1
            return j + 3
        j = i + 1
        while j < len(text) and text[j] != q:
            j += 2 if escapes and text[j] == "\\" else 1
        return j + 1

    def value(self, i: int, section: tuple[str, int], path: tuple[str, ...] | None) -> int:
        """Skip one value, recording the entries of inline tables; returns the index past it."""
        text = self.text
        if i >= len(text):
            return i
        if text[i] in "\"'":
            return self.string(i)
        if text[i] == "[":
            i += 1
            while (i := self.skip(i, newlines=True)) < len(text) and text[i] != "]":
                i = i + 1 if text[i] == "," else self.value(i, section, None)
            return i + 1
        if text[i] == "{":
            i += 1
            while (i := self.skip(i)) < len(text) and text[i] != "}":
                if text[i] == ",":
                    i += 1
                    continue
                start = i
                sub, i = self.key(i)
                i = self.skip(i + 1)
                inner = None if path is None else path + sub
                end = self.value(i, section, inner)
                if inner is not None:
                    self.spots[(*section, inner)] = _Spot(self.at(start), self.at(i), text[i:end])
                i = end
            return i + 1
        return i + max(len(text[i : _end(_SCALAR, text, i)].rstrip()), 1)


# --- Small helpers --------------------------------------------------------------------------


def _hint(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f'the string "{value if len(value) <= 40 else value[:37] + "..."}"'
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, date | time):  # datetime is a date
        kind = "date-time" if isinstance(value, datetime) else type(value).__name__
        return f"the {kind} {value.isoformat()}"
    return "an array" if isinstance(value, list) else "a table"


def _type_ok(kind: str, value: object) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "date":
        return isinstance(value, date) and not isinstance(value, datetime)
    if kind == "moment":
        return isinstance(value, date)
    if kind == "targets":
        return isinstance(value, str | list)
    return isinstance(value, dict)


def _is_date_text(value: object) -> bool:
    try:
        return isinstance(value, str) and bool(datetime.fromisoformat(value))
    except ValueError:
        return False


def _is_name(text: str) -> bool:
    """Whether a due rule can name ``text``: the parser decides, so the two never disagree."""
    if "/" in text:
        return False
    try:
        when = parse_when(f"1 day after {text}")
    except WhenSyntaxError:
        return False
    return isinstance(when, Relative) and when.anchor == NamedAnchor(text)


_Ref = NamedAnchor | DueAnchor | MissedAnchor


def _anchors(when: When | None) -> tuple[_Ref, ...]:
    return tuple(
        a for a in anchors_of(when) if isinstance(a, NamedAnchor | DueAnchor | MissedAnchor)
    )


def _word(name: str) -> str:
    """A pattern for a name standing alone (in a list of names)."""
    return rf"(?<![a-z0-9_-]){re.escape(name)}(?![a-z0-9_-])"


def _find(anchor: _Ref) -> str:
    """A pattern for where a rule writes this anchor, to point at it."""
    name = re.escape(anchor.name)
    if isinstance(anchor, DueAnchor):
        return rf"(?<![a-z0-9_/-]){name}\.(?i:due)"
    if isinstance(anchor, MissedAnchor):
        return rf"(?<![a-z0-9_/-]){name}\.(?i:missed)"
    return rf"(?<![a-z0-9_/-]){name}(?![a-z0-9_./-])"


def _period(text: str) -> Period | WhenSyntaxError:
    """A period such as "14 days", read by the when-language so units mean the same."""
    try:
        return parse_period(text)
    except WhenSyntaxError as err:
        return err


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _day_hint(text: str, line: int, column: int) -> str | None:
    """tomllib says only "Invalid date or datetime": say which day does not exist."""
    lines = text.splitlines()
    source = lines[line - 1][column - 1 :] if 0 < line <= len(lines) else ""
    m = re.match(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", source)
    if m is None:
        return None
    year, month, day = (int(g) for g in m.groups())
    if year == 0:
        return f"the day does not exist: {m[0]} (there is no year 0)"
    last = calendar.monthrange(year, month)[1]
    if day <= last:
        return None
    name = calendar.month_name[month]
    return f"the day does not exist: {m[0]} ({name} {year} has {last} days)"


def _syntax_error(text: str, path: str, err: tomllib.TOMLDecodeError) -> OrderFileError:
    message = str(err)
    m = re.search(r" \(at line (\d+), column (\d+)\)$", message)
    if m:
        line, column = int(m[1]), int(m[2])
        message = message[: m.start()]
    else:
        message = message.removesuffix(" (at end of document)")
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    if message == "Invalid date or datetime":
        message = _day_hint(text, line, column) or message
    elif message == "Illegal character '\\n'":
        message += " (a string in quotes must end on its line; use triple quotes for more lines)"
    elif message == "Cannot overwrite a value":
        message += " (a key is set twice)"
    return OrderFileError(path, line, column, f"TOML: {message}")


# --- One file -------------------------------------------------------------------------------


class _Reader:
    """Reads one parsed file into an Order, collecting every error with its position."""

    def controls(self, data: Mapping[str, Any]) -> list[OrderFileError]:
        """A NUL in any key or string: it cannot be stored."""
        errors: list[OrderFileError] = []

        def bad(value: object) -> str | None:
            if isinstance(value, str):
                m = _CONTROL.search(value)
                return f"U+{ord(m.group()):04X}" if m else None
            if isinstance(value, dict):
                for k, v in value.items():
                    found = bad(k) or bad(v)
                    if found:
                        return found
            if isinstance(value, list):
                for v in value:
                    found = bad(v)
                    if found:
                        return found
            return None

        def visit(section: str, index: int, table: Mapping[str, Any]) -> None:
            for key, value in table.items():
                found = bad(key) or bad(value)
                if found:
                    line, column = self.loc.where((section, index, (key,)))
                    errors.append(
                        OrderFileError(
                            self.path,
                            line,
                            column,
                            f"{key!r}: a NUL character ({found}) in a key or string; it cannot be"
                            " stored: write the text without it",
                        )
                    )

        for name, value in data.items():
            if isinstance(value, dict):
                visit(name, 0, value)
            elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
                for i, table in enumerate(value):
                    visit(name, i, table)
            elif bad(name) or bad(value):
                line, column = self.loc.where(("", 0, (name,)))
                errors.append(
                    OrderFileError(
                        self.path,
                        line,
                        column,
                        "a NUL character in a key or string: it cannot be stored",
                    )
                )
        return errors

    def __init__(self, path: str, text: str, together: bool) -> None:
        self.path = path
        self.loc = _Locator(text)
        self.together = together  # loaded with other orders: x.due may name one of theirs
        self.errors: list[OrderFileError] = []
        self.order_id = ""
        self.court = ""

    def line(self, section: str, index: int) -> int:
        return self.loc.headers.get((section, index), (0, 0))[0]

    def error(self, w: _Where, message: str, **at: Any) -> None:
        line, column = self.loc.where(w, **at)
        self.errors.append(OrderFileError(self.path, line, column, message))

    def fields(self, section: str, index: int, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The section's keys that are known and of the right type; errors for the rest."""
        label, keys = _SECTIONS[section]
        good: dict[str, Any] = {}
        for name, value in raw.items():
            w = (section, index, (name,))
            key = keys.get(name)
            if key is None:
                allowed = ", ".join(keys)
                self.error(
                    w,
                    f"unknown key '{name}' in {label}{_hint(name, keys)}; allowed: {allowed}",
                    key=True,
                )
            elif not _type_ok(key.type, value):
                hint = " (a date is written without quotes)" if _is_date_text(value) else ""
                if name == "due" and isinstance(value, date):
                    hint = f' (a due rule is in quotes: "on {value.isoformat()}")'
                found = _describe(value)
                self.error(w, f"{name}: expected {_EXPECTED[key.type]}, found {found}{hint}")
            elif key.required and key.type == "string" and not value.strip():
                self.error(w, f"{name}: expected a non-empty string")
            elif key.closed and key.choices and value not in key.choices:
                choices = ", ".join(key.choices)
                hint = _hint(value, key.choices)
                self.error(w, f"{name}: expected one of {choices}, found '{value}'{hint}")
            else:
                good[name] = value
        for name, key in keys.items():
            if key.required and name not in raw:
                self.error((section, index, ()), f"missing required key '{name}' in {label}")
        return good

    def table(self, data: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
        """The [[name]] tables of the file (none if absent or of the wrong shape)."""
        value = data.get(name, [])
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
        self.error(
            ("", 0, (name,)), f"{name}: expected [[{name}]] tables, found {_describe(value)}"
        )
        return []

    def read(self, data: Mapping[str, Any]) -> Order:
        for name in data:
            if name not in _SECTIONS:
                known = "[order], [[obligation]], [[amend]] and [[check]]"
                hint = _hint(name, _SECTIONS)
                self.error(
                    ("", 0, (name,)),
                    f"unknown table or key '{name}'{hint}; an order file has {known}",
                    key=True,
                )
        raw = data.get("order")
        head: dict[str, Any] = {}
        if isinstance(raw, dict):
            head = self.fields("order", 0, raw)
        else:
            found = "none" if raw is None else _describe(raw)
            self.error(("order", 0, ()), f"expected one [order] table, found {found}")
        self.order_id = head.get("id", "")
        methods = self.head(head)
        obligations = self.obligations(self.table(data, "obligation"), methods)
        return Order(
            id=self.order_id,
            case=head.get("case", ""),
            court=self.court,
            entered=head.get("entered", date.min),
            title=head.get("title", ""),
            judge=head.get("judge", ""),
            source=head.get("source", ""),
            note=head.get("note", ""),
            issued=head.get("issued"),
            served=head.get("served"),
            runs_from=head.get("runs_from", "entered"),
            rules=head.get("rules"),
            obligations=obligations,
            amendments=self.amendments(self.table(data, "amend"), obligations),
            checks=self.checks(self.table(data, "check"), obligations, methods),
            path=self.path,
            consequence=head.get("consequence", ""),
        )

    def head(self, head: Mapping[str, Any]) -> tuple[str, tuple[str, ...]] | None:
        """Check [order]; return the rule set's name and service methods, if it is known."""
        if "id" in head and not re.fullmatch(_ID, head["id"]):
            self.error(
                ("order", 0, ("id",)),
                f"id: expected lowercase letters, digits, - and _ (starting with a letter or digit), found '{head['id']}'",
            )
        for key in ("entered", "issued", "served"):
            if key in head:
                self.span(("order", 0, (key,)), head[key], key)
        runs_from = head.get("runs_from", "entered")
        if runs_from != "entered" and runs_from not in head:
            self.error(
                ("order", 0, ("runs_from",)),
                f'runs_from = "{runs_from}" needs {runs_from} = DATE in [order]',
            )
        self.court = head.get("court", "")
        ruleset = head.get("rules")
        if "court" in head:
            try:
                court = get_court(head["court"])
            except UnknownCourt as err:
                self.error(("order", 0, ("court",)), str(err))
            else:
                self.court = court.id
                ruleset = ruleset or court.ruleset
        if ruleset is None:
            return None
        rules = get_ruleset(ruleset)
        return rules.name, tuple(rules.methods)

    def span(self, w: _Where, value: date, what: str, **at: Any) -> bool:
        """Refuse a date outside the supported years (FIRST_YEAR to LAST_YEAR)."""
        try:
            check_span(value, what)
        except OutOfSpan as exc:
            self.error(w, str(exc), **at)
            return False
        return True

    def service(
        self, w: _Where, method: str, known: tuple[str, tuple[str, ...]], **at: Any
    ) -> None:
        name, methods = known
        if method not in methods:
            listed = ", ".join(methods)
            self.error(
                w, f"service method '{method}' is not known to {name}; known: {listed}", **at
            )

    def obligations(
        self, tables: list[dict[str, Any]], methods: tuple[str, tuple[str, ...]] | None
    ) -> tuple[Obligation, ...]:
        result: list[Obligation] = []
        first: dict[str, int] = {}  # id -> line of the first obligation with it
        for i, raw in enumerate(tables):
            f = self.fields("obligation", i, raw)
            line = self.line("obligation", i)
            oid = f.get("id", "")
            if "id" in f and not _is_name(oid):
                self.error(
                    ("obligation", i, ("id",)),
                    f"id: expected a name a due rule can use (lowercase letters, digits, - and _; not a keyword, a number or a date), found '{oid}'",
                )
            elif oid in first:
                self.error(
                    ("obligation", i, ("id",)),
                    f"duplicate obligation id '{oid}' (first at line {first[oid]})",
                )
            elif oid:
                first[oid] = line
            kind = Kind(f.get("kind", Kind.DEADLINE))
            due = self.due(i, f.get("due"), methods)
            if "kind" not in raw or "kind" in f:  # else the kind's own error says enough
                self.kind_rules(i, kind, raw)
            if "on" in f and not _is_name(f["on"]):
                self.error(
                    ("obligation", i, ("on",)),
                    f"on: expected an event name (lowercase letters, digits, - and _), found '{f['on']}'",
                )
            if "service" in f and methods is not None:
                self.service(("obligation", i, ("service",)), f["service"], methods)
            if "condition_id" in f and "condition" not in raw:
                self.error(
                    ("obligation", i, ("condition_id",)),
                    'condition_id: give the condition it names (condition = "if ...")',
                )
            if isinstance(due, Periodic) and kind is not Kind.DEADLINE:
                self.error(
                    ("obligation", i, ("due",)),
                    f"a {kind} obligation cannot repeat by its due rule: a series ('every ...') is a deadline's",
                )
            result.append(
                Obligation(
                    id=oid,
                    party=f.get("party", ""),
                    text=f.get("text", ""),
                    cite=f.get("cite", ""),
                    kind=kind,
                    due=due,
                    service=f.get("service"),
                    consequence=f.get("consequence", ""),
                    condition=f.get("condition", ""),
                    on=f.get("on", ""),
                    summary=f.get("summary", ""),
                    line=line,
                    condition_id=f.get("condition_id", ""),
                    review=f.get("review", ""),
                    source_text=f.get("source_text", ""),
                    rules=f.get("rules"),
                )
            )
        self.references(result)
        return tuple(result)

    def kind_rules(self, i: int, kind: Kind, raw: Mapping[str, Any]) -> None:
        """A deadline needs a due rule, a standing duty or a prohibition has none, and only a
        recurring duty has the event that starts each instance."""
        w: _Where = ("obligation", i, ())
        if kind is Kind.DEADLINE and "due" not in raw and "review" not in raw:
            self.error(
                w,
                "a deadline needs due = RULE (or review = WHAT IS UNCLEAR, or kind = standing, prohibition or recurring)",
            )
        if kind in (Kind.STANDING, Kind.PROHIBITION) and "due" in raw:
            self.error(("obligation", i, ("due",)), f"a {kind} obligation has no due rule")
        if kind is Kind.RECURRING and "on" not in raw:
            self.error(
                w, "a recurring obligation needs on = EVENT (the event that starts each instance)"
            )
        if kind is not Kind.RECURRING and "on" in raw:
            self.error(("obligation", i, ("on",)), "on: only a recurring obligation has 'on'")

    def due(
        self, i: int, text: str | None, methods: tuple[str, tuple[str, ...]] | None
    ) -> When | None:
        if text is None:
            return None
        w = ("obligation", i, ("due",))
        try:
            when = parse_when(text)
        except WhenSyntaxError as err:
            hint = f" ({err.hint})" if err.hint else ""
            self.error(
                w,
                f"due rule does not parse: expected {err.expected}, found {err.found}{hint}",
                offset=err.column - 1,
            )
            return None
        ok = True
        for part in parts_of(when):
            if isinstance(part, Relative) and part.service is not None and methods is not None:
                where = text.lower().rfind(part.service)
                self.service(w, part.service, methods, offset=where)
            days = [part.on] if isinstance(part, Fixed) else []
            days += [a.at for a in anchors_of(part) if isinstance(a, DateAnchor)]
            for day in days:
                ok &= self.span(w, day, "the date", find=re.escape(_day(day).isoformat()))
        if isinstance(when, Periodic) and isinstance(when.until, DateAnchor):
            ok &= self.span(
                w, when.until.at, "the date", find=re.escape(_day(when.until.at).isoformat())
            )
        return when if ok else None

    def references(self, obligations: list[Obligation]) -> None:
        """x.due, x.missed and order-id/x must name an obligation; a series has no one date to
        count from; due rules must not loop (a bare name that is not an obligation of this
        order is a case event, which nothing can check)."""
        index: dict[str, int] = {}
        for i, ob in enumerate(obligations):
            index.setdefault(ob.id, i)
        series = {ob.id for ob in obligations if isinstance(ob.due, Periodic)}
        edges: dict[str, list[str]] = {o.id: [] for o in obligations}
        for i, ob in enumerate(obligations):
            w: _Where = ("obligation", i, ("due",))
            for anchor in _anchors(ob.due):
                other, slash, name = anchor.name.rpartition("/")
                if slash and other != self.order_id:
                    if not self.together:
                        self.error(
                            w,
                            f"'{anchor}' names an obligation of order '{other}': it is found only when the orders are loaded together",
                            find=_find(anchor),
                        )
                    continue
                if name in series:
                    self.error(
                        w,
                        f"'{anchor}': '{name}' repeats (a series), so it has no one date to count from",
                        find=_find(anchor),
                    )
                elif name in index:
                    edges[ob.id].append(name)
                elif slash or (not isinstance(anchor, NamedAnchor) and not self.together):
                    known = ", ".join(index) or "none"
                    tail = (
                        ""
                        if slash
                        else "; one of another order is found only when the orders are loaded together"
                    )
                    self.error(
                        w,
                        f"'{anchor}' names no obligation of this order (obligations: {known}{tail})",
                        find=_find(anchor),
                    )
        for loop in _cycles(edges):
            i = index[loop[0]]
            after = [
                a for a in _anchors(obligations[i].due) if a.name.rpartition("/")[2] == loop[1]
            ]
            self.error(
                ("obligation", i, ("due",)),
                f"due rules loop: {' -> '.join(loop)}",
                find=_find(after[0]) if after else "",
            )

    def amendments(
        self, tables: list[dict[str, Any]], obligations: tuple[Obligation, ...]
    ) -> tuple[Amendment, ...]:
        own = [o.id for o in obligations]
        known = ", ".join(own) or "none"
        result: list[Amendment] = []
        for i, raw in enumerate(tables):
            f = self.fields("amend", i, raw)
            action = f.get("action", "")
            w: _Where = ("amend", i, ())
            by = None
            if "by" in f:
                period = _period(f["by"])
                if isinstance(period, Period):
                    by = period
                else:
                    hint = f" ({period.hint})" if period.hint else ""
                    self.error(
                        ("amend", i, ("by",)),
                        f"by: expected {period.expected}, found {period.found}{hint}",
                        offset=period.column - 1,
                    )
            if action == "extend" and ("to" in raw) == ("by" in raw):
                message = (
                    "give either to = DATE or by = PERIOD, not both"
                    if "to" in raw
                    else "extend needs to = DATE or by = PERIOD"
                )
                self.error(("amend", i, ("by",)) if "by" in raw else w, message)
            for name, needs in (("to", "extend"), ("by", "extend"), ("replacement", "supersede")):
                if name in raw and action and action != needs:
                    self.error(("amend", i, (name,)), f'{name}: only for action = "{needs}"')
            targets = self.targets(i, f, raw, action)
            if f.get("order") == self.order_id:
                for name in targets:
                    if name not in own:
                        key = "obligation" if name == f.get("obligation") else "obligations"
                        self.error(
                            ("amend", i, (key,)),
                            f"{key}: no obligation '{name}' in this order (obligations: {known})",
                            find=_word(name) if key == "obligations" else "",
                        )
            if action == "supersede" and "replacement" not in raw:
                self.error(w, "supersede needs replacement = an [[obligation]] id of this order")
            elif action == "supersede" and "replacement" in f and f["replacement"] not in own:
                self.error(
                    ("amend", i, ("replacement",)),
                    f"replacement: no obligation '{f['replacement']}' in this order (obligations: {known})",
                )
            for key in ("to", "due_on_or_after"):
                if key in f:
                    self.span(("amend", i, (key,)), f[key], key)
            every = f.get("obligations") == "all"
            result.append(
                Amendment(
                    order=f.get("order", ""),
                    obligation=f.get("obligation", ""),
                    action=action,
                    to=f.get("to"),
                    by=by,
                    replacement=f.get("replacement", ""),
                    reason=f.get("reason", ""),
                    line=self.line("amend", i),
                    obligations=()
                    if every
                    else tuple(t for t in targets if t != f.get("obligation")),
                    every=every,
                    due_on_or_after=f.get("due_on_or_after"),
                )
            )
        return tuple(result)

    def targets(
        self, i: int, f: Mapping[str, Any], raw: Mapping[str, Any], action: str
    ) -> list[str]:
        """The obligation ids an amendment names: one, a list, or none for "all"."""
        w: _Where = ("amend", i, ())
        if ("obligation" in raw) == ("obligations" in raw):
            message = (
                'give either obligation = ID or obligations = [IDS] or "all", not both'
                if "obligation" in raw
                else 'name what it changes: obligation = ID, obligations = [IDS] or obligations = "all"'
            )
            self.error(("amend", i, ("obligations",)) if "obligations" in raw else w, message)
        found: list[str] = []
        if "obligation" in f:
            found.append(f["obligation"])
        many = f.get("obligations")
        if isinstance(many, str) and many != "all":
            self.error(
                ("amend", i, ("obligations",)),
                f'obligations: expected "all" or a list of obligation ids, found the string "{many}"'
                + (f' (did you mean ["{many}"]?)' if re.fullmatch(_ID, many) else ""),
            )
        elif isinstance(many, list):
            if not many:
                self.error(("amend", i, ("obligations",)), "obligations: name at least one")
            for name in many:
                if not isinstance(name, str) or not re.fullmatch(_ID, name):
                    self.error(
                        ("amend", i, ("obligations",)),
                        f"obligations: expected obligation ids, found {_describe(name)}",
                    )
                elif name in found:
                    self.error(
                        ("amend", i, ("obligations",)), f"obligations: '{name}' is named twice"
                    )
                else:
                    found.append(name)
        if action == "supersede" and "obligations" in raw:
            self.error(
                ("amend", i, ("obligations",)),
                "supersede replaces one obligation: give obligation = ID",
            )
        return found

    def checks(
        self,
        tables: list[dict[str, Any]],
        obligations: tuple[Obligation, ...],
        methods: tuple[str, tuple[str, ...]] | None = None,
    ) -> tuple[Check, ...]:
        own = [o.id for o in obligations]
        result: list[Check] = []
        for i, raw in enumerate(tables):
            f = self.fields("check", i, raw)
            given: list[tuple[str, date | datetime]] = []
            service: list[tuple[str, str]] = []
            conditions: list[tuple[str, str]] = []
            for name, value in f.get("given", {}).items():
                w = ("check", i, ("given", name))
                if not (_is_name(name) or re.fullmatch(f"{_ID}/{_ID}", name)):
                    self.error(
                        w, f"given: expected an obligation id or an event name, found '{name}'"
                    )
                elif value in _CONDITION_STATES:
                    conditions.append((name, value))
                elif isinstance(value, dict):
                    on = self.served(i, name, value, methods)
                    if on is not None:
                        given.append((name, on))
                        if "service" in value:
                            service.append((name, value["service"]))
                elif not isinstance(value, date):
                    hint = " (a date is written without quotes)" if _is_date_text(value) else ""
                    self.error(
                        w,
                        f'given: expected a date or date-time, {{ on = DATE, service = "METHOD" }}, or "met" / "not-met" for \'{name}\', found {_describe(value)}{hint}',
                    )
                elif self.span(w, value, f"given '{name}'"):
                    given.append((name, value))
            expect: list[tuple[str, str]] = []
            lines: list[int] = []
            series = {o.id for o in obligations if isinstance(o.due, Periodic)}
            for name, value in f.get("expect", {}).items():
                w = ("check", i, ("expect", name))
                other, slash, oid = name.rpartition("/")  # another order's: checked together
                base, hash_, number = oid.partition("#")
                if hash_ and (base not in series or not re.fullmatch(r"[1-9][0-9]{0,3}", number)):
                    self.error(
                        w,
                        f"expect: '{oid}' names no instance: ID#N names instance N (1, 2, ...) of a periodic obligation of this order"
                        + (f"; periodic: {', '.join(sorted(series))}" if series else ""),
                    )
                elif (not slash or other == self.order_id) and base not in own:
                    self.error(
                        w,
                        f"expect: no obligation '{oid}' in this order{_hint(oid, own)}; obligations: {', '.join(own) or 'none'}",
                    )
                elif isinstance(value, date):
                    if self.span(w, value, f"expect '{name}'"):
                        text = (
                            value.isoformat(timespec="minutes")
                            if isinstance(value, datetime)
                            else value.isoformat()
                        )
                        expect.append((name, text))
                        lines.append(self.loc.where(w, key=True)[0])
                elif value in _STATES:
                    expect.append((name, value))
                    lines.append(self.loc.where(w, key=True)[0])
                else:
                    hint = " (a date is written without quotes)" if _is_date_text(value) else ""
                    self.error(
                        w,
                        f"expect: expected a date, a date-time or one of {', '.join(_STATES)} for '{name}', found {_describe(value)}{hint}",
                    )
            if f.get("expect") == {}:
                self.error(("check", i, ("expect",)), "expect: name at least one obligation")
            if "as_of" in f:
                self.span(("check", i, ("as_of",)), f["as_of"], "as_of")
            line = self.line("check", i)
            result.append(
                Check(
                    tuple(given),
                    tuple(expect),
                    f.get("as_of"),
                    f.get("name", ""),
                    line,
                    service=tuple(service),
                    conditions=tuple(conditions),
                    expect_lines=tuple(lines),
                )
            )
        return tuple(result)

    def served(
        self,
        i: int,
        name: str,
        value: Mapping[str, Any],
        methods: tuple[str, tuple[str, ...]] | None,
    ) -> date | datetime | None:
        """``{ on = DATE, service = "mail" }``: a fact and the method it was served by."""
        w: _Where = ("check", i, ("given", name))
        unknown = [k for k in value if k not in ("on", "service")]
        ok = True
        if unknown:
            self.error(
                ("check", i, ("given", name, unknown[0])),
                f"given: unknown key '{unknown[0]}' for '{name}'; allowed: on, service",
            )
            ok = False
        on = value.get("on")
        if not isinstance(on, date):
            self.error(w, f"given: '{name}' needs on = DATE (the day it happened or was served)")
            ok = False
        method = value.get("service")
        if "service" in value:
            if not isinstance(method, str) or method not in SERVICE_METHODS:
                self.error(
                    ("check", i, ("given", name, "service")),
                    f"given: service for '{name}': expected one of {', '.join(SERVICE_METHODS)}, found {_describe(method)}",
                )
                ok = False
            elif methods is not None:
                self.service(("check", i, ("given", name, "service")), method, methods)
        if ok and isinstance(on, date) and self.span(w, on, f"given '{name}'"):
            return on
        return None


_N = TypeVar("_N", bound=Hashable)


def _cycles(edges: Mapping[_N, Sequence[_N]]) -> list[list[_N]]:
    """Each loop found once, written from its earliest node round to it again (a -> b -> a).
    Iterative: a chain of any length is followed without recursion."""
    rank = {n: k for k, n in enumerate(edges)}
    loops: dict[tuple[_N, ...], list[_N]] = {}
    on_path: dict[_N, bool] = {}  # False once every path from the node has been followed
    for root in edges:
        if root in on_path:
            continue
        path: list[_N] = [root]
        on_path[root] = True
        stack = [iter(edges.get(root, ()))]
        while stack:
            for m in stack[-1]:
                if on_path.get(m):
                    loop = path[path.index(m) :]
                    k = loop.index(min(loop, key=lambda x: rank.get(x, len(rank))))
                    loop = loop[k:] + loop[:k]
                    loops.setdefault(tuple(loop), [*loop, loop[0]])
                elif m not in on_path:
                    on_path[m] = True
                    path.append(m)
                    stack.append(iter(edges.get(m, ())))
                    break
            else:
                stack.pop()
                on_path[path.pop()] = False
    return list(loops.values())


# --- Orders together ------------------------------------------------------------------------


def _line_of(order: Order, w: _Where) -> int:
    """Without the file's text, the best position is the line of the table the error is in."""
    section, index, _ = w
    rows: dict[str, Sequence[Obligation | Amendment | Check]] = {
        "obligation": order.obligations,
        "amend": order.amendments,
        "check": order.checks,
    }
    row = rows.get(section, ())
    return max(row[index].line if index < len(row) else 1, 1)


_Report = Callable[[Order, _Where, str, str], None]


def _check(orders: Sequence[Order], locators: Mapping[str, _Locator]) -> list[OrderFileError]:
    """The checks that need every order of a case: ids, amendments, references and loops."""
    errors: list[OrderFileError] = []

    def report(order: Order, w: _Where, message: str, find: str = "") -> None:
        loc = locators.get(order.path)
        line, column = loc.where(w, find=find) if loc else (_line_of(order, w), 1)
        errors.append(OrderFileError(order.path or "<order>", line, column, message))

    cases: dict[str, list[Order]] = {}
    for order in orders:
        cases.setdefault(order.case, []).append(order)
    for case, group in cases.items():
        by_id: dict[str, Order] = {}
        for order in group:
            if order.id in by_id:
                first = by_id[order.id].path or "<order>"
                message = f"order id '{order.id}' is used twice in case '{case}' (first in {first})"
                report(order, ("order", 0, ("id",)), message, "")
            else:
                by_id[order.id] = order
        _check_amendments(case, group, by_id, report)
        _check_due_rules(case, by_id, report)

    rank = {o.path: k for k, o in reversed(list(enumerate(orders)))}
    return sorted(errors, key=lambda e: (rank.get(e.path, 0), e.line, e.column))


def _check_amendments(
    case: str, group: list[Order], by_id: Mapping[str, Order], report: _Report
) -> None:
    """An amendment names obligations of the order it amends when that order is loaded (one
    not loaded yet is pending); a check's ``order-id/obligation-id`` names an order loaded."""
    duties = {oid: [ob.id for ob in o.obligations] for oid, o in by_id.items()}
    loaded = ", ".join(by_id)
    for order in group:
        for i, am in enumerate(order.amendments):
            if am.order not in by_id:
                continue  # pending until the order is loaded
            for name in am.targets:
                if name not in duties[am.order]:
                    key = "obligation" if name == am.obligation else "obligations"
                    hint = _hint(name, duties[am.order])
                    known = ", ".join(duties[am.order]) or "none"
                    message = f"{key}: order '{am.order}' has no obligation '{name}'{hint}; its obligations: {known}"
                    find = _word(name) if key == "obligations" else ""
                    report(order, ("amend", i, (key,)), message, find)
        for i, check in enumerate(order.checks):
            for name, _ in check.expect:
                other, slash, oid = name.rpartition("/")
                if slash and oid.partition("#")[0] not in duties.get(other, ()):
                    message = f"expect: no obligation '{name}' among the orders of case '{case}' loaded ({loaded})"
                    report(order, ("check", i, ("expect", name)), message, "")


def _check_due_rules(case: str, by_id: Mapping[str, Order], report: _Report) -> None:
    """Follow every reference between obligations of the case; name each loop in full.

    A bare name is an obligation of the same order or else a case event; ``x.due`` is an
    obligation of the same order or else of the one other order of the case that has an ``x``;
    ``order-id/obligation-id`` (not yet accepted by the when-language) is that obligation.
    """
    duties = {oid: [ob.id for ob in o.obligations] for oid, o in by_id.items()}
    series = {
        (oid, ob.id)
        for oid, o in by_id.items()
        for ob in o.obligations
        if isinstance(ob.due, Periodic)
    }
    owners: dict[str, list[str]] = {}
    for oid, ids in duties.items():
        for ob_id in ids:
            owners.setdefault(ob_id, []).append(oid)
    loaded = ", ".join(by_id)
    edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
    via: dict[tuple[tuple[str, str], tuple[str, str]], tuple[int, str]] = {}
    for oid, order in by_id.items():
        for i, ob in enumerate(order.obligations):
            node = (oid, ob.id)
            targets = edges.setdefault(node, [])
            for anchor in _anchors(ob.due):
                other, slash, name = anchor.name.rpartition("/")
                if slash:
                    found = [other] if name in duties.get(other, ()) else []
                elif name in duties[oid]:
                    found = [oid]
                elif not isinstance(anchor, NamedAnchor):
                    found = [k for k in owners.get(name, []) if k != oid]
                else:
                    continue  # a case event
                w: _Where = ("obligation", i, ("due",))
                if len(found) == 1 and (found[0], name) in series:
                    message = f"'{anchor}': '{name}' repeats (a series), so it has no one date to count from"
                    report(order, w, message, _find(anchor))
                elif len(found) == 1:
                    targets.append((found[0], name))
                    via.setdefault((node, (found[0], name)), (i, _find(anchor)))
                elif found:
                    message = f"'{anchor}' is ambiguous: '{name}' is an obligation of orders {', '.join(found)}"
                    report(order, w, message, _find(anchor))
                else:
                    message = f"'{anchor}' names no obligation among the orders of case '{case}' loaded ({loaded})"
                    report(order, w, message, _find(anchor))
    for loop in _cycles(edges):
        one = len({oid for oid, _ in loop}) == 1
        names = " -> ".join(ob if one else f"{oid}/{ob}" for oid, ob in loop)
        i, find = via[(loop[0], loop[1])]
        report(by_id[loop[0][0]], ("obligation", i, ("due",)), f"due rules loop: {names}", find)


# --- The API --------------------------------------------------------------------------------


#: What a string may not hold because it cannot be stored: PostgreSQL refuses NUL in text. Other
#: control characters are stored as written and escaped wherever they are printed.
_CONTROL = re.compile("\\x00")


def _too_deep(path: str) -> OrderFileError:
    return OrderFileError(
        path, 1, 1, "TOML: nested too deep (arrays or tables inside each other hundreds of times)"
    )


def _parse(
    text: str, path: str, together: bool
) -> tuple[Order | None, list[OrderFileError], _Locator | None]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return None, [_syntax_error(text, path, err)], None
    except RecursionError:
        return None, [_too_deep(path)], None
    try:
        reader = _Reader(path, text, together)
        controls = reader.controls(data)
        order = reader.read(data)
    except RecursionError:
        return None, [_too_deep(path)], None
    errors = sorted([*controls, *reader.errors], key=lambda e: (e.line, e.column))
    return order, errors, reader.loc


def _load(
    path: str | os.PathLike[str], together: bool
) -> tuple[Order | None, list[OrderFileError], _Locator | None]:
    name = os.fspath(path)
    try:
        text = read_order_text(name)
    except OrderFileErrors as exc:
        return None, list(exc.errors), None
    return _parse(text, name, together)


def read_order_text(path: str | os.PathLike[str]) -> str:
    """An order file's text (UTF-8; a BOM, as some Windows editors write, is not an error), at
    most ``MAX_BYTES``: a larger file is refused before it is read."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = f.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
    except OSError as err:
        raise OrderFileErrors(
            [OrderFileError(name, 1, 1, f"cannot read the file: {err.strerror or err}")]
        ) from err
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        megabytes = max(size, len(data)) / (1024 * 1024)
        raise OrderFileErrors(
            [
                OrderFileError(
                    name,
                    1,
                    1,
                    f"the file is {megabytes:.1f} MB: an order file is at most {MAX_BYTES // (1024 * 1024)} MB",
                )
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - data.rfind(b"\n", 0, err.start)
        raise OrderFileErrors(
            [OrderFileError(name, line, column, f"not UTF-8: {err.reason}")]
        ) from err


def parse_order(text: str, path: str = "<order>", *, together: bool = False) -> Order:
    """The order in ``text``; ``OrderFileErrors`` with every error if there is any.
    ``together``: it will be checked with other orders (``check_orders``), so ``x.due`` may name
    an obligation of theirs."""
    order, errors, _ = _parse(text, path, together=together)
    if errors or order is None:
        raise OrderFileErrors(errors)
    return order


def load_order(path: str | os.PathLike[str]) -> Order:
    """The order in the file at ``path`` (UTF-8). Another order's obligation named by
    ``x.due`` is an error here: load the orders together with ``load_orders``."""
    order, errors, _ = _load(path, together=False)
    if errors or order is None:
        raise OrderFileErrors(errors)
    return order


def load_orders(paths: Iterable[str | os.PathLike[str]]) -> tuple[Order, ...]:
    """Several order files: each file's own checks, then (if all pass) ``check_orders``; each
    order carries its warnings (``Order.warnings``)."""
    results = [_load(p, together=True) for p in paths]
    errors = [e for _, errs, _ in results for e in errs]
    if errors:
        raise OrderFileErrors(errors)
    orders = tuple(o for o, _, _ in results if o is not None)
    locators = {o.path: loc for o, _, loc in results if o and loc}
    errors = _check(orders, locators)
    if errors:
        raise OrderFileErrors(errors)
    return tuple(with_warnings(o, orders, locators.get(o.path)) for o in orders)


def with_warnings(
    order: Order, together: Sequence[Order], loc: _Locator | str | None = None
) -> Order:
    """``order`` with what is worth a second look (``obligations.lint``) and the amendments it
    holds for orders not among ``together``. ``loc``: its file's text (or its locator), so
    warnings point at their line and column."""
    from obligations.lint import lint

    found_at: list[_Locator | None] = [loc if not isinstance(loc, str) else None]

    def locate(section: str, index: int, path: tuple[str, ...], find: str) -> tuple[int, int]:
        """The position of a warning; the file's text is scanned only when one is found."""
        if found_at[0] is None and isinstance(loc, str):
            found_at[0] = _Locator(loc)
        w: _Where = (section, index, path)
        where = found_at[0]
        if where is None:
            return _line_of(order, w), 1
        return where.where(w, find=find, key=len(path) > 1)

    found = list(lint(order, locate))
    loaded = {o.id for o in together if o.case == order.case}
    for i, am in enumerate(order.amendments):
        if am.order not in loaded:
            line, column = locate("amend", i, ("order",), "")
            hint = _hint(am.order, sorted(loaded - {order.id}))
            found.append(
                f"{order.path or '<order>'}:{line}:{column}: warning: order: '{am.order}' is not"
                f" loaded{hint}: held until it is ({am.describe()})"
            )

    def place(text: str) -> tuple[int, int]:
        m = re.search(r":(\d+):(\d+): warning: ", text)
        return (int(m[1]), int(m[2])) if m else (0, 0)

    return replace(order, warnings=tuple(sorted(found, key=place)))


def check_orders(orders: Sequence[Order]) -> None:
    """The checks across orders (without the files' text, errors point at the table's line)."""
    errors = _check(orders, {})
    if errors:
        raise OrderFileErrors(errors)


# --- Writing ---------------------------------------------------------------------------------
# One writer of order files: the drafter (``Draft.to_toml``) and the desk's intake form both
# write with it, so what either writes reads back as the same values.

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_string(value: str) -> str:
    """A TOML basic string on one line (JSON's escapes are TOML's, but TOML has no \\/ and
    needs \\u for the control characters, which json.dumps writes)."""
    return json.dumps(value, ensure_ascii=False).replace("\\/", "/").replace("\x7f", "\\u007f")


def toml_key(key: str) -> str:
    """A key, bare when TOML allows it, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_value(value: object) -> str:
    """A value as TOML writes it on one line: strings, booleans, numbers, dates, date-times and
    times, arrays, and tables inline."""
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (date, time)):  # a datetime is a date
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {type(value).__name__}")


def write_order_file(tables: Mapping[str, Any], *, comment: str = "") -> str:
    """An order file's text: ``tables`` as ``tomllib.loads`` gives them (``order`` a table,
    ``obligation``, ``amend`` and ``check`` lists of tables), keys in their order, every value
    on one line; ``comment`` first, each of its lines as a TOML comment."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    plain = {k: v for k, v in tables.items() if not _is_table(v) and not _is_tables(v)}
    if lines and plain:
        lines.append("")
    lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in plain.items()]
    for name, value in tables.items():
        for table in [value] if _is_table(value) else value if _is_tables(value) else []:
            if lines:
                lines.append("")
            header = toml_key(name)
            lines.append(f"[{header}]" if _is_table(value) else f"[[{header}]]")
            lines += [f"{toml_key(str(k))} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _is_table(value: object) -> bool:
    return isinstance(value, Mapping)


def _is_tables(value: object) -> bool:
    return (
        isinstance(value, (list, tuple))
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


# --- JSON Schema ----------------------------------------------------------------------------

_DESCRIPTIONS = {
    "order": "The order itself: its id, case, court and dates.",
    "obligation": "A duty the order imposes, with its own words and its due rule.",
    "amend": "A change this order makes to an earlier order's obligation.",
    "check": "An example the loader proves: given these facts, expect these dates or states.",
}


def _property(key: _Key) -> dict[str, Any]:
    day = {"type": "string", "format": "date"}
    moment = {"anyOf": [day, {"type": "string", "format": "date-time"}]}
    schema: dict[str, Any] = {"title": key.title, "description": key.description}
    if key.type == "string":
        schema["type"] = "string"
        if key.required:
            schema["minLength"] = 1
    elif key.type == "date":
        schema.update(day)
    elif key.type == "moment":
        schema.update(moment)
    elif key.type == "targets":
        schema["anyOf"] = [
            {"const": "all"},
            {"type": "array", "items": {"type": "string", "pattern": f"^{_ID}$"}, "minItems": 1},
        ]
    elif key.type == "given":
        served = {
            "type": "object",
            "properties": {
                "on": moment,
                "service": {"type": "string", "enum": list(SERVICE_METHODS)},
            },
            "required": ["on"],
            "additionalProperties": False,
        }
        value = {"anyOf": [*moment["anyOf"], served, {"enum": list(_CONDITION_STATES)}]}
        schema.update(type="object", additionalProperties=value)
    else:  # a map from names to dates, date-times and states
        value = {"anyOf": [*moment["anyOf"], {"enum": list(_STATES)}]}
        schema.update(type="object", additionalProperties=value)
    if key.choices:
        schema["enum"] = list(key.choices)
    if key.pattern:
        schema["pattern"] = f"^{key.pattern}$"
    return schema


def order_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of order files for editors, built from the loader's own
    key tables so the two cannot drift apart. TOML dates appear as strings with a format."""
    rules: dict[str, list[dict[str, Any]]] = {
        "obligation": [
            {
                "if": {
                    "properties": {"kind": {"const": "deadline"}},
                    "not": {"required": ["review"]},
                },
                "then": {"required": ["due"]},
            },
            {"if": {"required": ["condition_id"]}, "then": {"required": ["condition"]}},
            {
                "if": {
                    "properties": {"kind": {"enum": ["standing", "prohibition"]}},
                    "required": ["kind"],
                },
                "then": {"not": {"required": ["due"]}},
            },
            {
                "if": {"properties": {"kind": {"const": "recurring"}}, "required": ["kind"]},
                "then": {"required": ["on"]},
            },
            {
                "if": {"required": ["on"]},
                "then": {"properties": {"kind": {"const": "recurring"}}, "required": ["kind"]},
            },
        ],
        "amend": [
            {
                "if": {"properties": {"action": {"const": "extend"}}},
                "then": {"oneOf": [{"required": ["to"]}, {"required": ["by"]}]},
            },
            {
                "if": {"properties": {"action": {"const": "supersede"}}},
                "then": {"required": ["replacement", "obligation"]},
            },
            {"oneOf": [{"required": ["obligation"]}, {"required": ["obligations"]}]},
        ],
    }
    properties: dict[str, Any] = {}
    for name, (label, keys) in _SECTIONS.items():
        table: dict[str, Any] = {
            "title": label,
            "description": _DESCRIPTIONS[name],
            "type": "object",
            "properties": {k: _property(key) for k, key in keys.items()},
            "required": [k for k, key in keys.items() if key.required],
            "additionalProperties": False,
        }
        if name in rules:
            table["allOf"] = rules[name]
        if name != "order":
            table = {
                "title": label,
                "description": _DESCRIPTIONS[name],
                "type": "array",
                "items": table,
            }
        properties[name] = table
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "docketcal order file",
        "description": "One court order: its obligations, amendments and checks. See docs/order-files.md.",
        "type": "object",
        "properties": properties,
        "required": ["order"],
        "additionalProperties": False,
    }

"""Standard deadline rules: triggers that set their own deadlines, read from cited data.

``data/rules/<ruleset>.toml`` lists, for each trigger (a complaint served, judgment entered, a
trial date set), the deadlines it sets: the due rule in the when-language (``trigger`` is the
trigger's date; ``<id>.due`` another deadline of the same trigger), the party, the citation, an
excerpt of the rule's text, and the earlier versions of the rule with the days they were in
force. See docs/rules.md.

Pure: files in, values out. ``load_library`` reads and validates every file (every mistake with
its file, line and column; a file with any error loads nothing); ``preview`` puts a trigger's
deadlines, in the versions in force on the trigger's date, into an order in memory and lets the
engine (``obligations.engine.schedule``) compute them, so the dates, traces and readings are the
engine's own; ``rules_order_text`` is that order as an order file, which ``rules apply`` stores.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calendars import RULESET_IDS, UnknownCourt, get_court, get_ruleset
from calendars.due import Due, Step
from calendars.errors import BadInput, NotFound, PlacedError, PlacedErrors, check_span, shown
from calendars.period import SERVICE_METHODS
from obligations.when import (
    Combined,
    DateAnchor,
    DueAnchor,
    Either,
    Fixed,
    MissedAnchor,
    NamedAnchor,
    OrderAnchor,
    Part,
    Periodic,
    Relative,
    SameDay,
    SimpleAnchor,
    When,
    WhenSyntaxError,
    anchors_of,
    parse_when,
    parts_of,
)

if TYPE_CHECKING:
    from obligations.model import Order

__all__ = [
    "TRIGGER",
    "Deadline",
    "Library",
    "Preview",
    "PreviewItem",
    "RuleFileError",
    "RuleFileErrors",
    "RuleSet",
    "Trigger",
    "Version",
    "check_label",
    "event_of",
    "load_library",
    "occurrence_label",
    "occurrence_of",
    "order_id",
    "order_text",
    "preview",
    "rules_folder",
    "rules_order",
    "rules_order_text",
]

#: The name a due rule in the data gives the trigger's date.
TRIGGER = "trigger"
#: What ``rules apply`` writes as the order's ``source``, so an order of rules is known as one.
SOURCE = "rules"
KINDS = ("deadline", "earliest")
#: The largest rule file read (a rule set of hundreds of deadlines is well under 1 MB).
MAX_BYTES = 5 * 1024 * 1024
#: Another folder of rule files, used instead of the installed data/rules.
FOLDER_ENV = "DOCKETCAL_RULES"
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_NUL = re.compile("\x00")


class RuleFileError(PlacedError):
    """One mistake in a rule file, where its author can find it (1-based line and column)."""


class RuleFileErrors(PlacedErrors):
    """Every mistake found in the rule files, file by file, in file order."""

    errors: tuple[RuleFileError, ...]


# --- The values ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a deadline's rule: in force from ``effective`` (None: as far back as the
    data goes) through ``until`` (None: the current version)."""

    due: When
    due_text: str
    cite: str
    excerpt: str
    source: str
    effective: date | None = None
    until: date | None = None
    service: bool = False
    note: str = ""
    line: int = 0
    #: a rule of its own for the trigger paper's service by a method (method, rule, its text):
    #: a statute that gives that method other time than the rule set does (CCP 1005(b): 2
    #: calendar days for overnight service, where CCP 1013(c) gives 2 court days)
    by_method: tuple[tuple[str, When, str], ...] = ()

    def in_force(self, day: date) -> bool:
        if self.effective is not None and day < self.effective:
            return False
        return self.until is None or day <= self.until

    def to_json(self) -> dict[str, Any]:
        return {
            "due": self.due_text,
            "cite": self.cite,
            "excerpt": self.excerpt,
            "source": self.source,
            "effective": self.effective.isoformat() if self.effective else None,
            "until": self.until.isoformat() if self.until else None,
            "service": self.service,
            "by_method": {m: text for m, _, text in self.by_method},
            "note": self.note,
        }

    def due_for(self, method: str | None) -> When:
        """The rule for the trigger paper's service by ``method``: the version's own rule for
        that method when it has one, else its due rule."""
        for m, when, _ in self.by_method:
            if m == method:
                return when
        return self.due

    def every_due(self) -> tuple[tuple[When, str], ...]:
        """The due rule and the rules by method, each with its text."""
        return ((self.due, self.due_text), *((w, t) for _, w, t in self.by_method))


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline a trigger sets, with every version of its rule (the current one first)."""

    id: str
    trigger: str
    title: str
    party: str
    kind: str
    ruleset: str
    versions: tuple[Version, ...]
    note: str = ""
    path: str = ""
    line: int = 0
    #: the rule set that counts the deadline when it is not the court's: a notice of appeal is
    #: filed in the district court but counted by Fed. R. App. P. 26 ("frap"), which counts the
    #: holidays of the district court's state and of the circuit clerk's
    rules: str | None = None

    @property
    def current(self) -> Version:
        return self.versions[0]

    def version_on(self, day: date) -> Version | None:
        """The version in force on ``day``; None when the data has none for that day."""
        for v in self.versions:
            if v.in_force(day):
                return v
        return None


@dataclass(frozen=True, slots=True)
class Trigger:
    """Something that happens in a case and starts deadlines running."""

    id: str
    name: str
    cite: str
    ruleset: str
    note: str = ""
    path: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One file of rules: where it applies, where it comes from, when it was checked."""

    id: str
    title: str
    source: str
    reviewed: date
    rules: tuple[str, ...] = ()  # it applies in courts whose calendars rule set is listed
    courts: tuple[str, ...] = ()  # or in these courts only
    note: str = ""
    path: str = ""

    def applies(self, court: str) -> bool:
        if court in self.courts:
            return True
        if not self.rules:
            return False
        try:
            return get_court(court).ruleset in self.rules
        except UnknownCourt:
            return False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "reviewed": self.reviewed.isoformat(),
            "applies": {"rules": list(self.rules)} if self.rules else {"courts": list(self.courts)},
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Library:
    """Every rule file read: rule sets, triggers and deadlines by id."""

    rulesets: Mapping[str, RuleSet]
    triggers: Mapping[str, Trigger]
    deadlines: Mapping[str, Deadline]  # in file order; a trigger's are listed by ``set_by``

    def trigger(self, ident: str) -> Trigger:
        found = self.triggers.get(ident)
        if found is None:
            import difflib

            close = difflib.get_close_matches(ident, list(self.triggers), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise NotFound(
                f"no trigger {shown(ident)} in the rules{hint} (docketcal rules list names them)"
            )
        return found

    def set_by(self, trigger: str, court: str | None = None) -> tuple[Deadline, ...]:
        """The deadlines ``trigger`` sets (in ``court``: those of rule sets that apply there)."""
        return tuple(
            d
            for d in self.deadlines.values()
            if d.trigger == trigger and (court is None or self.rulesets[d.ruleset].applies(court))
        )

    def applies(self, trigger: str, court: str) -> bool:
        """Whether the trigger is known in ``court``: its own rule set applies there, or another
        that adds deadlines to it does."""
        t = self.triggers[trigger]
        return self.rulesets[t.ruleset].applies(court) or bool(self.set_by(trigger, court))

    def triggers_in(self, court: str | None = None) -> tuple[Trigger, ...]:
        return tuple(
            t for t in self.triggers.values() if court is None or self.applies(t.id, court)
        )


# --- Reading the files -----------------------------------------------------------------------

_Where = tuple[str, int, tuple[str, ...]]  # section, occurrence, key path (as orderfile's)

_RULESET_KEYS = {
    "id": True,
    "title": True,
    "applies": True,
    "source": True,
    "reviewed": True,
    "note": False,
}
_TRIGGER_KEYS = {"id": True, "name": True, "cite": True, "note": False}
_DEADLINE_KEYS = {
    "id": True,
    "trigger": True,
    "title": True,
    "party": True,
    "due": True,
    "cite": True,
    "excerpt": True,
    "source": False,
    "kind": False,
    "service": False,
    "effective": False,
    "note": False,
    "former": False,
    "by_method": False,
    "rules": False,
}
_FORMER_KEYS = {
    "from": False,
    "until": True,
    "due": True,
    "cite": True,
    "excerpt": True,
    "source": False,
    "service": False,
    "note": False,
    "by_method": False,
}
_TYPES = {
    "reviewed": "date",
    "effective": "date",
    "from": "date",
    "until": "date",
    "service": "boolean",
    "applies": "table",
    "by_method": "methods",
    "former": "array",
}
_EXPECTED = {
    "string": "a string in quotes",
    "date": "a TOML date such as 2009-12-01",
    "boolean": "true or false",
    "table": 'an inline table such as { rules = ["frcp"] } or { courts = ["nysd"] }',
    "array": "[[deadline.former]] tables",
    "methods": 'an inline table of service methods and due rules such as { overnight = "2 days before x.due" }',
}


def _type_ok(kind: str, value: object) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "date":
        return isinstance(value, date) and not isinstance(value, datetime)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "table":
        return isinstance(value, dict)
    if kind == "methods":
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f'the string "{value if len(value) <= 40 else value[:37] + "..."}"'
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the {'date-time' if isinstance(value, datetime) else 'date'} {value.isoformat()}"
    return "an array" if isinstance(value, list) else "a table"


def _is_name(text: str) -> bool:
    """Whether a due rule can name ``text`` (the parser decides, so the two never disagree)."""
    if not _ID.fullmatch(text) or text == TRIGGER:
        return False
    try:
        when = parse_when(f"1 day after {text}")
    except WhenSyntaxError:
        return False
    return isinstance(when, Relative) and when.anchor == NamedAnchor(text)


@dataclass(slots=True)
class _Raw:
    """A deadline as read, before the checks that need every file."""

    deadline: Deadline
    where: _Where
    version_where: tuple[_Where, ...]


@dataclass(slots=True)
class _File:
    path: str
    text: str
    ruleset: RuleSet | None = None
    triggers: list[tuple[Trigger, _Where]] = field(default_factory=list)
    deadlines: list[_Raw] = field(default_factory=list)
    problems: list[tuple[_Where, str, dict[str, Any]]] = field(default_factory=list)
    #: ids of triggers and deadlines that had errors of their own: what names them is not
    #: reported again (one mistake, one message)
    broken: set[str] = field(default_factory=set)
    fatal: list[RuleFileError] = field(default_factory=list)

    def error(self, w: _Where, message: str, **at: Any) -> None:
        self.problems.append((w, message, at))

    def errors(self) -> list[RuleFileError]:
        """The problems with their positions (the text is scanned for them only now)."""
        if not self.problems:
            return list(self.fatal)
        from obligations.orderfile import _Locator

        loc = _Locator(self.text)
        out = list(self.fatal)
        for w, message, at in self.problems:
            line, column = loc.where(w, **at)
            out.append(RuleFileError(self.path, line, column, message))
        out.sort(key=lambda e: (e.line, e.column))
        return out


def _read_text(path: Path) -> tuple[str | None, RuleFileError | None]:
    name = str(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = f.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
    except OSError as err:
        return None, RuleFileError(name, 1, 1, f"cannot read the file: {err.strerror or err}")
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        return None, RuleFileError(
            name, 1, 1, f"the file is over {MAX_BYTES // (1024 * 1024)} MB: a rule file is smaller"
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - data.rfind(b"\n", 0, err.start)
        return None, RuleFileError(name, line, column, f"not UTF-8: {err.reason}")


def parse_rules(text: str, path: str = "<rules>") -> _File:
    """One rule file's text read and checked on its own (the checks that need every file, such
    as unknown triggers and unique ids, are made by ``load_library``)."""
    import tomllib  # here: a run that reads a kept copy of the rules parses no file

    f = _File(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        from obligations.orderfile import _syntax_error

        e = _syntax_error(text, path, err)
        f.fatal.append(RuleFileError(path, e.line, e.column, e.message))
        return f
    except RecursionError:
        f.fatal.append(RuleFileError(path, 1, 1, "TOML: nested too deep"))
        return f
    try:
        _read_file(f, data)
    except RecursionError:
        f.fatal.append(RuleFileError(path, 1, 1, "TOML: nested too deep"))
    return f


def _fields(
    f: _File, section: str, index: int, raw: object, keys: Mapping[str, bool], what: str
) -> dict[str, Any] | None:
    """The table's known keys with the right types; an error for each that is not."""
    w: _Where = (section, index, ())
    if not isinstance(raw, dict):
        f.error(w, f"{what}: expected a table, found {_describe(raw)}")
        return None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        kw: _Where = (section, index, (key,))
        if key not in keys:
            import difflib

            close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            f.error(kw, f"{what}: unknown key '{key}'{hint}; known: {', '.join(keys)}", key=True)
            continue
        kind = _TYPES.get(key, "string")
        if not _type_ok(kind, value):
            f.error(kw, f"{what}: '{key}' must be {_EXPECTED[kind]}, found {_describe(value)}")
            continue
        if isinstance(value, str):
            if _NUL.search(value):
                f.error(kw, f"{what}: '{key}' holds a NUL character; write the text without it")
                continue
            if not value.strip():
                f.error(kw, f"{what}: '{key}' is empty; expected {_EXPECTED['string']} with text")
                continue
        if isinstance(value, date):
            try:
                check_span(value, f"'{key}'")
            except BadInput as exc:
                f.error(kw, f"{what}: {exc}")
                continue
        out[key] = value
    for key, required in keys.items():
        if required and key not in raw:
            f.error(w, f"{what}: missing key '{key}' ({_EXPECTED[_TYPES.get(key, 'string')]})")
    return out


def _read_file(f: _File, data: dict[str, Any]) -> None:
    stem = Path(f.path).stem
    for key in data:
        if key not in ("ruleset", "trigger", "deadline"):
            f.error(
                ("", 0, (key,)),
                f"unknown table or key '{key}'; a rule file has [ruleset], [[trigger]] and [[deadline]]",
                key=True,
            )
    raw = data.get("ruleset")
    if raw is None:
        f.error(("", 0, ()), "missing [ruleset] (its id, title, applies, source and reviewed)")
        return
    rs = _fields(f, "ruleset", 0, raw, _RULESET_KEYS, "[ruleset]")
    if rs is None:
        return
    ident = rs.get("id", "")
    if ident and ident != stem:
        f.error(
            ("ruleset", 0, ("id",)),
            f"[ruleset] id '{ident}' must be the file's name without .toml, '{stem}'",
        )
    rules: tuple[str, ...] = ()
    courts: tuple[str, ...] = ()
    applies = rs.get("applies")
    if applies is not None:
        rules, courts = _applies(f, applies)
    if not all(k in rs for k in ("id", "title", "source", "reviewed")) or applies is None:
        return
    f.ruleset = RuleSet(
        id=stem,
        title=rs["title"],
        source=rs["source"],
        reviewed=rs["reviewed"],
        rules=rules,
        courts=courts,
        note=rs.get("note", ""),
        path=f.path,
    )
    triggers = data.get("trigger", [])
    if not isinstance(triggers, list):
        f.error(("", 0, ("trigger",)), "'trigger' must be [[trigger]] tables")
        triggers = []
    for i, t in enumerate(triggers):
        _read_trigger(f, i, t)
    deadlines = data.get("deadline", [])
    if not isinstance(deadlines, list):
        f.error(("", 0, ("deadline",)), "'deadline' must be [[deadline]] tables")
        deadlines = []
    former_index = 0
    for i, d in enumerate(deadlines):
        former_index = _read_deadline(f, i, d, former_index)


def _applies(f: _File, applies: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    w: _Where = ("ruleset", 0, ("applies",))
    keys = set(applies)
    if len(keys) != 1 or not keys <= {"rules", "courts"}:
        f.error(
            w,
            "[ruleset] applies: expected exactly one of rules = [rule set ids] or courts = [court ids],"
            f" found {', '.join(sorted(keys)) or 'nothing'}",
        )
        return (), ()
    (key,) = keys
    values = applies[key]
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        f.error((*w[:2], ("applies", key)), f"[ruleset] applies.{key}: expected a list of ids")
        return (), ()
    ok: list[str] = []
    for v in values:
        if key == "rules":
            if v not in RULESET_IDS:
                f.error(
                    (*w[:2], ("applies", key)),
                    f"[ruleset] applies.rules: unknown rule set '{v}'; known: {', '.join(RULESET_IDS)}",
                )
                continue
        else:
            try:
                get_court(v)
            except UnknownCourt:
                f.error(
                    (*w[:2], ("applies", key)),
                    f"[ruleset] applies.courts: unknown court '{v}' (docketcal courts lists them)",
                )
                continue
        ok.append(v)
    return (tuple(ok), ()) if key == "rules" else ((), tuple(ok))


def _read_trigger(f: _File, i: int, raw: object) -> None:
    t = _fields(f, "trigger", i, raw, _TRIGGER_KEYS, f"[[trigger]] #{i + 1}")
    if t is None or not all(k in t for k in ("id", "name", "cite")):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            f.broken.add(raw["id"])
        return
    if not _is_name(t["id"]):
        f.error(
            ("trigger", i, ("id",)),
            f"[[trigger]] id {shown(t['id'])} is not a name a due rule can use: lowercase letters,"
            " digits, '-' and '_', not a keyword of the when-language and not 'trigger'",
        )
        return
    assert f.ruleset is not None
    f.triggers.append(
        (
            Trigger(
                id=t["id"],
                name=t["name"],
                cite=t["cite"],
                ruleset=f.ruleset.id,
                note=t.get("note", ""),
                path=f.path,
            ),
            ("trigger", i, ()),
        )
    )


def _due(f: _File, w: _Where, text: str, what: str) -> When | None:
    try:
        when = parse_when(text)
    except WhenSyntaxError as err:
        f.error(w, f"{what}: due rule {shown(text)}: {err}", offset=err.column - 1)
        return None
    if isinstance(when, Periodic):
        f.error(
            w,
            f"{what}: due rule {shown(text)} is a series; a rule sets one date (a series of"
            " reports is an order's duty)",
        )
        return None
    for part in parts_of(when):
        if isinstance(part, Fixed):
            f.error(
                w,
                f"{what}: due rule {shown(text)} has a fixed date; a rule counts from"
                f" '{TRIGGER}' or from another deadline of the same trigger ('<id>.due')",
            )
            return None
    for anchor in anchors_of(when):
        if isinstance(anchor, OrderAnchor | DateAnchor):
            f.error(
                w,
                f"{what}: due rule {shown(text)} counts from '{anchor}'; a rule counts from"
                f" '{TRIGGER}' or from another deadline of the same trigger ('<id>.due')",
            )
            return None
        if isinstance(anchor, NamedAnchor | DueAnchor | MissedAnchor) and "/" in anchor.name:
            f.error(w, f"{what}: due rule {shown(text)} names another order ('{anchor.name}')")
            return None
    return when


def _read_version(
    f: _File, w: _Where, raw: dict[str, Any], what: str, inherit: Version | None
) -> Version | None:
    due = _due(f, (*w[:2], ("due",)), raw["due"], what) if "due" in raw else None
    if due is None or "cite" not in raw or "excerpt" not in raw:
        return None
    ruleset_source = f.ruleset.source if f.ruleset else ""
    service = raw.get("service", inherit.service if inherit else False)
    if service and any(isinstance(p, Relative) and p.service is not None for p in parts_of(due)):
        f.error(
            (*w[:2], ("service",)),
            f"{what}: service = true and a due rule that states its own service method; say it once",
        )
    by_method: list[tuple[str, When, str]] = []
    raw_methods = raw.get("by_method", {}) if "by_method" in raw else {}
    if raw_methods and not service:
        f.error(
            (*w[:2], ("by_method",)),
            f"{what}: by_method without service = true; a rule by method is for a period that"
            " the trigger paper's service extends",
        )
    for method, text in raw_methods.items():
        mw: _Where = (*w[:2], ("by_method", method))
        if method not in SERVICE_METHODS:
            f.error(
                mw,
                f"{what}: by_method: unknown service method '{method}'; known:"
                f" {', '.join(SERVICE_METHODS)}",
            )
            continue
        alt = _due(f, mw, text, f"{what}, by_method.{method}")
        if alt is None:
            continue
        if any(isinstance(p, Relative) and p.service is not None for p in parts_of(alt)):
            f.error(
                mw,
                f"{what}: by_method.{method}: the rule states a service method; the method is"
                " the key's",
            )
            continue
        by_method.append((method, alt, text))
    return Version(
        due=due,
        due_text=raw["due"],
        cite=raw["cite"],
        excerpt=raw["excerpt"],
        source=raw.get("source", inherit.source if inherit else ruleset_source),
        effective=raw.get("effective", raw.get("from")),
        until=raw.get("until"),
        service=bool(service),
        note=raw.get("note", ""),
        by_method=tuple(by_method),
    )


def _read_deadline(f: _File, i: int, raw: object, former_index: int) -> int:
    what = f"[[deadline]] #{i + 1}"
    d = _fields(f, "deadline", i, raw, _DEADLINE_KEYS, what)
    formers_raw = raw.get("former", []) if isinstance(raw, dict) else []
    if not isinstance(formers_raw, list):
        formers_raw = []
    if d is None:
        return former_index + len(formers_raw)
    if "id" in d:
        what = f"deadline '{d['id']}'"
        if not _is_name(d["id"]):
            f.error(
                ("deadline", i, ("id",)),
                f"[[deadline]] id {shown(d['id'])} is not a name a due rule can use: lowercase"
                " letters, digits, '-' and '_', not a keyword of the when-language and not 'trigger'",
            )
            d.pop("id")
    kind = d.get("kind", "deadline")
    if kind not in KINDS:
        f.error(
            ("deadline", i, ("kind",)), f"{what}: kind '{kind}' is not one of {', '.join(KINDS)}"
        )
    counted = d.get("rules")
    if counted is not None and counted not in RULESET_IDS:
        f.error(
            ("deadline", i, ("rules",)),
            f"{what}: unknown rule set '{counted}' to count it; known: {', '.join(RULESET_IDS)}",
        )
        counted = None
    current = _read_version(f, ("deadline", i, ()), d, what, None)
    versions: list[Version] = []
    wheres: list[_Where] = []
    if current is not None:
        versions.append(replace(current, until=None))
        wheres.append(("deadline", i, ()))
    for j, fr in enumerate(formers_raw):
        fw: _Where = ("deadline.former", former_index + j, ())
        fwhat = f"{what}, [[deadline.former]] #{j + 1}"
        got = _fields(f, "deadline.former", former_index + j, fr, _FORMER_KEYS, fwhat)
        if got is None:
            continue
        v = _read_version(f, fw, got, fwhat, current)
        if v is None:
            continue
        newer = versions[-1] if versions else None
        start = newer.effective if newer else None
        if v.effective is not None and v.until is not None and v.effective > v.until:
            f.error((*fw[:2], ("until",)), f"{fwhat}: until {v.until} is before from {v.effective}")
        elif newer is not None and (start is None or v.until is None or v.until >= start):
            said = f"effective {start}" if start else "no 'effective' date"
            f.error(
                (*fw[:2], ("until",)),
                f"{fwhat}: until {v.until} must be before the newer version takes effect"
                f" ({said}); versions are listed newest first and do not overlap",
            )
        versions.append(v)
        wheres.append(fw)
    complete = all(k in d for k in ("id", "trigger", "title", "party"))
    if current is None or not complete or kind not in KINDS:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            f.broken.add(raw["id"])
        return former_index + len(formers_raw)
    assert f.ruleset is not None
    f.deadlines.append(
        _Raw(
            Deadline(
                id=d["id"],
                trigger=d["trigger"],
                title=d["title"],
                party=d["party"],
                kind=kind,
                ruleset=f.ruleset.id,
                versions=tuple(versions),
                note=d.get("note", ""),
                path=f.path,
                rules=counted,
            ),
            ("deadline", i, ()),
            tuple(wheres),
        )
    )
    return former_index + len(formers_raw)


def _check_all(files: Sequence[_File]) -> None:
    """The checks across files: ids unique, triggers known, chains that name a deadline of the
    same trigger and terminate."""
    seen: dict[str, str] = {}
    triggers: dict[str, Trigger] = {}
    broken = {b for f in files for b in f.broken}
    for f in files:
        for t, w in f.triggers:
            if t.id in seen:
                f.error((*w[:2], ("id",)), f"trigger id '{t.id}' is also the id of {seen[t.id]}")
                continue
            seen[t.id] = f"a trigger in {f.path}"
            triggers[t.id] = t
    by_trigger: dict[str, dict[str, tuple[_File, _Raw]]] = {}
    for f in files:
        for raw in f.deadlines:
            d = raw.deadline
            if d.id in seen:
                f.error(
                    (*raw.where[:2], ("id",)),
                    f"deadline id '{d.id}' is also the id of {seen[d.id]}",
                )
                continue
            if d.trigger not in triggers:
                if d.trigger in broken:
                    continue
                import difflib

                close = difflib.get_close_matches(d.trigger, list(triggers), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                f.error(
                    (*raw.where[:2], ("trigger",)),
                    f"deadline '{d.id}': unknown trigger '{d.trigger}'{hint}",
                )
                continue
            seen[d.id] = f"a deadline in {f.path}"
            by_trigger.setdefault(d.trigger, {})[d.id] = (f, raw)
    for trigger, mine in by_trigger.items():
        edges: dict[str, list[str]] = {}
        for ident, (f, raw) in mine.items():
            deps: list[str] = []
            for v, w in zip(raw.deadline.versions, raw.version_where, strict=True):
                for anchor in (a for due, _ in v.every_due() for a in anchors_of(due)):
                    if not isinstance(anchor, NamedAnchor | DueAnchor | MissedAnchor):
                        continue
                    name = anchor.name
                    if isinstance(anchor, NamedAnchor) and name == TRIGGER:
                        continue
                    if name == TRIGGER:
                        f.error(
                            (*w[:2], ("due",)),
                            f"deadline '{ident}': '{anchor}' names the trigger; write '{TRIGGER}'",
                        )
                    elif name in broken:
                        continue
                    elif name not in mine:
                        other = (
                            f" ('{name}' is set by trigger '{seen_trigger}')"
                            if (seen_trigger := _trigger_of(by_trigger, name))
                            else ""
                        )
                        f.error(
                            (*w[:2], ("due",)),
                            f"deadline '{ident}': due rule {shown(v.due_text)} names '{name}',"
                            f" which is not '{TRIGGER}' nor a deadline of trigger '{trigger}'{other}",
                            find=re.escape(name),
                        )
                    elif mine[name][1].deadline.kind == "earliest":
                        f.error(
                            (*w[:2], ("due",)),
                            f"deadline '{ident}': counts from '{name}', an earliest day, which is"
                            " not a duty; count from the trigger or from a deadline",
                        )
                    else:
                        deps.append(name)
            edges[ident] = deps
        for loop in _cycles(edges):
            f, raw = mine[loop[0]]
            f.error(
                (*raw.where[:2], ("due",)),
                f"a chain of deadlines loops: {' -> '.join(loop)} (it never reaches '{TRIGGER}')",
            )


def _trigger_of(by_trigger: Mapping[str, Mapping[str, Any]], name: str) -> str:
    for trigger, mine in by_trigger.items():
        if name in mine:
            return trigger
    return ""


def _cycles(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Each loop once, named in full (``a -> b -> a``); iterative, any depth."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    for root in edges:
        if state.get(root):
            continue
        path = [root]
        state[root] = 1
        stack = [iter(edges.get(root, ()))]
        while stack:
            for dep in stack[-1]:
                if state.get(dep) == 1:
                    found.append([*path[path.index(dep) :], dep])
                    continue
                if state.get(dep) == 2:
                    continue
                state[dep] = 1
                path.append(dep)
                stack.append(iter(edges.get(dep, ())))
                break
            else:
                stack.pop()
                state[path.pop()] = 2
    return found


def rules_folder() -> Path:
    """The folder of rule files: ``DOCKETCAL_RULES``, else the installed data's ``rules``."""
    named = os.environ.get(FOLDER_ENV)
    if named:
        return Path(named)
    from calendars.data import data_path

    return data_path("rules")


def load_library(folder: str | os.PathLike[str] | None = None) -> Library:
    """Every ``*.toml`` of ``folder`` (default: ``rules_folder()``), read and checked together;
    ``RuleFileErrors`` with every mistake found if there is any. Read once per process."""
    path = Path(folder) if folder is not None else rules_folder()
    if not path.is_dir():
        if folder is None and FOLDER_ENV not in os.environ:
            return Library({}, {}, {})  # no rules installed
        raise BadInput(f"the rules folder {shown(str(path))} is not a folder")
    files = tuple(sorted(p for p in path.glob("*.toml") if p.is_file()))
    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _load(stamps)


@cache
def _load(stamps: tuple[tuple[str, int, int], ...]) -> Library:
    return library_of([Path(name) for name, _, _ in stamps])


def library_of(paths: Sequence[Path]) -> Library:
    """The library of exactly these rule files (no cache)."""
    files: list[_File] = []
    unread: list[RuleFileError] = []
    for p in paths:
        text, error = _read_text(p)
        if error is not None:
            unread.append(error)
            continue
        assert text is not None
        files.append(parse_rules(text, str(p)))
    return _library(files, unread)


def library_of_texts(texts: Mapping[str, str]) -> Library:
    """The library of files given as text (file name -> text), for tests and fuzzing."""
    return _library([parse_rules(text, name) for name, text in texts.items()], [])


def _library(files: list[_File], errors: list[RuleFileError]) -> Library:
    """The files checked together; every error of every file, or the library."""
    _check_all([f for f in files if f.ruleset is not None])
    for f in files:
        errors.extend(f.errors())
    if errors:
        raise RuleFileErrors(errors)
    rulesets = {f.ruleset.id: f.ruleset for f in files if f.ruleset is not None}
    triggers = {t.id: t for f in files for t, _ in f.triggers}
    deadlines = {r.deadline.id: r.deadline for f in files for r in f.deadlines}
    return Library(rulesets, triggers, deadlines)


# --- Into an order ---------------------------------------------------------------------------


#: The longest label ``rules apply --as`` takes for one occurrence of a trigger.
LONGEST_LABEL = 64
#: A label as an id: the names due rules give events (``obligations.when``'s names).
_LABEL = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SPACES = re.compile(" +")


def occurrence_label(text: str) -> str:
    """The label of one occurrence of a trigger (``rules apply --as``) as an id, normalised as
    an event's name is: surrounding spaces dropped, lower case; a run of spaces inside becomes
    one ``-`` ("2nd interrogatories" is ``2nd-interrogatories``). Refused (``BadInput``) when
    empty, longer than ``LONGEST_LABEL``, or not letters, digits, '-' and '_'."""
    label = _SPACES.sub("-", text.strip()).lower()
    if not label:
        raise BadInput("the label (--as) is empty: name the occurrence, e.g. --as def-acme")
    if len(label) > LONGEST_LABEL:
        raise BadInput(
            f"the label (--as) is {len(label):,} characters long: at most {LONGEST_LABEL}"
        )
    if not _LABEL.fullmatch(label):
        raise BadInput(
            f"the label (--as) {shown(text)} is not a name an order or event can have:"
            " letters, digits, '-' and '_', starting with a letter or digit (2nd-interrogatories)"
        )
    return label


def event_of(trigger: str, label: str | None = None) -> str:
    """The case event an occurrence of ``trigger`` is recorded as: the trigger's id, or with
    a label, ``TRIGGER-LABEL``."""
    return f"{trigger}-{label}" if label else trigger


def order_id(trigger: str, label: str | None = None) -> str:
    """The id of the order ``rules apply`` puts a trigger's deadlines in: ``rules-TRIGGER``, or
    for a labelled occurrence ``rules-TRIGGER-LABEL``."""
    return f"rules-{event_of(trigger, label)}"


def check_label(lib: Library, trigger: str, label: str) -> None:
    """Refuse (``BadInput``) a label that would make the event and order of another trigger, or
    of another trigger's occurrence: ``fx-motion`` labelled ``served`` would be
    ``fx-motion-served``. Every occurrence's order then names one trigger (``occurrence_of``)."""
    event = event_of(trigger, label)
    if event in lib.deadlines:  # a due rule would read the name as that deadline, not the event
        raise BadInput(
            f"the label {shown(label)} would name the occurrence's event {event}, the id of the"
            " deadline of that name: choose another label"
        )
    for other in lib.triggers:
        if len(other) > len(trigger) and (event == other or event.startswith(f"{other}-")):
            whose = f"trigger '{other}'" if event == other else f"an occurrence of '{other}'"
            raise BadInput(
                f"the label {shown(label)} would make {order_id(trigger, label)}, the order of"
                f" {whose}: choose another label"
            )


def occurrence_of(
    lib: Library, event: str, deadlines: Sequence[str] = ()
) -> tuple[str, str | None]:
    """The trigger and label of an occurrence's event (an order of rules' id without
    ``rules-``): the trigger of its deadlines when the rules still have them, else the longest
    trigger the name begins with; a name no trigger begins (one the rules no longer have) is
    the trigger itself."""
    known = [lib.deadlines[d].trigger for d in deadlines if d in lib.deadlines]
    candidates = [t for t in known if event == t or event.startswith(f"{t}-")]
    if not candidates:
        candidates = [t for t in lib.triggers if event == t or event.startswith(f"{t}-")]
    if not candidates:
        return event, None
    trigger = max(candidates, key=len)
    return trigger, event[len(trigger) + 1 :] or None


def _anchor(a: SimpleAnchor, trigger: str) -> SimpleAnchor:
    return NamedAnchor(trigger) if a == NamedAnchor(TRIGGER) else a


def _counts_from_trigger(anchor: Any) -> bool:
    if isinstance(anchor, Combined):
        return any(a == NamedAnchor(TRIGGER) for a in anchor.anchors)
    return bool(anchor == NamedAnchor(TRIGGER))


def _part(p: Part, trigger: str, service: bool, method: str | None) -> Part:
    if isinstance(p, Fixed):
        return p
    anchor = p.anchor
    new = (
        Combined(anchor.pick, tuple(_anchor(a, trigger) for a in anchor.anchors))
        if isinstance(anchor, Combined)
        else _anchor(anchor, trigger)
    )
    if isinstance(p, SameDay):
        return replace(p, anchor=new)
    how = p.service
    if how is None:
        if _counts_from_trigger(anchor):
            # the method recorded with the trigger's event adds its time (FRCP 6(d), ...), or,
            # for a period that does not run from service, nothing
            how = None if service else "none"
        elif service and method:
            how = method  # a chained deadline that the trigger paper's service extends
    return replace(p, anchor=new, service=how)


def _no_service(when: When) -> When:
    """A rule by method: the method's time is in the rule itself, so no part adds more."""

    def plain(p: Part) -> Part:
        return replace(p, service="none") if isinstance(p, Relative) and p.service is None else p

    if isinstance(when, Either):
        return replace(when, parts=tuple(plain(p) for p in when.parts))
    if isinstance(when, Periodic):
        return when  # refused when the data is read
    return plain(when)


def rewrite(when: When, trigger: str, service: bool, method: str | None) -> When:
    """A rule of the data as a due rule of the order: ``trigger`` becomes the trigger's event,
    and service is said where the data's ``service`` decides it."""
    if isinstance(when, Either):
        return replace(when, parts=tuple(_part(p, trigger, service, method) for p in when.parts))
    if isinstance(when, Periodic):
        until = _anchor(when.until, trigger) if when.until is not None else None
        return replace(when, first=_part(when.first, trigger, service, method), until=until)
    return _part(when, trigger, service, method)


def _toml(value: str) -> str:
    """A TOML basic string."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


@dataclass(frozen=True, slots=True)
class Chosen:
    """A deadline of a trigger with the version in force on the trigger's date (None: the data
    has no version for that day, so the duty is flagged for review, never guessed)."""

    deadline: Deadline
    version: Version | None
    due: When | None  # the order's due rule


def choose(
    lib: Library,
    trigger: str,
    at: date | datetime,
    court: str,
    service: str | None,
    *,
    rules_as_of: date | None = None,
    party: str | None = None,
    label: str | None = None,
) -> tuple[Chosen, ...]:
    """The trigger's deadlines in ``court`` with the versions in force on the trigger's day (or
    on ``rules_as_of``); with ``party``, that party's (and those of both or any party, and those
    they count from). Their due rules count from the event of the occurrence (``event_of``)."""
    event = event_of(trigger, label)
    day = rules_as_of or (at.date() if isinstance(at, datetime) else at)
    every = lib.set_by(trigger, court)
    if party is not None:
        keep = {d.id for d in every if d.party in (party, "both", "any")}
        if not keep:
            parties = ", ".join(sorted({d.party for d in every})) or "none"
            raise BadInput(
                f"no deadline of trigger '{trigger}' in court {court} is for party {shown(party)}"
                f" (its parties: {parties})"
            )
        grown = True
        while grown:  # what the kept deadlines count from is needed to compute them
            grown = False
            for d in every:
                if d.id in keep:
                    for ver in d.versions:
                        for a in (x for due, _ in ver.every_due() for x in anchors_of(due)):
                            name = getattr(a, "name", TRIGGER)
                            if name != TRIGGER and name not in keep:
                                keep.add(name)
                                grown = True
        every = tuple(d for d in every if d.id in keep)
    out: list[Chosen] = []
    for d in every:
        v = d.version_on(day)
        due: When | None = None
        if v is not None:
            own = v.due_for(service)
            due = (
                rewrite(v.due, event, v.service, service)
                if own is v.due
                else _no_service(rewrite(own, event, False, None))
            )
        out.append(Chosen(d, v, due))
    return tuple(out)


def rules_order(
    lib: Library,
    trigger: str,
    at: date | datetime,
    court: str,
    case: str,
    service: str | None = None,
    *,
    rules_as_of: date | None = None,
    party: str | None = None,
    earliest: bool = False,
    label: str | None = None,
) -> Order:
    """The trigger's deadlines as an order: one obligation per deadline, in the version in force
    on the trigger's day, its due rule counting from the trigger's event (named by the trigger's
    id; for an occurrence with a ``label``, ``TRIGGER-LABEL``, its order ``rules-TRIGGER-LABEL``).
    An earliest day is not a duty: it is left out unless ``earliest`` (a preview, where no
    state is kept). A deadline with no version in force then has no due rule and is flagged for
    review."""
    from obligations.model import Obligation, Order

    t = lib.trigger(trigger)
    day = at.date() if isinstance(at, datetime) else at
    chosen = choose(
        lib, trigger, at, court, service, rules_as_of=rules_as_of, party=party, label=label
    )
    sets = sorted({c.deadline.ruleset for c in chosen} | {t.ruleset})
    note = (
        f"Deadlines set by rule once {t.name.lower()} ({t.cite})"
        + (f" (the occurrence '{label}', event {event_of(trigger, label)})" if label else "")
        + f" on {day.isoformat()}"
        + (f", served by {service}" if service else "")
        + (f"; rules as in force on {rules_as_of.isoformat()}" if rules_as_of else "")
        + "; from "
        + "; ".join(
            f"{lib.rulesets[s].title} ({lib.rulesets[s].source}, reviewed"
            f" {lib.rulesets[s].reviewed.isoformat()})"
            for s in sets
        )
        + (f"; for party {party}" if party else "")
        + "."
    )
    obligations = []
    for c in chosen:
        d = c.deadline
        if d.kind == "earliest" and not earliest:
            continue
        v = c.version or d.current
        review = (
            ""
            if c.due is not None
            else f"no version of this rule in the data was in force on {day.isoformat()}:"
            " write its due rule from the text then in force"
        )
        obligations.append(
            Obligation(
                id=d.id,
                party=d.party,
                text=f"{v.excerpt} (source: {v.source})",
                cite=v.cite,
                due=c.due,
                summary=d.title,
                review=review,
                rules=d.rules,
            )
        )
    return Order(
        id=order_id(trigger, label),
        case=case,
        court=court,
        entered=day,
        title=f"{t.name} ({t.cite})" + (f": {label}" if label else ""),
        source=SOURCE,
        note=note,
        obligations=tuple(obligations),
    )


def order_text(order: Order) -> str:
    """An order of rules as an order file (what ``rules apply`` stores, as ``order load``
    stores a file); ``parse_order`` reads it back to the same order."""
    lines = [
        "[order]",
        f"id = {_toml(order.id)}",
        f"case = {_toml(order.case)}",
        f"court = {_toml(order.court)}",
        f"entered = {order.entered.isoformat()}",
        f"title = {_toml(order.title)}",
        f"source = {_toml(order.source)}",
        f"note = {_toml(order.note)}",
    ]
    for ob in order.obligations:
        lines += [
            "",
            "[[obligation]]",
            f"id = {_toml(ob.id)}",
            f"party = {_toml(ob.party)}",
            f"text = {_toml(ob.text)}",
            f"cite = {_toml(ob.cite)}",
            f"summary = {_toml(ob.summary)}",
        ]
        if ob.due is not None:
            lines.append(f"due = {_toml(str(ob.due))}")
        if ob.rules is not None:
            lines.append(f"rules = {_toml(ob.rules)}")
        if ob.review:
            lines.append(f"review = {_toml(ob.review)}")
    return "\n".join(lines) + "\n"


def rules_order_text(
    lib: Library,
    trigger: str,
    at: date | datetime,
    court: str,
    case: str,
    service: str | None = None,
    *,
    rules_as_of: date | None = None,
    party: str | None = None,
    earliest: bool = False,
    label: str | None = None,
) -> str:
    """``rules_order`` as an order file."""
    return order_text(
        rules_order(
            lib,
            trigger,
            at,
            court,
            case,
            service,
            rules_as_of=rules_as_of,
            party=party,
            earliest=earliest,
            label=label,
        )
    )


# --- Preview ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreviewItem:
    """One deadline as the engine computed it on no docket."""

    deadline: Deadline
    version: Version | None
    when: str  # the due rule computed (counting from the trigger's event)
    state: str
    due: Due | None
    waiting_on: tuple[str, ...]
    chain: tuple[str, ...]
    trace: tuple[Step, ...]

    def to_json(self) -> dict[str, Any]:
        d, v, due = self.deadline, self.version, self.due
        return {
            "id": d.id,
            "title": d.title,
            "party": d.party,
            "kind": d.kind,
            "state": self.state,
            "due": due.due.isoformat() if due else None,
            "due_at": due.due_at.isoformat(timespec="minutes") if due and due.due_at else None,
            "safe_due": due.safe_due.isoformat() if due else None,
            "cite": v.cite if v else d.current.cite,
            "excerpt": v.excerpt if v else d.current.excerpt,
            "source": v.source if v else d.current.source,
            "rule": v.due_text if v else None,
            "when": self.when,
            "version": v.to_json() if v else None,
            "current": v is d.current,
            "ruleset": d.ruleset,
            "note": d.note,
            "readings": [r.to_json() for r in due.readings] if due else [],
            "warnings": list(due.warnings) if due else [],
            "waiting_on": list(self.waiting_on),
            "chain": list(self.chain),
            "trace": [s.to_json() for s in self.trace],
        }


@dataclass(frozen=True, slots=True)
class Preview:
    trigger: Trigger
    at: date | datetime
    court: str
    service: str | None
    items: tuple[PreviewItem, ...]

    def to_json(self) -> dict[str, Any]:
        at = self.at
        return {
            "trigger": self.trigger.id,
            "name": self.trigger.name,
            "cite": self.trigger.cite,
            "court": self.court,
            "date": at.isoformat(timespec="minutes")
            if isinstance(at, datetime)
            else at.isoformat(),
            "service": self.service,
            "deadlines": [i.to_json() for i in self.items],
        }


def check_request(
    lib: Library, trigger: str, at: date | datetime, court: str, service: str | None
) -> None:
    """Refuse (``BadInput``, ``NotFound``) a preview or apply the rules cannot answer."""
    t = lib.trigger(trigger)
    c = get_court(court)  # UnknownCourt is BadInput
    check_span(at, "the trigger's date")
    if not lib.applies(t.id, c.id):
        raise BadInput(
            f"trigger '{t.id}' ({lib.rulesets[t.ruleset].title}) does not apply in court '{c.id}'"
            f" (rules list --court {c.id} names those that do)"
        )
    if service is not None:
        rs = get_ruleset(c.ruleset)
        if service not in rs.methods:
            raise BadInput(
                f"service method {shown(service)} is not known to {rs.name}; known:"
                f" {', '.join(rs.methods)}"
            )


def preview(
    lib: Library,
    trigger: str,
    at: date | datetime,
    court: str,
    service: str | None = None,
    *,
    rules_as_of: date | None = None,
    party: str | None = None,
) -> Preview:
    """What ``trigger`` on ``at`` sets in ``court``: its deadlines put in an order in memory and
    scheduled by the engine, each joined with the rule's citation and excerpt."""
    from obligations.engine import schedule
    from obligations.model import Event, Facts

    check_request(lib, trigger, at, court, service)
    t = lib.trigger(trigger)
    case = "preview"
    order = rules_order(
        lib, trigger, at, court, case, service, rules_as_of=rules_as_of, party=party, earliest=True
    )
    day = at.date() if isinstance(at, datetime) else at
    facts = Facts(events=(Event(case, trigger, at, service=service or ""),))
    sched = schedule([order], facts, day)
    by_id = {i.obligation: i for i in sched.items}
    prefix = f"order {order.id} "
    items: list[PreviewItem] = []
    chosen = choose(lib, trigger, at, court, service, rules_as_of=rules_as_of, party=party)
    for c in chosen:
        d, v = c.deadline, c.version
        head = Step(
            1,
            v.cite if v else d.current.cite,
            at,
            None,
            f"{d.title}: {v.excerpt} ({v.source})"
            if v
            else f"{d.title}: no version of the rule in the data was in force on {day.isoformat()}",
        )
        item = by_id[d.id]
        steps = item.due.trace if item.due is not None else ()
        trace = (
            head,
            *(replace(s, step=s.step + 1, rule=s.rule.removeprefix(prefix)) for s in steps),
        )
        items.append(
            PreviewItem(
                d,
                v,
                item.when,
                "waiting" if item.state.value == "waiting" else "set",
                item.due,
                item.waiting_on,
                item.chain,
                trace,
            )
        )
    return Preview(t, at, court, service, tuple(items))

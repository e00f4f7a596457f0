"""The bulk path: plain periods in days or weeks, answered from per-court tables.

``quick_days`` answers exactly the requests ``Federal.quick`` answers (a period in days or weeks
from a date on or after 2009-12-01, no closures, no other version of the rule asked for, nothing
unsettled met) and, besides, the ones that only differ by a service method that adds nothing to
a period counted before an event; it gives exactly the rule set's answer, but from tables: where
each day rolls to (``calendars.days.RollTable``, built from the rule set's own roll), which
version of the rule governs each service method, and one shared part per due date. A plain
period whose last day meets an unsettled question is computed by the rule set's general path
and its answer kept for the next one that reaches the same last day alike (``_unsettled``).
Anything else, and every rule set that answers in its own way (a ``quick``, a roll or a service
rule of its own, like the Tax Court's), gets None: ``calendars.compute`` then takes the rule
set's own path. The trace of a ``Due`` is the rule set's own, built by its run when it is read.

It reads three things of ``Federal`` that are not its interface: ``_quick_roll`` (the roll
without words the tables are filled from), ``_notes`` (its cache of each year's warnings) and
``_zones`` (the words on split time zones).

``quick_line`` gives the same answer as ``compute --jsonl`` writes it (the JSON of
``Due.to_json``, with or without the trace), composed from pieces: the rule set's own roll steps
(one per court, day and direction, written by its ``roll``), its citations and version labels,
and the words of its other steps (as ``Federal`` writes them: a change of those words shows as
a kind of line that is computed the general way, and in the tests). Each kind of request (court,
version, direction, service method, unit) is checked once per process against the rule set's own
line before its pieces are used; a kind whose line differs is computed the general way from then
on.

``tests/calendars/test_fast_path.py`` compares both with the general path on generated requests
(courts, dates from 1900 to 2200, periods, directions, service methods, rule versions).
"""

from __future__ import annotations

import json
import sys
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from json.encoder import encode_basestring
from pathlib import Path
from typing import TypeGuard

from calendars.courts import DATA_FILES, Court
from calendars.data import data_path
from calendars.days import WEEKDAY_NAMES, RollTable
from calendars.due import Due, Reading
from calendars.errors import LAST_YEAR
from calendars.period import SERVICE_METHODS, Direction, Period, Request, Unit
from calendars.rulesets import get_ruleset
from calendars.rulesets.base import SETTLED, RuleSet, Run
from calendars.rulesets.federal import E_SERVICE_ENDS, END_OF_DAY, RULES_2009, Federal, _zones
from calendars.rulesets.versions import Version, versions

FIRST_ORDINAL = RULES_2009.toordinal()
E_SERVICE_ORDINAL = E_SERVICE_ENDS.toordinal()
LAST_ORDINAL = date(LAST_YEAR, 12, 31).toordinal()
#: the longest period taken here: longer ones are rare, and the general path checks their span
LONGEST = 3660
_DAYS = Unit.DAYS
_WEEKS = Unit.WEEKS
_AFTER = Direction.AFTER
_BEFORE = Direction.BEFORE
_SHORT = tuple(name[:3] for name in WEEKDAY_NAMES)


def _q(text: str) -> str:
    """A JSON string, as ``json.dumps(..., ensure_ascii=False)`` writes it (its own encoder of
    a string, without the rest of ``dumps``)."""
    return encode_basestring(text)


_SETTLED_JSON = '[{"due": "%s", "assumes": ' + _q(SETTLED).replace("%", "%%") + "}]"

#: ordinal -> (ISO date, 'Mon 2013-11-11'): the two ways a date is written in a line
_names: dict[int, tuple[str, str]] = {}


def _name(ordinal: int) -> tuple[str, str]:
    found = _names.get(ordinal)
    if found is None:
        d = date.fromordinal(ordinal)
        iso = d.isoformat()
        found = _names[ordinal] = (iso, f"{_SHORT[d.weekday()]} {iso}")
    return found


class Plan:
    """One court under one rule set: its roll tables, its service versions, its answers and
    the pieces of its lines."""

    __slots__ = (
        "_adds",
        "_before",
        "after",
        "after3",
        "ahead",
        "answers",
        "asker",
        "ats",
        "back",
        "before",
        "behind",
        "by_version",
        "court",
        "declared",
        "ends",
        "eod",
        "explain",
        "family",
        "forward",
        "forward_by",
        "heads",
        "kinds",
        "methods",
        "newest",
        "newest_from",
        "notes",
        "reasons",
        "roll_json",
        "roll_words",
        "rolls",
        "rules",
        "ruleset",
        "since",
        "skips",
        "stays",
        "templated",
        "unsettled",
        "warned",
        "years_after",
        "years_before",
        "zone",
    )

    def __init__(self, court: Court, ruleset: Federal, rules: str | None = None) -> None:
        self.court = court
        self.ruleset = ruleset
        #: the rule set asked for by name (None: the court's own)
        self.rules = rules
        self.zone = court.zone
        #: the rule set's own trace of a request (a bound method made once)
        self.explain = ruleset.explain
        book = ruleset.book(court)
        book.keep_years(_book_name(ruleset, court), _book_sources(ruleset, court))
        roll = partial(ruleset._quick_roll, book)
        self.forward = RollTable(roll, True, book.marked)
        self.back = RollTable(roll, False, book.marked)
        self.ahead = self.forward.rolled
        self.behind = self.back.rolled
        #: year -> the rule set's warnings of that year, counted backward and forward
        self.years_before: dict[int, tuple[str, ...]] = {}
        self.years_after: dict[int, tuple[str, ...]] = {}
        self.methods = frozenset(ruleset.methods) & frozenset(SERVICE_METHODS)
        #: the rule set's own cache of the warnings of a court, year and direction (filled by
        #: its general path; ``Federal.quick`` reads it too)
        self.notes: dict[tuple[str, int, bool], tuple[str, ...]] = ruleset._notes
        self.family: tuple[Version, ...] = versions(ruleset.family)
        #: the ordinals from which each version of the rule is in force, and the service methods
        #: that add 3 days under each (``Federal.adds``)
        self.since = [v.since.toordinal() for v in self.family]
        self._adds = [v.adds for v in self.family]
        self._before: dict[tuple[int, str], tuple[str, ...]] = {}
        #: due ordinal -> (due, due_at, readings), shared by every answer with that due date
        self.answers: dict[int, tuple[date, datetime, tuple[Reading, ...]]] = {}
        #: by kind of roll step (0: the last day forward, 1: backward, 2: the extended last day
        #: after service): ordinal -> the JSON of the step after its number
        self.rolls: tuple[dict[int, str], ...] = ({}, {}, {})
        #: the rule and the words of each kind of roll step (as ``period_end`` and ``service``
        #: pass them to ``roll``)
        self.roll_words = (
            (ruleset.cite("(a)(1)(C)"), "the last day"),
            (
                f"{ruleset.cite('(a)(1)(C)')}, {ruleset.cite('(a)(5)')}",
                "the last day (before the event)",
            ),
            (ruleset.cite("(a)(1)(C)"), "the extended last day"),
        )
        #: the JSON of each kind of roll step up to its first date, and its words for the day
        self.roll_json = tuple(
            (f', "rule": {_q(rule)}, "from": "', _q(what)[1:-1]) for rule, what in self.roll_words
        )
        #: by kind of roll step: ordinal -> the JSON of a step off a court day, which stays
        #: (shared by the plans whose roll steps have the same rule and words)
        self.stays = tuple(_stays.setdefault(words, {}) for words in self.roll_json)
        self.templated = True
        self.reasons: dict[tuple[int, bool], str] = {}
        self.skips: dict[tuple[int, bool], str] = {}
        #: the run ``reason`` asks the rule set's ``closed`` with (default assumptions; what it
        #: records about the run is not read)
        self.asker = Run(court, Request(), ruleset.default, book)
        #: year -> (day, declared) of its holidays declared shortly before they fell
        self.declared: dict[int, tuple[tuple[int, int], ...]] = {}
        #: (version, direction, whether service adds days, unrolled last day, the year's
        #: warnings) -> the general answer's parts
        self.unsettled: dict[
            tuple[int, bool, bool, int, tuple[str, ...]],
            tuple[date, datetime | None, date, tuple[Reading, ...], tuple[str, ...]],
        ] = {}
        #: version index -> the JSON of the last step's rule and note
        self.eod: dict[int, tuple[str, str]] = {}
        #: warnings -> their JSON
        self.warned: dict[tuple[str, ...], str] = {}
        #: (``bisect_right(since, anchor)``, direction, method, in weeks) -> the pieces of its
        #: lines
        self.kinds: dict[tuple[int, bool, str, bool], _Kind] = {}
        #: due ordinal -> the line up to its warnings, and the instant the due date ends
        #: (shared by the courts of one time zone: the head says nothing else of the court)
        self.heads, self.ats = _zone_heads.setdefault(court.tz, ({}, {}))
        self.templated = self._check_rolls()
        #: by ``bisect_right(since, anchor)``: whether each service method adds 3 days under the
        #: version then in force (the first entry, before any version, knows no method)
        self.by_version: list[dict[str, bool]] = [
            {},
            *({m: m in adds for m in self.methods} for adds in self._adds),
        ]
        #: the unrolled last day -> the answer's (due, due_at, readings), or () when the tables
        #: do not settle it (an unsettled day met, or a due date past the supported years): a
        #: period counted forward, the same with 3 days added after it, and one counted backward
        self.after: dict[int, tuple[date, datetime, tuple[Reading, ...]] | tuple[()]] = {}
        #: the unrolled last day -> the due day, or 0 when the tables do not settle it (the lines'
        #: ``_Kind.end``), by direction * 2 + whether 3 days are added: backward, -, forward,
        #: forward with 3 days added
        self.ends: tuple[dict[int, int], ...] = ({}, {}, {}, {})
        self.after3: dict[int, tuple[date, datetime, tuple[Reading, ...]] | tuple[()]] = {}
        self.before: dict[int, tuple[date, datetime, tuple[Reading, ...]] | tuple[()]] = {}
        #: the same by version as ``by_version``: each service method's table of a period
        #: counted forward (``after3`` where it adds 3 days, else ``after``)
        self.forward_by = [
            {m: self.after3 if adds else self.after for m, adds in methods.items()}
            for methods in self.by_version
        ]
        #: the index in ``by_version`` of the newest version, and the day it is in force from
        self.newest = len(self.since)
        self.newest_from = self.since[-1] if self.since else LAST_ORDINAL + 1

    def adds(self, method: str, served: int) -> bool:
        """Whether service by ``method`` on the day ``served`` adds 3 days (``Federal.adds``)."""
        k = bisect_right(self.since, served)
        return k > 0 and method in self._adds[k - 1]

    def not_before(self, k: int, method: str, anchor: date, end: int) -> tuple[str, ...]:
        """The warnings of the rule set's own service step when ``method`` would add days under
        version ``k`` but the period is counted before an event (found once per version and
        method)."""
        key = (k, method)
        found = self._before.get(key)
        if found is None:
            rs = self.ruleset
            req = Request(anchor=anchor, service=method, direction=Direction.BEFORE)
            run = Run(self.court, req, rs.default, rs.book(self.court), explain=False)
            rs.service(run, date.fromordinal(end), False, anchor, self.family[k])
            found = self._before[key] = tuple(run.warnings)
        return found

    def declared_within(self, start: int, reach: int) -> bool:
        """Whether a holiday declared on or after the day ``start`` falls by the day ``reach``
        (a period that began before its declaration is unsettled, ``Federal.known_in_time``)."""
        first = date.fromordinal(start).year
        for year in range(first, date.fromordinal(reach).year + 1):
            found = self.declared.get(year)
            if found is None:
                book = self.ruleset.book(self.court)
                found = self.declared[year] = tuple(
                    (h.day.toordinal(), h.declared.toordinal())
                    for h in book.year(year)
                    if h.declared is not None
                )
            if any(day <= reach and declared >= start for day, declared in found):
                return True
        return False

    def year_notes(self, anchor: date, direction: Direction) -> tuple[str, ...]:
        """The warnings of the court, the year and the direction, found by the rule set's own
        ``years`` (which keeps them where ``Federal.quick`` reads them)."""
        forward = direction is _AFTER
        found = self.notes.get((self.court.id, anchor.year, forward))
        if found is None:
            rs = self.ruleset
            req = Request(anchor=anchor, direction=direction)
            rs.years(Run(self.court, req, rs.default, rs.book(self.court), explain=False), anchor)
            found = self.notes[(self.court.id, anchor.year, forward)]
        (self.years_after if forward else self.years_before)[anchor.year] = found
        return found

    def answer(self, ordinal: int) -> tuple[date, datetime, tuple[Reading, ...]]:
        found = self.answers.get(ordinal)
        if found is None:
            end = date.fromordinal(ordinal)
            found = self.answers[ordinal] = (
                end,
                datetime.combine(end, END_OF_DAY, tzinfo=self.zone),
                (Reading(end, SETTLED),),
            )
        return found

    def settle(
        self, forward: bool, adds: bool, first: int
    ) -> tuple[date, datetime, tuple[Reading, ...]] | tuple[()]:
        """The answer of a period whose unrolled last day is ``first``, or () when the tables
        do not settle it; every day of that year is settled at once and kept in ``after``,
        ``after3`` or ``before``."""
        table = self.before if not forward else self.after3 if adds else self.after
        roll = self.forward if forward else self.back
        year = date.fromordinal(first).year
        roll.fill_year(year)
        rolled = roll.rolled
        ahead = self.forward
        answers = self.answers
        for o in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
            end = rolled.get(o)
            if end is None:
                end = roll(o)
            if end and adds:
                end = ahead(end + 3)
            if end and end <= LAST_ORDINAL:
                table[o] = answers.get(end) or self.answer(end)
            else:
                table[o] = ()
        return table[first]

    # -- the pieces of a line -------------------------------------------------------------------

    def roll_step(self, kind: int, k: int, ordinal: int) -> str:
        """The rule set's roll step off the day ``ordinal`` under version ``k``, as JSON after
        its number (kind 0: the last day forward, 1: backward, 2: the extended last day)."""
        if self.templated:
            texts = self.rolls[kind]
            found = texts.get(ordinal)
            if found is None:
                found = texts[ordinal] = self._roll_text(kind, ordinal)
            return found
        return self._own_roll(kind, k, ordinal)

    def _own_roll(self, kind: int, k: int, ordinal: int) -> str:
        """The roll step as the rule set's ``roll`` writes it."""
        rs = self.ruleset
        run = Run(self.court, Request(), rs.default, rs.book(self.court))
        run.version = self.family[k]
        rule, what = self.roll_words[kind]
        rs.roll(run, date.fromordinal(ordinal), kind != 1, rule, what)
        (step,) = run.steps
        text = json.dumps(step.to_json(), ensure_ascii=False)
        return text[len('{"step": 1') :]

    def stays_text(self, kind: int, ordinal: int) -> str:
        """``_roll_text`` of a court day (which stays), kept in the shared ``stays``."""
        head, what = self.roll_json[kind]
        iso, name = _name(ordinal)
        found = self.stays[kind][ordinal] = (
            f'{head}{iso}", "to": "{iso}", "note": "{name} is a court day: {what} stays"}}'
        )
        return found

    def _roll_text(self, kind: int, ordinal: int) -> str:
        """The roll step from the table and the rule set's reasons, in ``roll``'s words."""
        forward = kind != 1
        to = (self.forward if forward else self.back)(ordinal)
        head, what = self.roll_json[kind]
        iso, name = _name(ordinal)
        if to == ordinal:
            return f'{head}{iso}", "to": "{iso}", "note": "{name} is a court day: {what} stays"}}'
        skipped = self.skipped(ordinal, to, forward)
        way = "next" if forward else "previous"
        to_iso, to_name = _name(to)
        return (
            f'{head}{iso}", "to": "{to_iso}", "note": "{skipped}: {what} moves to the {way}'
            f' court day, {to_name}"}}'
        )

    def skipped(self, ordinal: int, to: int, forward: bool) -> str:
        """What ``roll`` says of the days it steps over from ``ordinal`` to ``to``, joined (each
        day's words found once, and the words from each day on kept for the day before)."""
        key = (ordinal, forward)
        found = self.skips.get(key)
        if found is None:
            found = f"{_name(ordinal)[1]} is {self.reason(ordinal, forward)}"
            after = ordinal + (1 if forward else -1)
            if after != to:
                found = f"{found}; {self.skipped(after, to, forward)}"
            self.skips[key] = found
        return found

    def reason(self, ordinal: int, forward: bool) -> str:
        """Why the rule set's ``closed`` says a day is not a court day (escaped for JSON)."""
        found = self.reasons.get((ordinal, forward))
        if found is None:
            said = self.ruleset.closed(self.asker, date.fromordinal(ordinal), forward)
            assert said is not None
            found = self.reasons[(ordinal, forward)] = _q(said)[1:-1]
        return found

    def _check_rolls(self) -> bool:
        """Whether ``_roll_text`` writes what the rule set's ``roll`` writes, on a day that
        stays, a weekend and a legal holiday, each way (else every roll step is the rule set's
        own, written once per day)."""
        k = len(self.family) - 1
        days = [date(2020, 1, 8), date(2020, 1, 4), date(2020, 1, 20), date(2020, 1, 19)]
        for kind in (0, 1, 2):
            table = self.forward if kind != 1 else self.back
            for d in days:
                o = d.toordinal()
                if table(o) and self._roll_text(kind, o) != self._own_roll(kind, k, o):
                    return False
        return True

    def end_step(self, k: int) -> tuple[str, str]:
        """The rule and note of the last step (when the last day ends), as JSON."""
        found = self.eod.get(k)
        if found is None:
            rs = self.ruleset
            court = self.court
            version = self.family[k]
            closes = court.clerk_closes
            paper = f" ({closes.strftime('%H:%M')})" if closes else ""
            run = Run(court, Request(), rs.default, rs.book(court))
            note = (
                f"the last day ends at midnight court time ({court.tz}) for electronic filing;"
                f" for filing by other means, when the clerk's office closes{paper} ({rs.cite('(a)(4)(B)')})"
                + _zones(run)
                + f"; computed under {version.label}"
            )
            found = self.eod[k] = (_q(rs.cite("(a)(4)(A)")), _q(note))
        return found

    def head(self, ordinal: int) -> str:
        """The line's JSON up to its warnings: due, due_at, safe_due, readings."""
        found = self.heads.get(ordinal)
        if found is None:
            iso = _name(ordinal)[0]
            ends = datetime.combine(date.fromordinal(ordinal), END_OF_DAY, tzinfo=self.zone)
            at = ends.isoformat(timespec="minutes")
            found = self.heads[ordinal] = (
                f'{{"due": "{iso}", "due_at": "{at}", "safe_due": "{iso}", "readings": '
                + _SETTLED_JSON % iso
                + ', "warnings": '
            )
            self.ats[ordinal] = at
        return found

    def warnings(self, notes: tuple[str, ...]) -> str:
        found = self.warned.get(notes)
        if found is None:
            found = self.warned[notes] = json.dumps(list(notes), ensure_ascii=False)
        return found


def _book_name(ruleset: Federal, court: Court) -> str:
    """What a court's holidays under a rule set are kept by (with the year)."""
    kind = type(ruleset)
    states = ",".join(ruleset.book_states(court))
    return f"book {kind.__module__}.{kind.__qualname__} {court.id} {states}"


def _book_sources(ruleset: Federal, court: Court) -> Callable[[], list[Path]]:
    """The files a court's holidays are made of: the federal list and the holidays package's
    files, the court lists, the court's states' files (and their folder, where a state's file
    may be added), and the code of the rule set and of the book; found once."""
    found: list[Path] = []

    def sources() -> list[Path]:
        if not found:
            import calendars.days
            from calendars.holidays import _federal_sources

            out = _federal_sources()
            out += [data_path(name) for name in DATA_FILES]  # what the court's record says
            folder = data_path("holidays")
            out.append(folder)
            for state in ruleset.book_states(court):
                path = folder / f"{state.lower()}.toml"
                if path.exists():
                    out.append(path)
            for kind in type(ruleset).__mro__:
                module = sys.modules.get(kind.__module__)
                where = getattr(module, "__file__", None)
                if where and kind.__module__.startswith("calendars"):
                    out.append(Path(where))
            out.append(Path(calendars.days.__file__))
            found.extend(dict.fromkeys(out))
        return found

    return sources


_plans: dict[tuple[str, str | None], Plan | None] = {}
#: the same, for the court's own rule set (rules None), by court id
_by_court: dict[str, Plan | None] = {}
#: the rule and words of a kind of roll step -> ordinal -> the step off that court day (``Plan.stays``)
_stays: dict[tuple[str, str], dict[int, str]] = {}
#: time zone -> (due ordinal -> the head of a line, due ordinal -> the instant it ends)
_zone_heads: dict[str, tuple[dict[int, str], dict[int, str]]] = {}


def plan(court: Court, rules: str | None) -> Plan | None:
    """The plan of ``court`` under ``rules`` (its own rule set when None or empty), or None
    when that rule set answers in its own way, or is unknown (the general path says so)."""
    key = (court.id, rules)
    try:
        return _plans[key]
    except KeyError:
        pass
    from calendars.due import ComputeError

    try:
        ruleset: RuleSet = get_ruleset(rules or court.ruleset)
    except ComputeError:
        found = None
    else:
        found = Plan(court, ruleset, rules) if _like_federal(ruleset) else None
    _plans[key] = found
    if rules is None:
        _by_court[court.id] = found
    return found


def _like_federal(ruleset: RuleSet) -> TypeGuard[Federal]:
    """A rule set of the Federal family that finds, rolls and words its plain periods as
    ``Federal`` does (a subclass that changes any of that takes its own path)."""
    if not isinstance(ruleset, Federal):
        return False
    kind = type(ruleset)
    return all(
        getattr(kind, name) is getattr(Federal, name)
        for name in (
            "quick",
            "_quick_roll",
            "adds",
            "compute",
            "book",
            "make_book",
            "explain",
            "run",
            "computed",
            "period_end",
            "closure",
            "service",
            "roll",
            "add_calendar",
            "end_of_day",
            "closed",
        )
    )


def quick_days(court: Court, req: Request, rules: str | None = None) -> Due | None:
    """``req``'s answer when it is a plain period in days or weeks (see the module's text), or
    None: the caller then computes it the general way. Answered from the plan's answers by the
    unrolled last day (``Plan.settle``); a last day they do not settle by ``_quick_days``.
    (Written out: this is the core's hottest path.)"""
    anchor = req.anchor
    period = req.period
    if type(anchor) is not date or period is None or req.closures or req.rules_as_of is not None:
        return None
    if rules is None:
        try:
            p = _by_court[court.id]
        except KeyError:
            p = plan(court, None)
    else:
        p = plan(court, rules)
    if p is None:
        return None
    unit = period.unit
    if unit is _DAYS:
        days = period.n
    elif unit is _WEEKS:
        days = period.n * 7
    else:
        return None
    start = anchor.toordinal()
    if not FIRST_ORDINAL <= start <= LAST_ORDINAL or not 0 < days <= LONGEST:
        return None
    method = req.service
    i = p.newest if start >= p.newest_from else bisect_right(p.since, start)
    if req.direction is _AFTER:
        table = p.forward_by[i].get(method)
        if table is None:
            return None  # no version in force, or a method the rule set does not know
        if method == "electronic" and start < E_SERVICE_ORDINAL <= start + days + 12:
            return None  # the period may straddle the 2016 amendment: the general path decides
        first = start + days
        found = table.get(first)
        if found is None:
            found = p.settle(True, table is p.after3, first)
        notes = p.years_after.get(anchor.year)
        if notes is None:
            notes = p.year_notes(anchor, _AFTER)
    else:
        adds = p.by_version[i].get(method)
        if adds is None:
            return None
        if method == "electronic" and start < E_SERVICE_ORDINAL <= start + days + 12:
            return None
        first = start - days
        found = p.before.get(first)
        if found is None:
            found = p.settle(False, False, first)
        notes = p.years_before.get(anchor.year)
        if notes is None:
            notes = p.year_notes(anchor, req.direction)
        if adds and found:
            notes = notes + p.not_before(i - 1, method, anchor, found[0].toordinal())
    if not found:
        return _quick_days(p, court, req, rules, start, days)
    due, due_at, readings = found
    return Due(due, due_at, due, readings, notes, None, p.explain, (court, req))


def _quick_days(
    p: Plan, court: Court, req: Request, rules: str | None, start: int, days: int
) -> Due | None:
    """``quick_days`` for a last day the plan's answers do not settle: one that meets an
    unsettled day (``_unsettled``), or a due date past the supported years (None)."""
    anchor = req.anchor
    assert isinstance(anchor, date)
    if not FIRST_ORDINAL <= start <= LAST_ORDINAL or not 0 < days <= LONGEST:
        return None
    method = req.service
    if method not in p.methods:
        return None
    k = bisect_right(p.since, start) - 1
    if k < 0:
        return None
    adds = False
    if method != "none":
        if method == "electronic" and start < E_SERVICE_ORDINAL <= start + days + 12:
            return None
        adds = method in p._adds[k]
    if req.direction is _AFTER:
        forward = True
        first = start + days
        end = p.ahead.get(first)
        if end is None:
            end = p.forward(first)
        notes = p.years_after.get(anchor.year)
    else:
        forward = False
        first = start - days
        end = p.behind.get(first)
        if end is None:
            end = p.back(first)
        notes = p.years_before.get(anchor.year)
    if notes is None:
        notes = p.year_notes(anchor, req.direction)
    if end and adds:
        if forward:
            end = p.forward(end + 3)
        else:
            notes = notes + p.not_before(k, method, anchor, end)
    if not end:
        return _unsettled(p, court, req, rules, k, forward, first)
    if end > LAST_ORDINAL:
        return None
    due, due_at, readings = p.answers.get(end) or p.answer(end)
    return Due(due, due_at, due, readings, notes, None, p.explain, (court, req))


def unsettled_answer(p: Plan, court: Court, req: Request, rules: str | None) -> Due | None:
    """``quick_days``'s answer to a plain period that ``line_of`` found ``UNSETTLED`` (its
    tables give () for that last day), without settling the year of its tables: the bulk
    calculator's lines keep their own, and would not use it."""
    anchor = req.anchor
    period = req.period
    assert isinstance(anchor, date) and period is not None
    days = period.n * 7 if period.unit is _WEEKS else period.n
    return _quick_days(p, court, req, rules, anchor.toordinal(), days)


#: days beyond the unrolled last day that no roll, service days and roll again reach
REACH = 30


def _unsettled(
    p: Plan, court: Court, req: Request, rules: str | None, k: int, forward: bool, first: int
) -> Due | None:
    """A plain period whose last day meets an unsettled question (a state holiday counted
    forward, an executive-order closure, Inauguration Day): the rule set's general answer,
    kept for the next request of the same version, direction and unrolled last day whose
    service adds days or not alike and whose year has the same warnings. Such answers depend on
    nothing else as long as no other version of the rule takes effect, and no holiday is
    declared, within reach of the period; where one might, None (the general path, every
    time)."""
    anchor = req.anchor
    assert isinstance(anchor, date)
    start = anchor.toordinal()
    reach = first + REACH if forward else start + REACH
    if reach > LAST_ORDINAL or (k + 1 < len(p.since) and p.since[k + 1] <= reach):
        return None
    if p.declared_within(start, reach):
        return None
    # the answer depends on the service method only by whether it adds days (the words of the
    # service step are in the trace, which is built from the request itself)
    method = req.service
    adds = method != "none" and method in p._adds[k]
    key = (k, forward, adds, first, (p.years_after if forward else p.years_before)[anchor.year])
    found = p.unsettled.get(key)
    if found is None:
        due = get_ruleset(rules or court.ruleset).compute(court, req)
        p.unsettled[key] = (due.due, due.due_at, due.safe_due, due.readings, due.warnings)
        return due
    return Due(*found, None, p.explain, (court, req))


def quick_line(
    court: Court,
    rules: str | None,
    anchor: date,
    period: Period,
    direction: Direction,
    method: str,
    trace: bool = True,
) -> str | None:
    """The answer to ``period`` ``direction`` ``anchor`` with service by ``method`` as
    ``docketcal compute --jsonl`` writes it (``json.dumps`` of ``Due.to_json(trace=trace)``,
    ``ensure_ascii=False``), or None (see the module's text)."""
    p = _by_court.get(court.id, False) if rules is None else _plans.get((court.id, rules), False)
    if p is False:
        p = plan(court, rules)
    if p is None:
        return None
    assert isinstance(p, Plan)
    unit = period.unit
    if unit is _DAYS:
        days = period.n
    elif unit is _WEEKS:
        days = period.n * 7
    else:
        return None
    found = line_of(p, anchor, days, period, str(period), direction is _AFTER, method, trace)
    return found if type(found) is str else None


#: what ``line_of`` gives for a plain period whose last day the tables do not settle (an
#: unsettled day met): the caller computes it with ``calendars.compute``
UNSETTLED = 0


def line_of(
    p: Plan,
    anchor: date,
    days: int,
    period: Period,
    period_text: str,
    forward: bool,
    method: str,
    trace: bool,
) -> str | int | None:
    """``quick_line`` for a plan, a period of ``days`` days stated as ``period`` (written
    ``period_text``) and a direction; ``UNSETTLED`` when the period's last day meets a day whose
    status is unsettled (``calendars.compute`` answers those the rule set's way, and keeps the
    dates), None for anything else the pieces do not answer."""
    start = anchor.toordinal()
    if not FIRST_ORDINAL <= start <= LAST_ORDINAL or not 0 < days <= LONGEST:
        return None
    i = p.newest if start >= p.newest_from else bisect_right(p.since, start)
    key = (i, forward, method, period.unit is _WEEKS)
    kind = p.kinds.get(key)
    if kind is None:
        if p.by_version[i].get(method) is None:
            return None  # no version in force, or a method the rule set does not know
        kind = p.kinds[key] = _Kind(p, i - 1, forward, method)
    if kind.exact is False:
        return None
    if method == "electronic" and start < E_SERVICE_ORDINAL <= start + days + 12:
        return None  # the period may straddle the 2016 amendment: the general path decides
    first = start + days if forward else start - days
    end = kind.ends.get(first)
    if end is None:
        end = kind.end(first)
    if not end:
        return UNSETTLED
    head = p.heads.get(end)
    if head is None:
        head = p.head(end)
    notes = (p.years_after if forward else p.years_before).get(anchor.year)
    if notes is None:
        notes = p.year_notes(anchor, _AFTER if forward else _BEFORE)
    if kind.not_added:  # service adds nothing to a period counted before an event
        notes = notes + p.not_before(i - 1, method, anchor, end)
    warned = p.warned.get(notes)
    if warned is None:
        warned = p.warnings(notes)
    if not trace and kind.exact:
        return f"{head}{warned}}}"
    tail = kind.tail(first)
    a_iso, a_name = _names.get(start) or _name(start)
    f_iso, f_name = _names.get(first) or _name(first)
    line = (
        f'{head}{warned}{kind.add}{a_iso}", "to": "{f_iso}{kind.counted}{period_text}'
        f"{kind.way}{a_name} is {f_name}{tail}"
    )
    if kind.exact is None:
        req = Request(
            anchor=anchor,
            period=period,
            direction=_AFTER if forward else _BEFORE,
            service=method,
        )
        kind.exact = line == _general(p.court, req, p.rules)
        if not kind.exact:
            return None
    return line if trace else f"{head}{warned}}}"


class _Kind:
    """The constant pieces of the lines of one kind of request (version, direction, method),
    whether they were found to give the rule set's own line (None: not yet checked), and the
    part of each line that depends on its unrolled last day alone (``tail``)."""

    __slots__ = (
        "add",
        "adds",
        "counted",
        "end_added",
        "end_at",
        "end_note",
        "ends",
        "exact",
        "forward",
        "k",
        "not_added",
        "p",
        "roll",
        "service",
        "three",
        "way",
    )

    def __init__(self, p: Plan, k: int, forward: bool, method: str) -> None:
        rs = p.ruleset
        version = p.family[k]
        self.p = p
        self.k = k
        self.forward = forward
        #: whether 3 days are added after the period (service that adds them, counted forward)
        self.adds = forward and method in version.adds
        #: whether the service would add days but the period is counted before an event
        self.not_added = not forward and method in version.adds
        #: the unrolled last day -> the due day, or 0 when the tables do not settle it (shared
        #: by the kinds of one direction whose service adds days or not alike)
        self.ends = p.ends[forward * 2 + self.adds]
        self.exact: bool | None = None
        if (
            not version.current_style
            or version.short_below
            or version.service_days != "after-period"
        ):
            self.exact = False
        self.add = f', "trace": [{{"step": 1, "rule": {_q(rs.cite("(a)(1)(A)-(B)"))}, "from": "'
        self.counted = '", "note": ' + _q("exclude the day of the event and count every day: ")[:-1]
        self.way = " after " if forward else " before "
        self.roll = 0 if forward else 1
        last = 3
        self.service: str | None = None
        self.three = ""
        if method != "none":
            self.service = f', {{"step": 3, "rule": {_q(version.service)}, "from": "'
            if method in version.adds and forward:
                self.three = (
                    '", "note": '
                    + _q(
                        f"service by {method}: 3 days are added after the period would otherwise"
                        " expire, "
                    )[:-1]
                )
            else:
                if method not in version.adds:
                    if method == "electronic" and version.since >= E_SERVICE_ENDS:
                        why = "electronic service on or after 2016-12-01 adds no days"
                    else:
                        why = f"service by {method} adds no days under {version.label}"
                else:
                    why = "no days added to a period counted before an event"
                self.three = '", "note": ' + _q(why) + "}"
                last = 4
        rule, note = p.end_step(k)
        self.end_at = f', {{"step": {last}, "rule": {rule}, "from": "'
        self.end_added = f', {{"step": 5, "rule": {rule}, "from": "'
        self.end_note = f'", "note": {note}}}]}}'

    def end(self, first: int) -> int:
        """The due day of the unrolled last day ``first``, or 0 when the tables do not settle it
        (an unsettled day met, or a due date past the supported years); kept in ``ends``."""
        p = self.p
        if self.forward:
            end = p.ahead.get(first)
            if end is None:
                end = p.forward(first)
        else:
            end = p.behind.get(first)
            if end is None:
                end = p.back(first)
        if end and self.adds:
            added = end + 3
            end = p.ahead.get(added)
            if end is None:
                end = p.forward(added)
        if end > LAST_ORDINAL:
            end = 0
        self.ends[first] = end
        return end

    def tail(self, first: int) -> str:
        """The line after the first step's note for the unrolled last day ``first`` (one the
        tables settle; ``end`` has found its due day). Built for each line: few lines share
        one, and keeping them costs more memory than it saves."""
        p = self.p
        k = self.k
        end = self.ends[first]
        rolled = (p.ahead if self.forward else p.behind)[first]  # filled by ``end``
        step2 = None
        if p.templated:
            if rolled == first:  # a court day: the words every plan alike writes (shared)
                step2 = p.stays[self.roll].get(first) or p.stays_text(self.roll, first)
            else:
                step2 = p.rolls[self.roll].get(first)
        if step2 is None:
            step2 = p.roll_step(self.roll, k, first)
        last = f'{_names[end][0]}", "to": "{p.ats[end]}{self.end_note}'
        if self.service is None:
            return f'"}}, {{"step": 2{step2}{self.end_at}{last}'
        r_iso, r_name = _names.get(rolled) or _name(rolled)
        if self.adds:
            added = rolled + 3
            t_iso, t_name = _names.get(added) or _name(added)
            step4 = None
            if p.templated and p.ahead[added] == added:  # filled by ``end``
                step4 = p.stays[2].get(added) or p.stays_text(2, added)
            if step4 is None:
                step4 = p.roll_step(2, k, added)
            return (
                f'"}}, {{"step": 2{step2}{self.service}{r_iso}", "to": "{t_iso}{self.three}'
                f'{r_name} + 3 = {t_name}"}}, {{"step": 4{step4}'
                f"{self.end_added}{last}"
            )
        return (
            f'"}}, {{"step": 2{step2}{self.service}{r_iso}", "to": "{r_iso}{self.three}'
            f"{self.end_at}{last}"
        )


def _general(court: Court, req: Request, rules: str | None) -> str:
    """The line of the rule set's own computation (to check a kind of request once)."""
    ruleset = get_ruleset(rules or court.ruleset)
    return json.dumps(ruleset.compute(court, req).to_json(), ensure_ascii=False)

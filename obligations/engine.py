"""The engine: orders and facts in, a schedule out. Pure and deterministic.

``schedule(orders, facts, as_of)`` chains obligations by what triggers them (the order itself,
a case event, another duty's completion, due date or default), computes every due date under
the court's rules with ``calendars``, applies amendments, extensions and vacaturs in order
without overwriting anything, and gives every obligation a state: waiting (and on what), open,
overdue, done (on time or late), vacated, moot (its condition not met, or the default it follows
did not happen), or standing. A combined rule computes each part under its own rule and says
which governs; a periodic duty is a series of instances (``ID#1``, ``ID#2``, ...).
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar, cast

from calendars import (
    Court,
    Direction,
    Due,
    Period,
    Reading,
    Request,
    Step,
    Unit,
    compute,
    service_from_order,
)
from calendars.courts import get_court
from calendars.days import day_name
from calendars.errors import LAST_YEAR
from calendars.rulesets.base import SETTLED
from obligations.model import (
    Amendment,
    Completion,
    Condition,
    Event,
    Extension,
    Facts,
    Kind,
    Obligation,
    Order,
    State,
    Vacatur,
)
from obligations.when import (
    WEEKDAYS,
    Anchor,
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
    anchors_of,
)

Key = tuple[str, str, str]  # case, order, obligation
Node = tuple[str, str]  # order, obligation

#: A periodic duty's instances are listed up to this many days past ``as_of`` or past its first
#: instance not yet done, whichever is later (the store schedules without a clock).
HORIZON = timedelta(days=366)
#: At most this many instances of one series are computed (a guard, never reached in practice).
MAX_INSTANCES = 2000
ONE_DAY = timedelta(days=1)


@dataclass(slots=True)
class Item:
    """One obligation (or one instance of a recurring or periodic one) as scheduled on ``as_of``.

    Read-only by convention (a change makes a new one with ``dataclasses.replace``): a frozen
    dataclass sets each of its fields through ``object.__setattr__``, which made building the
    thousands of items of a schedule twice as slow."""

    ref: str
    case: str
    order: str
    obligation: str
    court: str
    party: str
    text: str
    cite: str
    kind: Kind
    state: State
    rule: When | None = None  # the due rule (its text is ``when``, written when asked for)
    due: Due | None = None
    waiting_on: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    done_on: date | None = None
    late_by: int | None = None
    consequence: str = ""
    condition: str = ""
    occurrence: str = ""
    summary: str = ""
    end_at: datetime | None = None  # an appearance's end (DTEND), court time
    opens_on: date | None = None  # waiting on a default: the day it opens if nothing is done
    review: str = ""
    source_text: str = ""

    @property
    def due_date(self) -> date | None:
        return self.due.due if self.due is not None else None

    @property
    def when(self) -> str:
        """The due rule's canonical text."""
        return str(self.rule) if self.rule is not None else ""

    def to_json(self) -> dict[str, Any]:
        """The stable keys of ``upcoming --format json``, then the rest."""
        from obligations.contract import upcoming_item

        due = self.due
        return {
            **upcoming_item(
                ref=self.ref,
                case=self.case,
                order=self.order,
                obligation=self.obligation,
                party=self.party,
                text=self.text,
                cite=self.cite,
                state=self.state.value,
                due=due.due if due else None,
                due_at=due.due_at if due else None,
                safe_due=due.safe_due if due else None,
                waiting_on=self.waiting_on,
                court=self.court,
            ),
            "kind": self.kind.value,
            "court": self.court,
            "when": self.when,
            "chain": list(self.chain),
            "history": list(self.history),
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "late_by": self.late_by,
            "consequence": self.consequence,
            "condition": self.condition,
            "summary": self.summary,
            "end_at": self.end_at.isoformat(timespec="minutes") if self.end_at else None,
            "opens_on": self.opens_on.isoformat() if self.opens_on else None,
            "review": self.review,
            "source_text": self.source_text,
        }


@dataclass(frozen=True, slots=True)
class Pending:
    """An amendment naming an order that is not loaded: held until that order is."""

    case: str
    order: str  # the amending order
    target: str  # the order it amends
    what: str  # what it changes, in words
    line: int = 0


@dataclass(frozen=True, slots=True)
class Schedule:
    as_of: date
    items: tuple[Item, ...]
    problems: tuple[str, ...] = ()
    pending: tuple[Pending, ...] = ()

    def get(self, ref: str) -> Item:
        for item in self.items:
            if item.ref == ref:
                return item
        raise KeyError(ref)

    def find(self, order: str, obligation: str) -> Item:
        for item in self.items:
            if item.order == order and item.obligation == obligation:
                return item
        raise KeyError(f"{order}/{obligation}")


@lru_cache(maxsize=8192)
def summarize(text: str, words: int = 8) -> str:
    """The first words of the order's sentence, when the order file gives no summary."""
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


# --- the case, indexed -----------------------------------------------------------------------


@dataclass(slots=True)
class _Change:
    """An amendment or a recorded extension or vacatur, in the order it applies."""

    seq: int
    source: str
    change: Amendment | Extension | Vacatur


@dataclass(slots=True)
class _Case:
    """One case's orders and facts, indexed for the run."""

    case: str
    orders: dict[str, Order]
    completions: dict[tuple[str, str], Completion]
    events: dict[str, Event]
    occurrences: dict[str, list[Event]]
    changes: dict[tuple[str, str], list[_Change]]
    conditions: dict[str, Condition]
    computed: dict[Node, Item] = field(default_factory=dict)
    by_id: dict[str, dict[str, Obligation]] = field(default_factory=dict)

    def target(self, order: Order, name: str, *, event_allowed: bool) -> Node | None:
        """The obligation a name means: ``order-id/obligation-id``; one of this order; for
        ``x.due`` and ``x.missed`` (``event_allowed`` False) the one other order of the case that
        has it (the loader rejects a name two other orders share). None: an event, or unknown."""
        if name in self.by_id[order.id]:
            return (order.id, name)
        if "/" in name:
            other, _, own = name.rpartition("/")
            return (other, own) if own in self.by_id.get(other, {}) else None
        if event_allowed:
            return None
        owners = [oid for oid, obs in self.by_id.items() if name in obs]
        return (owners[0], name) if len(owners) == 1 else None


_Fact = TypeVar("_Fact", Completion, Event, Condition)


def _latest(facts: Iterable[_Fact], key: Callable[[_Fact], Any]) -> dict[Any, _Fact]:
    """The latest recorded fact per key: a later fact corrects an earlier one."""
    out: dict[Any, _Fact] = {}
    for f in sorted(facts, key=lambda f: f.seq):
        out[key(f)] = f
    return out


def schedule(orders: Sequence[Order], facts: Facts, as_of: date) -> Schedule:
    """The schedule of every obligation in ``orders`` on ``as_of``, given what is recorded.

    The cyclic garbage collector is paused while it runs: a schedule is thousands of small
    objects kept until it is returned, none of them in a reference cycle, and the collector's
    passes over them cost more than the scheduling (bench/README.md)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        return _schedule(orders, facts, as_of)
    finally:
        if was_on:
            gc.enable()


def _schedule(orders: Sequence[Order], facts: Facts, as_of: date) -> Schedule:
    closures: dict[str, frozenset[date]] = {}
    for c in facts.closures:
        closures[c.court] = closures.get(c.court, frozenset()) | {c.day}
    by_case: dict[str, list[Order]] = {}
    for order in sorted(orders, key=lambda o: (o.entered, o.id)):
        by_case.setdefault(order.case, []).append(order)
    items: list[Item] = []
    problems: list[str] = []
    pending: list[Pending] = []
    courts: dict[str, Court] = {}
    for case, case_orders in by_case.items():
        state = _index(case, case_orders, facts)
        pending.extend(_pending(state))
        for key in _order_of_work(state, problems):
            order = state.orders[key[0]]
            obligation = state.by_id[key[0]][key[1]]
            shut = closures.get(order.court, frozenset())
            ctx = _Ctx(state, order, obligation, as_of, shut, courts)
            items.extend(_schedule_one(ctx))
    items.sort(key=lambda i: (i.due_date or date.max, i.case, i.ref))
    return Schedule(as_of, tuple(items), tuple(problems), tuple(pending))


def _index(case: str, orders: list[Order], facts: Facts) -> _Case:
    mine = {o.id: o for o in orders}
    completions = _latest(
        (c for c in facts.completions if c.case == case), lambda c: (c.order, c.obligation)
    )
    latest_events = _latest(
        (e for e in facts.events if e.case == case), lambda e: (e.name, e.occurrence)
    )
    events: dict[str, Event] = {}
    occurrences: dict[str, list[Event]] = {}
    for (name, occurrence), event in sorted(latest_events.items(), key=lambda kv: kv[1].seq):
        if occurrence:
            occurrences.setdefault(name, []).append(event)
        else:
            events[name] = event
            occurrences.setdefault(name, []).append(event)
    for name in occurrences:
        occurrences[name].sort(key=lambda e: (_day(e.at), e.seq))
    conditions = _latest((c for c in facts.conditions if c.case == case), lambda c: c.name)
    by_id = {o.id: {ob.id: ob for ob in o.obligations} for o in orders}
    changes: dict[tuple[str, str], list[_Change]] = {}
    seq = 0
    # Amendments in later orders first (in order of entry), then recorded facts in the order
    # recorded. An amendment of every obligation is filed under "*"; one of several, under each.
    for order in orders:
        for amend in order.amendments:
            if amend.order not in mine:
                continue
            seq += 1
            names = ("*",) if amend.every else amend.targets
            for name in names:
                changes.setdefault((amend.order, name), []).append(
                    _Change(seq, f"order {order.id}", amend)
                )
    recorded: list[Extension | Vacatur] = [e for e in facts.extensions if e.case == case]
    recorded += [v for v in facts.vacaturs if v.case == case]
    for fact in sorted(recorded, key=lambda f: f.seq):
        seq += 1
        changes.setdefault((fact.order, fact.obligation), []).append(_Change(seq, "recorded", fact))
    return _Case(case, mine, completions, events, occurrences, changes, conditions, by_id=by_id)


def _pending(state: _Case) -> list[Pending]:
    """Amendments of an order the case does not have (yet)."""
    return [
        Pending(state.case, order.id, amend.order, amend.describe(), amend.line)
        for order in state.orders.values()
        for amend in order.amendments
        if amend.order not in state.orders
    ]


def _order_of_work(state: _Case, problems: list[str]) -> list[Node]:
    """Obligations in dependency order (what they wait on first); cycles reported in full.
    Iterative, so a chain of any length is scheduled (no recursion limit)."""
    nodes: list[Node] = [(o.id, ob.id) for o in state.orders.values() for ob in o.obligations]
    edges: dict[Node, list[Node]] = {}
    for order_id, obligation_id in nodes:
        order = state.orders[order_id]
        due = state.by_id[order_id][obligation_id].due
        if due is None or type(due) is Fixed:
            edges[(order_id, obligation_id)] = []
            continue
        deps: list[Node] = []
        anchors: Iterable[Anchor]
        kind = type(due)
        if kind is Relative or kind is SameDay:
            anchor = cast(Relative | SameDay, due).anchor
            anchors = anchor.anchors if type(anchor) is Combined else (anchor,)
        else:
            anchors = anchors_of(due)
        for anchor in anchors:
            named = type(anchor)
            if named is NamedAnchor or named is DueAnchor or named is MissedAnchor:
                found = state.target(order, anchor.name, event_allowed=named is NamedAnchor)  # type: ignore[union-attr]
                if found is not None:
                    deps.append(found)
        edges[(order_id, obligation_id)] = deps
    done: set[Node] = set()
    on_path: set[Node] = set()
    out: list[Node] = []
    for root in nodes:
        if root in done:
            continue
        path: list[Node] = [root]
        on_path.add(root)
        stack: list[Iterable[Node]] = [iter(edges[root])]
        while stack:
            node = path[-1]
            for dep in stack[-1]:
                if dep in done:
                    continue
                if dep in on_path:
                    loop = [*path[path.index(dep) :], dep]
                    problems.append(
                        f"a chain loops: {' -> '.join(n[1] for n in loop)} (order {dep[0]})"
                    )
                    continue
                path.append(dep)
                on_path.add(dep)
                stack.append(iter(edges[dep]))
                break
            else:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                out.append(node)
    return out


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _iso(value: date | datetime) -> str:
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value.isoformat()


def _ref(case: str, order: str, obligation: str) -> str:
    return f"{case}/{order}/{obligation}"


# --- one obligation's context ----------------------------------------------------------------


@dataclass(slots=True)
class _Ctx:
    """What scheduling one obligation needs: the case, its order, the duty, the day, closures."""

    state: _Case
    order: Order
    ob: Obligation
    as_of: date
    closures: frozenset[date]
    #: court id -> the court, looked up once per schedule
    courts: dict[str, Court]

    @property
    def cite(self) -> str:
        """The citation of the engine's own steps: the order's pinpoint."""
        return f"order {self.order.id} {self.ob.cite}".rstrip()

    def compute(self, request: Request) -> Due:
        """``calendars.compute`` in the order's court under its rules."""
        order = self.order
        court = self.courts.get(order.court)
        if court is None:
            court = self.courts[order.court] = get_court(order.court)
        return compute(court, request, rules=self.ob.rules or order.rules)


# --- resolving anchors -----------------------------------------------------------------------


@dataclass(slots=True)
class _Resolved:
    """What an anchor came to: a date, or what it is still waiting on; and the chain in words."""

    at: date | datetime | None = None
    waiting: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()
    depends: tuple[str, ...] = ()
    from_order: bool = False
    service: str = ""  # the method recorded with the fact, if any
    service_from: str = ""  # which fact it was recorded with
    moot: str = ""  # why the anchor can never happen
    pending: tuple[str, ...] = ()  # a default not yet happened
    opens_on: date | None = None
    due_at: datetime | None = None  # another duty's due instant (X.due), with the order's time
    end_at: datetime | None = None  # and that duty's end (an appearance)


def _resolve_simple(ctx: _Ctx, anchor: SimpleAnchor, occurrence: Event | None) -> _Resolved:
    state, order = ctx.state, ctx.order
    r = _Resolved()
    kind = type(anchor)  # one lookup instead of a chain of isinstance: this runs per duty
    if kind is OrderAnchor:
        r.at = order.start
        r.from_order = True
        r.chain += (f"order {order.id} {order.runs_from} {order.start.isoformat()}",)
        return r
    if kind is DateAnchor:
        r.at = cast(DateAnchor, anchor).at
        r.chain += (f"the date {anchor}",)
        return r
    named = cast(NamedAnchor | DueAnchor | MissedAnchor, anchor)
    target = state.target(order, named.name, event_allowed=kind is NamedAnchor)
    item = state.computed.get(target) if target is not None else None
    if kind is DueAnchor:
        if item is None or item.due is None or item.state is State.MOOT:
            why = (
                f" (itself waiting on {', '.join(item.waiting_on)})"
                if item and item.waiting_on
                else ""
            )
            if item is not None and item.state is State.MOOT:
                r.moot = f"{named.name} is moot"
            r.waiting += (f"{named.name}.due{why}",)
            return r
        r.at = item.due.due
        r.due_at, r.end_at = item.due.due_at, item.end_at
        r.chain += (f"{named.name} due {item.due.due.isoformat()}",)
        r.depends += (item.ref,)
        if item.state is State.WAITING:  # a date at the earliest, or a default not yet happened
            r.pending += item.waiting_on
            r.opens_on = item.opens_on
        return r
    if kind is MissedAnchor:
        return _resolve_missed(ctx, cast(MissedAnchor, named), item, target, r)
    if target is not None:
        done = state.completions.get(target)
        if done is None:
            r.waiting += (f"{named.name} (not yet done)",)
        else:
            r.at = done.on
            late = ""
            if item is not None and item.due is not None and done.on > item.due.due:
                late = f", {(done.on - item.due.due).days} days late"
            r.chain += (f"{named.name} done {done.on.isoformat()}{late}",)
            if done.service:
                r.service, r.service_from = (
                    done.service,
                    f"{named.name} done {done.on.isoformat()}",
                )
        if item is not None:
            r.depends += (item.ref,)
        return r
    event = (
        occurrence
        if occurrence is not None and occurrence.name == named.name
        else state.events.get(named.name)
    )
    if event is None:
        r.waiting += (f"{named.name} (event not recorded)",)
    else:
        r.at = event.at
        r.chain += (f"{named.name} recorded for {_iso(event.at)}",)
        if event.service:
            r.service, r.service_from = (
                event.service,
                f"{named.name} recorded for {_iso(event.at)}",
            )
    return r


def _resolve_missed(
    ctx: _Ctx, anchor: MissedAnchor, item: Item | None, target: Node | None, r: _Resolved
) -> _Resolved:
    """The day after another duty's due date, once it passed with no completion by then."""
    name = anchor.name
    if item is None or target is None or item.due is None or item.state is State.WAITING:
        why = (
            f" (itself waiting on {', '.join(item.waiting_on)})" if item and item.waiting_on else ""
        )
        r.waiting += (f"{name}.due{why}",)
        return r
    r.depends += (item.ref,)
    if item.state in (State.VACATED, State.MOOT):
        r.moot = f"{name} is {item.state.value}: there is no default to follow"
        return r
    due = item.due.due
    if due == date.max:
        r.waiting += (f"{name}.due (a date past the end of the calendar)",)
        return r
    day_after = due + ONE_DAY
    done = ctx.state.completions.get(target)
    if done is not None and done.on <= due:
        r.moot = f"{name} done {done.on.isoformat()}, on or before its due date {due.isoformat()}: the default did not happen"
        return r
    r.at = day_after
    if done is not None:
        late = (done.on - due).days
        r.chain += (
            f"{name} not done by {due.isoformat()} (done {done.on.isoformat()}, {late} days late):"
            f" the default happened on {day_after.isoformat()}",
        )
    elif ctx.as_of > due:
        r.chain += (
            f"{name} not done by {due.isoformat()}: the default happened on {day_after.isoformat()}",
        )
    else:
        r.chain += (
            f"if {name} is not done by {due.isoformat()}, the default happens on {day_after.isoformat()}",
        )
        r.pending += (f"{name} not done by {due.isoformat()}",)
        r.opens_on = day_after
    return r


def _resolve(ctx: _Ctx, anchor: Anchor, occurrence: Event | None) -> _Resolved:
    if not isinstance(anchor, Combined):
        return _resolve_simple(ctx, anchor, occurrence)
    parts = [_resolve_simple(ctx, a, occurrence) for a in anchor.anchors]
    out = _Resolved()
    for p in parts:
        out.chain += p.chain
        out.depends += p.depends
        out.pending += p.pending
        if p.opens_on is not None:
            out.opens_on = max(out.opens_on or p.opens_on, p.opens_on)
    known = [p for p in parts if p.at is not None]
    missing = tuple(w for p in parts for w in p.waiting)
    if anchor.pick == "later":
        if missing or not known:
            out.waiting = missing  # the later of them cannot be known until all are
            out.moot = next((p.moot for p in parts if p.moot), "")
            return out
        best = max(known, key=lambda p: _day(p.at))  # type: ignore[arg-type]
    else:
        if not known:
            out.waiting = tuple(missing)
            out.moot = (
                "; ".join(p.moot for p in parts if p.moot) if all(p.moot for p in parts) else ""
            )
            return out
        best = min(known, key=lambda p: _day(p.at))  # type: ignore[arg-type]
        if missing:
            out.chain += (f"provisional: it comes earlier if {', '.join(missing)} happens first",)
    out.at, out.from_order = best.at, best.from_order
    out.service, out.service_from = best.service, best.service_from
    out.chain += (f"the {anchor.pick} is {_iso(best.at)}",)  # type: ignore[arg-type]
    return out


# --- computing a rule ------------------------------------------------------------------------


@dataclass(slots=True)
class _Got:
    """What a rule came to: a date (and what else it may still wait on), or only what it
    waits on, or why it cannot happen, or a computation the rules refuse."""

    due: Due | None = None
    waiting: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()
    depends: tuple[str, ...] = ()
    problem: str = ""
    moot: str = ""
    provisional: bool = False  # the date is not yet the date: the duty waits (with the date)
    opens_on: date | None = None
    end_at: datetime | None = None
    unrolled: date | None = None  # the date before any roll, for a series' other reading
    start: date | None = None  # a period's anchor day (no service added), to find that date


def _refused(exc: Exception) -> str:
    """Why a computation was refused; a date past the calendar's end is said in words."""
    if isinstance(exc, OverflowError):
        return "the date falls outside the calendar (before year 1 or after 9999)"
    return str(exc)


def _with_steps(
    due: Due,
    before: Sequence[tuple[str, date | datetime | None, date | datetime | None, str]] = (),
    *,
    readings: tuple[Reading, ...] | None = None,
    warnings: tuple[str, ...] = (),
) -> Due:
    """``due`` with the engine's own steps before the rule set's (numbered on), more readings
    and warnings. The trace stays lazy: it is built when read."""
    ordered = readings if readings is not None else due.readings

    def explain() -> tuple[Step, ...]:
        steps = [Step(n, rule, a, b, note) for n, (rule, a, b, note) in enumerate(before, 1)]
        steps += [replace(s, step=len(before) + s.step) for s in due.trace]
        return tuple(steps)

    return Due(
        due.due,
        due.due_at,
        min(r.due for r in ordered) if ordered else due.safe_due,
        ordered,
        tuple(dict.fromkeys((*due.warnings, *warnings))),
        explain=explain if before else (lambda: due.trace),
    )


def _fixed_day(ctx: _Ctx, on: date | datetime) -> Due:
    return ctx.compute(Request(fixed=on, closures=ctx.closures))


def _part(ctx: _Ctx, part: Part, occurrence: Event | None) -> _Got:
    """One simple rule, computed under its own rule."""
    got = _Got()
    if isinstance(part, Fixed):
        on = part.on if part.at is None else datetime.combine(part.on, part.at)
        got.due = _fixed_day(ctx, on)
        got.unrolled = part.on
        got.chain += (f"a date fixed by the court: {part}",)
        if part.end is not None:
            zone = get_court(ctx.order.court).zone
            got.end_at = datetime.combine(part.on, part.end, tzinfo=zone)
        return got
    resolved = _resolve(ctx, part.anchor, occurrence)
    got.chain += resolved.chain
    got.depends += resolved.depends
    got.opens_on = resolved.opens_on
    if resolved.moot:
        got.moot = resolved.moot
        return got
    if resolved.at is None:
        got.waiting = resolved.waiting
        return got
    if resolved.pending:
        got.waiting += resolved.pending
        got.provisional = True
    if isinstance(part, SameDay):
        day = _day(resolved.at)
        base = _fixed_day(ctx, day)
        note = (
            f"'{part}': due on the day of its anchor, {day.isoformat()}; no period is counted"
            " and the day is not rolled"
        )
        if resolved.due_at is not None and resolved.due_at != base.due_at:
            # The anchor is another duty set for a time of day (a hearing at 9:00): the same
            # instant, not the day's end.
            at = resolved.due_at.replace(tzinfo=None)
            base = _fixed_day(ctx, at)
            note += f"; at the time set for it, {at.strftime('%H:%M')}"
            got.end_at = resolved.end_at
        got.due = _with_steps(base, [(ctx.cite, day, day, note)])
        got.unrolled = day
        return got
    return _relative(ctx, part, resolved, got)


def _relative(ctx: _Ctx, part: Relative, resolved: _Resolved, got: _Got) -> _Got:
    order, ob = ctx.order, ctx.ob
    assert resolved.at is not None
    service, source = part.service, "the due rule"
    if service is None and resolved.service:
        service, source = resolved.service, f"recorded with {resolved.service_from}"
    if service is None and ob.service:
        service, source = ob.service, "the obligation's service key"
    method = service or "none"
    steps: list[tuple[str, date | datetime | None, date | datetime | None, str]] = []
    note = None
    if method != "none" and resolved.from_order and order.runs_from != "served":
        # Each rule set decides and cites its own service rule (FRCP 6(d), CCP 1013, ...).
        note = service_from_order(order.court, method, order.runs_from, ob.rules or order.rules)
    if note is not None:
        got.chain += (note,)
        method = "none"
    elif method != "none" and source != "the due rule":
        got.chain += (f"service by {method}, {source}",)
        steps.append(
            (
                ctx.cite,
                resolved.at,
                resolved.at,
                f"service by {method}: {source}; the rule set decides what it adds",
            )
        )
    due = ctx.compute(
        Request(
            anchor=resolved.at,
            period=part.period,
            direction=part.direction,
            service=method,
            closures=ctx.closures,
        )
    )
    got.due = _with_steps(due, steps) if steps else due
    if method == "none":
        got.start = _day(resolved.at)
    if part.weekday is not None:
        return _weekday(ctx, part, got)
    return got


def _next_weekday(day: date, weekday: int) -> date:
    """The first ``weekday`` strictly after ``day``: a week on when ``day`` is one itself."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


def _weekday(ctx: _Ctx, part: Relative, got: _Got) -> _Got:
    """ "on the monday after 20 days after service" (Tex. R. Civ. P. 99(b): "the Monday next
    after the expiration of twenty days"): the period as the rule set counts it, then the first
    such weekday after the day it expires (a week on when that day is one itself), moved as the
    rule set moves a last day when it is not a court day; at the rule's time of day, court time.

    The period expires on its last day as counted on the calendar (nothing moves it: the
    weekday is not due on it). Where the rule set would first move that day off a weekend or
    holiday, the weekday after the moved day is another reading; the earlier is the safe one.
    """
    period = got.due
    assert period is not None and part.weekday is not None
    weekday, name = part.weekday, WEEKDAYS[part.weekday].capitalize()
    counted = _count(got.start, part.period, part.direction) if got.start is not None else None
    got.start = None  # a series counts on from the weekday, not from the period's last day
    ends = [(counted or period.due, "")]
    for r in period.readings:
        ends.append((r.due, r.assumes))
    steps: list[Step] = list(period.trace)
    zone = get_court(ctx.order.court).zone
    readings: list[Reading] = []
    warnings: list[str] = []
    seen: set[date] = set()
    for k, (end, assumes) in enumerate(ends):
        target = _next_weekday(end, weekday)
        if target in seen:
            continue
        seen.add(target)
        moved = ctx.compute(
            Request(anchor=target - ONE_DAY, period=Period(1, Unit.DAYS), closures=ctx.closures)
        )
        day = moved.due
        at = datetime.combine(day, part.at, tzinfo=zone) if part.at is not None else moved.due_at
        if k == 0:
            first = _weekday_steps(ctx, part, period.due, end, counted, target, moved)
            steps += first
            if at is not None and part.at is None and day == target:
                # no time in the rule: the day ends as the rule set ends a last day
                steps += [s for s in moved.trace if isinstance(s.end, datetime)]
            elif at is not None:
                steps.append(
                    Step(0, ctx.cite, day, at, f"due at {at.strftime('%H:%M %Z')}, court time")
                )
                if day != target:
                    warnings.append(
                        f"the {name} {day_name(target)} is not a court day and the rule moves it"
                        f" to {day_name(day)}; the time {at.strftime('%H:%M')} is kept on it,"
                        " though a day moved as a last day may be read to run to its end"
                    )
            text = (
                f"the period ends on its last day as counted, {day_name(end)}, not moved"
                " (the rule names its own day after it)"
            )
            if end == period.due:
                text = period.readings[0].assumes if period.readings else SETTLED
        elif counted is not None and end != counted:
            text = (
                f"the period's last day is first moved to {day_name(end)}, as the rule set"
                f" moves a last day ({assumes})"
            )
        else:
            text = f"the period's last day is {day_name(end)} ({assumes})"
        readings.append(Reading(day, text, at))
        for other in moved.readings:  # the weekday's own move may be unsettled too
            if other.due != day:
                when = (
                    datetime.combine(other.due, part.at, tzinfo=zone)
                    if part.at is not None
                    else other.due_at
                )
                readings.append(Reading(other.due, f"{text}; {other.assumes}", when))
    default = readings[0]
    numbered = tuple(replace(s, step=n) for n, s in enumerate(steps, 1))
    got.unrolled = _next_weekday(ends[0][0], weekday)
    got.due = Due(
        default.due,
        default.due_at,
        min(r.due for r in readings),
        tuple(readings) if len(readings) > 1 else (Reading(default.due, SETTLED, default.due_at),),
        tuple(dict.fromkeys((*period.warnings, *warnings))),
        trace=numbered,
    )
    return got


def _weekday_steps(
    ctx: _Ctx,
    part: Relative,
    rolled: date,
    end: date,
    counted: date | None,
    target: date,
    moved: Due,
) -> list[Step]:
    """The steps from the period's last day to the weekday, and on to a court day if moved."""
    name = WEEKDAYS[part.weekday or 0].capitalize()
    steps: list[Step] = []
    verb = "expires" if part.period.n == 1 else "expire"
    note = f"the {part.period} {verb} on {day_name(end)}"
    if counted is None and part.period.unit is not Unit.COURT_DAYS:
        # service added its time: the period's end is the rule set's, as it moves a last day
        note = f"the {part.period} and the time service adds end on {day_name(end)}, as the rule set computes them"
    if counted is not None and counted != rolled:
        note += (
            f", the last day as counted; the {name} is found from it, not from"
            f" {day_name(rolled)}, the day the rule set would move a last day to"
        )
    steps.append(Step(0, ctx.cite, end, end, note))
    if end.weekday() == part.weekday:
        note = (
            f"{day_name(end)} is itself a {name}: the {name} after it is the next one,"
            f" {day_name(target)}"
        )
    else:
        note = f"'the {name} after': the first {name} after {day_name(end)} is {day_name(target)}"
    steps.append(Step(0, ctx.cite, end, target, note))
    if moved.due == target:
        steps.append(
            Step(0, ctx.cite, target, target, f"{day_name(target)} is a court day: it stays")
        )
    else:
        steps.append(
            Step(
                0,
                ctx.cite,
                target,
                moved.due,
                f"{day_name(target)} is not a court day: it moves as the rule set moves a last"
                " day (counted as 1 day after the day before it)",
            )
        )
        steps += moved.trace
    return steps


def _count(start: date, period: Period, direction: Direction) -> date | None:
    """A period counted on the calendar with no roll (months clamp to the month's end): the
    date a series' other reading counts on from. None for units whose end is never rolled or
    that are not counted in days."""
    sign = 1 if direction is Direction.AFTER else -1
    try:
        if period.unit in (Unit.DAYS, Unit.WEEKS):
            days = period.n * (7 if period.unit is Unit.WEEKS else 1)
            return start + timedelta(days=sign * days)
        if period.unit in (Unit.MONTHS, Unit.YEARS):
            months = period.n * (12 if period.unit is Unit.YEARS else 1)
            index = start.year * 12 + start.month - 1 + sign * months
            year, month = divmod(index, 12)
            import calendar

            last = calendar.monthrange(year, month + 1)[1]
            return date(year, month + 1, min(start.day, last))
    except (OverflowError, ValueError):
        return None
    return None


def _rule(ctx: _Ctx, when: Part | Either, occurrence: Event | None) -> _Got:
    """A simple rule, or whole rules combined: each part under its own rule."""
    try:
        if not isinstance(when, Either):
            return _part(ctx, when, occurrence)
        return _either(ctx, when, [_part(ctx, p, occurrence) for p in when.parts])
    except (ValueError, OverflowError) as exc:
        return _Got(problem=_refused(exc))


def _either(ctx: _Ctx, when: Either, gots: list[_Got]) -> _Got:
    out = _Got()
    for g in gots:
        out.chain += g.chain
        out.depends += g.depends
        if g.opens_on is not None:
            out.opens_on = max(out.opens_on or g.opens_on, g.opens_on)
        if g.problem and not out.problem:
            out.problem = g.problem
    if out.problem:
        return out
    known = [(n, g) for n, g in enumerate(gots, 1) if g.due is not None and not g.moot]
    missing = tuple(w for g in gots if g.due is None and not g.moot for w in g.waiting)
    if not known:
        if all(g.moot for g in gots):
            out.moot = "; ".join(g.moot for g in gots)
        else:
            out.waiting = missing
        return out
    if when.pick == "once":
        first, second = gots
        if second.due is not None and not second.moot:
            n_best, best = 2, second
        else:
            n_best, best = 1, first
            out.waiting = missing
    else:
        earlier = when.pick == "earlier"
        n_best, best = known[0]
        assert best.due is not None
        for n, g in known[1:]:
            assert g.due is not None
            if (g.due.due < best.due.due) if earlier else (g.due.due > best.due.due):
                n_best, best = n, g
        out.waiting = missing
        out.provisional = bool(missing) and not earlier
    out.waiting += tuple(w for w in best.waiting if w not in out.waiting)
    out.provisional = out.provisional or any(g.provisional for _, g in known)
    out.due = _combine(ctx, when, gots, known, n_best, missing)
    out.end_at = best.end_at
    return out


def _governs(
    when: Either, known: Sequence[tuple[int, Due]], n_best: int, missing: Sequence[str]
) -> str:
    """The last step of a combined rule's trace: which part governs, and why."""
    parts = when.parts
    best = dict(known)[n_best].due
    if when.pick == "once":
        if n_best == 2:
            return f"part 2 governs: '{parts[1]}' can be computed"
        return f"part 1 governs until '{parts[1]}' can be computed"
    dates = ", ".join(f"{due.due.isoformat()} (part {n})" for n, due in known)
    why = f"the {when.pick} of {dates} governs: {best.isoformat()} (part {n_best})"
    if missing:
        what = ", ".join(missing)
        if when.pick == "earlier":
            why += f"; it comes earlier if the other part does once it can be computed ({what})"
        else:
            why += f"; this is the earliest it can be: the later of the parts cannot be known until {what}"
    return why


def _combine(
    ctx: _Ctx,
    when: Either,
    gots: list[_Got],
    known: list[tuple[int, _Got]],
    n_best: int,
    missing: tuple[str, ...],
) -> Due:
    """The governing part's date, with every part's steps in the trace and the readings of
    the combination (each part's readings in turn) and its safe date."""
    dues = [(n, g.due) for n, g in known if g.due is not None]
    best = dict(dues)[n_best]
    readings = best.readings
    if when.pick != "once" and any(len(due.readings) > 1 for _, due in dues):
        pick = min if when.pick == "earlier" else max
        choices = [[(n, r) for r in due.readings] for n, due in dues]
        found: dict[date, Reading] = {}
        for combo in itertools.islice(itertools.product(*choices), 512):
            day = pick(r.due for _, r in combo)
            if day not in found:
                said = [f"part {n}: {r.assumes}" for n, r in combo if r.assumes != SETTLED]
                found[day] = Reading(day, "; ".join(said) or SETTLED)
        readings = tuple(found.values())
    warnings = [w for _, due in dues for w in due.warnings]
    # what the trace needs, and no more: a closure that held the context would hold the whole
    # case in a reference cycle
    cite = ctx.cite
    shown = [(g.due, g.moot, g.waiting) for g in gots]

    def explain() -> tuple[Step, ...]:
        steps: list[Step] = []
        total = len(shown)
        for n, (part, (due, moot, waiting)) in enumerate(zip(when.parts, shown, strict=True), 1):
            if due is not None:
                note = f"part {n} of {total}, '{part}', computed under its own rule: {due.due.isoformat()}"
                steps.append(Step(len(steps) + 1, cite, None, due.due, note))
                steps += [replace(s, step=len(steps) + i) for i, s in enumerate(due.trace, 1)]
            else:
                why_not = moot or f"waits on {', '.join(waiting)}"
                note = f"part {n} of {total}, '{part}': not computed yet ({why_not})"
                steps.append(Step(len(steps) + 1, cite, None, None, note))
        why = _governs(when, dues, n_best, missing)
        steps.append(Step(len(steps) + 1, cite, None, best.due, why))
        return tuple(steps)

    return Due(
        best.due,
        best.due_at,
        min(r.due for r in readings) if len(readings) > 1 else best.safe_due,
        readings,
        tuple(dict.fromkeys(warnings)) if len(dues) > 1 else best.warnings,
        explain=explain,
    )


# --- scheduling one obligation ---------------------------------------------------------------


def _base(ctx: _Ctx) -> dict[str, Any]:
    ob, order = ctx.ob, ctx.order
    return {
        "case": ctx.state.case,
        "order": order.id,
        "court": order.court,
        "party": ob.party,
        "text": ob.text,
        "cite": ob.cite,
        "kind": ob.kind,
        "rule": ob.due,
        "consequence": ob.consequence or order.consequence,
        "condition": ob.condition,
        "summary": ob.summary or summarize(ob.text),
        "review": ob.review,
        "source_text": ob.source_text,
    }


def _schedule_one(ctx: _Ctx) -> list[Item]:
    state, order, ob = ctx.state, ctx.order, ctx.ob
    base = _base(ctx)
    node = (order.id, ob.id)
    if ob.kind is Kind.RECURRING:
        head = _head(ctx, base, f"one instance each time {ob.on} is recorded")
        items = [head]
        for n, occurrence in enumerate(state.occurrences.get(ob.on, []), 1):
            instance = _deadline(ctx, f"{ob.id}#{n}", base, occurrence)
            if head.state is State.VACATED:
                instance = replace(instance, state=State.VACATED, history=head.history)
            items.append(instance)
        state.computed[node] = head
        return items
    if ob.kind in (Kind.STANDING, Kind.PROHIBITION):
        item = Item(
            ref=_ref(state.case, order.id, ob.id), obligation=ob.id, state=State.STANDING, **base
        )
        item = _apply_vacatur_only(ctx, ob.id, item)
        state.computed[node] = item
        return [item]
    if isinstance(ob.due, Periodic):
        items = _series(ctx, ob.due, base)
        state.computed[node] = items[0]
        return items
    item = _deadline(ctx, ob.id, base, None)
    state.computed[node] = item
    return [item]


def _head(ctx: _Ctx, base: dict[str, Any], chain: str) -> Item:
    """The duty as a whole, above its instances (a recurring or a periodic one): standing, or
    vacated with it."""
    head = Item(
        ref=_ref(ctx.state.case, ctx.order.id, ctx.ob.id),
        obligation=ctx.ob.id,
        state=State.STANDING,
        chain=(chain,),
        **base,
    )
    return _apply_vacatur_only(ctx, ctx.ob.id, head)


def _changes(ctx: _Ctx, oid: str) -> list[_Change]:
    """Every change that applies to ``oid`` (an obligation or an instance of one), in order:
    to all of its order's obligations, to the obligation, to the instance."""
    changes = ctx.state.changes
    if not changes:
        return []
    order_id, ob_id = ctx.order.id, ctx.ob.id
    every = changes.get((order_id, "*"))
    own = changes.get((order_id, ob_id), [])
    instance = changes.get((order_id, oid)) if oid != ob_id else None
    if not every and not instance:
        return own
    found = [*(every or ()), *own, *(instance or ())]
    found.sort(key=lambda c: c.seq)
    return found


def _vacates(change: Amendment | Extension | Vacatur) -> bool | None:
    """True if a change vacates the duty, False if it undoes a vacatur, None if it extends."""
    if isinstance(change, Vacatur):
        return not change.undone
    if isinstance(change, Amendment):
        return True if change.action in ("vacate", "supersede") else None
    return None


def _applies(change: Amendment | Extension | Vacatur, due: Due | None) -> bool:
    """An amendment of obligations due on or after a date reaches only those, by their date."""
    if not isinstance(change, Amendment) or change.due_on_or_after is None:
        return True
    return due is not None and due.due >= change.due_on_or_after


def _apply_vacatur_only(ctx: _Ctx, oid: str, item: Item) -> Item:
    """For a duty with no date to extend: only vacaturs (and their undoing) change it."""
    history: list[str] = []
    vacated = False
    for c in _changes(ctx, oid):
        verdict = _vacates(c.change)
        if verdict is not None and _applies(c.change, item.due):
            vacated = verdict
            history.append(_amend_line(c.source, c.change))
    if not history:
        return item
    return replace(item, state=State.VACATED if vacated else item.state, history=tuple(history))


def _amend_line(source: str, change: Amendment | Extension | Vacatur) -> str:
    """One history line: what changed, on whose authority, why."""
    if isinstance(change, Vacatur):
        what = "vacatur undone" if change.undone else "vacated"
    elif isinstance(change, Amendment) and change.action == "supersede":
        what = f"superseded by {change.replacement}"
    elif isinstance(change, Amendment) and change.action == "vacate":
        what = "vacated"
    elif change.to is not None:
        what = f"extended to {_iso(change.to)}"
    else:
        what = f"extended by {change.by}"
    return f"{what} ({source})" + (f": {change.reason}" if change.reason else "")


def _deadline(
    ctx: _Ctx,
    oid: str,
    base: dict[str, Any],
    occurrence: Event | None,
    got: _Got | None = None,
) -> Item:
    """A dated duty (or an instance): its rule computed (or ``got``, computed already), then
    the court's changes, the completion and the condition, in that order."""
    ob, order, state = ctx.ob, ctx.order, ctx.state
    ref = _ref(state.case, order.id, oid)
    occurrence_text = _iso(occurrence.at) if occurrence else ""
    chain: list[str] = [f"{ob.on} recorded for {occurrence_text}"] if occurrence else []
    when = ob.due
    if got is None:
        if when is None:
            if ob.review:
                waiting = Item(
                    ref=ref,
                    obligation=oid,
                    state=State.WAITING,
                    waiting_on=(f"review: {ob.review}",),
                    chain=(f"the due rule is not written yet: {ob.review}",),
                    **base,
                )
                return _apply_vacatur_only(ctx, oid, waiting)
            # a recurring duty without its own due rule
            return Item(
                ref=ref,
                obligation=oid,
                state=State.STANDING,
                chain=tuple(chain),
                occurrence=occurrence_text,
                **base,
            )
        got = _rule(ctx, when.first if isinstance(when, Periodic) else when, occurrence)
    chain += got.chain
    depends = got.depends if len(got.depends) < 2 else tuple(dict.fromkeys(got.depends))
    if got.problem:
        return Item(
            ref=ref,
            obligation=oid,
            state=State.WAITING,
            waiting_on=(f"a computation the rules refuse: {got.problem}",),
            chain=tuple(chain),
            depends_on=depends,
            occurrence=occurrence_text,
            **base,
        )
    if got.moot:
        moot = Item(
            ref=ref,
            obligation=oid,
            state=State.MOOT,
            chain=(*chain, got.moot),
            depends_on=depends,
            occurrence=occurrence_text,
            **base,
        )
        return _apply_vacatur_only(ctx, oid, moot)
    if got.due is None:
        waiting = Item(
            ref=ref,
            obligation=oid,
            state=State.WAITING,
            waiting_on=tuple(got.waiting),
            chain=tuple(chain),
            depends_on=depends,
            occurrence=occurrence_text,
            **base,
        )
        return _apply_vacatur_only(ctx, oid, waiting)
    due: Due | None = got.due
    history: list[str] = []
    vacated = False
    problem = ""
    for c in _changes(ctx, oid):
        if not _applies(c.change, due):
            continue
        verdict = _vacates(c.change)
        if verdict is not None:
            vacated = verdict
            history.append(_amend_line(c.source, c.change))
            continue
        before = due.due if due is not None else None
        try:
            due = _extend(ctx, c.change, due)
        except (ValueError, OverflowError) as exc:
            problem = _refused(exc)
        line = _amend_line(c.source, c.change)
        if before is not None and due is not None:
            line += f"; was {before.isoformat()}, now {due.due.isoformat()}"
        history.append(line)
    if problem:
        return Item(
            ref=ref,
            obligation=oid,
            state=State.WAITING,
            waiting_on=(f"a computation the rules refuse: {problem}",),
            chain=tuple(chain),
            history=tuple(history),
            depends_on=depends,
            occurrence=occurrence_text,
            **base,
        )
    flags: list[str] = []
    condition = ob.condition_name if ob.condition or ob.condition_id else ""
    met = state.conditions.get(condition) if condition else None
    if condition and met is None:
        flags.append(
            f"condition '{condition}' is not recorded as met or not met: the date holds if it is met"
        )
    if ob.review:
        flags.append(f"review: {ob.review}")
    if due is not None and flags:
        due = _with_steps(due, warnings=tuple(flags))
    done = state.completions.get((order.id, oid))
    waiting_on = tuple(got.waiting)
    opens_on = got.opens_on if got.provisional else None
    if vacated:
        st = State.VACATED
    elif done is not None:
        st = State.DONE
    elif met is not None and not met.met:
        st = State.MOOT
        on = f" on {met.on.isoformat()}" if met.on else ""
        chain.append(f"condition '{condition}' recorded as not met{on}: the duty is moot")
    elif got.provisional:
        st = State.WAITING
    elif due is not None and ctx.as_of > due.due:
        st = State.OVERDUE
    else:
        st = State.OPEN
    if met is not None and met.met:
        chain.append(
            f"condition '{condition}' recorded as met"
            + (f" on {met.on.isoformat()}" if met.on else "")
        )
    late = None
    if done is not None and due is not None:
        late = max(0, (done.on - due.due).days)
    return Item(
        ref=ref,
        obligation=oid,
        state=st,
        due=due,
        waiting_on=waiting_on,
        chain=tuple(chain),
        history=tuple(history),
        depends_on=depends,
        done_on=done.on if done else None,
        late_by=late,
        occurrence=occurrence_text,
        end_at=got.end_at
        if due is not None and got.due is not None and due.due == got.due.due
        else None,
        opens_on=opens_on,
        **base,
    )


def _extend(ctx: _Ctx, change: Amendment | Extension | Vacatur, due: Due | None) -> Due | None:
    """An extension: to a date the court fixes, or by a period counted from the current due
    date under the court's rules."""
    assert not isinstance(change, Vacatur)
    if change.to is not None:
        return ctx.compute(Request(fixed=change.to, closures=ctx.closures))
    if due is None or change.by is None:
        return due
    return ctx.compute(
        Request(anchor=due.due, period=change.by, direction=Direction.AFTER, closures=ctx.closures)
    )


# --- periodic duties -------------------------------------------------------------------------


def _series(ctx: _Ctx, when: Periodic, base: dict[str, Any]) -> list[Item]:
    """A periodic duty: its head (standing, for the series as a whole) and its instances, each
    counted from the one before it as rolled; counting from the one before it as it was before
    the roll is the other reading where it differs."""
    ob = ctx.ob
    head = _head(ctx, base, f"a series: {when}")
    items = [head]
    end: date | None = None
    end_text = ""
    if when.until is not None:
        until = _resolve_simple(ctx, when.until, None)
        if until.at is not None:
            end = _day(until.at)
            end_text = (
                f"the series ends at {when.until}, {end.isoformat()}: no instance due after it"
            )
    first_open: date | None = None
    got = _rule(ctx, when.first, None)
    unrolled = got.unrolled  # instance #1's date before any roll
    if isinstance(when.first, Relative) and got.start is not None:
        unrolled = _count(got.start, when.first.period, when.first.direction)
    k = 1
    while True:
        if got.due is None or got.problem or got.moot:
            items.append(_deadline(ctx, f"{ob.id}#{k}", base, None, got))
            break
        day = got.due.due
        if end is not None and day > end:
            break
        if first_open is not None and day > max(ctx.as_of, first_open) + HORIZON:
            break
        if end_text:
            got.chain += (end_text,)
        item = _deadline(ctx, f"{ob.id}#{k}", base, None, got)
        items.append(item)
        if first_open is None and item.state not in (State.DONE, State.VACATED, State.MOOT):
            first_open = day
        if when.times is not None and k >= when.times:
            break
        if k >= MAX_INSTANCES or day.year >= LAST_YEAR:
            break
        k += 1
        got = _next(ctx, when, k, got, unrolled)
        unrolled = got.unrolled
    if head.state is State.VACATED:
        items[1:] = [replace(i, state=State.VACATED, history=head.history) for i in items[1:]]
    return items


def _next(ctx: _Ctx, when: Periodic, k: int, previous: _Got, unrolled: date | None) -> _Got:
    """Instance ``k``: ``when.every`` after the previous instance's date as rolled; the reading
    that counts from the previous date before its roll (``unrolled``) where it differs."""
    assert previous.due is not None
    prior = previous.due.due
    every = when.every
    got = _Got(depends=previous.depends)
    got.chain += (f"instance #{k - 1} due {prior.isoformat()}; every {every} after it",)
    try:
        due = ctx.compute(
            Request(anchor=prior, period=every, direction=Direction.AFTER, closures=ctx.closures)
        )
        other: Due | None = None
        if unrolled is not None and unrolled != prior:
            other = ctx.compute(
                Request(
                    anchor=unrolled, period=every, direction=Direction.AFTER, closures=ctx.closures
                )
            )
    except (ValueError, OverflowError) as exc:
        return _Got(problem=_refused(exc))
    note = f"instance #{k} of '{when}': {every} counted from instance #{k - 1}'s due date, {prior.isoformat()}, as rolled"
    readings = due.readings
    if other is not None:
        note += (
            f"; counted from its date before the roll, {unrolled.isoformat()},"  # type: ignore[union-attr]
            f" it is {other.due.isoformat()}"
        )
        if other.due not in {r.due for r in readings}:
            first = readings[0]
            readings = (
                Reading(
                    first.due,
                    f"{first.assumes}; the next instance is counted from the previous one's due date as rolled",
                ),
                *readings[1:],
                Reading(
                    other.due,
                    f"the next instance is counted from the previous one's date before the roll, {unrolled.isoformat()}",  # type: ignore[union-attr]
                ),
            )
    got.due = _with_steps(due, [(ctx.cite, prior, due.due, note)], readings=readings)
    got.unrolled = _count(unrolled if unrolled is not None else prior, every, Direction.AFTER)
    if got.unrolled is None and other is not None:
        got.unrolled = other.due
    return got


__all__ = ["HORIZON", "Item", "Pending", "Schedule", "schedule", "summarize"]

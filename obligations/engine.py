"""The engine: orders and facts in, a schedule out. Pure and deterministic.

``schedule(orders, facts, as_of)`` chains obligations by what triggers them (the order itself,
a case event, another duty's completion or due date), computes every due date under the
court's rules with ``calendars``, applies amendments, extensions and vacaturs in order without
overwriting anything, and gives every obligation a state: waiting (and on what), open,
overdue, done (on time or late), vacated, or standing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from calendars import ComputeError, Direction, Due, Request, compute, service_from_order
from obligations.model import (
    Completion,
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
    Anchor,
    Combined,
    DateAnchor,
    DueAnchor,
    Fixed,
    NamedAnchor,
    OrderAnchor,
    Relative,
    SimpleAnchor,
    When,
)

Key = tuple[str, str, str]  # case, order, obligation


@dataclass(frozen=True, slots=True)
class Item:
    """One obligation (or one instance of a recurring one) as scheduled on ``as_of``."""

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
    when: str = ""
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

    @property
    def due_date(self) -> date | None:
        return self.due.due if self.due is not None else None

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
        }


@dataclass(frozen=True, slots=True)
class Schedule:
    as_of: date
    items: tuple[Item, ...]
    problems: tuple[str, ...] = ()

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


def summarize(text: str, words: int = 8) -> str:
    """The first words of the order's sentence, when the order file gives no summary."""
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


# --- resolving anchors -----------------------------------------------------------------------


@dataclass(slots=True)
class _Resolved:
    """What an anchor came to: a date, or what it is still waiting on; and the chain in words."""

    at: date | datetime | None = None
    waiting: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    depends: list[str] = field(default_factory=list)
    from_order: bool = False


@dataclass(slots=True)
class _Case:
    """One case's orders and facts, indexed for the run."""

    case: str
    orders: dict[str, Order]
    completions: dict[tuple[str, str], Completion]
    events: dict[str, Event]
    occurrences: dict[str, list[Event]]
    changes: dict[tuple[str, str], list[tuple[str, Any]]]
    computed: dict[tuple[str, str], Item] = field(default_factory=dict)
    by_id: dict[str, dict[str, Obligation]] = field(default_factory=dict)

    def has(self, order: Order, name: str) -> bool:
        return name in self.by_id[order.id]

    def due_of(self, order: Order, name: str) -> str | None:
        """The order whose obligation ``name.due`` means: this one, else the one other order of
        the case that has it (the loader rejects a name two other orders share)."""
        if name in self.by_id[order.id]:
            return order.id
        others = [oid for oid, obs in self.by_id.items() if name in obs]
        return others[0] if len(others) == 1 else None


_Fact = TypeVar("_Fact", Completion, Event, Vacatur)


def _latest(facts: Iterable[_Fact], key: Callable[[_Fact], Any]) -> dict[Any, _Fact]:
    """The latest recorded fact per key: a later fact corrects an earlier one."""
    out: dict[Any, _Fact] = {}
    for f in sorted(facts, key=lambda f: f.seq):
        out[key(f)] = f
    return out


def schedule(orders: Sequence[Order], facts: Facts, as_of: date) -> Schedule:
    """The schedule of every obligation in ``orders`` on ``as_of``, given what is recorded."""
    closures: dict[str, frozenset[date]] = {}
    for c in facts.closures:
        closures[c.court] = closures.get(c.court, frozenset()) | {c.day}
    by_case: dict[str, list[Order]] = {}
    for order in sorted(orders, key=lambda o: (o.entered, o.id)):
        by_case.setdefault(order.case, []).append(order)
    items: list[Item] = []
    problems: list[str] = []
    for case, case_orders in by_case.items():
        state = _index(case, case_orders, facts)
        for key in _order_of_work(state, problems):
            order = state.orders[key[0]]
            obligation = state.by_id[key[0]][key[1]]
            items.extend(
                _schedule_one(
                    state, order, obligation, as_of, closures.get(order.court, frozenset())
                )
            )
    items.sort(key=lambda i: (i.due_date or date.max, i.case, i.ref))
    return Schedule(as_of, tuple(items), tuple(problems))


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
    changes: dict[tuple[str, str], list[tuple[str, Any]]] = {}
    # Amendments in later orders first (in order of entry), then recorded facts in the order recorded.
    for order in orders:
        for amend in order.amendments:
            changes.setdefault((amend.order, amend.obligation), []).append(
                (f"order {order.id}", amend)
            )
    recorded: list[Extension | Vacatur] = [e for e in facts.extensions if e.case == case]
    recorded += [v for v in facts.vacaturs if v.case == case]
    for fact in sorted(recorded, key=lambda f: f.seq):
        changes.setdefault((fact.order, fact.obligation), []).append(("recorded", fact))
    by_id = {o.id: {ob.id: ob for ob in o.obligations} for o in orders}
    return _Case(case, mine, completions, events, occurrences, changes, by_id=by_id)


def _order_of_work(state: _Case, problems: list[str]) -> list[tuple[str, str]]:
    """Obligations in dependency order (what they wait on first); cycles reported in full."""
    nodes: list[tuple[str, str]] = [
        (o.id, ob.id) for o in state.orders.values() for ob in o.obligations
    ]
    edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for order_id, obligation_id in nodes:
        order = state.orders[order_id]
        ob = state.by_id[order_id][obligation_id]
        deps = []
        for anchor in _anchors(ob.due):
            if isinstance(anchor, DueAnchor):
                where = state.due_of(order, anchor.name)
                if where is not None:
                    deps.append((where, anchor.name))
            elif isinstance(anchor, NamedAnchor) and anchor.name in state.by_id[order_id]:
                deps.append((order_id, anchor.name))
        edges[(order_id, obligation_id)] = deps
    done: set[tuple[str, str]] = set()
    path: list[tuple[str, str]] = []
    out: list[tuple[str, str]] = []

    def visit(node: tuple[str, str]) -> None:
        if node in done:
            return
        if node in path:
            loop = [*path[path.index(node) :], node]
            problems.append(f"a chain loops: {' -> '.join(n[1] for n in loop)} (order {node[0]})")
            return
        path.append(node)
        for dep in edges[node]:
            visit(dep)
        path.pop()
        done.add(node)
        out.append(node)

    for node in nodes:
        visit(node)
    return out


def _anchors(when: When | None) -> tuple[SimpleAnchor, ...]:
    if not isinstance(when, Relative):
        return ()
    return when.anchor.anchors if isinstance(when.anchor, Combined) else (when.anchor,)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _resolve_simple(
    state: _Case, order: Order, anchor: SimpleAnchor, occurrence: Event | None
) -> _Resolved:
    r = _Resolved()
    if isinstance(anchor, OrderAnchor):
        r.at = order.start
        r.from_order = True
        r.chain.append(f"order {order.id} {order.runs_from} {order.start.isoformat()}")
    elif isinstance(anchor, DateAnchor):
        r.at = anchor.at
        r.chain.append(f"the date {anchor}")
    elif isinstance(anchor, DueAnchor):
        where = state.due_of(order, anchor.name)
        item = state.computed.get((where, anchor.name)) if where else None
        if item is None or item.due is None:
            why = (
                f" (itself waiting on {', '.join(item.waiting_on)})"
                if item and item.waiting_on
                else ""
            )
            r.waiting.append(f"{anchor.name}.due{why}")
        else:
            r.at = item.due.due
            r.chain.append(f"{anchor.name} due {item.due.due.isoformat()}")
            r.depends.append(item.ref)
    elif state.has(order, anchor.name):
        item = state.computed.get((order.id, anchor.name))
        done = state.completions.get((order.id, anchor.name))
        if done is None:
            r.waiting.append(f"{anchor.name} (not yet done)")
        else:
            r.at = done.on
            late = ""
            if item is not None and item.due is not None and done.on > item.due.due:
                late = f", {(done.on - item.due.due).days} days late"
            r.chain.append(f"{anchor.name} done {done.on.isoformat()}{late}")
        if item is not None:
            r.depends.append(item.ref)
    else:
        event = (
            occurrence
            if occurrence is not None and occurrence.name == anchor.name
            else state.events.get(anchor.name)
        )
        if event is None:
            r.waiting.append(f"{anchor.name} (event not recorded)")
        else:
            r.at = event.at
            r.chain.append(f"{anchor.name} recorded for {_iso(event.at)}")
    return r


def _resolve(state: _Case, order: Order, anchor: Anchor, occurrence: Event | None) -> _Resolved:
    if not isinstance(anchor, Combined):
        return _resolve_simple(state, order, anchor, occurrence)
    parts = [_resolve_simple(state, order, a, occurrence) for a in anchor.anchors]
    out = _Resolved()
    for p in parts:
        out.chain += p.chain
        out.depends += p.depends
    known = [p for p in parts if p.at is not None]
    missing = [w for p in parts for w in p.waiting]
    if anchor.pick == "later":
        if missing:
            out.waiting = missing  # the later of them cannot be known until all are
            return out
        best = max(known, key=lambda p: _day(p.at))  # type: ignore[arg-type]
    else:
        if not known:
            out.waiting = missing
            return out
        best = min(known, key=lambda p: _day(p.at))  # type: ignore[arg-type]
        if missing:
            out.chain.append(f"provisional: it comes earlier if {', '.join(missing)} happens first")
    out.at, out.from_order = best.at, best.from_order
    out.chain.append(f"the {anchor.pick} is {_iso(best.at)}")  # type: ignore[arg-type]
    return out


def _iso(value: date | datetime) -> str:
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value.isoformat()


# --- scheduling one obligation ---------------------------------------------------------------


def _ref(case: str, order: str, obligation: str) -> str:
    return f"{case}/{order}/{obligation}"


def _schedule_one(
    state: _Case, order: Order, ob: Obligation, as_of: date, closures: frozenset[date]
) -> list[Item]:
    base: dict[str, Any] = {
        "case": state.case,
        "order": order.id,
        "court": order.court,
        "party": ob.party,
        "text": ob.text,
        "cite": ob.cite,
        "kind": ob.kind,
        "when": str(ob.due) if ob.due is not None else "",
        "consequence": ob.consequence,
        "condition": ob.condition,
        "summary": ob.summary or summarize(ob.text),
    }
    if ob.kind is Kind.RECURRING:
        head = Item(
            ref=_ref(state.case, order.id, ob.id),
            obligation=ob.id,
            state=State.STANDING,
            chain=(f"one instance each time {ob.on} is recorded",),
            **base,
        )
        head = _apply_vacatur_only(state, order, ob, head)
        items = [head]
        for n, occurrence in enumerate(state.occurrences.get(ob.on, []), 1):
            instance = _deadline(
                state, order, ob, f"{ob.id}#{n}", base, as_of, closures, occurrence
            )
            if head.state is State.VACATED:
                instance = replace(instance, state=State.VACATED, history=head.history)
            items.append(instance)
        state.computed[(order.id, ob.id)] = head
        return items
    if ob.kind in (Kind.STANDING, Kind.PROHIBITION):
        item = Item(
            ref=_ref(state.case, order.id, ob.id), obligation=ob.id, state=State.STANDING, **base
        )
        item = _apply_vacatur_only(state, order, ob, item)
        state.computed[(order.id, ob.id)] = item
        return [item]
    item = _deadline(state, order, ob, ob.id, base, as_of, closures, None)
    state.computed[(order.id, ob.id)] = item
    return [item]


def _vacates(change: Any) -> bool | None:
    """True if a change vacates the duty, False if it undoes a vacatur, None if it extends."""
    if isinstance(change, Vacatur):
        return not change.undone
    return True if getattr(change, "action", "extend") in ("vacate", "supersede") else None


def _apply_vacatur_only(state: _Case, order: Order, ob: Obligation, item: Item) -> Item:
    """For a duty with no date to extend: only vacaturs (and their undoing) change it."""
    history: list[str] = []
    vacated = False
    for source, change in state.changes.get((order.id, ob.id), []):
        verdict = _vacates(change)
        if verdict is not None:
            vacated = verdict
            history.append(_amend_line(source, change))
    if not history:
        return item
    return replace(item, state=State.VACATED if vacated else item.state, history=tuple(history))


def _amend_line(source: str, change: Any) -> str:
    """One history line: what changed, on whose authority, why."""
    action = getattr(change, "action", "extend")
    if isinstance(change, Vacatur):
        what = "vacatur undone" if change.undone else "vacated"
    elif action == "extend":
        what = (
            f"extended to {_iso(change.to)}"
            if change.to is not None
            else f"extended by {change.by}"
        )
    elif action == "supersede":
        what = f"superseded by {change.replacement}"
    else:
        what = "vacated"
    return f"{what} ({source})" + (f": {change.reason}" if change.reason else "")


def _deadline(
    state: _Case,
    order: Order,
    ob: Obligation,
    oid: str,
    base: dict[str, Any],
    as_of: date,
    closures: frozenset[date],
    occurrence: Event | None,
) -> Item:
    ref = _ref(state.case, order.id, oid)
    when = ob.due
    chain: list[str] = []
    depends: list[str] = []
    due: Due | None = None
    problem = ""
    if occurrence is not None:
        chain.append(f"{ob.on} recorded for {_iso(occurrence.at)}")
    if when is None:  # a recurring duty without its own due rule
        item = Item(
            ref=ref,
            obligation=oid,
            state=State.STANDING,
            chain=tuple(chain),
            occurrence=_iso(occurrence.at) if occurrence else "",
            **base,
        )
        return item
    try:
        if isinstance(when, Fixed):
            fixed = when.on if when.at is None else datetime.combine(when.on, when.at)
            due = compute(order.court, Request(fixed=fixed, closures=closures), rules=order.rules)
            chain.append(f"a date fixed by the court: {when}")
        else:
            resolved = _resolve(state, order, when.anchor, occurrence)
            chain += resolved.chain
            depends += resolved.depends
            if resolved.at is None:
                waiting = Item(
                    ref=ref,
                    obligation=oid,
                    state=State.WAITING,
                    waiting_on=tuple(resolved.waiting),
                    chain=tuple(chain),
                    depends_on=tuple(depends),
                    occurrence=_iso(occurrence.at) if occurrence else "",
                    **base,
                )
                return _apply_vacatur_only(state, order, ob, waiting)
            service = when.service or ob.service or "none"
            if service != "none" and resolved.from_order and order.runs_from != "served":
                # Each rule set decides and cites its own service rule (FRCP 6(d), CCP 1013, ...).
                note = service_from_order(order.court, service, order.runs_from, order.rules)
                if note is not None:
                    chain.append(note)
                    service = "none"
            due = compute(
                order.court,
                Request(
                    anchor=resolved.at,
                    period=when.period,
                    direction=when.direction,
                    service=service,
                    closures=closures,
                ),
                rules=order.rules,
            )
    except ComputeError as exc:
        problem = str(exc)
    history: list[str] = []
    vacated = False
    for source, change in state.changes.get((order.id, ob.id), []):
        verdict = _vacates(change)
        if verdict is not None:
            vacated = verdict
            history.append(_amend_line(source, change))
            continue
        before = due.due if due is not None else None
        try:
            due = _extend(order, change, due, closures)
        except ComputeError as exc:
            problem = str(exc)
        line = _amend_line(source, change)
        if before is not None and due is not None:
            line += f"; was {before.isoformat()}, now {due.due.isoformat()}"
        history.append(line)
    done = state.completions.get((order.id, oid))
    occurrence_text = _iso(occurrence.at) if occurrence else ""
    if problem:
        return Item(
            ref=ref,
            obligation=oid,
            state=State.WAITING,
            waiting_on=(f"a computation the rules refuse: {problem}",),
            chain=tuple(chain),
            history=tuple(history),
            depends_on=tuple(depends),
            occurrence=occurrence_text,
            **base,
        )
    if vacated:
        st = State.VACATED
    elif done is not None:
        st = State.DONE
    elif due is not None and as_of > due.due:
        st = State.OVERDUE
    else:
        st = State.OPEN
    late = None
    if done is not None and due is not None:
        late = max(0, (done.on - due.due).days)
    return Item(
        ref=ref,
        obligation=oid,
        state=st,
        due=due,
        chain=tuple(chain),
        history=tuple(history),
        depends_on=tuple(depends),
        done_on=done.on if done else None,
        late_by=late,
        occurrence=occurrence_text,
        **base,
    )


def _extend(order: Order, change: Any, due: Due | None, closures: frozenset[date]) -> Due | None:
    """An extension: to a date the court fixes, or by a period counted from the current due date."""
    to = change.to
    if to is not None:
        return compute(order.court, Request(fixed=to, closures=closures), rules=order.rules)
    if due is None:
        return None
    return compute(
        order.court,
        Request(anchor=due.due, period=change.by, direction=Direction.AFTER, closures=closures),
        rules=order.rules,
    )

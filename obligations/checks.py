"""``[[check]]`` examples: given these facts, an order file promises these dates and states.

A clerk proves an encoding before loading it: ``docketcal order check FILE`` runs every check
through the real engine and reports each expectation that does not hold, with its line;
``docketcal order load`` runs them too and loads nothing if one fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from calendars.courts import get_court
from obligations.engine import Item, schedule
from obligations.model import Check, Completion, Condition, Event, Facts, Order, State

STATES = {s.value for s in State}


@dataclass(frozen=True, slots=True)
class CheckResult:
    order: Order
    check: Check
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def label(self) -> str:
        name = f" ({self.check.name})" if self.check.name else ""
        return f"{self.order.path or self.order.id}:{self.check.line}: check{name}"


def facts_for(order: Order, check: Check) -> Facts:
    """``given`` names obligations of the order (their completion, or an instance's), case
    events (each with the service method it came by, if given) and conditions."""
    ids = {o.id for o in order.obligations}
    service = dict(check.service)
    completions, events, conditions = [], [], []
    for seq, (name, when) in enumerate(check.given, 1):
        method = service.get(name, "")
        if name.partition("#")[0] in ids:
            day = when.date() if isinstance(when, datetime) else when
            completions.append(Completion(order.case, order.id, name, day, seq=seq, service=method))
        else:
            events.append(Event(order.case, name, when, seq=seq, service=method))
    for seq, (name, met) in enumerate(check.conditions, len(check.given) + 1):
        conditions.append(Condition(order.case, name, met == "met", seq=seq))
    return Facts(events=tuple(events), completions=tuple(completions), conditions=tuple(conditions))


def run_checks(orders: Sequence[Order], world: Sequence[Order] | None = None) -> list[CheckResult]:
    """Every check of every order in ``orders``, each on its order and the orders of its case
    (in ``world``, default ``orders``) entered before it: a check proves the order as it was
    entered, so a later amendment does not break it."""
    everyone = orders if world is None else world
    results = []
    for order in orders:
        before = [
            o
            for o in everyone
            if o.case == order.case
            and o is not order
            and (o.entered, o.id) < (order.entered, order.id)
        ]
        mine = [*before, order]
        for check in order.checks:
            facts = facts_for(order, check)
            as_of = check.as_of or _as_of(order, check)
            sched = schedule(mine, facts, as_of)
            failures = []
            lines = check.expect_lines or (check.line,) * len(check.expect)
            for (obligation, expected), line in zip(check.expect, lines, strict=False):
                owner, _, name = obligation.rpartition("/")
                try:
                    item = sched.find(owner or order.id, name)
                except KeyError:
                    failures.append(f"line {line}: {obligation}: no such obligation")
                    continue
                failures.extend(f"line {line}: {f}" for f in _compare(obligation, item, expected))
            results.append(CheckResult(order, check, tuple(failures)))
    return results


def _as_of(order: Order, check: Check) -> date:
    days = [w.date() if isinstance(w, datetime) else w for _, w in check.given]
    return max([order.start, *days])


def _compare(name: str, item: Item, expected: str) -> list[str]:
    if expected in STATES:
        if item.state.value != expected:
            waiting = f" (waiting on {', '.join(item.waiting_on)})" if item.waiting_on else ""
            return [f"{name}: expected {expected}, got {item.state.value}{waiting}"]
        return []
    want = datetime.fromisoformat(expected) if "T" in expected else date.fromisoformat(expected)
    shown = want.isoformat(timespec="minutes") if isinstance(want, datetime) else want.isoformat()
    if item.due is None:
        waiting = f", waiting on {', '.join(item.waiting_on)}" if item.waiting_on else ""
        return [
            f"{name}: expected due {shown}, but it has no due date ({item.state.value}{waiting})"
        ]
    if isinstance(want, datetime):
        # compared with the due instant in court time
        got = item.due.due_at
        zone = get_court(item.court).zone
        if got is None:
            return [f"{name}: expected due {shown}, computed {item.due.due.isoformat()} (no time)"]
        local = got.astimezone(zone).replace(tzinfo=None)
        mine = want.astimezone(zone).replace(tzinfo=None) if want.tzinfo else want
        if local != mine:
            return [
                f"{name}: expected due {shown}, computed {local.isoformat(timespec='minutes')} (court time)"
            ]
        return []
    if item.due.due != want:
        return [f"{name}: expected due {shown}, computed {item.due.due.isoformat()}"]
    return []

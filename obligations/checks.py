"""``[[check]]`` examples: given these facts, an order file promises these dates and states.

A clerk proves an encoding before loading it: ``docketcal order check FILE`` runs every check
through the real engine and reports each expectation that does not hold, with its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from obligations.engine import Item, schedule
from obligations.model import Check, Completion, Event, Facts, Order, State

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
    """``given`` names obligations of the order (their completion) or case events."""
    ids = {o.id for o in order.obligations}
    completions, events = [], []
    for seq, (name, when) in enumerate(check.given, 1):
        if name in ids:
            day = when.date() if isinstance(when, datetime) else when
            completions.append(Completion(order.case, order.id, name, day, seq=seq))
        else:
            events.append(Event(order.case, name, when, seq=seq))
    return Facts(events=tuple(events), completions=tuple(completions))


def run_checks(orders: Sequence[Order]) -> list[CheckResult]:
    """Every check of every order, each on its order and the orders of its case entered before
    it: a check proves the order as it was entered, so a later amendment does not break it."""
    results = []
    for order in orders:
        world = [
            o
            for o in orders
            if o.case == order.case and (o.entered, o.id) <= (order.entered, order.id)
        ]
        for check in order.checks:
            facts = facts_for(order, check)
            as_of = check.as_of or _as_of(order, check)
            sched = schedule(world, facts, as_of)
            failures = []
            for obligation, expected in check.expect:
                owner, _, name = obligation.rpartition("/")
                try:
                    item = sched.find(owner or order.id, name)
                except KeyError:
                    failures.append(f"{obligation}: no such obligation")
                    continue
                failures.extend(_compare(obligation, item, expected))
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
    want = date.fromisoformat(expected)
    if item.due is None:
        waiting = f", waiting on {', '.join(item.waiting_on)}" if item.waiting_on else ""
        return [
            f"{name}: expected due {want.isoformat()}, but it has no due date ({item.state.value}{waiting})"
        ]
    if item.due.due != want:
        return [f"{name}: expected due {want.isoformat()}, computed {item.due.due.isoformat()}"]
    return []

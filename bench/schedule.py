"""Scheduling a synthetic case from scratch: 200 orders, 2,000 obligations, chains 10 deep.

Method: build the orders in memory (seeded), record completions for the first half of every
chain, then time ``obligations.engine.schedule`` (median of 7 runs, each from a fresh engine
state; the calendars' per-court holiday caches are warm, as in a running process). Repeat at
several sizes to show how the time grows with the number of obligations.

The second series of figures (``--mix``, run by default after the first) uses the forms of
issue 14 in the same chains, about as often as the issue's survey of real orders needed them
(22 of 79 duties): one obligation in seven a combined rule ("N days after x or by DATE,
whichever is earlier", "... and in any event by DATE", "... whichever is later"), one in eleven
a same-day rule (``by x.due``) or a default (``x.missed``), three chains in ten ending in a
series of four reports, and one duty in ten with a condition recorded met.

Run: ``.venv/bin/python bench/schedule.py``. Prints one JSON line per size.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from calendars import Direction, Period, Unit
from obligations.engine import schedule
from obligations.model import Completion, Condition, Event, Facts, Kind, Obligation, Order
from obligations.when import (
    DueAnchor,
    Either,
    Fixed,
    MissedAnchor,
    NamedAnchor,
    OrderAnchor,
    Periodic,
    Relative,
    SameDay,
    When,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import emit as report

COURTS = ["caed", "njd", "nysd", "calsuperct", "njsuper", "texdistct"]


def _mixed(rng: random.Random, i: int, step: int, depth: int, entered: date, due: When) -> When:
    """Issue 14's forms in place of a plain rule, about as often as real orders need them
    (the issue's survey: 22 of 79 duties): a combined rule in one obligation of seven, a
    same-day rule or a default in one of eleven, and the last duty of a chain (which nothing
    counts from) a series of four reports three times in ten."""
    roll = rng.random()
    if step == depth - 1 and roll < 0.3 and isinstance(due, Relative | Fixed):
        return Periodic(Period(30, Unit.DAYS), due, True, NamedAnchor("stay-lifted"), 4)
    if not isinstance(due, Relative):
        return due
    fixed = Fixed(entered + timedelta(days=rng.randrange(30, 400)), None, "by")
    if roll < 0.07:
        return Either((due, fixed), "earlier")
    if roll < 0.11:
        return Either((due, fixed), "earlier", in_any_event=True)
    if roll < 0.15:
        return Either((fixed, due), "later")
    if step > 0 and roll < 0.21:
        return SameDay(DueAnchor(f"d{i - 1}"), "by")
    if step > 0 and roll < 0.24:
        return Relative(Period(3, Unit.DAYS), Direction.AFTER, MissedAnchor(f"d{i - 1}"), None)
    return due


def build(
    n_orders: int, per_order: int, depth: int, seed: int = 8, mix: bool = False
) -> tuple[list[Order], Facts]:
    rng = random.Random(seed)
    orders: list[Order] = []
    completions: list[Completion] = []
    events: list[Event] = []
    case = "bench-case"
    for o in range(n_orders):
        entered = date(2015, 1, 5) + timedelta(days=rng.randrange(3000))
        court = rng.choice(COURTS)
        obligations = []
        for i in range(per_order):
            step = i % depth
            if step == 0:
                if rng.random() < 0.2:
                    due = Fixed(entered + timedelta(days=rng.randrange(10, 60)), None, "on")
                elif rng.random() < 0.2:
                    due = Relative(
                        Period(14, Unit.DAYS), Direction.BEFORE, NamedAnchor("hearing"), None
                    )
                else:
                    due = Relative(Period(14, Unit.DAYS), Direction.AFTER, OrderAnchor(), None)
            elif rng.random() < 0.5:
                due = Relative(
                    Period(rng.choice([7, 14, 21]), Unit.DAYS),
                    Direction.AFTER,
                    NamedAnchor(f"d{i - 1}"),
                    None,
                )
            else:
                due = Relative(
                    Period(rng.choice([7, 14]), Unit.DAYS),
                    Direction.AFTER,
                    DueAnchor(f"d{i - 1}"),
                    None,
                )
            condition = ""
            if mix:
                due = _mixed(rng, i, step, depth, entered, due)
                condition = "if the case is not settled" if rng.random() < 0.1 else ""
            obligations.append(
                Obligation(
                    f"d{i}",
                    "plaintiff",
                    f"duty {i}",
                    f"¶ {i}",
                    Kind.DEADLINE,
                    due,
                    condition=condition,
                )
            )
            if step < depth // 2:
                completions.append(
                    Completion(
                        case,
                        f"o{o}",
                        f"d{i}",
                        entered + timedelta(days=7 * (step + 1)),
                        seq=len(completions),
                    )
                )
        orders.append(Order(f"o{o}", case, court, entered, obligations=tuple(obligations)))
    events.append(Event(case, "hearing", date(2020, 6, 1), seq=1))
    conditions = tuple(
        Condition(case, ob.condition_name, True, seq=len(completions) + 1)
        for order in orders
        for ob in order.obligations
        if ob.condition
    )
    return orders, Facts(
        events=tuple(events), completions=tuple(completions), conditions=conditions
    )


def timed(n_orders: int, per_order: int, depth: int, mix: bool = False) -> dict[str, object]:
    orders, facts = build(n_orders, per_order, depth, mix=mix)
    gc.collect()
    gc.freeze()  # the orders are input: the collector need not walk them on every run
    schedule(orders, facts, date(2020, 1, 1))  # warm the holiday caches
    runs = []
    cpu = []
    for _ in range(7):
        start, start_cpu = time.perf_counter(), time.thread_time()
        sched = schedule(orders, facts, date(2020, 1, 1))
        runs.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    return {
        "figure": "schedule from scratch" + (" (series and combinations)" if mix else ""),
        "orders": n_orders,
        "obligations": sum(len(o.obligations) for o in orders),
        "items": len(sched.items),
        "chain_depth": depth,
        "median_ms": round(statistics.median(runs) * 1000, 1),
        # the processor time of this thread alone: what other processes on the machine add to
        # the wall time is not in it (bench/README.md)
        "cpu_ms": round(statistics.median(cpu) * 1000, 1),
        "per_obligation_us": round(
            statistics.median(runs) / sum(len(o.obligations) for o in orders) * 1e6, 1
        ),
        "date": date.today().isoformat(),
    }


def main() -> None:
    mixes = [False, True]
    if "--mix" in sys.argv[1:]:
        mixes = [True]
    for mix in mixes:
        for n_orders in (50, 100, 200, 400, 800):
            figure = timed(n_orders, 10, 10, mix=mix)
            print(json.dumps(figure), flush=True)
            n = figure["obligations"]
            what = "with series and combinations " if mix else ""
            how = "obligations.engine.schedule, chains 10 deep, median of 7"
            if mix:
                how += f"; {figure['items']:,} items (series instances included)"
            report("schedule.py", f"schedule {n:,} obligations {what}from scratch", figure["median_ms"], "ms",
                   target=50 if n == 2000 else None, runs=7, per_obligation_us=figure["per_obligation_us"],
                   cpu_ms=figure["cpu_ms"], how=how)  # fmt: skip


if __name__ == "__main__":
    main()

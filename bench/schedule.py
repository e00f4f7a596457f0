"""Scheduling a synthetic case from scratch: 200 orders, 2,000 obligations, chains 10 deep.

Method: build the orders in memory (seeded), record completions for the first half of every
chain, then time ``obligations.engine.schedule`` (median of 7 runs, each from a fresh engine
state; the calendars' per-court holiday caches are warm, as in a running process). Repeat at
several sizes to show how the time grows with the number of obligations.

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
from obligations.model import Completion, Event, Facts, Kind, Obligation, Order
from obligations.when import DueAnchor, Fixed, NamedAnchor, OrderAnchor, Relative

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import emit as report

COURTS = ["caed", "njd", "nysd", "calsuperct", "njsuper", "texdistct"]


def build(n_orders: int, per_order: int, depth: int, seed: int = 8) -> tuple[list[Order], Facts]:
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
            obligations.append(
                Obligation(f"d{i}", "plaintiff", f"duty {i}", f"¶ {i}", Kind.DEADLINE, due)
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
    return orders, Facts(events=tuple(events), completions=tuple(completions))


def timed(n_orders: int, per_order: int, depth: int) -> dict[str, object]:
    orders, facts = build(n_orders, per_order, depth)
    gc.collect()
    gc.freeze()  # the orders are input: the collector need not walk them on every run
    schedule(orders, facts, date(2020, 1, 1))  # warm the holiday caches
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        sched = schedule(orders, facts, date(2020, 1, 1))
        runs.append(time.perf_counter() - start)
    return {
        "figure": "schedule from scratch",
        "orders": n_orders,
        "obligations": len(sched.items),
        "chain_depth": depth,
        "median_ms": round(statistics.median(runs) * 1000, 1),
        "per_obligation_us": round(statistics.median(runs) / len(sched.items) * 1e6, 1),
        "date": date.today().isoformat(),
    }


def main() -> None:
    for n_orders in (50, 100, 200, 400, 800):
        figure = timed(n_orders, 10, 10)
        print(json.dumps(figure), flush=True)
        n = figure["obligations"]
        report("schedule.py", f"schedule {n:,} obligations from scratch", figure["median_ms"], "ms",
               target=50 if n == 2000 else None, runs=7, per_obligation_us=figure["per_obligation_us"],
               how="obligations.engine.schedule, chains 10 deep, median of 7")  # fmt: skip


if __name__ == "__main__":
    main()

"""Computations per second: one million mixed requests, on one core.

Method: build the requests first (seeded), move them out of the garbage collector's way
(``gc.freeze``: they are input, not garbage), warm the holiday caches with one pass over a
sample, then time ``calendars.compute`` over all of them in one process, in five slices; the figure is
the median slice's rate (a shared machine has bursts), with the slowest slice beside it. Three figures:

- day periods: "N days after/before" in the mix's courts, with and without service;
- mixed: days, court days, weeks, months, hours, fixed dates, backward periods, service methods,
  closures, over every rule set;
- mixed with the trace built (reading ``Due.trace``), as ``docketcal explain`` does.

Run: ``.venv/bin/python bench/compute.py [--n 1000000]``. Prints one JSON line per figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from calendars import Direction, Period, Request, Unit, compute, get_court

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import emit as report

FEDERAL = ["caed", "njd", "dcd", "nysd", "txsd", "flsd", "ilnd", "mad"]
APPEALS = ["ca9", "ca3", "ca2"]
STATE = {
    "calsuperct": ["none", "mail", "electronic", "overnight"],
    "njsuper": ["none", "mail"],
    "nysupct": ["none", "mail", "overnight"],
    "texdistct": ["none", "mail"],
    "flacirct": ["none", "mail"],
}
FEDERAL_METHODS = ["none", "none", "mail", "electronic", "hand", "consented"]


def day_requests(rng: random.Random, n: int) -> list[tuple[str, Request]]:
    out = []
    for _ in range(n):
        court = rng.choice(FEDERAL)
        anchor = date(2010, 1, 1) + timedelta(days=rng.randrange(6200))
        out.append(
            (
                court,
                Request(
                    anchor=anchor,
                    period=Period(rng.choice([7, 10, 14, 14, 21, 28, 30, 60]), Unit.DAYS),
                    direction=Direction.AFTER if rng.random() < 0.8 else Direction.BEFORE,
                    service=rng.choice(FEDERAL_METHODS),
                ),
            )
        )
    return out


def mixed_requests(rng: random.Random, n: int) -> list[tuple[str, Request]]:
    out = []
    for _ in range(n):
        kind = rng.random()
        anchor = date(2010, 1, 1) + timedelta(days=rng.randrange(6200))
        if kind < 0.55:
            court = rng.choice(FEDERAL + APPEALS)
            methods = FEDERAL_METHODS
        else:
            court = rng.choice(list(STATE))
            methods = STATE[court]
        unit = rng.choices(
            [Unit.DAYS, Unit.COURT_DAYS, Unit.WEEKS, Unit.MONTHS, Unit.HOURS, None],
            weights=[70, 8, 6, 6, 5, 5],
        )[0]
        if unit is None:
            out.append((court, Request(fixed=anchor)))
            continue
        if unit is Unit.HOURS:
            if court in STATE:
                court = rng.choice(FEDERAL)
            start = datetime.combine(anchor, datetime.min.time()) + timedelta(
                hours=rng.randrange(8, 18)
            )
            out.append(
                (court, Request(anchor=start, period=Period(rng.choice([24, 48, 72]), unit)))
            )
            continue
        n_ = {
            Unit.DAYS: rng.choice([5, 7, 10, 14, 21, 28, 30]),
            Unit.COURT_DAYS: rng.choice([2, 5, 9, 16]),
            Unit.WEEKS: rng.choice([1, 2, 4]),
            Unit.MONTHS: rng.choice([1, 3, 6]),
        }[unit]
        closures = frozenset({anchor + timedelta(days=n_)}) if rng.random() < 0.03 else frozenset()
        out.append(
            (
                court,
                Request(
                    anchor=anchor,
                    period=Period(n_, unit),
                    direction=Direction.AFTER if rng.random() < 0.8 else Direction.BEFORE,
                    service=rng.choice(methods),
                    closures=closures,
                ),
            )
        )
    return out


def timed(
    name: str, reqs: list[tuple[str, Request]], run: Callable[[str, Request], object]
) -> dict[str, object]:
    courts = {c: get_court(c) for c, _ in reqs}
    # The requests are input, not garbage: keep the collector from walking them on every pass.
    gc.collect()
    gc.freeze()
    for c, r in reqs[: min(len(reqs), 20000)]:
        run(courts[c], r)  # type: ignore[arg-type]
    # Five slices, each timed on its own: the median resists the bursts of a shared machine.
    size = max(1, len(reqs) // 5)
    rates = []
    total = 0.0
    for k in range(0, len(reqs), size):
        part = reqs[k : k + size]
        start = time.perf_counter()
        for c, r in part:
            run(courts[c], r)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        total += seconds
        rates.append(len(part) / seconds)
    return {
        "figure": name,
        "computations": len(reqs),
        "seconds": round(total, 3),
        "per_second_median": round(statistics.median(rates)),
        "per_second_slowest_slice": round(min(rates)),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "date": date.today().isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    how = "calendars.compute over seeded requests in 5 slices: the median slice's rate"

    def show(figure: dict[str, object], target: float | None = None) -> None:
        print(json.dumps(figure), flush=True)
        rate = figure["per_second_median"]
        assert isinstance(rate, int)
        report("compute.py", f"time computation: {figure['figure']}", rate, "per s",
               target=target, lower_is_better=False, runs=5, how=how,
               requests=figure["computations"], slowest_slice=figure["per_second_slowest_slice"])  # fmt: skip

    days = day_requests(rng, args.n)
    show(timed("day periods (dates, readings, safe date)", days, compute), 200_000)
    del days
    mixed = mixed_requests(rng, args.n)
    show(timed("mixed (dates, readings, safe date)", mixed, compute))
    explained = mixed[: max(1, args.n // 10)]
    show(timed("mixed, trace built", explained, lambda c, r: compute(c, r).trace))


if __name__ == "__main__":
    main()

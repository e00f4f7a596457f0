"""Computations per second: one million mixed requests, on one core.

Method: build the requests first (seeded), move them out of the garbage collector's way
(``gc.freeze``: they are input, not garbage), warm the holiday caches with one pass over a
sample, then time ``calendars.compute`` over all of them in one process, in five slices; the figure is
the median slice's rate (a shared machine has bursts), with the slowest slice beside it. Three figures:

- day periods: "N days after/before" in the mix's courts, with and without service;
- mixed: days, court days, weeks, months, hours, fixed dates, backward periods, service methods,
  closures, over every rule set;
- mixed with the trace built (reading ``Due.trace``), as ``docketcal explain`` does.

And the bulk calculator as a whole process (issue 18), side by side in the same run:

- ``docketcal compute --jsonl`` over 50,000 seeded day-period lines (the day periods' courts,
  periods, directions and service methods), JSON in and out, process start included: the
  median wall time of five runs with the trace and five with ``--no-trace``, alternating, each
  run's processor time (user + system) beside it; lines per second = lines / seconds. The
  packages are byte-compiled first, as installing docketcal does: a checkout run with
  PYTHONDONTWRITEBYTECODE set has no compiled files, and every run would compile every module
  it loads again (tens of milliseconds of a start that is not the program's). The two checking
  runs before the timed ones leave the copies a run keeps in the user's cache folder (the
  parsed data files and each court's holidays by year, cli/kept.py), as any run after a
  user's first finds them; ``DOCKETCAL_KEEP=0`` in the environment times runs without them;
- amagi-litigation-deadlines in-process (``compute_deadline``, a date and no trace) over the
  same anchors and periods, counted forward (it has no periods before an event and no
  service), timed as the core is: five slices, the median slice's rate. It is not a
  dependency of docketcal: ``.venv/bin/pip install amagi-litigation-deadlines`` first; without
  it the figure is left out and said so.

Run: ``.venv/bin/python bench/compute.py [--n 1000000] [--lines 50000]``. Prints one JSON line
per figure.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import platform
import random
import resource
import statistics
import subprocess
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
    name: str,
    reqs: list[tuple[str, Request]],
    run: Callable[[str, Request], object],
    courts: bool = True,
) -> dict[str, object]:
    courts_ = {c: get_court(c) if courts else c for c, _ in reqs}
    # The requests are input, not garbage: keep the collector from walking them on every pass.
    gc.collect()
    gc.freeze()
    for c, r in reqs[: min(len(reqs), 20000)]:
        run(courts_[c], r)  # type: ignore[arg-type]
    # Five slices, each timed on its own: the median resists the bursts of a shared machine.
    size = max(1, len(reqs) // 5)
    rates = []
    cpu_rates = []
    total = 0.0
    for k in range(0, len(reqs), size):
        part = reqs[k : k + size]
        start = time.perf_counter()
        cpu = time.thread_time()
        for c, r in part:
            run(courts_[c], r)  # type: ignore[arg-type]
        cpu = time.thread_time() - cpu
        seconds = time.perf_counter() - start
        total += seconds
        rates.append(len(part) / seconds)
        cpu_rates.append(len(part) / cpu)
    return {
        "figure": name,
        "computations": len(reqs),
        "seconds": round(total, 3),
        "per_second_median": round(statistics.median(rates)),
        "per_second_slowest_slice": round(min(rates)),
        # the same slices by the processor time of this thread: what a shared machine's other
        # work does not inflate
        "per_cpu_second_median": round(statistics.median(cpu_rates)),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "date": date.today().isoformat(),
    }


def jsonl_input(reqs: list[tuple[str, Request]]) -> bytes:
    """The requests as ``compute --jsonl`` lines, as a program would write them."""
    lines = []
    for court, r in reqs:
        assert r.period is not None and isinstance(r.anchor, date)
        when = f"{r.period.n} days {r.direction.value} {r.anchor.isoformat()}"
        lines.append(json.dumps({"court": court, "when": when, "service": r.service}))
    return ("\n".join(lines) + "\n").encode()


def bulk_process(data: bytes, lines: int, runs: int = 5) -> dict[str, dict[str, float]]:
    """``docketcal compute --jsonl`` as a whole process: wall and processor seconds per run,
    with the trace and with ``--no-trace``, alternating."""
    exe = str(Path(sys.executable).with_name("docketcal"))
    root = Path(__file__).resolve().parent.parent
    for package in ("calendars", "cli", "obligations"):  # as an installed docketcal has them
        compileall.compile_dir(root / package, quiet=1)
    for flags in ([], ["--no-trace"]):  # every line answered, none refused
        done = subprocess.run([exe, "compute", "--jsonl", *flags], input=data, capture_output=True)
        out = done.stdout.splitlines()
        assert done.returncode == 0 and len(out) == lines, done.stderr[-500:]
        assert not any(line.startswith(b'{"error"') for line in out)
    seconds: dict[str, list[float]] = {"trace": [], "no trace": []}
    cpu: dict[str, list[float]] = {"trace": [], "no trace": []}
    for _ in range(runs):
        for name, flags in (("trace", []), ("no trace", ["--no-trace"])):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                [exe, "compute", "--jsonl", *flags],
                input=data,
                stdout=subprocess.DEVNULL,
                check=True,
            )
            seconds[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {
        name: {
            "seconds": statistics.median(seconds[name]),
            "fastest": min(seconds[name]),
            "cpu_seconds": statistics.median(cpu[name]),
        }
        for name in seconds
    }


def amagi(reqs: list[tuple[str, Request]]) -> dict[str, object] | None:
    """amagi-litigation-deadlines in-process over the same anchors and periods (forward)."""
    try:
        from amagi_litigation_deadlines.engine import compute_deadline  # type: ignore[import-not-found]
        from amagi_litigation_deadlines.rules import Event, load_rule_set  # type: ignore[import-not-found]
    except ImportError:
        return None
    rules = load_rule_set("frcp")
    events: dict[int, object] = {}
    cases = []
    for _, r in reqs:
        assert r.period is not None
        n = r.period.n
        if n not in events:
            events[n] = Event(f"d{n}", f"{n} days", n, "Fed. R. Civ. P. 6(a)")
        cases.append(("frcp", Request(anchor=r.anchor, period=r.period)))
    return timed(
        "amagi-litigation-deadlines compute_deadline, in-process (forward, no service, no trace)",
        cases,
        lambda _, r: compute_deadline(rules, events[r.period.n], r.anchor),  # type: ignore[union-attr]
        courts=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--lines", type=int, default=None, help="compute --jsonl lines (50,000, or --n if fewer)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.lines is None:
        args.lines = min(50_000, args.n)
    how = "calendars.compute over seeded requests in 5 slices: the median slice's rate"

    def show(figure: dict[str, object], target: float | None = None, how: str = how) -> None:
        print(json.dumps(figure), flush=True)
        rate = figure["per_second_median"]
        assert isinstance(rate, int)
        report("compute.py", f"time computation: {figure['figure']}", rate, "per s",
               target=target, lower_is_better=False, runs=5, how=how,
               requests=figure["computations"], slowest_slice=figure["per_second_slowest_slice"],
               per_cpu_second=figure["per_cpu_second_median"])  # fmt: skip

    days = day_requests(rng, args.n)
    show(timed("day periods (dates, readings, safe date)", days, compute), 500_000)
    del days
    bulk_reqs = day_requests(random.Random(args.seed + 1), args.lines)
    other = amagi(bulk_reqs)
    if other is None:
        print(
            "amagi-litigation-deadlines is not installed: its figure is left out"
            " (.venv/bin/pip install amagi-litigation-deadlines)",
            file=sys.stderr,
        )
        to_beat = 100_000.0
    else:
        show(other, how="compute_deadline over the same anchors and periods in 5 slices: the"
             " median slice's rate")  # fmt: skip
        rate = other["per_second_median"]
        assert isinstance(rate, int)
        to_beat = max(100_000.0, float(rate))
    bulk = bulk_process(jsonl_input(bulk_reqs), args.lines)
    for name, measured in bulk.items():
        rate = round(args.lines / measured["seconds"])
        print(json.dumps({"figure": f"compute --jsonl, {name}", "lines": args.lines, **measured}))
        report("compute.py", f"compute --jsonl as a whole process ({name})", rate, "lines per s",
               target=to_beat, lower_is_better=False, runs=5,
               how=f"docketcal compute --jsonl < {args.lines:,} day-period lines > /dev/null, process"
               " start included: lines / the median wall time of 5 runs",
               lines=args.lines, seconds=round(measured["seconds"], 3),
               fastest_run=round(args.lines / measured["fastest"]),
               cpu_seconds=round(measured["cpu_seconds"], 3),
               per_cpu_second=round(args.lines / measured["cpu_seconds"]))  # fmt: skip
    mixed = mixed_requests(rng, args.n)
    show(timed("mixed (dates, readings, safe date)", mixed, compute))
    explained = mixed[: max(1, args.n // 10)]
    show(timed("mixed, trace built", explained, lambda c, r: compute(c, r).trace))


if __name__ == "__main__":
    main()

"""Firm scale: the hot paths on generated dockets of 10,000 to 1,000,000 obligations, on SQLite
and PostgreSQL, and how each figure grows with the docket.

For each database and size, a docket made by ``bench/generate.py`` (seeded; regenerated each run
unless ``--reuse``), then, reads first (on the docket as generated), writes last:

1. the plans: the SQL that ``upcoming`` (a person, the firm, a case, a party) and the feeds (a
   person, a case, a party) send, each EXPLAINed; any whole read of a large table is counted;
2. ``docketcal upcoming --person EMAIL`` for the attorney with the most cases, and
   ``docketcal upcoming --within 14d`` for the firm: the installed command as a new process,
   ``--runs`` times, the first dropped as the file cache's warm-up: median and slowest;
3. one feed: that attorney's feed rendered in this process as ``docketcal serve`` renders it
   for an answer that is not a 304 (read, build, serialize), median of 5; and ``docketcal feed
   show person:EMAIL`` as a new process, median of 5;
4. the reminder planning step of ``docketcal remind``: read the open duties due within the
   longest lead time (and the overdue ones), read the assignments, ``plan`` (pure), as
   ``cli.remind.plan_today`` does it for a run: median of 3;
5. recording: ``--events`` calls of ``Docket.record_event(case, "hearing", day)`` on cases drawn
   at random (seeded; most have a hearing already, so this is the hearing moved), each one
   transaction that recomputes the case and writes what changed: median and p95;
6. loading: ``--loads`` new cases' order files (made by the generator's order writer) loaded
   with ``Docket.load``, 10 files per call: orders per second, median over the calls.

Growth: each figure at every size, and its ratio to the smallest size's figure beside the ratio
of the sizes (measured in the same run).

Targets (the issue, at 1,000,000 obligations on PostgreSQL): ``upcoming`` for one person under
300 ms whole-process; one feed under 1 s; a reminder planning run under 10 s; recording an event
with its case recomputation under 30 ms.

Run: ``.venv/bin/python bench/firm.py [--backend sqlite|postgres|both] [--sizes 10000,100000,1000000]
[--seed 1] [--reuse] [--events 200] [--loads 100] [--runs 11]``. PostgreSQL:
``DOCKETCAL_TEST_POSTGRES`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/test``; each size
in a schema of its own, ``firm_SIZE_sSEED``, kept for ``--reuse``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import generate
from report import emit, median, note, p95

from cli.remind import plan_today
from obligations.feeds import Scope
from obligations.reminders import Leads
from obligations.store.db import Database
from obligations.store.docket import Docket
from obligations.store.feeds import Tokens, render, tokens
from obligations.store.location import libpq_url
from obligations.store.plans import full_scans, hot_reads
from obligations.store.read import Reader

OUT = Path(__file__).parent / "out"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH = "firm.py"
SECRET = "firm-bench-secret-" + "f" * 40  # the feed secret of the benchmark's tokens
T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """One generated docket: how to reach it from here and from the command line."""

    backend: str
    size: int
    url: str
    schema: str | None

    @property
    def cli_url(self) -> str:
        if self.schema is None:
            return self.url
        return f"{self.url}?options=-csearch_path%3D{self.schema}"

    def database(self) -> Database:
        return Database(self.url, schema=self.schema)

    def reader(self) -> Reader:
        return Reader(self.url, schema=self.schema)


def docket(backend: str, size: int, seed: int, reuse: bool, jobs: int) -> Target:
    if backend == "sqlite":
        path = OUT / f"firm-{size}-s{seed}.db"
        target = Target(backend, size, f"sqlite:///{path}", None)
        if reuse and path.exists():
            return target
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        base = os.environ.get("DOCKETCAL_TEST_POSTGRES", DEFAULT_POSTGRES)
        schema = f"firm_{size}_s{seed}"
        target = Target(backend, size, base, schema)
        import psycopg

        with psycopg.connect(libpq_url(base), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s"
                " AND table_name = 'obligation'",
                (schema,),
            ).fetchone()
            if reuse and exists:
                return target
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    start = time.perf_counter()
    generate.write(target.url, size, seed=seed, schema=target.schema, jobs=jobs, progress=True)
    seconds = time.perf_counter() - start
    emit(BENCH, "generate the docket", round(size / seconds), "obligations/s", backend=backend,
         obligations=size, seconds=round(seconds, 1), how=f"bench/generate.py, {jobs} processes")  # fmt: skip
    return target


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def wall(args: Sequence[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Seconds per run of the installed ``docketcal`` as a new process; the first run dropped."""
    exe = Path(sys.executable).parent / "docketcal"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([str(exe), *args], capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 3):
            raise RuntimeError(f"docketcal {' '.join(args)}: {done.stderr.decode()}")
    return times[1:]


def busiest(reader: Reader) -> str:
    """The attorney assigned the most cases: the largest 'one person' there is."""
    rows = reader.query(
        "SELECT p.email, count(*) FROM assignment a JOIN person p ON p.id = a.person_id"
        " WHERE p.role = 'attorney' GROUP BY p.email ORDER BY count(*) DESC, p.email LIMIT 1"
    )
    return str(rows[0][0])


def measure(target: Target, args: argparse.Namespace) -> dict[str, float]:
    """Every figure for one docket; the headline values by figure, for the growth table."""
    as_of = generate.AS_OF
    on_pg_1m = target.backend == "postgres" and target.size >= 1_000_000
    tag = {"backend": target.backend, "obligations": target.size}
    values: dict[str, float] = {}

    def put(
        figure: str, value: float, unit: str, target_value: float | None = None, **kw: Any
    ) -> None:
        emit(BENCH, figure, value, unit, target=target_value if on_pg_1m else None, **tag, **kw)
        if unit in ("ms", "s"):
            values[figure] = value
        elif unit.endswith("/s"):  # a rate: growth compares the time per unit
            values[f"{figure} (time per {unit.split('/')[0]})"] = 1 / value

    reader = target.reader()
    email = busiest(reader)
    case = str(reader.query('SELECT id FROM "case" ORDER BY id LIMIT 1 OFFSET 17')[0][0])
    until = as_of + timedelta(days=14)

    # 1. plans
    statements = hot_reads(reader, as_of, email, case)
    scans = full_scans(reader, statements)
    for scan in scans:
        note(f"  full scan: {scan}")
    put("whole reads of a large table in the hot reads' plans", len(scans), "scans", 1,
        runs=1, how=f"EXPLAIN of the {len(set(statements))} statements upcoming and the feeds send")  # fmt: skip

    # 2. upcoming, whole process
    base = ["--db", target.cli_url, "--as-of", as_of.isoformat()]
    rows, _ = reader.upcoming(as_of, until, person=email)
    times = wall([*base, "upcoming", "--person", email], args.runs)
    put("upcoming --person (busiest attorney), whole process", median([t * 1000 for t in times]),
        "ms", 300, runs=len(times), slowest_ms=round(max(times) * 1000, 1), rows=len(rows),
        how="new process, median of the runs after the first")  # fmt: skip
    times = wall([*base, "upcoming", "--within", "14d"], args.runs)
    put("upcoming --within 14d (the whole firm), whole process",
        median([t * 1000 for t in times]), "ms", runs=len(times), slowest_ms=round(max(times) * 1000, 1),
        how="new process, median of the runs after the first")  # fmt: skip

    # 3. one feed
    renders = []
    for _ in range(5):
        rendered, seconds = timed(lambda: render(reader, Scope.parse(f"person:{email}"), as_of))
        renders.append(seconds)
    put("one feed (busiest attorney's), rendered as serve does", median([t * 1000 for t in renders]),
        "ms", 1000, runs=5, events=rendered.data.count(b"BEGIN:VEVENT"), bytes=len(rendered.data),
        how="read + build + serialize in one process, median of 5")  # fmt: skip
    times = wall([*base, "feed", "show", f"person:{email}"], 6)
    put("feed show person:EMAIL, whole process", median([t * 1000 for t in times]), "ms",
        runs=len(times), how="new process, median of the runs after the first")  # fmt: skip
    live = [t.id for t in tokens(reader) if t.revoked_at is None]  # left by a run before (--reuse)
    reader.close()
    db = target.database()
    for token in live:
        Tokens(db, "bench").revoke(token)
    Tokens(db, "bench").create(Scope.parse(f"person:{email}"), SECRET)
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "DOCKETCAL_FEED_SECRET": SECRET}
        times = wall([*base, "feed", "build", "--out", out], 6, env=env)
    put("feed build (one token: the busiest attorney's feed), whole process",
        median([t * 1000 for t in times]), "ms", runs=len(times),
        how="new process writing the feed file, median of the runs after the first")  # fmt: skip

    # 4. reminder planning
    leads = Leads()
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        planned = plan_today(db, leads, as_of)
        runs.append(time.perf_counter() - start)
    put("reminder planning run (read due duties and assignments, plan)", median(runs, 3), "s", 10,
        runs=3, duties=len(planned.open_due), reminders=len(planned.current),
        how="cli.remind.plan_today (outbox.open_items + outbox.assignees + plan, as remind runs it), median of 3")  # fmt: skip

    # 5. recording an event, with its case's recomputation
    rng = random.Random(f"{args.seed}:events")
    cases = [c for (c,) in target.reader().query('SELECT id FROM "case" ORDER BY id')]
    docket_ = Docket(db, who="bench")
    calls = []
    for _ in range(args.events):
        pick = rng.choice(cases)
        day = as_of + timedelta(days=rng.randrange(30, 300))
        start = time.perf_counter()
        docket_.record_event(pick, "hearing", day, for_later=True)
        calls.append((time.perf_counter() - start) * 1000)
    put("record an event with its case's recomputation", median(calls), "ms", 30,
        runs=len(calls), p95_ms=p95(calls), how="Docket.record_event in one process, median")  # fmt: skip

    # 6. loading new cases
    setting = generate.Setting(args.seed, as_of, {}, 1)
    with tempfile.TemporaryDirectory() as tmp:
        paths, obligations = [], 0
        for i in range(args.loads):
            new = generate.make_case(setting, 10_000_000 + i, 20, "nysd")
            for o in new.orders:
                path = Path(tmp) / f"{new.id}-{o['order_id']}.toml"
                path.write_text(o["text"])
                paths.append(path)
            obligations += sum(1 for ob in new.obligations if "#" not in ob["ref"])
        rates, seconds = [], 0.0
        for k in range(0, len(paths), 10):
            batch = paths[k : k + 10]
            start = time.perf_counter()
            docket_.load(batch)
            took = time.perf_counter() - start
            rates.append(len(batch) / took)
            seconds += took
    put("load new orders", median(rates), "orders/s", runs=len(rates),
        obligations_per_s=round(obligations / seconds), orders=len(paths),
        how="Docket.load, 10 files a call: median over the calls")  # fmt: skip
    db.dispose()
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep dockets generated before")
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--loads", type=int, default=100)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    for backend in backends:
        table: dict[int, dict[str, float]] = {}
        for size in sizes:
            note(f"{backend}: {size:,} obligations")
            table[size] = measure(docket(backend, size, args.seed, args.reuse, args.jobs), args)
        smallest = sizes[0]
        for figure in table[smallest]:
            for size in sizes[1:]:
                a, b = table[smallest][figure], table[size][figure]
                emit(BENCH, f"growth: {figure}", round(b / a, 2), "x",
                     backend=backend, obligations=size, compared_with=smallest,
                     size_ratio=round(size / smallest, 1), runs=None,
                     how="ratio of this run's figures at the two sizes")  # fmt: skip


if __name__ == "__main__":
    main()

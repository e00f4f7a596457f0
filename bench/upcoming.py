"""Whole-process wall time of ``docketcal upcoming --within 14d`` on a docket of 200,000
obligations.

Method: build the docket once (schema by the migrations; 10,000 cases of 20 obligations each
written with plain SQL in bulk, since this measures reading: due dates spread over 2016-2030;
before the day of the run 95 % done, 1 % still open (overdue), 4 % standing; after it 70 % open,
25 % waiting, 5 % standing; 300 people assigned to cases and parties),
then run the installed ``docketcal`` as a new process 11 times per query and report the
median and the slowest wall time. The first run is dropped as a warm-up of the file cache.

Run: ``.venv/bin/python bench/upcoming.py [--obligations 200000]``.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from obligations.store.db import Database, upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import emit as report

OUT = Path(__file__).parent / "out"
TODAY = date(2026, 11, 22)
COURTS = ["caed", "njd", "nysd", "calsuperct", "njsuper", "texdistct"]
PARTIES = ["plaintiff", "defendant", "both"]


def build(path: Path, obligations: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    db = Database(f"sqlite:///{path}")
    upgrade(db.writer)
    db.dispose()
    conn = sqlite3.connect(path)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    cases = max(1, obligations // 20)
    conn.executemany(
        'INSERT INTO "case" (id, court, created_at) VALUES (?, ?, ?)',
        [(f"case-{c:06d}", rng.choice(COURTS), now) for c in range(cases)],
    )
    rows = []
    for n in range(obligations):
        case = f"case-{n // 20:06d}"
        due = date(2016, 1, 1) + timedelta(days=rng.randrange(15 * 365))
        if due < TODAY:  # the past is mostly done; a few duties are overdue
            state = rng.choices(["done", "open", "standing"], [95, 1, 4])[0]
        else:
            state = rng.choices(["open", "waiting", "standing"], [70, 25, 5])[0]
        dated = state in ("done", "open")
        rows.append(
            (
                f"{case}/order-1/duty-{n % 20}", uuid.uuid4().hex, case, "order-1", f"duty-{n % 20}",
                "caed", rng.choice(PARTIES), f"Within 14 days of entry of this order, a party shall do duty {n}.",
                f"duty {n % 20}", "¶ 1", "deadline", "14 days after order", "", "", 1, state,
                due.isoformat() if dated else None, None, due.isoformat() if dated else None,
                due.isoformat() if state == "done" else None, None,
                "[]" if dated else '["hearing (event not recorded)"]', "[]", "[]", "[]", "[]", "[]", "[]",
                0, now,
            )
        )  # fmt: skip
    conn.executemany(
        "INSERT INTO obligation (ref, uid, case_id, order_id, obligation_id, court, party, text, summary,"
        " cite, kind, when_text, consequence, condition, active, state, due, due_at, safe_due, done_on,"
        " late_by, waiting_on, chain, readings, warnings, trace, amendments, depends_on, revision,"
        " changed_at) VALUES (" + ", ".join("?" * 30) + ")",
        rows,
    )
    conn.executemany(
        "INSERT INTO person (id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?)",
        [(p, f"Person {p}", f"p{p}@firm.example", "attorney", now) for p in range(1, 301)],
    )
    conn.executemany(
        "INSERT INTO assignment (person_id, case_id, party, obligation_ref, created_at, created_by)"
        " VALUES (?, ?, ?, NULL, ?, 'bench')",
        [
            (rng.randrange(1, 301), f"case-{c:06d}", rng.choice([None, "plaintiff"]), now)
            for c in range(cases)
        ],
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def wall(args: list[str], runs: int = 11) -> dict[str, float]:
    exe = Path(sys.executable).parent / "docketcal"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([str(exe), *args], capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        assert done.returncode in (0, 3), done.stderr.decode()
    times = times[1:]
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "slowest_ms": round(max(times) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--obligations", type=int, default=200_000)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"upcoming-{args.obligations}.db"
    start = time.perf_counter()
    build(path, args.obligations)
    print(json.dumps({"figure": "build docket (bulk SQL)", "obligations": args.obligations,
                      "seconds": round(time.perf_counter() - start, 1)}), flush=True)  # fmt: skip
    base = ["--db", str(path), "--as-of", "2026-11-22"]
    targets = {"upcoming --within 14d": 300.0}
    for label, extra in [
        ("upcoming --within 14d", ["upcoming", "--within", "14d"]),
        (
            "upcoming --within 14d --format json",
            ["--format", "json", "upcoming", "--within", "14d"],
        ),
        ("upcoming --person p7@firm.example", ["upcoming", "--person", "p7@firm.example"]),
        ("docketcal --help (startup alone)", ["--help"]),
    ]:
        figure = wall(base + extra if extra != ["--help"] else extra)
        print(json.dumps({"figure": label, "obligations": args.obligations, **figure,
                          "date": date.today().isoformat()}), flush=True)  # fmt: skip
        report("upcoming.py", f"{label} ({args.obligations:,} obligations)", figure["median_ms"],
               "ms", target=targets.get(label), runs=10, slowest_ms=figure["slowest_ms"],
               how="installed docketcal as a new process, 11 runs, first dropped, median")  # fmt: skip


if __name__ == "__main__":
    main()

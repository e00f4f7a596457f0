"""``docketcal remind`` on a docket of 200,000 open obligations with 2,000 recipients, against an
SMTP server on loopback (aiosmtpd, in a process of its own, discarding what it receives).

Method: build the docket once with plain SQL in bulk (schema by the migrations): 10,000 cases
of 20 open obligations, due dates spread evenly from 10 days before the day of the run to
390 days after it (so about 2.5 % overdue and 3.6 % within the 14-day lead time); 2,000
people, each case assigned to one person as a whole and to another for one party. Then:

1. the phases in this process, on a copy of the docket, with the functions ``docketcal remind``
   calls: reading the open obligations due within the horizon and the assignments, ``plan``
   (pure), recording the plan in the outbox, reading what to send; and ``plan`` alone over
   all 200,000 obligations (no horizon filter);
2. the SMTP baseline: the same number of messages of the same size sent with bare ``smtplib``
   over one connection, no database: what the SMTP round trips alone cost;
3. the whole run: the installed ``docketcal remind`` (default output, as from cron) as a new
   process on a fresh copy, median of 3, with its CPU time and the SMTP server's; the run
   after it (nothing left to send: the hourly cron case); and the next day's run.

Run: ``.venv/bin/python bench/remind.py [--obligations 200000] [--people 2000] [--reuse]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import smtplib
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from obligations.reminders import Leads, compose, plan
from obligations.store import outbox
from obligations.store.db import Database, upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import emit as report

OUT = Path(__file__).parent / "out"
TODAY = date(2026, 11, 23)  # a Monday
PARTIES = ["plaintiff", "defendant"]


def build(path: Path, obligations: int, people: int, seed: int = 7) -> None:
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
        [(f"case-{c:06d}", "njd", now) for c in range(cases)],
    )
    rows = []
    for n in range(obligations):
        case = f"case-{n // 20:06d}"
        due = TODAY + timedelta(days=rng.randrange(-10, 390))
        rows.append(
            (
                f"{case}/order-1/duty-{n % 20}", uuid.uuid4().hex, case, "order-1", f"duty-{n % 20}",
                "njd", rng.choice(PARTIES),
                f"Within 14 days of entry of this order, the {rng.choice(PARTIES)} shall serve"
                f" <b>the documents</b> listed in paragraph {n % 20} & file proof of service.",
                f"serve the documents of paragraph {n % 20}", f"¶ {n % 20}", "deadline",
                "14 days after order", "", "", 1, "open", due.isoformat(), None, due.isoformat(),
                None, None, "[]", "[]", "[]", "[]", "[]", "[]", "[]", 0, now,
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
        [(p, f"Person {p}", f"p{p}@firm.example", "attorney", now) for p in range(1, people + 1)],
    )
    assignments = []
    for c in range(cases):
        whole = 1 + c % people  # every person gets cases
        other = 1 + (c * 7 + 3) % people
        assignments.append((whole, f"case-{c:06d}", None, now))
        assignments.append((other, f"case-{c:06d}", rng.choice(PARTIES), now))
    conn.executemany(
        "INSERT INTO assignment (person_id, case_id, party, obligation_ref, created_at, created_by)"
        " VALUES (?, ?, ?, NULL, ?, 'bench')",
        assignments,
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_server(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
         "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP server did not start")


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args)
    return value, round(time.perf_counter() - start, 3)


def phases(path: Path, port: int) -> tuple[dict[str, object], list[bytes]]:
    """The steps of one run, in this process, on a copy; and the messages it would send."""
    copy = path.with_name("remind-phases.db")
    shutil.copyfile(path, copy)
    db = Database(f"sqlite:///{copy}")
    leads = Leads()
    items, t_items = timed(outbox.open_items, db, TODAY + timedelta(days=leads.horizon))
    people, t_people = timed(outbox.assignees, db)
    p, t_plan = timed(plan, items, people, leads, TODAY)
    made, t_record = timed(outbox.record, db, p.rows)
    stale = outbox.stale_before(timedelta(minutes=15))
    waiting, t_waiting = timed(outbox.waiting, db, TODAY, stale)
    digests, t_digests = timed(p.digests, [r.key for r in waiting])
    start = time.perf_counter()
    sent_at = datetime.now(UTC)
    messages = [
        compose(d, "Docket <docket@firm.example>", f"<{n}.bench@firm.example>", sent_at).data
        for n, d in enumerate(digests)
    ]
    t_render = round(time.perf_counter() - start, 3)
    # plan() alone over every open obligation: the pure function without the horizon filter
    with db.engine.connect():
        everything = outbox.open_items(db, TODAY + timedelta(days=100_000))
    _, t_plan_all = timed(plan, everything, people, leads, TODAY)
    db.dispose()
    copy.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    return {
        "obligations read (due within 14 days or overdue)": len(items),
        "assignments": len(people),
        "reminders due": len(p.current),
        "rows planned (due + skipped)": len(p.rows),
        "rows created": made,
        "e-mails": len(digests),
        "read obligations s": t_items,
        "read assignments s": t_people,
        "plan s": t_plan,
        "planning step s (read + plan)": round(t_items + t_people + t_plan, 3),
        "record in the outbox s": t_record,
        "read what to send s": t_waiting,
        "group into digests s": t_digests,
        "render all e-mails s": t_render,
        "plan() over all obligations s": t_plan_all,
        "all obligations": len(everything),
    }, messages


def baseline(port: int, server: int, messages: list[bytes]) -> dict[str, float]:
    """Bare smtplib: the same messages over one connection, no database."""
    server_before = cpu_of(server)
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n, raw in enumerate(messages):
            smtp.sendmail("docket@firm.example", [f"p{n}@firm.example"], raw)
    return {
        "seconds": round(time.perf_counter() - start, 2),
        "SMTP server CPU s": round(cpu_of(server) - server_before, 2),
    }


def cpu_of(pid: int) -> float:
    """Seconds of CPU a running process has used (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_run(path: Path, port: int, server: int, runs: int = 3) -> dict[str, object]:
    exe = Path(sys.executable).parent / "docketcal"
    env = {
        **os.environ,
        "DOCKETCAL_SMTP_HOST": "127.0.0.1",
        "DOCKETCAL_SMTP_PORT": str(port),
        "DOCKETCAL_SMTP_SECURITY": "none",
        "DOCKETCAL_MAIL_FROM": "Docket <docket@firm.example>",
        "DOCKETCAL_CONFIG": str(OUT / "no-config.toml"),
    }
    firsts, seconds, next_days, cpu, server_cpu, sent, next_day_sent = [], [], [], [], [], 0, 0
    for _ in range(runs):
        copy = path.with_name("remind-run.db")
        shutil.copyfile(path, copy)
        os.sync()  # the copy's dirty pages written out now, not during the measured run
        args = [str(exe), "--db", str(copy), "--as-of", TODAY.isoformat(), "remind"]
        before, server_before = children_cpu(), cpu_of(server)
        start = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, check=False)
        firsts.append(time.perf_counter() - start)
        cpu.append(children_cpu() - before)
        server_cpu.append(cpu_of(server) - server_before)
        assert done.returncode == 0, done.stderr.decode()
        sent = int(re.search(rb"(\d+) e-mails? sent", done.stderr).group(1))  # type: ignore[union-attr]
        start = time.perf_counter()
        again = subprocess.run(args, env=env, capture_output=True, check=False)
        seconds.append(time.perf_counter() - start)
        assert again.returncode == 0 and b": 0 e-mails sent" in again.stderr
        tomorrow = [*args[:4], (TODAY + timedelta(days=1)).isoformat(), *args[5:]]
        start = time.perf_counter()
        day_two = subprocess.run(tomorrow, env=env, capture_output=True, check=False)
        next_days.append(time.perf_counter() - start)
        assert day_two.returncode == 0, day_two.stderr.decode()
        next_day_sent = int(re.search(rb"(\d+) e-mails? sent", day_two.stderr).group(1))  # type: ignore[union-attr]
        copy.unlink()
        for suffix in ("-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
    return {
        "e-mails sent": sent,
        "first run s (median)": round(statistics.median(firsts), 2),
        "first run s (slowest)": round(max(firsts), 2),
        "first run: docketcal CPU s (median)": round(statistics.median(cpu), 2),
        "first run: SMTP server CPU s (median)": round(statistics.median(server_cpu), 2),
        "next run, nothing to send s (median)": round(statistics.median(seconds), 2),
        "the next day's run s (median)": round(statistics.median(next_days), 2),
        "the next day's e-mails": next_day_sent,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--obligations", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--reuse", action="store_true", help="keep the docket built last time")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"remind-{args.obligations}.db"
    if args.reuse and path.exists():
        seconds = 0.0
    else:
        _, seconds = timed(build, path, args.obligations, args.people)
    print(json.dumps({"figure": "build docket (bulk SQL)", "obligations": args.obligations,
                      "people": args.people, "seconds": round(seconds, 1)}), flush=True)  # fmt: skip
    port = free_port()
    server = smtp_server(port)
    try:
        figures, messages = phases(path, port)
        print(json.dumps({"figure": "phases (in process)", **figures}), flush=True)
        step = figures["planning step s (read + plan)"]
        assert isinstance(step, float)
        report("remind.py", f"reminder planning step ({args.obligations:,} open obligations)", step,
               "s", target=2, runs=1, how="outbox.open_items + assignees + plan, one run in process")  # fmt: skip
        size = statistics.mean(len(m) for m in messages) if messages else 0
        print(json.dumps({"figure": "SMTP baseline (bare smtplib, one connection)",
                          "e-mails": len(messages), "mean bytes": round(size),
                          **baseline(port, server.pid, messages)}), flush=True)  # fmt: skip
        whole = whole_run(path, port, server.pid)
        print(json.dumps({"figure": "docketcal remind (new process)", **whole,
                          "date": date.today().isoformat()}), flush=True)  # fmt: skip
        first = whole["first run s (median)"]
        assert isinstance(first, float)
        report("remind.py", f"docketcal remind, first run ({whole['e-mails sent']:,} e-mails to aiosmtpd)",
               first, "s", runs=3, how="new process on a fresh copy of the docket, median of 3")  # fmt: skip
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

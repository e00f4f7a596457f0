"""Feeds: build the feed of a person with 5,000 open obligations, and serve 1,000 conditional
requests for it.

Method: a SQLite docket built once (schema by the migrations; rows written with plain SQL in
bulk, since this measures reading and writing feeds): 60 cases of 100 obligations each, court
caed, realistic stored values (a 300-character order text, a three-step trace, every fifth
obligation chained to the one before it, one in fifty timed). One person is assigned to 50 of
the cases, every duty of which is open and due in the year after the day of the run: 5,000
open obligations in their feed. The other 10 cases (half open, half done long ago) are not.

1. Build: ``obligations.store.feeds.render`` (read the rows, map them to events, write the bytes) for
   the person's scope, in this process, 7 times after one warm-up; the median and the slowest,
   and the median of the two halves (reading and mapping; writing the bytes).
2. Serve: the installed ``docketcal serve --quiet`` as its own process on a free loopback port;
   one unconditional GET fills its cache and gives the ETag, then 1,000 GETs with
   ``If-None-Match`` (each must be a 304) over one keep-alive connection, 5 times; the median
   rate and the slowest. The same with ``If-Modified-Since``, with a new connection per request
   (what a calendar client does), and from 4 client threads at once.

Run: ``.venv/bin/python bench/feeds.py``. Prints one JSON line per figure.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

from calendars import ical
from obligations import feeds
from obligations.feeds import Scope
from obligations.store import feeds as store_feeds
from obligations.store.db import Database, upgrade
from obligations.store.feeds import Tokens
from obligations.store.read import Reader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import emit as report

OUT = Path(__file__).parent / "out"
TODAY = date(2026, 11, 22)
SECRET = "bench-secret-" + "b" * 40
LA = ZoneInfo("America/Los_Angeles")
TEXT = (
    "Within 14 days of entry of this order, the responding party shall serve complete written"
    " responses to the requests for production, produce every responsive document in its"
    " possession, custody or control, and serve a privilege log describing each document"
    " withheld, as required by Fed. R. Civ. P. 26(b)(5)(A); see ¶ 4(b). Duty {n}."
)


def trace(due: date) -> str:
    start = due - timedelta(days=14)
    return json.dumps(
        [
            {"step": 1, "rule": "Fed. R. Civ. P. 6(a)(1)(A)-(B)", "from": start.isoformat(),
             "to": due.isoformat(), "note": f"exclude the day of the event and count every day: 14 days after {start} is {due}"},
            {"step": 2, "rule": "Fed. R. Civ. P. 6(a)(1)(C)", "from": due.isoformat(),
             "to": due.isoformat(), "note": f"{due} is a court day: the last day stays"},
            {"step": 3, "rule": "Fed. R. Civ. P. 6(a)(4)(A)", "from": due.isoformat(),
             "to": f"{due}T23:59-08:00", "note": "the last day ends at midnight court time for electronic filing"},
        ]
    )  # fmt: skip


def build(path: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    upgrade(db.writer)
    db.dispose()
    conn = sqlite3.connect(path)
    stamp = "2026-10-01 09:30:00.000000"
    cases = [f"case-{c:03d}" for c in range(60)]
    conn.executemany(
        'INSERT INTO "case" (id, court, created_at) VALUES (?, ?, ?)',
        [(c, "caed", stamp) for c in cases],
    )
    rows = []
    for c, case in enumerate(cases):
        for k in range(100):
            n = c * 100 + k
            open_ = c < 50 or rng.random() < 0.5  # the person's 50 cases: every duty open
            due = TODAY + timedelta(days=rng.randrange(1, 400)) if open_ else date(2020, 1, 6)
            timed = k % 50 == 49
            # a stated 17:00, or the end of the day (23:59 court time) of a date deadline
            due_at = datetime.combine(due, dtime(17, 0) if timed else dtime(23, 59), tzinfo=LA)
            ref = f"{case}/order-1/duty-{k}"
            depends = json.dumps([f"{case}/order-1/duty-{k - 1}"]) if k % 5 == 4 else "[]"
            rows.append((
                ref, uuid.UUID(int=rng.getrandbits(128)).hex, case, "order-1", f"duty-{k}", "caed",
                rng.choice(["plaintiff", "defendant"]), TEXT.format(n=n), f"serve responses, set {k}",
                f"¶ {k % 12 + 1}", "deadline",
                f"by {due} 17:00" if timed else "14 days after order", "", "", 1,
                "open" if open_ else "done", due.isoformat(),
                due_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"), due.isoformat(),
                None if open_ else "2020-01-03", None, "[]", "[]",
                json.dumps([{"due": due.isoformat(), "assumes": "the settled reading"}]), "[]",
                trace(due), "[]", depends, rng.randrange(0, 4), stamp,
            ))  # fmt: skip
    conn.executemany(
        "INSERT INTO obligation (ref, uid, case_id, order_id, obligation_id, court, party, text,"
        " summary, cite, kind, when_text, consequence, condition, active, state, due, due_at,"
        " safe_due, done_on, late_by, waiting_on, chain, readings, warnings, trace, amendments,"
        " depends_on, revision, changed_at) VALUES (" + ", ".join("?" * 30) + ")",
        rows,
    )
    conn.execute(
        "INSERT INTO person (id, name, email, role, created_at) VALUES"
        " (1, 'Ann Lee', 'ann@firm.example', 'attorney', ?)",
        (stamp,),
    )
    conn.executemany(
        "INSERT INTO assignment (person_id, case_id, party, obligation_ref, created_at, created_by)"
        " VALUES (1, ?, NULL, NULL, ?, 'bench')",
        [(c, stamp) for c in cases[:50]],
    )
    conn.execute(
        "INSERT INTO history (at, who, what, why) VALUES (?, 'bench', 'bench data', '')", (stamp,)
    )
    conn.commit()
    conn.close()


def emit(**figure: object) -> None:
    print(json.dumps(figure), flush=True)


def bench_build(url: str, scope: Scope) -> bytes:
    r = Reader(url)
    try:
        data = store_feeds.render(r, scope, TODAY).data  # warm-up (court cache, page cache)
        totals, reads, writes = [], [], []
        for _ in range(7):
            t0 = time.perf_counter()
            feed = store_feeds.read_feed(r, scope, TODAY)
            cal = feeds.calendar(feed)
            t1 = time.perf_counter()
            out = ical.build(cal)
            t2 = time.perf_counter()
            totals.append(t2 - t0)
            reads.append(t1 - t0)
            writes.append(t2 - t1)
            assert out == data
        rendered = store_feeds.render(r, scope, TODAY)
    finally:
        r.close()
    emit(
        figure="feed build (person, 5,000 open obligations)",
        events=rendered.events,
        bytes=len(data),
        median_ms=round(statistics.median(totals) * 1000, 1),
        slowest_ms=round(max(totals) * 1000, 1),
        read_and_map_ms=round(statistics.median(reads) * 1000, 1),
        write_bytes_ms=round(statistics.median(writes) * 1000, 1),
        warnings=len(rendered.warnings),
        target_ms=1000,
    )
    report("feeds.py", "feed build: a person's feed of 5,000 open obligations",
           round(statistics.median(totals) * 1000, 1), "ms", target=1000, runs=len(totals),
           how="read + build + write one feed file, median")  # fmt: skip
    assert ical.problems(data) == []
    return data


class Server:
    def __init__(self, db: Path) -> None:
        exe = Path(sys.executable).parent / "docketcal"
        self.log = OUT / "feeds-serve.log"
        self.proc = subprocess.Popen(
            [str(exe), "--db", str(db), "--as-of", TODAY.isoformat(), "serve", "--quiet",
             "--port", "0"],
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while "listening on" not in self.log.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {self.log.read_text()}")
            time.sleep(0.05)
        line = next(x for x in self.log.read_text().splitlines() if "listening on" in x)
        self.port = int(line.split("127.0.0.1:")[1].split("/")[0])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def conditional(port: int, path: str, headers: dict[str, str], n: int, keep_alive: bool) -> float:
    """Seconds for ``n`` GETs that must each answer 304."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t0 = time.perf_counter()
    for _ in range(n):
        if not keep_alive:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 304:
            raise SystemExit(f"expected 304, got {response.status}")
        if not keep_alive:
            conn.close()
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def bench_serve(db: Path, path: str, n: int = 1000, runs: int = 5) -> None:
    server = Server(db)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"User-Agent": "bench"})
        response = conn.getresponse()
        body = response.read()
        first = time.perf_counter() - t0
        assert response.status == 200, response.status
        etag, modified = response.getheader("ETag"), response.getheader("Last-Modified")
        conn.close()
        emit(figure="first GET (renders the feed)", ms=round(first * 1000, 1), bytes=len(body))
        cases = [
            ("304 If-None-Match, keep-alive", {"If-None-Match": etag}, True),
            ("304 If-Modified-Since, keep-alive", {"If-Modified-Since": modified}, True),
            ("304 If-None-Match, new connection each", {"If-None-Match": etag}, False),
        ]
        for name, headers, keep in cases:
            rates = [n / conditional(server.port, path, headers, n, keep) for _ in range(runs)]
            emit(
                figure=name,
                requests=n,
                median_per_second=round(statistics.median(rates)),
                slowest_run_per_second=round(min(rates)),
                target_per_second=1000,
            )
            report("feeds.py", f"serve: {name}", round(statistics.median(rates)), "per s",
                   target=1000, lower_is_better=False, runs=runs,
                   how=f"{n} conditional GETs to docketcal serve on loopback, median of {runs} runs")  # fmt: skip
        rates = []
        for _ in range(runs):
            threads = [
                threading.Thread(
                    target=conditional,
                    args=(server.port, path, {"If-None-Match": etag}, n // 4, True),
                )
                for _ in range(4)
            ]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            rates.append(n / (time.perf_counter() - t0))
        emit(
            figure="304 If-None-Match, 4 clients at once, keep-alive",
            requests=n,
            median_per_second=round(statistics.median(rates)),
            slowest_run_per_second=round(min(rates)),
        )
    finally:
        server.stop()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    path = OUT / "feeds-5000.db"
    t0 = time.perf_counter()
    build(path)
    emit(figure="docket written", seconds=round(time.perf_counter() - t0, 1))
    url = f"sqlite:///{path}"
    db = Database(url)
    try:
        _, token = Tokens(db, "bench").create(Scope.parse("person:ann@firm.example"), SECRET)
    finally:
        db.dispose()
    bench_build(url, Scope.parse("person:ann@firm.example"))
    bench_serve(path, f"/feeds/{token}.ics")
    emit(figure="machine", cpus=os.cpu_count(), python=sys.version.split()[0])


if __name__ == "__main__":
    main()

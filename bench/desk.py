"""The desk's speed: the agenda page of the busiest attorney (server time), and signed-in page
views a second.

Method. A generated docket (``bench/generate.py``, seed 1); its busiest attorney (most
assignments) is given a password. The installed ``docketcal serve --quiet`` runs as its own
process on a free loopback port, as of the generator's day (2026-11-23); the benchmark signs in
over HTTP like a browser (the login page's CSRF token, the session cookie) and then:

1. Server time: 40 GETs of the agenda page (``/``: that attorney's duties and the firm's, 14
   days ahead, overdue first) one after another on a keep-alive connection, after 5 to warm the
   caches; the figure is the median of the ``Server-Timing`` the application sends (from the
   request to the answer's headers: the session check, the two ``upcoming`` reads, the page
   rendered), with the 95th percentile beside it.
2. Page views a second: 4 client threads, each on its own keep-alive connection and signed in
   with its own session, GET the agenda, the calendar, a case and a duty in turn for
   ``--seconds``; the figure is answers (all 200) a second, and the same for the agenda alone.
   The clients run in this process, on the same 2 cores as the server.
3. The same with ``serve --workers N`` (``--workers``, 2 by default; 1: not run), where each
   client opens a new connection every 25 page views. The kernel gives a connection to one
   worker for its life: 4 connections held for the whole run would measure how they happened
   to be split (4-0 and 3-1 are common), not the server; a browser's connection does not live
   that long either (the server closes it after 5 s idle). The pages are rendered in full on
   every request, as in 2 (they are never cached).

SQLite: ``--sqlite FILE`` (generated with ``--obligations`` when missing). PostgreSQL:
``--postgres URL --schema NAME``: a schema holding a generated docket at the current revision
(``--copy-from SCHEMA`` copies into NAME the tables the desk's pages read, from a kept
generated docket such as the plans test's, and upgrades the copy; NAME is dropped afterwards).

Run: ``.venv/bin/python bench/desk.py [--sqlite FILE] [--obligations 200000]`` (no database
named: a new one in a temporary folder). Prints one JSON line per figure (bench/report.py).
"""

from __future__ import annotations

import argparse
import http.client
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from report import emit as report

EXE = Path(sys.executable).parent / "docketcal"
ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-23"
PASSWORD = "bench desk password"
SECRET = "bench-desk-secret-" + "q" * 40
#: Tables the desk's pages read (what --copy-from copies); the others are left out.
PAGE_TABLES = ("alembic_version", "person", "case", "assignment", "obligation", "order_version")


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def get(self, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request("POST" if form is not None else "GET", path, body=body, headers=headers)
        r = self.conn.getresponse()
        text = r.read().decode()
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0].strip('"')
        return r.status, {k.lower(): v for k, v in r.getheaders()}, text

    def sign_in(self, email: str) -> None:
        _, _, page = self.get("/login")
        m = re.search(r'name="csrf" value="([^"]+)"', page)
        assert m
        status, _, _ = self.get("/login", {"csrf": m[1], "email": email, "password": PASSWORD})
        assert status == 303, status


def busiest(url: str) -> tuple[str, str, str]:
    """The busiest attorney, one case of theirs and one duty in it."""
    from obligations.store.read import Reader

    r = Reader(url)
    try:
        email = r.query(
            "SELECT p.email FROM assignment a JOIN person p ON p.id = a.person_id"
            " WHERE p.role = 'attorney' GROUP BY p.email ORDER BY count(*) DESC, p.email LIMIT 1"
        )[0][0]
        case = r.query(
            "SELECT a.case_id FROM assignment a JOIN person p ON p.id = a.person_id"
            " WHERE p.email = ? ORDER BY a.case_id LIMIT 1",
            (email,),
        )[0][0]
        ref = r.query("SELECT ref FROM obligation WHERE case_id = ? ORDER BY ref LIMIT 1", (case,))
        return str(email), str(case), str(ref[0][0])
    finally:
        r.close()


def set_password(url: str, email: str) -> None:
    from cli.web.auth import hash_password
    from obligations.store.db import Database
    from obligations.store.desk import Desk

    db = Database(url)
    try:
        Desk(db, "bench").set_password(email, hash_password(PASSWORD))
    finally:
        db.dispose()


def serve(url: str, log: Path, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
    import os

    env = {**os.environ, "DOCKETCAL_FEED_SECRET": SECRET}
    proc = subprocess.Popen(
        [str(EXE), "--db", url, "--as-of", AS_OF, "serve", "--port", "0", "--quiet", *extra],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env=env,
    )
    deadline = time.monotonic() + 60
    while "listening on" not in log.read_text():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    line = next(x for x in log.read_text().splitlines() if "listening on" in x)
    return proc, int(line.split("127.0.0.1:")[1].split("/")[0])


def measure(
    url: str,
    label: str,
    seconds: float,
    target_ms: float | None,
    target_rate: float | None,
    workers: int = 1,
) -> None:
    email, case, ref = busiest(url)
    set_password(url, email)
    import tempfile

    log = Path(tempfile.mkdtemp(prefix="bench-desk-")) / "serve.log"
    proc, port = serve(url, log)
    try:
        c = Client(port)
        c.sign_in(email)
        for _ in range(5):
            assert c.get("/")[0] == 200
        times = []
        size = 0
        for _ in range(40):
            status, headers, page = c.get("/")
            assert status == 200
            size = len(page)
            times.append(float(headers["server-timing"].split("dur=")[1]))
        times.sort()
        report(
            "desk.py", f"agenda page of the busiest attorney, server time ({label})",
            round(statistics.median(times), 1), "ms", target=target_ms, runs=len(times),
            how="Server-Timing of GET / signed in, keep-alive, after 5 warm-ups",
            p95_ms=round(times[int(len(times) * 0.95) - 1], 1), page_bytes=size, person=email,
        )  # fmt: skip
        for name, paths in (
            (
                "a mix of agenda, calendar, case and duty",
                ["/", "/calendar", f"/case/{case}", f"/duty/{ref}"],
            ),
            ("the agenda alone", ["/"]),
        ):
            rate = _rate(port, email, paths, seconds)
            report(
                "desk.py", f"signed-in page views a second, {name} ({label})", round(rate),
                "per s", target=target_rate, lower_is_better=False,
                how=f"4 client threads, keep-alive, {seconds:.0f} s, every answer 200",
            )  # fmt: skip
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    if workers < 2:
        return
    proc, port = serve(url, log, "--workers", str(workers))
    try:
        for name, paths in (
            (
                "a mix of agenda, calendar, case and duty",
                ["/", "/calendar", f"/case/{case}", f"/duty/{ref}"],
            ),
            ("the agenda alone", ["/"]),
        ):
            rate = _rate(port, email, paths, seconds, reconnect=25)
            report(
                "desk.py", f"signed-in page views a second, {name} ({label}, serve --workers"
                f" {workers})", round(rate), "per s", target=target_rate, lower_is_better=False,
                how=f"4 client threads, keep-alive, a new connection every 25 page views,"
                f" {seconds:.0f} s, every answer 200",
            )  # fmt: skip
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def _rate(port: int, email: str, paths: list[str], seconds: float, reconnect: int = 0) -> float:
    counts: list[int] = []
    failures: list[str] = []
    start = threading.Barrier(5)

    def client() -> None:
        c = Client(port)
        c.sign_in(email)
        n = 0
        start.wait()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if reconnect and n and n % reconnect == 0:
                c.conn.close()  # the next request opens a new connection
            status = c.get(paths[n % len(paths)])[0]
            if status != 200:
                failures.append(f"{paths[n % len(paths)]}: {status}")
            n += 1
        counts.append(n)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    start.wait()
    began = time.monotonic()
    for t in threads:
        t.join()
    took = time.monotonic() - began
    assert not failures, failures[:5]
    return sum(counts) / took


def copy_schema(base_url: str, source: str, target: str) -> str:
    """The tables the pages read, copied from ``source`` into ``target`` and upgraded."""
    from sqlalchemy import create_engine, text

    from obligations.store.db import Database, upgrade

    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{target}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{target}"'))
        for table in PAGE_TABLES:
            conn.execute(
                text(f'CREATE TABLE "{target}"."{table}" (LIKE "{source}"."{table}" INCLUDING ALL)')
            )
            conn.execute(
                text(f'INSERT INTO "{target}"."{table}" SELECT * FROM "{source}"."{table}"')
            )
        others = conn.execute(
            text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = :s"
                " AND table_type = 'BASE TABLE' ORDER BY table_name"
            ),
            {"s": source},
        ).scalars()
        # the others empty, as they are (history, facts, tokens; the desk's own when the source
        # has them): the upgrade makes those of later revisions
        for table in [t for t in others if t not in PAGE_TABLES]:
            conn.execute(
                text(f'CREATE TABLE "{target}"."{table}" (LIKE "{source}"."{table}" INCLUDING ALL)')
            )
        conn.execute(text(f'ANALYZE "{target}".obligation'))
        conn.execute(text(f'ANALYZE "{target}".assignment'))
    engine.dispose()
    url = f"{base_url}?options=-csearch_path%3D{target}"
    db = Database(url)
    try:
        upgrade(db.writer)
    finally:
        db.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", type=Path)
    parser.add_argument("--obligations", type=int, default=200_000)
    parser.add_argument("--postgres")
    parser.add_argument("--schema", default="docketcal_desk_bench")
    parser.add_argument("--copy-from")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--workers", type=int, default=2, help="serve --workers for the third run (1: none)"
    )
    args = parser.parse_args()
    if args.sqlite is None and args.postgres is None:
        import tempfile

        folder = tempfile.mkdtemp(prefix="bench-desk-")
        args.sqlite = Path(folder) / f"desk-{args.obligations}.db"
    if args.sqlite:
        if not args.sqlite.exists():
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "generate.py"), "--db",
                 f"sqlite:///{args.sqlite}", "--obligations", str(args.obligations), "--seed", "1"],
                check=True,
            )  # fmt: skip
        measure(
            f"sqlite:///{args.sqlite}", f"SQLite, {args.obligations:,} obligations", args.seconds,
            None, 200 if args.obligations >= 200_000 else None, args.workers,
        )  # fmt: skip
    if args.postgres:
        if args.copy_from:
            url = copy_schema(args.postgres, args.copy_from, args.schema)
        else:
            url = f"{args.postgres}?options=-csearch_path%3D{args.schema}"
        try:
            measure(url, "PostgreSQL, 1,000,000 obligations", args.seconds, 150, None, args.workers)
        finally:
            if args.copy_from:
                from sqlalchemy import create_engine, text

                engine = create_engine(args.postgres)
                with engine.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
                engine.dispose()


if __name__ == "__main__":
    main()

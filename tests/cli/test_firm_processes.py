"""A firm's set-up: several ``docketcal`` processes on one docket, on a SQLite file and on
PostgreSQL (``DOCKETCAL_TEST_POSTGRES``; a schema of each test's own, passed to the command line
as ``?options=-csearch_path%3D...`` in the URL).

Feeds: three ``docketcal serve`` processes (the installed entry point, each on its own loopback
port) answer the same token with the same bytes and the same validators, take each other's
validators, and all follow a change recorded with the command line at their next request. The
Last-Modified date comes from the database (``feed_stamp``), so it is the same in every process
and never lets an If-Modified-Since made for older bytes match newer ones: not across processes
within one second, not with skewed clocks, not with processes that render different bytes. On
PostgreSQL a writer that took its history id before another and committed after it is seen at
the next request too.

Reminders: two ``docketcal remind`` runs at once, each in a UTS namespace of its own with its
own host name (``unshare --uts``, as root), against aiosmtpd on loopback: every reminder is
delivered exactly once, and the outbox shows both hosts did work.

The tests import no other test module (``--import-mode=importlib``): the SMTP server and the
PostgreSQL schema follow ``tests/cli/test_remind.py``.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from calendars.data import data_path
from cli.web.feeds import Publisher
from obligations.feeds import Scope
from obligations.store.docket import Docket
from obligations.store.feeds import Tokens
from obligations.store.location import libpq_url
from obligations.store.tables import FeedStamp

from .conftest import CASE, ORDER, Inbox, Where, free_port, told

EXE = Path(sys.executable).parent / "docketcal"
ORDERS = sorted(data_path("orders").glob("*.toml"))
CAED, NJD = "caed-2013-11-12", "njd-2013-07-02"
AS_OF = "2013-11-20"
SECRET = "firm-test-secret-" + "f" * 40
BASE = "https://docket.firm.example/feeds/"


# -- the docket and the command -------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DOCKETCAL_CONFIG": str(tmp_path / "config.toml"),
        "DOCKETCAL_FEED_SECRET": SECRET,
        "DOCKETCAL_FEED_URL": BASE,
        "DOCKETCAL_USER": "clerk",
        "NO_COLOR": "1",
    }


def cli(where: Where, env: dict[str, str], *args: str) -> str:
    """The installed command, as a process of its own: its standard output."""
    done = subprocess.run(
        [str(EXE), "--db", where.url, *args], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, (args, done.stderr.decode())
    return done.stdout.decode()


@pytest.fixture
def feeds_docket(where: Where) -> Where:
    """The two example orders, Ann assigned the California case and Bo the New Jersey one."""
    db = where.open()
    try:
        d = Docket(db, "test")
        d.load(ORDERS)
        d.add_person("Ann Lee", "ann@firm.example")
        d.add_person("Bo Chen", "bo@firm.example")
        d.assign("ann@firm.example", CAED)
        d.assign("bo@firm.example", NJD)
    finally:
        db.dispose()
    return where


def new_token(where: Where, env: dict[str, str], scope: str) -> str:
    """``feed token create``: the token from the URL it prints once."""
    made = json.loads(
        cli(where, env, "--format", "json", "feed", "token", "create", "--scope", scope)
    )
    return str(made["url"]).removeprefix(BASE).removesuffix(".ics")


# -- serve processes ---------------------------------------------------------------------------------


@dataclass
class Server:
    """One ``docketcal serve`` process on its own port."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(
        self, token: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request("GET", f"/feeds/{token}.ics", headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


Serve = Callable[..., list[Server]]


@pytest.fixture
def serve(where: Where, env: dict[str, str], tmp_path: Path) -> Iterator[Serve]:
    """``serve(n, as_of=..., extra={...})``: start ``n`` serve processes on free ports and wait
    until each listens; all are stopped at the end."""
    started: list[Server] = []

    def start(n: int, as_of: str = AS_OF, extra: dict[str, str] | None = None) -> list[Server]:
        made = []
        for _ in range(n):
            port = free_port()
            log = tmp_path / f"serve-{port}.log"
            proc = subprocess.Popen(
                [str(EXE), "--db", where.url, "--as-of", as_of, "serve", "--port", str(port),
                 "--quiet"],
                env={**env, **(extra or {})}, stdout=subprocess.DEVNULL, stderr=log.open("wb"),
            )  # fmt: skip
            made.append(Server(proc, port, log))
        started.extend(made)
        deadline = time.monotonic() + 30
        for s in made:
            while "listening on" not in s.log.read_text():
                assert s.proc.poll() is None, s.log.read_text()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.05)
        return made

    try:
        yield start
    finally:
        for s in started:
            s.stop()


def modified(headers: dict[str, str]) -> datetime:
    return parsedate_to_datetime(headers["Last-Modified"])


def stamps(where: Where) -> dict[str, tuple[str, datetime]]:
    """The ``feed_stamp`` rows: scope -> (ETag, Last-Modified)."""
    db = where.open()
    try:
        with db.read() as session:
            return {r.scope: (r.etag, r.modified) for r in session.exec(select(FeedStamp))}
    finally:
        db.dispose()


# -- (A) several serve processes -------------------------------------------------------------------


def test_serve_processes_answer_alike_and_all_follow_a_change(
    feeds_docket: Where, env: dict[str, str], serve: Serve
) -> None:
    where = feeds_docket
    tokens = {
        scope: new_token(where, env, scope) for scope in (f"case:{CAED}", "person:ann@firm.example")
    }
    servers = serve(3)
    for scope, token in tokens.items():
        shown = cli(where, env, "--as-of", AS_OF, "feed", "show", scope).encode()
        answers = []
        for s in servers:
            answers.append(s.get(token))
            time.sleep(1.05)  # each process first serves these bytes in a later second
        assert {a[0] for a in answers} == {200}
        assert {a[2] for a in answers} == {shown}  # the bytes of 'feed show'
        etags = {a[1]["ETag"] for a in answers}
        dates = {a[1]["Last-Modified"] for a in answers}
        assert len(etags) == 1 and len(dates) == 1, (etags, dates)
        (etag,), (date_,) = etags, dates
        for s in servers:  # validators from any process are good at every other
            status, h, body = s.get(token, {"If-None-Match": etag})
            assert (status, body, h["ETag"], h["Last-Modified"]) == (304, b"", etag, date_)
            status, h, body = s.get(token, {"If-Modified-Since": date_})
            assert (status, body, h["ETag"]) == (304, b"", etag)

    # a change recorded with the command line: every process has it at its next request
    case = tokens[f"case:{CAED}"]
    old = servers[0].get(case)[1]
    cli(where, env, "done", "produce-documents", "--on", "2013-11-19")
    shown = cli(where, env, "--as-of", AS_OF, "feed", "show", f"case:{CAED}").encode()
    after = [s.get(case, {"If-None-Match": old["ETag"]}) for s in servers]
    assert [a[0] for a in after] == [200, 200, 200]
    assert {a[2] for a in after} == {shown}
    assert b"DONE: " in shown
    assert len({a[1]["ETag"] for a in after}) == 1 and after[0][1]["ETag"] != old["ETag"]
    assert len({a[1]["Last-Modified"] for a in after}) == 1
    assert modified(after[0][1]) > modified(old)
    new = after[0][1]
    for s in servers:
        assert s.get(case, {"If-None-Match": old["ETag"]})[0] == 200
        assert s.get(case, {"If-Modified-Since": old["Last-Modified"]})[0] == 200
        assert s.get(case, {"If-None-Match": new["ETag"]})[0] == 304
        assert s.get(case, {"If-Modified-Since": new["Last-Modified"]})[0] == 304
    # one shared stamp per scope: the row holds what every process serves
    assert stamps(where)[f"case:{CAED}"] == (new["ETag"], modified(new))


def test_a_change_in_the_same_second_never_gets_a_wrong_304_from_another_process(
    feeds_docket: Where, env: dict[str, str], serve: Serve
) -> None:
    """Process A serves the firm feed, the docket changes, and process B serves the new bytes,
    all within one second: B's Last-Modified is still later than A's (each process stamping
    its own clock in whole seconds gave both the same date, and B a 304 for A's old date).
    The change is made in this process with ``Docket``: a command-line process takes more than
    a second to start."""
    where = feeds_docket
    token = new_token(where, env, "firm")
    a, b, _ = serve(3)
    db = where.open()
    same_second = 0
    try:
        docket = Docket(db, "test")
        for n in range(5):
            while time.time() % 1 > 0.05:  # start at the top of a second
                time.sleep(0.005)
            started = time.time()
            status, first, _ = a.get(token)
            assert status == 200
            docket.extend("produce-documents", to=date(2013, 12, 2 + n), reason=f"stipulation {n}")
            status, then, body = b.get(token, {"If-Modified-Since": first["Last-Modified"]})
            if int(time.time()) == int(started):
                same_second += 1
            assert status == 200 and body, (n, first["Last-Modified"], then.get("Last-Modified"))
            assert then["ETag"] != first["ETag"] and modified(then) > modified(first)
            assert a.get(token, {"If-Modified-Since": first["Last-Modified"]})[0] == 200
    finally:
        db.dispose()
    assert same_second >= 1, "no attempt stayed within one second: the machine is too slow"


def test_skewed_clocks_give_the_same_last_modified(feeds_docket: Where) -> None:
    """Two publishers whose clocks are two hours apart, as on two badly set hosts: the date
    comes from the database, so both give the same one and the slow host does not answer 304
    to the fast host's date for newer bytes."""
    where = feeds_docket
    db = where.open()
    _, token = Tokens(db).create(Scope.parse(f"case:{CAED}"), SECRET)
    real = datetime.now(UTC)
    fast = Publisher(where.base, schema=where.schema, as_of=date(2013, 11, 20),
                     now=lambda: real + timedelta(hours=1))  # fmt: skip
    slow = Publisher(where.base, schema=where.schema, as_of=date(2013, 11, 20),
                     now=lambda: real - timedelta(hours=1))  # fmt: skip
    path = f"/feeds/{token}.ics"
    try:
        one = dict(fast.answer(path, {}).headers)
        assert dict(slow.answer(path, {}).headers)["Last-Modified"] == one["Last-Modified"]
        assert abs(modified(one) - real) < timedelta(seconds=5)  # neither host's clock
        Docket(db, "test").done("produce-documents", date(2013, 11, 19))
        answer = slow.answer(path, {"if-modified-since": one["Last-Modified"]})
        assert answer.status == 200
        two = dict(answer.headers)
        assert modified(two) > modified(one)
        assert dict(fast.answer(path, {}).headers)["Last-Modified"] == two["Last-Modified"]
        assert fast.answer(path, {"if-modified-since": one["Last-Modified"]}).status == 200
    finally:
        fast.close()
        slow.close()
        db.dispose()


def test_processes_that_render_other_bytes_never_answer_304_for_each_others_date(
    feeds_docket: Where, env: dict[str, str], serve: Serve
) -> None:
    """Two processes that disagree (other windows here; another day or version during a
    rollout alike): the one whose bytes are not the stamped ones sends no Last-Modified and
    answers an If-Modified-Since in full, and neither overwrites the other's stamp again."""
    where = feeds_docket
    token = new_token(where, env, f"case:{CAED}")
    cli(where, env, "done", "produce-documents", "--on", "2013-11-22")
    # on 2013-12-20 the duty was done 28 days before: outside 14 days, inside 30
    (short,) = serve(1, as_of="2013-12-20")
    (long_,) = serve(1, as_of="2013-12-20", extra={"DOCKETCAL_FEED_DONE_DAYS": "30"})
    s1, h1, b1 = short.get(token)
    s2, h2, b2 = long_.get(token)
    assert s1 == s2 == 200 and b1 != b2 and b"DONE: " in b2 and b"DONE: " not in b1
    assert modified(h2) > modified(h1)  # the later render took the stamp
    assert short.get(token, {"If-Modified-Since": h1["Last-Modified"]})[0] == 200
    row = stamps(where)[f"case:{CAED}"]
    for _ in range(5):
        status, h, _ = short.get(token, {"If-Modified-Since": h2["Last-Modified"]})
        assert status == 200 and "Last-Modified" not in h and h["ETag"] == h1["ETag"]
        status, h, _ = long_.get(token, {"If-Modified-Since": h2["Last-Modified"]})
        assert status == 304 and h["Last-Modified"] == h2["Last-Modified"]
        assert long_.get(token, {"If-Modified-Since": h1["Last-Modified"]})[0] == 200
    assert stamps(where)[f"case:{CAED}"] == row  # no stamp written back and forth


@pytest.mark.parametrize("where", ["postgres"], indirect=True)  # SQLite: one writer at a time
def test_a_writer_committing_after_a_later_history_id_is_seen_at_the_next_request(
    feeds_docket: Where, env: dict[str, str], serve: Serve
) -> None:
    """PostgreSQL: writer 1 (``done`` in the California case) takes its history ids, then waits
    on a row lock held here; writer 2 (``done`` in the New Jersey case) takes later ids and
    commits; the serve processes render the California feed; then writer 1 commits. The
    newest history id has not changed, yet every process serves writer 1's change at once
    (with only ``max(id)`` as the version they kept the old bytes for up to 60 seconds)."""
    where = feeds_docket
    import psycopg

    token = new_token(where, env, f"case:{CAED}")
    servers = serve(3)
    before = {s.get(token)[1]["ETag"] for s in servers}
    assert len(before) == 1
    plain = libpq_url(where.base)
    path = f"-csearch_path={where.schema}"
    with (
        psycopg.connect(plain, options=path) as holder,
        psycopg.connect(plain, autocommit=True, options=path) as look,
    ):
        holder.execute(
            "SELECT id FROM obligation WHERE ref = %s FOR UPDATE",
            (f"{CAED}/{CAED}/produce-documents",),
        )
        first = subprocess.Popen(
            [str(EXE), "--db", where.url, "done", "produce-documents", "--on", "2013-11-19"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not look.execute(
            "SELECT 1 FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            (holder.info.backend_pid,),
        ).fetchall():
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "writer 1 never waited on the lock"
            time.sleep(0.02)
        cli(where, env, "done", "joint-letter", "--on", "2013-07-15")
        newest = look.execute("SELECT max(id) FROM history").fetchone()
        during = [s.get(token) for s in servers]  # rendered (and kept) without writer 1
        assert {a[1]["ETag"] for a in during} == before
        holder.rollback()  # writer 1 goes on and commits
        _, err = first.communicate(timeout=30)
        assert first.returncode == 0, err.decode()
        # the case this test is about: writer 1's ids are all below writer 2's
        assert look.execute("SELECT max(id) FROM history").fetchone() == newest
    shown = cli(where, env, "--as-of", AS_OF, "feed", "show", f"case:{CAED}").encode()
    after = [s.get(token) for s in servers]
    assert [a[2] == shown for a in after] == [True, True, True]
    assert {a[1]["ETag"] for a in after} != before


# -- (B) two remind runs on two hosts --------------------------------------------------------------

PEOPLE = 100  # five batches of 20 e-mails (cli/remind.py BATCH) to claim
HOSTS = ("host-a", "host-b")
#: Each day's run reminds every person of both duties: lead times 0 and 3 on 04-01, overdue 1
#: day and 1 on 04-02, overdue 2 days and 0 on 04-03.
ROUNDS = ("2024-04-01", "2024-04-02", "2024-04-03")


@pytest.fixture(scope="session")
def uts() -> None:
    """Host names of their own need ``unshare --uts`` (util-linux) and root."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed: no host names of their own")
    probe = subprocess.run(
        ["unshare", "--uts", "sh", "-c", "hostname probe-host && hostname"],
        capture_output=True, text=True,
    )  # fmt: skip
    if probe.returncode != 0 or probe.stdout.strip() != "probe-host":
        pytest.skip(f"cannot make a UTS namespace here (root is needed): {probe.stderr.strip()}")


def outbox(where: Where) -> dict[int, tuple[str, int, str]]:
    """The outbox rows: id -> (status, attempts, claimed_by)."""
    db = where.open()
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, status, attempts, claimed_by FROM reminder"))
            return {int(r[0]): (str(r[1]), int(r[2]), str(r[3])) for r in rows}
    finally:
        db.dispose()


def on_host(host: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``argv`` in a new UTS namespace whose host name is ``host``."""
    return subprocess.Popen(
        ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', host, *argv],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_two_hosts_reminding_at_once_send_each_reminder_once(
    uts: None, where: Where, inbox: Inbox, tmp_path: Path
) -> None:
    order = tmp_path / "order.toml"
    order.write_text(ORDER, encoding="utf-8")
    db = where.open()
    try:
        d = Docket(db, "test")
        d.load([order])
        for n in range(PEOPLE):
            d.add_person(f"Person {n}", f"p{n:03d}@firm.example")
            d.assign(f"p{n:03d}@firm.example", CASE)
    finally:
        db.dispose()
    env = {
        **os.environ,
        "DOCKETCAL_SMTP_HOST": "127.0.0.1",
        "DOCKETCAL_SMTP_PORT": str(inbox.port),
        "DOCKETCAL_SMTP_SECURITY": "none",
        "DOCKETCAL_MAIL_FROM": "Docket <docket@firm.example>",
        "DOCKETCAL_CONFIG": str(tmp_path / "config.toml"),
        "NO_COLOR": "1",
    }
    inbox.gate, inbox.delay = len(HOSTS), 0.005
    expected = {
        (f"p{n:03d}@firm.example", o) for n in range(PEOPLE) for o in ("produce", "respond")
    }
    before: set[int] = set()
    for day in ROUNDS:
        argv = [str(EXE), "--db", where.url, "--format", "json", "--as-of", day, "remind"]
        runs = [on_host(host, argv, env) for host in HOSTS]
        outs = []
        for p in runs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err.decode()
            outs.append(json.loads(out))
        messages = inbox.take()
        delivered = told(messages)
        assert set(delivered) == expected, day
        assert set(delivered.values()) == {1}, (day, [k for k, v in delivered.items() if v > 1])
        assert len(messages) == PEOPLE == sum(o["sent"] for o in outs)
        assert len({m["Message-ID"] for m in messages}) == PEOPLE
        # the outbox: each of the day's reminders sent once, by a run on one of the two
        # hosts (the run's name starts with its host name), and both hosts sent some
        rows = outbox(where)
        sent = {i: r for i, r in rows.items() if r[0] == "sent" and i not in before}
        before = {i for i, r in rows.items() if r[0] == "sent"}
        assert len(sent) == 2 * PEOPLE and {r[1] for r in sent.values()} == {1}, day
        hosts = Counter(r[2].split(":")[0] for r in sent.values())
        assert set(hosts) == set(HOSTS), (day, hosts)
        assert all(o["sent"] >= 1 for o in outs), (day, [o["sent"] for o in outs])
        assert not [r for r in rows.values() if r[0] in ("pending", "sending", "failed")]

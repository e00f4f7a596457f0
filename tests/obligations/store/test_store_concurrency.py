"""Two processes writing at once, and cron reading while a clerk writes, on SQLite and PostgreSQL.

The writers are real processes: this file run as a script (``python test_store_concurrency.py
SPEC``) is one clerk or one cron job. Each starts, connects, says "ready", waits for "go" on its
standard input so that all of them start together, works, and prints what happened as JSON.

Every write must either succeed or fail with ``StoreBusy`` (nothing written); afterwards every
write that succeeded is there exactly once, and the history accounts for every revision
(``revision == number of "obligation added" / "schedule changed" / "obligation removed" rows - 1``,
see ``assert_consistent`` in conftest.py): nothing is half-written and no change is lost.

The PostgreSQL-only tests at the end force, with threads, the interleavings the process tests hit
only by chance, each pausing one writer at a chosen statement (a SQLAlchemy event hook).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import col, select

from obligations.store.db import Database, StoreBusy
from obligations.store.docket import Docket
from obligations.store.read import reader
from obligations.store.tables import Fact, History, Obligation, OrderVersion

ROUNDS = 30  # writes per clerk
HERE = Path(__file__).resolve()
ORDER = """
[order]
id = "sched"
case = "conc"
court = "njd"
entered = 2024-03-01
title = "Concurrency fixture"

[[obligation]]
id = "produce"
party = "defendant"
text = "Defendant shall produce its documents within 14 days."
cite = "¶ 1"
due = "14 days after order"

[[obligation]]
id = "review"
party = "plaintiff"
text = "Plaintiff shall review the production within 14 days of it."
cite = "¶ 2"
due = "14 days after produce"

[[obligation]]
id = "opposition"
party = "plaintiff"
text = "Opposition at least 14 days before the hearing."
cite = "¶ 3"
due = "14 days before hearing"

[[obligation]]
id = "call"
party = "both"
kind = "recurring"
on = "new-requests"
due = "10 days after new-requests"
text = "A call within 10 days of each new set of requests."
cite = "¶ 4"

[[obligation]]
id = "confer"
party = "both"
kind = "standing"
text = "The parties shall continue to meet and confer."
cite = "¶ 5"
"""
#: A single statement (one snapshot on both databases) and what must hold of every answer.
CRON_SQL = """
SELECT
  (SELECT count(*) FROM fact),
  (SELECT count(*) FROM history WHERE what IN ('event recorded', 'done')),
  (SELECT count(*) FROM fact WHERE kind = 'event' AND name = 'new-requests'),
  (SELECT count(*) FROM obligation WHERE substr(obligation_id, 1, 5) = 'call#'),
  (SELECT coalesce(sum(revision), 0) FROM obligation),
  (SELECT count(*) FROM history WHERE what IN ('schedule changed', 'obligation removed'))
"""


# --- the worker processes ---------------------------------------------------------------------


def _clerk(spec: dict[str, Any]) -> dict[str, Any]:
    db = Database(spec["url"], schema=spec["schema"])
    retried: list[str] = []  # errors the store met and retried (or gave up on)
    event.listen(
        db.writer,
        "handle_error",
        lambda ctx: retried.append(str(ctx.original_exception).splitlines()[0]),
    )
    docket = Docket(db, spec["who"])
    docket.orders()  # connect before "go"
    yield_ready()
    results = []
    for op in spec["plan"]:
        try:
            if op["op"] == "event":
                docket.record_event(
                    "conc",
                    op["name"],
                    date.fromisoformat(op["day"]),
                    note=op["tag"],
                    occurrence=op.get("occurrence", ""),
                )
            elif op["op"] == "done":
                docket.done("conc/sched/produce", date.fromisoformat(op["day"]), note=op["tag"])
            elif op["op"] == "load":
                docket.load([op["path"]])
            results.append([op["tag"], "ok"])
        except StoreBusy:
            results.append([op["tag"], "busy"])
        except Exception as exc:
            results.append([op["tag"], f"error: {type(exc).__name__}: {exc}"])
    db.dispose()
    return {"results": results, "retried": retried}


def _cron(spec: dict[str, Any]) -> dict[str, Any]:
    problems: list[str] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    reads = 0
    stop = Path(spec["stop"])
    with reader(spec["url"], schema=spec["schema"]) as r:
        yield_ready()
        deadline = time.monotonic() + 120
        while not stop.exists() and time.monotonic() < deadline:
            try:
                facts, fact_history, requests, instances, revisions, revising = r.query(CRON_SQL)[0]
                if facts != fact_history:
                    problems.append(f"{facts} facts but {fact_history} history rows for them")
                if requests != instances:
                    problems.append(f"{requests} new-requests events but {instances} instances")
                if revisions != revising:
                    problems.append(f"revisions add up to {revisions}, the history to {revising}")
                for ref, revision in r.query("SELECT ref, revision FROM obligation"):
                    if revision < seen.get(ref, 0):
                        problems.append(f"{ref}: revision went back from {seen[ref]} to {revision}")
                    seen[ref] = revision
                r.upcoming(
                    date(2024, 3, 1),
                    date(2025, 1, 1),
                    case="conc",
                    states=("overdue", "open", "waiting", "done", "standing"),
                )
                reads += 1
            except Exception as exc:  # a read that fails is what the test is about
                errors.append(f"{type(exc).__name__}: {exc}")
    return {"reads": reads, "problems": problems[:20], "errors": errors[:20]}


def yield_ready() -> None:
    """Say "ready", then wait for "go" (so that every process starts its work together)."""
    print("ready", flush=True)
    assert sys.stdin.readline().strip() == "go"


def main() -> None:
    spec = json.loads(sys.argv[1])
    result = _clerk(spec) if spec["role"] == "clerk" else _cron(spec)
    print(json.dumps(result), flush=True)


# --- running them -----------------------------------------------------------------------------


def run_together(
    specs: list[dict[str, Any]], after: Callable[[int], None] | None = None
) -> list[dict[str, Any]]:
    """Start one process per spec, let them all go at once, and collect their answers.
    ``after(i)`` is called when process ``i`` has finished (to stop the cron job)."""
    procs = [
        subprocess.Popen(
            [sys.executable, str(HERE), json.dumps(spec)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(HERE.parents[3])},
        )
        for spec in specs
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdin is not None
            line = proc.stdout.readline()
            assert line.strip() == "ready", f"{line}{proc.stderr.read() if proc.stderr else ''}"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        answers: list[dict[str, Any]] = [{} for _ in procs]
        pending = set(range(len(procs)))
        deadline = time.monotonic() + 180
        while pending:
            assert time.monotonic() < deadline, "the processes did not finish in time"
            for i in sorted(pending):
                if procs[i].poll() is not None:
                    out, err = procs[i].communicate(timeout=60)
                    assert procs[i].returncode == 0, err
                    answers[i] = json.loads(out.strip().splitlines()[-1])
                    pending.discard(i)
                    if after is not None:
                        after(i)
            time.sleep(0.05)
        return answers
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def plan(who: str, offset: int) -> list[dict[str, Any]]:
    """ROUNDS writes on one case: new occurrences of an event (each adds an instance), the same
    obligation done on other and other days (a correction each time) and the hearing moved."""
    ops: list[dict[str, Any]] = []
    for i in range(ROUNDS):
        tag = f"{who}-{i}"
        day = 2 * i + offset
        if i % 3 == 0:
            ops.append(
                {
                    "op": "event",
                    "name": "new-requests",
                    "occurrence": tag,
                    "day": (date(2024, 4, 1) + timedelta(days=day)).isoformat(),
                    "tag": tag,
                }
            )
        elif i % 3 == 1:
            ops.append(
                {
                    "op": "done",
                    "day": (date(2024, 3, 4) + timedelta(days=day)).isoformat(),
                    "tag": tag,
                }
            )
        else:
            ops.append(
                {
                    "op": "event",
                    "name": "hearing",
                    "day": (date(2024, 6, 3) + timedelta(days=day)).isoformat(),
                    "tag": tag,
                }
            )
    return ops


@pytest.fixture
def conc(where: Any, write_order: Callable[[str, str], Path]) -> Iterator[Any]:
    """The docket with the concurrency fixture's order loaded."""
    db = where.open()
    try:
        Docket(db, "setup").load([write_order("conc", ORDER)])
        yield db
    finally:
        db.dispose()


def _check_writes(
    db: Any, answers: list[dict[str, Any]], consistent: Callable[[Any], None]
) -> None:
    """Every write either succeeded and is there exactly once, or failed busy and is absent;
    every revision is accounted for; a recomputation now changes nothing."""
    outcomes = {
        tag: outcome
        for a in answers
        for tag, outcome in a["results"]
        if not tag.startswith("load-")
    }
    errors = {tag: o for tag, o in outcomes.items() if o not in ("ok", "busy")}
    retried = [e for a in answers for e in a["retried"]]
    assert errors == {}, f"writes that failed other than busy (retried: {retried[:5]})"
    with db.read() as s:
        facts = s.exec(select(Fact)).all()
        history = s.exec(select(History)).all()
        instances = s.exec(
            select(Obligation).where(col(Obligation.obligation_id).startswith("call#"))
        ).all()
    fact_notes = Counter(f.note for f in facts)
    history_notes = Counter(
        (h.after or {}).get("note") for h in history if h.what in ("event recorded", "done")
    )
    for tag, outcome in outcomes.items():
        want = 1 if outcome == "ok" else 0
        assert (fact_notes[tag], history_notes[tag]) == (want, want), (tag, outcome)
    assert len(facts) == sum(o == "ok" for o in outcomes.values())
    occurrences = {f.occurrence for f in facts if f.name == "new-requests"}
    assert len(instances) == len(occurrences)
    consistent(db)
    changes = Docket(db, "check").record_event(
        "conc", "unrelated", date(2024, 3, 1), for_later=True
    )
    assert changes.revised == [], "the stored schedule was not the one the facts give"


# --- the tests ----------------------------------------------------------------------------------


def test_a_clerk_records_while_cron_reads(
    where: Any, conc: Any, tmp_path: Path, consistent: Callable[[Any], None]
) -> None:
    stop = tmp_path / "stop"
    base = {"url": where.url, "schema": where.schema}
    answers = run_together(
        [
            base | {"role": "clerk", "who": "clerk-a", "plan": plan("a", 0)},
            base | {"role": "cron", "stop": str(stop)},
        ],
        after=lambda i: stop.touch() if i == 0 else None,
    )
    clerk, cron = answers
    assert cron["errors"] == [] and cron["problems"] == []
    assert cron["reads"] >= 3, "cron did not read while the clerk wrote"
    assert {o for _, o in clerk["results"]} == {"ok"}  # one writer: nothing to wait for
    _check_writes(conc, [clerk], consistent)


@pytest.mark.parametrize(
    "where",
    [
        "sqlite",
        "postgres",
    ],
    indirect=True,
)
def test_two_clerks_load_and_record_at_once(
    where: Any, write_order: Callable[[str, str], Path], consistent: Callable[[Any], None]
) -> None:
    """Both load the same new order at the same moment, then record ROUNDS facts each in it."""
    path = str(write_order("conc", ORDER))
    base = {"url": where.url, "schema": where.schema, "role": "clerk"}
    answers = run_together(
        [
            base
            | {"who": "a", "plan": [{"op": "load", "path": path, "tag": "load-a"}, *plan("a", 0)]},
            base
            | {"who": "b", "plan": [{"op": "load", "path": path, "tag": "load-b"}, *plan("b", 1)]},
        ]
    )
    loads = [o for a in answers for tag, o in a["results"] if tag.startswith("load-")]
    assert set(loads) <= {"ok", "busy"} and "ok" in loads, loads
    db = where.open()
    try:
        with db.read() as s:
            assert len(s.exec(select(OrderVersion)).all()) == 1
        _check_writes(db, answers, consistent)
    finally:
        db.dispose()


# --- PostgreSQL: the interleavings, forced --------------------------------------------------------


class Pause:
    """Holds one writer's connection just before the first statement ``match`` picks."""

    def __init__(self, engine: Any, match: Callable[[str], bool], wait: Callable[[], object]):
        self.match, self.wait = match, wait
        self.reached = threading.Event()
        self.errors: list[str] = []  # every error the store met, retried or not
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(
            engine,
            "handle_error",
            lambda ctx: self.errors.append(str(ctx.original_exception).splitlines()[0]),
        )

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.match(statement) and not self.reached.is_set():
            self.reached.set()
            self.wait()


def _meet(barrier: threading.Barrier) -> None:
    """Wait for the other writer; if it cannot come (a fixed store makes it wait for this one's
    lock), go on alone after the barrier's timeout."""
    with suppress(threading.BrokenBarrierError):
        barrier.wait()


def _locks_the_case(statement: str) -> bool:
    return 'FROM "case"' in statement and " FOR " in statement


def _thread(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    raised: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, raised


def test_postgres_a_clerk_resolving_before_another_commits_loses_no_revision(
    pg_where: Any, write_order: Callable[[str, str], Path], consistent: Callable[[Any], None]
) -> None:
    setup, first, second = pg_where.open(), pg_where.open(), pg_where.open()
    try:
        Docket(setup, "setup").load([write_order("conc", ORDER)])
        go = threading.Event()
        # Clerk B has resolved "produce" and is about to write its fact when clerk A's write commits.
        pause = Pause(
            second.writer, lambda sql: sql.startswith("INSERT INTO fact"), lambda: go.wait(20)
        )
        b, b_raised = _thread(
            lambda: Docket(second, "b").done("conc/sched/produce", date(2024, 3, 20))
        )
        pause.reached.wait(20)
        a, a_raised = _thread(
            lambda: Docket(first, "a").done("conc/sched/produce", date(2024, 3, 10))
        )
        a.join(2)  # a store that locks first makes A wait for B: let B go on after a while
        go.set()
        for thread in (a, b):
            thread.join(30)
            assert not thread.is_alive()
        assert a_raised == [] and b_raised == []
        with setup.read() as s:
            row = s.exec(select(Obligation).where(Obligation.ref == "conc/sched/produce")).one()
            last = s.exec(
                select(Fact).where(Fact.kind == "done").order_by(col(Fact.id).desc())
            ).first()
        assert last is not None and row.done_on == last.day  # the later recording wins
        assert row.revision == 2, "two changes, two revisions"
        consistent(setup)
    finally:
        for db in (setup, first, second):
            db.dispose()


def test_postgres_two_writers_on_one_case_do_not_deadlock(
    pg_where: Any, write_order: Callable[[str, str], Path], consistent: Callable[[Any], None]
) -> None:
    setup, first, second = pg_where.open(), pg_where.open(), pg_where.open()
    try:
        Docket(setup, "setup").load([write_order("conc", ORDER)])
        both = threading.Barrier(2, timeout=2)
        # Both clerks have written their fact and are about to lock the case.
        pauses = [Pause(db.writer, _locks_the_case, lambda: _meet(both)) for db in (first, second)]
        threads = [
            _thread(lambda db=db, day=day: Docket(db, "x").record_event("conc", "hearing", day))
            for db, day in ((first, date(2024, 6, 3)), (second, date(2024, 6, 4)))
        ]
        for thread, raised in threads:
            thread.join(60)
            assert not thread.is_alive() and raised == []
        consistent(setup)  # both writes went through, one after the other
        assert [p.errors for p in pauses] == [[], []], "a writer was aborted and retried"
    finally:
        for db in (setup, first, second):
            db.dispose()


def test_postgres_two_first_loads_of_one_case(
    pg_where: Any, write_order: Callable[[str, str], Path]
) -> None:
    path = write_order("conc", ORDER)
    first, second = pg_where.open(), pg_where.open()
    try:
        both = threading.Barrier(2, timeout=2)
        for db in (first, second):
            Pause(db.writer, lambda sql: sql.startswith('INSERT INTO "case"'), lambda: _meet(both))
        threads = [_thread(lambda db=db: Docket(db, "x").load([path])) for db in (first, second)]
        for thread, _ in threads:
            thread.join(60)
            assert not thread.is_alive()
        raised = [exc for _, r in threads for exc in r]
        assert raised == [], raised
        with first.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM obligation")).scalar_one() == 5
    finally:
        first.dispose()
        second.dispose()


if __name__ == "__main__":
    main()

"""The docket on SQLite and PostgreSQL: loading orders, recording facts, revisions, history.

Every test runs on both databases (the ``db`` fixture). After every operation the test compares
each obligation before and after: exactly the obligations whose stored computed values changed
have their revision raised, by one; every other revision and every uid stays the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlmodel import col, select

from calendars import Period, Unit
from obligations.orderfile import OrderFileErrors
from obligations.store.db import Database
from obligations.store.docket import (
    COMPUTED,
    AmbiguousRef,
    Changes,
    Docket,
    DocketError,
    UnknownRef,
)
from obligations.store.tables import (
    Assignment,
    Case,
    Fact,
    History,
    Obligation,
    OrderVersion,
    Person,
)

ORDERS = Path(__file__).resolve().parents[3] / "data" / "orders"
CAED = ORDERS / "caed-2013-11-12.toml"
NJD = ORDERS / "njd-2013-07-02.toml"
CASE = "caed-2013-11-12"
PREFIX = f"{CASE}/{CASE}/"
FOURTEEN_DAY = ("produce-documents", "confirm-in-writing", "return-documents")
FOURTEEN_DAY += ("serve-privilege-log", "name-employees")
BATES = ("bates-stamp", "serve-bates-copies", "update-document-index", "serve-document-index")
LA = ZoneInfo("America/Los_Angeles")

# A small order, and a later version of it: one due rule changed, one duty removed, one added.
CHANGING_V1 = """
[order]
id = "sched"
case = "chg"
court = "njd"
entered = 2024-09-03
title = "Scheduling order (version 1)"

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
id = "letter"
party = "both"
text = "A joint letter 7 days after the production is due."
cite = "¶ 3"
due = "7 days after produce.due"

[[obligation]]
id = "confer"
party = "both"
kind = "standing"
text = "The parties shall continue to meet and confer."
cite = "¶ 4"
"""
CHANGING_V2 = (
    CHANGING_V1.replace("version 1", "version 2")
    .replace('due = "14 days after order"', 'due = "21 days after order"')
    .replace(CHANGING_V1[CHANGING_V1.index('[[obligation]]\nid = "confer"') :], "")
    + """
[[obligation]]
id = "status"
party = "both"
text = "A status report no later than October 15, 2024."
cite = "¶ 5"
due = "on 2024-10-15"
"""
)

# Another E.D. Cal. case whose one duty has the same id as one of the example order's.
OTHER_CAED = """
[order]
id = "b"
case = "caed-b"
court = "caed"
entered = 2013-11-12
title = "Another E.D. Cal. case"

[[obligation]]
id = "return-documents"
party = "defendant"
text = "Defendant shall return the documents within 14 days."
cite = "¶ 1"
due = "14 days after order"
"""

# Deadlines counted from a case event that has a time.
HEARING = """
[order]
id = "hear"
case = "hear"
court = "caed"
entered = 2013-11-12
title = "Briefing after a hearing"

[[obligation]]
id = "brief"
party = "plaintiff"
text = "A brief within 7 days after the hearing."
cite = "¶ 1"
due = "7 days after hearing"

[[obligation]]
id = "notice"
party = "defendant"
text = "A notice within 72 hours after the hearing."
cite = "¶ 2"
due = "72 hours after hearing"

[[obligation]]
id = "call"
party = "both"
kind = "recurring"
on = "new-requests"
due = "10 days after new-requests"
text = "A call within 10 days of each new set of requests."
cite = "¶ 3"
"""


# --- helpers --------------------------------------------------------------------------------


def snapshot(db: Database) -> dict[str, tuple[str, int, dict[str, Any]]]:
    """Every obligation: its uid, revision and stored computed values."""
    with db.read() as s:
        return {
            o.ref: (o.uid, o.revision, {k: getattr(o, k) for k in COMPUTED})
            for o in s.exec(select(Obligation)).all()
        }


Step = Callable[[Callable[[], Changes]], tuple[Changes, set[str]]]


@pytest.fixture
def step(db: Database, consistent: Callable[[Database], None]) -> Step:
    """Run one operation; check that exactly the obligations whose values changed (or that are
    new) were revised, by one, that uids stayed, that nothing was deleted, and the invariants."""

    def run(action: Callable[[], Changes]) -> tuple[Changes, set[str]]:
        before = snapshot(db)
        changes = action()
        after = snapshot(db)
        assert set(before) <= set(after), "an obligation row was deleted"
        changed: set[str] = set()
        for ref, (uid, revision, values) in after.items():
            if ref not in before:
                assert revision == 0, ref
                changed.add(ref)
                continue
            old_uid, old_revision, old_values = before[ref]
            assert uid == old_uid, f"{ref}: the uid changed"
            if values != old_values:
                assert revision == old_revision + 1, ref
                changed.add(ref)
            else:
                assert revision == old_revision, f"{ref}: revised without a change"
        assert sorted(changes.revised) == sorted(changed)
        consistent(db)
        return changes, changed

    return run


def count_rows(db: Database) -> dict[str, int]:
    """How many rows each table of the docket has."""
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


def ob(db: Database, ref: str) -> Obligation:
    with db.read() as s:
        return s.exec(select(Obligation).where(Obligation.ref == ref)).one()


def facts(db: Database) -> list[Fact]:
    with db.read() as s:
        return list(s.exec(select(Fact).order_by(col(Fact.id))).all())


def history(db: Database) -> list[History]:
    with db.read() as s:
        return list(s.exec(select(History).order_by(col(History.id))).all())


def refs(*names: str) -> set[str]:
    return {PREFIX + n for n in names}


@contextmanager
def refused(db: Database, when: str, table: str) -> Iterator[None]:
    """A real trigger that makes the database refuse a write half-way through an operation."""
    if db.sqlite:
        create = [
            f"CREATE TRIGGER refuse BEFORE {when} ON {table}"
            " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ]
        drop = ["DROP TRIGGER refuse"]
    else:
        create = [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            f"CREATE TRIGGER refuse BEFORE {when} ON {table} FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
        drop = [f"DROP TRIGGER refuse ON {table}", "DROP FUNCTION refuse()"]
    with db.engine.begin() as conn:
        for sql in create:
            conn.execute(text(sql))
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            for sql in drop:
                conn.execute(text(sql))


def loaded(docket: Docket, *paths: Path) -> Changes:
    return docket.load(list(paths) or [CAED, NJD])


# --- loading orders -------------------------------------------------------------------------


def test_loading_the_example_orders(db: Database, docket: Docket, step: Step) -> None:
    changes, changed = step(lambda: loaded(docket))
    assert len(changed) == 20  # 16 duties in the E.D. Cal. order, 4 in the D.N.J. one
    expected = {"history": 2 + 20, "obligation": 20, "order_version": 2, "case": 2}
    assert count_rows(db) == dict.fromkeys(count_rows(db), 0) | expected
    assert [h["what"] for h in changes.history].count("order loaded") == 2
    with db.read() as s:
        versions = s.exec(select(OrderVersion).order_by(col(OrderVersion.order_id))).all()
        assert [(v.case_id, v.order_id, v.version) for v in versions] == [
            (CASE, CASE, 1),
            ("njd-2013-07-02", "njd-2013-07-02", 1),
        ]
        text_ = CAED.read_text(encoding="utf-8")
        assert versions[0].text == text_
        assert versions[0].sha256 == hashlib.sha256(text_.encode()).hexdigest()
        assert versions[0].loaded_by == "clerk@example.com"
        assert {c.id: c.court for c in s.exec(select(Case)).all()} == {
            CASE: "caed",
            "njd-2013-07-02": "njd",
        }
    for name in FOURTEEN_DAY:
        row = ob(db, PREFIX + name)
        assert (row.state, row.due, row.revision, row.active) == (
            "open",
            date(2013, 11, 26),
            0,
            True,
        )
        assert row.due_at == datetime(2013, 11, 27, 7, 59, tzinfo=UTC)  # 23:59 PST
    for name in BATES:
        row = ob(db, PREFIX + name)
        assert (row.state, row.due) == ("waiting", None)
        assert row.waiting_on == ["return-documents (not yet done)"]
        assert row.depends_on == [PREFIX + "return-documents"]
    letter = ob(db, "njd-2013-07-02/njd-2013-07-02/joint-letter")
    assert (letter.state, letter.due) == ("open", date(2013, 7, 15))
    assert ob(db, PREFIX + "meet-and-confer-mindful").state == "standing"


def test_a_load_whose_second_file_has_an_error_writes_nothing(
    db: Database, docket: Docket, write_order: Callable[[str, str], Path]
) -> None:
    bad = write_order("bad", OTHER_CAED.replace("14 days after order", "14 dayz after order"))
    with pytest.raises(OrderFileErrors, match="dayz"):
        docket.load([NJD, bad])
    assert set(count_rows(db).values()) == {0}
    # An error only the orders together show (an amendment of a duty the first order lacks).
    first = write_order("first", CHANGING_V1)
    second = write_order(
        "second",
        CHANGING_V1.replace('id = "sched"', 'id = "later"').replace(
            "entered = 2024-09-03", "entered = 2024-09-10"
        )
        + '\n[[amend]]\norder = "sched"\nobligation = "no-such-duty"\naction = "vacate"\nreason = "x"\n',
    )
    with pytest.raises(OrderFileErrors, match="no-such-duty"):
        docket.load([first, second])
    assert set(count_rows(db).values()) == {0}


def test_a_load_the_database_refuses_half_way_writes_nothing(db: Database, docket: Docket) -> None:
    # The order versions and cases are written before the obligations: refuse the obligations.
    with (
        refused(db, "INSERT", "obligation"),
        pytest.raises(DBAPIError, match="refused by the test"),
    ):
        docket.load([CAED, NJD])
    assert set(count_rows(db).values()) == {0}
    loaded(docket)  # and the docket still works
    assert count_rows(db)["obligation"] == 20


def test_loading_the_same_file_again_changes_nothing(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    loaded(docket)
    before, rows_before, history_before = snapshot(db), count_rows(db), history(db)
    for paths in ([CAED, NJD], [NJD], [CAED]):
        changes = docket.load(paths)
        assert changes.to_json() == {"changes": [], "revised": [], "pending": []}
    copy = tmp_path / "elsewhere.toml"  # the same text from another file: the same order
    copy.write_text(CAED.read_text(encoding="utf-8"), encoding="utf-8")
    assert docket.load([copy]).to_json() == {"changes": [], "revised": [], "pending": []}
    assert snapshot(db) == before
    assert count_rows(db) == rows_before
    assert [h.id for h in history(db)] == [h.id for h in history_before]


def test_a_changed_order_is_shown_and_applied_only_when_asked(
    db: Database, docket: Docket, write_order: Callable[[str, str], Path], step: Step
) -> None:
    v1 = write_order("v1", CHANGING_V1)
    v2 = write_order("v2", CHANGING_V2)
    step(lambda: docket.load([v1]))
    assert ob(db, "chg/sched/produce").due == date(2024, 9, 17)
    rows_before, before = count_rows(db), snapshot(db)

    changes = docket.load([v2])
    assert changes.history == [] and changes.revised == []
    [pending] = changes.pending
    assert pending["order"] == "chg/sched" and pending["version"] == 1
    differences = pending["differences"]
    assert "title: Scheduling order (version 1) -> Scheduling order (version 2)" in differences
    assert "obligation status added" in differences
    assert "obligation confer removed" in differences
    assert any(d.startswith("obligation produce due:") and "21 days" in d for d in differences)
    assert count_rows(db) == rows_before and snapshot(db) == before  # nothing written

    changes, changed = step(lambda: docket.load([v2], apply=True))
    assert changed == {
        "chg/sched/produce",
        "chg/sched/letter",
        "chg/sched/confer",
        "chg/sched/status",
    }
    with db.read() as s:
        versions = s.exec(select(OrderVersion).order_by(col(OrderVersion.version))).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].text == CHANGING_V2 and versions[0].text == CHANGING_V1
    [order_changed] = [h for h in history(db) if h.what == "order changed"]
    assert order_changed.ref == "chg/sched" and order_changed.who == "clerk@example.com"
    assert order_changed.before is not None and order_changed.after is not None
    assert order_changed.before["version"] == 1
    assert order_changed.before["sha256"] == versions[0].sha256
    assert order_changed.before["differences"] == differences
    assert order_changed.after == {"version": 2, "sha256": versions[1].sha256}
    produce, confer = ob(db, "chg/sched/produce"), ob(db, "chg/sched/confer")
    assert (produce.due, produce.revision) == (date(2024, 9, 24), 1)
    assert (confer.active, confer.revision) == (False, 1)
    assert ob(db, "chg/sched/review").revision == 0  # still waiting on the production, unchanged
    assert (ob(db, "chg/sched/status").revision, ob(db, "chg/sched/status").active) == (0, True)
    [removed] = [h for h in history(db) if h.what == "obligation removed"]
    assert removed.ref == "chg/sched/confer"
    assert removed.before is not None and removed.before["active"] is True
    assert removed.after is not None and removed.after["active"] is False
    assert [o["obligations"] for o in docket.orders("chg")] == [4]  # the active ones
    assert docket.order("chg/sched")["versions"][-1]["version"] == 2

    # Loading the applied version again changes nothing; the old one is a change again.
    assert docket.load([v2], apply=True).to_json() == {"changes": [], "revised": [], "pending": []}
    assert docket.load([v1]).pending[0]["version"] == 2
    assert count_rows(db)["order_version"] == 2


# --- recording facts: exactly the changed obligations are revised ----------------------------


def test_done_revises_exactly_the_obligations_whose_values_changed(
    db: Database, docket: Docket, step: Step
) -> None:
    loaded(docket)
    uids = {ref: uid for ref, (uid, _, _) in snapshot(db).items()}
    changes, changed = step(lambda: docket.done("return-documents", date(2013, 11, 23)))
    assert changed == refs("return-documents", *BATES)
    for ref, (uid, revision, _) in snapshot(db).items():
        assert uid == uids[ref]
        assert revision == (1 if ref in changed else 0)
    done = ob(db, PREFIX + "return-documents")
    assert (done.state, done.done_on, done.late_by, done.due) == (
        "done",
        date(2013, 11, 23),
        0,
        date(2013, 11, 26),
    )
    for name in BATES:  # day 14 is Sat Dec. 7, rolled to Mon Dec. 9
        row = ob(db, PREFIX + name)
        assert (row.state, row.due, row.waiting_on) == ("open", date(2013, 12, 9), [])
    [fact] = facts(db)
    assert (fact.kind, fact.case_id, fact.order_id, fact.obligation_id, fact.day) == (
        "done",
        CASE,
        CASE,
        "return-documents",
        date(2013, 11, 23),
    )
    assert fact.recorded_by == "clerk@example.com"
    whats = [(h["what"], h["ref"]) for h in changes.history]
    assert whats[0] == ("done", PREFIX + "return-documents")
    assert sorted(whats[1:]) == sorted(("schedule changed", r) for r in changed)


def test_a_correction_is_a_new_fact_and_moves_the_dependents_again(
    db: Database, docket: Docket, step: Step
) -> None:
    loaded(docket)
    docket.done("return-documents", date(2013, 11, 23))
    first = facts(db)
    _, changed = step(lambda: docket.done("return-documents", date(2013, 11, 15)))
    assert changed == refs("return-documents", *BATES)
    for name in BATES:  # day 14 is Fri Nov. 29 (arguable California holiday): Mon Dec. 2
        row = ob(db, PREFIX + name)
        assert (row.due, row.safe_due, row.revision) == (date(2013, 12, 2), date(2013, 11, 29), 2)
    assert ob(db, PREFIX + "return-documents").done_on == date(2013, 11, 15)
    both = facts(db)
    assert len(both) == 2 and both[0] == first[0]  # the first fact is kept, unchanged
    assert [f.day for f in both] == [date(2013, 11, 23), date(2013, 11, 15)]
    # The same correction again is a third fact but changes no obligation.
    changes, changed = step(lambda: docket.done("return-documents", date(2013, 11, 15)))
    assert changed == set() and len(facts(db)) == 3
    assert [h["what"] for h in changes.history] == ["done"]
    # Back to the first date: the dependents move back.
    _, changed = step(lambda: docket.done("return-documents", date(2013, 11, 23)))
    assert changed == refs("return-documents", *BATES)
    assert ob(db, PREFIX + "bates-stamp").due == date(2013, 12, 9)
    assert len(facts(db)) == 4


def test_extensions_to_a_date_and_by_a_period(db: Database, docket: Docket, step: Step) -> None:
    loaded(docket)
    _, changed = step(
        lambda: docket.extend("produce-documents", to=date(2013, 12, 5), reason="stipulation")
    )
    assert changed == refs("produce-documents")
    assert ob(db, PREFIX + "produce-documents").due == date(2013, 12, 5)
    _, changed = step(
        lambda: docket.extend(
            "produce-documents", by=Period(7, Unit.DAYS), reason="second stipulation"
        ),
    )
    assert changed == refs("produce-documents")
    assert ob(db, PREFIX + "produce-documents").due == date(2013, 12, 12)  # counted from Dec. 5
    _, changed = step(
        lambda: docket.extend("produce-documents", by=Period(1, Unit.COURT_DAYS), reason="one more")
    )
    assert ob(db, PREFIX + "produce-documents").due == date(2013, 12, 13)
    extensions = [f for f in facts(db) if f.kind == "extension"]
    assert [(f.day, f.by_period, f.reason) for f in extensions] == [
        (date(2013, 12, 5), None, "stipulation"),
        (None, "7 days", "second stipulation"),
        (None, "1 court day", "one more"),
    ]
    extended = [h for h in history(db) if h.what == "extended"]
    assert [h.why for h in extended] == ["stipulation", "second stipulation", "one more"]
    assert ob(db, PREFIX + "produce-documents").amendments[-1].startswith("extended by 1 court day")


def test_a_vacatur_and_its_undoing(db: Database, docket: Docket, step: Step) -> None:
    loaded(docket)
    _, changed = step(lambda: docket.vacate("return-documents", reason="moot"))
    assert changed == refs("return-documents")
    assert ob(db, PREFIX + "return-documents").state == "vacated"
    _, changed = step(
        lambda: docket.vacate("return-documents", reason="entered in error", undo=True)
    )
    assert changed == refs("return-documents")
    row = ob(db, PREFIX + "return-documents")
    assert (row.state, row.revision) == ("open", 2)
    assert [(f.kind, f.undone, f.reason) for f in facts(db)] == [
        ("vacatur", False, "moot"),
        ("vacatur", True, "entered in error"),
    ]
    assert [h.what for h in history(db) if h.ref == PREFIX + "return-documents"][-4:] == [
        "vacated",
        "schedule changed",
        "vacatur undone",
        "schedule changed",
    ]


def test_a_closure_recomputes_every_case_in_its_court(
    db: Database, docket: Docket, write_order: Callable[[str, str], Path], step: Step
) -> None:
    loaded(docket, CAED, NJD, write_order("other", OTHER_CAED))
    changes, changed = step(
        lambda: docket.add_closure("caed", date(2013, 11, 26), reason="power outage")
    )
    assert changed == refs(*FOURTEEN_DAY) | {"caed-b/b/return-documents"}
    for ref in changed:  # the last day was inaccessible: the next day (6(a)(3))
        assert ob(db, ref).due == date(2013, 11, 27)
    [fact] = facts(db)
    assert (fact.kind, fact.court, fact.case_id, fact.day, fact.reason) == (
        "closure",
        "caed",
        None,
        date(2013, 11, 26),
        "power outage",
    )
    assert changes.history[0]["what"] == "closure added"
    # A closure in another court changes nothing here.
    _, changed = step(lambda: docket.add_closure("njd", date(2013, 11, 26), reason="snow"))
    assert changed == set()
    # A case loaded after the closure is scheduled with it.
    late = write_order("late", OTHER_CAED.replace('"caed-b"', '"caed-c"').replace('"b"', '"c"'))
    step(lambda: docket.load([late]))
    assert ob(db, "caed-c/c/return-documents").due == date(2013, 11, 27)


def test_events_with_a_date_and_with_a_time(
    db: Database, docket: Docket, write_order: Callable[[str, str], Path], step: Step
) -> None:
    loaded(docket, write_order("hear", HEARING))
    assert ob(db, "hear/hear/brief").waiting_on == ["hearing (event not recorded)"]
    # A naive date-time is the court's time: 10:00 Pacific is 18:00 UTC.
    _, changed = step(lambda: docket.record_event("hear", "hearing", datetime(2013, 12, 2, 10, 0)))
    assert changed == {"hear/hear/brief", "hear/hear/notice"}
    [fact] = facts(db)
    assert (fact.kind, fact.name, fact.day) == ("event", "hearing", date(2013, 12, 2))
    assert fact.at == datetime(2013, 12, 2, 18, 0, tzinfo=UTC) and fact.at.tzinfo is UTC
    assert ob(db, "hear/hear/brief").due == date(2013, 12, 9)
    assert ob(db, "hear/hear/notice").due_at == datetime(2013, 12, 5, 18, 0, tzinfo=UTC)
    # 20:00 Pacific is the next day in UTC; the day counted from is still the court's Dec. 2.
    _, changed = step(lambda: docket.record_event("hear", "hearing", datetime(2013, 12, 2, 20, 0)))
    assert "hear/hear/notice" in changed
    assert facts(db)[-1].day == date(2013, 12, 2)
    assert facts(db)[-1].at == datetime(2013, 12, 3, 4, 0, tzinfo=UTC)
    assert ob(db, "hear/hear/brief").due == date(2013, 12, 9)
    assert ob(db, "hear/hear/notice").due_at == datetime(2013, 12, 6, 4, 0, tzinfo=UTC)
    # An aware date-time in another zone is the same instant.
    new_york = datetime(2013, 12, 2, 13, 0, tzinfo=ZoneInfo("America/New_York"))
    step(lambda: docket.record_event("hear", "hearing", new_york))
    assert facts(db)[-1].at == datetime(2013, 12, 2, 18, 0, tzinfo=UTC)
    assert ob(db, "hear/hear/notice").due_at == datetime(2013, 12, 5, 18, 0, tzinfo=UTC)
    # A date without a time.
    _, changed = step(lambda: docket.record_event("hear", "hearing", date(2013, 12, 9)))
    assert (facts(db)[-1].day, facts(db)[-1].at) == (date(2013, 12, 9), None)
    assert ob(db, "hear/hear/brief").due == date(2013, 12, 16)
    assert len(facts(db)) == 4  # every recording kept
    # An event nothing waits on is refused, naming what is waited on ...
    with pytest.raises(DocketError, match="hearing, new-requests"):
        docket.record_event("hear", "something-else", date(2013, 12, 1), note="n")
    # ... unless it is meant for an order still to come: recorded, and changes no obligation.
    changes, changed = step(
        lambda: docket.record_event(
            "hear", "something-else", date(2013, 12, 1), note="n", for_later=True
        )
    )
    assert changed == set()
    assert [h["what"] for h in changes.history] == ["event recorded"]
    assert changes.history[0]["after"]["name"] == "something-else"


def test_a_recurring_duty_gets_one_instance_per_occurrence(
    db: Database, docket: Docket, write_order: Callable[[str, str], Path], step: Step
) -> None:
    loaded(docket, write_order("hear", HEARING))
    _, changed = step(
        lambda: docket.record_event(
            "hear", "new-requests", date(2013, 12, 2), occurrence="first set"
        ),
    )
    assert changed == {"hear/hear/call#1"}
    assert ob(db, "hear/hear/call#1").due == date(2013, 12, 12)
    _, changed = step(
        lambda: docket.record_event(
            "hear", "new-requests", date(2013, 12, 9), occurrence="second set"
        ),
    )
    assert changed == {"hear/hear/call#2"}
    # Correcting the first occurrence's date moves only its instance.
    _, changed = step(
        lambda: docket.record_event(
            "hear", "new-requests", date(2013, 12, 3), occurrence="first set"
        ),
    )
    assert changed == {"hear/hear/call#1"}
    assert ob(db, "hear/hear/call#1").due == date(2013, 12, 13)
    assert ob(db, "hear/hear/call").state == "standing"


# --- transactions and bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda d: d.done("return-documents", date(2013, 11, 23)), id="done"),
        pytest.param(
            lambda d: d.extend("return-documents", to=date(2013, 12, 5), reason="r"), id="extend"
        ),
        pytest.param(lambda d: d.vacate("return-documents", reason="r"), id="vacate"),
        pytest.param(lambda d: d.add_closure("caed", date(2013, 11, 26), reason="r"), id="closure"),
    ],
)
def test_a_fact_and_its_recomputation_are_one_transaction(
    db: Database, docket: Docket, operation: Callable[[Docket], Changes], step: Step
) -> None:
    loaded(docket)
    before, rows_before = snapshot(db), count_rows(db)
    # The fact and its history are written first; the database refuses the recomputed schedule.
    with (
        refused(db, "UPDATE", "obligation"),
        pytest.raises(DBAPIError, match="refused by the test"),
    ):
        operation(docket)
    assert count_rows(db) == rows_before  # no fact, no history: nothing half-written
    assert snapshot(db) == before
    step(lambda: operation(docket))  # the same operation goes through afterwards
    assert count_rows(db)["fact"] == 1


def test_bad_input_writes_nothing(
    db: Database, docket: Docket, write_order: Callable[[str, str], Path]
) -> None:
    loaded(docket, CAED, NJD, write_order("other", OTHER_CAED))
    rows_before = count_rows(db)
    with pytest.raises(
        DocketError, match=r"no case 'caed-2013-11-13'.*did you mean caed-2013-11-12"
    ):
        docket.record_event("caed-2013-11-13", "hearing", date(2013, 12, 2))
    with pytest.raises(UnknownRef, match="bates-stamp") as unknown:
        docket.done("bates-stamq", date(2013, 12, 2))
    assert any(c.endswith("bates-stamp") for c in unknown.value.close)
    with pytest.raises(AmbiguousRef) as ambiguous:
        docket.done("return-documents", date(2013, 12, 2))
    assert sorted(ambiguous.value.matches) == [
        PREFIX + "return-documents",
        "caed-b/b/return-documents",
    ]
    with pytest.raises(DocketError, match="exactly one"):
        docket.extend("bates-stamp", reason="r")
    with pytest.raises(DocketError, match="exactly one"):
        docket.extend("bates-stamp", to=date(2013, 12, 5), by=Period(1, Unit.DAYS), reason="r")
    with pytest.raises(DocketError, match="reason"):
        docket.extend("bates-stamp", to=date(2013, 12, 5), reason="  ")
    with pytest.raises(DocketError, match="reason"):
        docket.vacate("bates-stamp", reason="")
    with pytest.raises(DocketError, match="reason"):
        docket.add_closure("caed", date(2013, 11, 26), reason="")
    with pytest.raises(DocketError, match="role"):
        docket.add_person("Ann", "ann@example.com", role="judge")
    with pytest.raises(DocketError, match="e-mail"):
        docket.add_person("Ann", "ann.example.com")
    with pytest.raises(DocketError, match="no person"):
        docket.assign("nobody@example.com", CASE)
    assert count_rows(db) == rows_before


# --- people, assignments, history --------------------------------------------------------------


def test_people_and_assignments(db: Database, docket: Docket) -> None:
    loaded(docket)
    ann = docket.add_person("Ann Attorney", "Ann@Example.com")
    assert (ann["email"], ann["role"]) == ("ann@example.com", "attorney")
    docket.add_person("Carl Clerk", "carl@example.com", role="clerk")
    with pytest.raises(DocketError, match="already"):
        docket.add_person("Ann Again", "ANN@example.com")
    assert [p["email"] for p in docket.people()] == ["ann@example.com", "carl@example.com"]
    rows_before = count_rows(db)
    assert docket.assign("ANN@example.com", CASE) == {
        "person": "ann@example.com",
        "case": CASE,
        "party": None,
        "obligation": None,
    }
    docket.assign("carl@example.com", CASE, party="plaintiff")
    assert docket.assign("carl@example.com", CASE, obligation="bates-stamp")["obligation"] == (
        PREFIX + "bates-stamp"
    )
    with pytest.raises(DocketError, match="party 'court'"):
        docket.assign("carl@example.com", CASE, party="court")
    with pytest.raises(DocketError, match="no case"):
        docket.assign("carl@example.com", "no-such-case")
    assert count_rows(db)["assignment"] == rows_before["assignment"] + 3
    with db.read() as s:
        people = {p.id: p.email for p in s.exec(select(Person)).all()}
        assignments = s.exec(select(Assignment).order_by(col(Assignment.id))).all()
    assert [
        (people[a.person_id], a.case_id, a.party, a.obligation_ref, a.created_by)
        for a in assignments
    ] == [
        ("ann@example.com", CASE, None, None, "clerk@example.com"),
        ("carl@example.com", CASE, "plaintiff", None, "clerk@example.com"),
        ("carl@example.com", CASE, None, PREFIX + "bates-stamp", "clerk@example.com"),
    ]
    assert all(a.created_at.tzinfo is UTC for a in assignments)
    added = [h for h in history(db) if h.what in ("person added", "assigned")]
    assert [
        (h.what, h.who, (h.after or {}).get("email") or (h.after or {}).get("scope")) for h in added
    ] == [
        ("person added", "clerk@example.com", "ann@example.com"),
        ("person added", "clerk@example.com", "carl@example.com"),
        ("assigned", "clerk@example.com", CASE),
        ("assigned", "clerk@example.com", f"{CASE} (plaintiff)"),
        ("assigned", "clerk@example.com", PREFIX + "bates-stamp"),
    ]
    assert all(revision == 0 for _, revision, _ in snapshot(db).values())  # nothing recomputed


def test_the_history_is_append_only(
    db: Database, docket: Docket, consistent: Callable[[Database], None]
) -> None:
    """Each operation adds rows to the history and the facts; none is ever changed or deleted;
    each says what, who, when, why, before and after."""
    operations: list[Callable[[Docket], object]] = [
        lambda d: d.load([CAED, NJD]),
        lambda d: d.done("return-documents", date(2013, 11, 23)),
        lambda d: d.done("return-documents", date(2013, 11, 26)),
        lambda d: d.extend("bates-stamp", to=date(2013, 12, 20), reason="stipulated"),
        lambda d: d.vacate("name-employees", reason="withdrawn"),
        lambda d: d.vacate("name-employees", reason="reinstated", undo=True),
        lambda d: d.add_closure("caed", date(2013, 12, 10), reason="flood"),
        lambda d: d.record_event(CASE, "discovery-propounded", date(2013, 12, 2), occurrence="1"),
        lambda d: d.add_person("Ann", "ann@example.com"),
        lambda d: d.assign("ann@example.com", CASE),
    ]
    seen_history: list[tuple[Any, ...]] = []
    seen_facts: list[tuple[Any, ...]] = []
    started = datetime.now(UTC) - timedelta(seconds=5)
    for n, operation in enumerate(operations):
        who = f"person-{n}@example.com"
        operation(Docket(db, who))
        rows = [
            (h.id, h.at, h.who, h.what, h.case_id, h.ref, h.why, h.before, h.after)
            for h in history(db)
        ]
        assert rows[: len(seen_history)] == seen_history, "a history row changed or vanished"
        new = rows[len(seen_history) :]
        assert new, "an operation left no history"
        for _, at, who_, what, *_rest in new:
            assert who_ == who and what
            assert at.tzinfo is UTC and started <= at <= datetime.now(UTC) + timedelta(seconds=5)
        fact_rows = [
            (f.id, f.kind, f.day, f.at, f.reason, f.undone, f.recorded_at, f.recorded_by)
            for f in facts(db)
        ]
        assert fact_rows[: len(seen_facts)] == seen_facts, "a fact changed or vanished"
        seen_history, seen_facts = rows, fact_rows
    by_what = {row[3] for row in seen_history}
    assert by_what >= {
        "order loaded",
        "obligation added",
        "done",
        "schedule changed",
        "extended",
        "vacated",
        "vacatur undone",
        "closure added",
        "event recorded",
        "person added",
        "assigned",
    }
    changed = [row for row in seen_history if row[3] == "schedule changed"]
    assert all(row[7] is not None and row[8] is not None and row[6] for row in changed)
    consistent(db)
    # The reading side.
    assert [h["what"] for h in docket.history(ref="name-employees")] == [
        "obligation added",
        "vacated",
        "schedule changed",
        "vacatur undone",
        "schedule changed",
    ]
    assert {h["case"] for h in docket.history(case=CASE)} == {CASE}
    shown = docket.obligation("bates-stamp")
    assert shown["revision"] == ob(db, PREFIX + "bates-stamp").revision >= 3
    assert shown["uid"] == ob(db, PREFIX + "bates-stamp").uid


# --- time stamps --------------------------------------------------------------------------------


def test_time_stamps_are_stored_in_utc_and_come_back_aware(db: Database, docket: Docket) -> None:
    start = datetime.now(UTC)
    loaded(docket)
    docket.record_event(CASE, "discovery-propounded", datetime(2013, 12, 2, 10, 0), occurrence="1")
    docket.add_person("Ann", "ann@example.com")
    end = datetime.now(UTC)
    with db.read() as s:
        if not db.sqlite:  # whatever the session's zone, values come back in UTC
            s.connection().execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))
        instants = (
            [c.created_at for c in s.exec(select(Case)).all()]
            + [v.loaded_at for v in s.exec(select(OrderVersion)).all()]
            + [o.changed_at for o in s.exec(select(Obligation)).all()]
            + [f.recorded_at for f in s.exec(select(Fact)).all()]
            + [h.at for h in s.exec(select(History)).all()]
            + [p.created_at for p in s.exec(select(Person)).all()]
        )
        fact = s.exec(select(Fact)).one()
        due_at = s.exec(select(Obligation.due_at).where(Obligation.ref == PREFIX + "bates-stamp"))
        assert due_at.one() is None
        returned = s.exec(select(Obligation).where(Obligation.ref == PREFIX + "return-documents"))
        return_due_at = returned.one().due_at
    assert len(instants) > 40
    for instant in instants:
        assert instant.tzinfo is UTC and start - timedelta(seconds=1) <= instant <= end + timedelta(
            seconds=1
        )
    assert fact.at == datetime(2013, 12, 2, 18, 0, tzinfo=UTC) and fact.at.tzinfo is UTC
    assert return_due_at == datetime(2013, 11, 27, 7, 59, tzinfo=UTC)
    assert return_due_at is not None and return_due_at.tzinfo is UTC
    # What the database holds is the UTC time (SQLite: the text; PostgreSQL: timestamptz).
    with db.engine.connect() as conn:
        if db.sqlite:
            raw = conn.execute(text("SELECT at FROM fact")).scalar_one()
            assert str(raw).startswith("2013-12-02 18:00:00")
        else:
            raw = conn.execute(
                text("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM fact")
            ).scalar_one()
            assert raw == "2013-12-02 18:00"
    # Exact round trip, microseconds included, from any zone.
    sent = datetime(2013, 12, 2, 10, 0, 0, 123456, tzinfo=LA)
    with db.write() as s:
        s.add(History(what="test", at=sent))
    with db.read() as s:
        back = s.exec(select(History.at).where(History.what == "test")).one()
    assert back == sent and back == datetime(2013, 12, 2, 18, 0, 0, 123456, tzinfo=UTC)
    assert back.tzinfo is UTC
    # A naive date-time is refused rather than guessed at.
    rows_before = count_rows(db)
    with pytest.raises(StatementError, match="naive"), db.write() as s:
        s.add(History(what="naive", at=datetime(2013, 12, 2, 10, 0)))
    assert count_rows(db) == rows_before

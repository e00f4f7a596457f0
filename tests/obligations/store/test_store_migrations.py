"""The docket's Alembic migrations, on SQLite and PostgreSQL, from the first table on.

A database is created at revision 0001, filled with plain SQL the way the 0001 code wrote it, and
upgraded to the head: every row and value is still there, and the new column and index exist.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import col, select

from obligations.store.db import HEAD, Database, StoreNotReady, ready, revision, upgrade
from obligations.store.docket import Docket
from obligations.store.tables import Fact, History, Obligation, metadata

CAED = Path(__file__).resolve().parents[3] / "data" / "orders" / "caed-2013-11-12.toml"
CASE = "caed-2013-11-12"
PREFIX = f"{CASE}/{CASE}/"
#: What the 0001 schema has: its tables and their columns (the test inserts into every one).
TABLES_0001 = ("case", "order_version", "obligation", "person", "assignment", "fact", "history")
JSON_COLUMNS = {"waiting_on", "chain", "readings", "warnings", "trace", "amendments"}
JSON_COLUMNS |= {"before", "after"}


@pytest.fixture
def empty(fresh: Any) -> Iterator[Database]:
    db = fresh.open()
    try:
        yield db
    finally:
        db.dispose()


def _instant(db: Database, value: datetime) -> str:
    """A time stamp as the 0001 code stored it: naive UTC text on SQLite, timestamptz otherwise."""
    value = value.astimezone(UTC)
    if db.sqlite:
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return value.isoformat(sep=" ")


def _insert(conn: Any, db: Database, table: str, row: dict[str, Any]) -> None:
    marks = [f"CAST(:{k} AS JSON)" if k in JSON_COLUMNS and not db.sqlite else f":{k}" for k in row]
    names = ", ".join(f'"{k}"' for k in row)
    conn.execute(text(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(marks)})'), row)


def _fill_0001(db: Database) -> None:
    """A case, its order, two obligations, a person and an assignment, two facts, history."""
    order_text = CAED.read_text(encoding="utf-8")
    at = datetime(2013, 11, 12, 9, 30, 15, 250000, tzinfo=UTC)
    obligation = {
        "case_id": CASE,
        "order_id": CASE,
        "court": "caed",
        "cite": "¶ 4",
        "kind": "deadline",
        "consequence": "",
        "condition": "",
        "active": True,
        "safe_due": None,
        "done_on": None,
        "late_by": None,
        "warnings": json.dumps([]),
        "amendments": json.dumps([]),
        "changed_at": _instant(db, at),
    }
    rows: dict[str, list[dict[str, Any]]] = {
        "case": [{"id": CASE, "court": "caed", "created_at": _instant(db, at)}],
        "order_version": [
            {
                "case_id": CASE,
                "order_id": CASE,
                "version": 1,
                "court": "caed",
                "entered": "2013-11-12",
                "title": "Discovery order",
                "path": "data/orders/caed-2013-11-12.toml",
                "text": order_text,
                "sha256": hashlib.sha256(order_text.encode()).hexdigest(),
                "loaded_at": _instant(db, at),
                "loaded_by": "ann@example.com",
            }
        ],
        "obligation": [
            obligation
            | {
                "ref": PREFIX + "return-documents",
                "uid": "0" * 31 + "1",
                "obligation_id": "return-documents",
                "party": "defendant",
                "text": "Within 14 days of issuance of this order, defendant shall return ...",
                "when_text": "14 days after order",
                "state": "open",
                "due": "2013-11-26",
                "due_at": _instant(db, datetime(2013, 11, 27, 7, 59, tzinfo=UTC)),
                "safe_due": "2013-11-26",
                "waiting_on": json.dumps([]),
                "chain": json.dumps(["order caed-2013-11-12 issued 2013-11-12"]),
                "readings": json.dumps([{"due": "2013-11-26", "how": "settled"}]),
                "trace": json.dumps([{"step": "6(a)(1)", "note": "§ counted — “quoted”"}]),
                "revision": 2,
            },
            obligation
            | {
                "ref": PREFIX + "bates-stamp",
                "uid": "0" * 31 + "2",
                "obligation_id": "bates-stamp",
                "party": "plaintiff",
                "text": "Within 14 days of his documents being returned to him, ...",
                "when_text": "14 days after return-documents",
                "state": "waiting",
                "due": None,
                "due_at": None,
                "waiting_on": json.dumps(["return-documents (not yet done)"]),
                "chain": json.dumps([]),
                "readings": json.dumps([]),
                "trace": json.dumps([]),
                "revision": 0,
            },
        ],
        "person": [
            {
                "name": "Ann Attorney",
                "email": "ann@example.com",
                "role": "attorney",
                "created_at": _instant(db, at),
            }
        ],
        "assignment": [
            {
                "person_id": 1,  # the first person's id on a new database
                "case_id": CASE,
                "party": "plaintiff",
                "obligation_ref": None,
                "created_at": _instant(db, at),
                "created_by": "carl@example.com",
            }
        ],
        "fact": [
            {
                "kind": "event",
                "case_id": CASE,
                "court": None,
                "order_id": None,
                "obligation_id": None,
                "name": "discovery-propounded",
                "day": "2013-12-02",
                "at": _instant(db, datetime(2013, 12, 2, 18, 0, tzinfo=UTC)),
                "by_period": None,
                "occurrence": "first set",
                "undone": False,
                "reason": "",
                "note": "served by mail",
                "source": "",
                "supersedes": None,
                "recorded_at": _instant(db, at),
                "recorded_by": "carl@example.com",
            },
            {
                "kind": "extension",
                "case_id": CASE,
                "court": None,
                "order_id": CASE,
                "obligation_id": "return-documents",
                "name": None,
                "day": None,
                "at": None,
                "by_period": "7 days",
                "occurrence": "",
                "undone": False,
                "reason": "stipulation",
                "note": "",
                "source": "ECF 12",
                "supersedes": None,
                "recorded_at": _instant(db, at),
                "recorded_by": "carl@example.com",
            },
        ],
        "history": [
            {
                "at": _instant(db, at),
                "who": "carl@example.com",
                "what": "schedule changed",
                "case_id": CASE,
                "ref": PREFIX + "return-documents",
                "why": "extended by 7 days",
                "before": json.dumps({"due": "2013-11-19", "revision": 1, "waiting_on": []}),
                "after": json.dumps({"due": "2013-11-26", "revision": 2, "note": "¶ 4 — ok"}),
            },
            {
                "at": _instant(db, at),
                "who": "",
                "what": "person added",
                "case_id": None,
                "ref": None,
                "why": "",
                "before": None,
                "after": None,
            },
        ],
    }
    assert set(rows) == set(TABLES_0001)
    with db.writer.begin() as conn:
        for table in TABLES_0001:  # parents first
            for row in rows[table]:
                _insert(conn, db, table, row)


def _dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every 0001 table as the database gives it back (no ORM in between)."""
    with db.engine.connect() as conn:
        return {
            t: [dict(r._mapping) for r in conn.execute(text(f'SELECT * FROM "{t}" ORDER BY id'))]
            for t in TABLES_0001
        }


def test_revision_and_ready_from_nothing_to_the_head(empty: Database) -> None:
    assert revision(empty.engine) is None
    with pytest.raises(StoreNotReady, match="has no docket yet: run 'docketcal init'"):
        ready(empty.engine)
    assert upgrade(empty.writer, "0001") is None  # the revision before
    assert revision(empty.engine) == "0001"
    with pytest.raises(StoreNotReady, match=r"has an older schema \(0001\)"):
        ready(empty.engine)
    assert upgrade(empty.writer) == "0001"
    assert revision(empty.engine) == HEAD
    ready(empty.engine)
    assert upgrade(empty.writer) == HEAD  # again: nothing to do
    assert revision(empty.engine) == HEAD


def test_upgrading_from_0001_keeps_every_row_and_value(empty: Database) -> None:
    upgrade(empty.writer, "0001")
    assert "depends_on" not in {c["name"] for c in inspect(empty.engine).get_columns("obligation")}
    _fill_0001(empty)
    before = _dump(empty)
    assert [len(before[t]) for t in TABLES_0001] == [1, 1, 2, 1, 1, 2, 2]

    assert upgrade(empty.writer) == "0001"
    assert revision(empty.engine) == HEAD
    after = _dump(empty)
    for table in TABLES_0001:  # later migrations may add columns; nothing of 0001's is lost
        assert [
            {k: row[k] for k in old} for old, row in zip(before[table], after[table], strict=True)
        ] == before[table], table
    for row in after["obligation"]:
        depends_on = row["depends_on"]  # 0002's column: JSON text on SQLite, json on PostgreSQL
        assert (json.loads(depends_on) if isinstance(depends_on, str) else depends_on) == []

    found = inspect(empty.engine)
    indexes = {i["name"]: i["column_names"] for i in found.get_indexes("obligation")}
    assert indexes["ix_obligation_due_state"] == ["due", "state"]
    assert indexes["ix_obligation_case_id"] == ["case_id"]  # the 0001 ones survive
    assert indexes["ix_obligation_party"] == ["party"]
    uniques = {u["name"] for u in found.get_unique_constraints("obligation")}
    assert {"uq_obligation_ref", "uq_obligation_uid"} <= uniques
    assert [fk["referred_table"] for fk in found.get_foreign_keys("obligation")] == ["case"]

    # The ORM reads the old rows back with their values, time stamps in UTC.
    with empty.read() as s:
        rows = s.exec(select(Obligation).order_by(col(Obligation.id))).all()
        first_fact = s.exec(select(Fact).order_by(col(Fact.id))).first()
        first_history = s.exec(select(History).order_by(col(History.id))).first()
    assert [(o.ref, o.revision, o.depends_on) for o in rows] == [
        (PREFIX + "return-documents", 2, []),
        (PREFIX + "bates-stamp", 0, []),
    ]
    assert rows[0].due_at == datetime(2013, 11, 27, 7, 59, tzinfo=UTC)
    assert rows[0].due_at is not None and rows[0].due_at.tzinfo is UTC
    assert rows[0].trace == [{"step": "6(a)(1)", "note": "§ counted — “quoted”"}]
    assert rows[1].waiting_on == ["return-documents (not yet done)"]
    assert first_fact is not None and first_fact.at == datetime(2013, 12, 2, 18, 0, tzinfo=UTC)
    assert first_fact.recorded_at == datetime(2013, 11, 12, 9, 30, 15, 250000, tzinfo=UTC)
    assert first_history is not None and first_history.after == {
        "due": "2013-11-26",
        "revision": 2,
        "note": "¶ 4 — ok",
    }

    # And the docket goes on from there: the next fact recomputes the case over the old rows.
    changes = Docket(empty, "clerk").done("return-documents", date(2013, 11, 23))
    assert PREFIX + "return-documents" in changes.revised
    with empty.read() as s:
        now = {o.ref: o for o in s.exec(select(Obligation)).all()}
    assert len(now) == 17  # the 16 duties and one instance for the old event's occurrence
    assert now[PREFIX + "return-documents"].due == date(2013, 12, 3)  # the old extension, kept
    assert now[PREFIX + "return-documents"].uid == "0" * 31 + "1"  # uids never change
    assert now[PREFIX + "return-documents"].revision == 3
    assert now[PREFIX + "bates-stamp"].uid == "0" * 31 + "2"
    assert now[PREFIX + "bates-stamp"].revision == 1
    assert now[PREFIX + "bates-stamp"].due == date(2013, 12, 9)
    assert now[PREFIX + "bates-stamp"].depends_on == [PREFIX + "return-documents"]
    assert _dump(empty)["fact"][:2] == after["fact"]  # the old facts are kept as they were


def test_the_migrations_make_the_tables_the_models_describe(empty: Database) -> None:
    upgrade(empty.writer)
    with empty.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []

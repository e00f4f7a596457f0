"""The store's fixtures: a fresh docket on SQLite (a real file) and on PostgreSQL (a schema).

PostgreSQL comes from ``DOCKETCAL_TEST_POSTGRES``. Each test session works in a schema of its
own with a random name, created at the start (and migrated to the head once) and dropped at the
end; every test starts from empty tables (``TRUNCATE``). Without a reachable server a test that
needs it is skipped with the reason, except under CI (``CI`` set), where it fails.

SQLite: a database migrated to the head once per session is copied to a file of each test's own.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlmodel import col, select

from calendars import get_court
from obligations.store.db import Database, upgrade
from obligations.store.docket import Docket
from obligations.store.tables import History, Obligation

#: The history rows that change an obligation's revision (obligations/store/docket.py _recompute).
REVISING = ("obligation added", "schedule changed", "obligation removed")


@dataclass(frozen=True)
class Where:
    """Where a test's docket lives: a URL and, on PostgreSQL, a schema."""

    url: str
    schema: str | None = None

    @property
    def backend(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else "postgres"

    def open(self) -> Database:
        return Database(self.url, schema=self.schema)


class Schemas:
    """This session's PostgreSQL schemas: one migrated to the head, and fresh ones on request."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"docketcal_test_{uuid.uuid4().hex[:12]}"
        self.engine = create_engine(url)
        self.made: list[str] = []

    def create(self, suffix: str = "") -> str:
        name = self.prefix + suffix
        assert re.fullmatch(r"[a-z0-9_]+", name)
        with self.engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {name}"))
        self.made.append(name)
        return name

    def drop(self, name: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        if name in self.made:
            self.made.remove(name)

    def close(self) -> None:
        for name in list(self.made):
            self.drop(name)
        self.engine.dispose()


@pytest.fixture(scope="session")
def pg_schemas(postgres_url: str) -> Iterator[Schemas]:
    schemas = Schemas(postgres_url)
    try:
        yield schemas
    finally:
        schemas.close()


@pytest.fixture(scope="session")
def pg_head(pg_schemas: Schemas) -> Where:
    """The session's schema, migrated to the head once."""
    where = Where(pg_schemas.url, pg_schemas.create())
    db = where.open()
    try:
        upgrade(db.writer)
    finally:
        db.dispose()
    return where


@pytest.fixture(scope="session")
def sqlite_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite docket migrated to the head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "docket.db"
    db = Database(f"sqlite:///{path}")
    try:
        upgrade(db.writer)
    finally:
        db.dispose()  # the last connection closed checkpoints the WAL into the file
    return path


def _emptied(pg: Where) -> Where:
    db = pg.open()
    try:
        with db.engine.begin() as conn:
            tables = sorted(set(inspect(conn).get_table_names()) - {"alembic_version"})
            names = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        db.dispose()
    return pg


@pytest.fixture(params=["sqlite", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Where:
    """An empty docket at the head, on each database."""
    if request.param == "sqlite":
        path = tmp_path / "docket.db"
        shutil.copyfile(request.getfixturevalue("sqlite_head"), path)
        return Where(f"sqlite:///{path}")
    return _emptied(request.getfixturevalue("pg_head"))


@pytest.fixture
def pg_where(pg_head: Where) -> Where:
    """An empty docket at the head, on PostgreSQL only."""
    return _emptied(pg_head)


@pytest.fixture
def db(where: Where) -> Iterator[Database]:
    database = where.open()
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def docket(db: Database) -> Docket:
    return Docket(db, "clerk@example.com")


@pytest.fixture(params=["sqlite", "postgres"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Where]:
    """An empty database without any table (for the migrations), on each database."""
    if request.param == "sqlite":
        yield Where(f"sqlite:///{tmp_path / 'empty.db'}")
        return
    schemas: Schemas = request.getfixturevalue("pg_schemas")
    name = schemas.create(f"_{uuid.uuid4().hex[:8]}")
    try:
        yield Where(schemas.url, name)
    finally:
        schemas.drop(name)


# --- checks shared by the tests ---------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def assert_consistent(db: Database) -> None:
    """What must hold of every docket, derived from ``Docket._recompute``:

    - an obligation's history starts with one "obligation added" at revision 0, and each later
      "schedule changed" / "obligation removed" raises it by exactly one (before.revision + 1);
    - so its revision is the number of those rows minus one, and its stored values are the
      "after" of the last of them;
    - uids are distinct 32-digit hex strings; every time stamp comes back in UTC.
    """
    with db.read() as s:
        obligations = s.exec(select(Obligation).order_by(col(Obligation.id))).all()
        rows = s.exec(
            select(History).where(col(History.what).in_(REVISING)).order_by(col(History.id))
        ).all()
    by_ref: dict[str, list[History]] = {}
    for h in rows:
        assert h.ref is not None
        by_ref.setdefault(h.ref, []).append(h)
    assert len({o.uid for o in obligations}) == len(obligations)
    assert set(by_ref) == {o.ref for o in obligations}
    for o in obligations:
        assert re.fullmatch(r"[0-9a-f]{32}", o.uid), o.uid
        assert o.changed_at.tzinfo is UTC
        assert o.due_at is None or o.due_at.tzinfo is UTC
        history = by_ref[o.ref]
        whats = [h.what for h in history]
        assert whats[0] == "obligation added" and "obligation added" not in whats[1:], o.ref
        revisions = [(h.after or {}).get("revision") for h in history]
        assert revisions == list(range(len(history))), (o.ref, revisions)
        for earlier, later in pairwise(history):
            assert (later.before or {}).get("revision") == (earlier.after or {}).get("revision")
        assert o.revision == len(history) - 1, (o.ref, o.revision, len(history))
        now = {
            "state": o.state,
            "due": _iso(o.due),
            # history shows due_at in court time, as everything a person reads
            "due_at": _iso(o.due_at.astimezone(get_court(o.court).zone) if o.due_at else None),
            "safe_due": _iso(o.safe_due),
            "done_on": _iso(o.done_on),
            "waiting_on": list(o.waiting_on),
            "active": o.active,
            "revision": o.revision,
        }
        assert history[-1].after == now, o.ref


@pytest.fixture
def consistent() -> Callable[[Database], None]:
    return assert_consistent


@pytest.fixture
def write_order(tmp_path: Path) -> Callable[..., Path]:
    """Write an order file under the test's directory: ``write_order("name", TEXT)``."""

    def write(name: str, body: str) -> Path:
        path = tmp_path / "orders" / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        return path

    return write

"""Connecting to the docket: SQLite by default, any SQLAlchemy URL otherwise.

Every SQLite connection gets WAL, foreign keys and a busy timeout; a write transaction takes
the write lock at its start (``BEGIN IMMEDIATE``) so two writers queue instead of failing
half-way. On PostgreSQL a writer locks the case row it recomputes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from obligations.store.errors import BUSY_MESSAGE, StoreBusy, StoreNotReady, cannot_open

BUSY_TIMEOUT_MS = 5000
HEAD = "0010"  # the newest migration; a database at another revision is upgraded by ``init``

T = TypeVar("T")


def make_engine(url: str, *, write: bool = False, **kw: Any) -> Engine:
    """An engine with the project's connection settings; ``write`` for the one that writes."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kw)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _begin_immediate if write else _begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kw)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit BEGIN is DEFERRED,
    # and a deferred writer can fail half-way when another takes the lock first).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The docket's database: one engine to read, one to write (the same one off SQLite)."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        """``schema``: a PostgreSQL schema to work in (the tests give each run its own)."""
        self.url = url
        self.sqlite = url.startswith("sqlite")
        kw: dict[str, Any] = {}
        if not self.sqlite:
            # A writer waits at most this long for another's lock, then gets a retryable error.
            options = "-clock_timeout=10000"
            # Options in the URL (``?options=-csearch_path%3Dxyz``) are kept, not replaced.
            from_url = make_url(url).query.get("options")
            if from_url:
                options = (
                    " ".join([from_url] if isinstance(from_url, str) else from_url) + " " + options
                )
            if schema is not None:
                options += f" -csearch_path={schema}"
            kw["connect_args"] = {"options": options}
        self.engine = make_engine(url, **kw)
        self.writer = make_engine(url, write=True) if self.sqlite else self.engine

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: all of it or nothing."""
        with Session(self.writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.writer is not self.engine:
            self.writer.dispose()


def retrying(work: Callable[[], T], attempts: int = 3) -> T:
    """Run a write again when another process held the database; then give up clearly."""
    for attempt in range(attempts):
        try:
            return work()
        except OperationalError as exc:
            if not _busy(exc) or attempt == attempts - 1:
                if _busy(exc):
                    raise StoreBusy(BUSY_MESSAGE) from exc
                raise
            time.sleep(0.05 * (2**attempt))
    raise AssertionError("unreachable")


def _busy(exc: OperationalError) -> bool:
    message = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return (
        "locked" in message
        or "busy" in message
        or "could not serialize" in message
        or "deadlock" in message
    )


def revision(engine: Engine) -> str | None:
    """The schema revision of the database, or None when it has no docket. A database that
    cannot be opened is refused with what was wrong (``cannot_open``)."""
    try:
        connection = engine.connect()
    except DBAPIError as exc:
        raise cannot_open(engine.url.render_as_string(hide_password=False), exc) from exc
    with connection as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except OperationalError:
            return None
        except Exception as exc:  # PostgreSQL: undefined table
            if "alembic_version" in str(exc):
                conn.rollback()
                return None
            raise
        return row[0] if row else None


def upgrade(engine: Engine, target: str = "head") -> str | None:
    """Create or upgrade the docket's schema with its migrations; the revision before."""
    from alembic import command
    from alembic.config import Config

    before = revision(engine)
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))

    def work() -> None:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, target)

    retrying(work)  # another process writing: wait a little, then say busy (exit 75)
    return before


def ready(engine: Engine) -> None:
    """Refuse to work on a database without the current schema, saying what to run."""
    current = revision(engine)
    if current != HEAD:
        what = "has no docket yet" if current is None else f"has an older schema ({current})"
        raise StoreNotReady(
            f"the database {engine.url.render_as_string(hide_password=True)} {what}: run 'docketcal init'"
        )

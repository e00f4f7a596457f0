"""The hot reads use indexes: on a generated docket of a million obligations on PostgreSQL, and
on a generated SQLite docket, no statement that ``upcoming`` or a feed sends reads a whole large
table (EXPLAIN of each, as it runs).

The million-obligation docket takes minutes to generate, so it is kept between runs in a schema
named by a fingerprint of the generator and the migrations (``docketcal_plans_<hash>``): a run
that finds it complete uses it; a run that makes one drops the other ``docketcal_plans_`` schemas
that no session is reading. A
fresh machine generates it once (about 8 minutes on 2 cores).
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Connection, create_engine, text

from obligations.store.db import HEAD
from obligations.store.plans import full_scans, hot_reads, plan_text
from obligations.store.read import Reader

ROOT = Path(__file__).resolve().parents[3]
MILLION = 1_000_000


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update((ROOT / "bench" / "generate.py").read_bytes())
    for path in sorted((ROOT / "obligations" / "store" / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    digest.update(f"{HEAD}:{MILLION}:1".encode())
    return digest.hexdigest()[:12]


LOCK = 4242001  # the advisory locks that guard the kept schemas: (LOCK, a key per schema)


def _key(schema: str) -> int:
    """The second key of a kept schema's advisory lock: several checkouts (branches with other
    migrations) keep dockets of other fingerprints side by side without waiting on each other."""
    return zlib.crc32(schema.encode()) & 0x7FFFFFFF


def _complete(conn: Connection, schema: str) -> bool:
    found = conn.execute(
        text(
            "SELECT 1 FROM information_schema.tables"
            " WHERE table_schema = :s AND table_name = 'obligation'"
        ),
        {"s": schema},
    ).first()
    if not found:
        return False
    return conn.execute(text(f'SELECT count(*) FROM "{schema}".obligation')).scalar() == MILLION


def _drop_unused(conn: Connection) -> None:
    """Drop the kept schemas that no session is reading (a reader holds its lock shared); the
    caller's own, incomplete one among them (it holds that lock itself)."""
    stale = conn.execute(
        text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'docketcal_plans_%'")
    ).all()
    for (name,) in stale:
        key = {"k": LOCK, "s": _key(name)}
        if conn.execute(text("SELECT pg_try_advisory_lock(:k, :s)"), key).scalar():
            try:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k, :s)"), key)


@pytest.fixture(scope="session")
def million(postgres_url: str, generate: ModuleType) -> Iterator[str]:
    """The schema of a generated docket of a million obligations (made once, then kept).

    A session reading a kept schema holds its lock shared, so no other session drops it
    meanwhile; making one takes that schema's lock alone, and drops the other kept schemas no
    session is reading."""
    schema = f"docketcal_plans_{_fingerprint()}"
    key = {"k": LOCK, "s": _key(schema)}
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    conn = engine.connect()
    try:
        conn.execute(text("SELECT pg_advisory_lock_shared(:k, :s)"), key)
        if not _complete(conn, schema):
            conn.execute(text("SELECT pg_advisory_unlock_shared(:k, :s)"), key)
            conn.execute(text("SELECT pg_advisory_lock(:k, :s)"), key)
            try:
                if not _complete(conn, schema):
                    _drop_unused(conn)
                    generate.write(
                        postgres_url, MILLION, seed=1, schema=schema, jobs=os.cpu_count() or 1
                    )
                conn.execute(text("SELECT pg_advisory_lock_shared(:k, :s)"), key)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k, :s)"), key)
        yield schema
    finally:
        conn.execute(text("SELECT pg_advisory_unlock_all()"))
        conn.close()
        engine.dispose()


def _busiest(reader: Reader) -> tuple[str, str]:
    person = reader.query(
        "SELECT p.email FROM assignment a JOIN person p ON p.id = a.person_id"
        " WHERE p.role = 'attorney' GROUP BY p.email ORDER BY count(*) DESC, p.email LIMIT 1"
    )[0][0]
    case = reader.query('SELECT id FROM "case" ORDER BY id LIMIT 1 OFFSET 17')[0][0]
    return str(person), str(case)


def _assert_indexed(reader: Reader, as_of: date) -> None:
    person, case = _busiest(reader)
    statements = hot_reads(reader, as_of, person, case)
    assert len(statements) >= 12
    scans = full_scans(reader, statements)
    assert not scans, "\n\n".join(
        f"{scan}\n{plan_text(reader, scan.sql, dict(statements)[scan.sql])}" for scan in scans
    )


def test_no_hot_read_scans_a_whole_table_at_a_million_obligations(
    postgres_url: str, million: str, generate: ModuleType
) -> None:
    reader = Reader(postgres_url, schema=million)
    try:
        assert reader.query("SELECT count(*) FROM obligation")[0][0] == MILLION
        _assert_indexed(reader, generate.AS_OF)
    finally:
        reader.close()


def test_no_hot_read_scans_a_whole_table_on_sqlite(tmp_path: Path, generate: ModuleType) -> None:
    url = f"sqlite:///{tmp_path / 'docket.db'}"
    generate.write(url, 20_000, seed=1)
    reader = Reader(url)
    try:
        _assert_indexed(reader, generate.AS_OF)
    finally:
        reader.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_whole_table_read_is_found(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, generate: ModuleType
) -> None:
    """The check can fail: a search of the duties' text reads them all; ``max(id)`` does not."""
    if backend == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'docket.db'}", None
        generate.write(url, 3000, seed=2)
    else:
        url, schema = request.getfixturevalue("postgres_url"), request.getfixturevalue("million")
    reader = Reader(url, schema=schema)
    try:
        text_search = ("SELECT ref FROM obligation WHERE text LIKE ?", ("%Bates%",))
        in_order = ("SELECT ref, due FROM obligation o ORDER BY o.ref", ())
        newest = ("SELECT max(id) FROM history", ())
        scans = full_scans(reader, [text_search, in_order, newest])
        assert {(s.sql, s.table) for s in scans} == {
            (text_search[0], "obligation"),
            (in_order[0], "obligation"),
        }
    finally:
        reader.close()

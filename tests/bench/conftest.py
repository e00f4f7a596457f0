"""Fixtures for the benchmarks' own code: a PostgreSQL schema of the test's own to generate
into, dropped afterwards (the generator and the server: tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parents[2] / "bench"
POSTGRES_ENV = "DOCKETCAL_TEST_POSTGRES"


@pytest.fixture
def schema(postgres_url: str) -> Iterator[str]:
    """A schema name of this test's own; the generator creates it, the fixture drops it."""
    name = f"docketcal_gen_{uuid.uuid4().hex[:12]}"
    yield name
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()

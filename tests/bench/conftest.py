"""Fixtures for the benchmarks' own code: the generator, loaded from ``bench/``, and dockets to
generate into (a SQLite file, a PostgreSQL schema of the test's own, dropped afterwards)."""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parents[2] / "bench"
POSTGRES_ENV = "DOCKETCAL_TEST_POSTGRES"


def load_bench(name: str) -> ModuleType:
    """A module of ``bench/`` (not a package: its scripts import each other by name)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    if name in sys.modules:  # one module object: the generator's workers pickle its classes
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generate() -> ModuleType:
    return load_bench("generate")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    reason = f"{POSTGRES_ENV} is not set" if not url else ""
    if url:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            reason = f"cannot reach PostgreSQL at {url}: {exc}"
        finally:
            engine.dispose()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(reason)
    return url


@pytest.fixture
def schema(postgres_url: str) -> Iterator[str]:
    """A schema name of this test's own; the generator creates it, the fixture drops it."""
    name = f"docketcal_gen_{uuid.uuid4().hex[:12]}"
    yield name
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()

"""What tests in several folders share: the PostgreSQL server to test on, and the modules of
``bench/`` (the docket generator, the table writer)."""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

POSTGRES_ENV = "DOCKETCAL_TEST_POSTGRES"

# Fuzz tests (marked ``fuzz``) take their budget from the profile: hypothesis's default in
# ``make test``, and the "fuzz" profile's far larger one in ``make fuzz``.
settings.register_profile("fuzz", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("DOCKETCAL_HYPOTHESIS_PROFILE", "default"))
BENCH = Path(__file__).resolve().parents[1] / "bench"

# The copies commands keep between runs (cli/kept.py) go to a folder of this test run, never the
# user's own cache; the commands the tests start inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="docketcal-test-cache-")


def postgres_unavailable(reason: str) -> None:
    """Skip with the reason; under CI (``CI`` set), fail: there the PostgreSQL tests must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the PostgreSQL tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """``DOCKETCAL_TEST_POSTGRES``, checked to answer."""
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        postgres_unavailable(f"{POSTGRES_ENV} is not set: no PostgreSQL server to test on")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        postgres_unavailable(f"cannot reach PostgreSQL at {POSTGRES_ENV}={url}: {exc}")
    finally:
        engine.dispose()
    return url


def _load_bench(name: str) -> ModuleType:
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
def load_bench() -> Callable[[str], ModuleType]:
    return _load_bench


@pytest.fixture(scope="session")
def generate() -> ModuleType:
    """``bench/generate.py``: realistic dockets of any size."""
    return _load_bench("generate")

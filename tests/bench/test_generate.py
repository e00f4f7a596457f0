"""The docket generator (bench/generate.py): deterministic, exactly the size asked, realistic,
and written exactly as the store would have written it (a recomputation changes nothing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obligations.store.db import Database
from obligations.store.docket import Changes, Docket
from obligations.store.read import Reader

TABLES = ("case", "order_version", "obligation", "person", "assignment", "fact", "history")
SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def dump(url: str, schema: str | None = None) -> dict[str, list[tuple[Any, ...]]]:
    r = Reader(url, schema=schema)
    try:
        return {t: r.query(f'SELECT * FROM "{t}" ORDER BY id') for t in TABLES}
    finally:
        r.close()


def one(url: str, sql: str, schema: str | None = None) -> Any:
    r = Reader(url, schema=schema)
    try:
        return r.query(sql)[0][0]
    finally:
        r.close()


def test_the_same_seed_makes_the_same_docket_whatever_the_workers(
    tmp_path: Path, generate: ModuleType
) -> None:
    a, b, c = (f"sqlite:///{tmp_path / name}.db" for name in "abc")
    generate.write(a, 800, seed=3, jobs=1)
    generate.write(b, 800, seed=3, jobs=2)
    generate.write(c, 800, seed=4, jobs=1)
    assert dump(a) == dump(b)
    assert dump(a)["obligation"] != dump(c)["obligation"]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 5000), seed=st.integers(0, 10**6))
def test_case_sizes_add_up_to_the_size_asked(generate: ModuleType, n: int, seed: int) -> None:
    sizes = generate.sizes(n, seed)
    assert sum(sizes) == n
    assert all(generate.MIN_SIZE <= s <= generate.MAX_SIZE for s in sizes[:-1])
    assert 1 <= sizes[-1] <= generate.MAX_SIZE


@pytest.mark.parametrize("n", [1, 7, 8, 33, 2500])
def test_exactly_the_number_of_obligations_asked(
    tmp_path: Path, generate: ModuleType, n: int
) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    counts = generate.write(url, n, seed=n)
    assert counts["obligation"] == n
    assert one(url, "SELECT count(*) FROM obligation") == n


def test_a_realistic_docket(tmp_path: Path, generate: ModuleType) -> None:
    """What a firm's docket holds: every state and kind, chains, courts federal and state,
    orders amended, facts of every kind, people assigned to cases, parties and single duties."""
    url = f"sqlite:///{tmp_path / 'd.db'}"
    generate.write(url, 4000, seed=11)
    r = Reader(url)
    as_of = generate.AS_OF.isoformat()

    def count(sql: str, *params: Any) -> int:
        return int(r.query(sql, params)[0][0])

    states = dict(r.query("SELECT state, count(*) FROM obligation GROUP BY state"))
    assert set(states) == {"done", "open", "waiting", "standing", "vacated"}
    assert states["done"] > 0.5 * 4000  # six years of cases: most duties are behind them
    overdue = count("SELECT count(*) FROM obligation WHERE state = 'open' AND due < ?", as_of)
    assert 0.002 * 4000 < overdue < 0.05 * 4000
    assert count("SELECT count(*) FROM obligation WHERE state = 'open' AND due >= ?", as_of) > 40
    kinds = {k for (k,) in r.query("SELECT DISTINCT kind FROM obligation")}
    assert kinds == {"deadline", "standing", "prohibition", "recurring"}
    assert count("SELECT count(*) FROM obligation WHERE ref LIKE '%#%'") > 0  # recurring instances
    assert count("SELECT count(*) FROM obligation WHERE depends_on <> '[]'") > 400  # chains
    assert count("SELECT count(*) FROM obligation WHERE when_text LIKE '%before hearing%'") > 0
    assert count("SELECT count(*) FROM obligation WHERE when_text LIKE '%service by mail%'") > 0
    assert count("SELECT count(*) FROM obligation WHERE amendments <> '[]'") > 0  # [[amend]]
    assert count("SELECT count(*) FROM obligation WHERE late_by > 0") > 0
    courts = {c for (c,) in r.query('SELECT DISTINCT court FROM "case"')}
    assert len(courts) > 40 and {"nysupct", "calsuperct", "njsuper"} & courts
    titles = {t for (t,) in r.query("SELECT DISTINCT title FROM order_version")}
    assert titles == {"Scheduling order", "Order after discovery conference"}
    facts = {k for (k,) in r.query("SELECT DISTINCT kind FROM fact")}
    assert facts == {"event", "done", "extension", "vacatur", "closure"}
    assert count("SELECT count(*) FROM fact WHERE at IS NOT NULL") > 0  # hearings at a time
    roles = dict(r.query("SELECT role, count(*) FROM person GROUP BY role"))
    assert roles["attorney"] >= 3 and roles["clerk"] >= 1
    assert (
        count(
            'SELECT count(*) FROM "case" c WHERE (SELECT count(*) FROM assignment a WHERE a.case_id = c.id) < 2'
        )
        == 0
    )
    assert count("SELECT count(*) FROM assignment WHERE party IS NOT NULL") > 0
    assert count("SELECT count(*) FROM assignment WHERE obligation_ref IS NOT NULL") > 0
    assert (
        count(
            "SELECT count(*) FROM obligation o WHERE NOT EXISTS"
            " (SELECT 1 FROM history h WHERE h.ref = o.ref AND h.what = 'obligation added')"
        )
        == 0
    )
    r.close()


def recompute_every_case(url: str, schema: str | None = None) -> list[str]:
    """Recompute each case as the store does after any fact; what it would change."""
    db = Database(url, schema=schema)
    docket = Docket(db)
    changed: list[str] = []
    cases = [c for (c,) in Reader(url, schema=schema).query('SELECT id FROM "case" ORDER BY id')]
    for case in cases:
        with db.write() as s:
            docket._lock(s, case)
            changes = Changes()
            docket._recompute(s, case, "check", changes)
            changed += changes.revised
            s.rollback()
    db.dispose()
    return changed


def test_the_store_finds_nothing_to_change_on_sqlite(tmp_path: Path, generate: ModuleType) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    generate.write(url, 1500, seed=5)
    assert recompute_every_case(url) == []


def test_the_store_finds_nothing_to_change_on_postgres(
    postgres_url: str, schema: str, generate: ModuleType
) -> None:
    generate.write(postgres_url, 1500, seed=6, schema=schema)
    assert recompute_every_case(postgres_url, schema) == []
    # the sequences continue after the generated ids: a new fact or history row can be added
    db = Database(postgres_url, schema=schema)
    case = one(postgres_url, 'SELECT id FROM "case" ORDER BY id LIMIT 1', schema)
    Docket(db, who="test").record_event(case, "hearing", generate.AS_OF)
    db.dispose()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_bad_arguments_exit_2_and_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    done = run("--db", f"sqlite:///{path}", "--obligations", "0")
    assert done.returncode == 2
    assert "--obligations 0: expected a whole number from 1 up" in done.stderr
    done = run("--db", "mysql://root@127.0.0.1/test", "--obligations", "10")
    assert done.returncode == 2
    assert "expected a sqlite:/// or postgresql+psycopg:// URL" in done.stderr
    done = run("--db", f"sqlite:///{path}", "--obligations", "10", "--as-of", "2026-02-30")
    assert done.returncode == 2 and "--as-of" in done.stderr
    assert not path.exists()


def test_a_docket_already_there_is_refused_untouched(tmp_path: Path, generate: ModuleType) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    generate.write(url, 60, seed=1)
    before = dump(url)
    done = run("--db", url, "--obligations", "60")
    assert done.returncode == 2
    assert "already holds a docket; generate into a new one" in done.stderr
    assert dump(url) == before

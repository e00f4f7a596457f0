"""``make bench``: its table, written between the markers from the figures each script printed,
and the firm-scale benchmark run end to end at small sizes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def run(load_bench: Callable[[str], ModuleType]) -> ModuleType:
    return load_bench("run")


def figure(value: float, unit: str, **kw: object) -> dict[str, object]:
    return {"bench": "firm.py", "figure": "upcoming --person", "value": value, "unit": unit,
            "target": None, "met": None, "runs": 10, "how": "new process", **kw}  # fmt: skip


def test_the_table_replaces_only_what_is_between_the_markers(
    run: ModuleType, tmp_path: Path
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Benchmarks\n\nBefore.\n\n{run.BEGIN}\nold table\n{run.END}\n\nAfter.\n")
    kept = {
        "firm.py": {
            "date": "2026-12-03",
            "machine": "2 cores of a test CPU",
            "exit": 0,
            "figures": [
                figure(
                    212.4,
                    "ms",
                    target="< 300 ms",
                    met=True,
                    backend="postgres",
                    obligations=1_000_000,
                ),
                figure(31.5, "ms", target="< 30 ms", met=False, figure="record an event"),
            ],
        },
        "store.py": {"date": "2026-12-02", "machine": "another machine", "exit": 1, "figures": []},
    }
    run.write_readme(kept, readme)
    text = readme.read_text()
    assert text.startswith("# Benchmarks\n\nBefore.\n\n") and text.endswith("\n\nAfter.\n")
    assert "old table" not in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0].startswith(
        "| benchmark | figure | result | target | met | runs | machine | date | how |"
    )
    assert (
        "| firm.py | upcoming --person (postgres / 1,000,000 obligations) | 212 ms | < 300 ms | yes | 10 | A | 2026-12-03 | new process |"
        in rows
    )
    assert (
        "| firm.py | record an event | 31.5 ms | < 30 ms | **no** | 10 | A | 2026-12-03 | new process |"
        in rows
    )
    assert "| store.py | **failed** (exit 1) | | | | | B | 2026-12-02 | |" in rows
    assert "| compute.py | not run yet | | | | | | | |" in rows
    assert "Machine A: 2 cores of a test CPU." in text and "Machine B: another machine." in text


def test_a_readme_without_markers_gets_the_table_at_its_end(
    run: ModuleType, tmp_path: Path
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n")
    run.write_readme({}, readme)
    text = readme.read_text()
    assert text.startswith("# Benchmarks\n\n## All figures\n\n" + run.BEGIN)
    assert text.rstrip().endswith(run.END)
    run.write_readme({}, readme)  # a second time: the same table in the same place
    assert readme.read_text() == text


def test_the_firm_benchmark_runs_on_both_databases(postgres_url: str, tmp_path: Path) -> None:
    """bench/firm.py end to end at two small sizes, as ``make bench`` runs it: every figure
    and its growth ratio come out, on SQLite and PostgreSQL (its own seed: nothing of a real
    run is touched; its dockets are removed afterwards)."""
    seed, sizes = 97, (1000, 2000)
    env = {**os.environ, "DOCKETCAL_TEST_POSTGRES": postgres_url}
    try:
        done = subprocess.run(
            [sys.executable, str(BENCH / "firm.py"), "--backend", "both", "--seed", str(seed),
             "--sizes", ",".join(map(str, sizes)), "--events", "3", "--loads", "1", "--runs", "2",
             "--jobs", "1"],
            capture_output=True, text=True, env=env, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
        got = {(f["figure"], f["backend"], f["obligations"]) for f in lines}
        for backend in ("sqlite", "postgres"):
            for size in sizes:
                for figure in (
                    "upcoming --person (busiest attorney), whole process",
                    "reminder planning run (read due duties and assignments, plan)",
                    "record an event with its case's recomputation",
                    "load new orders",
                ):
                    assert (figure, backend, size) in got
            assert ("growth: load new orders (time per orders)", backend, sizes[1]) in got
    finally:
        for size in sizes:
            for suffix in ("", "-wal", "-shm"):
                (BENCH / "out" / f"firm-{size}-s{seed}.db{suffix}").unlink(missing_ok=True)
        engine = create_engine(postgres_url)
        with engine.begin() as conn:
            for size in sizes:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "firm_{size}_s{seed}" CASCADE'))
        engine.dispose()

"""``make bench``'s table: written between the markers from the figures each script printed."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from .conftest import load_bench


@pytest.fixture(scope="module")
def run() -> ModuleType:
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

"""Every row of tests/obligations/rules/golden/*.toml, run through the core of ``rules preview``.

The rows are worked by hand from the rule texts, each with its source (docs/rules.md); nothing
here computes an expected value. A row names a trigger, its date (a date or a date-time), the
court, optionally the service method, and the deadline with the date it is due (``due``: the
default reading) and optionally ``safe_due`` (the earliest under every reading). The data read is
the installed data/rules (``DOCKETCAL_RULES`` is not consulted). No rows yet: skipped."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from calendars.data import data_path
from obligations.rules import Library, load_library, preview

GOLDEN = Path(__file__).parent / "golden"
KEYS = {"trigger", "date", "court", "service", "deadline", "due", "safe_due", "source", "note"}


def _rows() -> list[Any]:
    out = []
    for path in sorted(GOLDEN.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for n, row in enumerate(data.get("row", []), 1):
            out.append(pytest.param(row, id=f"{path.stem}#{n}-{row.get('deadline', '?')}"))
    return out


ROWS = _rows()


@pytest.fixture(scope="module")
def lib() -> Library:
    folder = data_path("rules")
    return load_library(folder) if folder.is_dir() else Library({}, {}, {})


@pytest.mark.skipif(not ROWS, reason="no golden rows in tests/obligations/rules/golden yet")
@pytest.mark.parametrize("row", ROWS or [None])
def test_golden_row(lib: Library, row: dict[str, Any]) -> None:
    unknown = set(row) - KEYS
    assert not unknown, f"unknown keys in the row: {sorted(unknown)}"
    assert row.get("source"), "every row names its source"
    at = row["date"]
    assert isinstance(at, date | datetime)
    result = preview(lib, row["trigger"], at, row["court"], row.get("service"))
    found = {i.deadline.id: i for i in result.items}
    assert row["deadline"] in found, (
        f"{row['deadline']} is not set by {row['trigger']} in {row['court']}: {sorted(found)}"
    )
    item = found[row["deadline"]]
    got = item.due.due if item.due is not None else None
    trace = "\n".join(f"{s.step}. {s.rule}: {s.note}" for s in item.trace)
    assert got == row["due"], f"{row['source']}\nwaiting on: {item.waiting_on}\n{trace}"
    if "safe_due" in row:
        assert item.due is not None and item.due.safe_due == row["safe_due"], trace


def test_every_deadline_in_the_data_has_a_golden_row(lib: Library) -> None:
    if not lib.deadlines:
        pytest.skip("no data/rules yet")
    covered = {row.values[0]["deadline"] for row in ROWS}  # type: ignore[index]
    missing = sorted(set(lib.deadlines) - covered)
    assert not missing, f"deadlines without a golden row: {missing}"


@pytest.mark.skipif(not ROWS, reason="no golden rows in tests/obligations/rules/golden yet")
def test_every_row_through_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The same rows through ``docketcal rules preview --jsonl``, as a program would ask."""
    import json

    from typer.testing import CliRunner

    from cli.main import app

    monkeypatch.delenv("DOCKETCAL_RULES", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rows = [p.values[0] for p in ROWS]
    lines = []
    for row in rows:
        at = row["date"]
        text = at.isoformat(timespec="minutes") if isinstance(at, datetime) else at.isoformat()
        request = {"court": row["court"], "date": text, "trigger": row["trigger"]}
        if row.get("service"):
            request["service"] = row["service"]
        lines.append(json.dumps(request))
    result = CliRunner().invoke(app, ["rules", "preview", "--jsonl"], input="\n".join(lines))
    assert result.exit_code == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(rows)
    wrong = []
    for row, answer in zip(rows, answers, strict=True):
        due = {d["id"]: d["due"] for d in answer.get("deadlines", [])}
        if due.get(row["deadline"]) != row["due"].isoformat():
            wrong.append((row["trigger"], row["deadline"], row["due"], answer.get("error", due)))
    assert not wrong, wrong

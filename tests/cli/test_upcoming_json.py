"""``upcoming --format json``: one contract, made by one serializer, published as a JSON Schema
(``upcoming --schema``) that the output is validated against; ``due_at`` in the court's zone."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from cli.main import app
from obligations.contract import UPCOMING_KEYS
from obligations.engine import schedule
from obligations.model import Facts
from obligations.orderfile import load_orders

runner = CliRunner()

ORDER = """
[order]
id = "sched-1"
case = "acme-v-zenith"
court = "cacd"
entered = 2024-03-01
title = "Scheduling order"

[[obligation]]
id = "brief"
party = "plaintiff"
text = "Plaintiff shall file its brief within 14 days of this order."
cite = "¶ 1"
due = "14 days after order"

[[obligation]]
id = "exhibits"
party = "defendant"
text = "Defendant shall lodge its exhibits by 5:00 p.m. on March 20, 2024."
cite = "¶ 2"
due = "by 2024-03-20 17:00"

[[obligation]]
id = "reply"
party = "defendant"
text = "Defendant shall reply within 7 days after the hearing."
cite = "¶ 3"
due = "7 days after hearing"
"""


@pytest.fixture
def docket(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "order.toml"
    path.write_text(ORDER, encoding="utf-8")
    db = tmp_path / "docket.db"
    result = runner.invoke(app, ["--db", str(db), "order", "load", str(path)])
    assert result.exit_code == 0, result.stderr
    return db, path


def _json(*args: str) -> Any:
    result = runner.invoke(app, [*args], env={"DOCKETCAL_CONFIG": "/nonexistent/config.toml"})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_upcoming_schema_is_published_and_the_output_follows_it(docket: tuple[Path, Path]) -> None:
    db, _ = docket
    schema = _json("upcoming", "--schema")
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    items = _json(
        "--db", str(db), "--as-of", "2024-03-04", "--format", "json", "upcoming",
        "--within", "60d", "--include-waiting",
    )  # fmt: skip
    assert {i["obligation"] for i in items} == {"brief", "exhibits", "reply"}
    validator.validate(items)
    assert list(items[0])[: len(UPCOMING_KEYS)] == list(UPCOMING_KEYS)
    # a bad item is caught by the schema: the test can fail
    bad = [{**items[0], "state": "later"}]
    assert not validator.is_valid(bad)
    # agenda's items are the same contract
    assert (
        runner.invoke(
            app, ["--db", str(db), "person", "add", "--name", "Ada", "--email", "ada@firm.example"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app, ["--db", str(db), "assign", "ada@firm.example", "acme-v-zenith"]
        ).exit_code
        == 0
    )
    agenda = _json(
        "--db", str(db), "--as-of", "2024-03-04", "--format", "json", "agenda", "--within", "60d"
    )
    validator.validate(agenda["ada@firm.example"])


def test_due_at_is_in_the_court_time_zone_in_the_engine_and_in_the_store(
    docket: tuple[Path, Path],
) -> None:
    """C.D. Cal. is in Pacific time: a 5:00 p.m. deadline in March 2024 (daylight time from
    March 10) ends at 17:00-07:00, whatever zone the reader is in."""
    db, path = docket
    stored = {
        i["obligation"]: i
        for i in _json(
            "--db",
            str(db),
            "--as-of",
            "2024-03-04",
            "--format",
            "json",
            "upcoming",
            "--within",
            "60d",
            "--include-waiting",
        )
    }
    assert stored["exhibits"]["due_at"] == "2024-03-20T17:00-07:00"
    engine = {
        i.obligation: i.to_json()
        for i in schedule(load_orders([path]), Facts(), date(2024, 3, 4)).items
    }
    for name, item in stored.items():
        assert {k: engine[name][k] for k in UPCOMING_KEYS} == item, name

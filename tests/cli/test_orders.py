"""``order check``, ``order schema`` and ``demo`` through the command line."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
from typer.testing import CliRunner

from calendars.data import data_path
from cli.main import app

runner = CliRunner()
ORDERS = sorted(str(p) for p in data_path("orders").glob("*.toml"))
BAD = Path(__file__).resolve().parents[1] / "obligations" / "bad"


def test_order_check_proves_the_example_orders() -> None:
    result = runner.invoke(app, ["order", "check", *ORDERS])
    assert result.exit_code == 0, result.stderr
    assert "11 of 11 checks hold" in result.stderr or "checks hold" in result.stderr


def test_order_check_json_lists_every_check() -> None:
    result = runner.invoke(app, ["--format", "json", "order", "check", *ORDERS])
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert all(c["ok"] for c in body["checks"])
    assert {o["id"] for o in body["orders"]} == {"caed-2013-11-12", "njd-2013-07-02"}


def test_order_check_of_a_bad_file_names_file_line_and_column_and_exits_2() -> None:
    bad = sorted(BAD.glob("*.toml"))
    assert bad, "real bad order files"
    good = BAD.parent / "good" / "first.toml"
    for path in bad:
        # same_order_id.toml is bad only beside the order whose id it repeats, and
        # amend_unknown.toml beside the order it amends (alone, its amendment is pending)
        beside = path.name in ("same_order_id.toml", "amend_unknown.toml")
        files = [str(good), str(path)] if beside else [str(path)]
        result = runner.invoke(app, ["order", "check", *files])
        assert result.exit_code == 2, path
        assert result.stdout == ""
        assert f"{path}:" in result.stderr, result.stderr


def test_order_check_of_a_missing_file_exits_2() -> None:
    result = runner.invoke(app, ["order", "check", "no/such/order.toml"])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def test_order_schema_is_a_json_schema_the_example_orders_satisfy() -> None:
    result = runner.invoke(app, ["order", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for path in ORDERS:
        with open(path, "rb") as f:
            validator.validate(_jsonable(tomllib.load(f)))
    broken = {
        "order": {"id": "x", "case": "c", "court": "caed", "entered": "2013-11-12", "colour": "red"}
    }
    assert list(validator.iter_errors(broken))


def test_demo_shows_the_agenda_and_one_explanation() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.stderr
    assert "bates-stamp" in result.stdout
    assert "Fed. R. Civ. P. 6(a)(1)(C)" in result.stdout
    assert (
        "Mon 2013-12-09" in result.stdout
    )  # returned Sat 2013-11-23: day 14 Sat 12-07 -> Mon 12-09
    assert "141 days late" in result.stdout  # the D.N.J. joint letter of July 15, 2013


def test_demo_json_and_keep(tmp_path: Path) -> None:
    kept = tmp_path / "demo.db"
    result = runner.invoke(app, ["--format", "json", "demo", "--keep", str(kept)])
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    keys = {
        "ref",
        "case",
        "order",
        "obligation",
        "party",
        "text",
        "cite",
        "state",
        "due",
        "due_at",
        "safe_due",
        "waiting_on",
    }
    assert body["upcoming"] and all(keys <= set(i) for i in body["upcoming"])
    assert body["explain"]["due"] == "2013-12-09"
    assert kept.exists()
    again = runner.invoke(app, ["demo", "--keep", str(kept)])
    assert again.exit_code == 2  # never over an existing file


def test_order_schema_describes_the_keys_of_issue_14() -> None:
    """The file with every form and key of issue 14 (tests/obligations/good/language.toml)
    satisfies the schema; an amendment naming no obligation, or a condition_id without its
    condition, does not."""
    schema = json.loads(runner.invoke(app, ["order", "schema"]).stdout)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    language = BAD.parent / "good" / "language.toml"
    data = _jsonable(tomllib.loads(language.read_text(encoding="utf-8")))
    validator.validate(data)
    props = schema["properties"]
    assert set(props["order"]["properties"]) >= {"consequence"}
    assert set(props["obligation"]["items"]["properties"]) >= {
        "review",
        "source_text",
        "condition_id",
    }
    assert set(props["amend"]["items"]["properties"]) >= {"obligations", "due_on_or_after"}
    no_target = {**data, "amend": [{"order": "x", "action": "vacate"}]}
    assert not validator.is_valid(no_target)
    bare = dict(data["obligation"][0], condition_id="c")
    assert not validator.is_valid({**data, "obligation": [bare]})

"""upcoming, agenda, explain, config and completion, on a real docket file (the demo's)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from calendars.data import data_path
from cli.main import app, hoist
from obligations.store.docket import Docket

from .conftest import Where

ORDERS = sorted(data_path("orders").glob("*.toml"))

runner = CliRunner()
KEYS = {
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


@pytest.fixture(scope="module")
def docket(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agenda") / "demo.db"
    result = runner.invoke(app, ["demo", "--keep", str(path)])
    assert result.exit_code == 0, result.stderr
    return path


def run(docket: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, hoist(["--db", str(docket), *args]), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_upcoming_json_has_the_stable_keys_overdue_first(docket: Path) -> None:
    code, out, _ = run(docket, "upcoming", "--as-of", "2013-12-03", "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert all(set(i) == KEYS for i in items)
    states = [i["state"] for i in items]
    assert states == sorted(states, key=lambda s: s != "overdue")
    assert next(i["obligation"] for i in items if i["state"] == "overdue") == "joint-letter"
    bates = next(i for i in items if i["obligation"] == "bates-stamp")
    assert (bates["due"], bates["due_at"]) == ("2013-12-09", "2013-12-09T23:59-08:00")


def test_upcoming_window_and_filters(docket: Path) -> None:
    code, out, _ = run(
        docket,
        "--format",
        "json",
        "--as-of",
        "2013-12-03",
        "upcoming",
        "--within",
        "3d",
        "--state",
        "open",
    )
    assert code == 3 and out.strip() == "[]"  # nothing open in the next three days
    code, out, _ = run(
        docket, "--format", "json", "--as-of", "2013-12-03", "upcoming", "--party", "defendant"
    )
    assert {i["party"] for i in json.loads(out)} == {"defendant", "both"}  # both: the joint letter
    code, out, _ = run(
        docket, "--format", "json", "--as-of", "2013-12-03", "upcoming", "--case", "njd-2013-07-02"
    )
    assert [i["obligation"] for i in json.loads(out)] == ["joint-letter"]
    code, out, _ = run(docket, "--format", "json", "--as-of", "2013-12-03", "upcoming", "--overdue")
    assert {i["state"] for i in json.loads(out)} == {"overdue"}


def test_upcoming_for_a_person_follows_assignments(docket: Path) -> None:
    code, out, _ = run(
        docket,
        "--format",
        "json",
        "--as-of",
        "2013-12-03",
        "upcoming",
        "--person",
        "ben@firm.example",
    )
    assert code == 0
    items = json.loads(out)
    assert items and {i["party"] for i in items} == {
        "plaintiff"
    }  # Ben has the plaintiff's duties only
    code, out, _ = run(
        docket,
        "--format",
        "json",
        "--as-of",
        "2013-12-03",
        "upcoming",
        "--person",
        "ada@firm.example",
    )
    assert {i["case"] for i in json.loads(out)} == {"caed-2013-11-12", "njd-2013-07-02"}


def test_upcoming_shows_waiting_duties_with_what_they_wait_on(docket: Path) -> None:
    code, out, _ = run(
        docket, "--as-of", "2013-11-20", "--format", "json", "upcoming", "--state", "waiting"
    )
    assert code == 3 or all(i["waiting_on"] for i in json.loads(out))


def test_upcoming_table_reads_like_an_agenda(docket: Path) -> None:
    code, out, _ = run(docket, "--as-of", "2013-12-03", "upcoming")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Overdue"
    assert "Mon 2013-12-09  in 6 days" in lines
    assert any(line.rstrip().endswith("bates-stamp") for line in lines)
    assert all(len(line) <= 80 for line in lines)
    assert "\033[" not in out  # no colour when not a terminal


def test_bad_usage_and_nothing_found(docket: Path) -> None:
    assert run(docket, "upcoming", "--within", "soon")[0] == 2
    assert run(docket, "upcoming", "--state", "late")[0] == 2
    assert run(docket, "--as-of", "2013-02-30", "upcoming")[0] == 2
    code, _, err = run(docket, "upcoming", "--as-of", "2030-01-01", "--state", "open")
    assert code == 3 and "nothing due" in err


def test_agenda_is_a_week_per_person(docket: Path) -> None:
    code, out, _ = run(
        docket, "--as-of", "2013-12-03", "--format", "json", "agenda", "--within", "7d"
    )
    assert code == 0
    body = json.loads(out)
    assert set(body) == {"ada@firm.example", "ben@firm.example"}
    assert "bates-stamp" in {i["obligation"] for i in body["ben@firm.example"]}
    code, out, _ = run(docket, "--as-of", "2013-12-03", "upcoming", "--by", "person")
    assert code == 0 and "Ben Counsel <ben@firm.example>" in out


def test_explain_tells_how_the_date_was_found(docket: Path) -> None:
    code, out, _ = run(docket, "--as-of", "2013-12-03", "explain", "bates-stamp")
    assert code == 0
    assert "Within 14 days of his documents being returned to him" in out
    assert "return-documents done 2013-11-23" in out
    assert "Fed. R. Civ. P. 6(a)(1)(C)" in out and "Mon 2013-12-09" in out
    assert "History:" in out
    code, out, _ = run(docket, "--format", "json", "explain", "caed-2013-11-12/bates-stamp")
    body = json.loads(out)
    assert set(body) >= KEYS
    assert [s["step"] for s in body["trace"]] == [1, 2, 3]
    assert body["history"][0]["what"] == "obligation added"


def test_explain_helps_with_mistakes(docket: Path) -> None:
    code, _, err = run(docket, "explain", "bates-stamps")
    assert code == 3 and "did you mean bates-stamp" in err
    code, _, err = run(docket, "explain", "serve")
    assert code == 3


def test_config_shows_each_value_and_where_it_came_from(docket: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('within = "21d"\nsmtp_password = "hunter2"\n')
    env = {"DOCKETCAL_CONFIG": str(config), "DOCKETCAL_SMTP_HOST": "127.0.0.1"}
    code, out, _ = run(docket, "--format", "json", "config", env=env)
    assert code == 0
    settings = {s["name"]: s for s in json.loads(out)["settings"]}
    assert settings["db"]["source"] == "flag"
    assert settings["smtp_host"] == {
        "name": "smtp_host",
        "value": "127.0.0.1",
        "source": "environment (DOCKETCAL_SMTP_HOST)",
    }
    assert settings["within"]["source"].startswith("config file")
    assert settings["smtp_password"]["value"] == "********"
    assert "hunter2" not in out
    assert settings["color"] == {"name": "color", "value": "auto", "source": "default"}


def test_a_broken_config_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("colour = 'red'\n")
    result = runner.invoke(app, ["config"], env={"DOCKETCAL_CONFIG": str(config)})
    assert result.exit_code == 2
    assert str(config) in result.stderr and "unknown setting colour" in result.stderr


def test_completion_offers_references_from_the_docket(docket: Path) -> None:
    env = {
        "_DOCKETCAL_COMPLETE": "complete_bash",
        "COMP_WORDS": "docketcal explain bates-s",
        "COMP_CWORD": "2",
        "DOCKETCAL_DB": str(docket),
    }
    result = runner.invoke(app, [], env=env, prog_name="docketcal")
    assert result.stdout.split() == ["bates-stamp"]
    env["COMP_WORDS"] = "docketcal history caed"
    result = runner.invoke(app, [], env=env, prog_name="docketcal")
    assert "caed-2013-11-12/caed-2013-11-12/bates-stamp" in result.stdout.split()


def test_reading_a_docket_that_does_not_exist_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "none.db"), "upcoming"])
    assert result.exit_code == 2
    assert "docketcal init" in result.stderr


# -- what a read command loads ----------------------------------------------------------------------

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "icalendar")
LOADED = """
import sys
from cli.main import main
sys.argv = ["docketcal", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print("LOADED", *sorted({m.split(".")[0] for m in sys.modules}), "EXIT", code)
"""


def test_upcoming_and_explain_load_no_orm_and_the_light_driver(where: Where) -> None:
    """``upcoming`` and ``explain`` answer in a new process each time: on PostgreSQL they read
    through psycopg2, not the ORM and psycopg 3, which together cost more than the 300 ms a
    person's ``upcoming`` has at a million obligations (bench/README.md)."""
    db = where.open()
    try:
        Docket(db, "test").load(ORDERS)
    finally:
        db.dispose()
    for args in (["upcoming", "--include-waiting"], ["explain", "bates-stamp"]):
        done = subprocess.run(
            [sys.executable, "-c", LOADED, "--db", where.url, "--as-of", "2013-11-20", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        loaded = done.stdout.rsplit("LOADED", 1)[1].split()
        assert loaded[-2:] == ["EXIT", "0"], (args, done.stderr)
        assert "bates-stamp" in done.stdout, args
        assert not [m for m in HEAVY if m in loaded], (args, loaded)
        assert ("psycopg2" in loaded) == (where.schema is not None), (args, loaded)

"""The calculator commands: compute (one phrase and --jsonl), courts, holidays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_compute_prints_the_date_and_the_numbered_trace() -> None:
    code, out, err = run("compute", "14 days after 2013-11-12", "--court", "caed")
    assert code == 0, err
    assert "Due:       Tue 2013-11-26" in out
    assert "1. Fed. R. Civ. P. 6(a)(1)(A)-(B)" in out
    assert "Fed. R. Civ. P. 6(a)(4)(A)" in out


def test_compute_json_has_the_stable_keys_and_nothing_else_on_stdout() -> None:
    code, out, _ = run(
        "--format",
        "json",
        "compute",
        "14 days after 2013-11-16",
        "--court",
        "caed",
        "--service",
        "mail",
    )
    assert code == 0
    body = json.loads(out)
    assert set(body) == {"due", "due_at", "safe_due", "readings", "warnings", "trace"}
    assert body["due"] == "2013-12-05"
    assert body["due_at"] == "2013-12-05T23:59-08:00"
    assert [s["step"] for s in body["trace"]] == list(range(1, len(body["trace"]) + 1))
    assert set(body["trace"][0]) == {"step", "rule", "from", "to", "note"}
    assert any(s["rule"] == "Fed. R. Civ. P. 6(d)" for s in body["trace"])


def test_compute_shows_readings_and_the_safe_date_when_the_law_is_unsettled() -> None:
    code, out, _ = run("--format", "json", "compute", "14 days after 2018-11-21", "--court", "caed")
    assert code == 0
    body = json.loads(out)
    assert body["due"] == "2018-12-06"  # Dec. 5, 2018: EO 13852 closure
    assert body["safe_due"] == "2018-12-05"
    assert len(body["readings"]) == 2


def test_a_date_that_does_not_exist_is_rejected_with_the_reason_and_exit_2() -> None:
    code, out, err = run("compute", "14 days after 2013-02-30", "--court", "caed")
    assert code == 2
    assert out == ""
    assert "2013-02-30" in err and "February 2013 has 28 days" in err


def test_an_unknown_court_exits_2_and_suggests() -> None:
    code, _, err = run("compute", "14 days after 2013-11-12", "--court", "caedd")
    assert code == 2
    assert "did you mean caed" in err


def test_a_service_method_the_rule_set_does_not_know_names_the_known_ones() -> None:
    code, _, err = run(
        "compute",
        "10 days after 2024-03-01",
        "--court",
        "calsuperct",
        "--service",
        "leaving-with-clerk",
    )
    assert code == 2
    assert "known: none, hand, mail" in err


def test_a_phrase_that_does_not_parse_names_the_column() -> None:
    code, _, err = run("compute", "14 dayz after 2013-11-12", "--court", "caed")
    assert code == 2
    assert "column 4" in err


def test_compute_without_court_is_bad_usage() -> None:
    code, _, err = run("compute", "14 days after 2013-11-12")
    assert code == 2
    assert "--court" in err


def test_a_closure_moves_the_last_day_forward() -> None:
    code, out, _ = run(
        "--format",
        "json",
        "compute",
        "14 days after 2013-11-12",
        "--court",
        "caed",
        "--closure",
        "2013-11-26",
    )
    assert code == 0
    assert json.loads(out)["due"] == "2013-11-27"


def test_jsonl_answers_every_line_and_goes_on_after_a_bad_one() -> None:
    lines = [
        json.dumps({"court": "caed", "when": "14 days after 2013-11-12"}),
        "not json",
        json.dumps(
            {"court": "caed", "when": "14 days after 2013-11-12", "closures": ["2013-11-26"]}
        ),
        json.dumps({"court": "nowhere", "when": "1 day after 2020-01-01"}),
        json.dumps({"court": "njd", "when": "21 days before 2024-05-20", "service": "mail"}),
        json.dumps({"court": "caed", "when": "14 days after 2013-11-12", "color": "red"}),
    ]
    code, out, _ = run("compute", "--jsonl", stdin="\n".join(lines) + "\n")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 6
    assert results[0]["due"] == "2013-11-26"
    assert "error" in results[1] and results[1]["error"].startswith("line 2")
    assert results[2]["due"] == "2013-11-27"
    assert "unknown court" in results[3]["error"]
    assert results[4]["due"] == "2024-04-29"
    assert "unknown keys: color" in results[5]["error"]


def test_courts_lists_federal_and_state_courts() -> None:
    code, out, _ = run("--format", "json", "courts")
    assert code == 0
    ids = {c["id"] for c in json.loads(out)}
    assert {
        "caed",
        "njd",
        "dcd",
        "ca9",
        "cafc",
        "calsuperct",
        "njsuper",
        "nysupct",
        "texdistct",
        "flacirct",
    } <= ids


def test_courts_for_an_unknown_state_is_nothing_found() -> None:
    code, _, _ = run("courts", "--state", "ZZ")
    assert code == 3


def test_holidays_lists_each_day_with_its_source() -> None:
    code, out, _ = run("--format", "json", "holidays", "--court", "caed", "--year", "2024")
    assert code == 0
    body = json.loads(out)
    by_date = {h["date"]: h for h in body["holidays"]}
    assert by_date["2024-12-24"]["layer"] == "eo-closure"
    assert "14129" in by_date["2024-12-24"]["source"]
    assert by_date["2024-07-04"]["layer"] == "federal"
    assert all(h["source"] for h in body["holidays"])


def test_the_installed_entry_point_runs() -> None:
    exe = Path(sys.executable).parent / "docketcal"
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [str(exe), "--format", "json", "compute", "14 days after 2013-11-12", "--court", "caed"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["due"] == "2013-11-26"

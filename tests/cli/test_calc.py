"""The calculator commands: compute (one phrase and --jsonl), courts, holidays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
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


# --- issue 13: dates at the edges and the bulk stream never end in a traceback -----------------


def test_a_due_date_past_the_supported_years_is_bad_input() -> None:
    code, out, err = run("compute", "1 day after 9999-12-31", "--court", "caed")
    assert code == 2, err
    assert out == ""
    assert "9999-12-31" in err and "1900 to 2200" in err
    assert "Traceback" not in err


def test_a_fixed_date_before_the_supported_years_is_bad_input() -> None:
    code, out, err = run("compute", "on 0001-01-01", "--court", "caed")
    assert code == 2, err
    assert out == ""
    assert "0001-01-01" in err and "1900 to 2200" in err


def test_a_period_that_leaves_the_supported_years_is_bad_input() -> None:
    code, _, err = run("compute", "1 day after 2200-12-31", "--court", "caed")
    assert code == 2, err
    assert "the due date 2201-01-" in err and "1900 to 2200" in err  # Jan. 1 rolls to Jan. 2
    code, _, err = run("compute", "99999999 days after 2020-01-01", "--court", "caed")
    assert code == 2, err
    assert "Traceback" not in err


def test_jsonl_gives_every_bad_line_its_own_error_and_goes_on() -> None:
    lines = [
        json.dumps({"court": "caed", "when": "1 day after 9999-12-31"}),
        '{"court": "caed", "when": "\\ud800 days after 2020-01-01"}',
        "[1, 2]",
        json.dumps({"court": 1, "when": 2}),
        json.dumps({"court": "caed", "when": "99999999 days after 2020-01-01"}),
        json.dumps({"court": "caed", "when": "1 day after 2020-01-06", "closures": 5}),
        json.dumps({"court": "caed", "when": "1 day after 2020-01-06", "service": 7}),
        json.dumps({"court": "caed", "when": "1 day after 2020-01-06", "closures": ["x"]}),
        json.dumps({"court": "caed", "when": "on 0001-01-01"}),
        json.dumps({"court": "caed", "when": "1 day after 2020-01-06"}),
    ]
    code, out, _ = run("compute", "--jsonl", stdin="\n".join(lines) + "\n")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(lines)
    assert all("error" in r for r in results[:-1]), results
    assert results[-1]["due"] == "2020-01-07"
    assert "1900 to 2200" in results[0]["error"]
    assert "surrogate" in results[1]["error"]
    assert "JSON object" in results[2]["error"]
    assert '"court"' in results[3]["error"]
    assert "99999999" in results[4]["error"]
    assert "'99999999 " not in results[4]["error"].replace("'99999999 days", "")
    assert "closures" in results[5]["error"] and "list" in results[5]["error"]
    assert "not iterable" not in results[5]["error"]
    assert "service" in results[6]["error"]
    assert "'x'" in results[7]["error"]
    assert "0001-01-01" in results[8]["error"]


def test_jsonl_keeps_error_texts_whole() -> None:
    line = json.dumps({"court": "caed", "when": "14 dayz after 2013-11-12"})
    code, out, _ = run("compute", "--jsonl", stdin=line + "\n")
    assert code == 0
    error = json.loads(out)["error"]
    assert "'dayz'" in error  # the quotes of the found word are kept


def test_jsonl_bytes_that_are_not_utf8_get_an_error_line() -> None:
    exe = Path(sys.executable).parent / "docketcal"
    good = json.dumps({"court": "caed", "when": "1 day after 2020-01-06"}).encode()
    done = subprocess.run(
        [str(exe), "compute", "--jsonl"],
        input=b'{"court": "caed", "when": "\xff"}\n' + good + b"\n",
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(x) for x in done.stdout.decode().splitlines())
    assert "UTF-8" in first["error"]
    assert second["due"] == "2020-01-07"


# --- fuzzing: no input to compute ends in a traceback ------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = st.sampled_from(
    [
        "1", "14", "0", "-3", "99999999", "days", "day", "court", "weeks", "months", "years",
        "hours", "after", "before", "on", "by", "order", "the", "later", "of", "with", "service",
        "mail", "2013-11-12", "2024-03-10T01:30", "9999-12-31", "0001-01-01", "2200-12-31",
        "1899-12-31", "2013-02-30", "17:00", "25:00", ",", "and", "\ud800", "\x00", "é",
    ]
)  # fmt: skip
_PHRASES = st.one_of(
    st.lists(_WORDS, max_size=8).map(" ".join),
    st.text(max_size=40),
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_REQUESTS = st.fixed_dictionaries(
    {"court": st.sampled_from(["caed", "njd", "nysb", "tax", "uscfc", "texapp", "calsuperct", "zz"]) | _JSON,
     "when": _PHRASES | _JSON},
    optional={
        "service": st.sampled_from(["mail", "electronic", "hand", "nope"]) | _JSON,
        "closures": st.lists(st.sampled_from(["2013-11-26", "9999-12-31", "x"]), max_size=2) | _JSON,
        "rules": st.sampled_from(["frcp", "frbp", "texas", "nope"]) | _JSON,
        "rules_as_of": st.sampled_from(["2004-06-01", "1600-01-01", "x"]) | _JSON,
        "extra": _JSON,
    },
)  # fmt: skip


def _line(value: object, raw: str) -> str:
    import json as _json

    text = raw if raw else _json.dumps(value)
    return text.replace("\n", " ").replace("\r", " ")


@pytest.mark.fuzz
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_REQUESTS, st.sampled_from(["", "", "", "{", "[]", '"x"', "nul"])), min_size=1, max_size=6))  # fmt: skip
def test_fuzz_jsonl_answers_every_line_without_a_traceback(
    lines: list[tuple[object, str]],
) -> None:
    stdin = "\n".join(_line(v, raw) for v, raw in lines) + "\n"
    result = runner.invoke(
        app, ["compute", "--jsonl"], input=stdin.encode("utf-8", "surrogatepass")
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0
    answers = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(answers) == len(lines)
    for answer in answers:
        assert ("error" in answer) != ("due" in answer), answer
        if "due" in answer:
            assert answer["trace"], answer


@pytest.mark.fuzz
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PHRASES, st.sampled_from(["caed", "nysb", "tax", "uscfc", "texapp", "flacirct", "nysupct"]))
def test_fuzz_when_phrases_given_to_compute_never_end_in_a_traceback(
    phrase: str, court: str
) -> None:
    result = runner.invoke(app, ["compute", phrase, "--court", court])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr


def test_courts_lists_the_new_court_families_with_their_rule_sets() -> None:
    code, out, _ = run("--format", "json", "courts")
    assert code == 0
    rules = {c["id"]: c["rules"] for c in json.loads(out)}
    assert rules["nysb"] == rules["bap9"] == "frbp"
    assert (rules["tax"], rules["uscfc"]) == ("tax", "rcfc")
    assert rules["texapp"] == rules["texcrimapp"] == rules["tex"] == "texas-appellate"
    assert rules["calctapp"] == rules["cal"] == "california-appellate"
    assert rules["nyappdiv"] == rules["nyappterm"] == rules["ny"] == "new-york"
    assert rules["njsuperctappdiv"] == rules["nj"] == "new-jersey"
    assert rules["fladistctapp"] == rules["fla"] == "florida-appellate"


def test_an_unknown_court_near_a_bankruptcy_id_suggests_it() -> None:
    code, _, err = run("compute", "14 days after 2024-03-01", "--court", "nysbb")
    assert code == 2
    assert "nysb" in err


def test_rules_as_of_asks_for_the_rule_in_force_on_another_date() -> None:
    # "at least ten days before the settlement conference" in a 2004 order: former Rule 6(a)
    # counts 10 court days back from Mon 2004-06-21: June 18, 17, 16, 15, 14, (Reagan mourning
    # Fri June 11 skipped by default), 10, 9, 8, 7, 4 -> Fri June 4.
    code, out, err = run(
        "--format", "json", "compute", "10 days before 2004-06-21", "--court", "njd"
    )
    assert code == 0, err
    body = json.loads(out)
    assert body["due"] == "2004-06-04"
    assert "former Fed. R. Civ. P. 6(a)" in body["trace"][0]["rule"]
    # the current rule: Mon June 21 - 10 = Fri June 11, the mourning closure -> Thu June 10
    code, out, _ = run(
        "--format", "json", "compute", "10 days before 2004-06-21", "--court", "njd",
        "--rules-as-of", "2024-01-01",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["due"] == "2004-06-10"
    line = json.dumps(
        {"court": "njd", "when": "10 days before 2004-06-21", "rules_as_of": "2024-01-01"}
    )
    code, out, _ = run("compute", "--jsonl", stdin=line + "\n")
    assert json.loads(out)["due"] == "2004-06-10"


def test_compute_appeal_from_counts_the_district_courts_state() -> None:
    # Fed. R. App. P. 26(a)(6)(C): S.D. Tex. judgment entered Mon 2025-07-28, 30 days = Wed
    # Aug 27, Lyndon Baines Johnson Day in Texas (not in Louisiana, the 5th Cir. clerk's state)
    code, out, err = run(
        "--format",
        "json",
        "compute",
        "30 days after 2025-07-28",
        "--court",
        "ca5",
        "--appeal-from",
        "txsd",
    )
    assert code == 0, err
    due = json.loads(out)
    assert due["due"] == "2025-08-28"
    assert "Texas (the state of the district court appealed from" in due["trace"][1]["note"]
    code, out, err = run(
        "--format", "json", "compute", "30 days after 2025-07-28", "--court", "ca5"
    )
    assert code == 0, err
    due = json.loads(out)
    assert (due["due"], due["safe_due"]) == ("2025-08-27", "2025-08-27")
    assert [r["due"] for r in due["readings"]] == ["2025-08-27", "2025-08-28"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--court", "ca5", "--appeal-from", "txsx"), "did you mean txsd"),
        (("--court", "ca5", "--appeal-from", "nysd"), "appealed to ca2"),
        (("--court", "caed", "--appeal-from", "caed"), "only under Fed. R. App. P. 26"),
    ],
)
def test_a_bad_appeal_from_exits_2_and_says_why(args: tuple[str, ...], says: str) -> None:
    code, out, err = run("compute", "30 days after 2025-07-28", *args)
    assert code == 2
    assert says in err
    assert out == ""


def test_appeal_from_is_not_for_jsonl() -> None:
    code, _, err = run("compute", "--jsonl", "--appeal-from", "txsd", stdin="")
    assert code == 2
    assert "--appeal-from" in err

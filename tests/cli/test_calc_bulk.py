"""``docketcal compute --jsonl`` through the console script (cli/entry.py): the same answers,
errors and exit codes as through the full command line, without loading it; --no-trace and a
line's "trace"; the labels of ``docketcal holidays`` for the Tax Court and the Court of Federal
Claims."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import config, entry
from cli.main import app

EXE = str(Path(sys.executable).parent / "docketcal")
LINES = [
    {"court": "caed", "when": "14 days after 2014-03-11"},
    {"court": "caed", "when": "14 days after 2014-03-11", "service": "mail", "trace": False},
    {"court": "txsd", "when": "10 days after 2022-11-14"},
    {"court": "tax", "when": "30 days after 2024-07-08"},
    {"court": "caed", "when": "14 days after 2013-11-12", "closures": ["2013-11-26"]},
    {"court": "nowhere", "when": "1 day after 2020-01-01"},
    {"court": "njd", "when": "3 fortnights after 2020-01-01"},
]


def _stdin() -> str:
    return "\n".join(json.dumps(line) for line in LINES) + "\nnot json\n"


def _process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args],
        input=_stdin(),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
    )


def test_the_console_script_answers_as_the_full_command_line_does() -> None:
    fast = _process("compute", "--jsonl")
    full = CliRunner().invoke(app, ["compute", "--jsonl"], input=_stdin())
    assert fast.returncode == 0 == full.exit_code, fast.stderr
    assert fast.stdout == full.stdout
    answers = [json.loads(line) for line in fast.stdout.splitlines()]
    assert len(answers) == 8
    assert answers[0]["due"] == "2014-03-25" and answers[0]["trace"]
    assert answers[1]["due"] == "2014-03-28" and "trace" not in answers[1]
    assert answers[2]["safe_due"] == "2022-11-25"  # the Friday after Thanksgiving in Texas
    assert answers[4]["due"] == "2013-11-27"  # the closure moves the last day
    assert answers[5]["error"].startswith("line 6: unknown court 'nowhere'")
    assert answers[6]["error"].startswith("line 7: ")
    assert answers[7]["error"].startswith("line 8: not JSON")


def test_no_trace_leaves_every_trace_out_unless_a_line_asks_for_it() -> None:
    done = _process("compute", "--jsonl", "--no-trace")
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert not any("trace" in a for a in answers)
    asked = subprocess.run(
        [EXE, "compute", "--no-trace", "--jsonl"],
        input=json.dumps({"court": "caed", "when": "14 days after 2014-03-11", "trace": True}),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert [s["step"] for s in json.loads(asked.stdout)["trace"]] == [1, 2, 3]


def test_a_bad_trace_key_is_an_error_line() -> None:
    line = json.dumps({"court": "caed", "when": "14 days after 2014-03-11", "trace": "no"})
    out = CliRunner().invoke(app, ["compute", "--jsonl"], input=line + "\n").stdout
    assert json.loads(out)["error"] == 'line 1: "trace" must be true or false, found "no"'


def test_no_trace_without_jsonl_is_bad_usage() -> None:
    result = CliRunner().invoke(
        app, ["compute", "14 days after 2014-03-11", "--court", "caed", "--no-trace"]
    )
    assert result.exit_code == 2
    assert "--no-trace goes with --jsonl" in result.stderr


def test_a_broken_config_file_is_refused_as_by_every_command(tmp_path: Path) -> None:
    broken = tmp_path / "config.toml"
    broken.write_text("db = [\n")
    done = _process("compute", "--jsonl", env={"DOCKETCAL_CONFIG": str(broken)})
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"docketcal: {broken}:")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("named", [None, "elsewhere/config.toml"])
def test_the_console_script_finds_the_config_file_cli_config_finds(
    named: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if named is None:
        monkeypatch.delenv("DOCKETCAL_CONFIG", raising=False)
    else:
        monkeypatch.setenv("DOCKETCAL_CONFIG", named)
    assert entry.config_path() == config.config_path()


def test_a_reader_that_stops_ends_the_run_quietly() -> None:
    many = (json.dumps({"court": "caed", "when": "14 days after 2014-03-11"}) + "\n") * 20000
    done = subprocess.run(
        f"'{EXE}' compute --jsonl | head -n 1",
        shell=True,
        input=many,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert json.loads(done.stdout)["due"] == "2014-03-25"
    assert done.stderr == ""


def _holidays(court: str, year: str) -> dict[str, dict[str, str]]:
    result = CliRunner().invoke(
        app, ["--format", "json", "holidays", "--court", court, "--year", year]
    )
    assert result.exit_code == 0, result.stderr
    return {h["date"]: h for h in json.loads(result.stdout)["holidays"]}


def test_the_tax_court_counts_the_district_of_columbia_holidays_both_ways() -> None:
    """Tax Court Rule 25(a)(2): a legal holiday in the District of Columbia ends no period and
    is stepped over either way; D.C. Emancipation Day, April 16 (D.C. Code § 1-612.02(a)(11))."""
    emancipation = _holidays("tax", "2025")["2025-04-16"]
    assert emancipation["layer"] == "state"
    assert emancipation["counts"].startswith("legal holiday, periods counted either way")
    assert "forward periods only" not in emancipation["counts"]


def test_the_court_of_federal_claims_does_not_count_state_holidays() -> None:
    """RCFC 6(a)(6) names the federal holidays and days declared by the President or Congress,
    and has no clause for state holidays (Fed. R. Civ. P. 6(a)(6)(C) has one); Inauguration Day
    (5 U.S.C. § 6103(c)) counts by default with a reading without it."""
    days = _holidays("uscfc", "2025")
    assert days["2025-04-16"]["counts"].startswith("not counted")
    result = CliRunner().invoke(
        app, ["--format", "json", "holidays", "--court", "uscfc", "--year", "2025"]
    )
    (inauguration,) = [
        h for h in json.loads(result.stdout)["holidays"] if h["name"] == "Inauguration Day"
    ]
    assert inauguration["counts"] == "legal holiday by default (a reading without it is shown)"


def test_a_line_nested_too_deep_for_the_json_reader_gets_its_own_error_line() -> None:
    # json.loads raises RecursionError, not a JSONDecodeError, on deep nesting: both --jsonl
    # commands read their lines through one reader that says so.
    deep = "[" * 100_000 + "]" * 100_000
    good = json.dumps({"court": "caed", "when": "14 days after 2014-03-11", "trace": False})
    for args in (["compute", "--jsonl"], ["rules", "preview", "--jsonl"]):
        run = subprocess.run(
            [EXE, *args], input=f"{deep}\n{good}\n", capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stderr
        lines = run.stdout.splitlines()
        assert json.loads(lines[0]) == {"error": "line 1: not JSON (nested too deep)"}
        assert len(lines) == 2


# -- two processes at once (cli/bulk.py, run_split) --------------------------------------------


def _mixed_lines(n: int) -> bytes:
    """Lines of every kind the bulk calculator meets: plain periods in several courts (some
    meeting an unsettled day), other phrases, courts that count in their own way, errors."""
    kinds = [
        {"court": "caed", "when": "14 days after 2014-03-11", "service": "mail"},
        {"court": "flsd", "when": "14 days after 2018-05-31"},  # Flag Day: unsettled
        {"court": "txsd", "when": "3 weeks before 2022-11-30", "service": "consented"},
        {"court": "tax", "when": "30 days after 2024-07-08"},
        {"court": "njd", "when": "2 months after 2020-01-31"},
        {"court": "nowhere", "when": "1 day after 2020-01-01"},
        {"court": "caed", "when": "14 days after 2014-03-11", "trace": False},
    ]
    out = []
    for k in range(n):
        line = dict(kinds[k % len(kinds)])
        if k % 11 == 0:
            out.append("not json")
            continue
        if "days after 2014" in line["when"]:
            line["when"] = f"{1 + k % 90} days after 2014-03-11"
        out.append(json.dumps(line))
    return ("\n".join(out) + "\n").encode()


def _split_run(
    data: bytes, path: Path, monkeypatch: pytest.MonkeyPatch, guard: Any = None
) -> tuple[int, bytes]:
    """``run_split`` in this process, forced to split rounds of a few lines, writing to a
    file as a command writes to its standard output (the child writes its half itself)."""
    from cli import bulk

    monkeypatch.setattr(bulk, "_two_processors", lambda: True)
    monkeypatch.setattr(bulk, "_SPLIT_LINES", 4)
    monkeypatch.setattr(bulk, "_ROUND", 2000)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        code = bulk.run_split(
            io.BytesIO(data),
            lambda text: os.write(fd, text.encode("utf-8")),
            lambda: None,
            True,
            guard or entry.guard,
        )
    finally:
        os.close(fd)
    return code, path.read_bytes()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="two processes need fork")
def test_two_processes_write_the_lines_one_process_writes_in_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli import bulk

    data = _mixed_lines(300)
    alone: list[str] = []
    bulk.run(io.BytesIO(data), alone.append, trace=True)
    code, written = _split_run(data, tmp_path / "out", monkeypatch)
    assert code == 0
    assert written.decode("utf-8") == "".join(alone)
    assert written.count(b"\n") == 300  # every line answered, none twice
    assert b'"error": "line 298: ' in written  # line numbers count on across the halves


@pytest.mark.skipif(not hasattr(os, "fork"), reason="two processes need fork")
def test_when_the_second_process_fails_nothing_more_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child's error is reported by the command's own handling (``guard``) and its exit
    code is the run's; the other half is not written after a gap."""
    parent = os.getpid()

    def guard(work: Any) -> int:
        if os.getpid() != parent:
            return 3  # as if the child had met an error and reported it
        return int(work())

    code, written = _split_run(_mixed_lines(40), tmp_path / "out", monkeypatch, guard)
    assert code == 3
    assert written == b""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="two processes need fork")
def test_a_second_process_ended_by_a_signal_is_said_and_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import signal

    parent = os.getpid()

    def guard(work: Any) -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return int(work())

    code, written = _split_run(_mixed_lines(40), tmp_path / "out", monkeypatch, guard)
    assert code == 1
    assert written == b""
    assert "was ended by SIGKILL; nothing more was written" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="two processes need fork")
def test_the_waiting_half_written_as_bytes_keeps_the_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``binary``, the half that waits holds its answers encoded and writes them beneath
    the text writer (flushed first): the same bytes as one process writes, over many rounds."""
    from cli import bulk

    data = _mixed_lines(300)
    alone: list[str] = []
    bulk.run(io.BytesIO(data), alone.append, trace=True)
    monkeypatch.setattr(bulk, "_two_processors", lambda: True)
    monkeypatch.setattr(bulk, "_SPLIT_LINES", 4)
    monkeypatch.setattr(bulk, "_ROUND", 2000)
    path = tmp_path / "out"
    with open(path, "wb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        code = bulk.run_split(
            io.BytesIO(data),
            text.write,
            text.flush,
            True,
            entry.guard,
            (lambda s: s.encode("utf-8"), text.buffer.write),
        )
        text.flush()
    assert code == 0
    assert path.read_bytes().decode("utf-8") == "".join(alone)

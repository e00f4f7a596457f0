"""``docketcal rules list|show|preview`` answered by the console script's quick way
(cli/quickrules.py): the same output, errors and exit codes as the full command line (cli.main),
over the fixture rules and the installed ones, text and JSON, --jsonl, bad input and a broken
config file; the command lines it leaves to cli.main; and what it does not load."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import entry
from cli.main import app, hoist
from cli.quickrules import answer, read

EXE = str(Path(sys.executable).parent / "docketcal")
FIXTURES = Path(__file__).resolve().parents[1] / "obligations" / "rules" / "fixtures" / "good"


@pytest.fixture(autouse=True)
def rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKETCAL_RULES", str(FIXTURES))
    monkeypatch.setenv("DOCKETCAL_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DOCKETCAL_DB", raising=False)


def full(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    """The full command line (typer), as cli.main.main runs it."""
    result = CliRunner().invoke(app, hoist(args), input=stdin, prog_name="docketcal")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def quick(
    args: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None
) -> tuple[int, str, str]:
    """The quick way, in this process; it must take the command line."""
    capsys.readouterr()
    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode("utf-8")), encoding="utf-8")
    try:
        code = answer(args, entry._settings)
    finally:
        sys.stdin = old
    got = capsys.readouterr()
    assert code is not None, f"the quick way left {args} to cli.main"
    return code, got.out, got.err


def same(args: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None) -> None:
    fast = quick(args, capsys, stdin)
    assert fast == full(args, stdin)
    assert "Traceback" not in fast[2]


PREVIEWS = [
    ["rules", "preview", "fx-motion-served", "2025-01-22", "--court", "nysd", "--service", "mail"],
    ["rules", "preview", "fx-motion-served", "2025-01-22", "--court", "caed"],
    ["--format", "json", "rules", "preview", "fx-motion-served", "2025-01-22", "--court=nysd"],
    ["rules", "preview", "--court", "nysd", "fx-complaint-served", "2009-11-20", "--format=json"],
    ["rules", "preview", "fx-complaint-served", "2009-11-20", "--court", "nysd"],
    ["rules", "preview", "fx-complaint-served", "2009-11-20", "--court", "NYSD",
     "--rules-as-of", "2025-01-01", "--format", "json"],
    ["rules", "preview", "fx-trial", "2025-03-03T10:00", "--court", "nysd", "--as-of", "2020-01-01"],
    ["rules", "preview", "fx-motion-served", "2025-01-22", "--court", "nysd",
     "--party", "respondent", "--db", "sqlite:///nowhere/at/all.db"],
]  # fmt: skip

REFUSALS = [
    ["rules", "preview"],
    ["rules", "preview", "fx-trial"],
    ["rules", "preview", "fx-trial", "2025-01-02"],
    ["rules", "preview", "fx-trial", "2025-02-30", "--court", "nysd"],
    ["rules", "preview", "fx-trial", "1850-01-01", "--court", "nysd"],
    ["rules", "preview", "fx-trial", "2025-01-02", "--court", "calsuperct"],
    ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nowhere"],
    ["rules", "preview", "fx-trial", "2025-01-02", "--court", ""],
    ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd", "--service", "owl"],
    ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd", "--party", "nobody"],
    ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd", "--rules-as-of", "soon"],
    ["rules", "preview", "fx-nope", "2025-01-02", "--court", "nysd"],
    ["rules", "preview", "fx-trial", "2025-01-02", "--jsonl"],
    ["rules", "preview", "--jsonl", "--court", "nysd"],
    ["rules", "preview", "fx-trial\x1b[2J", "2025-01-02", "--court", "nysd"],
]

LISTS = [
    ["rules", "list"],
    ["rules", "list", "--court", "nysd"],
    ["rules", "list", "--court", "caed", "--format", "json"],
    ["rules", "list", "--court", "calsuperct"],
    ["rules", "list", "--court", "nowhere"],
    ["rules", "show", "fx-complaint-served"],
    ["rules", "show", "fx-motion-served", "--format", "json"],
    ["rules", "show", "fx-complaint-serve"],
    ["rules", "show", ""],
]


@pytest.mark.parametrize("args", PREVIEWS + REFUSALS + LISTS)
def test_the_quick_way_answers_as_the_full_command_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    same(args, capsys)


@pytest.mark.parametrize(
    "args",
    [
        ["rules", "list", "--court", "nysd", "--format", "json"],
        ["rules", "show", "frcp-judgment-entered"],
        ["rules", "preview", "frcp-judgment-entered", "2025-06-13", "--court", "nysd"],
        ["rules", "preview", "frcp-judgment-entered", "2025-06-13", "--court", "caed",
         "--service", "mail", "--format", "json"],
        ["rules", "preview", "frcp-complaint-served", "2025-01-22", "--court", "nysd"],
        ["rules", "preview", "nysd-motion-served", "2025-11-21", "--court", "nyed",
         "--format", "json"],
    ],
)  # fmt: skip
def test_the_installed_rules_read_the_same_both_ways(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DOCKETCAL_RULES")
    same(args, capsys)


def test_preview_jsonl_is_the_same_both_ways(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        {"court": "nysd", "date": "2025-01-22", "trigger": "fx-motion-served", "service": "mail"},
        {"court": "nysd", "date": "2025-01-22"},
        {"court": "nysd", "date": "2025-13-01", "trigger": "fx-trial"},
        {"court": "nowhere", "date": "2025-01-22"},
        {"court": "nysd", "date": "2025-01-22", "colour": "red"},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n\n"
    same(["rules", "preview", "--jsonl"], capsys, stdin)
    same(["rules", "preview", "--jsonl", "--format", "json"], capsys, stdin)


def test_a_broken_config_file_is_refused_as_by_every_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("db = [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("DOCKETCAL_CONFIG", str(bad))
    args = ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd"]
    same(args, capsys)
    assert quick(args, capsys)[0] == 2
    same([*args, "--db", "sqlite:///x.db"], capsys)  # a --db flag: the file is not read


def test_bad_rule_files_are_reported_the_same_both_ways(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "rules"
    bad.mkdir()
    text = (FIXTURES / "fixture-civil.toml").read_text(encoding="utf-8")
    (bad / "fixture-civil.toml").write_text(
        text.replace('"21 days after trigger"', '"21 dayz after trigger"'), encoding="utf-8"
    )
    monkeypatch.setenv("DOCKETCAL_RULES", str(bad))
    for args in (
        ["rules", "list"],
        ["rules", "show", "fx-trial"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd"],
    ):
        same(args, capsys)
        assert quick(args, capsys)[0] == 2


@pytest.mark.parametrize(
    "args",
    [
        ["rules"],
        ["rules", "--help"],
        ["rules", "preview", "--help"],
        ["--help", "rules", "list"],
        ["rules", "apply", "acme", "fx-trial", "2025-01-02"],
        ["rules", "changes"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd", "--court", "caed"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "--service", "mail"],
        ["rules", "preview", "fx-trial", "2025-01-02", "extra", "--court", "nysd"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd", "--colour", "red"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd", "--jsonl=yes"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd", "-x"],
        ["rules", "preview", "--", "fx-trial", "2025-01-02", "--court", "nysd"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd", "--format", "yaml"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd", "--format"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd\x00"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "\udcff"],
        ["rules", "list", "fx-trial"],
        ["rules", "show"],
        ["rules", "show", "fx-trial", "fx-trial"],
        ["rules", "show", "fx-trial", "--court", "nysd"],
        ["--format", "json", "--format", "table", "rules", "list"],
        ["--install-completion", "rules", "list"],
        ["compute", "21 days after 2025-01-22", "--court", "nysd", "--service", "rules"],
        ["order", "show", "rules"],
    ],
)
def test_every_other_command_line_is_left_to_the_full_parser(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert read(args) is None
    assert answer(args, entry._settings) is None
    assert capsys.readouterr() == ("", "")


def test_what_the_quick_way_reads() -> None:
    call = read(
        ["rules", "preview", "t", "--format", "json", "2025-01-02", "--court=nysd", "--jsonl"]
    )
    assert call is not None
    assert (call.command, call.arguments, call.options, call.flags, call.form, call.db) == (
        "preview",
        ["t", "2025-01-02"],
        {"--court": "nysd"},
        {"--jsonl"},
        "json",
        None,
    )
    call = read(["--db=x.db", "rules", "list", "--court", "-"])
    assert call is not None and call.db == "x.db" and call.options == {"--court": "-"}


def _process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
    )


def test_the_console_script_answers_as_the_full_command_line_without_loading_it() -> None:
    args = ["rules", "preview", "fx-motion-served", "2025-01-22", "--court", "nysd"]
    for extra in ([], ["--format", "json", "--service", "mail"], ["--service", "owl"]):
        fast = _process(*args, *extra)
        assert (fast.returncode, fast.stdout, fast.stderr) == full([*args, *extra])
    probe = (
        "import sys; from cli import entry; sys.argv = ['docketcal', *sys.argv[1:]]\n"
        "try:\n    entry.main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules}"
        " & {'typer', 'click', 'rich', 'sqlalchemy', 'sqlmodel', 'jinja2'})\n"
        "print(code, loaded, file=sys.stderr)\n"
    )
    for extra in (["--format", "json"], ["--service", "owl"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args, *extra],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.stderr.splitlines()[-1] in ("0 []", "2 []"), done.stderr


# -- fuzzing: any command line is either left to cli.main or answered as cli.main answers it ---

_WORDS = [
    "rules", "preview", "list", "show", "apply", "fx-trial", "fx-motion-served", "fx-nope",
    "2025-01-02", "2025-02-30", "2025-01-02T10:00", "1850-01-01", "nysd", "caed", "calsuperct",
    "nowhere", "mail", "owl", "respondent", "json", "table", "yaml", "", "-", "--", "-x",
    "--court", "--court=nysd", "--court=", "--service", "--service=mail", "--party",
    "--rules-as-of", "--rules-as-of=2025-01-01", "--jsonl", "--jsonl=1", "--help", "--format",
    "--format=json", "--format=yaml", "--db", "--db=x.db", "--as-of", "--as-of=2025-01-01",
    "\x1b[2J", "a\x00b",
]  # fmt: skip


@pytest.mark.fuzz
def test_fuzz_any_command_line_is_answered_as_the_full_command_line_answers_it() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    head = st.sampled_from([["rules", "preview"], ["rules", "list"], ["rules", "show"], []])

    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(head, st.lists(st.sampled_from(_WORDS), max_size=7))
    def check(front: list[str], words: list[str]) -> None:
        args = [*front, *words]
        if read(args) is None:
            return
        out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8") for _ in range(2))
        old = sys.stdin, sys.stdout, sys.stderr
        sys.stdin = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8")
        sys.stdout, sys.stderr = out, err
        try:
            code = answer(args, entry._settings)
        finally:
            sys.stdin, sys.stdout, sys.stderr = old
        out.flush()
        err.flush()
        got = (code, *(s.buffer.getvalue().decode("utf-8") for s in (out, err)))  # type: ignore[attr-defined]
        assert got == full(args, ""), args

    check()

"""Fuzzing every command's arguments: random argument vectors and values, run in this process
against a real SQLite docket holding the example orders, a person and an assignment.

Whatever the input: no traceback (the exit code is never 1, nothing escapes the command's one
handler) and a refusal (exit 2) writes nothing (the database file's bytes are unchanged).
``make test`` runs each test with hypothesis's default budget; ``make fuzz`` with 20,000
examples each (tests/conftest.py, the "fuzz" profile; bench/README.md says how long).

Not here: ``compute`` and the contents of order files (their own fuzz tests), ``serve`` and
``demo`` (long-running, and a fresh docket of their own).
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from calendars.data import data_path
from cli.main import app, hoist

runner = CliRunner()
ORDERS = [str(p) for p in sorted(data_path("orders").glob("*.toml"))]
CASE = "caed-2013-11-12"

DATES = [
    "2013-11-26", "2013-12-03", "2014-01-06T10:00", "0001-01-01", "9999-12-31", "1899-12-31",
    "1900-01-01", "2200-12-31", "2201-01-01", "2013-02-30", "2013-13-01", "20131126",
    "2013-11-26T25:00", "2013-11-26T10:00+05:00", "2013-11-26 10:00", "-2013-01-01", "today",
]  # fmt: skip
WINDOWS = ["14d", "2w", "0", "-5d", "99999999d", "366000d", "1e9", "d", "w", "3x", "  7d "]
NUMBERS = ["1", "0", "-1", "500", "99999999999999999999999", "1.5", "nan", ""]
REFS = [
    "bates-stamp", "produce-documents", "return-documents", "confer", "joint-letter",
    f"{CASE}/{CASE}/bates-stamp", "caed-2013-11-12/bates-stamp", "/", "//", "%", "_", "*",
    "a" * 600, "no-such-duty", "respond-to-each-set#1", "Bates-Stamp",
]  # fmt: skip
NAMES = [
    "hearing", "Hearing", " hearing ", "discovery-propounded", "DISCOVERY-PROPOUNDED",
    "documents-returned", "", " ", "x" * 1000, "héaring", "a b", "_x", "9",
]  # fmt: skip
ODD = [
    "", " ", "\x00", "\r\n", "\x1b[31m", "\x1b[2J", "\ud800", "\udcff", "\u2028", "'", '"',
    "%s", "{0}", "$(id)", "; DROP TABLE person; --", "é", "🙂", "\t", "\x7f", "\x85",
    "mysql://x@h/x", "sqlite:///", "-", "--", "--help",
]  # fmt: skip
EMAILS = [
    "ada@firm.example", "ben@firm.example", "eve@firm.example\r\nbcc: x@evil.example",
    "Eve <eve@firm.example>", "eve", "eve@", "@x", "a@b,c@d", "ADA@FIRM.EXAMPLE",
]  # fmt: skip
SCOPES = [
    f"case:{CASE}", f"party:{CASE}:plaintiff", "person:ada@firm.example", "firm", "case:",
    "case:nope", "party::", "person:", "bogus", "case:" + "x" * 600,
]  # fmt: skip


def values(*pools: list[str]) -> st.SearchStrategy[str]:
    """A value from the pools (the edges that matter), or any short text at all."""
    known = [v for pool in pools for v in pool]
    return st.one_of(st.sampled_from(known), st.text(max_size=40))


def option(name: str, value: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), value.map(lambda v: [name, v]))


def flag(name: str) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([[], [name]])


def command(*parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    return st.tuples(*parts).map(lambda ps: [a for p in ps for a in p])


def fixed(*words: str) -> st.SearchStrategy[list[str]]:
    return st.just(list(words))


def arg(value: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return value.map(lambda v: [v])


DATE = values(DATES, ODD)
REF = values(REFS, ODD)
TEXT = values(ODD, ["set by minute order", "x" * 20_000])
CASES = values([CASE, "njd-2013-07-02", "nope", "CAED-2013-11-12", " caed-2013-11-12 "], ODD)

COMMANDS: dict[str, st.SearchStrategy[list[str]]] = {
    "upcoming": command(
        fixed("upcoming"),
        option("--within", values(WINDOWS, NUMBERS, ODD)),
        option("--case", CASES),
        option("--party", values(["plaintiff", "defendant", "both"], ODD)),
        option("--person", values(EMAILS, ODD)),
        option("--state", values(["overdue", "open", "waiting", "done", "later"], ODD)),
        flag("--overdue"),
        flag("--include-waiting"),
        option("--by", values(["person", "case"], ODD)),
        option("--limit", values(NUMBERS)),
    ),
    "agenda": command(
        fixed("agenda"),
        option("--within", values(WINDOWS, NUMBERS, ODD)),
        option("--limit", values(NUMBERS)),
    ),
    "explain": command(fixed("explain"), arg(REF)),
    "history": command(fixed("history"), arg(REF), option("--case", CASES)),
    "done": command(fixed("done"), arg(REF), option("--on", DATE), option("--note", TEXT)),
    "extend": command(
        fixed("extend"),
        arg(REF),
        st.sampled_from(["--to", "--by"]).flatmap(
            lambda o: (
                DATE
                if o == "--to"
                else values(
                    [
                        "14 days",
                        "2 court days",
                        "10000 years",
                        "99999999999 days",
                        "-3 days",
                        "0 days",
                        "1 month",
                        "72 hours",
                        "14 days after order",
                        "7 days with service by mail",
                    ],
                    ODD,
                )
            ).map(lambda v: [o, v])
        ),
        option("--reason", TEXT),
    ),
    "vacate": command(fixed("vacate"), arg(REF), option("--reason", TEXT), flag("--undo")),
    "event": command(
        fixed("event", "record"),
        arg(CASES),
        arg(values(NAMES, ODD)),
        arg(DATE),
        option("--note", TEXT),
        option("--occurrence", TEXT),
        flag("--for-later-order"),
    ),
    "closure": command(
        fixed("closure", "add"),
        arg(DATE),
        option("--court", values(["caed", "njd", "CAED", "nope", "ca9"], ODD)),
        option("--reason", TEXT),
        option("--source", TEXT),
    ),
    "person": st.one_of(
        command(
            fixed("person", "add"),
            option("--name", values(["Ada Lovelace"], ODD)),
            option("--email", values(EMAILS, ODD)),
            option("--role", values(["attorney", "clerk", "paralegal", "judge"], ODD)),
        ),
        fixed("person", "list"),
        command(fixed("person", "password"), arg(values(EMAILS, ODD))),
    ),
    "assign": command(
        fixed("assign"),
        arg(values(EMAILS, ODD)),
        arg(CASES),
        option("--party", values(["plaintiff", "defendant"], ODD)),
        option("--obligation", REF),
    ),
    "order": st.one_of(
        command(fixed("order", "list"), option("--case", CASES)),
        command(fixed("order", "show"), arg(values([f"{CASE}/{CASE}", CASE, "nope/nope"], ODD))),
        command(fixed("order", "load"), arg(values(["/nonexistent.toml", "."], ODD))),
    ),
    "feed": st.one_of(
        command(fixed("feed", "show"), arg(values(SCOPES, ODD))),
        fixed("feed", "token", "list"),
        command(fixed("feed", "token", "create"), option("--scope", values(SCOPES, ODD))),
        command(fixed("feed", "token", "revoke"), arg(values(["1", "999", "-1"], ODD))),
    ),
    "remind": command(
        fixed("remind"),
        st.sampled_from([["--dry-run"], ["--status"], []]),
        option("--person", values(EMAILS, ODD)),
        option("--lease", values(["15m", "900s", "1h", "99999999999h", "-1m"], ODD)),
        option("--limit", values(NUMBERS)),
        option("--prune-before", DATE),
    ),
    "config": fixed("config"),
}

GLOBAL = command(
    option("--as-of", values(DATES, ODD)),
    st.sampled_from([[], ["--format", "json"], ["--format", "table"], ["--format", "xml"]]),
)


@pytest.fixture(scope="module")
def docket() -> Iterator[Path]:
    """One docket for every example of a test: the example orders, Ada, her assignment."""
    with tempfile.TemporaryDirectory(prefix="docketcal-fuzz-") as folder:
        db = Path(folder) / "docket.db"
        for args in (
            ["order", "load", *ORDERS],
            ["person", "add", "--name", "Ada Clerk", "--email", "ada@firm.example"],
            ["assign", "ada@firm.example", CASE],
            ["done", "return-documents", "--on", "2013-11-23"],
        ):
            result = runner.invoke(app, hoist([*args, "--db", str(db)]), env=_env(Path(folder)))
            assert result.exit_code == 0, result.stderr
        yield db


def _env(folder: Path) -> dict[str, str]:
    return {
        "DOCKETCAL_CONFIG": str(folder / "none.toml"),
        "DOCKETCAL_USER": "fuzz",
        "NO_COLOR": "1",
        "DOCKETCAL_DEBUG": "",
        "DOCKETCAL_FEED_SECRET": "",
        "DOCKETCAL_SMTP_HOST": "",
    }


def digest(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(db.read_bytes()).hexdigest()


def check(db: Path, argv: list[str]) -> None:
    before = digest(db)
    result = runner.invoke(app, hoist([*argv, "--db", str(db)]), env=_env(db.parent))
    err = result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        argv,
        repr(result.exception),
    )
    assert result.exit_code != 1, (argv, err[-2000:])
    assert "Traceback" not in err and "Traceback" not in result.stdout, (argv, err[-2000:])
    if result.exit_code == 2:
        assert digest(db) == before, (argv, "refused, yet the docket changed", err[-500:])


@pytest.mark.fuzz
@settings(
    deadline=None,  # a write recomputes a case: its time varies with the machine, not the input
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzz_every_command(docket: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(COMMANDS)), label="command")
    argv = data.draw(GLOBAL, label="global") + data.draw(COMMANDS[name], label=name)
    check(docket, argv)


@pytest.mark.fuzz
@settings(
    deadline=None,  # a write recomputes a case: its time varies with the machine, not the input
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=st.lists(values(DATES, WINDOWS, REFS, NAMES, ODD, EMAILS, SCOPES), max_size=6))
def test_fuzz_arbitrary_argument_vectors(docket: Path, argv: list[str]) -> None:
    """Words in any order, commands or not."""
    check(docket, argv)


@pytest.mark.fuzz
@settings(
    deadline=None,  # a write recomputes a case: its time varies with the machine, not the input
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    where=st.sampled_from(["folder", "text", "mysql", "pg-down", "nested", "url-odd"]),
    args=st.sampled_from([["upcoming"], ["done", "x"], ["init"], ["order", "list"], ["remind", "--status"]]),
)  # fmt: skip
def test_fuzz_database_locations(
    tmp_path_factory: pytest.TempPathFactory, where: str, args: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("where")
    text = folder / "notes.txt"
    text.write_text("not a database\n" * 20)
    db = {
        "folder": str(folder),
        "text": str(text),
        "mysql": "mysql://x@127.0.0.1/x",
        "pg-down": "postgresql+psycopg://nobody@127.0.0.1:9/x",
        "nested": str(text / "docket.db"),
        "url-odd": "sqlite://relative\x00.db",
    }[where]
    result = runner.invoke(app, hoist([*args, "--db", db]), env=_env(folder))
    assert result.exit_code == 2, (where, args, result.exit_code, result.stderr[-500:])
    assert text.read_text() == "not a database\n" * 20

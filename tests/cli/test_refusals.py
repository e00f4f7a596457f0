"""Odd and hostile input on the command line: every case ends with a message naming the input and
exit 2 (or 75 for a busy database), never a traceback, and writes nothing.

The docket is a real SQLite file; "writes nothing" is checked on the file's bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from calendars.data import data_path
from cli.main import app, hoist

runner = CliRunner()
ORDERS = data_path("orders")
CAED = str(ORDERS / "caed-2013-11-12.toml")
NJD = str(ORDERS / "njd-2013-07-02.toml")
CASE = "caed-2013-11-12"
NJ_CASE = "njd-2013-07-02"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "docket.db"


@pytest.fixture
def run(db: Path, tmp_path: Path) -> Run:
    """``run(*args)``: the command on the docket, in this process; exit code, stdout, stderr.
    An exception that escapes the command's own handler fails the test."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        argv = hoist([*args]) if "--db" in args else hoist([*args, "--db", str(db)])
        result = runner.invoke(
            app,
            argv,
            env={
                "DOCKETCAL_USER": "ada",
                "NO_COLOR": "1",
                "DOCKETCAL_CONFIG": str(tmp_path / "none.toml"),
                **(env or {}),
            },
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return invoke


@pytest.fixture
def loaded(run: Run) -> Run:
    code, _, err = run("order", "load", CAED, NJD)
    assert code == 0, err
    code, _, err = run("person", "add", "--name", "Ada Clerk", "--email", "ada@firm.example")
    assert code == 0, err
    code, _, err = run("assign", "ada@firm.example", CASE)
    assert code == 0, err
    return run


def digest(path: Path) -> str:
    """The docket's bytes, the write-ahead log folded in first (read by sqlite3 itself)."""
    if path.exists():
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return hashlib.sha256(path.read_bytes()).hexdigest()
    return ""


def refused(run: Run, db: Path, *args: str, code: int = 2, names: str | None = None) -> str:
    before = digest(db)
    got, out, err = run(*args)
    assert got == code, (args, got, out, err)
    assert "Traceback" not in err, err
    # refused by docketcal, or by the argument parser (a usage error, also exit 2)
    assert err.startswith("docketcal: ") or (code == 2 and "\nError: " in err), err
    if names is not None:
        assert names in err, err
    assert len(err) < 2000, err[:300]
    assert digest(db) == before, f"{args} wrote to the docket"
    return err


# -- never a traceback: dates at the edges ---------------------------------------------------------

EDGES = [
    (("--as-of", "9999-12-31", "upcoming"), "9999-12-31"),
    (("--as-of", "0001-01-01", "upcoming"), "0001-01-01"),
    (("--as-of", "2200-12-31", "upcoming", "--within", "30d"), "2200-12-31"),
    (("upcoming", "--within", "99999999d"), "99999999d"),
    (("upcoming", "--within", "-5d"), "-5d"),
    (("agenda", "--within", "99999999d"), "99999999d"),
    (("agenda", "--limit", "99999999999999999999999"), "99999999999999999999999"),
    (("upcoming", "--limit", "99999999999999999999999"), "99999999999999999999999"),
    (("--as-of", "9999-12-31", "explain", "bates-stamp"), "9999-12-31"),
    (("extend", "produce-documents", "--to", "0001-01-01", "--reason", "x"), "0001-01-01"),
    (("extend", "produce-documents", "--to", "9999-12-31", "--reason", "x"), "9999-12-31"),
    (("extend", "produce-documents", "--by", "10000 years", "--reason", "x"), "10000 years"),
    (("extend", "produce-documents", "--by", "99999999999 days", "--reason", "x"), "99999999999"),
    (("event", "record", CASE, "discovery-propounded", "9999-12-25"), "9999-12-25"),
    (("event", "record", CASE, "discovery-propounded", "0001-01-01T10:00"), "0001-01-01"),
    (("done", "return-documents", "--on", "0001-01-01"), "0001-01-01"),
    (("done", "return-documents", "--on", "9999-12-31"), "9999-12-31"),
    (("--as-of", "9999-12-31", "done", "return-documents"), "9999-12-31"),
    (("closure", "add", "9999-01-04", "--court", "caed", "--reason", "x"), "9999-01-04"),
    (("closure", "add", "0001-01-01", "--court", "caed", "--reason", "x"), "0001-01-01"),
    (("--as-of", "0001-01-01", "remind", "--dry-run"), "0001-01-01"),
    (("--as-of", "9999-12-31", "remind", "--dry-run"), "9999-12-31"),
    (("--as-of", "0001-01-01", "feed", "show", f"case:{CASE}"), "0001-01-01"),
    (("--as-of", "9999-12-31", "feed", "show", f"case:{CASE}"), "9999-12-31"),
    (("--as-of", "2013-02-30", "upcoming"), "2013-02-30"),
]


@pytest.mark.parametrize(("args", "names"), EDGES, ids=[" ".join(a) for a, _ in EDGES])
def test_dates_outside_the_supported_years_are_refused(
    loaded: Run, db: Path, args: tuple[str, ...], names: str
) -> None:
    err = refused(loaded, db, *args, names=names)
    assert "\n" not in err.strip() or "Traceback" not in err


def test_the_supported_years_are_the_documented_ones(loaded: Run, db: Path) -> None:
    err = refused(loaded, db, "done", "return-documents", "--on", "1899-12-31")
    assert "1900 to 2200" in err
    assert loaded("--as-of", "2200-01-01", "upcoming", "--within", "14d")[0] in (0, 3)
    assert loaded("--as-of", "1900-01-02", "upcoming")[0] in (0, 3)


# -- never a traceback: the database ---------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [("upcoming",), ("done", "x"), ("init",), ("order", "list"), ("explain", "x")]
)
def test_db_naming_a_folder_is_refused(run: Run, tmp_path: Path, args: tuple[str, ...]) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    err = refused(run, tmp_path / "none.db", "--db", str(folder), *args, names=str(folder))
    assert "folder" in err or "directory" in err


@pytest.mark.parametrize(
    "args",
    [("upcoming",), ("done", "x"), ("init",), ("order", "load", CAED), ("remind", "--dry-run")],
)
def test_db_naming_a_file_that_is_not_a_database_is_refused(
    run: Run, tmp_path: Path, args: tuple[str, ...]
) -> None:
    text = tmp_path / "notes.db"
    text.write_text("these are my notes, not a database\n" * 50)
    before = text.read_bytes()
    refused(run, tmp_path / "none.db", "--db", str(text), *args, names=str(text))
    assert text.read_bytes() == before


@pytest.mark.parametrize("args", [("upcoming",), ("done", "x"), ("init",), ("order", "list")])
def test_db_naming_an_unreachable_server_is_refused(
    run: Run, tmp_path: Path, args: tuple[str, ...]
) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/docket"
    err = refused(run, tmp_path / "none.db", "--db", url, *args, names="127.0.0.1:9")
    assert "cannot connect" in err or "cannot reach" in err


@pytest.mark.parametrize(
    "url", ["mysql://x@127.0.0.1/x", "oracle://x@h/x", "mssql+pyodbc://h/x", "http://example/x"]
)
def test_db_urls_other_than_sqlite_and_postgresql_are_refused(
    run: Run, tmp_path: Path, url: str
) -> None:
    for args in (("upcoming",), ("init",), ("done", "x")):
        err = refused(run, tmp_path / "none.db", "--db", url, *args, names=url.split("://")[0])
        assert "SQLite" in err and "PostgreSQL" in err


def test_a_reference_of_50000_characters_is_refused(loaded: Run, db: Path) -> None:
    ref = "a" * 50_000
    for args in (
        ("explain", ref),
        ("done", ref),
        ("history", ref),
        ("vacate", ref, "--reason", "x"),
    ):
        err = refused(loaded, db, *args, names="aaaa")
        assert len(err) < 400


def test_init_on_a_busy_database_exits_75_saying_nothing_was_written(
    loaded: Run, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import obligations.store.db as store_db

    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 20)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        code, _, err = loaded("init")
        code2, _, err2 = loaded("done", "return-documents", "--on", "2013-11-26")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (code, code2) == (75, 75), (err, err2)
    for message in (err, err2):
        assert "busy" in message and "nothing was written" in message and "try again" in message


# -- the one handler -------------------------------------------------------------------------------


def test_an_unexpected_error_is_one_line_with_exit_1_and_a_traceback_only_when_asked(
    tmp_path: Path,
) -> None:
    """A defect (here: the data folder made unreadable) ends in exit 1 and a short message;
    DOCKETCAL_DEBUG=1 shows the traceback."""
    exe = Path(sys.executable).parent / "docketcal"
    bad = tmp_path / "data"
    bad.mkdir()
    (bad / "federal-courts.toml").write_text("not = [toml\n")
    env = {**os.environ, "DOCKETCAL_DATA": str(bad), "DOCKETCAL_CONFIG": str(tmp_path / "n")}
    env.pop("DOCKETCAL_DEBUG", None)
    args = [str(exe), "compute", "14 days after 2013-11-12", "--court", "caed"]
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.startswith("docketcal: unexpected error") and "DOCKETCAL_DEBUG" in done.stderr
    )
    assert done.stderr.count("\n") <= 3
    env["DOCKETCAL_DEBUG"] = "1"
    debug = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_messages_never_carry_raw_control_characters(loaded: Run, db: Path) -> None:
    err = refused(loaded, db, "explain", "bad\x1b[31mref\r\nX", code=2)
    assert "\x1b" not in err and "\r" not in err and err.count("\n") == 1


# -- JSON of refused input stays off stdout ---------------------------------------------------------


def test_a_refusal_in_json_mode_prints_nothing_on_stdout(loaded: Run) -> None:
    code, out, _ = loaded("--format", "json", "done", "return-documents", "--on", "0001-01-01")
    assert code == 2 and out == ""
    code, out, _ = loaded("--format", "json", "upcoming", "--within", "14d")
    assert code in (0, 3)
    json.loads(out or "[]")

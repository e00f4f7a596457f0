"""Copies kept between runs (cli/kept.py): the same values as made afresh; made again when a
source changes, when the copy is damaged or cannot be written; never kept when making fails;
and the core's data read through them (calendars.data.set_keeper) is what it reads without."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from calendars import holidays
from calendars.courts import DATA_FILES
from calendars.data import data_path, kept, read_toml, set_keeper
from cli.kept import folder, keep, keeping

EXE = str(Path(sys.executable).parent / "docketcal")


@pytest.fixture(autouse=True)
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DOCKETCAL_KEEP", raising=False)
    return tmp_path


def test_a_copy_is_used_until_a_source_changes(tmp_path: Path) -> None:
    source = tmp_path / "source.txt"
    source.write_text("one", encoding="utf-8")
    made: list[str] = []

    def make() -> str:
        made.append(source.read_text(encoding="utf-8"))
        return made[-1]

    assert keep("thing", lambda: [source], make) == "one"
    assert keep("thing", lambda: [source], make) == "one"
    assert made == ["one"]
    source.write_text("three", encoding="utf-8")
    os.utime(source, ns=(1, 1))
    assert keep("thing", lambda: [source], make) == "three"
    assert made == ["one", "three"]
    (copy,) = folder().glob("thing-*.pickle")
    copy.write_bytes(b"not a pickle")
    assert keep("thing", lambda: [source], make) == "three"
    assert len(made) == 3
    assert keep("another", lambda: [source], make) == "three"  # its own copy
    assert len(made) == 4


def test_what_fails_is_never_kept_and_a_missing_source_keeps_nothing(tmp_path: Path) -> None:
    calls: list[int] = []

    def broken() -> str:
        calls.append(1)
        raise ValueError("a mistake")

    for _ in range(2):
        with pytest.raises(ValueError):
            keep("broken", lambda: [tmp_path], broken)
    assert len(calls) == 2
    assert keep("gone", lambda: [tmp_path / "nowhere"], lambda: 7) == 7
    assert not list(folder().glob("gone-*.pickle"))


def test_nothing_is_kept_when_told_not_to_or_when_the_folder_cannot_be_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKETCAL_KEEP", "0")
    assert keep("x", lambda: [tmp_path], lambda: 1) == 1
    assert not folder().exists()
    monkeypatch.delenv("DOCKETCAL_KEEP")
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert keep("x", lambda: [tmp_path], lambda: 2) == 2


def test_the_core_keeps_nothing_without_a_keeper() -> None:
    assert kept("x", lambda: [], lambda: 3) == 3
    with keeping():
        assert kept("x", lambda: [], lambda: 4) == 4
        assert kept("x", lambda: [], lambda: 5) == 4  # no source changed
    assert kept("x", lambda: [], lambda: 6) == 6
    assert set_keeper(None) is None


@pytest.mark.parametrize("year", [2009, 2021, 2024, 2025, 2026, 2027])
def test_federal_holidays_and_data_files_read_through_the_keeper_are_the_same(year: int) -> None:
    fresh = holidays._federal_holidays(year)
    with keeping():
        first = holidays.kept("federal holidays", holidays._federal_sources, lambda: fresh)
        again = holidays.kept("federal holidays", holidays._federal_sources, lambda: ())
    assert first == again == fresh
    sources = holidays._federal_sources()
    assert any(p.name == "united_states.py" for p in sources) and all(p.exists() for p in sources)
    for name in DATA_FILES:
        with open(data_path(name), "rb") as f:
            parsed = tomllib.load(f)
        with keeping():
            assert read_toml(data_path(name)) == parsed  # made and kept
            assert read_toml(data_path(name)) == parsed  # the kept copy


def test_the_console_script_answers_the_same_from_its_kept_copies(tmp_path: Path) -> None:
    args = ["rules", "preview", "frcp-judgment-entered", "2025-06-13", "--court", "nysd"]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("DOCKETCAL_RULES", None)
    runs = [
        subprocess.run(
            [EXE, *args, *extra], capture_output=True, text=True, env=env, check=False, timeout=120
        )
        for extra in ([], [], ["--format", "json"], ["--format", "json"])
    ]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout and runs[2].stdout == runs[3].stdout
    assert list((tmp_path / "cache" / "docketcal").glob("federal-*.pickle"))
    assert list((tmp_path / "cache" / "docketcal").glob("toml-*.pickle"))
    fresh = subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        env={**env, "DOCKETCAL_KEEP": "0", "DOCKETCAL_RULES_CACHE": "0"},
        check=False,
        timeout=120,
    )
    assert fresh.stdout == runs[1].stdout


def test_the_data_folder_is_the_one_importlib_resources_names() -> None:
    from importlib.resources import files

    from calendars.data import PACKAGE, _installed

    assert _installed() == files(PACKAGE)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_copy_others_could_change_is_made_again(tmp_path: Path) -> None:
    source = tmp_path / "source.txt"
    source.write_text("one", encoding="utf-8")
    made: list[str] = []

    def make() -> str:
        made.append("made")
        return "value"

    keep("shared", lambda: [source], make)
    (copy,) = folder().glob("shared-*.pickle")
    assert folder().stat().st_mode & 0o077 == 0
    copy.chmod(0o666)
    keep("shared", lambda: [source], make)
    assert made == ["made", "made"]


def test_a_books_years_are_kept_until_a_source_changes(tmp_path: Path) -> None:
    from datetime import date

    from calendars.days import DayBook
    from calendars.holidays import FEDERAL, Holiday

    source = tmp_path / "days.toml"
    source.write_text("one", encoding="utf-8")
    made: list[int] = []

    def days(year: int) -> list[Holiday]:
        made.append(year)
        name = source.read_text(encoding="utf-8")
        return [Holiday(date(year, 7, 6), name, FEDERAL, "a source")]

    def book() -> DayBook:
        b = DayBook(days)
        b.keep_years("book test", lambda: [source])
        b.keep_years("book test", lambda: [source])  # once per book
        return b

    with keeping():
        assert [h.name for h in book().year(2020)] == ["one"]
        assert [h.name for h in book().year(2020)] == ["one"]  # the kept copy
        assert made == [2020]
        assert book().marked(2021) == [date(2021, 7, 6)]
        assert made == [2020, 2021]
        source.write_text("two", encoding="utf-8")
        os.utime(source, ns=(2, 2))
        assert [h.name for h in book().year(2020)] == ["two"]  # stale: made again
        assert made == [2020, 2021, 2020]
    assert [h.name for h in book().year(2020)] == ["two"]  # no keeper: made every time
    assert made == [2020, 2021, 2020, 2020]


def test_compute_jsonl_keeps_the_courts_holidays_and_answers_alike(tmp_path: Path) -> None:
    lines = b"".join(
        b'{"court": "%s", "when": "%s", "service": "mail"}\n' % (court, when)
        for court in (b"ilnd", b"txsd", b"dcd")
        for when in (b"30 days after 2019-12-20", b"14 days before 2021-01-25")
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = subprocess.run([EXE, "compute", "--jsonl"], input=lines, capture_output=True, env=env)
    assert first.returncode == 0, first.stderr
    assert list((tmp_path / "cache").rglob("book-*.pickle"))
    again = subprocess.run([EXE, "compute", "--jsonl"], input=lines, capture_output=True, env=env)
    fresh = subprocess.run(
        [EXE, "compute", "--jsonl"],
        input=lines,
        capture_output=True,
        env={**env, "DOCKETCAL_KEEP": "0"},
    )
    assert again.stdout == first.stdout == fresh.stdout


def test_a_steady_run_looks_at_each_source_once(tmp_path: Path) -> None:
    source = tmp_path / "source.txt"
    source.write_text("one", encoding="utf-8")
    made: list[str] = []

    def make() -> str:
        made.append(source.read_text(encoding="utf-8"))
        return made[-1]

    with keeping(steady=True):
        assert keep("steady", lambda: [source], make) == "one"
        source.write_text("two", encoding="utf-8")
        os.utime(source, ns=(3, 3))
        assert keep("steady", lambda: [source], make) == "one"  # as the run found the file
    assert keep("steady", lambda: [source], make) == "two"  # the next run sees the change
    assert made == ["one", "two"]
    with keeping():  # not steady: each copy looks again
        source.write_text("three", encoding="utf-8")
        os.utime(source, ns=(4, 4))
        assert keep("steady", lambda: [source], make) == "three"


def test_a_courts_kept_holidays_are_made_of_its_files() -> None:
    """A change to any file a court's holiday years are made of makes them again: the federal
    list, the court lists, the state's file and its folder, and the code."""
    from calendars import get_court, get_ruleset
    from calendars.fast import _book_sources

    court = get_court("txsd")
    sources = _book_sources(get_ruleset(court.ruleset), court)()
    for path in (
        data_path("federal-holidays.toml"),
        data_path("holidays"),
        data_path("holidays", "tx.toml"),
        *(data_path(name) for name in DATA_FILES),
    ):
        assert path in sources
    names = {Path(p).name for p in sources}
    assert {"federal.py", "days.py", "holidays.py", "base.py"} <= names

"""The fast read path agrees with the store: its schema head, references, short references."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from obligations.store import db, read


def test_the_reader_knows_the_newest_migration() -> None:
    assert read.HEAD == db.HEAD
    versions = Path(db.__file__).parent / "migrations" / "versions"
    assert sorted(p.name[:4] for p in versions.glob("0*.py"))[-1] == db.HEAD


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("read") / "demo.db"
    assert CliRunner().invoke(app, ["demo", "--keep", str(path)]).exit_code == 0
    return f"sqlite:///{path}"


def test_references_resolve_by_any_unique_suffix(demo: str) -> None:
    with read.reader(demo) as r:
        full = "caed-2013-11-12/caed-2013-11-12/bates-stamp"
        assert r.resolve("bates-stamp") == full
        assert r.resolve("caed-2013-11-12/bates-stamp") == full
        assert r.resolve(full) == full
        with pytest.raises(read.UnknownRef, match="did you mean bates-stamp"):
            r.resolve("bates-stamps")
        with pytest.raises(read.UnknownRef):
            r.resolve("stamp")  # a suffix is made of whole segments


def test_short_references_are_the_shortest_unique_suffix(demo: str) -> None:
    with read.reader(demo) as r:
        refs = [row[0] for row in r.query("SELECT ref FROM obligation ORDER BY ref")]
        short = r.short_refs(refs)
        for ref, s in short.items():
            assert ref.endswith(s) and r.resolve(s) == ref
        assert short["caed-2013-11-12/caed-2013-11-12/bates-stamp"] == "bates-stamp"


def test_the_reader_never_writes(demo: str) -> None:
    with read.reader(demo) as r, pytest.raises(Exception, match=r"readonly|read-only"):
        r.query("DELETE FROM obligation")

"""Every order of the corpus (tests/obligations/draft/corpus/) drafts into a file that loads as
drafted: `order check` accepts it with no edit. How well the drafts agree with the hand-written
files is measured by bench/drafting.py, not asserted here."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from calendars.errors import BadInput
from cli.main import app
from obligations.draft import draft_order

CORPUS = Path(__file__).resolve().parent / "corpus"
ORDERS = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
runner = CliRunner()


def _expected_head(txt: Path) -> dict[str, object]:
    toml = txt.with_suffix(".toml")
    return tomllib.loads(toml.read_text(encoding="utf-8"))["order"] if toml.is_file() else {}


@pytest.mark.skipif(not ORDERS, reason="the corpus has not landed on this branch yet")
@pytest.mark.parametrize("txt", ORDERS, ids=[p.stem for p in ORDERS])
def test_corpus_order_drafts_and_loads_as_drafted(txt: Path, tmp_path: Path) -> None:
    text = txt.read_text(encoding="utf-8")
    args = []
    try:
        draft_order(text)
    except BadInput as exc:
        # a copy without its caption or signature date: given as a clerk would give it
        head = _expected_head(txt)
        assert "--court" in str(exc) or "--entered" in str(exc), exc
        args = ["--court", str(head["court"]), "--entered", str(head["entered"])]
    out = tmp_path / f"{txt.stem}.toml"
    result = runner.invoke(app, ["order", "draft", str(txt), *args, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    check = runner.invoke(app, ["order", "check", str(out)])
    assert check.exit_code == 0, check.stderr

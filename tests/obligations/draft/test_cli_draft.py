"""``docketcal order draft`` through the command line: the file it writes loads as written, the
JSON contract's fields, stdin, and refusals (exit 2, a message, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
HERE = Path(__file__).resolve().parent
CAED = HERE / "examples" / "caed-2013-11-12.txt"
PDF = HERE / "pdfs" / "caed-pleading.pdf"


def test_draft_to_a_file_that_order_check_accepts(tmp_path: Path) -> None:
    out = tmp_path / "caed.toml"
    result = runner.invoke(app, ["order", "draft", str(CAED), "--court", "caed", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    check = runner.invoke(app, ["order", "check", str(out)])
    assert check.exit_code == 0, check.stderr
    assert "caed-2013-11-12" in out.read_text(encoding="utf-8")


def test_a_pdf_drafts_with_court_case_and_date_from_its_caption() -> None:
    result = runner.invoke(app, ["order", "draft", str(PDF)])
    assert result.exit_code == 0, result.stderr
    assert 'court = "caed"' in result.stdout
    assert 'case = "2:13-cv-01234-KJN"' in result.stdout
    assert "entered = 2013-11-12" in result.stdout


def test_json_gives_spans_into_the_cleaned_text() -> None:
    result = runner.invoke(
        app, ["order", "draft", str(CAED), "--court", "caed", "--format", "json", "--id", "o-1"]
    )
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["order"]["id"] == "o-1"
    assert body["order"]["found"]["entered"]["words"] == "Dated: November 12, 2013"
    assert body["order"]["found"]["case"] is None
    text = body["text"]
    keys = {
        "id",
        "party",
        "kind",
        "summary",
        "text",
        "span",
        "cite",
        "due",
        "source_text",
        "source_span",
        "condition",
        "consequence",
        "review",
    }
    for o in body["obligations"]:
        assert keys <= set(o)
        s, e = o["span"]
        assert text[s:e] == o["text"]
        if o["source_span"]:
            s, e = o["source_span"]
            assert text[s:e] == o["source_text"]
    original = CAED.read_text(encoding="utf-8")
    produce = next(o for o in body["obligations"] if "plaintiff shall produce" in o["text"])
    s, e = produce["original_span"]
    # the same words in the text as read, there with the copy's *emphasis* asterisks
    assert original[s:e].replace("*", "") == produce["text"]


def test_stdin() -> None:
    result = runner.invoke(app, ["order", "draft", "-", "--court", "caed"], input=CAED.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert "[[obligation]]" in result.stdout


def test_refusals_exit_2_and_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "x.toml"
    cases = [
        (["order", "draft", "no/such/order.txt"], "no such file"),
        (["order", "draft", str(CAED)], "--court"),
        (["order", "draft", str(CAED), "--court", "xx"], "unknown court 'xx'"),
        (["order", "draft", str(CAED), "--court", "caed", "--entered", "2013-02-30"], "--entered"),
        (["order", "draft", str(CAED), "--court", "caed", "--id", "Bad Id"], "order id 'Bad Id'"),
        (["order", "draft", str(CAED), "--court", "caed", "--format", "yaml"], "--format"),
        (
            ["order", "draft", str(HERE / "pdfs" / "scan.pdf")],
            "no text layer; OCR is not supported",
        ),
    ]
    for args, words in cases:
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code == 2, (args, result.stderr)
        assert words in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert not out.exists()

"""Fuzzing the drafter and ``order draft``: whatever the input, a draft that loads as drafted
or a refusal (BadInput; exit 2 with a message), never a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from calendars.errors import BadInput
from cli.main import app
from obligations.draft import draft_order, read_order_text
from obligations.orderfile import parse_order

runner = CliRunner()
HERE = Path(__file__).resolve().parent
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((HERE / "examples").glob("*.txt"))]
# pieces orders are made of, so that random text reaches the deeper stages
PIECES = [
    "IT IS HEREBY ORDERED that ", "ORDERED that ", "plaintiff shall file ", "defendant must serve ",
    "the parties shall ", "within fourteen (14) days of entry of this order", "no later than July 15, 2013",
    "on March 3, 2025 at 10:00 a.m.", "14 days thereafter", "whichever is earlier", "and in any event by 2025-03-03",
    "at least 7 court days before the hearing", "immediately upon receipt", "1. ", "(a) ", "\n\n", "; and it is further\n",
    "Dated: November 12, 2013\n", "UNITED STATES DISTRICT COURT\nEASTERN DISTRICT OF CALIFORNIA\n",
    "Case No. 2:13-cv-01234-KJN\n", "Page 3 of 7\n", "1\n2\n3\n", "compli-\nance ", "³(...continued)\n",
    "may be deemed a waiver. ", "shall not ", "whenever a new motion is filed, ", "Feb. 30, 2013 ", "0 days after ",
    "twenty-one (21) days after service of the complaint", "*", "**", "\u2028", "\x00", "the 31st day of June, 2013",
]  # fmt: skip

texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join),
    st.tuples(
        st.sampled_from(SEEDS), st.integers(0, 6000), st.integers(0, 400), st.text(max_size=30)
    ).map(lambda t: t[0][: t[1]] + t[3] + t[0][t[1] + t[2] :]),
)


@pytest.mark.fuzz
@given(text=texts, court=st.sampled_from([None, "caed", "njd", "nysb", "bogus"]))
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_draft_loads_as_drafted_or_is_refused(text: str, court: str | None) -> None:
    try:
        draft = draft_order(
            text, court=court, entered=None if "Dated" in text else date(2024, 1, 2)
        )
    except BadInput as exc:
        assert str(exc) and "does not load" not in str(exc)
        return
    order = parse_order(draft.to_toml())
    assert len(order.obligations) == len(draft.obligations)
    for o in draft.obligations:
        assert draft.text[o.span[0] : o.span[1]] == o.text


@pytest.mark.fuzz
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.sampled_from(
            [b"%PDF-1.4\n", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n", b"\xef\xbb\xbf"]
        ).flatmap(lambda head: st.binary(max_size=200).map(lambda tail: head + tail)),
    )
)
@settings(deadline=None)
def test_reading_bytes_gives_text_or_bad_input(data: bytes) -> None:
    try:
        text = read_order_text(data, name="x")
    except BadInput as exc:
        assert str(exc).startswith("x:")
        return
    assert text.strip()


@pytest.mark.fuzz
@given(
    text=texts,
    args=st.lists(
        st.sampled_from(
            [
                "--court",
                "caed",
                "--court",
                "xx",
                "--entered",
                "2013-11-12",
                "--entered",
                "2013-02-30",
                "--case",
                "1:13-cv-1",
                "--id",
                "Bad Id",
                "--id",
                "o-1",
                "--format",
                "json",
                "--format",
                "yaml",
            ]
        ),
        max_size=6,
    ),
)
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=60)
def test_order_draft_command_exits_0_or_2(text: str, args: list[str]) -> None:
    result = runner.invoke(
        app, ["order", "draft", "-", *args], input=text.encode("utf-8", "surrogatepass")
    )
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr, result.exception)
    if result.exit_code == 2:
        assert result.stderr.strip() and result.stdout == ""
        assert "Traceback" not in result.stderr and "does not load" not in result.stderr


PDF = (HERE / "pdfs" / "caed-pleading.pdf").read_bytes()


@pytest.mark.fuzz
@given(
    cuts=st.lists(
        st.tuples(st.integers(0, len(PDF) - 1), st.binary(min_size=0, max_size=8)), max_size=6
    )
)
@settings(deadline=None)
def test_a_damaged_pdf_gives_text_or_bad_input(cuts: list[tuple[int, bytes]]) -> None:
    data = bytearray(PDF)
    for at, piece in cuts:
        data[at : at + len(piece)] = piece
    try:
        text = read_order_text(bytes(data), name="damaged.pdf")
    except BadInput as exc:
        assert str(exc).startswith("damaged.pdf:")
        return
    try:
        draft_order(text, court="caed", entered=date(2013, 11, 12))
    except BadInput as exc:
        assert "does not load" not in str(exc)

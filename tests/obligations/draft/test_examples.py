"""The two example orders (shared as published excerpts, kept in the corpus as
``caed-2013-11-12.txt`` and ``njd-2013-07-02.txt``): what the drafter must find in them. Every
expected value below was read from the order's text by hand (the quoted words are the order's)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from obligations.draft import draft_order
from obligations.orderfile import parse_order

HERE = Path(__file__).resolve().parent
CAED = HERE / "examples" / "caed-2013-11-12.txt"
NJD = HERE / "examples" / "njd-2013-07-02.txt"


def _by_text(draft, words: str):  # type: ignore[no-untyped-def]
    hits = [o for o in draft.obligations if words in o.text]
    assert len(hits) == 1, (words, [o.text[:60] for o in draft.obligations])
    return hits[0]


def test_caed_fourteen_day_duties_count_from_the_order() -> None:
    draft = draft_order(CAED.read_text(encoding="utf-8"), court="caed")
    # "Within 14 days of issuance of this order, plaintiff shall produce all documents"
    produce = _by_text(draft, "plaintiff shall produce all documents")
    assert (produce.party, produce.due, produce.cite) == ("plaintiff", "14 days after order", "¶ 3")
    assert produce.source_text == "Within 14 days of issuance of this order"
    assert not produce.review
    # "Within 14 days of issuance of this order, defendant shall return the documents"
    ret = _by_text(draft, "defendant shall return the documents")
    assert (ret.party, ret.due) == ("defendant", "14 days after order")
    # "Within 14 days of his documents being returned to him" -> the return duty's completion
    for letter, words in (
        ("a", "have each of the returned documents"),
        ("b", "serve copies"),
        ("c", "update his"),
        ("d", "serve the updated"),
    ):
        o = _by_text(draft, words)
        assert o.cite == f"¶ 4({letter})"
        assert o.due == f"14 days after {ret.id}", o
        assert o.party == "plaintiff"
    # "Plaintiff shall also confirm in writing": no period of its own, flagged
    confirm = _by_text(draft, "also confirm in writing")
    assert confirm.due == "14 days after order" and confirm.review
    # "The parties should not have a goal of cramming ..."
    assert _by_text(draft, "should not have a goal of cramming").kind == "prohibition"
    # "whenever a new set of discovery requests ... is propounded"
    phone = _by_text(draft, "shall include at least one telephone call")
    assert phone.kind == "recurring" and phone.on
    # the dates on the signature: "Dated: November 12, 2013", "KENDALL J. NEWMAN"
    assert draft.entered == date(2013, 11, 12)
    assert draft.judge == "Kendall J. Newman, United States Magistrate Judge"


def test_caed_warnings_are_not_duties() -> None:
    draft = draft_order(CAED.read_text(encoding="utf-8"), court="caed")
    texts = " ".join(o.text for o in draft.obligations)
    assert "will not hesitate to sanction" not in texts
    assert "should be prepared to be sanctioned" not in texts
    assert "IT IS SO ORDERED" not in texts
    produce = _by_text(draft, "plaintiff shall produce all documents")
    assert "sanctioned" in produce.consequence


def test_njd_ordered_clauses() -> None:
    draft = draft_order(NJD.read_text(encoding="utf-8"), court="njd")
    # "IT IS ON THIS 2nd day of July, 2013"
    assert draft.entered == date(2013, 7, 2)
    letter = _by_text(draft, "they must submit a single filing")
    assert letter.due == "by 2013-07-15"
    assert letter.source_text == "no later than July 15, 2013"
    assert letter.condition.startswith("if the parties are unable to resolve")
    assert letter.cite == "second ORDERED paragraph"
    assert "5. why the responding party believes its response is sufficient;" in letter.text
    assert not letter.text.endswith("it is further")
    assert _by_text(draft, "no further submissions").kind == "prohibition"
    assert _by_text(draft, "will continue to meet and confer").kind == "standing"
    # the clause split by footnote 3's continuation is joined again
    conf = _by_text(draft, "before the Undersigned to discuss the issues")
    assert conf.text.endswith("in the June 3, 2013 Order.")
    # the waiver clause is a consequence, and the recitals impose nothing
    assert "may be deemed a waiver" in draft.consequence
    assert all("having directed" not in o.text for o in draft.obligations)
    assert len(draft.obligations) == 4


@pytest.mark.parametrize("path,court", [(CAED, "caed"), (NJD, "njd")])
def test_examples_load_as_drafted(path: Path, court: str) -> None:
    draft = draft_order(path.read_text(encoding="utf-8"), court=court)
    order = parse_order(draft.to_toml())
    assert len(order.obligations) == len(draft.obligations)
    text = draft.text
    for o in draft.obligations:
        assert text[o.span[0] : o.span[1]] == o.text
        if o.source_span:
            assert text[o.source_span[0] : o.source_span[1]] == o.source_text


def test_without_a_court_in_the_caption_the_draft_is_refused() -> None:
    from calendars.errors import BadInput

    with pytest.raises(BadInput, match="--court"):
        draft_order(NJD.read_text(encoding="utf-8"))


def test_the_note_quotes_the_words_found_on_one_line() -> None:
    # A signature block spans lines: the note says where the judge's name was read, as a clerk
    # reads it, not as an escaped string.
    text = (
        "UNITED STATES DISTRICT COURT\nDISTRICT OF NEW JERSEY\n\n"
        "IT IS on this 2nd day of July, 2013\n\n"
        "ORDERED that plaintiff shall produce documents within 14 days.\n\n"
        "s/ Michael A. Hammer\nMichael A. Hammer\nUNITED STATES MAGISTRATE JUDGE\n"
    )
    toml = draft_order(text, case="x").to_toml()
    note = next(line for line in toml.splitlines() if line.startswith("note = "))
    assert "\\n" not in note
    assert "judge: from 'Michael A. Hammer UNITED STATES MAGISTRATE JUDGE'" in note

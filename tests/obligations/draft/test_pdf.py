"""Reading PDF orders: the text layer through pypdf, and the refusal of a PDF without one.

The PDFs in pdfs/ are made by ``make_pdf`` below (``python tests/obligations/draft/test_pdf.py``
writes them again): pleading paper as courts file it, with a running ECF header, line numbers
1-28 down the margin, a page number at the foot, and a sentence and a word hyphenated across
the page break. Their words are the E.D. Cal. example order's (examples/caed-2013-11-12.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from calendars.errors import BadInput
from obligations.draft import draft_order, read_order_text

PDFS = Path(__file__).resolve().parent / "pdfs"

PAGE_1 = [
    "UNITED STATES DISTRICT COURT",
    "EASTERN DISTRICT OF CALIFORNIA",
    "",
    "Case No. 2:13-cv-01234-KJN",
    "",
    "ORDER",
    "",
    "3. Within 14 days of issuance of this order, plaintiff shall produce all",
    "documents responsive to defendant's document requests.",
    "",
    "4. Within 14 days of issuance of this order, defendant shall return the",
    "documents plaintiff has produced to date so that plaintiff can have each page",
    "Bates stamped.",
    "",
    "a. Within 14 days of his documents being returned to him, plaintiff shall",
    "have each of the returned documents Bates stamped.",
    "",
    "5. Within 14 days of issuance of this order, defendant shall produce its re-",
]
PAGE_2 = [
    "vised privilege log to plaintiff.",
    "",
    "IT IS SO ORDERED.",
    "",
    "Dated: November 12, 2013",
    "",
    "KENDALL J. NEWMAN",
    "UNITED STATES MAGISTRATE JUDGE",
]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], *, text_layer: bool = True) -> bytes:
    """A PDF of ``pages`` (lines of text) on pleading paper, written with pypdf's own objects."""
    from io import BytesIO

    from pypdf import PdfWriter
    from pypdf.generic import (
        ContentStream,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
    )

    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    font_ref = writer._add_object(font)
    for n, lines in enumerate(pages, 1):
        page = writer.add_blank_page(612, 792)
        ops = []
        if text_layer:
            header = f"Case 2:13-cv-01234-KJN Document 45 Filed 11/12/13 Page {n} of {len(pages)}"
            ops.append(f"BT /F1 8 Tf 72 770 Td ({_escape(header)}) Tj ET")
            for i in range(28):
                y = 740 - i * 24
                ops.append(f"BT /F1 10 Tf 40 {y} Td ({i + 1}) Tj ET")
                if i < len(lines) and lines[i]:
                    ops.append(f"BT /F1 11 Tf 80 {y} Td ({_escape(lines[i])}) Tj ET")
            ops.append(f"BT /F1 10 Tf 300 30 Td (- {n} -) Tj ET")
        else:  # a scan: a grey box where the words would be, no text
            ops.append("0.5 g 72 72 468 648 re f")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
    del ContentStream
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pleading_paper_pdf_drafts_like_its_text() -> None:
    data = (PDFS / "caed-pleading.pdf").read_bytes()
    text = read_order_text(data, name="caed-pleading.pdf")
    draft = draft_order(text)
    # the caption gives the court and the case; the signature the date and the judge
    assert draft.court == "caed"
    assert draft.case == "2:13-cv-01234-KJN"
    assert draft.entered.isoformat() == "2013-11-12"
    assert draft.judge == "Kendall J. Newman, United States Magistrate Judge"
    by_cite = {o.cite: o for o in draft.obligations}
    assert by_cite["¶ 3"].due == "14 days after order"
    assert by_cite["¶ 4"].party == "defendant"
    assert by_cite["¶ 4(a)"].due == f"14 days after {by_cite['¶ 4'].id}"
    # the header, the margin numbers and the page number are gone; the hyphenated word and
    # the sentence across the page break are whole again
    five = by_cite["¶ 5"]
    assert "revised privilege log to plaintiff." in five.text
    assert "Page" not in five.text and "Document 45" not in five.text
    for o in draft.obligations:
        assert not any(line.strip().isdigit() for line in o.text.splitlines())


def test_a_pdf_without_a_text_layer_is_refused() -> None:
    data = (PDFS / "scan.pdf").read_bytes()
    with pytest.raises(BadInput, match="no text layer; OCR is not supported"):
        read_order_text(data, name="scan.pdf")


def test_a_broken_pdf_is_refused_with_its_name() -> None:
    data = (PDFS / "caed-pleading.pdf").read_bytes()[:400]
    with pytest.raises(BadInput, match=r"^cut\.pdf: "):
        read_order_text(data, name="cut.pdf")


if __name__ == "__main__":
    PDFS.mkdir(exist_ok=True)
    (PDFS / "caed-pleading.pdf").write_bytes(make_pdf([PAGE_1, PAGE_2]))
    (PDFS / "scan.pdf").write_bytes(make_pdf([PAGE_1], text_layer=False))

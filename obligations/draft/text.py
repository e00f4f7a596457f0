"""Reading an order's text: a PDF's text layer or plain text, and the cleaning that takes the
noise of printed pages out of it (page numbers, pleading-paper line numbers, running headers,
"(continued...)" markers, footnotes that interrupt a sentence, hyphenation at line ends) while
keeping, for every character kept, its offset in the text as read."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from calendars.errors import BadInput

#: The most text read from one order (a 20-page order is about 60,000 characters).
MAX_CHARS = 2_000_000
MAX_BYTES = 20 * 1024 * 1024

_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_PAGE_NUMBER = re.compile(
    r"^\s*(?:-\s*)?(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?(?:\s*-)?\s*$", re.IGNORECASE
)
_ECF_HEADER = re.compile(
    r"^\s*(?:case|document)\b.{0,80}\b(?:document|doc\.?|filed|page)\b.{0,80}$", re.IGNORECASE
)
_CONTINUED = re.compile(
    rf"^\s*[{_SUPERSCRIPTS}\d]*\s*\(\s*(?:\.\.\.|…)?\s*continued\s*(?:\.\.\.|…)?\s*\)\s*",
    re.IGNORECASE,
)
_LINE_NUMBER = re.compile(r"^\s{0,8}(\d{1,2})(?=\s|$)")
_FOOTNOTE_START = re.compile(rf"^\s*[{_SUPERSCRIPTS}]+\s*\S")
_TERMINAL = re.compile(
    r"(?:[.:;!?)\]\"'”’*]|\bit is (?:further|hereby|so)(?: ordered)?|\bordered)\s*$", re.IGNORECASE
)
_OPENS = re.compile(
    r"^\s*(?:[-•]\s*)?(?:(?:it is )?(?:further )?ordered|\(?\d+[.)]|\(?[a-z][.)]\s)", re.IGNORECASE
)


def read_order_text(data: bytes, *, name: str) -> str:
    """The text of an order given as bytes: a PDF (by its ``%PDF`` magic) through pypdf's text
    layer, else UTF-8 (a BOM allowed) or, failing that, latin-1. ``BadInput`` names ``name``."""
    if len(data) > MAX_BYTES:
        raise BadInput(
            f"{name}: {len(data) // (1024 * 1024)} MB: an order is at most {MAX_BYTES // (1024 * 1024)} MB"
        )
    if data.lstrip()[:5] == b"%PDF-":
        text = _pdf_text(data, name)
    else:
        if b"\x00" in data:
            raise BadInput(f"{name}: not a PDF or a text file (it holds NUL bytes)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    if len(text) > MAX_CHARS:
        raise BadInput(f"{name}: {len(text)} characters of text: an order is at most {MAX_CHARS}")
    if not text.strip():
        raise BadInput(f"{name}: no text in the order")
    return text


def _pdf_text(data: bytes, name: str) -> str:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInput(f"{name}: the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except BadInput:
        raise
    except (
        PyPdfError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        RecursionError,
        OSError,
        AssertionError,
        ZeroDivisionError,
    ) as err:
        raise BadInput(f"{name}: the PDF cannot be read: {err.__class__.__name__}: {err}") from err
    text = "\f".join(pages)
    if not text.replace("\f", "").strip():
        raise BadInput(f"{name}: the PDF has no text layer; OCR is not supported")
    return text


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The cleaned text and, for each of its characters, the offset in the text as read."""

    text: str
    origin: tuple[int, ...]
    original: str

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the text as read that ``text[start:end]`` came from."""
        if start >= end or not self.origin:
            o = self.origin[start] if start < len(self.origin) else len(self.original)
            return o, o
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(slots=True)
class _Line:
    start: int  # offset in the original of the line's first kept character
    text: str  # the kept text of the line
    blank: bool = False
    footnote: bool = False


def _lines(original: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for raw in re.split(r"(?<=\n)|(?<=\f)", original):
        if not raw:
            continue
        body = raw.rstrip("\n\f\r")
        out.append(_Line(pos, body))
        pos += len(raw)
    return out


def _strip_line_numbers(lines: list[_Line]) -> None:
    """Pleading paper numbers its lines 1 to 28 (or 26, 32) on every page: when most numbered
    lines follow that sequence, the numbers are taken off."""
    seq = 0
    hits: list[tuple[int, int]] = []  # (line index, length of the prefix)
    for i, line in enumerate(lines):
        m = _LINE_NUMBER.match(line.text)
        if not m:
            continue
        n = int(m.group(1))
        if n == seq + 1 or (n == 1 and seq >= 10):
            seq = n
            hits.append((i, m.end()))
    if len(hits) < 20:
        return
    for i, end in hits:
        line = lines[i]
        rest = line.text[end:]
        lead = len(rest) - len(rest.lstrip(" \t"))
        line.start += end + lead
        line.text = rest[lead:]


def _headers(lines: list[_Line]) -> set[str]:
    """Lines that repeat page after page (after digits are masked): running headers."""
    counts = Counter(
        re.sub(r"\d+", "#", line.text.strip())
        for line in lines
        if line.text.strip() and len(line.text) < 160
    )
    return {
        k
        for k, n in counts.items()
        if n >= 3 and "ORDERED" not in k.upper() and (("#" in k) or k.isupper()) and len(k) > 3
    }


def clean(original: str) -> Cleaned:
    """The order's text without the noise of printed pages, with its map back to ``original``."""
    lines = _lines(original)
    _strip_line_numbers(lines)
    headers = _headers(lines)
    note_follows = False
    for line in lines:
        t = line.text
        stripped = t.strip()
        if (
            not stripped
            or _PAGE_NUMBER.match(t)
            or (_ECF_HEADER.match(t) and len(stripped) < 160 and re.search(r"\d", t))
            or re.sub(r"\d+", "#", stripped) in headers
        ):
            line.blank = True
            continue
        m = _CONTINUED.match(t)
        if note_follows:
            line.footnote = True
            note_follows = False
        if m:
            if not t[m.end() :].strip():
                line.blank = True
                # "²(...continued)": the footnote's text goes on from the next line
                note_follows = bool(re.search(r"\(\s*(?:\.\.\.|…)", t))
                continue
            line.footnote = True
            line.start += m.end()
            line.text = t[m.end() :]
        elif _FOOTNOTE_START.match(t):
            line.footnote = True
    # paragraphs: runs of lines between blank lines
    paras: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        if line.blank:
            if current:
                paras.append(current)
                current = []
        else:
            current.append(line)
    if current:
        paras.append(current)
    # a footnote paragraph continues until a blank line; footnotes and the blocks that interrupt
    # a sentence (a paragraph ends mid-sentence, the next one after the block goes on in lower
    # case) are moved to the end.
    body: list[list[_Line]] = []
    notes: list[list[_Line]] = []
    i = 0
    while i < len(paras):
        p = paras[i]
        if p[0].footnote:
            notes.append(p)
            i += 1
            continue
        body.append(p)
        i += 1
        # look past interrupting blocks
        if not _TERMINAL.search(p[-1].text):
            j = i
            skipped: list[list[_Line]] = []
            while j < len(paras) and j - i < 3:
                q = paras[j]
                first = q[0].text.lstrip()
                if q[0].footnote:
                    skipped.append(q)
                    j += 1
                    continue
                if first[:1].islower():
                    if skipped:
                        notes.extend(skipped)
                        i = j
                    break
                if _OPENS.match(first) or not _TERMINAL.search(q[-1].text):
                    break
                skipped.append(q)
                j += 1
    single = sum(1 for p in paras if len(p) == 1)
    double_spaced = len(paras) >= 6 and single >= 0.8 * len(paras)
    return _assemble(original, body, notes, double_spaced)


_EMPHASIS = re.compile(r"(?<![\w*])\*{1,2}(?=[\w\"“(])|(?<=[\w.,;:)\"”’])\*{1,2}(?![\w*])")


def _put_line(text: str, start: int, put: Callable[[str, int | None], None]) -> None:
    """A line's text, without the asterisks of *emphasis* or **bold** around words."""
    pos = 0
    for m in _EMPHASIS.finditer(text):
        if m.start() > pos:
            put(text[pos : m.start()], start + pos)
        pos = m.end()
    if pos < len(text):
        put(text[pos:], start + pos)


_SIGN_OFF = re.compile(
    r"(?:dated|date|entered|signed|filed|it\s+is\s+so|so\s+ordered|/?s/|done\s+and\s+ordered)\b",
    re.IGNORECASE,
)
_OPEN_WORD = re.compile(
    r"\b(?:before|on|by|of|to|the|a|an|and|or|for|in|with|at|than|that|is|are|be|shall|must|will|may|from|until|after|later|no|not|this|its|their|his|her)$",
    re.IGNORECASE,
)


def _assemble(
    original: str, body: list[list[_Line]], notes: list[list[_Line]], double_spaced: bool = False
) -> Cleaned:
    """The kept lines, paragraphs joined where a sentence runs on: the next begins in lower
    case, or the last ends on a word no sentence ends on ("ON OR BEFORE" / "OCTOBER 13"), or,
    on double-spaced pages (every line a paragraph), wherever no sentence ended."""
    out: list[str] = []
    origin: list[int] = []

    def put(text: str, start: int | None) -> None:
        out.append(text)
        if start is None:
            at = origin[-1] + 1 if origin else 0
            origin.extend([at] * len(text))
        else:
            origin.extend(range(start, start + len(text)))

    prev_para: list[_Line] | None = None
    joined_word = False
    in_body = {id(p) for p in body}
    for para in [*body, *notes]:
        if prev_para is not None:
            last = prev_para[-1].text.rstrip()
            first = para[0].text.lstrip()
            joined = (
                id(para) in in_body
                and not _TERMINAL.search(last)
                and not _OPENS.match(first)
                and (
                    first[:1].islower()
                    or bool(_OPEN_WORD.search(last))
                    or (
                        double_spaced
                        and re.search(r"[a-z,]$", last) is not None
                        and not first.isupper()
                        and not _SIGN_OFF.match(first)
                        and not _OPENS.match(prev_para[0].text.lstrip())
                    )
                )
            )
            if joined and re.search(r"[a-z]-$", last) and out and out[-1].endswith("-"):
                # a word hyphenated across a page break: the hyphen goes, the halves join
                out[-1] = out[-1][:-1]
                origin.pop()
                put("", None)
                joined_word = True
            elif joined:
                put(" ", None)
                joined_word = False
            else:
                put("\n\n", None)
                joined_word = False
        for k, line in enumerate(para):
            text, start = line.text, line.start
            if k == 0 and prev_para is not None and out and (out[-1] == " " or joined_word):
                lead = len(text) - len(text.lstrip())
                text, start = text[lead:], start + lead
            if k > 0:
                prev = "".join(out[-1:])
                if re.search(r"[a-z]-$", prev) and text.lstrip()[:1].islower():
                    # hyphenation at a line end: the hyphen and the break go
                    out[-1] = prev[:-1]
                    origin.pop()
                    lead = len(text) - len(text.lstrip())
                    text, start = text[lead:], start + lead
                else:
                    put("\n", start - 1 if start > 0 else None)
            text = text.rstrip()
            _put_line(text, start, put)
        prev_para = para
    text = "".join(out)
    return Cleaned(text, tuple(origin), original)

"""How well the drafter reads real orders: the corpus scored against its hand-written files,
and the time to draft a 20-page order.

Method (issue 15; docs/drafting.md). For each pair ``X.txt`` / ``X.toml`` of the corpus
(tests/obligations/draft/corpus/, or ``--corpus DIR``):

1. Draft ``X.txt`` as ``order draft`` does, reading court, case and date from the text. Where the
   text does not name the court or the date (many published copies drop the caption), the
   draft is refused; it is drafted again with the expected file's court and date given, as a
   clerk would with ``--court`` and ``--entered``, and counted under "needed --court/--entered".
2. Place every obligation in the text as read: a drafted one by its map back to the original
   offsets; an expected one by finding its ``text`` in ``X.txt`` (exactly, else with emphasis
   asterisks and runs of white space ignored, as the example orders' files were written).
3. Match drafted to expected obligations by overlap: a pair matches when their spans share at
   least half of the shorter one. Recall = expected obligations matched / expected; precision =
   drafted obligations matched / drafted.
4. Due exact: of the matched expected obligations, those whose best match (most overlap) has the
   same ``due`` (white space and case ignored), or where neither has a ``due`` (both for review,
   or both without a date). Obligation ids are names each file chooses: a drafted rule naming
   another drafted obligation (``14 days after return-documents-plaintiff``) is compared with
   that obligation called by the expected id it matched (``return-documents``); event names
   are compared as written.
5. Dates right: every date or date-time in an expected ``[[check]]``'s ``expect`` is computed
   on the drafted order, with the check's ``given`` names of expected obligations renamed to
   their drafted matches (events and conditions kept), the same ``as_of``: right when the
   engine gives the drafted match the same date. An unflagged wrong date is such a date where
   the drafted match has a ``due`` and no ``review`` and the engine computes another date.
6. Speed: a 20-page order (the corpus's texts, with ECF page headers and page numbers, cut at
   20 pages of 3,000 characters: longer than a real pleading page) drafted in one process,
   median of 7 runs after one warm-up; and a 20-page pleading-paper PDF (the PDF tests' maker)
   read through pypdf and drafted, median of 7 after one warm-up.

Run: ``.venv/bin/python bench/drafting.py [--corpus DIR] [--verbose]``. Prints the figures and
one JSON line of them.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from calendars.errors import BadInput
from obligations.checks import _compare, facts_for
from obligations.draft import Draft, DraftObligation, draft_order, read_order_text
from obligations.engine import schedule
from obligations.model import Order
from obligations.orderfile import load_order, parse_order

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "obligations" / "draft" / "corpus"


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` without asterisks and with each run of white space one space, and the offset in
    ``text`` of each character kept."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, c in enumerate(text):
        if c == "*":
            continue
        if c.isspace():
            if not space and out:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        out.append(c)
        where.append(i)
    return "".join(out), where


def locate(original: str, words: str) -> tuple[int, int] | None:
    """Where ``words`` stand in ``original``: exactly, else ignoring asterisks and white space."""
    i = original.find(words)
    if i >= 0:
        return i, i + len(words)
    norm, where = _normalised(original)
    want, _ = _normalised(words)
    want = want.strip()
    j = norm.find(want)
    if j < 0 or not want:
        return None
    return where[j], where[j + len(want) - 1] + 1


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return shared / shorter if shorter > 0 and shared > 0 else 0.0


def _renamed(due: str | None, names: dict[str, str]) -> str | None:
    """``due`` with the drafted obligations it names called by the expected ids they matched:
    obligation ids are names a clerk chooses, the rule is what is compared."""
    if not due:
        return due
    return re.sub(r"[a-z0-9][a-z0-9_-]*", lambda m: names.get(m.group(0), m.group(0)), due)


def _due(value: str | None) -> str:
    return re.sub(r"\s+", " ", value or "").strip().lower()


@dataclass
class Score:
    name: str
    expected: int = 0
    unplaced: int = 0
    drafted: int = 0
    recalled: int = 0
    precise: int = 0
    due_exact: int = 0
    dates: int = 0
    dates_right: int = 0
    unflagged_wrong: int = 0
    needed_options: bool = False
    court_read: bool | None = None  # drafted without options: the court read is the expected one
    entered_read: bool | None = None
    refused: str = ""
    misses: list[str] = field(default_factory=list)


def score(txt: Path, toml: Path) -> Score:
    s = Score(txt.stem)
    original = txt.read_text(encoding="utf-8")
    raw = tomllib.loads(toml.read_text(encoding="utf-8"))
    expected_order = load_order(toml)
    head = raw["order"]
    try:
        draft = draft_order(original)
        s.court_read = draft.court == head["court"]
        s.entered_read = draft.entered == head["entered"]
    except BadInput:
        s.needed_options = True
        try:
            draft = draft_order(original, court=head["court"], entered=head["entered"])
        except BadInput as exc:
            s.refused = str(exc)
            s.expected = len(raw.get("obligation", []))
            return s
    drafted = [(o, o.original_span) for o in draft.obligations]
    s.drafted = len(drafted)
    matched_drafted: set[int] = set()
    best: dict[str, int] = {}  # expected id -> index of its best drafted match
    names: dict[str, str] = {}  # drafted id -> the expected id it matched
    pending: list[tuple[dict[str, object], DraftObligation]] = []
    for e in raw.get("obligation", []):
        s.expected += 1
        span = locate(original, e.get("text", ""))
        if span is None:
            s.unplaced += 1
            s.misses.append(f"unplaced {e['id']}")
            continue
        hits = [(overlap(span, d_span), i) for i, (_, d_span) in enumerate(drafted)]
        hits = [(ov, i) for ov, i in hits if ov >= 0.5]
        if not hits:
            s.misses.append(f"missed {e['id']}: {e.get('text', '')[:70]!r}")
            continue
        s.recalled += 1
        matched_drafted.update(i for _, i in hits)
        top = max(hits, key=lambda h: (h[0], drafted[h[1]][0].due is not None))[1]
        best[e["id"]] = top
        mine = drafted[top][0]
        names[mine.id] = e["id"]
        pending.append((e, mine))
    for e, mine in pending:
        if _due(_renamed(mine.due, names)) == _due(e.get("due")):
            s.due_exact += 1
        else:
            s.misses.append(
                f"due {e['id']}: expected {e.get('due')!r}, drafted {mine.due!r} ({mine.review or 'no review'})"
            )
    s.precise = len(matched_drafted)
    for i, (o, _) in enumerate(drafted):
        if i not in matched_drafted:
            s.misses.append(f"invented {o.id}: {o.text[:70]!r}")
    _dates(s, draft, expected_order, best)
    return s


def _dates(s: Score, draft: Draft, expected: Order, best: dict[str, int]) -> None:
    order = parse_order(draft.to_toml(), "<draft>")
    ids = {
        o.id: draft.obligations[i].id
        for o, i in ((o, best.get(o.id)) for o in expected.obligations)
        if i is not None
    }
    for check in expected.checks:
        given = tuple((ids.get(n, n), w) for n, w in check.given)
        mapped = replace(
            check,
            given=given,
            service=tuple((ids.get(n, n), m) for n, m in check.service),
            conditions=tuple((ids.get(n, n), v) for n, v in check.conditions),
            expect=(),
        )
        for name, want in check.expect:
            if not re.match(r"\d{4}-\d{2}-\d{2}", want):
                continue
            s.dates += 1
            mine_id = ids.get(name.partition("#")[0])
            if mine_id is None:
                s.misses.append(f"date {name} {want}: no drafted match")
                continue
            mine = next(o for o in draft.obligations if o.id == mine_id)
            as_of = check.as_of or max(
                [order.start, *[w if isinstance(w, date) else w.date() for _, w in given]]
            )
            try:
                sched = schedule([order], facts_for(order, mapped), as_of)
                item = sched.find(
                    order.id, mine_id + ("#" + name.partition("#")[2] if "#" in name else "")
                )
            except (KeyError, ValueError) as exc:
                s.misses.append(f"date {name} {want}: {exc}")
                continue
            failures = _compare(name, item, want)
            if not failures:
                s.dates_right += 1
                continue
            s.misses.append(f"date {failures[0]} [{mine.due!r}]")
            if mine.due and not mine.review and item.due is not None:
                s.unflagged_wrong += 1


def twenty_pages(corpus: Path) -> str:
    body = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt")))
    if not body:
        body = (
            ROOT / "tests" / "obligations" / "draft" / "examples" / "caed-2013-11-12.txt"
        ).read_text(encoding="utf-8")
    while len(body) < 60_000:
        body += "\n\n" + body
    pages = []
    for n in range(20):
        chunk = body[n * 3000 : (n + 1) * 3000]
        pages.append(
            f"Case 2:13-cv-01234-KJN Document 45 Filed 11/12/13 Page {n + 1} of 20\n\n{chunk}\n\n{n + 1}\n"
        )
    return (
        "UNITED STATES DISTRICT COURT\nEASTERN DISTRICT OF CALIFORNIA\n\n"
        + "\f".join(pages)
        + "\n\nDated: November 12, 2013\n"
    )


def _twenty_page_pdf() -> bytes | None:
    """A 20-page pleading-paper PDF, made by the PDF tests' own maker (pypdf's writer)."""
    import importlib.util

    path = ROOT / "tests" / "obligations" / "draft" / "test_pdf.py"
    spec = importlib.util.spec_from_file_location("draft_test_pdf", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    middle = [line for line in module.PAGE_1[7:17]] * 2  # numbered paragraphs, no caption
    return bytes(module.make_pdf([module.PAGE_1[:17], *[middle[:27]] * 18, module.PAGE_2[1:]]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    scores = []
    for txt in sorted(args.corpus.glob("*.txt")):
        toml = txt.with_suffix(".toml")
        if toml.is_file():
            scores.append(score(txt, toml))
    total = Score("all")
    for sc in scores:
        for f in (
            "expected",
            "unplaced",
            "drafted",
            "recalled",
            "precise",
            "due_exact",
            "dates",
            "dates_right",
            "unflagged_wrong",
        ):
            setattr(total, f, getattr(total, f) + getattr(sc, f))
        if args.verbose:
            print(
                f"== {sc.name}: expected {sc.expected}, drafted {sc.drafted}, recalled {sc.recalled}, precise {sc.precise}, due exact {sc.due_exact}, dates {sc.dates_right}/{sc.dates}, unflagged wrong {sc.unflagged_wrong}{' (needed --court/--entered)' if sc.needed_options else ''}{' REFUSED: ' + sc.refused if sc.refused else ''}"
            )
            for m in sc.misses:
                print("   ", m)
    text = twenty_pages(args.corpus)
    draft_order(text)
    runs = []
    for _ in range(7):
        t0 = time.perf_counter()
        draft_order(text)
        runs.append(time.perf_counter() - t0)

    pdf = _twenty_page_pdf()
    pdf_runs = []
    if pdf is not None:
        for i in range(8):
            t0 = time.perf_counter()
            draft_order(read_order_text(pdf, name="twenty.pdf"))
            if i:
                pdf_runs.append(time.perf_counter() - t0)

    def pct(a: int, b: int) -> float:
        return round(100 * a / b, 1) if b else 0.0

    figures = {
        "orders": len(scores),
        "needed_court_or_entered": sum(s.needed_options for s in scores),
        "refused": sum(bool(s.refused) for s in scores),
        "court_read_right": sum(s.court_read is True for s in scores),
        "entered_read_right": sum(s.entered_read is True for s in scores),
        "expected": total.expected,
        "expected_not_placed": total.unplaced,
        "drafted": total.drafted,
        "recall_pct": pct(total.recalled, total.expected),
        "precision_pct": pct(total.precise, total.drafted),
        "due_exact_pct": pct(total.due_exact, total.recalled),
        "dates": total.dates,
        "dates_right_pct": pct(total.dates_right, total.dates),
        "unflagged_wrong_dates": total.unflagged_wrong,
        "twenty_pages_chars": len(text),
        "twenty_pages_s": round(statistics.median(runs), 3),
        "twenty_page_pdf_s": round(statistics.median(pdf_runs), 3) if pdf_runs else None,
    }
    print(
        f"orders: {figures['orders']} ({figures['needed_court_or_entered']} needed --court/--entered, {figures['refused']} refused)"
    )
    read = figures["orders"] - figures["needed_court_or_entered"] - figures["refused"]
    print(
        f"read from the text alone: court right in {figures['court_read_right']} of {read}, date right in {figures['entered_read_right']} of {read}"
    )
    print(
        f"recall: {figures['recall_pct']}% of {total.expected} expected ({total.unplaced} not placed in the text)"
    )
    print(f"precision: {figures['precision_pct']}% of {total.drafted} drafted")
    print(f"due exact: {figures['due_exact_pct']}% of {total.recalled} matched")
    print(f"dates right: {figures['dates_right_pct']}% of {total.dates} checked dates")
    print(f"unflagged wrong dates: {total.unflagged_wrong}")
    print(f"20-page order ({len(text):,} characters): {figures['twenty_pages_s']} s (median of 7)")
    if pdf_runs:
        print(
            f"20-page PDF read (pypdf) and drafted: {figures['twenty_page_pdf_s']} s (median of 7)"
        )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

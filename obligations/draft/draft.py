"""The drafter: an order's text in, a complete order file out, every duty found with its words,
its cite, its party and its due rule, and `review` wherever the words do not say it exactly."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from calendars.errors import BadInput
from obligations.draft.caption import (
    Found,
    entered_readings,
    find_case,
    find_court,
    find_entered,
    find_filed_stamp,
    find_judge,
)
from obligations.draft.dates import TIME, find_dates, time_value
from obligations.draft.duties import (
    _CONDITION,
    _PROHIBITION,
    _RECURRING,
    Duty,
    Modal,
    _periodic,
    _subject,
    clauses,
    due_rule,
    find_modal,
    is_consequence,
    link_defined_terms,
    party_of,
    slug,
    summary_of,
)
from obligations.draft.structure import DECRETAL, blocks, sentences
from obligations.draft.text import Cleaned, clean
from obligations.orderfile import write_order_file

_KEYWORDS = {
    "order",
    "on",
    "by",
    "after",
    "before",
    "with",
    "the",
    "later",
    "earlier",
    "of",
    "and",
    "due",
    "court",
    "calendar",
    "day",
    "days",
    "hour",
    "hours",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "or",
    "every",
    "until",
    "for",
    "once",
    "whichever",
    "upon",
    "immediately",
    "thereafter",
}


@dataclass(frozen=True, slots=True)
class DraftObligation:
    id: str
    party: str
    kind: str
    summary: str
    text: str
    span: tuple[int, int]
    original_span: tuple[int, int]
    cite: str
    due: str | None
    source_text: str
    source_span: tuple[int, int] | None
    condition: str
    consequence: str
    review: str
    on: str


@dataclass(frozen=True, slots=True)
class Draft:
    """A drafted order file: ``to_toml`` writes it, ``to_json`` gives it as data."""

    order_id: str
    court: str
    case: str
    entered: date
    judge: str
    found: dict[str, Found | None]
    obligations: tuple[DraftObligation, ...]
    text: str
    consequence: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        def found(f: Found | None) -> dict[str, Any] | None:
            if f is None:
                return None
            span = [f.start, f.end] if f.start >= 0 else None
            return {"value": f.value, "span": span, "words": f.words}

        return {
            "order": {
                "id": self.order_id,
                "court": self.court,
                "case": self.case,
                "entered": self.entered.isoformat(),
                "judge": self.judge,
                "consequence": self.consequence,
                "found": {k: found(v) for k, v in self.found.items()},
            },
            "obligations": [
                {
                    "id": o.id,
                    "party": o.party,
                    "kind": o.kind,
                    "summary": o.summary,
                    "text": o.text,
                    "span": list(o.span),
                    "original_span": list(o.original_span),
                    "cite": o.cite,
                    "due": o.due,
                    "on": o.on or None,
                    "source_text": o.source_text or None,
                    "source_span": list(o.source_span) if o.source_span else None,
                    "condition": o.condition or None,
                    "consequence": o.consequence or None,
                    "review": o.review or None,
                }
                for o in self.obligations
            ],
            "text": self.text,
        }

    def to_toml(self) -> str:
        order: dict[str, Any] = {
            "id": self.order_id,
            "case": self.case,
            "court": self.court,
            "entered": self.entered,
        }
        if self.judge:
            order["judge"] = self.judge
        where = []
        for key, f in self.found.items():
            if f is None:
                where.append(f"{key}: not in the text")
            else:
                # the words on one line, as a clerk reads them, with no escaped line breaks
                words = " ".join(f.words.split())
                where.append(f"{key}: from '{words}'" if words else f"{key}: given")
        order["note"] = "; ".join([*where, *self.notes])
        if self.consequence:
            order["consequence"] = self.consequence
        duties: list[dict[str, Any]] = []
        for o in self.obligations:
            duty: dict[str, Any] = {"id": o.id, "party": o.party, "kind": o.kind, "cite": o.cite}
            duty["summary"] = o.summary
            optional = (
                ("on", o.on), ("due", o.due), ("source_text", o.source_text),
                ("review", o.review), ("condition", o.condition), ("consequence", o.consequence),
            )  # fmt: skip
            duty.update((k, v) for k, v in optional if v)
            duty["text"] = o.text
            duties.append(duty)
        tables: dict[str, Any] = {"order": order}
        if duties:
            tables["obligation"] = duties
        return write_order_file(tables, comment=DRAFTED)


#: The first lines of a drafted order file.
DRAFTED = """Drafted by `docketcal order draft` from the order's text: confirm every duty, its
party and its due rule against the order before loading; `review` says what a
person must still decide."""


def _id(summary: str, used: set[str]) -> str:
    base = slug(summary)
    if base in _KEYWORDS or re.fullmatch(r"[0-9]+", base) or re.match(r"[0-9]+-[0-9]", base):
        base = "duty-" + base
    oid, n = base, 2
    while oid in used:
        oid = f"{base}-{n}"
        n += 1
    used.add(oid)
    return oid


def draft_order(
    text: str,
    *,
    court: str | None = None,
    case: str | None = None,
    entered: date | None = None,
    order_id: str | None = None,
) -> Draft:
    """Draft the order file of the order whose text is ``text``. ``court``, ``case``,
    ``entered`` and ``order_id`` override what the text says; ``BadInput`` when the court or
    the date cannot be read from the text and is not given."""
    if "\x00" in text:
        raise BadInput("the order's text holds a NUL character: not an order's text")
    cleaned = clean(text)
    t = cleaned.text
    found: dict[str, Found | None] = {}
    court_f = find_court(t)
    if court is not None:
        found["court"] = Found(court, -1, -1, "")
    else:
        found["court"] = court_f
        if court_f is None:
            raise BadInput(
                "the court is not named in the order's caption: give --court ID (docketcal courts lists them)"
            )
        court = court_f.value
    from calendars import all_courts

    if court not in all_courts():
        raise BadInput(f"unknown court '{court}' (docketcal courts lists them)")
    entered_f = find_entered(t) or find_filed_stamp(cleaned.original)
    if entered is not None:
        found["entered"] = Found(entered.isoformat(), -1, -1, "")
    else:
        found["entered"] = entered_f
        if entered_f is None:
            raise BadInput(
                "no date entered or signed in the order ('Dated:', 'ENTERED', 'this 2nd day of July, 2013'): give --entered YYYY-MM-DD"
            )
        entered = date.fromisoformat(entered_f.value)
    if not 1900 <= entered.year <= 2200:
        raise BadInput(f"the order's date {entered.isoformat()} is outside 1900-2200")
    notes: list[str] = []
    if order_id is None:
        order_id = f"{court}-{entered.isoformat()}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", order_id):
        raise BadInput(f"order id '{order_id}': expected lowercase letters, digits, - and _")
    case_f = find_case(t, cleaned.original)
    if case is not None:
        found["case"] = Found(case, -1, -1, "")
    elif case_f is not None:
        found["case"] = case_f
        case = case_f.value
    else:
        found["case"] = None
        case = order_id
        notes.append(
            f"the case number is not in the text: the order id '{order_id}' stands in for it"
        )
    judge_f = find_judge(t)
    found["judge"] = judge_f
    duties, consequence = _duties(cleaned, entered)
    if found["entered"] is not None and found["entered"].start >= 0:
        others = sorted({f.value for _, _, f in entered_readings(t)} - {entered.isoformat()})
        if others:
            # the text dates itself more than once: what counts from "order" waits on a person
            why = (
                f"counted from the order's date, read as {entered.isoformat()} from "
                f"'{found['entered'].words}'; the text also gives {', '.join(others)}"
            )
            notes.append(f"the text gives more than one date for the order ({', '.join(others)})")
            for d in duties:
                if d.due and re.search(r"\b(?:after|before|on|upon)\s+order\b", d.due):
                    d.reviews.append(why)
    obligations = tuple(_finish(d, cleaned) for d in duties)
    draft = Draft(
        order_id=order_id,
        court=court,
        case=case,
        entered=entered,
        judge=judge_f.value if judge_f else "",
        found=found,
        obligations=obligations,
        text=t,
        consequence=consequence,
        notes=tuple(notes),
    )
    return _loads(draft)


def _loads(draft: Draft) -> Draft:
    """The draft, proved to load as drafted. Should a rule the drafter wrote not load (a rule
    linking duties in a way the loader refuses), the rules that name other duties are taken
    back to review, then every rule; a draft that still does not load is a defect of the
    drafter, reported as bad input (with what the loader said) rather than written."""
    from dataclasses import replace

    from obligations.orderfile import OrderFileErrors, parse_order

    ids = {o.id for o in draft.obligations}
    first: OrderFileErrors | None = None
    for step in range(3):
        if step == 1:
            linked = [
                o
                for o in draft.obligations
                if o.due and set(re.findall(r"[a-z0-9][a-z0-9_-]*", o.due)) & ids
            ]
            if not linked:
                continue
            draft = replace(draft, obligations=tuple(_demoted(o, ids) for o in draft.obligations))
        if step == 2:
            draft = replace(draft, obligations=tuple(_demoted(o, None) for o in draft.obligations))
        try:
            parse_order(draft.to_toml(), "<draft>")
            return draft
        except OrderFileErrors as exc:
            first = first or exc
    raise BadInput(f"the draft does not load (a defect of the drafter; please report it): {first}")


def _demoted(o: DraftObligation, ids: set[str] | None) -> DraftObligation:
    """``o`` with its rule taken back to review (only if it names one of ``ids``, when given)."""
    from dataclasses import replace

    if not o.due or (ids is not None and not set(re.findall(r"[a-z0-9][a-z0-9_-]*", o.due)) & ids):
        return o
    why = f"the rule read ('{o.due}') does not load as written: write it by hand"
    review = f"{o.review}; {why}" if o.review else why
    return replace(o, due=None, review=review, kind="deadline" if o.kind != "recurring" else o.kind)


def _finish(d: Duty, cleaned: Cleaned) -> DraftObligation:
    t = cleaned.text
    src = t[d.source_start : d.source_end] if d.source_start >= 0 else ""
    review = "; ".join(dict.fromkeys(r for r in d.reviews if r))
    kind = d.kind
    due = d.due
    if kind == "deadline" and not due and not review:
        review = "no time is stated for it"
    if kind in ("standing", "prohibition") and due:
        due = None
    return DraftObligation(
        id=d.id,
        party=d.party,
        kind=kind,
        summary=d.summary,
        text=t[d.start : d.end],
        span=(d.start, d.end),
        original_span=cleaned.original_span(d.start, d.end),
        cite=d.cite,
        due=due,
        source_text=src,
        source_span=(d.source_start, d.source_end) if src else None,
        condition=d.condition,
        consequence=d.consequence,
        review=review,
        on=d.on,
    )


def _duties(cleaned: Cleaned, entered: date) -> tuple[list[Duty], str]:
    t = cleaned.text
    bl = blocks(t)
    # recitals: with a decretal ("IT IS ORDERED that", "ORDERS as follows") before the end,
    # only what follows it imposes anything
    start_at = 0
    for m in DECRETAL.finditer(t):
        start_at = m.start()
        break
    else:
        # no decretal: an opinion's conclusion, in its second half, is where it orders
        ends = [m.start() for m in _CONCLUSION.finditer(t) if m.start() > len(t) // 2]
        if ends:
            start_at = ends[-1]
    duties: list[Duty] = []
    used: set[str] = set()
    rows = _schedule_rows(t, entered)
    order_consequence = ""
    pending_consequences: dict[int, list[str]] = {}
    list_of: Duty | None = None  # a duty whose sentence ends "the following documents ...:"
    for bi, b in enumerate(bl):
        if b.end <= start_at:
            continue
        s0 = max(b.start, start_at)
        item = bool(_ITEM.match(t, b.start))
        if not item:
            list_of = None
        queue: list[tuple[int, int, str]] = [
            (s, e, "") for s, e in _around_rows(_units(t, s0, b.end, b.ordered), rows)
        ]
        while queue:
            s, e, inherited = queue.pop(0)
            sentence = t[s:e]
            row = rows.get(s)
            if row is not None and row[0] == e:
                duties.append(_row_duty(t, s, e, row, b.cite, bi, used))
                continue
            modal = find_modal(sentence)
            if modal is None and not inherited:
                modal = _lapse(sentence)
            if modal is None and inherited:
                lead = re.match(
                    r"\s*(?:and\s+|or\s+)?(?:to\s+|shall\s+|must\s+|also\s+|either\s+)*", sentence
                )
                modal = Modal(0, lead.end() if lead else 0, "", inherited)
            if is_consequence(sentence, modal):
                pending_consequences.setdefault(bi, []).append(sentence.strip())
                continue
            if modal is None:
                if list_of is not None and item and s == _item_start(t, b.start):
                    duties.append(_item_duty(t, s, e, b.cite, bi, list_of, used))
                continue
            subject = modal.who or _subject(sentence[: modal.start()])
            if re.search(
                r"\brequires?\b|\bright\s+of\b|\bwill\s+require\b", modal.group(0), re.IGNORECASE
            ):
                subject = modal.group(0)
            prior = t[max(b.start, s - 600) : s] + sentence[: modal.start()]
            party, party_review = party_of(subject, prior)
            by_whom = re.match(
                r"\s+be\s+\w+(?:\s+[\w,]+){0,8}?\s+by\s+(?P<who>(?:counsel\s+for\s+)?(?:the\s+)?(?:plaintiffs?|defendants?|petitioners?|respondents?|appellants?|appellees?|debtors?|trustee|clerk(?:\s+of\s+(?:the\s+)?court)?))\b",
                sentence[modal.end() :],
                re.I,
            )
            if party == "both" and by_whom:  # "A copy shall be served ... by counsel for plaintiff"
                party, party_review = party_of(by_whom.group("who"), prior)
            summary, verb = summary_of(sentence, modal)
            kind = "standing"
            if _PROHIBITION.search(sentence):
                kind = "prohibition"
            rec = _RECURRING.search(sentence)
            on = ""
            if rec and kind != "prohibition":
                kind = "recurring"
                on = slug(
                    re.sub(
                        r"\b(?:is|are|was|were|has|have|been|new|set|a|an)\b", " ", rec.group("ev")
                    )
                )
                if on in _KEYWORDS or not re.match(r"[a-z]", on):
                    on = "event-" + on
            previous = duties[-1] if duties and duties[-1].block == bi else None
            rule = due_rule(sentence, s, duties, t, entered, previous)
            if re.match(r"(?:set|reset|scheduled|rescheduled|continued|due)\b", modal.words) and (
                rule is None or rule.due is None
            ):
                continue  # a bare "X set for" / "Y due on" is a duty only with the day it gives
            if rule is not None and rule.cuts and not inherited:
                parts = clauses(sentence, rule.cuts)
                if len(parts) > 1:
                    who = subject if not modal.who else modal.who
                    queue[:0] = [(s + a, s + b2, who) for a, b2 in parts]
                    continue
            d = Duty(s, e, b.cite, bi, party, kind, summary, verb)
            if party_review:
                d.reviews.append(party_review)
            if rule is not None:
                d.source_start, d.source_end = rule.start, rule.end
                if kind == "standing" or (kind == "prohibition" and rule.due):
                    kind = "deadline"
                d.kind = kind
                d.due = rule.due
                if rule.review:
                    d.reviews.append(rule.review)
                if kind == "prohibition":
                    d.due = None
            else:
                _same_deadline(d, sentence, modal, previous, duties, party)
            if d.kind == "recurring":
                d.on = on
            cond = _CONDITION.search(sentence)
            if cond:
                d.condition = cond.group(0).strip()
            if d.due:
                # the names a rule counts from are taken: no duty may be called as its event
                used.update(re.findall(r"[a-z0-9][a-z0-9_-]*(?=\.due|\.missed|\b)", d.due))
            d.id = _id(summary, used)
            duties.append(d)
            if (
                sentence.rstrip().endswith(":")
                and d.kind == "deadline"
                and re.match(r"(?:submit|file|serve|produce|lodge|provide|deliver)", d.verb)
            ):
                list_of = d  # papers to make, each a duty; not the contents of one paper
    duties = _without_repeated_rows(duties, rows, t)
    link_defined_terms(duties, t)
    # consequences: on the duties of their paragraph, else on the whole order
    for bi, sents in pending_consequences.items():
        targets = [d for d in duties if d.block == bi]
        text = " ".join(sents)
        if targets:
            for d in targets:
                d.consequence = text
        elif not order_consequence:
            order_consequence = text
    return duties, order_consequence


_LAPSE = re.compile(
    r"^\s*(?:\d{1,2}\.\s*)?If,?\s+(?:by\s+[^,]{4,40}(?:,\s*\d{4})?,\s+)?(?P<who>(?:the\s+)?(?:plaintiffs?|defendants?|petitioners?|respondents?|appellants?|appellees?|debtors?|movants?|counsel|parties|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}))\s+(?P<m>fails?\s+to|do(?:es)?\s+not)\s+(?=\w)"
)


def _lapse(sentence: str) -> Modal | None:
    """ "If, by August 27, 2009, plaintiff fails to make the initial partial payment ..., he
    will be held to have withdrawn this action": a duty stated by what follows its lapse, read
    only when the sentence gives a whole date (the day the duty must be done by)."""
    m = _LAPSE.match(sentence)
    if m is None or not find_dates(sentence):
        return None
    return Modal(m.start("m"), m.end("m"), m.group("m"), m.group("who"))


_PAPERS = r"motion|response|reply|filing|brief|report|petition|statement|submission|letter|notice|certificate|declaration|affidavit"
_REFERENCE = re.compile(
    rf"\b(?:accompany|with|in|to|into|of)\s+(?:such|the|this|that|any|its|their|his|her|each|said|a)\s+(?:above[- ]referenced\s+)?(?P<mod>(?:[\w-]+\s+){{0,2}})(?P<noun>{_PAPERS})\b"
    rf"|(?:^|\b(?:the|such|said|this|that|each|any)\s+|[\w]+['’]s?\s+)(?P<mod2>(?:[\w-]+\s+){{0,2}})(?P<noun2>{_PAPERS})\s+(?:must|shall|should|will)\b",
    re.IGNORECASE,
)


def _same_deadline(
    d: Duty, sentence: str, modal: Modal, previous: Duty | None, duties: list[Duty], party: str
) -> None:
    """A duty with no time of its own that rides on another: "attach to their response to this
    order", "shall also accompany such motion", "the written response must include" (due with
    the duty that makes that paper: ``by X.due``), "Plaintiff shall also confirm" (the
    paragraph's duty before it: its rule, flagged)."""
    for m in _REFERENCE.finditer(sentence):
        noun = (m.group("noun") or m.group("noun2")).lower()
        stem = "respon" if noun == "response" else noun[:5]
        makers = [
            o for o in duties if re.match(r"(?:file|serve|submit|make|made|lodge|show)", o.verb)
        ]
        mods = [
            w
            for w in re.findall(r"[a-z]+", (m.group("mod") or m.group("mod2") or "").lower())
            if w
            not in (
                "joint",
                "written",
                "above",
                "referenced",
                "said",
                "such",
                "same",
                "the",
                "a",
                "an",
                "this",
                "that",
                "each",
                "any",
                "their",
                "his",
                "her",
                "its",
                "s",
                "plaintiff",
                "plaintiffs",
                "defendant",
                "defendants",
                "party",
                "parties",
                "appellant",
                "appellee",
                "petitioner",
                "respondent",
                "counsel",
            )
        ]
        for other in [*reversed(makers), *reversed(duties)]:
            head = (other.summary + " " + other.verb).lower()
            if (
                other.due
                and not _periodic(other.due)
                and (stem in head or (stem == "respon" and "show cause" in head))
                and all(w[:5] in head for w in mods)  # "the opening brief" is not the reply brief
            ):
                d.kind = "deadline"
                d.due = f"by {other.id}.due"
                d.source_start, d.source_end = d.start + m.start(), d.start + m.end()
                return
    if (
        re.search(r"\balso\b", sentence[: modal.end() + 8], re.IGNORECASE)
        and previous is not None
        and previous.due
        and previous.party == party
    ):
        d.kind = "deadline"
        d.due = previous.due
        d.source_start, d.source_end = previous.source_start, previous.source_end
        d.reviews.append(
            f'no period of its own: read as due with {previous.id} ("also" in the same paragraph)'
        )


_FURTHER = re.compile(
    r"(?<=\S)\s+(?=(?:(?:it|IT)\s+(?:is|IS)\s+)?(?:further\s+|FURTHER\s+)?ORDERED\s+(?:that|THAT)\b)"
)


def _pieces(t: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences cut again where a new "ORDERED that" clause begins inside one ("...; and it
    is further ORDERED that the Clerk ...") and at a semicolon that separates two clauses each
    imposing something of its own ("...; if a party cannot ..., they may instead file ...")."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        cuts = [m.end() for m in _FURTHER.finditer(t, s, e) if m.end() > s + 10]
        bounds = [s, *cuts, e]
        for a, b in itertools.pairwise(bounds):
            pos = a
            for m in re.finditer(r";\s+(?!and\s+it\s+is\b)", t[a:b]):
                left, right = t[pos : a + m.start() + 1], t[a + m.end() : b]
                if len(left) > 20 and len(right) > 20 and find_modal(left) and find_modal(right):
                    out.append((pos, a + m.start() + 1))
                    pos = a + m.end()
            out.append((pos, b))
    return [(a, b) for a, b in out if t[a:b].strip()]


_ROW = re.compile(
    r"^[ \t]*(?P<label>[^\n]{2,100}?)[ \t.…_:-]*?[ \t]+(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?[ \t]+)?"
    r"(?P<date>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[ \t]+\d{1,2}(?:st|nd|rd|th)?,?[ \t]+\d{4}|\d{1,2}/\d{1,2}/\d{2,4})"
    r"(?:,?[ \t]+(?:at[ \t]+)?(?P<time>\d{1,2}(?::\d{2})?[ \t]*[ap]\.?[ \t]?m\.?))?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_INLINE_SCHEDULE = re.compile(r"\bschedule\b[^:.\n]{0,80}:", re.IGNORECASE)
_INLINE_ROW = re.compile(
    r"\s*(?P<label>(?:[A-Z][\w'’()-]*\s+){0,5}?[A-Z][\w'’()-]*(?:\s+(?:for|of|if\s+any|Curiae|Brief)[\w'’(),]*)*),?\s+"
    r"(?P<date>(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},\s+\d{4})"
)
_ROW_NOT = re.compile(
    r"\b(?:filed|dated|entered|decided|argued|submitted|signed)\b|^(?:in\s+the\s+)?(?:united\s+states\s+)?court\b|^(?:date|opinion|no\.|case)\b|\b(?:shall|must|will|may|should|is|are|was|were|has|have|the\s+court)\b",
    re.IGNORECASE,
)


_ROW_END = re.compile(r"(?:\d{2}|[ap]\.?\s?m\.?)[ \t]*$", re.IGNORECASE | re.MULTILINE)


def _row_lines(t: str) -> Iterator[re.Match[str]]:
    """``_ROW`` matched on the lines that end as a row does (a year or a time): the whole-text
    search backtracks on every line."""
    for end in _ROW_END.finditer(t):
        start = t.rfind("\n", 0, end.start()) + 1
        m = _ROW.match(t, start, end.end())
        if m:
            yield m


def _schedule_rows(t: str, entered: date) -> dict[int, tuple[int, date, str]]:
    """The rows of a schedule table: lines of a label and a date ("Initial Brief for
    Respondent March 31, 2017", "Appellee's Brief Fri, Oct 29 2004"), two or more near each
    other; by start: (end, day, time)."""
    found: list[tuple[int, int, date, str]] = []
    for m in _row_lines(t):
        label = m.group("label").strip()
        if _ROW_NOT.search(label) or not re.search(r"[A-Za-z]{3}", label):
            continue
        days = find_dates(m.group("date").replace(" ", " "))
        if not days:
            days = find_dates(re.sub(r"(\d)\s+(\d{4})$", r"\1, \2", m.group("date")))
        if not days or days[0][2] < entered:
            continue
        found.append((m.start("label"), m.end(), days[0][2], m.group("time") or ""))
    # a schedule run into one line: "the following briefing schedule will apply: Appellant's
    # Brief April 15, 2019 Appendix April 15, 2019 Appellees' Brief May 15, 2019"
    for intro in _INLINE_SCHEDULE.finditer(t):
        pos = intro.end()
        while True:
            row = _INLINE_ROW.match(t, pos)
            if not row or _ROW_NOT.search(row.group("label")):
                break
            days = find_dates(row.group("date"))
            if not days or days[0][2] < entered:
                break
            if all(f[0] != row.start("label") for f in found):
                found.append((row.start("label"), row.end(), days[0][2], ""))
            pos = row.end()
    found.sort()
    rows: dict[int, tuple[int, date, str]] = {}
    for i, (s, e, d, tm) in enumerate(found):
        near = [o for j, o in enumerate(found) if j != i and abs(o[0] - s) < 400]
        if near:
            rows[s] = (e, d, tm)
    return rows


def _around_rows(
    units: list[tuple[int, int]], rows: dict[int, tuple[int, date, str]]
) -> list[tuple[int, int]]:
    """Units with the schedule rows inside them taken out as units of their own."""
    if not rows:
        return units
    out: list[tuple[int, int]] = []
    starts = sorted(rows)
    for s, e in units:
        pos = s
        for r in starts:
            if pos <= r < e:
                if r > pos:
                    out.append((pos, r))
                out.append((r, rows[r][0]))
                pos = rows[r][0]
        if pos < e:
            out.append((pos, e))
    return [(a, b) for a, b in out if b > a]


_SETTING = re.compile(
    r"argument|hearing|conference|trial|session|docket\s+call|calendar\s+call|call\b|sentencing|mediation|arraignment",
    re.IGNORECASE,
)


_CONCLUSION = re.compile(
    r"^[ \t]*(?:CONCLUSION|ORDER)[ \t]*$|\b(?:For\s+the\s+(?:foregoing\s+)?reasons|Based\s+on\s+the\s+foregoing|In\s+light\s+of\s+the\s+foregoing|For\s+these\s+reasons)\b",
    re.MULTILINE,
)


def _without_repeated_rows(
    duties: list[Duty], rows: dict[int, tuple[int, date, str]], t: str
) -> list[Duty]:
    """A schedule row that repeats a setting the order states in a sentence too ("This case has
    been scheduled for oral argument on Thursday, January 13, 2005" and the table's "Oral
    Argument Thu, Jan 13 2005") is one duty: the sentence's. A row another rule names stays."""
    named = {n for d in duties if d.due for n in re.findall(r"[a-z0-9][a-z0-9_-]*", d.due)}
    out = []
    for d in duties:
        if d.start in rows and d.id not in named:
            words = [w for w in re.findall(r"[a-z]{4,}", d.summary)]
            if words and any(
                o is not d
                and o.start not in rows
                and o.due is not None
                and d.due is not None
                and o.due.split()[:2] == d.due.split()[:2]
                and all(w in t[o.start : o.end].lower() for w in words)
                for o in duties
            ):
                continue
        out.append(d)
    return out


def _row_duty(
    t: str, s: int, e: int, row: tuple[int, date, str], cite: str, bi: int, used: set[str]
) -> Duty:
    _, day, tm = row
    line = t[s:e]
    m = _ROW.match(line)
    label = m.group("label").strip() if m else line
    label = re.sub(r"^(?:[-•*]\s*)?(?:\d{1,3}[.)]|\(?[a-z]\)|[a-z]\.)\s+", "", label).rstrip(" :.")
    party, _ = party_of(label, "")
    if party not in ("plaintiff", "defendant", "both", "court") and not party.startswith("the "):
        party = "both"  # a row's label names the paper or the setting, not who owes it
    at = ""
    if tm:
        tmatch = TIME.search(tm)
        tv = time_value(tmatch) if tmatch else None
        at = f" {tv.strftime('%H:%M')}" if tv else ""
    word = "on" if _SETTING.search(label) else "by"
    # no verb: a row is a setting or a paper's day, never "counted from its completion"
    d = Duty(s, e, cite, bi, party, "deadline", label.lower(), "")
    d.due = f"{word} {day.isoformat()}{at}"
    if m:
        d.source_start, d.source_end = s + m.start("date"), e
    d.id = _id(label, used)
    return d


_ITEM = re.compile(
    r"[ \t]*(?:[-•*][ \t]*)?(?:\d{1,3}[.)]|\(\d{1,3}\)|[a-z][.)]|\([a-z]\))[ \t]+(?=[A-Z])"
)


def _item_start(t: str, start: int) -> int:
    m = _ITEM.match(t, start)
    return m.end() if m else start


def _item_duty(t: str, s: int, e: int, cite: str, bi: int, parent: Duty, used: set[str]) -> Duty:
    """One item of a list a duty introduces ("shall submit ... the following documents on or
    before 10/30/91:" / "1. Docketing Statement"): the same party and time, for this paper."""
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", t[s:e])[:6]
    d = Duty(s, e, cite, bi, parent.party, parent.kind, " ".join(words).lower(), parent.verb)
    d.due = parent.due
    d.source_start, d.source_end = parent.source_start, parent.source_end
    d.reviews = list(parent.reviews)
    d.condition = parent.condition
    d.id = _id(d.summary, used)
    return d


def _units(t: str, start: int, end: int, ordered: bool) -> list[tuple[int, int]]:
    """The sentences of a paragraph; an "ORDERED that ..." paragraph without its connective
    ("; and it is further") is one unit unless it holds several sentences."""
    out: list[tuple[int, int]] = []
    for s, e in _pieces(t, sentences(t, start, end)):
        seg = t[s:e]
        m = re.search(
            r"\s*(?:;\s*)?(?:and|AND)\s+(?:it\s+is\s+)?(?:further|FURTHER)\s*(?:ORDERED|ordered)?\s*[,:]?\s*$",
            seg,
        )
        if m:
            e = s + m.start() + (1 if seg[m.start() :].lstrip().startswith(";") else 0)
            cut = t[s:e]
            e = s + len(cut.rstrip())
        mk = re.match(
            r"^[ \t]*(?:[-•*][ \t]*)?(?:\d{1,3}\.|\(\w{1,4}\)|[a-z]\.|[A-HJ-UWYZ]\.(?=[ \t]+[A-Z]))[ \t]+",
            t[s:e],
        )
        if mk:
            s += mk.end()
        if e > s:
            out.append((s, e))
    return out

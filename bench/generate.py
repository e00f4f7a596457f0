"""A realistic docket of N obligations, the same for the same seed: for benchmarks and scale tests.

What it makes (``--as-of`` is the day the docket is taken on; default 2026-11-23):

- cases across all 94 federal district courts (the busiest weighted five times) and the five
  state trial courts, filed over the six years before ``as_of``; ids like ``nysd-2023-cv-001234``;
- per case a scheduling order (14- and 21-day duties from the order, fixed dates, duties
  chained on completions two deep, ``x.due`` chains, backward periods from a ``hearing`` and
  a ``settlement-conference``, a recurring duty on each set of discovery requests, standing
  duties and a prohibition, service by mail in the courts whose rules add days for it) and,
  once the case is old enough, a discovery order like the Eastern District of California
  example (14-day duties, four duties chained on the return of documents, a fixed joint-letter
  date, a sanctions warning) that extends a scheduling-order date in one case of three;
- a history of facts up to ``as_of``: the hearing set, sets of discovery requests served,
  completions (most on time, some late, a few duties left overdue), extensions, vacaturs, and
  court closures that reach every case of their court;
- attorneys and docketing clerks (one attorney per 100 cases, one clerk per 300), each case
  assigned to a lead attorney and a clerk, some to a second attorney for one party, some
  single duties to an attorney;
- the store's tables exactly as ``docketcal`` writes them: order versions with their text and
  hash, obligations with the schedule the engine computes from those orders and facts (so a
  recomputation of any case changes nothing), facts, history rows and Alembic's revision.

Every random choice of a case comes from a generator seeded with (seed, case number), so the
docket does not depend on how many worker processes made it. Case sizes vary (8 to 32
obligations); the last case is cut to make exactly N. Time stamps come from the facts' dates,
never from the clock, so the same seed gives the same rows.

The work: each case's orders are written as TOML, parsed by the order-file loader, scheduled
by the engine (again after each round of completions, as a clerk would record them) in
``--jobs`` processes; one writer inserts in case order: ``executemany`` on SQLite, ``COPY`` on
PostgreSQL, then ``ANALYZE``.

Run: ``.venv/bin/python bench/generate.py --db URL --obligations N [--seed S] [--as-of DATE]
[--schema NAME] [--jobs J]``. The database must have no docket yet (exit 2 otherwise).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import multiprocessing
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calendars import get_court
from calendars.courts import all_courts
from calendars.period import Period, Unit
from obligations import model
from obligations.engine import schedule
from obligations.orderfile import parse_order

# the store's own conversion of a scheduled item to its stored columns: the rows written here are
# then exactly what a recomputation would write
from obligations.store.docket import _values, fact_json, snapshot
from obligations.store.location import libpq_url

AS_OF = date(2026, 11, 23)
STATE_COURTS = ("calsuperct", "njsuper", "nysupct", "texdistct", "flacirct")  # trial courts
BUSY = ("nysd", "cacd", "ilnd", "txsd", "flsd", "njd", "paed", "caed", "cand", "mdd")
MAIL_SERVICE = ("frcp", "california")  # rule sets where "with service by mail" adds days
PARTIES = ("plaintiff", "defendant")
DATED = ("deadline", "recurring")  # kinds whose items have due dates to meet
MIN_SIZE, MAX_SIZE = 8, 32
SCHEDULING_DUTIES = 22  # duties a scheduling order can have (``scheduling_order``)


class GenerateError(ValueError):
    """Bad arguments or a database that already holds a docket: nothing written."""


# -- the plan: what each case is, drawn from the seed -----------------------------------------


def courts() -> tuple[list[str], list[int]]:
    """Every district court and state trial court the engine knows, with draw weights."""
    ids = [c.id for c in all_courts().values() if c.kind == "district"]
    ids += list(STATE_COURTS)
    return ids, [5 if c in BUSY else 1 for c in ids]


def sizes(obligations: int, seed: int) -> list[int]:
    """How many obligations each case has: 8 to 32, the last cut so they add up exactly."""
    rng = random.Random(f"{seed}:sizes")
    out: list[int] = []
    left = obligations
    while left > 0:
        n = min(left, rng.randint(MIN_SIZE, MAX_SIZE))
        out.append(n)
        left -= n
    return out


@dataclass
class Case:
    """One generated case: the rows ``docketcal`` would have written for it."""

    id: str
    court: str
    created_at: datetime
    orders: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    parties: tuple[str, ...] = PARTIES


def _at(day: date, rng: random.Random) -> datetime:
    """A time stamp on ``day`` during office hours (UTC), as a clerk would have recorded it."""
    return datetime.combine(day, clock(14 + rng.randrange(8), rng.randrange(60)), UTC)


def _uid(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _ob(oid: str, party: str, summary: str, text: str, cite: str, **keys: str) -> str:
    lines = ["[[obligation]]", f'id = "{oid}"', f'summary = "{summary}"', f'party = "{party}"']
    lines += [f'{k} = "{v}"' for k, v in keys.items()]
    lines += [f'cite = "{cite}"', f'text = """{text}"""', ""]
    return "\n".join(lines)


def scheduling_order(
    case: str, order_id: str, court: str, entered: date, rng: random.Random, size: int
) -> tuple[str, list[str]]:
    """A scheduling order of ``size`` duties (the first ``size`` of the list below: each one
    names only duties before it). The text and the duty ids."""
    mail = " with service by mail" if get_court(court).ruleset in MAIL_SERVICE else ""
    amend = _weekday(entered + timedelta(days=rng.randrange(45, 90)))
    close = _weekday(amend + timedelta(days=rng.randrange(90, 240)))
    dispositive = _weekday(close + timedelta(days=rng.randrange(30, 75)))
    p, d = "plaintiff", "defendant"
    duties = [
        _ob("initial-disclosures", "both", "exchange initial disclosures", "Within 14 days of entry of this order, the parties shall exchange the disclosures required by Rule 26(a)(1).", "¶ 1", due="14 days after order"),
        _ob("discovery-plan", "both", "file the joint discovery plan", "Within 21 days of entry of this order, the parties shall file a joint discovery plan.", "¶ 2", due="21 days after order"),
        _ob("produce-documents", d, "produce the documents requested", "Within 30 days of service of this order, defendant shall produce all documents responsive to plaintiff's first requests.", "¶ 3", due=f"30 days after order{mail}"),
        _ob("privilege-log", d, "serve a privilege log", "Within 14 days of completing its production, defendant shall serve a privilege log.", "¶ 3(a)", due="14 days after produce-documents"),
        _ob("deficiency-letter", p, "send any deficiency letter", "Within 14 days of receiving the privilege log, plaintiff shall identify any deficiency in writing.", "¶ 3(b)", due="14 days after privilege-log"),
        _ob("meet-and-confer", "both", "meet and confer before any motion", "The parties shall meet and confer in good faith before bringing any discovery dispute to the Court.", "¶ 4", kind="standing"),
        _ob("amend-pleadings", "both", "amend the pleadings", f"Any motion to amend the pleadings shall be filed no later than {amend:%B %-d, %Y}.", "¶ 5", due=f"by {amend.isoformat()}"),
        _ob("phone-call-per-request-set", "both", "confer by telephone on each set of requests", "Whenever a new set of discovery requests is propounded, the parties shall confer by telephone within 30 days.", "¶ 6", kind="recurring", on="discovery-propounded", due="30 days after discovery-propounded"),
        _ob("fact-discovery-close", "both", "complete fact discovery", f"All fact discovery shall be completed by {close:%B %-d, %Y}.", "¶ 7", due=f"on {close.isoformat()}"),
        _ob("expert-disclosures", "both", "disclose experts", "Expert disclosures are due 30 days after the close of fact discovery.", "¶ 8", due="30 days after fact-discovery-close.due"),
        _ob("rebuttal-experts", "both", "disclose rebuttal experts", "Rebuttal expert disclosures are due 30 days after the initial expert disclosures.", "¶ 8", due="30 days after expert-disclosures.due"),
        _ob("no-discovery-motions", "both", "no discovery motion without a conference", "No discovery motion shall be filed without prior leave of the Court.", "¶ 9", kind="prohibition"),
        _ob("dispositive-motions", "both", "file dispositive motions", f"Dispositive motions shall be filed no later than {dispositive:%B %-d, %Y}.", "¶ 10", due=f"on {dispositive.isoformat()}"),
        _ob("pretrial-statement", "both", "file the joint pretrial statement", "The joint pretrial statement is due 21 days before the final pretrial conference.", "¶ 11", due="21 days before hearing"),
        _ob("exhibit-lists", "both", "exchange exhibit lists", "Exhibit and witness lists shall be exchanged 14 days before the final pretrial conference.", "¶ 11(a)", due="14 days before hearing"),
        _ob("motions-in-limine", "both", "file motions in limine", "Motions in limine shall be filed 7 days before the final pretrial conference.", "¶ 12", due="7 days before hearing"),
        _ob("limine-oppositions", "both", "oppose motions in limine", "Oppositions to motions in limine are due 3 court days after the motions.", "¶ 12", due="3 court days after motions-in-limine.due"),
        _ob("settlement-statement", "both", "lodge the settlement conference statement", "Each party shall lodge a confidential settlement conference statement 7 days before the settlement conference.", "¶ 13", due="7 days before settlement-conference"),
        _ob("status-report", "both", "file a joint status report", "Within 60 days of entry of this order, the parties shall file a joint status report.", "¶ 14", due="60 days after order"),
        _ob("trial-briefs", "both", "file trial briefs", "Trial briefs are due 14 days after the pretrial statement is filed.", "¶ 15", due="14 days after pretrial-statement"),
        _ob("jury-instructions", "both", "file proposed jury instructions", "Proposed jury instructions are due 7 days after the trial briefs.", "¶ 15", due="7 days after trial-briefs.due"),
        _ob("courtesy-copies", "both", "deliver courtesy copies", "Courtesy copies of every filing over 25 pages shall be delivered to chambers.", "¶ 16", kind="standing"),
    ]  # fmt: skip
    duties = duties[:size]
    text = _head(case, order_id, court, entered, "Scheduling order", "scheduling") + "\n".join(
        duties
    )
    return text, [line.split('"')[1] for line in duties]


def discovery_order(
    case: str,
    order_id: str,
    court: str,
    entered: date,
    rng: random.Random,
    size: int,
    earlier: tuple[str, list[str]] | None,
) -> str:
    """An order after a discovery conference, like the E.D. Cal. example: ``size`` duties, and
    (in one case of three) an extension of a scheduling-order date."""
    letter = _weekday(entered + timedelta(days=rng.randrange(20, 45)))
    p, d = "plaintiff", "defendant"
    duties = [
        _ob("produce-remaining", p, "produce the remaining documents", "Within 14 days of issuance of this order, plaintiff shall produce all remaining documents responsive to defendant's requests.", "¶ 1", due="14 days after order"),
        _ob("confirm-in-writing", p, "confirm in writing that production is complete", "Plaintiff shall also confirm in writing, within the same 14 days, that his production is complete.", "¶ 1", due="14 days after order"),
        _ob("return-documents", d, "return documents for Bates stamping", "Within 14 days of issuance of this order, defendant shall return plaintiff's documents to him.", "¶ 2", due="14 days after order"),
        _ob("bates-stamp", p, "Bates stamp the returned documents", "Within 14 days of his documents being returned to him, plaintiff shall have each page Bates stamped.", "¶ 2(a)", due="14 days after return-documents"),
        _ob("serve-bates-copies", p, "serve the Bates-stamped copies", "Within the same 14 days, plaintiff shall serve copies of the Bates-stamped documents.", "¶ 2(b)", due="14 days after return-documents"),
        _ob("update-index", p, "update the document index", "Within the same 14 days, plaintiff shall update his document index with the Bates numbers.", "¶ 2(c)", due="14 days after return-documents"),
        _ob("serve-index", p, "serve the updated index", "Within the same 14 days, plaintiff shall serve the updated index.", "¶ 2(d)", due="14 days after return-documents"),
        _ob("revised-privilege-log", d, "serve the revised privilege log", "Within 14 days of issuance of this order, defendant shall serve a revised privilege log.", "¶ 3", due="14 days after order"),
        _ob("joint-letter", "both", "file a joint letter on the remaining disputes", f"If the parties are unable to resolve their remaining disputes, they shall file a single joint letter no later than {letter:%B %-d, %Y}.", "¶ 4", due=f"on {letter.isoformat()}", condition="if the parties are unable to resolve their remaining disputes"),
        _ob("sanctions-warning", "both", "meet and confer mindful of sanctions", "The parties are cautioned that failure to meet and confer in good faith may result in sanctions.", "¶ 5", kind="standing", consequence="sanctions"),
    ]  # fmt: skip
    duties = duties[:size]
    text = _head(case, order_id, court, entered, "Order after discovery conference", "discovery")
    text += "\n".join(duties)
    if earlier is not None and "expert-disclosures" in earlier[1] and rng.random() < 1 / 3:
        text += "\n".join(
            [
                "[[amend]]",
                f'order = "{earlier[0]}"',
                'obligation = "expert-disclosures"',
                'action = "extend"',
                'by = "30 days"',
                'reason = "Stipulation to extend expert deadlines granted"',
                "",
            ]
        )
    return text


def _head(case: str, order_id: str, court: str, entered: date, title: str, kind: str) -> str:
    return "\n".join(
        [
            f"# A generated {kind} order (bench/generate.py).",
            "[order]",
            f'id = "{order_id}"',
            f'case = "{case}"',
            f'court = "{court}"',
            f"entered = {entered.isoformat()}",
            f'title = "{title}"',
            'judge = "A. Judge, United States Magistrate Judge"',
            "",
            "",
        ]
    )


# -- one case: orders, facts, schedule ----------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    seed: int
    as_of: date
    closures: dict[str, tuple[model.Closure, ...]]
    clerks: int


def make_case(setting: Setting, index: int, size: int, court: str) -> Case:
    """Case ``index`` of ``size`` obligations, with the facts recorded in it up to ``as_of``."""
    rng = random.Random(f"{setting.seed}:case:{index}")
    as_of = setting.as_of
    filed = as_of - timedelta(days=rng.randrange(20, 6 * 365))
    case = Case(f"{court}-{filed.year}-cv-{index:06d}", court, _at(filed, rng))
    clerk = f"clerk{1 + index % setting.clerks}@firm.example"

    first_entered = min(as_of, filed + timedelta(days=rng.randrange(14, 90)))
    second_entered = first_entered + timedelta(days=rng.randrange(60, 300))
    # Sets of discovery requests served: each gives the recurring duty (the scheduling order's
    # 8th) an instance of its own, so the order declares that many fewer duties.
    sets: list[date] = []
    day = first_entered
    for _ in range(rng.randrange(0, 4)):
        day = day + timedelta(days=rng.randrange(20, 120))
        if day <= as_of:
            sets.append(day)
    if size - len(sets) < 8:
        sets = sets[: max(0, size - 8)]
    declared = size - len(sets)
    two = declared >= 14 and second_entered <= as_of and rng.random() < 0.6
    if declared > SCHEDULING_DUTIES:  # more than one order holds: the second comes sooner
        two, second_entered = True, min(second_entered, as_of)
    first_size = declared - min(10, declared // 3) if two else declared
    ecf = rng.randrange(10, 40)
    texts = []
    first_id = f"ecf-{ecf}"
    text, ids = scheduling_order(case.id, first_id, court, first_entered, rng, first_size)
    texts.append((first_id, first_entered, "Scheduling order", text))
    if two:
        second_id = f"ecf-{ecf + rng.randrange(8, 60)}"
        text = discovery_order(
            case.id, second_id, court, second_entered, rng, declared - first_size, (first_id, ids)
        )
        texts.append((second_id, second_entered, "Order after discovery conference", text))

    orders = []
    for oid, entered, title, text in texts:
        path = f"orders/{case.id}/{oid}.toml"
        orders.append(parse_order(text, path, together=True))
        sha = hashlib.sha256(text.encode()).hexdigest()
        loaded = _at(entered + timedelta(days=rng.randrange(0, 3)), rng)
        case.orders.append(
            {"case_id": case.id, "order_id": oid, "version": 1, "court": court,
             "entered": entered, "title": title, "path": path, "text": text, "sha256": sha,
             "loaded_at": loaded, "loaded_by": clerk}
        )  # fmt: skip

    # Facts, as the clerk recorded them: the hearing and settlement conference are set some
    # weeks after the scheduling order; sets of discovery requests are served; then duties are
    # done round by round, each round opening the duties chained on the last.
    facts: list[tuple[Any, dict[str, Any]]] = []

    def event(name: str, at: date | datetime, recorded: date, occurrence: str = "") -> None:
        day = at if not isinstance(at, datetime) else at.date()
        instant = (
            at.replace(tzinfo=get_court(court).zone).astimezone(UTC)
            if isinstance(at, datetime)
            else None
        )
        facts.append(
            (
                model.Event(case.id, name, at, occurrence=occurrence),
                {"kind": "event", "case_id": case.id, "name": name, "day": day, "at": instant,
                 "occurrence": occurrence, "recorded_at": _at(recorded, rng), "recorded_by": clerk},
            )
        )  # fmt: skip

    hearing_set = first_entered + timedelta(days=rng.randrange(30, 200))
    if hearing_set <= as_of:
        hearing = _weekday(hearing_set + timedelta(days=rng.randrange(90, 420)))
        at: date | datetime = (
            datetime.combine(hearing, clock(rng.choice((9, 10, 13, 14)), 0))
            if rng.random() < 0.4
            else hearing
        )
        event("hearing", at, hearing_set)
        conference = _weekday(hearing - timedelta(days=rng.randrange(30, 80)))
        if rng.random() < 0.7:
            event("settlement-conference", conference, hearing_set)
    for k, served in enumerate(sets):
        event("discovery-propounded", served, served, occurrence=f"set {k + 1}")

    closures = tuple(
        c for o in {o.court for o in orders} for c in setting.closures.get(o, ())
    )  # every case of a court sees its closures
    decided: set[str] = set()
    extended: set[str] = set()
    for _ in range(6):
        sched = schedule(orders, _facts(facts, closures), date.min)
        new = []
        for item in sched.items:
            if item.ref in decided or item.due is None or item.kind.value not in DATED:
                continue
            if item.state.value in ("done", "vacated"):
                continue
            due = item.due.due
            record_by = due + timedelta(days=3)
            if record_by > as_of and due > as_of:
                continue  # not yet due: left open
            decided.add(item.ref)
            roll = 0.0 if item.ref in extended else rng.random()  # extended, then met
            if roll < 0.86:
                on = due - timedelta(days=rng.choice((0, 0, 0, 1, 2, 3)))
            elif roll < 0.93:
                on = due + timedelta(days=rng.randrange(1, 5))  # late
            elif roll < 0.945:
                continue  # never done: overdue
            elif roll < 0.98:
                new.append(("extension", item, due - timedelta(days=2)))
                decided.discard(item.ref)
                extended.add(item.ref)
                continue
            else:
                new.append(("vacatur", item, due - timedelta(days=5)))
                continue
            new.append(("done", item, min(on, as_of)))
        if not new:
            break
        for kind, item, on in new:
            key = {"case_id": case.id, "order_id": item.order, "obligation_id": item.obligation}
            if kind == "done":
                facts.append(
                    (
                        model.Completion(case.id, item.order, item.obligation, on),
                        {"kind": "done", **key, "day": on, "recorded_at": _at(max(on, first_entered), rng), "recorded_by": clerk},
                    )
                )  # fmt: skip
            elif kind == "extension":
                facts.append(
                    (
                        model.Extension(case.id, item.order, item.obligation, by=_DAYS_14, reason="Stipulation granted"),
                        {"kind": "extension", **key, "by_period": "14 days", "reason": "Stipulation granted", "recorded_at": _at(on, rng), "recorded_by": clerk},
                    )
                )  # fmt: skip
            else:
                facts.append(
                    (
                        model.Vacatur(case.id, item.order, item.obligation, reason="Mooted by settlement of the claim"),
                        {"kind": "vacatur", **key, "reason": "Mooted by settlement of the claim", "recorded_at": _at(on, rng), "recorded_by": clerk},
                    )
                )  # fmt: skip
    # facts are stored in the order they were recorded; that order is their ``seq``
    facts.sort(key=lambda f: f[1]["recorded_at"])
    case.facts = [row for _, row in facts]
    final = schedule(orders, _facts(facts, closures), date.min)
    loaded = schedule(orders, model.Facts.of(list(closures)), date.min)
    at_load = {item.ref: _values(item) for item in loaded.items}
    last_change = max(
        [f["recorded_at"] for f in case.facts] + [o["loaded_at"] for o in case.orders]
    )
    order_loaded = {o["order_id"]: o["loaded_at"] for o in case.orders}
    who = clerk
    for o, parsed in zip(case.orders, orders, strict=True):
        case.history.append(
            {"at": o["loaded_at"], "who": who, "what": "order loaded", "case_id": case.id,
             "ref": f"{case.id}/{o['order_id']}", "why": f"{o['path']} ({len(parsed.obligations)} obligations)",
             "before": None, "after": {"version": 1, "sha256": o["sha256"]}}
        )  # fmt: skip
    for item in final.items:
        values = _values(item)
        first = at_load.get(item.ref, values)
        changed = any(first[k] != values[k] for k in values)
        added_at = order_loaded[item.order]
        case.history.append(
            {"at": added_at, "who": who, "what": "obligation added", "case_id": case.id,
             "ref": item.ref, "why": "order loaded", "before": None, "after": snapshot({**first, "revision": 0}, court)}
        )  # fmt: skip
        if changed:
            case.history.append(
                {"at": last_change, "who": who, "what": "schedule changed", "case_id": case.id,
                 "ref": item.ref, "why": "facts recorded", "before": snapshot({**first, "revision": 0}, court),
                 "after": snapshot({**values, "revision": 1}, court)}
            )  # fmt: skip
        case.obligations.append(
            {"ref": item.ref, "uid": _uid(rng), "case_id": case.id, "order_id": item.order,
             "obligation_id": item.obligation, "court": item.court, **values,
             "revision": 1 if changed else 0, "changed_at": last_change if changed else added_at}
        )  # fmt: skip
    for f in case.facts:
        what = {"event": "event recorded", "done": "done", "extension": "extended", "vacatur": "vacated"}[f["kind"]]  # fmt: skip
        ref = None if f["kind"] == "event" else f"{case.id}/{f['order_id']}/{f['obligation_id']}"
        case.history.append(
            {"at": f["recorded_at"], "who": who, "what": what, "case_id": case.id, "ref": ref,
             "why": f.get("reason", ""), "before": None,
             "after": fact_json(f)}
        )  # fmt: skip
    case.history.sort(key=lambda h: h["at"])
    if len(case.obligations) != size:
        raise AssertionError(f"case {index}: {len(case.obligations)} obligations, not {size}")
    case.parties = tuple(sorted({item.party for item in final.items} - {"both"})) or PARTIES
    return case


_DAYS_14 = Period(14, Unit.DAYS)


def _facts(
    facts: Sequence[tuple[Any, dict[str, Any]]], closures: Sequence[model.Closure]
) -> model.Facts:
    """The engine's facts, ``seq`` in recording order as the store numbers them."""
    ordered = sorted(range(len(facts)), key=lambda i: facts[i][1]["recorded_at"])
    seqs = {i: n + 1 for n, i in enumerate(ordered)}
    out = [dataclasses.replace(fact, seq=seqs[i]) for i, (fact, _) in enumerate(facts)]
    return model.Facts.of([*out, *closures])


# -- the whole docket ---------------------------------------------------------------------------


def closures(seed: int, as_of: date, ids: Sequence[str]) -> dict[str, tuple[model.Closure, ...]]:
    """A few days some courthouses were closed (weather, a building emergency) over six years."""
    rng = random.Random(f"{seed}:closures")
    out: dict[str, tuple[model.Closure, ...]] = {}
    for court in ids:
        if rng.random() < 0.2:
            days = {
                _weekday(as_of - timedelta(days=rng.randrange(30, 6 * 365)))
                for _ in range(rng.randrange(1, 3))
            }
            out[court] = tuple(
                model.Closure(court, d, reason="Courthouse closed: severe weather")
                for d in sorted(days)
            )
    return out


def plan_courts(seed: int, count: int) -> list[str]:
    ids, weights = courts()
    return random.Random(f"{seed}:courts").choices(ids, weights, k=count)


_SETTING: Setting | None = None


def _init(setting: Setting) -> None:
    global _SETTING
    _SETTING = setting


def _work(job: tuple[int, int, str]) -> Case:
    assert _SETTING is not None
    return make_case(_SETTING, *job)


def generate(
    obligations: int, seed: int = 1, as_of: date = AS_OF, jobs: int = 1
) -> Iterator[Case | list[dict[str, Any]]]:
    """First the people, then the closures (as fact rows), then every case in order."""
    counts = sizes(obligations, seed)
    where = plan_courts(seed, len(counts))
    attorneys, clerks = max(3, len(counts) // 100), max(1, len(counts) // 300)
    people = [
        {"id": n + 1, "name": f"Attorney {n + 1}", "email": f"attorney{n + 1}@firm.example",
         "role": "attorney", "created_at": datetime.combine(as_of - timedelta(days=6 * 365), clock(15), UTC)}
        for n in range(attorneys)
    ] + [
        {"id": attorneys + n + 1, "name": f"Clerk {n + 1}", "email": f"clerk{n + 1}@firm.example",
         "role": "clerk", "created_at": datetime.combine(as_of - timedelta(days=6 * 365), clock(15), UTC)}
        for n in range(clerks)
    ]  # fmt: skip
    yield people
    shut = closures(seed, as_of, sorted(set(where)))
    yield [
        {"kind": "closure", "court": c.court, "day": c.day, "reason": c.reason,
         "source": "clerk's notice", "recorded_at": datetime.combine(c.day, clock(13), UTC),
         "recorded_by": "clerk1@firm.example"}
        for court in sorted(shut) for c in shut[court]
    ]  # fmt: skip
    setting = Setting(seed, as_of, shut, clerks)
    work = [(i, n, where[i]) for i, n in enumerate(counts)]
    if jobs <= 1:
        _init(setting)
        yield from map(_work, work)
        return
    with multiprocessing.get_context("fork").Pool(jobs, _init, (setting,)) as pool:
        yield from pool.imap(_work, work, chunksize=16)


def assignments(
    seed: int, index: int, case: Case, attorneys: int, clerks: int
) -> list[dict[str, Any]]:
    """Who answers for case ``index``: a lead attorney and a clerk for the whole case, sometimes
    a second attorney for one party, sometimes an attorney for one duty."""
    rng = random.Random(f"{seed}:assign:{index}")
    at = case.created_at
    out = [
        {"person_id": 1 + rng.randrange(attorneys), "case_id": case.id, "party": None, "obligation_ref": None},
        {"person_id": attorneys + 1 + index % clerks, "case_id": case.id, "party": None, "obligation_ref": None},
    ]  # fmt: skip
    if rng.random() < 0.3:
        out.append({"person_id": 1 + rng.randrange(attorneys), "case_id": case.id,
                    "party": rng.choice(case.parties), "obligation_ref": None})  # fmt: skip
    if rng.random() < 0.05 and case.obligations:
        out.append({"person_id": 1 + rng.randrange(attorneys), "case_id": case.id, "party": None,
                    "obligation_ref": rng.choice(case.obligations)["ref"]})  # fmt: skip
    for a in out:
        a["created_at"], a["created_by"] = at, "clerk1@firm.example"
    return out


COLUMNS: dict[str, tuple[str, ...]] = {
    "case": ("id", "court", "created_at"),
    "order_version": ("id", "case_id", "order_id", "version", "court", "entered", "title", "path", "text", "sha256", "loaded_at", "loaded_by"),
    "obligation": ("id", "ref", "uid", "case_id", "order_id", "obligation_id", "court", "party", "text", "summary", "cite", "kind", "when_text", "consequence", "condition", "active", "state", "due", "due_at", "safe_due", "done_on", "late_by", "waiting_on", "chain", "readings", "warnings", "trace", "amendments", "depends_on", "revision", "changed_at", "end_at", "opens_on", "review", "source_text"),
    "person": ("id", "name", "email", "role", "created_at"),
    "assignment": ("id", "person_id", "case_id", "party", "obligation_ref", "created_at", "created_by"),
    "fact": ("id", "kind", "case_id", "court", "order_id", "obligation_id", "name", "day", "at", "by_period", "occurrence", "undone", "reason", "note", "source", "supersedes", "recorded_at", "recorded_by", "service", "met"),
    "history": ("id", "at", "who", "what", "case_id", "ref", "why", "before", "after"),
}  # fmt: skip
JSON_COLUMNS = frozenset(
    ("waiting_on", "chain", "readings", "warnings", "trace", "amendments", "depends_on", "before", "after")
)  # fmt: skip
DEFAULTS: dict[str, Any] = {
    "occurrence": "",
    "undone": False,
    "reason": "",
    "note": "",
    "source": "",
}


class Writer:
    """Bulk rows into an empty docket: ``executemany`` on SQLite, ``COPY`` on PostgreSQL. Ids are
    given here, in the order rows come, so the same seed numbers them the same."""

    def __init__(self, url: str, schema: str | None = None) -> None:
        from obligations.store.db import Database, revision, upgrade

        self.url, self.schema = url, schema
        self.sqlite = url.startswith("sqlite")
        if not self.sqlite and not url.startswith("postgresql"):
            raise GenerateError(f"--db {url}: expected a sqlite:/// or postgresql+psycopg:// URL")
        if not self.sqlite and schema:
            import psycopg

            with psycopg.connect(libpq_url(url), autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        db = Database(url, schema=schema)
        try:
            if revision(db.engine) is not None:
                from sqlalchemy import text

                with db.engine.connect() as conn:
                    if conn.execute(text("SELECT count(*) FROM obligation")).scalar():
                        raise GenerateError(
                            f"--db {url}: the database already holds a docket; generate into a new one"
                        )
            upgrade(db.writer)
        finally:
            db.dispose()
        if self.sqlite:
            self.conn: Any = sqlite3.connect(url.split("///", 1)[1])
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("BEGIN")
        else:
            import psycopg

            options = f"-csearch_path={schema}" if schema else None
            self.conn = (
                psycopg.connect(libpq_url(url), options=options)
                if options
                else psycopg.connect(libpq_url(url))
            )
        self.next_id = {t: 1 for t in COLUMNS}
        self.buffer: dict[str, list[tuple[Any, ...]]] = {t: [] for t in COLUMNS}
        self.counts = {t: 0 for t in COLUMNS}

    def add(self, table: str, row: dict[str, Any]) -> int:
        if table != "case":
            row = {**row, "id": self.next_id[table]}
            self.next_id[table] += 1
        self.buffer[table].append(
            tuple(self._value(c, row.get(c, DEFAULTS.get(c))) for c in COLUMNS[table])
        )
        if len(self.buffer[table]) >= 5000:
            for parent_first in COLUMNS:  # a child's rows never go in before their parents'
                self.flush(parent_first)
        return int(row["id"]) if table != "case" else 0

    def _value(self, column: str, value: Any) -> Any:
        if column in JSON_COLUMNS:
            return None if value is None else json.dumps(value)
        if not self.sqlite:
            return value
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    def flush(self, table: str) -> None:
        rows, self.buffer[table] = self.buffer[table], []
        if not rows:
            return
        self.counts[table] += len(rows)
        cols = COLUMNS[table]
        name = f'"{table}"'
        if self.sqlite:
            marks = ", ".join("?" for _ in cols)
            self.conn.executemany(f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({marks})", rows)
            return
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        for table in COLUMNS:  # parents before children
            self.flush(table)
        if self.sqlite:
            self.conn.execute("COMMIT")
            self.conn.execute("ANALYZE")
        else:
            with self.conn.cursor() as cur:
                for table in COLUMNS:
                    if table != "case":
                        cur.execute(
                            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
                        )
            self.conn.commit()
            self.conn.autocommit = True
            self.conn.execute("ANALYZE")
        self.conn.close()


def write(
    url: str,
    obligations: int,
    *,
    seed: int = 1,
    as_of: date = AS_OF,
    schema: str | None = None,
    jobs: int = 1,
    progress: bool = False,
) -> dict[str, int]:
    """Generate the docket into ``url`` (which must hold no docket yet); the rows per table."""
    if obligations < 1:
        raise GenerateError(f"--obligations {obligations}: expected a whole number from 1 up")
    writer = Writer(url, schema)
    stream = generate(obligations, seed, as_of, jobs)
    people = next(stream)
    assert isinstance(people, list)
    attorneys = sum(1 for p in people if p["role"] == "attorney")
    clerks = len(people) - attorneys
    for p in people:
        writer.add("person", p)
    shut = next(stream)
    assert isinstance(shut, list)
    for f in shut:
        writer.add("fact", f)
    done = 0
    step = max(1, obligations // 10)
    for index, case in enumerate(stream):
        assert isinstance(case, Case)
        writer.add("case", {"id": case.id, "court": case.court, "created_at": case.created_at})
        for o in case.orders:
            writer.add("order_version", o)
        for ob in case.obligations:
            writer.add("obligation", ob)
        for f in case.facts:
            writer.add("fact", f)
        for h in case.history:
            writer.add("history", h)
        for a in assignments(seed, index, case, attorneys, clerks):
            writer.add("assignment", a)
        before, done = done, done + len(case.obligations)
        if progress and done // step != before // step:
            print(f"  {done:,} of {obligations:,} obligations", file=sys.stderr, flush=True)
    writer.finish()
    return writer.counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="sqlite:///PATH or postgresql+psycopg://...")
    parser.add_argument("--obligations", type=int, required=True, help="how many (1 up)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF, help="YYYY-MM-DD")
    parser.add_argument("--schema", default=None, help="PostgreSQL: the schema to fill")
    parser.add_argument("--jobs", type=int, default=multiprocessing.cpu_count())
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        counts = write(args.db, args.obligations, seed=args.seed, as_of=args.as_of,
                       schema=args.schema, jobs=args.jobs, progress=True)  # fmt: skip
    except GenerateError as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"figure": "generate", "obligations": args.obligations, "cases": counts["case"],
                      "rows": counts, "seed": args.seed, "as_of": args.as_of.isoformat(),
                      "backend": "sqlite" if args.db.startswith("sqlite") else "postgresql",
                      "seconds": round(time.perf_counter() - start, 1)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

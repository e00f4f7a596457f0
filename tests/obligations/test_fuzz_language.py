"""Fuzzing the order language (issue 13, issue 14, the weekday step): mutated valid order
files, random and mutated due rules. Whatever comes in, the loader answers with errors naming
file, line and column, or with an order the engine schedules; never a traceback; and a refused
file writes nothing to the docket. The budget comes from the hypothesis profile (``make fuzz``: large)."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars import ComputeError, UnknownCourt
from calendars.data import data_path
from obligations.calculator import calculate
from obligations.checks import run_checks
from obligations.engine import schedule
from obligations.model import Completion, Condition, Event, Facts, Obligation, Order
from obligations.orderfile import OrderFileErrors, parse_order, with_warnings
from obligations.store.db import Database, upgrade
from obligations.store.docket import Docket, DocketError
from obligations.when import WhenSyntaxError, format_when, names, parse_when

GOLDEN = Path(__file__).parent / "golden" / "language.toml"

#: Valid order files to mutate: the examples and one with every form of issue 14.
LANGUAGE = (Path(__file__).parent / "good" / "language.toml").read_text(encoding="utf-8")
SEEDS = [p.read_text(encoding="utf-8") for p in sorted(data_path("orders").glob("*.toml"))]
SEEDS.append(LANGUAGE)

FRAGMENTS = [
    "\n",
    " ",
    "=",
    '"',
    "'",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "#",
    "\\",
    '"""',
    "[[check]]",
    "[[obligation]]",
    "[[amend]]",
    "[order]",
    "id",
    "due",
    "given",
    "expect",
    "every",
    "thereafter",
    "until",
    "for 3 times",
    "or",
    ", whichever is earlier",
    "once it happens",
    ", and in any event",
    "upon",
    "on order",
    ".missed",
    ".due",
    "/",
    "#2",
    "0 days",
    "9999-12-31",
    "0001-01-01",
    "2025-02-30",
    "1850-01-01",
    "2024-01-19T17:00:00",
    "10:00 to 09:00",
    "\\u0000",
    "\\u001b",
    "\x00",
    "\x1b",
    "é",
    "\ud800" * 0,
    "🙂",
    '"all"',
    "met",
    "not-met",
    "service",
    "mail",
    "{ on = 2025-01-10 }",
    "[" * 40,
    "review",
    "condition_id",
    'by = "60 days"',
    "obligations = []",
    "by 10:00 on the monday after",
    "on the friday next after",
    'due = "by 10:00 on the monday after 20 days after service"',
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid order file with a few random edits: cut, repeat, insert or change a piece."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 40)))
        how = draw(st.sampled_from(["cut", "repeat", "insert", "replace", "lines"]))
        if how == "cut":
            text = text[:i] + text[j:]
        elif how == "repeat":
            text = text[:j] + text[i:j] + text[j:]
        elif how == "insert":
            piece = draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)))
            text = text[:i] + piece + text[i:]
        elif how == "replace":
            piece = draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)))
            text = text[:i] + piece + text[j:]
        else:
            lines = text.split("\n")
            random.Random(draw(st.integers(0, 2**16))).shuffle(lines[: draw(st.integers(2, 12))])
            text = "\n".join(lines)
    return text


def _exercise(order: Order) -> None:
    """Everything done with a loaded order: its warnings, its checks, its schedule."""
    with_warnings(order, [order], None)
    run_checks([order])
    for as_of in (order.entered, date(2025, 6, 1)):
        schedule([order], Facts(), as_of)


@pytest.mark.fuzz
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_a_mutated_order_file_is_refused_with_positions_or_scheduled(text: str) -> None:
    try:
        order = parse_order(text, "fuzz.toml", together=True)
    except OrderFileErrors as exc:
        assert exc.errors
        for e in exc.errors:
            assert e.path == "fuzz.toml" and e.line >= 1 and e.column >= 1 and e.message
        return
    _exercise(order)


@pytest.fixture(scope="module")
def docket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Docket, Database, Path]]:
    folder = tmp_path_factory.mktemp("fuzz")
    db = Database(f"sqlite:///{folder / 'docket.db'}")
    upgrade(db.writer)
    try:
        yield Docket(db, "fuzz"), db, folder
    finally:
        db.dispose()


def _rows(db: Database) -> tuple[int, ...]:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return tuple(
            conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
            for t in ("case", "order_version", "obligation", "fact", "history", "pending_amendment")
        )


@pytest.mark.fuzz
@settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(mutated())
def test_a_mutated_order_file_refused_by_order_load_writes_nothing(
    docket: tuple[Docket, Database, Path], text: str
) -> None:
    store, db, folder = docket
    path = folder / "order.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = _rows(db)
    try:
        store.load([path], apply=True)
    except (OrderFileErrors, DocketError):
        assert _rows(db) == before


# --- due rules --------------------------------------------------------------------------------

WORDS = [
    "on", "by", "upon", "immediately", "every", "and", "thereafter", "until", "for", "times",
    "time", "or", ",", "whichever", "is", "earlier", "later", "once", "it", "happens", "in",
    "any", "event", "the", "of", "after", "before", "with", "service", "mail", "order", "days",
    "day", "court", "weeks", "months", "years", "hours", "1", "3", "14", "90", "0", "10000",
    "10001", "2025-03-03", "2025-02-30", "9999-12-31", "0001-01-01", "10:00", "to", "from",
    "12:00", "09:00", "x", "x.due", "x.missed", "o/x", "o/x.due", "hearing", "receipt",
    "Hearing", "a/b/c", "x.late", "2025-03-03T10:00", "monday", "Monday", "sunday", "next",
    "mondy", "9:00",
]  # fmt: skip
VALID = [
    "120 days after service or by 2025-03-03, whichever is earlier",
    "by 2025-06-06 or 30 days after ruling, whichever is later",
    "120 days after service, and in any event by 2025-03-03",
    "by 2025-06-06, or 30 days after ruling once it happens",
    "immediately upon protective-order",
    "by 2025-03-01 and every 90 days thereafter until stay-lifted",
    "every 180 days after order for 4 times",
    "3 days after perfect.missed",
    "on 2024-01-19 10:00 to 12:00",
    "14 days after the later of a, b with service by mail",
    "by 10:00 on the monday after 20 days after service",
    "on the friday next after 2 court days after the later of a, b with service by mail",
    "by 17:00 on the sunday after 1 month after x.due or by 2025-03-03, whichever is later",
    "on the monday after 3 weeks after order and every 1 month thereafter for 3 times",
]


@st.composite
def phrases(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=14)))
    words = draw(st.sampled_from(VALID)).split(" ")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(words)))
        how = draw(st.sampled_from(["cut", "insert", "swap"]))
        if how == "cut" and words:
            del words[min(i, len(words) - 1)]
        elif how == "insert":
            words.insert(i, draw(st.one_of(st.sampled_from(WORDS), st.text(max_size=5))))
        elif len(words) > 1:
            k = min(i, len(words) - 2)
            words[k], words[k + 1] = words[k + 1], words[k]
    return " ".join(words)


@pytest.mark.fuzz
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phrases(), st.dates(date(1900, 1, 1), date(2200, 12, 31)))
def test_a_random_due_rule_is_refused_at_a_column_or_scheduled(text: str, day: date) -> None:
    try:
        when = parse_when(text)
    except WhenSyntaxError as err:
        assert 1 <= err.column <= len(text) + 1
        return
    assert parse_when(format_when(when)) == when
    with contextlib.suppress(WhenSyntaxError, ComputeError, UnknownCourt):
        calculate("njd", text)
    own = [n for n in names(when) if "/" not in n]
    duties = [Obligation("x", "both", "The duty.", "¶ 1", due=parse_when("on 2025-03-03"))]
    duties.append(Obligation("y", "both", "The duty.", "¶ 2", due=when, condition="if so"))
    order = Order("o", "c", "njd", date(2025, 1, 6), obligations=tuple(duties))
    facts = Facts(
        events=tuple(Event("c", n, day, seq=k, service="mail") for k, n in enumerate(own, 1)),
        completions=(Completion("c", "o", "x", day, seq=99),),
        conditions=(Condition("c", "y", True, seq=100),),
    )
    for as_of in (date.min, day):
        result = schedule([order], facts, as_of)
        for item in result.items:
            if item.due is not None:
                assert [s.step for s in item.due.trace] == list(range(1, len(item.due.trace) + 1))


@pytest.mark.fuzz
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dates(date(1990, 1, 1), date(2100, 12, 31)),
    st.integers(1, 400),
    st.sampled_from(["days", "weeks", "months", "court days"]),
    st.sampled_from(["monday", "tuesday", "wednesday", "thursday", "friday"]),
    st.sampled_from(["texdistct", "njd", "calsuperct"]),
)
def test_a_weekday_rule_is_due_on_that_weekday_after_the_period_or_the_court_day_after_it(
    served: date, n: int, unit: str, day: str, court: str
) -> None:
    """Whatever the dates: due after the period's last day, on the weekday named or, when that
    is not a court day, within the week after it; at 10:00; the safe date the earliest reading."""
    unit = unit if n > 1 else unit.removesuffix("s")
    text = f"by 10:00 on the {day} after {n} {unit} after service"
    when = parse_when(text)
    assert parse_when(format_when(when)) == when
    duty = Obligation("answer", "both", "Answer.", "¶ 1", due=when)
    order = Order("o", "c", court, served, obligations=(duty,))
    facts = Facts(events=(Event("c", "service", served, seq=1),))
    (item,) = schedule([order], facts, served).items
    due = item.due
    if due is None:  # a computation the rules refuse is flagged for review, never guessed
        assert item.review, item
        return
    steps = due.trace
    assert [s.step for s in steps] == list(range(1, len(steps) + 1))
    assert all(s.rule for s in steps)
    assert due.due > served and due.safe_due == min(r.due for r in due.readings) <= due.due
    assert due.due_at is not None and (due.due_at.hour, due.due_at.minute) == (10, 0)
    target = ["monday", "tuesday", "wednesday", "thursday", "friday"].index(day)
    lag = (due.due.weekday() - target) % 7
    assert lag == 0 or (lag < 7 and any("not a court day" in w for w in due.warnings))

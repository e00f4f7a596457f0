"""The bulk path (calendars/fast.py, cli/bulk.py) gives exactly what the general path gives.

Generated requests over every court of the registry, rule sets asked for by name, dates from
1900 to 2200, periods in every unit, both directions, every service method, other versions of
the rule (``rules_as_of``) and closures; the general path is the rule set's own computation with
the tables and the rule set's quick path switched off. The answers are compared as JSON, and the
bulk calculator's output line by line, with and without the trace.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calendars
from calendars import (
    RULESET_IDS,
    SERVICE_METHODS,
    ComputeError,
    Direction,
    Due,
    Period,
    Request,
    Unit,
    all_courts,
    compute,
    compute_general,
    get_court,
)
from calendars.fast import plan, quick_line
from calendars.rulesets.federal import Federal
from cli import bulk

COURTS = sorted(all_courts())
#: courts whose rule set takes the bulk path, and some that do not
BUSY = ["caed", "njd", "dcd", "nysd", "txsd", "flsd", "ilnd", "mad", "ca9", "nysb", "uscfc", "tax"]
UNITS = [Unit.DAYS, Unit.DAYS, Unit.DAYS, Unit.WEEKS, Unit.COURT_DAYS, Unit.MONTHS, Unit.YEARS]


@contextmanager
def general_path() -> Iterator[None]:
    """Inside: ``calendars.compute`` as it was before the tables, without the quick path."""
    with (
        mock.patch.object(calendars, "quick_days", lambda *args: None),
        mock.patch.object(Federal, "quick", lambda *args: None),
    ):
        yield


def outcome(run: Callable[[], Due], trace: bool = True) -> tuple[str, str]:
    try:
        return "due", json.dumps(run().to_json(trace=trace), ensure_ascii=False)
    except ComputeError as exc:
        return "refused", str(exc)


anchors = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.dates(min_value=date(2009, 11, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(
        [  # the edges: rule amendments, Juneteenth 2021, the end of the supported years
            date(2009, 11, 30),
            date(2009, 12, 1),
            date(2016, 11, 20),
            date(2016, 12, 1),
            date(2021, 6, 10),
            date(2021, 6, 17),
            date(2023, 11, 28),
            date(2200, 12, 20),
        ]
    ),
)
counts = st.one_of(st.integers(1, 70), st.integers(1, 4000))


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str | None, Request]:
    court = draw(st.one_of(st.sampled_from(BUSY), st.sampled_from(COURTS)))
    rules = draw(st.one_of(st.none(), st.none(), st.sampled_from(RULESET_IDS)))
    unit = draw(st.sampled_from(UNITS))
    n = draw(counts)
    if unit is Unit.MONTHS:
        n = min(n, 60)
    if unit is Unit.YEARS:
        n = min(n, 5)
    anchor = draw(anchors)
    req = Request(
        anchor=anchor,
        period=Period(n, unit),
        direction=draw(st.sampled_from([Direction.AFTER, Direction.AFTER, Direction.BEFORE])),
        service=draw(st.sampled_from([*SERVICE_METHODS, "none", "none", "pigeon"])),
        closures=draw(st.one_of(st.just(frozenset()), st.frozensets(anchors, max_size=1))),
        rules_as_of=draw(st.one_of(st.none(), st.none(), st.none(), anchors)),
    )
    return court, rules, req


@settings(max_examples=3000, deadline=None)
@given(requests())
def test_compute_gives_exactly_what_the_general_path_gives(
    case: tuple[str, str | None, Request],
) -> None:
    court, rules, req = case
    fast = outcome(lambda: compute(court, req, rules=rules))
    bare = outcome(lambda: compute(court, req, rules=rules), trace=False)
    with general_path():
        general = outcome(lambda: compute_general(court, req, rules=rules, quick=False))
        general_bare = outcome(
            lambda: compute_general(court, req, rules=rules, quick=False), trace=False
        )
    assert fast == general
    assert bare == general_bare


@settings(max_examples=3000, deadline=None)
@given(requests(), st.booleans())
def test_a_quick_line_is_the_general_line(
    case: tuple[str, str | None, Request], trace: bool
) -> None:
    court_id, rules, req = case
    if type(req.anchor) is not date or req.period is None or req.closures or req.rules_as_of:
        return
    court = get_court(court_id)
    line = quick_line(court, rules, req.anchor, req.period, req.direction, req.service, trace)
    if line is None:
        return
    with general_path():
        kind, general = outcome(
            lambda: compute_general(court, req, rules=rules, quick=False), trace
        )
    assert (kind, line) == ("due", general)


# -- the bulk calculator, line by line ---------------------------------------------------------

WAYS = ["after", "before", "after"]
DAYS_TEXT = st.one_of(
    st.builds(lambda d: d.isoformat(), anchors),
    st.sampled_from(["2023-02-30", "2013-11-12", "1899-12-31", "2201-01-01", "2024-02-29"]),
)


@st.composite
def phrases(draw: st.DrawFn) -> str:
    n = draw(st.one_of(st.integers(1, 70), st.integers(0, 12000)))
    unit = draw(st.sampled_from(["days", "days", "weeks", "day", "court days", "months", "Days"]))
    way = draw(st.sampled_from(WAYS))
    text = f"{n} {unit} {way} {draw(DAYS_TEXT)}"
    if draw(st.integers(0, 20)) == 0:
        text = draw(st.sampled_from([" ", "  ", "\t"])) + text
    if draw(st.integers(0, 20)) == 0:
        text = draw(
            st.sampled_from(["on 2013-07-15", "by 2013-07-15 17:00", "14 days after order"])
        )
    return text


@st.composite
def lines(draw: st.DrawFn) -> str:
    req: dict[str, Any] = {}
    if draw(st.integers(0, 30)):
        req["court"] = draw(
            st.one_of(
                st.sampled_from(BUSY),
                st.sampled_from(COURTS),
                st.sampled_from(["CAED", " njd", "nowhere", "caéd", 'ca"ed', 7, None]),
            )
        )
    if draw(st.integers(0, 30)):
        req["when"] = draw(phrases())
    optional: dict[str, st.SearchStrategy[Any]] = {
        "service": st.sampled_from([*SERVICE_METHODS, None, "", "pigeon", 3]),
        "closures": st.one_of(
            st.just([]), st.none(), st.lists(DAYS_TEXT, max_size=1), st.just("x")
        ),
        "rules": st.sampled_from([*RULESET_IDS, None, "", "bogus"]),
        "rules_as_of": st.one_of(st.none(), DAYS_TEXT),
        "trace": st.sampled_from([True, False, None, 1]),
        "color": st.just("red"),
    }
    for key, values in optional.items():
        if draw(st.integers(0, 4 if key != "color" else 60)) == 0:
            req[key] = draw(values)
    if draw(st.integers(0, 6)) == 0:
        req = dict(sorted(req.items(), reverse=True))
    compact = draw(st.integers(0, 8)) == 0
    text = json.dumps(
        req, separators=(",", ":") if compact else None, ensure_ascii=draw(st.booleans())
    )
    if draw(st.integers(0, 10)) == 0:  # JSON's own whitespace around the object and its tokens
        text = text.replace(": ", ":\t ").replace("{", " {\r").replace("}", "\n } ")
    if draw(st.integers(0, 40)) == 0:
        text = draw(st.sampled_from(["not json", "[1, 2]", "", "   ", '{"court": "caed"'])) or text
    return text


def answers(text: bytes, trace: bool) -> list[str]:
    out: list[str] = []
    bulk.run(text.splitlines(keepends=True), out.append, trace=trace)
    return "".join(out).splitlines()


def streamed(text: bytes, trace: bool, block: int) -> list[str]:
    """The answers of a run reading ``text`` as a stream, in blocks of at most ``block`` bytes
    (a block boundary inside a line, a line longer than a block)."""
    out: list[str] = []
    with mock.patch.object(bulk, "_BLOCK", block):
        bulk.run(io.BytesIO(text), out.append, trace=trace)
    joined = "".join(out)
    assert not out or joined.endswith("\n")
    return joined.split("\n")[:-1]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(lines(), min_size=1, max_size=25),
    st.booleans(),
    st.sampled_from([1, 7, 64, 1 << 20]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_the_bulk_calculator_writes_the_general_lines(
    batch: list[str], trace: bool, block: int, newline: str, last_newline: bool
) -> None:
    text = (newline.join(batch) + (newline if last_newline else "")).encode("utf-8")
    fast = streamed(text, trace, block)
    if b"\r" not in text:  # the same lines given one by one
        assert fast == answers(text, trace)
    with general_path():
        expected = [
            bulk.general(number, line, trace)
            for number, line in enumerate(io.BytesIO(text), 1)
            if line.strip()
        ]
    assert fast == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            lines().map(lambda line: line.encode("utf-8")),
            st.sampled_from(
                [
                    b'{"court": "caed", "when": "14 days after 2014-03-11", "service": "\xff"}',
                    b"\xc3",
                    b'{"court": "caed", "when": "14 days after 2014-03-11"}\r',
                    b"\r",
                    b" \x0b\x0c",
                    "\u00a0".encode(),
                    b'{"court": "caed",\r"when": "14 days after 2014-03-11"}',
                ]
            ),
        ),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
    st.sampled_from([1, 16, 1 << 20]),
)
def test_lines_that_are_not_utf_8_or_hold_carriage_returns_are_answered_as_read(
    batch: list[bytes], trace: bool, block: int
) -> None:
    """A line is what a binary stream reads up to each newline (a carriage return inside it
    stays in it); a block with a line that is not UTF-8 is answered line by line."""
    text = b"\n".join(batch) + b"\n"
    fast = streamed(text, trace, block)
    with general_path():
        expected = [
            bulk.general(number, line, trace)
            for number, line in enumerate(io.BytesIO(text), 1)
            if line.strip()
        ]
    assert fast == expected


def test_the_bulk_path_is_taken_for_plain_periods() -> None:
    """A test that would pass if the tables were never used proves nothing: these requests
    must be answered by them (a change of words in a rule set that the pieces of
    calendars/fast.py do not follow shows here first)."""
    taken = 0
    for court_id in ["caed", "njd", "nysd", "ca9", "nysb", "uscfc"]:
        court = get_court(court_id)
        assert plan(court, None) is not None
        for method in ["none", "mail", "electronic", "hand"]:
            for way in (Direction.AFTER, Direction.BEFORE):
                for anchor in (date(2014, 3, 11), date(2019, 3, 4), date(2025, 2, 3)):
                    period = Period(14, Unit.DAYS)
                    if quick_line(court, None, anchor, period, way, method) is not None:
                        taken += 1
    assert taken == 6 * 4 * 2 * 3
    assert plan(get_court("tax"), None) is None  # the Tax Court counts in its own way


def test_a_plain_period_from_the_tables_with_its_trace() -> None:
    """Worked by hand from Fed. R. Civ. P. 6(a)(1), 6(a)(4)(A) and 6(d): 14 days after Tue
    2014-03-11 is Tue 2014-03-25, a court day, ending at 23:59 Pacific daylight time; service by
    mail adds 3 days after the period, Fri 2014-03-28, a court day; 6(d) adds nothing to a
    period counted before an event (14 days before Mon 2024-05-20 is Mon 2024-05-06)."""
    court = get_court("caed")
    period = Period(14, Unit.DAYS)
    after = Direction.AFTER

    def line(anchor: date, way: Direction, method: str, trace: bool = True) -> dict[str, Any]:
        text = quick_line(court, None, anchor, period, way, method, trace)
        assert text is not None
        found: dict[str, Any] = json.loads(text)
        return found

    plain = line(date(2014, 3, 11), after, "none")
    assert (plain["due"], plain["due_at"]) == ("2014-03-25", "2014-03-25T23:59-07:00")
    assert [s["step"] for s in plain["trace"]] == [1, 2, 3]
    mailed = line(date(2014, 3, 11), after, "mail")
    assert mailed["due"] == "2014-03-28"
    assert [s["to"] for s in mailed["trace"]][:4] == [
        "2014-03-25",
        "2014-03-25",
        "2014-03-28",
        "2014-03-28",
    ]
    assert mailed["trace"][2]["rule"] == "Fed. R. Civ. P. 6(d)"
    before = line(date(2024, 5, 20), Direction.BEFORE, "mail")
    assert before["due"] == "2024-05-06"
    assert any("before an event" in w for w in before["warnings"])
    bare = line(date(2014, 3, 11), after, "none", trace=False)
    assert "trace" not in bare and bare["due"] == "2014-03-25"


#: last days near the days whose status is unsettled: state holidays counted forward (the day
#: after Thanksgiving, Cesar Chavez Day, Good Friday, Texas's and New York's own days),
#: executive-order closures (Dec. 24 of some years), Inauguration Day in Washington
UNSETTLED_DAYS = st.builds(
    lambda year, day: date(year, 1, 1).fromordinal(date(year, 1, 1).toordinal() + day),
    st.integers(2010, 2030),
    st.sampled_from([*range(17, 23), *range(80, 110), *range(320, 335), *range(352, 364)]),
)


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from(["caed", "txsd", "nysd", "dcd", "flsd", "ca9", "nysb", "mdd", "uscfc"]),
    UNSETTLED_DAYS,
    st.lists(st.integers(1, 120), min_size=2, max_size=4, unique=True),
    st.sampled_from([Direction.AFTER, Direction.AFTER, Direction.BEFORE]),
    st.lists(st.sampled_from(["none", "mail", "electronic", "hand", "consented"]), min_size=4),
)
def test_an_unsettled_answer_kept_for_its_last_day_is_the_general_answer(
    court: str, first: date, counts: list[int], way: Direction, methods: list[str]
) -> None:
    """Requests that reach the same unrolled last day from different anchors and with other
    service methods: the first is computed the general way and kept, the others are answered
    from it when their service adds days or not alike."""
    for n, method in zip(counts, methods, strict=False):
        anchor = date.fromordinal(first.toordinal() + (-n if way is Direction.AFTER else n))
        req = Request(anchor=anchor, period=Period(n, Unit.DAYS), direction=way, service=method)
        fast = outcome(lambda req=req: compute(court, req))
        with general_path():
            general = outcome(lambda req=req: compute_general(court, req, quick=False))
        assert fast == general


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["caed", "txsd", "nysd", "dcd", "ca2", "nysb", "uscfc", "flsd", "mdd"]),
    st.lists(
        st.one_of(
            st.dates(min_value=date(2009, 12, 1), max_value=date(2031, 12, 31)),
            UNSETTLED_DAYS,
            st.sampled_from([date(2020, 12, 31), date(2021, 1, 1), date(2022, 12, 31)]),
        ),
        min_size=1,
    ),
    st.booleans(),
)
def test_a_roll_table_says_what_the_rule_set_s_roll_says(
    court_id: str, days: list[date], forward: bool
) -> None:
    """The table fills every day a roll steps over from one roll, or a whole year from the
    year's marked days: asked in any order, each day still rolls where the rule set's own roll
    (``Federal._quick_roll``) takes it, at the edges of a year too."""
    from calendars.days import RollTable
    from calendars.rulesets import get_ruleset

    court = get_court(court_id)
    rs = get_ruleset(court.ruleset)
    assert isinstance(rs, Federal)
    book = rs.book(court)
    table = RollTable(lambda d, way: rs._quick_roll(book, d, way), forward)
    by_year = RollTable(lambda d, way: rs._quick_roll(book, d, way), forward, book.marked)
    for day in days:
        for d in (
            day,
            date.fromordinal(day.toordinal() + 1),
            date.fromordinal(day.toordinal() - 1),
        ):
            to = rs._quick_roll(book, d, forward)
            expected = 0 if to is None else to.toordinal()
            assert table(d.toordinal()) == expected
            assert by_year(d.toordinal()) == expected


def test_a_roll_table_filled_by_year_agrees_with_the_roll_on_every_day() -> None:
    """Every day of years with the holidays that move or are unsettled (Juneteenth's first
    year, an inauguration, executive-order closures), both ways, in courts with and without
    their state's holidays and Inauguration Day."""
    from calendars.days import RollTable
    from calendars.rulesets import get_ruleset

    for court_id in ["caed", "txsd", "dcd", "mdd", "flsd", "ca2"]:
        court = get_court(court_id)
        rs = get_ruleset(court.ruleset)
        assert isinstance(rs, Federal)
        book = rs.book(court)
        for forward in (True, False):
            table = RollTable(partial(rs._quick_roll, book), forward, book.marked)
            for year in (2010, 2019, 2020, 2021, 2025):
                o = date(year, 1, 1).toordinal()
                while date.fromordinal(o).year == year:
                    to = rs._quick_roll(book, date.fromordinal(o), forward)
                    assert table(o) == (0 if to is None else to.toordinal()), (court_id, o)
                    o += 1


@given(st.text())
def test_a_piece_of_a_line_quotes_text_as_json_dumps_does(text: str) -> None:
    from calendars.fast import _q

    assert _q(text) == json.dumps(text, ensure_ascii=False)

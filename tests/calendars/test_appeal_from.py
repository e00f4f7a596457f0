"""Fed. R. App. P. 26(a)(6)(C): the holidays of the states of the district court appealed from
and of the circuit clerk's principal office, checked on generated requests."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars import (
    ComputeError,
    Direction,
    Period,
    Request,
    Unit,
    UnknownCourt,
    all_courts,
    compute,
    compute_general,
    get_court,
    get_ruleset,
)
from calendars.fast import quick_line
from calendars.holidays import STATE
from calendars.rulesets.federal import NEAR_DC

APPEALS = sorted(c.id for c in all_courts().values() if c.kind == "appeals")
DISTRICTS = {
    a: sorted(c.id for c in all_courts().values() if c.kind == "district" and c.circuit == a)
    for a in APPEALS
}
PAIRS = [(a, d) for a, ds in DISTRICTS.items() for d in ds]


@st.composite
def appeals(draw: st.DrawFn) -> tuple[str, str, Request]:
    court, district = draw(st.sampled_from(PAIRS))
    anchor = draw(st.dates(min_value=date(2010, 1, 1), max_value=date(2027, 12, 31)))
    n = draw(st.integers(min_value=1, max_value=60))
    return court, district, Request(anchor=anchor, period=Period(n, Unit.DAYS))


def _holidays(court: str, states: set[str], year: int) -> set[date]:
    rs = get_ruleset("frap")
    return {
        h.day
        for h in rs.holidays(get_court(court), year)
        if h.layer == STATE and h.state in states and not h.arguable
    }


@settings(max_examples=150, deadline=None)
@given(appeals())
def test_the_named_district_lies_between_the_readings(case: tuple[str, str, Request]) -> None:
    """Naming the district court gives a date no earlier than the default (the clerk's state
    alone) and no later than the latest reading (every district court's state)."""
    court, district, req = case
    unnamed = compute(court, req)
    named = compute(court, Request(anchor=req.anchor, period=req.period, appeal_from=district))
    assert unnamed.safe_due <= unnamed.due <= named.due
    assert named.due <= max(r.due for r in unnamed.readings)


@settings(max_examples=150, deadline=None)
@given(appeals())
def test_both_states_holidays_count(case: tuple[str, str, Request]) -> None:
    court, district, req = case
    named = compute(court, Request(anchor=req.anchor, period=req.period, appeal_from=district))
    states = {get_court(court).state, get_court(district).state}
    assert named.due not in _holidays(court, states, named.due.year)
    # the district court itself, counting under FRAP, gives the same date (but for Inauguration
    # Day, which closes the courts near Washington where they sit, not a state's holiday)
    if district not in NEAR_DC:
        assert compute(district, req, rules="frap").due == named.due


@settings(max_examples=100, deadline=None)
@given(appeals())
def test_the_general_path_agrees(case: tuple[str, str, Request]) -> None:
    court, district, req = case
    for c, r, rules in (
        (court, Request(anchor=req.anchor, period=req.period, appeal_from=district), None),
        (district, req, "frap"),
        (court, req, None),
    ):
        assert compute(c, r, rules=rules) == compute_general(c, r, rules=rules, quick=False)


def test_a_rolled_day_names_the_state_and_the_rule() -> None:
    req = Request(anchor=date(2025, 7, 28), period=Period(30, Unit.DAYS), appeal_from="txsd")
    due = compute("ca5", req)
    (roll,) = [s for s in due.trace if s.start != s.end and s.rule.endswith("(a)(1)(C)")]
    assert "Texas" in roll.note
    assert "the state of the district court appealed from, S.D. Tex." in roll.note
    assert "Fed. R. App. P. 26(a)(6)(C)" in roll.note


def test_an_unnamed_district_is_a_reading() -> None:
    due = compute("ca5", Request(anchor=date(2025, 7, 28), period=Period(30, Unit.DAYS)))
    assert due.due == due.safe_due == date(2025, 8, 27)
    assert len(due.readings) == 2
    assert "not named" in due.readings[0].assumes
    assert any("--appeal-from" in w for w in due.warnings)


@pytest.mark.parametrize(
    ("court", "appeal_from", "rules", "says"),
    [
        ("ca5", "txsx", None, "did you mean txsd"),
        ("ca5", "nysd", None, "appealed to ca2"),
        ("ca5", "ca2", None, "must be a district court"),
        ("txsd", "txnd", "frap", "itself the court appealed from"),
        ("txsd", "txsd", None, "only under Fed. R. App. P. 26"),
        ("nysb", "nysd", "frap", "named for a court of appeals"),
    ],
)
def test_a_bad_court_appealed_from_is_refused(
    court: str, appeal_from: str, rules: str | None, says: str
) -> None:
    req = Request(anchor=date(2025, 7, 28), period=Period(30, Unit.DAYS), appeal_from=appeal_from)
    with pytest.raises((ComputeError, UnknownCourt)) as err:
        compute(court, req, rules=rules)
    assert says in str(err.value)


def test_the_federal_circuit_takes_any_district() -> None:
    req = Request(anchor=date(2025, 7, 28), period=Period(30, Unit.DAYS), appeal_from="txsd")
    assert compute("cafc", req).due == date(2025, 8, 28)


@settings(max_examples=100, deadline=None)
@given(appeals(), st.sampled_from([Direction.AFTER, Direction.BEFORE]))
def test_the_bulk_line_of_a_district_court_under_frap_is_the_general_one(
    case: tuple[str, str, Request], direction: Direction
) -> None:
    """``compute --jsonl`` with "rules": "frap" in a district court: its tables hold both
    states' holidays, and every state holiday met is left to the general path."""
    _, district, req = case
    court = get_court(district)
    assert req.anchor is not None and req.period is not None
    line = quick_line(court, "frap", req.anchor, req.period, direction, "none")
    if line is not None:
        general = Request(anchor=req.anchor, period=req.period, direction=direction)
        assert json.loads(line) == compute_general(court, general, rules="frap").to_json()


def test_a_fixed_date_is_no_reading_of_an_unnamed_district() -> None:
    # Wed 2025-08-27, Lyndon Baines Johnson Day in Texas: a date the court fixed is not a
    # computed period; with the district court not named nothing is said of that state's day
    due = compute("ca5", Request(fixed=date(2025, 8, 27)))
    assert [r.due for r in due.readings] == [date(2025, 8, 27)]
    assert not due.warnings

"""Invariants of every rule set, checked on generated requests (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from calendars import (
    RULESET_IDS,
    Direction,
    Period,
    Request,
    Unit,
    all_courts,
    compute,
    get_court,
    get_ruleset,
)
from calendars.holidays import COURT, EO_CLOSURE, FEDERAL, INAUGURATION, STATE, Holiday


def _cases() -> list[tuple[str, str]]:
    """(court, rule set) pairs from the registry: every rule set, each with up to two of its
    courts (a rule set no court uses by default, like frcrp, with a district court)."""
    courts = all_courts()
    cases: list[tuple[str, str]] = []
    for rules in RULESET_IDS:
        ids = sorted(cid for cid, c in courts.items() if c.ruleset == rules)
        cases += [(cid, rules) for cid in (ids[:1] + ids[-1:] if ids else ["njd"])]
    return sorted(set(cases))


CASES = _cases()
#: layers a rule set does not count as non-court days (RCFC 6(a)(6) has no state-holiday clause)
NOT_COUNTED = {"rcfc": {STATE}}
FORWARD_LAYERS = {FEDERAL, EO_CLOSURE, STATE, INAUGURATION, COURT}

anchors = st.dates(min_value=date(2010, 1, 1), max_value=date(2027, 12, 31))
periods = st.builds(
    Period,
    st.integers(min_value=1, max_value=120),
    st.sampled_from([Unit.DAYS, Unit.WEEKS, Unit.MONTHS, Unit.COURT_DAYS]),
)


@st.composite
def requests(draw: st.DrawFn, direction: Direction = Direction.AFTER) -> tuple[str, str, Request]:
    court, rules = draw(st.sampled_from(CASES))
    method = draw(st.sampled_from(sorted(get_ruleset(rules).methods)))
    period = draw(periods)
    if period.unit is Unit.MONTHS:
        period = Period(min(period.n, 24), Unit.MONTHS)
    req = Request(anchor=draw(anchors), period=period, direction=direction, service=method)
    return court, rules, req


def _non_court_days(court_id: str, rules: str, year: int) -> set[date]:
    court = get_court(court_id)
    rs = get_ruleset(rules)
    layers = FORWARD_LAYERS - NOT_COUNTED.get(rules, set())
    return {
        h.day
        for h in rs.holidays(court, year)
        if h.layer in layers and not _other_district_state(court.kind, court.state, h)
    }


def _other_district_state(kind: str, state: str, h: Holiday) -> bool:
    """A court of appeals' book also holds the holidays of the states of its circuit's district
    courts: they count only when the request names the district court appealed from."""
    return kind == "appeals" and h.layer == STATE and h.state not in ("", state)


def test_every_rule_set_is_tried() -> None:
    assert {rules for _, rules in CASES} == set(RULESET_IDS)


@settings(max_examples=400, deadline=None)
@given(requests())
def test_a_forward_due_date_is_a_court_day(case: tuple[str, str, Request]) -> None:
    court, rules, req = case
    due = compute(court, req, rules=rules)
    assert due.due.weekday() < 5
    assert due.due not in _non_court_days(court, rules, due.due.year)


@settings(max_examples=300, deadline=None)
@given(requests(), st.integers(min_value=1, max_value=40))
def test_a_later_anchor_never_gives_an_earlier_due_date(
    case: tuple[str, str, Request], later: int
) -> None:
    court, rules, req = case
    assert req.anchor is not None
    moved = Request(
        anchor=req.anchor + timedelta(days=later), period=req.period, service=req.service
    )
    first, second = compute(court, req, rules=rules), compute(court, moved, rules=rules)
    assert first.due <= second.due
    assert first.safe_due <= second.safe_due


@settings(max_examples=400, deadline=None)
@given(st.one_of(requests(), requests(Direction.BEFORE)))
def test_the_safe_date_is_never_after_the_due_date(case: tuple[str, str, Request]) -> None:
    court, rules, req = case
    due = compute(court, req, rules=rules)
    assert due.safe_due <= due.due
    assert due.safe_due == min(r.due for r in due.readings)
    assert due.readings[0].due == due.due


@settings(max_examples=400, deadline=None)
@given(requests(Direction.BEFORE))
def test_a_backward_due_date_is_never_after_the_anchor_minus_the_period(
    case: tuple[str, str, Request],
) -> None:
    court, rules, req = case
    assert req.anchor is not None and req.period is not None
    if req.period.unit is not Unit.DAYS and req.period.unit is not Unit.WEEKS:
        return
    days = req.period.n * (7 if req.period.unit is Unit.WEEKS else 1)
    due = compute(court, req, rules=rules)
    assert due.due <= req.anchor - timedelta(days=days)


@settings(max_examples=200, deadline=None)
@given(requests())
def test_every_trace_step_is_numbered_and_cited(case: tuple[str, str, Request]) -> None:
    court, rules, req = case
    due = compute(court, req, rules=rules)
    assert [s.step for s in due.trace] == list(range(1, len(due.trace) + 1))
    assert all(s.rule and s.note for s in due.trace)


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(requests(), requests(Direction.BEFORE)),
    st.sampled_from(["caed", "njd", "dcd", "mad", "ca9", "ca3", "nysb", "txwb", "uscfc", "tax"]),
)
def test_the_quick_path_gives_exactly_what_the_general_path_gives(
    case: tuple[str, str, Request], court_id: str
) -> None:
    _, _, req = case
    court = get_court(court_id)
    rs = get_ruleset(court.ruleset)
    if req.service not in rs.methods:
        return
    quick = rs.compute(court, req)
    rs.compute(court, req, quick=False)  # the first general run records the year's notes
    general = rs.compute(court, req, quick=False)
    assert quick.to_json() == general.to_json()

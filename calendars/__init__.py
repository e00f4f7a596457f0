"""Court calendars and the time-computation core.

``compute(court, request)`` answers "when is it due?" under the court's own time rules, with a
numbered trace, every reading of unsettled law, and the earliest safe date. Pure: no clock, no
database, no network.
"""

from __future__ import annotations

from datetime import date, datetime

from calendars.courts import Court, UnknownCourt, all_courts, get_court
from calendars.due import ComputeError, Due, Reading, Step
from calendars.errors import FIRST_YEAR, LAST_YEAR, OutOfSpan, check_span
from calendars.fast import quick_days
from calendars.period import SERVICE_METHODS, Direction, Period, Request, Unit
from calendars.rulesets import RULESET_IDS, get_ruleset

_METHODS = frozenset(SERVICE_METHODS)
#: No period is longer than the supported span of years: a longer one is a typo, and refusing it
#: keeps every addition far from the calendar's edges (dates overflow at year 9999).
_SPAN_DAYS = (LAST_YEAR - FIRST_YEAR + 1) * 366
_MAX_N = {
    Unit.DAYS: _SPAN_DAYS,
    Unit.COURT_DAYS: _SPAN_DAYS,
    Unit.WEEKS: _SPAN_DAYS // 7,
    Unit.HOURS: _SPAN_DAYS * 24,
    Unit.MONTHS: (LAST_YEAR - FIRST_YEAR + 1) * 12,
    Unit.YEARS: LAST_YEAR - FIRST_YEAR + 1,
}


def compute(court: str | Court, request: Request, *, rules: str | None = None) -> Due:
    """The due date of ``request`` in ``court`` (``rules`` overrides the court's rule set,
    e.g. ``frcrp`` for a criminal case in a district court)."""
    if isinstance(court, str):
        court = get_court(court)
    # a plain period in days or weeks: from tables (calendars/fast.py), which know no court
    # appealed from (their answers are the court's alone)
    due = quick_days(court, request, rules) if request.appeal_from is None else None
    if due is not None:
        return due
    return compute_general(court, request, rules=rules)


def compute_general(
    court: str | Court, request: Request, *, rules: str | None = None, quick: bool = True
) -> Due:
    """``compute`` without the tables of calendars/fast.py (what they are tested against);
    ``quick=False`` takes the rule set's general path even where it has a quick one."""
    if isinstance(court, str):
        court = get_court(court)
    if request.service not in _METHODS:
        raise ComputeError(
            f"unknown service method '{request.service}'; expected one of {', '.join(SERVICE_METHODS)}"
        )
    _check_request(request)
    ruleset = get_ruleset(rules or court.ruleset)
    due = ruleset.compute(court, request, quick=quick)
    if not FIRST_YEAR <= due.due.year <= LAST_YEAR:
        _span(due.due, "the due date")
    return due


def service_from_order(
    court: str | Court, method: str, runs_from: str, rules: str | None = None
) -> str | None:
    """The court's rule set's own word on service by ``method`` when the period runs from the
    order's ``runs_from`` date, not from service: the note to show (the service adds nothing),
    or None when that rule set adds service time even so."""
    if isinstance(court, str):
        court = get_court(court)
    return get_ruleset(rules or court.ruleset).service_from_order(method, runs_from)


def _span(value: date | datetime, what: str) -> None:
    # A ComputeError, so that every caller of compute (the engine too) has one class to catch.
    try:
        check_span(value, what)
    except OutOfSpan as exc:
        raise ComputeError(str(exc)) from None


def _check_request(request: Request) -> None:
    """Refuse dates outside the supported years and periods longer than them (exit 2)."""
    if request.anchor is not None:
        _span(request.anchor, "the anchor date")
    if request.fixed is not None:
        _span(request.fixed, "the fixed date")
    if request.rules_as_of is not None:
        _span(request.rules_as_of, "the date of the rules asked for (rules as of)")
    for day in request.closures:
        _span(day, "the closure date")
    period = request.period
    if period is not None and period.n > _MAX_N[period.unit]:
        raise ComputeError(
            f"a period of {period} is longer than the years docketcal supports"
            f" ({FIRST_YEAR} to {LAST_YEAR})"
        )


__all__ = [
    "RULESET_IDS",
    "SERVICE_METHODS",
    "ComputeError",
    "Court",
    "Direction",
    "Due",
    "Period",
    "Reading",
    "Request",
    "Step",
    "Unit",
    "UnknownCourt",
    "all_courts",
    "compute",
    "compute_general",
    "get_court",
    "get_ruleset",
    "service_from_order",
]

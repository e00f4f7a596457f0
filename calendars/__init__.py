"""Court calendars and the time-computation core.

``compute(court, request)`` answers "when is it due?" under the court's own time rules, with a
numbered trace, every reading of unsettled law, and the earliest safe date. Pure: no clock, no
database, no network.
"""

from __future__ import annotations

from calendars.courts import Court, UnknownCourt, all_courts, get_court
from calendars.due import ComputeError, Due, Reading, Step
from calendars.period import SERVICE_METHODS, Direction, Period, Request, Unit
from calendars.rulesets import RULESET_IDS, get_ruleset

_METHODS = frozenset(SERVICE_METHODS)


def compute(court: str | Court, request: Request, *, rules: str | None = None) -> Due:
    """The due date of ``request`` in ``court`` (``rules`` overrides the court's rule set,
    e.g. ``frcrp`` for a criminal case in a district court)."""
    if isinstance(court, str):
        court = get_court(court)
    if request.service not in _METHODS:
        raise ComputeError(
            f"unknown service method '{request.service}'; expected one of {', '.join(SERVICE_METHODS)}"
        )
    ruleset = get_ruleset(rules or court.ruleset)
    return ruleset.compute(court, request)


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
    "get_court",
    "get_ruleset",
]

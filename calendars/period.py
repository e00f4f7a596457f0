"""The vocabulary of a time computation: units, directions and service methods.

These are shared by the when-language (obligations/) and the rule sets (calendars/), so they live
in the core and depend on nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Unit(StrEnum):
    DAYS = "days"
    COURT_DAYS = "court days"
    HOURS = "hours"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


class Direction(StrEnum):
    AFTER = "after"
    BEFORE = "before"


#: Every service method a request may name. A rule set knows a subset of them; naming one it does
#: not know is an error that lists the ones it does.
SERVICE_METHODS: tuple[str, ...] = (
    "none",
    "hand",
    "mail",
    "mail-out-of-state",
    "mail-out-of-country",
    "electronic",
    "overnight",
    "fax",
    "leaving-with-clerk",
    "consented",
)


@dataclass(frozen=True, slots=True)
class Period:
    """A stated period: "14 days", "2 court days", "72 hours", "1 month"."""

    n: int
    unit: Unit

    def __str__(self) -> str:
        if self.n == 1:
            return f"1 {self.unit.value[:-1]}"
        return f"{self.n} {self.unit}"  # a StrEnum formats as its value


@dataclass(frozen=True, slots=True)
class Request:
    """One computation, with every anchor already resolved to a date or a date-time.

    ``anchor`` is a date, or a naive date-time read as court time, or an aware date-time.
    ``fixed`` set means a date fixed by the court ("no later than July 15, 2013"): nothing is
    counted and the date is never rolled.
    """

    anchor: date | datetime | None = None
    period: Period | None = None
    direction: Direction = Direction.AFTER
    service: str = "none"
    fixed: date | datetime | None = None
    closures: frozenset[date] = frozenset()
    #: compute with the rules as in force on this date instead of on the anchor's
    rules_as_of: date | None = None
    #: for a period under Fed. R. App. P. 26 in a court of appeals, the id of the district court
    #: whose judgment or order is appealed: its state's holidays count too (26(a)(6)(C))
    appeal_from: str | None = None

"""Which days a court treats as holidays, built once per court and year and then looked up."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from calendars.holidays import Holiday

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_name(d: date) -> str:
    """'Sat 2013-11-30': the weekday a clerk checks first, then the date."""
    return f"{WEEKDAY_NAMES[d.weekday()][:3]} {d.isoformat()}"


class DayBook:
    """Every holiday a court's rule set may look at, indexed by date, filled a year at a time."""

    __slots__ = ("_days", "_source", "_years")

    def __init__(self, source: Callable[[int], Iterable[Holiday]]) -> None:
        self._source = source
        self._days: dict[date, tuple[Holiday, ...]] = {}
        self._years: set[int] = set()

    def on(self, d: date) -> tuple[Holiday, ...]:
        if d.year not in self._years:
            self._fill(d.year)
        return self._days.get(d, ())

    def year(self, year: int) -> list[Holiday]:
        self._fill(year)
        return [h for d, hs in sorted(self._days.items()) if d.year == year for h in hs]

    def _fill(self, year: int) -> None:
        if year in self._years:
            return
        self._years.add(year)
        for h in self._source(year):
            if h.day.year != year:
                continue
            have = self._days.get(h.day, ())
            if all((x.name, x.layer, x.state) != (h.name, h.layer, h.state) for x in have):
                self._days[h.day] = (*have, h)


ONE_DAY = timedelta(days=1)


class RollTable:
    """Where a day rolls to, by ordinal, for one court counting one way: the day itself when it
    is a court day, the next (or previous) court day when it is not, or 0 when the way off it
    meets a day whose status is unsettled (the general computation decides those).

    Filled a day at a time, the first time that day is asked for, from ``roll`` (the rule set's
    own roll without words, so the table says only what the rule set says); pure, and kept for
    the life of the process.
    """

    __slots__ = ("_forward", "_roll", "rolled")

    def __init__(self, roll: Callable[[date, bool], date | None], forward: bool) -> None:
        self._roll = roll
        self._forward = forward
        #: the days found so far (a caller in a hurry reads it first, then calls)
        self.rolled: dict[int, int] = {}

    def __call__(self, ordinal: int) -> int:
        """The ordinal the day ``ordinal`` rolls to, or 0 when that is unsettled."""
        found = self.rolled.get(ordinal)
        if found is None:
            to = self._roll(date.fromordinal(ordinal), self._forward)
            if to is None:
                found = self.rolled[ordinal] = 0
            else:
                # every day the roll stepped over rolls to the same day: one roll fills them all
                found = to.toordinal()
                step = 1 if self._forward else -1
                for passed in range(ordinal, found, step):
                    self.rolled[passed] = found
                self.rolled[found] = found
        return found

"""Which days a court treats as holidays, built once per court and year and then looked up."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from calendars.data import kept
from calendars.holidays import Holiday

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_name(d: date) -> str:
    """'Sat 2013-11-30': the weekday a clerk checks first, then the date."""
    return f"{WEEKDAY_NAMES[d.weekday()][:3]} {d.isoformat()}"


class DayBook:
    """Every holiday a court's rule set may look at, indexed by date, filled a year at a time."""

    __slots__ = ("_days", "_kept", "_marked", "_source", "_years")

    def __init__(self, source: Callable[[int], Iterable[Holiday]]) -> None:
        self._source = source
        self._kept = False
        self._days: dict[date, tuple[Holiday, ...]] = {}
        self._years: set[int] = set()
        #: year -> the days of that year with a holiday, in order
        self._marked: dict[int, list[date]] = {}

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
        marked = set()
        for h in self._source(year):
            if h.day.year != year:
                continue
            marked.add(h.day)
            have = self._days.get(h.day, ())
            if all((x.name, x.layer, x.state) != (h.name, h.layer, h.state) for x in have):
                self._days[h.day] = (*have, h)
        self._marked[year] = sorted(marked)

    def keep_years(self, name: str, sources: Callable[[], Sequence[Path]]) -> None:
        """From now on, each year's holidays are read through ``calendars.data.kept`` under
        ``name`` and the year (a copy kept between runs while ``sources``, the files the days are
        made of, are unchanged, when a keeper is set; made as before otherwise). Once per book."""
        if self._kept:
            return
        self._kept = True
        source = self._source

        def kept_source(year: int) -> list[Holiday]:
            # kept as plain tuples of the fields (a dataclass's own pickling is slow to load)
            rows = kept(f"{name} {year}", sources, lambda: _rows(source(year)))
            return [Holiday(*row) for row in rows]

        self._source = kept_source

    def marked(self, year: int) -> list[date]:
        """The days of ``year`` that have a holiday of any layer, in order."""
        self._fill(year)
        return self._marked[year]


_FIELDS = tuple(f.name for f in fields(Holiday))


def _rows(days: Iterable[Holiday]) -> tuple[tuple[Any, ...], ...]:
    """Holidays as tuples of their fields, in the order ``Holiday`` takes them."""
    return tuple(tuple(getattr(h, name) for name in _FIELDS) for h in days)


ONE_DAY = timedelta(days=1)


class RollTable:
    """Where a day rolls to, by ordinal, for one court counting one way: the day itself when it
    is a court day, the next (or previous) court day when it is not, or 0 when the way off it
    meets a day whose status is unsettled (the general computation decides those).

    Filled from ``roll`` (the rule set's own roll without words, so the table says only what the
    rule set says); pure, and kept for the life of the process. Without ``marked``, a day at a
    time, the first time that day is asked for. With ``marked`` (year -> the days of that year
    that have a holiday of any layer), a year at a time: ``roll`` is asked about the marked
    weekdays and the year's edge only; every other weekday is a court day and every Saturday and
    Sunday is stepped over, as a roll that looks at the holidays of weekdays only treats them
    (``Federal._quick_roll``; tests/calendars/test_fast_path.py compares the two ways).
    """

    __slots__ = ("_forward", "_marked", "_roll", "_years", "rolled")

    def __init__(
        self,
        roll: Callable[[date, bool], date | None],
        forward: bool,
        marked: Callable[[int], Iterable[date]] | None = None,
    ) -> None:
        self._roll = roll
        self._forward = forward
        self._marked = marked
        self._years: set[int] = set()
        #: the days found so far (a caller in a hurry reads it first, then calls)
        self.rolled: dict[int, int] = {}

    def __call__(self, ordinal: int) -> int:
        """The ordinal the day ``ordinal`` rolls to, or 0 when that is unsettled."""
        found = self.rolled.get(ordinal)
        if found is None:
            if self._marked is not None:
                self.fill_year(date.fromordinal(ordinal).year)
                return self.rolled[ordinal]
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

    def fill_year(self, year: int) -> None:
        """Every day of ``year``, from the year's marked days (see the class's text)."""
        if year in self._years or self._marked is None:
            return
        self._years.add(year)
        roll = self._roll
        forward = self._forward
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        asked = {d.toordinal() for d in self._marked(year) if d.weekday() < 5}
        days = range(first, last + 1)
        rolled = self.rolled
        rolled.update(zip(days, days, strict=True))  # a weekday with no holiday is a court day
        # the Saturdays and Sundays (day 1 of the ordinals is a Monday) and the marked weekdays,
        # walked against the way of the roll, so that the day beyond each day is known first
        saturday = first + (5 - (first - 1) % 7) % 7
        sunday = first + (6 - (first - 1) % 7) % 7
        weekend = {*range(saturday, last + 1, 7), *range(sunday, last + 1, 7)}
        edge = last + 1 if forward else first - 1
        to = roll(date.fromordinal(edge), forward)
        rolled_edge = 0 if to is None else to.toordinal()
        step = 1 if forward else -1
        for o in sorted(weekend | asked, reverse=forward):
            if o in weekend:
                beyond = o + step
                rolled[o] = rolled_edge if beyond == edge else rolled[beyond]
            else:
                to = roll(date.fromordinal(o), forward)
                rolled[o] = 0 if to is None else to.toordinal()

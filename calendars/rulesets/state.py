"""What the state rule sets share: one skeleton of a computation, their court holiday list,
closures, fixed dates, rolls.

A state's module fills in the skeleton's steps (``run``): how the period is counted (``count``),
what service adds to the period before its last day is rolled (``added_to_period``: CCP 1013(a),
R. 1:3-3, CPLR 2103(b), TRCP 21a) and after (``added_after_period``: Fla. 2.514(b), CCP 1010.6),
and its citations. A new state is its citations, its holiday file and those steps that differ.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

from calendars.courts import Court
from calendars.days import ONE_DAY, DayBook, day_name
from calendars.due import ComputeError
from calendars.holidays import COURT, Holiday, StateFile, state_file
from calendars.period import Direction, Unit
from calendars.rulesets.base import Outcome, RuleSet, Run, aware


class StateRuleSet(RuleSet):
    """A state's rules: Saturdays, Sundays and the state's court holidays are not court days."""

    #: the citation for "exclude the first day, include the last" and for the forward roll
    count_rule: ClassVar[str]
    roll_rule: ClassVar[str]
    back_rule: ClassVar[str]
    #: the citation that makes a closed clerk's office a holiday, or "" when the state has none
    closure_rule: ClassVar[str] = ""
    #: a period of fewer days than this counts only court days (0: no such rule)
    short_below: ClassVar[int] = 0
    short_rule: ClassVar[str] = ""
    short_why: ClassVar[str] = ""

    def holiday_file(self, court: Court) -> StateFile:
        sf = state_file(court.state)
        if sf is None:
            raise ComputeError(
                f"no reviewed court holiday list for {court.state} in data/holidays/"
            )
        return sf

    def make_book(self, court: Court) -> DayBook:
        sf = self.holiday_file(court)

        def source(year: int) -> tuple[Holiday, ...]:
            return sf.holidays(year, COURT)

        return DayBook(source)

    def closed(self, r: Run, d: date, forward: bool) -> str | None:
        wd = d.weekday()
        if wd >= 5:
            return "a Saturday" if wd == 5 else "a Sunday"
        for h in r.book.on(d):
            if h.arguable:
                r.touched.add("arguable_holidays")
                if not r.assume.arguable_holidays:
                    continue
            return f"a court holiday, {h.name} ({h.source})"
        if self.closure_rule and d in r.req.closures:
            return f"a day the clerk's office was closed, a holiday for computing time ({self.closure_rule})"
        return None

    # -- the skeleton -------------------------------------------------------------------------

    def run(self, r: Run) -> Outcome:
        if r.req.fixed is not None:
            return self.fixed(r)
        anchor, forward = self.start(r)
        end = self.count(r, anchor, forward)
        end = self.added_to_period(r, end, forward, anchor)
        unrolled = end
        end = self.roll_end(r, end, forward)
        end = self.added_after_period(r, end, forward, unrolled)
        end = self.closure(r, end)
        return Outcome(end, self.due_at(r, end))

    def count(self, r: Run, anchor: date, forward: bool) -> date:
        """The period's last day before any roll."""
        return self.base_period(r, anchor, forward)

    def added_to_period(self, r: Run, end: date, forward: bool, anchor: date) -> date:
        """Days service adds to the period itself, before the last day is rolled."""
        return end

    def added_after_period(self, r: Run, end: date, forward: bool, unrolled: date) -> date:
        """Days service adds after the period would otherwise expire (rolled again)."""
        return end

    def due_at(self, r: Run, end: date) -> datetime | None:
        """The instant the last day ends, where the rule set says (None: the day)."""
        return None

    # -- shared pieces ------------------------------------------------------------------------

    def start(self, r: Run) -> tuple[date, bool]:
        req = r.req
        assert req.anchor is not None and req.period is not None
        if req.period.unit is Unit.HOURS:
            raise ComputeError(
                f"{self.name} has no rule for periods stated in hours; state the period in days"
            )
        anchor = self.local(r, req.anchor)
        self.check_years(
            r, anchor, self.holiday_file(r.court).reviewed, f"{r.court.state} court holiday list"
        )
        return anchor, req.direction is Direction.AFTER

    def base_period(self, r: Run, anchor: date, forward: bool) -> date:
        """The period's last day before any roll: court days for court-day and short periods,
        every day otherwise."""
        period = r.req.period
        assert period is not None
        short = period.unit is Unit.DAYS and period.n < self.short_below
        if short:
            return self.count_court_days(
                r, anchor, period.n, forward, self.short_rule, self.short_why
            )
        if period.unit is Unit.COURT_DAYS:
            return self.count_court_days(
                r, anchor, period.n, forward, self.count_rule, "count court days"
            )
        return self.add_calendar(
            r,
            anchor,
            period,
            forward,
            self.count_rule,
            "exclude the day of the event and count every day",
        )

    def roll_end(self, r: Run, end: date, forward: bool) -> date:
        """The last day's roll: forward after an event; before one, as the rule set reads."""
        if forward:
            return self.roll(r, end, True, self.roll_rule)
        if self.closed(r, end, False) is not None:
            r.touched.add("backward_rolls_back")
        if r.assume.backward_rolls_back:
            return self.roll(r, end, False, self.back_rule, "the last day (before the event)")
        return self.roll(r, end, True, self.roll_rule, "the last day (before the event)")

    def closure(self, r: Run, end: date) -> date:
        """States without a closure rule: move forward, and show the unmoved date as a reading."""
        if self.closure_rule or end not in r.req.closures:
            return end
        r.touched.add("move_for_closure")
        r.warn(f"{self.name} has no rule for a day the clerk's office is inaccessible")
        if not r.assume.move_for_closure:
            if r.explain:
                r.step(
                    self.roll_rule,
                    end,
                    end,
                    f"the clerk's office was inaccessible on {day_name(end)}; not moved",
                )
            return end
        d = end
        while d in r.req.closures or self.closed(r, d, True) is not None:
            d += ONE_DAY
        if r.explain:
            r.step(
                self.roll_rule,
                end,
                d,
                f"the clerk's office was inaccessible on {day_name(end)}: moved to the next court day it was open, {day_name(d)}",
            )
        return d

    def fixed(self, r: Run) -> Outcome:
        value = r.req.fixed
        assert value is not None
        day = self.local(r, value)
        self.check_years(
            r, day, self.holiday_file(r.court).reviewed, f"{r.court.state} court holiday list"
        )
        if r.explain:
            r.step(
                "order",
                day,
                day,
                "a date fixed by the court is not a computed period: it is not rolled",
            )
        reason = self.closed(r, day, True)
        r.touched.discard("arguable_holidays")
        if reason is not None:
            r.warn(
                f"the fixed date {day_name(day)} is {reason}; fixed dates are not rolled: act by the court day before or ask the court"
            )
            r.touched.add("fixed_date_stays")
            if not r.assume.fixed_date_stays:
                return Outcome(self.roll(r, day, True, self.roll_rule, "the fixed date"), None)
        if day in r.req.closures:
            r.warn(
                f"the clerk's office is marked inaccessible on the fixed date {day.isoformat()}: ask the court"
            )
        if isinstance(value, datetime):
            at = aware(r, value)
            if r.explain:
                r.step("order", day, at, f"the order sets the time: {at.strftime('%H:%M %Z')}")
            return Outcome(day, at)
        return Outcome(day, None)

    def add_days(self, r: Run, end: date, days: int, forward: bool, rule: str, why: str) -> date:
        added = end + timedelta(days=days if forward else -days)
        if r.explain:
            r.step(
                rule,
                end,
                added,
                f"{why}: {day_name(end)} {'+' if forward else '-'} {days} = {day_name(added)}",
            )
        return added

    def court_ordered(self, r: Run, statute: str) -> bool:
        """Extensions for periods "prescribed by statute or rule": shown with and without."""
        r.touched.add("extend_court_ordered")
        r.warn(
            f"{statute} extends periods prescribed by statute or rule; a period fixed by court order"
            " is extended only if the order says so: both readings are shown"
        )
        return r.assume.extend_court_ordered

"""What every rule set shares: the run context, the trace, readings and the safe date.

A rule set implements ``run`` for one set of assumptions. ``RuleSet.compute`` runs it under the
default assumptions, then again with each assumption the first run depended on turned the other
way; every run that gives another date becomes a reading, and the earliest is the safe date.
"""

from __future__ import annotations

import calendar
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, ClassVar

from calendars.courts import Court
from calendars.days import ONE_DAY, DayBook, day_name
from calendars.due import ComputeError, Due, Reading, Step
from calendars.holidays import Holiday
from calendars.period import Period, Request, Unit

if TYPE_CHECKING:
    from calendars.rulesets.versions import Version


@dataclass(frozen=True, slots=True)
class Assume:
    """Answers to the unsettled questions. The defaults are the rule sets' default reading."""

    eo_closures: bool = True
    state_holidays: bool = True
    arguable_holidays: bool = True
    month_end_clamp: bool = True
    extend_court_ordered: bool = True
    extend_after_roll: bool = True
    backward_rolls_back: bool = True
    move_for_closure: bool = True
    amendment_in_force: bool = True
    rule_of_the_event: bool = True
    service_days_after: bool = True
    fixed_date_stays: bool = True
    late_holidays: bool = True
    elapsed_hours: bool = True
    inauguration: bool = True
    florida_day_one: bool = True
    appeal_from_unnamed: bool = True


#: What each assumption means, for the default value and for the other one.
ASSUMES: dict[str, tuple[str, str]] = {
    "eo_closures": (
        "executive-order closures of federal agencies are legal holidays (6(a)(6)(B))",
        "executive-order closures are not legal holidays",
    ),
    "state_holidays": (
        "state holidays count for periods after an event (6(a)(6)(C))",
        "state holidays are not counted",
    ),
    "arguable_holidays": (
        "days whose status as a holiday is unsettled count as holidays",
        "days whose status as a holiday is unsettled are not counted",
    ),
    "month_end_clamp": (
        "a month without the corresponding day ends on its last day",
        "a month without the corresponding day ends on the first day of the next month",
    ),
    "extend_court_ordered": (
        "the service extension applies to this period",
        "the period was fixed by court order, which the service extension does not reach",
    ),
    "extend_after_roll": (
        "the added court days are counted from the rolled last day of the base period",
        "the added court days are counted from the unrolled last day of the base period",
    ),
    "backward_rolls_back": (
        "a period counted backward that ends on a non-court day moves back to the court day before",
        "a period counted backward that ends on a non-court day moves forward to the next court day,"
        " as the rule's text reads",
    ),
    "amendment_in_force": (
        "the amended rule was in force on that day",
        "the rule before its amendment was still in force on that day",
    ),
    "move_for_closure": (
        "a day the clerk's office was inaccessible moves the last day to the next court day",
        "the clerk's office closure does not move the last day",
    ),
    "rule_of_the_event": (
        "the rule in force on the day of the event governs the whole period",
        "the amendment that took effect while the period ran governs it (the Supreme Court's"
        " orders apply amendments to pending proceedings 'insofar as just and practicable')",
    ),
    "service_days_after": (
        "the 3 days for service are added after the period would otherwise expire, as the 2005"
        " amendments (Fed. R. Civ. P. 6(e) and its sister rules) made explicit",
        "the 3 days are added to the prescribed period before it is counted (the former text:"
        " 'added to the prescribed period'), so the longer period is counted as one",
    ),
    "fixed_date_stays": (
        "a date fixed by the court is not a computed period and stays due on a day that is not a"
        " court day (2009 Committee Note to Fed. R. Civ. P. 6; Violette v. P.A. Days, Inc., 427"
        " F.3d 1015 (6th Cir. 2005); W.D. Wash. LCR 6(a))",
        "a filing on the next court day is accepted when the fixed date is not a court day, as"
        " some courts' local rules and standing orders provide (and Cal. Code Civ. Proc. § 13 for"
        " acts appointed for a particular day)",
    ),
    "late_holidays": (
        "a holiday declared after the period began counts (a day declared a holiday by Congress;"
        " the federal courts closed on Fri June 18, 2021)",
        "a holiday declared after the period began does not count: no one could know of it when"
        " the period started (Juneteenth 2021 was declared on June 17, for June 18;"
        " Pub. L. 117-17)",
    ),
    "elapsed_hours": (
        "hours are elapsed time: across a daylight-saving change the wall clock shifts (Fed. R."
        " Civ. P. 6(a)(2)(B), 'count every hour', and its 2009 Committee Note)",
        "hours are counted on the wall clock: the period ends at the clock time the hours add up"
        " to, as if no clock changed",
    ),
    "inauguration": (
        "Inauguration Day is a legal holiday here (5 U.S.C. § 6103(c), a day declared a holiday"
        " by Congress; the federal courts in Washington close)",
        "Inauguration Day is not a legal holiday for computing time: 5 U.S.C. § 6103(c) makes it"
        " one only 'for the purpose of statutes relating to pay and leave of employees'",
    ),
    "appeal_from_unnamed": (
        "the district court appealed from is not named: only the holidays of the circuit clerk's"
        " state are counted (Fed. R. App. P. 26(a)(6)(C) counts those of the district court's"
        " state too; name it with --appeal-from)",
        "the holidays of the states of every district court of the circuit are counted, as if the"
        " district court appealed from were in each of them (the latest its state's holidays can"
        " make the last day; Fed. R. App. P. 26(a)(6)(C))",
    ),
    "florida_day_one": (
        "the next day that is not a Saturday, Sunday or legal holiday is day 1 (Fla. R. Gen."
        " Prac. & Jud. Admin. 2.514(a)(1)(A) as written)",
        "the day after the event is day 1 whatever day it is, as Fed. R. Civ. P. 6(a)(1)(A)"
        " counts and as some practice guides describe Rule 2.514 (courtflow.ai, 'How to Count"
        " Court Deadlines in Florida (Rule 2.514)')",
    ),
}

DEFAULT = Assume()
SETTLED = "no unsettled question changes this date"


def _flip(assume: Assume, name: str) -> Assume:
    return replace(assume, **{name: not getattr(assume, name)})


@dataclass(slots=True)
class Run:
    """One run of a rule set: the request, the assumptions, and what the run found."""

    court: Court
    req: Request
    assume: Assume
    book: DayBook
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    #: False for the quick run that finds the date; the trace is built only when asked for
    explain: bool = True
    #: the text of the rule the run computes with, when the rule set has versions
    version: Version | None = None

    def step(
        self, rule: str, start: date | datetime | None, end: date | datetime | None, note: str
    ) -> None:
        self.steps.append(Step(len(self.steps) + 1, rule, start, end, note))

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


@dataclass(frozen=True, slots=True)
class Outcome:
    due: date
    due_at: datetime | None = None


class RuleSet(ABC):
    """One jurisdiction's way of counting time, behind one interface."""

    id: ClassVar[str]
    name: ClassVar[str]
    #: service method -> what it adds, in words (for errors, ``docketcal courts`` and docs)
    methods: ClassVar[dict[str, str]]
    #: the rule set's default reading of every unsettled question
    default: ClassVar[Assume] = DEFAULT
    #: the rule that adds time after service, and the words that confine it to periods that run
    #: from service (for ``service_from_order``)
    service_rule: ClassVar[str] = ""
    service_scope: ClassVar[str] = "applies only to periods that run from service"

    def __init__(self) -> None:
        self._books: dict[str, DayBook] = {}

    # -- the interface ------------------------------------------------------------------------

    def compute(self, court: Court, req: Request, *, quick: bool = True) -> Due:
        if req.service not in self.methods:
            known = ", ".join(self.methods)
            raise ComputeError(
                f"service method '{req.service}' is not known to {self.name}; known: {known}"
            )
        if req.fixed is None and (req.period is None or req.anchor is None):
            raise ComputeError("a computation needs a fixed date, or a period and an anchor")
        if req.period is not None and req.period.n <= 0:
            raise ComputeError("a period must be at least 1")
        if req.appeal_from is not None:
            self.appealed_from(court, req.appeal_from)
        book = self.book(court)
        if quick:
            answer = self.quick(court, req, book)
            if answer is not None:
                return answer
        default = self.default
        first = Run(court, req, default, book, explain=False)
        result = self.run(first)
        if not first.touched:
            return Due(
                due=result.due,
                due_at=result.due_at,
                safe_due=result.due,
                readings=(Reading(result.due, SETTLED),),
                warnings=tuple(first.warnings),
                explain=lambda: self.explain(court, req),
            )
        hours = req.period is not None and req.period.unit is Unit.HOURS
        readings = [
            Reading(result.due, self._assumes(first, default), result.due_at if hours else None)
        ]
        if first.touched:
            seen = {(result.due, result.due_at if hours else None)}
            variants = [_flip(default, name) for name in sorted(first.touched)]
            if len(first.touched) > 1:
                every = default
                for name in first.touched:
                    every = _flip(every, name)
                variants.append(every)
            for assume in variants:
                other = self.run(Run(court, req, assume, book, explain=False))
                key = (other.due, other.due_at if hours else None)
                if key not in seen:
                    seen.add(key)
                    readings.append(Reading(other.due, self._assumes(first, assume), key[1]))
        return Due(
            due=result.due,
            due_at=result.due_at,
            safe_due=min(r.due for r in readings),
            readings=tuple(readings),
            warnings=tuple(first.warnings),
            explain=lambda: self.explain(court, req),
        )

    def appealed_from(self, court: Court, appeal_from: str) -> Court:
        """The district court a request names as the court appealed from, checked (a rule set
        that counts no court's holidays but its own refuses one)."""
        raise ComputeError(
            f"a court appealed from ({appeal_from}) counts only under Fed. R. App. P. 26 (rule set"
            f" frap, the courts of appeals'); {self.name} counts the holidays of {court.id} alone"
        )

    def service_from_order(self, method: str, runs_from: str) -> str | None:
        """Why service by ``method`` adds nothing to a period that runs from the order's
        ``runs_from`` date (entry, issuance, filing) rather than from service, citing this rule
        set's own service rule; None if this rule set adds service time even then."""
        return (
            f"service by {method} adds no time: the period runs from the order's {runs_from} date,"
            f" not from service ({self.service_rule} {self.service_scope})"
        )

    def explain(self, court: Court, req: Request) -> tuple[Step, ...]:
        """The numbered trace of the default reading (the same run, with its notes written)."""
        r = Run(court, req, self.default, self.book(court))
        self.run(r)
        return tuple(r.steps)

    def book(self, court: Court) -> DayBook:
        book = self._books.get(court.id)
        if book is None:
            book = self._books[court.id] = self.make_book(court)
        return book

    def holidays(self, court: Court, year: int) -> list[Holiday]:
        """The holidays this rule set may look at in ``year``, for ``docketcal holidays``."""
        return self.book(court).year(year)

    def quick(self, court: Court, req: Request, book: DayBook) -> Due | None:
        """The date alone for the commonest requests, or None to take the general path.

        A rule set may answer here only when nothing unsettled is touched, so the answer is the
        one the general path gives (the tests compare the two on generated requests).
        """
        return None

    @abstractmethod
    def make_book(self, court: Court) -> DayBook: ...

    @abstractmethod
    def run(self, r: Run) -> Outcome: ...

    @abstractmethod
    def closed(self, r: Run, d: date, forward: bool) -> str | None:
        """Why ``d`` is not a court day under ``r.assume`` (counting forward or back), or None."""

    # -- shared steps --------------------------------------------------------------------------

    def _assumes(self, first: Run, assume: Assume) -> str:
        if not first.touched:
            return SETTLED
        parts = []
        for f in fields(Assume):
            if f.name in first.touched:
                default_text, other_text = ASSUMES[f.name]
                parts.append(default_text if getattr(assume, f.name) else other_text)
        return "; ".join(parts)

    def roll(self, r: Run, d: date, forward: bool, rule: str, what: str = "the last day") -> date:
        """Move off non-court days, one day at a time, forward or back; one trace step."""
        skipped: list[str] = []
        step = ONE_DAY if forward else -ONE_DAY
        start = d
        reason = self.closed(r, d, forward)
        while reason is not None:
            if r.explain:
                skipped.append(f"{day_name(d)} is {reason}")
            d += step
            reason = self.closed(r, d, forward)
        if d != start:
            way = "next" if forward else "previous"
            if r.explain:
                r.step(
                    rule,
                    start,
                    d,
                    f"{'; '.join(skipped)}: {what} moves to the {way} court day, {day_name(d)}",
                )
        else:
            if r.explain:
                r.step(rule, d, d, f"{day_name(d)} is a court day: {what} stays")
        return d

    def count_court_days(
        self, r: Run, start: date, n: int, forward: bool, rule: str, why: str
    ) -> date:
        """The n-th court day after (or before) ``start``, skipping non-court days."""
        step = ONE_DAY if forward else -ONE_DAY
        d = start
        skipped = 0
        left = n
        while left:
            d += step
            if self.closed(r, d, forward) is None:
                left -= 1
            else:
                skipped += 1
        way = "after" if forward else "before"
        extra = (
            f", stepping over {skipped} non-court day{'s' if skipped != 1 else ''}"
            if skipped
            else ""
        )
        if r.explain:
            r.step(
                rule,
                start,
                d,
                f"{why}: court day {n} {way} {day_name(start)} is {day_name(d)}{extra}",
            )
        return d

    def add_calendar(
        self, r: Run, start: date, period: Period, forward: bool, rule: str, why: str
    ) -> date:
        """Days, weeks, months or years from ``start``, counting every day; months clamp."""
        sign = 1 if forward else -1
        unit = period.unit
        if unit in (Unit.DAYS, Unit.WEEKS):
            days = period.n * (7 if unit is Unit.WEEKS else 1)
            end = start + timedelta(days=sign * days)
            if r.explain:
                r.step(
                    rule,
                    start,
                    end,
                    f"{why}: {period} {'after' if forward else 'before'} {day_name(start)} is {day_name(end)}",
                )
            return end
        months = period.n * (12 if unit is Unit.YEARS else 1)
        return self.add_months(r, start, sign * months, rule, why, period)

    def add_months(
        self,
        r: Run,
        start: date,
        months: int,
        rule: str,
        why: str,
        period: Period,
        settled: bool = False,
    ) -> date:
        """The same day of the month; a shorter month is unsettled unless ``settled`` by statute."""
        index = start.year * 12 + start.month - 1 + months
        year, month = divmod(index, 12)
        month += 1
        if year < 1 or year > 9998:
            raise ComputeError("the period runs outside the calendar")
        last = calendar.monthrange(year, month)[1]
        way = "after" if months > 0 else "before"
        if start.day <= last:
            end = date(year, month, start.day)
            if r.explain:
                r.step(
                    rule,
                    start,
                    end,
                    f"{why}: {period} {way} {day_name(start)} is the same day of the month, {day_name(end)}",
                )
            return end
        if settled:
            end = date(year, month, last)
            if r.explain:
                r.step(
                    rule,
                    start,
                    end,
                    f"{why}: {_month(year, month)} has no day {start.day}, so the period ends on its last day, {day_name(end)}",
                )
            return end
        r.touched.add("month_end_clamp")
        r.warn(
            f"{period} {way} {start.isoformat()}: {_month(year, month)} has no day {start.day},"
            " and no rule says which day ends such a month period: both readings are shown"
        )
        if r.assume.month_end_clamp:
            end = date(year, month, last)
            note = f"{_month(year, month)} has no day {start.day}: the period ends on its last day, {day_name(end)}"
        else:
            end = date(year, month, last) + ONE_DAY
            note = f"{_month(year, month)} has no day {start.day}: the period ends on the first day of the next month, {day_name(end)}"
        if r.explain:
            r.step(rule, start, end, f"{why}: {note}")
        return end

    def local(self, r: Run, value: date | datetime) -> date:
        """The court-time date of an anchor."""
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                return value.astimezone(r.court.zone).date()
            return value.date()
        return value

    def end_of_day(self, r: Run, d: date) -> datetime:
        return datetime.combine(d, time(23, 59), tzinfo=r.court.zone)

    def check_years(self, r: Run, d: date, reviewed: tuple[int, int], what: str) -> None:
        first, last = reviewed
        if not first <= d.year <= last:
            r.warn(
                f"{d.year} is outside the years the {what} was reviewed for ({first}–{last});"
                " the date is computed from the rules, check the court's notices"
            )


def aware(r: Run, value: datetime) -> datetime:
    """A date-time in court time; a naive one is read as court time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=r.court.zone)
    return value.astimezone(r.court.zone)


def add_hours(r: Run, start: datetime, hours: int, forward: bool) -> datetime:
    """Elapsed hours: count in UTC, show in court time (the wall clock shifts across DST)."""
    utc = aware(r, start).astimezone(UTC)
    end = utc + timedelta(hours=hours if forward else -hours)
    return end.astimezone(r.court.zone)


def same_time_on(r: Run, d: date, wall: time) -> datetime:
    """The same wall-clock time on another day, in court time (normalised across DST gaps)."""
    local = datetime.combine(d, wall, tzinfo=r.court.zone)
    return local.astimezone(UTC).astimezone(r.court.zone)


def _month(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"


__all__ = [
    "ASSUMES",
    "DEFAULT",
    "Assume",
    "ComputeError",
    "Outcome",
    "RuleSet",
    "Run",
    "add_hours",
    "aware",
    "same_time_on",
]

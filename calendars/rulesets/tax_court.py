"""The United States Tax Court: Tax Court Rule 25.

Rule 25(a): exclude the day of the event, include the last day; a period of less than 7 days
excludes intermediate Saturdays, Sundays and legal holidays in the District of Columbia; a last day
that is one of those runs to the next day that is not; a period before a date certain moves to the
next preceding such day; a holiday on a Sunday is observed on the Monday, on a Saturday on the
Friday. After service by mail the period begins on the day after mailing: nothing is added.
Its holidays are the legal holidays in the District of Columbia (D.C. Emancipation Day, Inauguration
Day) with the federal ones. The Court sits in Washington: electronic filing is timely until 11:59
p.m. eastern time (Rule 22(d)). The timely-mailing rule of 26 U.S.C. § 7502 is shown as a warning,
never folded into the date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

from calendars.courts import Court
from calendars.days import DayBook, day_name
from calendars.due import Due
from calendars.holidays import (
    EO_CLOSURE,
    STATE,
    Holiday,
    federal_holidays,
    federal_reviewed,
    state_file,
)
from calendars.period import Direction, Request
from calendars.rulesets.base import Outcome, Run
from calendars.rulesets.federal import Federal
from calendars.rulesets.versions import Version

RULE = "Tax Court Rule"
CITES = {
    "(a)(1)(A)-(B)": f"{RULE} 25(a)(1), (a)(2)",
    "(a)(1)(C)": f"{RULE} 25(a)(2)(B)",
    "(a)(5)": f"{RULE} 25(a)(2)(C)",
    "(a)(2)(A)-(B)": f"{RULE} 25(a)",
    "(a)(2)(C)": f"{RULE} 25(a)(2)(B)",
    "(a)(3)": f"{RULE} 1(b); Fed. R. Civ. P. 6(a)(3) (Guralnik v. Commissioner, 146 T.C. No. 15 (2016))",
    "(a)(3)(A)": f"{RULE} 1(b); Fed. R. Civ. P. 6(a)(3)(A) (Guralnik v. Commissioner, 146 T.C. No. 15 (2016))",
    "(a)(3)(B)": f"{RULE} 1(b); Fed. R. Civ. P. 6(a)(3)(B)",
    "(a)(4)(A)": f"{RULE} 22(d) (Nutt v. Commissioner, 160 T.C. No. 10 (2023))",
    "(a)(4)(B)": f"{RULE} 10(d)",
    "(a)(6)": f"{RULE} 25(a)(2)",
    "(a)(6)(B)": f"{RULE} 25(b) (a day appointed as a holiday by the President)",
    "(a)(6)(C)": f"{RULE} 25(a)(2)",
    "short": f"{RULE} 25(a)(2)(A)",
}
MAILING = (
    "26 U.S.C. § 7502: a petition (or other document the Internal Revenue Code requires) sent by"
    " United States mail or a designated private delivery service is treated as filed on the date"
    " of the postmark: one mailed by {due}, properly addressed and stamped, is timely though it"
    " arrives later. That is not folded into the date shown, which is the last day for the Court to"
    " receive a paper filing, and for electronic filing until 11:59 p.m. eastern time (Tax Court"
    " Rule 22(d)); § 7502 does not reach electronic filing (Nutt v. Commissioner, 160 T.C. No. 10"
    " (2023)). For a petition the statute sets the period (e.g. 90 days, 26 U.S.C. § 6213(a)) and"
    " 26 U.S.C. § 7503 moves a last day on a Saturday, Sunday or D.C. legal holiday as Rule 25 does"
)


class TaxCourt(Federal):
    id = "tax"
    name = "Tax Court Rule 25"
    rule = "Tax Court Rule 25"
    service_rule = "Tax Court Rule 25(a)(1)"
    service_scope = "adds nothing in any case: after service by mail a period computed from service begins the day after mailing"
    family = "tax"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "nothing added: the period begins on the day after mailing (Rule 25(a)(1))",
        "electronic": "nothing added",
    }

    def quick(self, court: Court, req: Request, book: DayBook) -> Due | None:
        return None  # Rule 25's short periods and D.C. holidays take the general path

    def cite(self, sub: str) -> str:
        return CITES.get(sub, f"{RULE} 25(a)")

    def make_book(self, court: Court) -> DayBook:
        dc = state_file("DC")

        def source(year: int) -> list[Holiday]:
            days = list(federal_holidays(year))
            if dc is not None:
                days.extend(dc.holidays(year, STATE))
            return days

        return DayBook(source)

    def closed(self, r: Run, d: date, forward: bool) -> str | None:
        """Saturdays, Sundays and legal holidays in the District of Columbia, both ways (Rule
        25(a)(2)); an executive-order closure is unsettled, as in the federal courts. Rule 25(a)(2)
        moves every such holiday off a weekend itself ('When such a legal holiday falls on a
        Sunday, the next day shall be considered a holiday; and, when such a legal holiday falls on
        a Saturday, the preceding day shall be considered a holiday'), also one the District
        observes on no weekday (Inauguration Day on Saturday, Jan. 20, 2001)."""
        wd = d.weekday()
        if wd >= 5:
            return "a Saturday" if wd == 5 else "a Sunday"
        found: str | None = None
        for h in r.book.on(d):
            if h.layer == EO_CLOSURE:
                r.touched.add("eo_closures")
                if r.assume.eo_closures and found is None:
                    found = f"{h.name} ({h.source}), a holiday appointed by the President ({RULE} 25(b))"
                continue
            if self.counts(r, h):
                return f"a legal holiday in the District of Columbia, {h.name} ({h.source}; {RULE} 25(a)(2))"
        weekend = d + timedelta(days=1) if wd == 4 else d - timedelta(days=1) if wd == 0 else None
        if weekend is not None:
            for h in r.book.on(weekend):
                if h.layer == EO_CLOSURE or h.observed or not self.counts(r, h):
                    continue
                side = "preceding a Saturday" if wd == 4 else "following a Sunday"
                return (
                    f"the day {side} legal holiday in the District of Columbia, {h.name} on"
                    f" {day_name(weekend)} ({h.source}), 'considered a holiday' ({RULE} 25(a)(2))"
                )
        return found

    def counts(self, r: Run, h: Holiday) -> bool:
        """Whether a D.C. holiday counts: a late declaration and an arguable day are readings."""
        if h.declared is not None and not self.known_in_time(r, h):
            return False
        if h.arguable:
            r.touched.add("arguable_holidays")
            if not r.assume.arguable_holidays:
                return False
        return True

    def year_notes(self, r: Run, anchor: date, forward: bool) -> None:
        self.check_years(r, anchor, federal_reviewed(), "federal holiday list")
        dc = state_file("DC")
        if dc is not None:
            self.check_years(r, anchor, dc.reviewed, f"{dc.name} holiday list")

    def computed(self, r: Run, anchor: date, version: Version) -> Outcome:
        outcome = super().computed(r, anchor, version)
        if r.req.direction is Direction.AFTER:
            r.warn(MAILING.format(due=day_name(outcome.due)))
        return outcome

    def service(self, r: Run, end: date, forward: bool, anchor: date, version: Version) -> date:
        method = r.req.service
        if method != "none" and r.explain:
            why = (
                "after service by mail the period began on the day after mailing; nothing is added"
                if method == "mail"
                else f"service by {method} adds nothing"
            )
            r.step(self.service_rule, end, end, why)
        return end

    def fixed(self, r: Run, value: date | datetime) -> Outcome:
        outcome = super().fixed(r, value)
        r.warn(MAILING.format(due=day_name(outcome.due)))
        return outcome

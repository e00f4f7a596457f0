"""Florida: Fla. R. Gen. Prac. & Jud. Admin. 2.514 (in force from Oct. 1, 2012).

Two of its provisions changed on Jan. 1, 2019 (amendments approved Oct. 25, 2018): 2.514(b)'s 5
days, added after service "by mail or e-mail" since 2012, since then follow service by mail only;
and (a)(1)(A), which had said to exclude the day of the event, since then says to "begin counting
from the next day that is not a Saturday, Sunday, or legal holiday". A period is computed under the
text in force on the day of its event (the service, for the 5 days). Before Oct. 1, 2012 the
former rules (Fla. R. Civ. P. 1.090, Fla. R. App. P. 9.420) added the 5 days for mail "to the
prescribed period", before its last day was rolled: a 30th day on a Sunday + 5 was the Friday
(https://www.rtlaw.com/court-deadlines-computation-of-time-under-rule-2-514/; former 9.420(d):
"five days shall be added to the prescribed period", Bouchard v. Dep't of Bus. Regulation, Fla.
2d DCA 1984).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from calendars.days import ONE_DAY, day_name
from calendars.period import Unit
from calendars.rulesets.base import Run
from calendars.rulesets.state import StateRuleSet

RULE = "Fla. R. Gen. Prac. & Jud. Admin. 2.514"
#: e-mail service counted as mail for 2.514(b)'s 5 days: from the start of mandatory e-mail
#: service (Sept. 1, 2012, rule 2.516) to the amendment effective Jan. 1, 2019
EMAIL_ADDS_FROM = date(2012, 9, 1)
AMENDED_2019 = date(2019, 1, 1)
#: rule 2.514 took the place of former Fla. R. Civ. P. 1.090 and Fla. R. App. P. 9.420(d)-(f)
RULE_2514_FROM = date(2012, 10, 1)
FORMER_MAIL_RULE = "former Fla. R. Civ. P. 1.090(e); former Fla. R. App. P. 9.420"


class Florida(StateRuleSet):
    id = "florida"
    name = RULE
    count_rule = f"{RULE}(a)(1)"
    roll_rule = f"{RULE}(a)(1)(C)"
    service_rule = f"{RULE}(b)"
    service_scope = (
        "adds 5 days only 'when a party may or must act within a specified time after service'"
    )
    short_below = 7
    short_rule = f"{RULE}(a)(3)"
    short_why = "a period of less than 7 days does not count Saturdays, Sundays or legal holidays"
    back_rule = f"{RULE}(a)(1)(C), (a)(5)"
    closure_rule = (
        f"{RULE}(a)(1)(C), (a)(6) (a day the clerk's office does not open is a legal holiday)"
    )
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "5 days after the period (2.514(b))",
        "mail-out-of-state": "5 days after the period (2.514(b))",
        "mail-out-of-country": "5 days after the period (2.514(b))",
        "electronic": "5 days after the period when served from 2012-09-01 to 2018-12-31 (2.514(b) 'mail or e-mail'); nothing added from 2019-01-01",
    }

    #: the rule that adds days after service by mail (the appellate rules cite their own too)
    mail_rule: ClassVar[str] = f"{RULE}(b)"

    def count(self, r: Run, anchor: date, forward: bool) -> date:
        period = r.req.period
        assert period is not None
        if (
            period.n >= self.short_below
            and period.unit in (Unit.DAYS, Unit.WEEKS)
            and anchor >= AMENDED_2019
        ):
            return self.from_next_business_day(r, anchor, forward)
        return self.base_period(r, anchor, forward)

    def added_to_period(self, r: Run, end: date, forward: bool, anchor: date) -> date:
        """Before 2.514 (Oct. 1, 2012): the 5 days for mail were added to the period itself."""
        if anchor >= RULE_2514_FROM or not r.req.service.startswith("mail") or not forward:
            return end
        return self.add_days(
            r,
            end,
            5,
            True,
            FORMER_MAIL_RULE,
            "service by mail before Oct. 1, 2012: 5 days are added to the prescribed period, before its last day is rolled",
        )

    def added_after_period(self, r: Run, end: date, forward: bool, unrolled: date) -> date:
        method = r.req.service
        assert r.req.anchor is not None
        served = self.local(r, r.req.anchor)
        if served < RULE_2514_FROM and method.startswith("mail"):
            return end  # added to the period already (the former rules)
        if method == "electronic":
            if not EMAIL_ADDS_FROM <= served < AMENDED_2019:
                if r.explain:
                    r.step(
                        self.mail_rule,
                        end,
                        end,
                        "service by e-mail adds no days (2.514(b) as amended eff. 2019-01-01 covers mail only)"
                        if served >= AMENDED_2019
                        else "service by electronic means before e-mail service (2012-09-01) adds no days",
                    )
                return end
        elif not method.startswith("mail"):
            return end
        why = (
            "service by e-mail (2.514(b) before 2019-01-01: 'by mail or e-mail'): 5 days are added"
            " after the period would otherwise expire"
            if method == "electronic"
            else "service by mail: 5 days are added after the period would otherwise expire"
        )
        if not forward:
            r.warn(
                f"{self.mail_rule} adds days to act after service; it does not lengthen a period before an event"
            )
            return end
        added = self.add_days(r, end, 5, True, self.mail_rule, why)
        return self.roll(r, added, True, self.roll_rule, "the extended last day")

    def from_next_business_day(self, r: Run, anchor: date, forward: bool) -> date:
        """2.514(a)(1)(A): counting begins on the next day that is not a weekend or holiday."""
        period = r.req.period
        assert period is not None
        days = period.n * (7 if period.unit is Unit.WEEKS else 1)
        step = ONE_DAY if forward else -ONE_DAY
        first = anchor + step
        while self.closed(r, first, forward) is not None:
            first += step
        note = f"begin counting from the {'next' if forward else 'previous'} day that is not a Saturday, Sunday or legal holiday, {day_name(first)} (day 1)"
        if first != anchor + step:
            r.touched.add("florida_day_one")
            r.warn(
                f"{RULE}(a)(1)(A) begins counting from the next day that is not a Saturday, Sunday or"
                " legal holiday; whether that day or the day after the event is day 1 is read both"
                " ways: both readings are shown"
            )
            if not r.assume.florida_day_one:
                first = anchor + step
        end = first + timedelta(days=(days - 1) * (1 if forward else -1))
        if r.explain:
            r.step(
                f"{RULE}(a)(1)(A)-(B)",
                anchor,
                end,
                f"{note}; counting every day, day {days} is {day_name(end)}",
            )
        return end

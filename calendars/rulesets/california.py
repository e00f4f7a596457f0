"""California: CCP 12, 12a, 12b, 12c, 13, 135, 1010.6, 1013; Rules of Court 1.10 and 1.11."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from calendars.period import Unit
from calendars.rulesets.base import Outcome, Run
from calendars.rulesets.state import StateRuleSet

MAIL_DAYS = {"mail": 5, "mail-out-of-state": 10, "mail-out-of-country": 20}
COURT_DAY_METHODS = {
    "electronic": "CCP § 1010.6(a)(3)(B)",
    "overnight": "CCP § 1013(c)",
    "fax": "CCP § 1013(e)",
}


class California(StateRuleSet):
    id = "california"
    name = "California Code of Civil Procedure"
    count_rule = "CCP § 12"
    roll_rule = "CCP §§ 12, 12a"
    back_rule = "CCP § 12c(a)"
    closure_rule = "CCP § 12b"
    service_rule = "CCP §§ 1013(a), 1010.6(a)(3)"
    service_scope = "extend a period to act 'after the service of the document'"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "5 calendar days (CCP § 1013(a), mailing and address in California)",
        "mail-out-of-state": "10 calendar days (CCP § 1013(a))",
        "mail-out-of-country": "20 calendar days (CCP § 1013(a))",
        "overnight": "2 court days (CCP § 1013(c))",
        "fax": "2 court days (CCP § 1013(e))",
        "electronic": "2 court days (CCP § 1010.6)",
    }

    def run(self, r: Run) -> Outcome:
        if r.req.fixed is not None:
            return self.fixed(r)
        anchor, forward = self.start(r)
        period = r.req.period
        assert period is not None
        method = r.req.service
        if forward:
            if period.unit is Unit.COURT_DAYS:
                end = self.count_court_days(
                    r,
                    anchor,
                    period.n,
                    True,
                    "CCP §§ 12, 135",
                    "count court days, excluding the first day",
                )
            else:
                end = self.add_calendar(
                    r,
                    anchor,
                    period,
                    True,
                    self.count_rule,
                    f"exclude the first day ({anchor.isoformat()}) and include the last",
                )
            if method in MAIL_DAYS and self.court_ordered(r, "CCP § 1013(a)"):
                end = self.add_days(
                    r,
                    end,
                    MAIL_DAYS[method],
                    True,
                    "CCP § 1013(a)",
                    f"service by {method}: the period is extended by {MAIL_DAYS[method]} calendar days",
                )
            unrolled = end
            end = self.roll(r, end, True, self.roll_rule)
            if method in COURT_DAY_METHODS and self.court_ordered(r, COURT_DAY_METHODS[method]):
                end = self.two_court_days(r, unrolled, end, method)
            return Outcome(end)
        # CCP 12c: count back from the hearing, then any service days further back.
        if period.unit is Unit.COURT_DAYS:
            end = self.count_court_days(
                r,
                anchor,
                period.n,
                False,
                "CCP § 12c(a)",
                "count court days back from the hearing, excluding the hearing day",
            )
        else:
            end = self.add_calendar(
                r,
                anchor,
                period,
                False,
                "CCP § 12c(a)",
                "count back from the hearing, excluding the hearing day",
            )
            end = self.back(r, end)
        if method in MAIL_DAYS and self.court_ordered(r, "CCP § 1013(a)"):
            end = self.add_days(
                r,
                end,
                MAIL_DAYS[method],
                False,
                "CCP § 12c(b)",
                f"service by {method}: {MAIL_DAYS[method]} more calendar days counted further back",
            )
            end = self.back(r, end)
        elif method in COURT_DAY_METHODS and self.court_ordered(r, COURT_DAY_METHODS[method]):
            end = self.count_court_days(
                r,
                end,
                2,
                False,
                "CCP § 12c(b)",
                f"service by {method}: 2 more court days counted further back ({COURT_DAY_METHODS[method]})",
            )
        return Outcome(end)

    def back(self, r: Run, end: date) -> date:
        if self.closed(r, end, False) is not None:
            r.warn(
                "CCP § 12c does not say where a backward count that lands on a holiday goes; moved back to the court day before (the safe course)"
            )
        return self.roll_end(r, end, False)

    def two_court_days(self, r: Run, unrolled: date, rolled: date, method: str) -> date:
        rule = COURT_DAY_METHODS[method]
        if unrolled != rolled:
            r.touched.add("extend_after_roll")
            r.warn(
                f"the base period ended on a non-court day: whether {rule}'s 2 court days run from the rolled or the unrolled last day is unsettled"
            )
        start = rolled if r.assume.extend_after_roll else unrolled
        return self.count_court_days(
            r, start, 2, True, rule, f"service by {method}: the period is extended by 2 court days"
        )

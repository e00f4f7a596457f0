"""New Jersey: R. 1:3-1 (computation) and R. 1:3-3 (additional time after service by mail)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from calendars.period import Unit
from calendars.rulesets.base import Outcome, Run
from calendars.rulesets.state import StateRuleSet

#: R. 1:3-3 raised the addition for ordinary mail from 3 to 5 days (amendment of 2022).
MAIL_FIVE_FROM = date(2022, 9, 1)


class NewJersey(StateRuleSet):
    id = "new-jersey"
    name = "N.J. Court Rules, R. 1:3-1"
    count_rule = "R. 1:3-1"
    roll_rule = "R. 1:3-1"
    back_rule = "R. 1:3-1 (read with Fed. R. Civ. P. 6(a)(5))"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "5 days (R. 1:3-3; 3 days for service before the 2022 amendment)",
        "mail-out-of-state": "5 days (R. 1:3-3; 3 days before the 2022 amendment)",
        "electronic": "nothing added (not verified for eCourts service)",
    }

    def run(self, r: Run) -> Outcome:
        if r.req.fixed is not None:
            return self.fixed(r)
        anchor, forward = self.start(r)
        period = r.req.period
        assert period is not None
        short = period.unit is Unit.DAYS and period.n < 7
        if period.unit is Unit.COURT_DAYS or short:
            why = (
                "a period of less than 7 days excludes Saturdays, Sundays and legal holidays"
                if short
                else "count court days"
            )
            end = self.count_court_days(r, anchor, period.n, forward, self.count_rule, why)
        else:
            end = self.add_calendar(
                r,
                anchor,
                period,
                forward,
                self.count_rule,
                "exclude the day of the event and count every day",
            )
        method = r.req.service
        if method == "electronic":
            r.warn(
                "whether service through eCourts or e-mail adds days under R. 1:3-3 is not verified; none added"
            )
        if method.startswith("mail") and forward:
            days = 5 if anchor >= MAIL_FIVE_FROM else 3
            end = self.add_days(
                r,
                end,
                days,
                True,
                "R. 1:3-3",
                f"service by ordinary mail: {days} days are added to the prescribed period",
            )
        elif method.startswith("mail"):
            r.warn(
                "R. 1:3-3 adds days to act after being served; it does not lengthen a period before an event"
            )
        end = self.roll_end(r, end, forward)
        end = self.closure(r, end)
        return Outcome(end)

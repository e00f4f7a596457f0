"""New Jersey: R. 1:3-1 (computation) and R. 1:3-3 (additional time after service by mail)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from calendars.rulesets.base import Run
from calendars.rulesets.state import StateRuleSet

#: R. 1:3-3 raised the addition for ordinary mail from 3 to 5 days in 2022. The notice was posted
#: 2022-02-23 (Law360, Feb. 24, 2022); its effective date was not verified. Between the notice and
#: Sept. 1, 2022 (when N.J. rule amendments usually take effect) both readings are shown.
MAIL_NOTICE = date(2022, 2, 23)
MAIL_SURELY_FIVE = date(2022, 9, 1)


class NewJersey(StateRuleSet):
    id = "new-jersey"
    name = "N.J. Court Rules, R. 1:3-1"
    count_rule = "R. 1:3-1"
    roll_rule = "R. 1:3-1"
    back_rule = "R. 1:3-1 (read with Fed. R. Civ. P. 6(a)(5))"
    short_below = 7
    short_rule = "R. 1:3-1"
    short_why = "a period of less than 7 days excludes Saturdays, Sundays and legal holidays"
    service_rule = "R. 1:3-3"
    service_scope = "adds days only to a period that runs 'after the service of a notice or paper'"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "5 days (R. 1:3-3; 3 days for service before the 2022 amendment)",
        "mail-out-of-state": "5 days (R. 1:3-3; 3 days before the 2022 amendment)",
        "electronic": "nothing added (not verified for eCourts service)",
    }

    def added_to_period(self, r: Run, end: date, forward: bool, anchor: date) -> date:
        method = r.req.service
        if method == "electronic":
            r.warn(
                "whether service through eCourts or e-mail adds days under R. 1:3-3 is not verified; none added"
            )
        if not method.startswith("mail"):
            return end
        if not forward:
            r.warn(
                "R. 1:3-3 adds days to act after being served; it does not lengthen a period before an event"
            )
            return end
        served = r.req.rules_as_of or anchor
        if MAIL_NOTICE <= served < MAIL_SURELY_FIVE:
            r.touched.add("amendment_in_force")
            r.warn(
                "R. 1:3-3's mail addition rose from 3 to 5 days in 2022 (notice of Feb. 23, 2022);"
                " its effective date is not verified: both readings are shown"
            )
            days = 5 if r.assume.amendment_in_force else 3
        else:
            days = 5 if served >= MAIL_SURELY_FIVE else 3
        return self.add_days(
            r,
            end,
            days,
            True,
            "R. 1:3-3",
            f"service by ordinary mail: {days} days are added to the prescribed period",
        )

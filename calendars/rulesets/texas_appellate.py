"""Texas appellate courts: Tex. R. App. P. 4.1 (computing time) and 9.2(b) (mailed filings).

The courts of appeals, the Supreme Court and the Court of Criminal Appeals count every day of a
period (Rule 4.1(a) has no short-period exclusion, unlike Tex. R. Civ. P. 4), roll a last day on a
Saturday, Sunday or legal holiday to the next day that is not, and extend a filing period when the
clerk's office is closed or inaccessible on the last day (4.1(b)). A document mailed by the last
day and received within ten days after it is timely (9.2(b)): shown as a warning with its dates,
never folded into the date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from calendars.days import day_name
from calendars.rulesets.base import Outcome, Run
from calendars.rulesets.state import StateRuleSet

RULE = "Tex. R. App. P."


class TexasAppellate(StateRuleSet):
    id = "texas-appellate"
    name = "Tex. R. App. P. 4.1"
    count_rule = f"{RULE} 4.1(a)"
    roll_rule = f"{RULE} 4.1(a)"
    back_rule = f"{RULE} 4.1(a) (read with Melendez, Tex. App.—Houston [14th Dist.] 1996)"
    closure_rule = f"{RULE} 4.1(b) (the clerk's office closed or inaccessible on the last day)"
    service_rule = f"{RULE} 4.1"
    service_scope = (
        "adds no days for the manner of service (Tex. R. Civ. P. 21a(c)'s 3 days reach periods"
        " under the civil rules)"
    )
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "nothing added (no appellate rule adds days after service by mail)",
        "electronic": "nothing added",
    }

    def added_to_period(self, r: Run, end: date, forward: bool, anchor: date) -> date:
        method = r.req.service
        if method != "none" and r.explain:
            r.step(
                f"{RULE} 4.1",
                end,
                end,
                f"service by {method}: no rule of appellate procedure adds days after service; none added",
            )
        if method == "mail":
            r.warn(
                "if the period is one under the Texas Rules of Civil Procedure, Tex. R. Civ. P."
                " 21a(c) adds 3 days after service by mail; none are added here"
            )
        return end

    def run(self, r: Run) -> Outcome:
        outcome = super().run(r)
        last = outcome.due
        r.warn(
            f"{RULE} 9.2(b): a document sent to the proper clerk by United States Postal Service"
            f" first-class, express, registered or certified mail, properly addressed and stamped,"
            f" deposited in the mail on or before {day_name(last)} and received within ten days"
            f" after it (by {day_name(last + timedelta(days=10))}) is timely filed; the date shown"
            " is the last day to file, and to mail"
        )
        return outcome

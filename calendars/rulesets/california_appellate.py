"""California Courts of Appeal and Supreme Court: Cal. Rules of Court, rule 1.10, and the Code of
Civil Procedure periods the rules adopt (CCP 12-13, 135, 1010.6, 1013).

Rule 1.10 counts as CCP 12 and 12a do (exclude the first day, include the last unless a holiday);
the holidays are the judicial holidays of CCP 135, observed under rule 1.11. A period in the Rules
of Court that runs from service is extended for the manner of service as CCP 1013 and 1010.6 say
(they reach periods 'prescribed by statute or rule of court'); a notice of appeal is not (CCP
1013(a)). Filing by priority or express mail or overnight carrier is timely if mailed before the
time expires (rule 8.25(b)(3)) [recalled]: a warning, never folded into the date.
"""

from __future__ import annotations

from calendars.days import day_name
from calendars.rulesets.base import Outcome, Run
from calendars.rulesets.california import California

RULE = "Cal. Rules of Court, rule"


class CaliforniaAppellate(California):
    id = "california-appellate"
    name = "Cal. Rules of Court, rule 1.10"
    count_rule = f"{RULE} 1.10(a); CCP § 12"
    roll_rule = f"{RULE} 1.10(a)-(b); CCP §§ 12, 12a"

    def run(self, r: Run) -> Outcome:
        outcome = super().run(r)
        if r.req.fixed is None:
            r.warn(
                f"{RULE} 8.25(b)(3): a document is timely if the time to file it had not expired on"
                f" the date of its mailing by priority or express mail or its delivery to a common"
                f" carrier promising overnight delivery: sent by {day_name(outcome.due)} (not folded"
                " into the date shown)"
            )
        return outcome

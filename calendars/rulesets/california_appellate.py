"""California Courts of Appeal and Supreme Court: Cal. Rules of Court, rule 1.10, and the Code of
Civil Procedure periods the rules adopt (CCP 12-13, 135, 1010.6, 1013).

Rule 1.10 counts as CCP 12 and 12a do (exclude the first day, include the last unless a holiday);
the holidays are the judicial holidays of CCP 135, observed under rule 1.11. A period in the Rules
of Court that runs from service is extended for the manner of service as CCP 1013 and 1010.6 say
(they reach periods 'prescribed by statute or rule of court'); a notice of appeal is not (CCP
1013(a)). A brief, a petition for rehearing or for review, an answer or reply to one, and the
other papers rule 8.25(b)(3) lists are timely if the time to file had not expired on the date of
their mailing by priority or express mail or their delivery to a common carrier promising
overnight delivery; not in original proceedings (8.25(b)(4)), and not a notice of appeal (rule
8.25(b)(2): the clerk must receive it in time). Text read at
https://courts.ca.gov/cms/rules/index/eight/rule8_25 (2024). A warning, never folded into the date.
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
                f"{RULE} 8.25(b)(3): a brief, a petition for rehearing or for review, an answer or"
                " reply to one (and the other papers the rule lists) is timely if the time to file it"
                " has not expired on the date of its mailing by priority or express mail or its"
                f" delivery to a common carrier promising overnight delivery: sent by"
                f" {day_name(outcome.due)}; not for a notice of appeal or in an original proceeding"
                " (8.25(b)(2), (4)); not folded into the date shown"
            )
        return outcome

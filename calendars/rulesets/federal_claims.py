"""The Court of Federal Claims: RCFC 6, the Civil Rule's method without its state-holiday clause.

RCFC 6(a)(6) names the statutory federal holidays and days declared by the President or Congress;
the court sits in Washington, so Inauguration Day (5 U.S.C. § 6103(c)) closes it (a reading
without it is shown).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from calendars.holidays import federal_reviewed
from calendars.rulesets.base import Run
from calendars.rulesets.federal import Federal


class FederalClaims(Federal):
    id = "rcfc"
    name = "RCFC 6"
    rule = "RCFC 6"
    service_rule = "RCFC 6(d)"
    service_scope = "applies only 'after being served'"
    family = "rcfc"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "3 days after the period (RCFC 6(d); RCFC 5(b)(2)(C))",
        "mail-out-of-state": "3 days after the period (RCFC 6(d))",
        "mail-out-of-country": "3 days after the period (RCFC 6(d))",
        "leaving-with-clerk": "3 days after the period (RCFC 6(d); RCFC 5(b)(2)(D))",
        "consented": "3 days after the period (RCFC 6(d); RCFC 5(b)(2)(F))",
        "fax": "3 days after the period, as other means consented to (RCFC 6(d))",
        "overnight": "3 days after the period, as other means consented to (RCFC 6(d))",
        "electronic": "3 days before 2016-12-01, nothing after (RCFC 6(d))",
    }

    def year_notes(self, r: Run, anchor: date, forward: bool) -> None:
        self.check_years(r, anchor, federal_reviewed(), "federal holiday list")

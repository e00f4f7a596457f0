"""New York: General Construction Law 20, 24, 25-a, 30 and CPLR 2103(b).

CPLR 2103(b)(2): five days after service by mail, for the party served only (Thompson v Cuadrado,
1st Dept 2000, https://cetient.com/case/6061943/thompson-v-cuadrado; HSBC Bank USA v Maniatopoulos,
175 AD3d 575, 2d Dept 2019), and only for a period "prescribed by law", not one set by a court
order (Fran's Pets v Aggen, Sup Ct 1981, https://print.casetext.com/case/frans-pets-inc-v-aggen,
which quotes the text of its day: "three days shall be added"). The five days are applied to every
date: when the text went from three days to five was not checked against a source. The six days for
mailing from outside the state date from Jan. 1, 2016 (L. 2015, ch. 572, which also let a paper be
mailed from anywhere in the United States: https://www.nysenate.gov/legislation/bills/2015/S4845;
https://counselpress.com/page_blog_single.cfm?bid=177); before then such a mailing was not service by
mail under CPLR 2103(f)(1), and five days are counted with a warning.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from calendars.period import Unit
from calendars.rulesets.base import Run
from calendars.rulesets.state import StateRuleSet

MAIL_DAYS = {"mail": 5, "mail-out-of-state": 6}
OUT_OF_STATE_SINCE = date(2016, 1, 1)  # L. 2015, ch. 572 (CPLR 2103(b)(2), (f)(1))


class NewYork(StateRuleSet):
    id = "new-york"
    name = "N.Y. General Construction Law § 25-a"
    count_rule = "N.Y. Gen. Constr. Law § 20"
    roll_rule = "N.Y. Gen. Constr. Law § 25-a(1)"
    back_rule = "N.Y. Gen. Constr. Law § 25-a(1) (read backward)"
    service_rule = "CPLR 2103(b)(2)"
    service_scope = "adds days only where 'a period of time prescribed by law is measured from the service of a paper'"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "5 days (CPLR 2103(b)(2), mailing within the state)",
        "mail-out-of-state": "6 days (CPLR 2103(b)(2), mailing from outside the state within the United States)",
        "overnight": "1 business day (CPLR 2103(b)(6))",
        "fax": "nothing added (CPLR 2103(b)(5))",
        "electronic": "nothing added (CPLR 2103(b)(7))",
    }

    def count(self, r: Run, anchor: date, forward: bool) -> date:
        period = r.req.period
        assert period is not None
        if period.unit is Unit.COURT_DAYS:
            return self.count_court_days(
                r,
                anchor,
                period.n,
                forward,
                "N.Y. Gen. Constr. Law §§ 20, 24",
                "count business days",
            )
        if period.unit in (Unit.MONTHS, Unit.YEARS):
            return self.months(r, anchor, forward)
        return self.add_calendar(
            r,
            anchor,
            period,
            forward,
            self.count_rule,
            "exclude the day from which the period is computed",
        )

    def added_to_period(self, r: Run, end: date, forward: bool, anchor: date) -> date:
        method = r.req.service
        # Before a return date, the mailing party serves that much earlier (Zisholtz v Mandel,
        # 2d Dept 2018: CPLR 2214(b)'s 16 days + 5 for mail = 21 days before).
        way = "added to" if forward else "counted further back in"
        if method in MAIL_DAYS and self.court_ordered(r, "CPLR 2103(b)(2)"):
            days = MAIL_DAYS[method]
            if method == "mail-out-of-state" and anchor < OUT_OF_STATE_SINCE:
                days = MAIL_DAYS["mail"]
                r.warn(
                    "CPLR 2103(b)(2) and (f)(1) before Jan. 1, 2016: service by mail had to be"
                    " mailed within the state; a paper mailed from outside the state was not proper"
                    " service by mail (the six days for such a mailing came with L. 2015, ch. 572);"
                    " the five days of a mailing within the state are counted"
                )
            end = self.add_days(
                r,
                end,
                days,
                forward,
                "CPLR 2103(b)(2)",
                f"service by {method}: {days} days are {way} the prescribed period",
            )
        if method == "overnight" and self.court_ordered(r, "CPLR 2103(b)(6)"):
            end = self.count_court_days(
                r,
                end,
                1,
                forward,
                "CPLR 2103(b)(6)",
                f"service by overnight delivery: one business day is {way} the period",
            )
        return end

    def months(self, r: Run, anchor: date, forward: bool) -> date:
        """GCL 30 settles the month end: the last day of a shorter month."""
        period = r.req.period
        assert period is not None
        months = period.n * (12 if period.unit is Unit.YEARS else 1)
        return self.add_months(
            r,
            anchor,
            months if forward else -months,
            "N.Y. Gen. Constr. Law § 30",
            "months are counted to the same day of the month",
            period,
            settled=True,
        )

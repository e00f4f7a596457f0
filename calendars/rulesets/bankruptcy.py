"""Bankruptcy courts and bankruptcy appellate panels: Fed. R. Bankr. P. 9006.

Rule 9006(a) tracks Civil Rule 6(a) word for word since 2009 (before, a period of less than 8 days
excluded intermediate weekends and holidays); 9006(f) adds 3 days after service by mail, by leaving
with the clerk and by other means consented to (electronic service too before Dec. 1, 2016). The
state holidays of 9006(a)(6)(C) are those of the state where the district court is located: a
bankruptcy court is a unit of its district court (28 U.S.C. § 151).
"""

from __future__ import annotations

from typing import ClassVar

from calendars.rulesets.federal import Federal


class Bankruptcy(Federal):
    id = "frbp"
    name = "Fed. R. Bankr. P. 9006"
    rule = "Fed. R. Bankr. P. 9006"
    service_rule = "Fed. R. Bankr. P. 9006(f)"
    service_scope = "applies only to a period 'after being served'"
    family = "frbp"
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "3 days after the period (9006(f))",
        "mail-out-of-state": "3 days after the period (9006(f))",
        "mail-out-of-country": "3 days after the period (9006(f))",
        "leaving-with-clerk": "3 days after the period (9006(f); Fed. R. Civ. P. 5(b)(2)(D))",
        "consented": "3 days after the period (9006(f); Fed. R. Civ. P. 5(b)(2)(F))",
        "fax": "3 days after the period, as other means consented to (9006(f))",
        "overnight": "3 days after the period, as other means consented to (9006(f))",
        "electronic": "3 days before 2016-12-01, nothing after (9006(f))",
    }

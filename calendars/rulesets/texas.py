"""Texas: Tex. R. Civ. P. 4 (computation) and 21a(c) (three days added after service by mail)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from calendars.rulesets.base import Run
from calendars.rulesets.state import StateRuleSet


class Texas(StateRuleSet):
    id = "texas"
    name = "Tex. R. Civ. P. 4"
    count_rule = "Tex. R. Civ. P. 4"
    roll_rule = "Tex. R. Civ. P. 4"
    back_rule = "Tex. R. Civ. P. 4 (Melendez, Tex. App.—Houston [14th Dist.] 1996)"
    short_below = 6
    short_rule = "Tex. R. Civ. P. 4"
    service_rule = "Tex. R. Civ. P. 21a(c)"
    service_scope = (
        "adds 3 days only to a period to act 'after the service of a notice or other paper'"
    )
    short_why = (
        "in a period of five days or less, Saturdays, Sundays and legal holidays are not counted"
    )
    methods: ClassVar[dict[str, str]] = {
        "none": "nothing added",
        "hand": "nothing added",
        "mail": "3 days (Tex. R. Civ. P. 21a(c))",
        "mail-out-of-state": "3 days (Tex. R. Civ. P. 21a(c))",
        "mail-out-of-country": "3 days (Tex. R. Civ. P. 21a(c))",
        "electronic": "nothing added (Tex. R. Civ. P. 21a(b))",
    }

    def added_to_period(self, r: Run, end: date, forward: bool, anchor: date) -> date:
        if not r.req.service.startswith("mail"):
            return end
        # Before a hearing the serving party mails 3 days earlier (Lewis v. Blake, 876 S.W.2d 314
        # (Tex. 1994): Rule 166a(c)'s 21 days + 3 for mail = 24 days before the hearing).
        return self.add_days(
            r,
            end,
            3,
            forward,
            "Tex. R. Civ. P. 21a(c); Tex. R. Civ. P. 4",
            "service by mail: 3 days are added to the prescribed period, Saturdays, Sundays and holidays counted"
            + (
                ""
                if forward
                else ", counted further back (Lewis v. Blake, 876 S.W.2d 314 (Tex. 1994))"
            ),
        )

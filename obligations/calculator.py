"""The calculator: a when-phrase with literal anchors, computed in one court.

``docketcal compute`` and ``compute --jsonl`` call this; order files go through the engine,
which resolves named anchors from facts first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from calendars import ComputeError, Due, Request, compute
from obligations.when import DateAnchor, Fixed, Relative, parse_when


def calculate(
    court: str,
    text: str,
    *,
    service: str | None = None,
    closures: Iterable[date] = (),
    rules: str | None = None,
    rules_as_of: date | None = None,
    appeal_from: str | None = None,
) -> Due:
    """Compute ``text`` ("14 days after 2013-11-12") in ``court``.

    Raises ``WhenSyntaxError`` for a phrase that does not parse, ``ComputeError`` for one the
    calculator cannot answer (a date outside the supported years too), ``UnknownCourt`` for an
    unknown court. ``rules_as_of`` asks for the rules as in force on another date;
    ``appeal_from`` names the district court appealed from (Fed. R. App. P. 26(a)(6)(C)).
    """
    when = parse_when(text)
    shut = frozenset(closures)
    if isinstance(when, Fixed):
        if service not in (None, "none"):
            raise ComputeError("a fixed date takes no service method")
        fixed = when.on if when.at is None else datetime.combine(when.on, when.at)
        return compute(
            court,
            Request(fixed=fixed, closures=shut, rules_as_of=rules_as_of, appeal_from=appeal_from),
            rules=rules,
        )
    if not isinstance(when, Relative):
        raise ComputeError(
            f"the calculator computes a fixed date or one period from a date, not '{when}';"
            " same-day rules, combinations of rules and series are computed when an order is scheduled"
        )
    if when.weekday is not None:
        raise ComputeError(
            f"the calculator computes one period from a date, not '{when}';"
            " a weekday after a period is computed when an order is scheduled"
        )
    if not isinstance(when.anchor, DateAnchor):
        raise ComputeError(
            f"the calculator needs a date anchor such as 2013-11-12, not '{when.anchor}';"
            " named events and duties are resolved when an order is scheduled"
        )
    if service not in (None, "none") and when.service not in (None, service):
        raise ComputeError(
            f"the phrase says service by {when.service} but --service says {service}"
        )
    method = when.service or service or "none"
    request = Request(
        anchor=when.anchor.at,
        period=when.period,
        direction=when.direction,
        service=method,
        closures=shut,
        rules_as_of=rules_as_of,
        appeal_from=appeal_from,
    )
    return compute(court, request, rules=rules)

"""What a person types to record a fact, checked the same way wherever it is typed: the command
line (``done``, ``event record``, ``extend``, ``vacate``, ``closure add``, ``condition``) and the
desk's Record page. Each function returns the value or raises ``BadInput`` with the message
both show; nothing here touches the docket."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from calendars.errors import BadInput, check_span, shown
from calendars.period import Period

CONDITION_STATES = ("met", "not-met")


def why_not_a_date(text: str) -> str:
    """Why ``text`` is not a date that exists (2013-02-30: February 2013 has 28 days)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", text.strip())
    if not m:
        return "expected YYYY-MM-DD"
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if year < 1:
        return "there is no year 0"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"


def parse_day(text: str, what: str) -> date:
    """A date typed by a person, within the supported years."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(
            f"{what} {shown(text)} is not a date that exists: {why_not_a_date(text)}"
        ) from None
    check_span(day, what)
    return day


def parse_moment(text: str, what: str) -> date | datetime:
    """A date, or a date and time (``2014-01-06T10:00``) in the court's local time."""
    if "T" not in text:
        return parse_day(text, what)
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(
            f"{what} {shown(text)} is not a date or date and time that exists: {why_not_a_date(text)}"
        ) from None
    if at.tzinfo is not None:
        raise BadInput(f"{what} {shown(text)}: give the court's local time without an offset")
    check_span(at, what)
    return at


def parse_extension(by: str) -> Period:
    """``extend --by``: a period such as '14 days' or '2 court days'."""
    from obligations.when import WhenSyntaxError, parse_period

    try:
        return parse_period(by)
    except WhenSyntaxError as exc:
        raise BadInput(
            f"--by {shown(by)}: expected a period such as '14 days' or '2 court days' ({exc.expected})"
        ) from None


def condition_state(state: str) -> str:
    """``met`` or ``not-met``."""
    if state not in CONDITION_STATES:
        raise BadInput(f"condition state '{state}': expected met or not-met")
    return state

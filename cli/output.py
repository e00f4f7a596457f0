"""Output for every command: JSON on stdout and nothing else; messages and errors on stderr."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Any, NoReturn

import typer

from calendars.errors import (
    BAD_INPUT,
    BUSY,
    NOT_FOUND,
    OK,
    UNEXPECTED,
    BadInput,
    DocketcalError,
    NotFound,
    check_span,
    shown,
)

__all__ = ["BAD_INPUT", "BUSY", "NOT_FOUND", "OK", "UNEXPECTED"]


def fmt(ctx: typer.Context) -> str:
    obj = ctx.find_root().obj or {}
    return str(obj.get("format", "table"))


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Refuse with ``message`` and the documented code (nothing written): raised as the error of
    the one hierarchy, which the handler in ``cli.main`` prints."""
    if code == NOT_FOUND:
        raise NotFound(message)
    if code == BAD_INPUT:
        raise BadInput(message)
    error = DocketcalError(message)
    error.exit_code = code  # type: ignore[misc]  # an instance's own code (1 for a failure)
    raise error


def day_or_fail(text: str, what: str) -> date:
    """A date typed by a person, or exit 2 saying why it is not one (2013-02-30: February 2013
    has 28 days; 0001-01-01: outside the supported years)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        fail(f"{what} {shown(text)} is not a date that exists: {why_not_a_date(text)}")
    check_span(day, what)
    return day


def moment_or_fail(text: str, what: str) -> date | datetime:
    """A date, or a date and time (``2014-01-06T10:00``) in the court's local time."""
    if "T" not in text:
        return day_or_fail(text, what)
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(
            f"{what} {shown(text)} is not a date or date and time that exists: {why_not_a_date(text)}"
        )
    if at.tzinfo is not None:
        fail(f"{what} {shown(text)}: give the court's local time without an offset")
    check_span(at, what)
    return at


def why_not_a_date(text: str) -> str:
    import calendar
    import re

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

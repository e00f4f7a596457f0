"""Output for every command: JSON on stdout and nothing else; messages and errors on stderr."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from calendars.errors import (
    BAD_INPUT,
    BUSY,
    NOT_FOUND,
    OK,
    UNEXPECTED,
    BadInput,
    DocketcalError,
    NotFound,
)

if TYPE_CHECKING:
    import typer

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
    has 28 days; 0001-01-01: outside the supported years): ``obligations.record.parse_day``,
    which the desk calls too."""
    from obligations.record import parse_day

    return parse_day(text, what)


def moment_or_fail(text: str, what: str) -> date | datetime:
    """A date, or a date and time (``2014-01-06T10:00``) in the court's local time."""
    from obligations.record import parse_moment

    return parse_moment(text, what)


def why_not_a_date(text: str) -> str:
    from obligations.record import why_not_a_date as why

    return why(text)

"""Output for every command: JSON on stdout and nothing else; messages and errors on stderr."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any, NoReturn

import typer

OK, UNEXPECTED, BAD_INPUT, NOT_FOUND = 0, 1, 2, 3


def fmt(ctx: typer.Context) -> str:
    obj = ctx.find_root().obj or {}
    return str(obj.get("format", "table"))


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Say what was wrong on stderr and exit with the documented code (nothing written). A
    report of several errors gets the same prefix on every line."""
    for line in message.splitlines() or [""]:
        typer.echo(f"docketcal: {line}", err=True)
    raise typer.Exit(code)


def day_or_fail(text: str, what: str) -> date:
    """A date typed by a person, or exit 2 saying why it is not one (2013-02-30: February 2013
    has 28 days)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{what} '{text}' is not a date that exists: {why_not_a_date(text)}")


def why_not_a_date(text: str) -> str:
    import calendar
    import re

    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", text.strip())
    if not m:
        return "expected YYYY-MM-DD"
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"

"""Who is acting and what day it is, resolved once for every command.

Who: the ``user`` setting (``DOCKETCAL_USER``, then ``user`` in the config file), else the login
name of the operating system. Every history row, order version, fact and feed token a command
writes records this name.

Today: ``--as-of DATE`` when given, else the day on this machine's clock. Both are checked to lie
in the supported years (``calendars.errors.FIRST_YEAR`` to ``LAST_YEAR``).
"""

from __future__ import annotations

import getpass
from datetime import date

import typer

from cli.output import day_or_fail


def who() -> str:
    """The person a command acts for."""
    from cli.config import resolve

    named = (resolve("user").value or "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container's numeric user)
        return "unknown"


def today(ctx: typer.Context) -> date:
    """``--as-of`` or the clock's day."""
    obj = ctx.find_root().obj or {}
    as_of = obj.get("as_of")
    return day_or_fail(as_of, "--as-of") if as_of else date.today()

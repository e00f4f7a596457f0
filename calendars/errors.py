"""The one hierarchy of docketcal's errors, each class carrying the exit code it ends a command with.

It lives in the lowest layer so that every package (calendars, obligations, the store, the CLI,
the web desk) raises its classes; ``cli.main`` has the one handler that turns them into a
message on stderr and the exit code. Exit codes (also in the README and ``docketcal --help``):

- 0 ok;
- 1 unexpected error (a defect: the handler says so and how to report it);
- 2 bad usage or bad input: the message names the input and what was expected; nothing written;
- 3 nothing found (an unknown reference, an order not on the docket);
- 75 busy: another process holds the database; nothing was written; run the command again
  (EX_TEMPFAIL of sysexits.h, which cron wrappers and job runners treat as "try again").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import ClassVar

OK = 0
UNEXPECTED = 1
BAD_INPUT = 2
NOT_FOUND = 3
BUSY = 75

#: The years docketcal computes and stores dates in. Court rules older than 1900 are not in
#: its rule sets, and a date past 2200 is a typo, not a deadline; refusing both keeps every
#: computation (rolling, adding service days, periodic series) far from the calendar's edges.
FIRST_YEAR = 1900
LAST_YEAR = 2200


class DocketcalError(Exception):
    """Any error docketcal reports to a person. ``exit_code`` is what the command ends with."""

    exit_code: ClassVar[int] = UNEXPECTED

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class BadInput(DocketcalError, ValueError):
    """Input that cannot be used as given: the message names it and what was expected."""

    exit_code = BAD_INPUT


class NotFound(DocketcalError, LookupError):
    """Something named that is not there (a reference, an order, a token)."""

    exit_code = NOT_FOUND


class Busy(DocketcalError):
    """Another process holds the database: nothing was written; try again."""

    exit_code = BUSY


class PlacedError(BadInput):
    """One mistake in a file of the user's, where its author can find it (1-based line and
    column): order files and rule files say their mistakes alike."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.line = line
        self.column = column
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class PlacedErrors(BadInput):
    """Every mistake found, in file order: fixing one at a time would take many runs."""

    def __init__(self, errors: Iterable[PlacedError]) -> None:
        self.errors = tuple(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class OutOfSpan(BadInput):
    """A date outside the years docketcal supports (``FIRST_YEAR`` to ``LAST_YEAR``)."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def escape(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with its control characters written as escapes (``\\r``, ``\\x1b``): safe to
    print on a terminal, where CR, LF or ESC from input could forge or hide a line."""

    def one(m: re.Match[str]) -> str:
        c = m.group()
        if keep_newlines and c == "\n":
            return c
        return repr(c)[1:-1]

    return _CONTROL.sub(one, text)


def shown(value: object, limit: int = 80) -> str:
    """An input as a message names it: quoted, control characters escaped, a long one cut with
    its length said (a 50,000-character reference is not echoed back whole)."""
    text = escape(str(value))
    if len(text) > limit:
        text = f"{text[: limit - 1]}… ({len(str(value)):,} characters)"
    return f"'{text}'"


def check_span(value: date | datetime, what: str = "the date") -> None:
    """Refuse a date outside the supported years, naming ``what`` it is."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise OutOfSpan(
            f"{what} {value.isoformat()} is outside the years docketcal supports"
            f" ({FIRST_YEAR} to {LAST_YEAR})"
        )


__all__ = [
    "BAD_INPUT",
    "BUSY",
    "FIRST_YEAR",
    "LAST_YEAR",
    "NOT_FOUND",
    "OK",
    "UNEXPECTED",
    "BadInput",
    "Busy",
    "DocketcalError",
    "NotFound",
    "OutOfSpan",
    "check_span",
    "escape",
    "shown",
]

"""The ``docketcal`` command. Parses arguments, calls the domain, formats the answer.

Commands import what they need when they run, so ``docketcal --help`` and the quick commands
start fast.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from enum import StrEnum
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from calendars.errors import FIRST_YEAR, LAST_YEAR, UNEXPECTED, DocketcalError, escape
from cli import agenda, calc, config, demo, docket, feeds, remind
from cli.argv import hoist
from cli.orders import order_app
from cli.rules import rules_app

_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
#: Set (to anything but 0) to see the traceback of an unexpected error.
DEBUG_ENV = "DOCKETCAL_DEBUG"


class Docketcal(TyperGroup):
    """The root command, with the one handler of errors: a ``DocketcalError`` (calendars/errors.py)
    becomes ``docketcal: message`` on stderr and its exit code; anything else is a defect, said
    in one line with exit 1 (its traceback only with DOCKETCAL_DEBUG=1)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for n, arg in enumerate(args, 1):
            # Bytes that are not UTF-8 reach Python as lone surrogates; a NUL cannot come from
            # a real command line. Neither can be stored or printed: refused before anything.
            bad = _NOT_TEXT.search(arg)
            if bad is not None:
                what = "a NUL" if bad.group() == "\x00" else "bytes that are not UTF-8"
                raise click.UsageError(f"argument {n} ({escape(arg)[:80]}) holds {what}", ctx)
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)  # plain ``docketcal``: help, exit 0
            ctx.exit()
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DocketcalError as exc:
            # a report of several errors (an order file's) gets the prefix on every line
            for line in escape(str(exc), keep_newlines=True).split("\n"):
                click.echo(f"docketcal: {line}", err=True)
            raise click.exceptions.Exit(exc.exit_code) from exc
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError as exc:  # ``docketcal upcoming | head``: the reader had enough
            with contextlib.suppress(OSError, ValueError):  # the rest goes nowhere, quietly
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from exc
        except Exception as exc:
            if os.environ.get(DEBUG_ENV, "0") not in ("", "0"):
                raise
            # The error's own words may hold SQL, parameters or a URL: only its kind is said.
            click.echo(
                f"docketcal: unexpected error ({type(exc).__name__}); nothing more was done."
                f" Run again with {DEBUG_ENV}=1 to see the traceback, and report it.",
                err=True,
            )
            raise click.exceptions.Exit(UNEXPECTED) from exc


app = typer.Typer(
    name="docketcal",
    cls=Docketcal,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help=(
        "Court-order deadlines, computed under each court's time rules and explained.\n\n"
        "Exit codes: 0 ok, 1 unexpected error, 2 bad usage or bad input (nothing written),"
        " 3 nothing found, 75 the database is busy (nothing written: try again)."
        f" Dates are refused outside the years {FIRST_YEAR} to {LAST_YEAR}."
    ),
    epilog='Example: docketcal compute "14 days after 2013-11-12" --court caed',
)


class Format(StrEnum):
    table = "table"
    json = "json"


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL or SQLite file [env: DOCKETCAL_DB; config: db]."),
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option("--format", help="table for people, json for programs (stable keys)."),
    ] = Format.table,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Take this date (YYYY-MM-DD) as today."),
    ] = None,
) -> None:
    """Court-order deadlines, computed under each court's time rules and explained."""
    from cli.config import resolve

    database = resolve("db", db).value
    ctx.obj = {"db": database, "db_flag": db, "format": fmt.value, "as_of": as_of}


app.command(
    "compute",
    epilog=(
        'Examples:  docketcal compute "14 days after 2013-11-12" --court caed\n\n'
        '           docketcal compute "21 days before 2024-05-20" --court njd --format json\n\n'
        '           echo \'{"court": "caed", "when": "14 days after 2013-11-12"}\''
        " | docketcal compute --jsonl"
    ),
)(calc.compute_command)
app.command("courts", epilog="Example:  docketcal courts --state CA")(calc.courts_command)
app.command("holidays", epilog="Example:  docketcal holidays --court caed --year 2026")(
    calc.holidays_command
)


docket.register(app, order_app)
feeds.register(app)
remind.register(app)
app.command(
    "upcoming",
    epilog="Examples:  docketcal upcoming --within 30d --party plaintiff\n\n"
    "           docketcal --as-of 2013-12-03 upcoming --include-waiting",
)(agenda.upcoming_command)
app.command("agenda", epilog="Example:  docketcal agenda --within 7d")(agenda.agenda_command)
app.command("explain", epilog="Example:  docketcal explain bates-stamp")(agenda.explain_command)
app.command("config", epilog="Example:  docketcal config")(config.config_command)
app.add_typer(order_app, name="order")
app.add_typer(rules_app, name="rules")
app.command("demo", epilog="Example:  docketcal demo   (the same as make demo)")(demo.demo_command)


def main() -> None:
    """The console script: exit codes 0, 1, 2, 3 as documented."""
    try:
        app(args=hoist(sys.argv[1:]), prog_name="docketcal")
    except KeyboardInterrupt:
        sys.exit(130)

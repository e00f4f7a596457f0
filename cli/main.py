"""The ``docketcal`` command. Parses arguments, calls the domain, formats the answer.

Commands import what they need when they run, so ``docketcal --help`` and the quick commands
start fast.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from cli import agenda, calc, config, demo, docket, feeds, remind
from cli.orders import order_app

app = typer.Typer(
    name="docketcal",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    help=(
        "Court-order deadlines, computed under each court's time rules and explained.\n\n"
        "Exit codes: 0 ok, 1 unexpected error, 2 bad usage or bad input, 3 nothing found."
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
    from cli.config import ConfigError, resolve

    try:
        database = resolve("db", db).value
    except ConfigError as exc:
        typer.echo(f"docketcal: {exc}", err=True)
        raise typer.Exit(2) from exc
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
app.command("demo", epilog="Example:  docketcal demo   (the same as make demo)")(demo.demo_command)


GLOBAL_OPTIONS = ("--db", "--format", "--as-of")


def hoist(args: list[str]) -> list[str]:
    """Let the global options stand anywhere (``docketcal done REF --format json``): they are
    moved before the command, where the parser expects them."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if "=" in arg:
                front.append(arg)
            else:
                front.extend(args[i : i + 2])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def main() -> None:
    """The console script: exit codes 0, 1, 2, 3 as documented."""
    try:
        app(args=hoist(sys.argv[1:]), prog_name="docketcal")
    except KeyboardInterrupt:
        sys.exit(130)

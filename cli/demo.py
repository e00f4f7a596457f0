"""``docketcal demo``: the two example orders, a few facts, their schedule and one explanation."""

from __future__ import annotations

from datetime import date

import typer

from cli.output import emit_json, fmt


def demo_command(ctx: typer.Context) -> None:
    """Load the example orders, record a few facts, and show the schedule and one explanation."""
    from calendars.data import data_path
    from cli.render import explain_item, schedule_table
    from obligations.engine import schedule
    from obligations.model import Completion, Event, Facts
    from obligations.orderfile import load_orders

    files = sorted(data_path("orders").glob("*.toml"))
    orders = load_orders(files)
    case = "caed-2013-11-12"
    facts = Facts(
        completions=(
            Completion(
                case, case, "produce-documents", date(2013, 11, 22), seq=1, note="production served"
            ),
            Completion(
                case,
                case,
                "return-documents",
                date(2013, 11, 23),
                seq=2,
                note="documents returned (a Saturday)",
            ),
        ),
        events=(
            Event(case, "discovery-propounded", date(2013, 12, 2), seq=3, occurrence="set two"),
        ),
    )
    as_of = date(2013, 12, 3)
    sched = schedule(orders, facts, as_of)
    if fmt(ctx) == "json":
        emit_json({"as_of": as_of.isoformat(), "items": [i.to_json() for i in sched.items]})
        return
    typer.echo(f"Loaded {len(orders)} example orders ({', '.join(f.name for f in files)}).")
    typer.echo(
        "Recorded: plaintiff produced 2013-11-22; defendant returned the documents Sat 2013-11-23;"
    )
    typer.echo("          a new set of discovery requests was propounded 2013-12-02.\n")
    typer.echo(schedule_table(sched))
    bates = next(i for i in sched.items if i.obligation == "bates-stamp")
    typer.echo("\nWhy that date? docketcal explain " + bates.ref + "\n")
    typer.echo(explain_item(bates))
    typer.echo(
        '\nNext: docketcal compute "14 days after 2013-11-23" --court caed   (the calculator)'
        "\n      docketcal order check data/orders/*.toml                     (prove an encoding)"
    )

"""``docketcal demo``: the example orders in a fresh embedded docket, a few facts, the agenda and
one explanation. It never touches the user's own database."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from cli.output import emit_json, fmt

AS_OF = date(2013, 12, 3)


def demo_command(
    ctx: typer.Context,
    keep: Annotated[
        Path | None,
        typer.Option("--keep", help="Keep the demo docket in this file (must not exist yet)."),
    ] = None,
) -> None:
    """Load the example orders into a fresh embedded database, record a few facts, and show
    the agenda and one explanation."""
    from calendars.data import data_path
    from cli.agenda import render_rows
    from cli.render import explain_stored
    from obligations.store.db import Database, upgrade
    from obligations.store.docket import Docket
    from obligations.store.read import Reader, explain_json

    if keep is not None and keep.exists():
        typer.echo(f"docketcal: {keep} exists: the demo only writes a new file", err=True)
        raise typer.Exit(2)
    folder = None if keep else tempfile.TemporaryDirectory(prefix="docketcal-demo-")
    path = keep if keep else Path(folder.name) / "demo.db"  # type: ignore[union-attr]
    url = f"sqlite:///{path}"
    db = Database(url)
    try:
        upgrade(db.writer)
        d = Docket(db, "demo")
        files = sorted(data_path("orders").glob("*.toml"))
        d.load(files)
        d.done(
            "produce-documents",
            date(2013, 11, 22),
            note="production served with a written confirmation",
        )
        d.done(
            "return-documents",
            date(2013, 11, 23),
            note="plaintiff received the documents (a Saturday)",
        )
        d.record_event(
            "caed-2013-11-12",
            "discovery-propounded",
            date(2013, 12, 2),
            occurrence="second set of requests",
        )
        d.add_person("Ada Lovelace", "ada@firm.example", "clerk")
        d.add_person("Ben Counsel", "ben@firm.example", "attorney")
        d.assign("ben@firm.example", "caed-2013-11-12", party="plaintiff")
        d.assign("ada@firm.example", "caed-2013-11-12")
        d.assign("ada@firm.example", "njd-2013-07-02")
    finally:
        db.dispose()
    reader = Reader(url)
    try:
        rows, _ = reader.upcoming(
            AS_OF, AS_OF + timedelta(days=14), states=("overdue", "open", "waiting")
        )
        refs = reader.short_refs([r.ref for r in rows])
        bates = reader.resolve("bates-stamp")
        row, history = reader.obligation(bates), reader.history(bates)
    finally:
        reader.close()
    if fmt(ctx) == "json":
        emit_json(
            {
                "database": str(path) if keep else None,
                "as_of": AS_OF.isoformat(),
                "upcoming": [r.to_json() for r in rows],
                "explain": explain_json(row, history, AS_OF),
            }
        )
    else:
        typer.echo(f"Loaded the example orders: {', '.join(f.name for f in files)}")
        typer.echo(
            "Recorded: plaintiff produced on 2013-11-22; the documents came back Sat 2013-11-23;"
        )
        typer.echo("          a second set of discovery requests was propounded on 2013-12-02.")
        typer.echo(f"\n$ docketcal --as-of {AS_OF} upcoming --include-waiting\n")
        for line in render_rows(rows, refs, AS_OF, 80, color=False):
            typer.echo(line)
        typer.echo(f"\n$ docketcal --as-of {AS_OF} explain bates-stamp\n")
        typer.echo(explain_stored(row, history, AS_OF))
        typer.echo("\nNext:")
        if keep:
            typer.echo(f"  docketcal --db {path} --as-of {AS_OF} agenda")
        else:
            typer.echo(
                "  docketcal demo --keep demo.db            keep this docket to try the commands on it"
            )
        typer.echo("  docketcal order check ORDER.toml          prove an order file's encoding")
        typer.echo("  docketcal order load ORDER.toml           put it on your own docket")
        typer.echo(
            "  docketcal done REF --on DATE              record a duty done; its dependents follow"
        )
        typer.echo(
            "  docketcal feed token create --scope person:EMAIL   a calendar URL to subscribe to"
        )
        typer.echo(
            "  docketcal remind --dry-run                the reminder e-mails cron would send"
        )
    if folder is not None:
        folder.cleanup()

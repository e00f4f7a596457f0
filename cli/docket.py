"""The docket commands: init, order load/list/show, event, done, extend, vacate, closure,
person, assign, history. Each parses its arguments, calls ``obligations.store``, prints."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.agenda import complete_case, complete_ref
from cli.context import today, who
from cli.output import NOT_FOUND, day_or_fail, emit_json, fail, fmt, moment_or_fail
from cli.render import clean

if TYPE_CHECKING:
    from obligations.store.docket import Changes, Docket


event_app = typer.Typer(
    no_args_is_help=True, help="Case events: a hearing set, documents returned."
)
closure_app = typer.Typer(
    no_args_is_help=True, help="Days a court's clerk's office was closed or inaccessible."
)
person_app = typer.Typer(no_args_is_help=True, help="People: attorneys, clerks, paralegals.")


@contextmanager
def docket(ctx: typer.Context, *, create: bool = False) -> Iterator[Docket]:
    """The docket named by --db / DOCKETCAL_DB / the default file, ready to use.

    A write command (``create``) makes a new SQLite docket on first use; otherwise a database
    without the current schema is an error that says to run ``docketcal init``.
    """
    from obligations.store.db import Database, ready, revision, upgrade
    from obligations.store.docket import Docket
    from obligations.store.location import resolve_url, sqlite_path

    obj = ctx.find_root().obj or {}
    url = resolve_url(obj.get("db"))
    path = sqlite_path(url) if url.startswith("sqlite") else None
    existed = path is None or path.exists()
    if not create and not existed:
        fail(f"no docket at {path}: load an order or run 'docketcal init'")
    db = Database(url)
    written = False
    try:
        if create and db.sqlite and revision(db.engine) is None:
            upgrade(db.writer)
        ready(db.engine)
        yield Docket(db, who())
        written = True
    finally:
        db.dispose()
        if not written and not existed and path is not None:
            # Bad input writes nothing: not even the new, empty docket made for it.
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)


def _changes(ctx: typer.Context, changes: Changes, done: str) -> None:
    if fmt(ctx) == "json":
        emit_json(changes.to_json())
        return
    typer.echo(clean(done), err=True)
    for h in clean(changes.history):
        if h["what"] in ("schedule changed", "obligation added", "obligation removed"):
            before, after = h["before"] or {}, h["after"] or {}
            was = f"{before.get('state')} {before.get('due') or ''}".strip() if before else "new"
            typer.echo(
                f"  {h['ref']}: {was} -> {after.get('state')} {after.get('due') or ''}".rstrip()
            )


def init_command(ctx: typer.Context) -> None:
    """Create the docket's database, or upgrade it to the current schema."""
    from obligations.store.db import HEAD, Database, upgrade
    from obligations.store.location import resolve_url

    obj = ctx.find_root().obj or {}
    url = resolve_url(obj.get("db"))
    db = Database(url)
    try:
        before = upgrade(db.writer)
    finally:
        db.dispose()
    shown = db.engine.url.render_as_string(hide_password=True)
    result = {"database": shown, "from": before, "to": HEAD}
    if fmt(ctx) == "json":
        emit_json(result)
    elif before == HEAD:
        typer.echo(f"{shown}: up to date ({HEAD})", err=True)
    else:
        typer.echo(
            f"{shown}: {'created' if before is None else f'upgraded from {before}'} at {HEAD}",
            err=True,
        )


def order_load(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Order files (TOML).")],
    apply: Annotated[
        bool, typer.Option("--apply", help="Apply changes to orders already loaded.")
    ] = False,
) -> None:
    """Load order files into the docket (one transaction); a changed order needs --apply."""
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    with docket(ctx, create=True) as d:
        changes = d.load(files, apply=apply)
    if fmt(ctx) == "json":
        emit_json({**changes.to_json(), "applied": not changes.pending})
        return
    for warning in changes.warnings:
        typer.echo(f"docketcal: {warning}", err=True)
    for h in changes.held:
        typer.echo(
            f"held: {h['case']}/{h['order']} amends order {h['amends']}, which is not loaded:"
            f" {h['what']} (applied when it is loaded)",
            err=True,
        )
    loaded = [h for h in clean(changes.history) if h["what"] in ("order loaded", "order changed")]
    for h in loaded:
        typer.echo(f"{h['what']}: {h['ref']} ({h['why']})", err=True)
    if not loaded and not changes.pending:
        typer.echo("nothing changed: every order is already loaded as it is", err=True)
    for p in clean(changes.pending):
        typer.echo(f"{p['order']} (version {p['version']}) would change:", err=True)
        for line in p["differences"]:
            typer.echo(f"  {line}", err=True)
        typer.echo("  not applied: run again with --apply to record the change", err=True)
    counts = sum(1 for h in changes.history if h["what"] == "obligation added")
    if counts:
        typer.echo(f"{counts} obligations scheduled", err=True)


def order_list(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
) -> None:
    """The orders on the docket, with their current version, and the amendments held for
    orders not loaded yet."""
    with docket(ctx) as d:
        rows = d.orders(case)
        held = d.held(case)
    if not rows:
        fail("no orders on the docket" + (f" for case {case}" if case else ""), NOT_FOUND)
    if fmt(ctx) == "json":
        emit_json(rows)
        return
    for r in clean(rows):
        typer.echo(
            f"{r['case']}/{r['order']}  {r['court']:<10} entered {r['entered']}  v{r['version']}  {r['obligations']} obligations  {r['title']}"
        )
    for h in held:
        typer.echo(f"held: {h['case']}/{h['order']} amends {h['amends']} (not loaded): {h['what']}")


def order_show(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="CASE/ORDER, or an order id unique on the docket.")],
) -> None:
    """One order: its versions and its obligations as scheduled, their states as of today
    (or --as-of)."""
    day = today(ctx)
    with docket(ctx) as d:
        row = d.order(order, day)
    if fmt(ctx) == "json":
        emit_json(row)
        return
    row = clean(row)
    typer.echo(
        f"{row['case']}/{row['order']}: {row['title']} ({row['court']}, entered {row['entered']})"
    )
    for v in row["versions"]:
        typer.echo(
            f"  version {v['version']} loaded {v['loaded_at']} by {v['loaded_by']} ({v['sha256'][:12]})"
        )
    for o in row["obligations"]:
        when = o["due"] or ", ".join(o["waiting_on"]) or o["state"]
        if o["due"] and o["waiting_on"]:
            when = f"{o['due']} (waiting on {', '.join(o['waiting_on'])})"
        typer.echo(f"  {o['obligation']:<28} {o['party']:<10} {o['state']:<8} {when}")
    for h in row["held"]:
        typer.echo(f"  held: amends {h['amends']} (not loaded): {h['what']}")


def event_record(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="The case id.", autocompletion=complete_case)],
    event: Annotated[
        str,
        typer.Argument(
            help="The event's name, as due rules use it (hearing, documents-returned);"
            " case and surrounding spaces do not count."
        ),
    ],
    when: Annotated[str, typer.Argument(help="DATE or DATETHH:MM in the court's time.")],
    note: Annotated[str, typer.Option("--note", help="What happened, for the history.")] = "",
    occurrence: Annotated[
        str, typer.Option("--occurrence", help='For events that recur: which one ("second set").')
    ] = "",
    service: Annotated[
        str,
        typer.Option(
            "--service",
            help="How it was served (mail, electronic, ...): periods counted from it add what the court's rules add for that method.",
        ),
    ] = "",
    for_later: Annotated[
        bool,
        typer.Option(
            "--for-later-order",
            help="Record an event no duty of the case counts from yet: an order still to come"
            " will (otherwise such a name is refused, with the names that are counted from).",
        ),
    ] = False,
) -> None:
    """Record a case event; every duty that waits on it is scheduled."""
    from obligations.store.docket import event_name

    at = moment_or_fail(when, "DATE")
    name = event_name(event)
    with docket(ctx, create=True) as d:
        changes = d.record_event(
            case, name, at, note=note, occurrence=occurrence, for_later=for_later, service=service
        )
    _changes(ctx, changes, f"recorded {name} in {case} for {when}")


def done_command(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            help="CASE/ORDER/OBLIGATION or a unique suffix.", autocompletion=complete_ref
        ),
    ],
    on: Annotated[
        str | None, typer.Option("--on", help="The day it was done (default: today).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A note for the history.")] = "",
    service: Annotated[
        str,
        typer.Option(
            "--service",
            help="How what was done was served (mail, electronic, ...), when periods run from its service.",
        ),
    ] = "",
) -> None:
    """Record an obligation done; the duties that wait on it are scheduled from that day."""
    day = day_or_fail(on, "--on") if on else today(ctx)
    with docket(ctx, create=True) as d:
        changes = d.done(ref, day, note=note, service=service)
    _changes(ctx, changes, f"recorded {ref} done {day.isoformat()}")


def condition_command(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="The case id.", autocompletion=complete_case)],
    name: Annotated[
        str,
        typer.Argument(
            help="The condition's name (condition_id in the order file, else the duty's id)."
        ),
    ],
    state: Annotated[str, typer.Argument(help="met or not-met.")],
    on: Annotated[
        str | None, typer.Option("--on", help="The day it was decided (default: today).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A note for the history.")] = "",
) -> None:
    """Record a condition as met or not met: the duties that depend on one not met are moot."""
    from obligations.record import condition_state

    condition_state(state)
    day = day_or_fail(on, "--on") if on else today(ctx)
    with docket(ctx, create=True) as d:
        changes = d.condition(case, name, state, on=day, note=note)
    _changes(ctx, changes, f"recorded condition {name} in {case} as {state} on {day.isoformat()}")


def extend_command(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            help="CASE/ORDER/OBLIGATION or a unique suffix.", autocompletion=complete_ref
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (the order or stipulation).")],
    to: Annotated[
        str | None, typer.Option("--to", help="The new date, fixed by the court.")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="A period counted from the current due date, e.g. '14 days'."),
    ] = None,
) -> None:
    """Record an extension: to a date, or by a period counted under the court's rules."""
    from obligations.record import parse_extension

    period = parse_extension(by) if by is not None else None
    new_date = day_or_fail(to, "--to") if to else None
    with docket(ctx, create=True) as d:
        changes = d.extend(ref, to=new_date, by=period, reason=reason)
    _changes(ctx, changes, f"recorded an extension of {ref}")


def vacate_command(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            help="CASE/ORDER/OBLIGATION or a unique suffix.", autocompletion=complete_ref
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (the order that vacated it).")],
    undo: Annotated[
        bool, typer.Option("--undo", help="Record that the vacatur was itself undone.")
    ] = False,
) -> None:
    """Record that the court vacated an obligation (or, with --undo, reinstated it)."""
    with docket(ctx, create=True) as d:
        changes = d.vacate(ref, reason=reason, undo=undo)
    _changes(ctx, changes, f"recorded {ref} {'reinstated' if undo else 'vacated'}")


def closure_add(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help="The day (YYYY-MM-DD).")],
    court: Annotated[str, typer.Option("--court", help="Court id, e.g. caed.")],
    reason: Annotated[
        str, typer.Option("--reason", help="What happened: 'clerk's office closed by weather'.")
    ],
    source: Annotated[str, typer.Option("--source", help="The notice or order saying so.")] = "",
) -> None:
    """Record a day a court's clerk's office was closed or inaccessible (FRCP 6(a)(3), CCP 12b)."""
    when = day_or_fail(day, "DATE")
    with docket(ctx, create=True) as d:
        changes = d.add_closure(court, when, reason=reason, source=source)
    _changes(ctx, changes, f"recorded {court} closed on {when.isoformat()}")


def person_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    email: Annotated[str, typer.Option("--email", help="E-mail address (reminders go there).")],
    role: Annotated[str, typer.Option("--role", help="attorney, clerk or paralegal.")] = "attorney",
) -> None:
    """Add a person who can be responsible for cases, parties or obligations."""
    with docket(ctx, create=True) as d:
        person = d.add_person(name, email, role)
    if fmt(ctx) == "json":
        emit_json(person)
    else:
        person = clean(person)
        typer.echo(f"added {person['name']} <{person['email']}> ({person['role']})", err=True)


def person_password(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The person's e-mail address.")],
) -> None:
    """Set a person's password for the desk (docketcal serve), read from standard input or
    asked for twice at a terminal, never from the command line. Stored as an argon2 hash;
    the person's desk sessions end."""
    import getpass
    import sys

    from cli.web.auth import hash_password
    from obligations.store.desk import Desk

    if sys.stdin.isatty():
        password = getpass.getpass(f"New password for {email}: ")
        if getpass.getpass("Again: ") != password:
            fail("the two passwords differ: nothing was changed")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    hashed = hash_password(password)
    with docket(ctx) as d:
        person = Desk(d.db, who()).set_password(email, hashed)
    if fmt(ctx) == "json":
        emit_json({"email": person.email, "password": "set"})
    else:
        typer.echo(clean(f"password set for {person.name} <{person.email}>"), err=True)


def person_list(ctx: typer.Context) -> None:
    """The people on the docket."""
    with docket(ctx) as d:
        people = d.people()
    if not people:
        fail("no people on the docket", NOT_FOUND)
    if fmt(ctx) == "json":
        emit_json(people)
        return
    for p in clean(people):
        typer.echo(f"{p['email']:<32} {p['role']:<10} {p['name']}")


def assign_command(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The person's e-mail.")],
    case: Annotated[str, typer.Argument(help="The case.")],
    party: Annotated[str | None, typer.Option("--party", help="Only this party's duties.")] = None,
    obligation: Annotated[
        str | None, typer.Option("--obligation", help="Only this obligation (REF).")
    ] = None,
) -> None:
    """Make a person responsible for a case, one party in it, or one obligation."""
    with docket(ctx, create=True) as d:
        row = d.assign(email, case, party=party, obligation=obligation)
    if fmt(ctx) == "json":
        emit_json(row)
    else:
        row = clean(row)
        scope = row["obligation"] or (f"{case}, party {party}" if party else case)
        typer.echo(f"{row['person']} is responsible for {scope}", err=True)


def history_command(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(
            help="CASE/ORDER/OBLIGATION or a unique suffix.", autocompletion=complete_ref
        ),
    ] = None,
    case: Annotated[str | None, typer.Option("--case", help="Everything in a case.")] = None,
) -> None:
    """What changed, who changed it, when and why, with the before and after."""
    with docket(ctx) as d:
        rows = d.history(ref=ref, case=case)
    if not rows:
        fail("no history", NOT_FOUND)
    if fmt(ctx) == "json":
        emit_json(rows)
        return
    for h in clean(rows):
        typer.echo(f"{h['at']}  {h['who']:<14} {h['what']}: {h['ref'] or h['case'] or ''}")
        if h["why"]:
            typer.echo(f"      why: {h['why']}")
        before, after = h["before"] or {}, h["after"] or {}
        if not before:
            shown = {
                k: v
                for k, v in after.items()
                if k not in ("id", "case_id", "recorded_by") and v not in (None, [], "")
            }
            if shown:
                typer.echo("      " + ", ".join(f"{k}={v}" for k, v in shown.items()))
            continue
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key) and key != "revision":
                typer.echo(f"      {key}: {before.get(key)} -> {after.get(key)}")


def register(app: typer.Typer, order_app: typer.Typer) -> None:
    """Add the docket commands to the command line."""
    app.command(
        "init", epilog="Example:  docketcal --db postgresql+psycopg://user@host/docket init"
    )(init_command)
    order_app.command("load", epilog="Example:  docketcal order load data/orders/*.toml")(
        order_load
    )
    order_app.command("list", epilog="Example:  docketcal order list --case caed-2013-11-12")(
        order_list
    )
    order_app.command(
        "show", epilog="Example:  docketcal order show caed-2013-11-12/caed-2013-11-12"
    )(order_show)
    event_app.command(
        "record", epilog="Example:  docketcal event record caed-2013-11-12 hearing 2014-01-06T10:00"
    )(event_record)
    app.add_typer(event_app, name="event")
    app.command("done", epilog="Example:  docketcal done return-documents --on 2013-11-25")(
        done_command
    )
    app.command(
        "condition",
        epilog="Example:  docketcal condition caed-2013-11-12 disputes-remain not-met --on 2013-12-02",
    )(condition_command)
    app.command(
        "extend",
        epilog="Example:  docketcal extend produce-documents --by '14 days' --reason 'Stipulation, ECF 160'",
    )(extend_command)
    app.command(
        "vacate",
        epilog="Example:  docketcal vacate name-employees --reason 'Order of Dec. 2, 2013'",
    )(vacate_command)
    closure_app.command(
        "add",
        epilog="Example:  docketcal closure add 2013-11-26 --court caed --reason 'CM/ECF outage'",
    )(closure_add)
    app.add_typer(closure_app, name="closure")
    person_app.command(
        "add",
        epilog="Example:  docketcal person add --name 'Ada Clerk' --email ada@firm.example --role clerk",
    )(person_add)
    person_app.command("list", epilog="Example:  docketcal person list")(person_list)
    person_app.command("password", epilog="Example:  docketcal person password ada@firm.example")(
        person_password
    )
    app.add_typer(person_app, name="person")
    app.command(
        "assign",
        epilog="Example:  docketcal assign ada@firm.example caed-2013-11-12 --party plaintiff",
    )(assign_command)
    app.command("history", epilog="Example:  docketcal history bates-stamp")(history_command)


__all__ = ["register"]

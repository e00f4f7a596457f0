"""``docketcal rules ...``: standard deadline rules. What triggers there are in a court, what
one sets, the dates it would set on no docket, putting them on a case, and the rule changes
that would move duties already on one (docs/rules.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.output import day_or_fail, emit_json, fmt, moment_or_fail
from cli.render import clean
from cli.rulebook import court_id, library, list_answer, preview_answer, show_answer

rules_app = typer.Typer(
    no_args_is_help=True,
    help="Standard deadline rules: triggers (a complaint served, judgment entered) and the"
    " deadlines they set, with citations.",
)


@rules_app.command("list", epilog="Example:  docketcal rules list --court nysd")
def list_command(
    ctx: typer.Context,
    court: Annotated[
        str | None, typer.Option("--court", help="Only the triggers that apply in this court.")
    ] = None,
) -> None:
    """The triggers docketcal knows (in a court: those whose rules apply there), each with the
    number of deadlines it sets."""
    list_answer(court, fmt(ctx), typer.echo)


@rules_app.command("show", epilog="Example:  docketcal rules show frcp-complaint-served")
def show_command(
    ctx: typer.Context,
    trigger: Annotated[str, typer.Argument(help="The trigger's id (rules list names them).")],
) -> None:
    """What a trigger sets: every deadline with its rule, party, citation, the rule's text and
    its earlier versions, and the rule sets (courts) each comes from."""
    show_answer(trigger, fmt(ctx), typer.echo)


@rules_app.command(
    "preview",
    epilog=(
        "Examples:  docketcal rules preview frcp-complaint-served 2025-01-22 --court nysd\n\n"
        '           echo \'{"court": "nysd", "date": "2025-01-22"}\' | docketcal rules preview --jsonl'
    ),
)
def preview_command(
    ctx: typer.Context,
    trigger: Annotated[str | None, typer.Argument(help="The trigger's id.")] = None,
    when: Annotated[
        str | None,
        typer.Argument(metavar="DATE", help="The trigger's date: YYYY-MM-DD or YYYY-MM-DDTHH:MM."),
    ] = None,
    court: Annotated[str | None, typer.Option("--court", help="Court id, e.g. nysd.")] = None,
    service: Annotated[
        str | None,
        typer.Option(
            "--service", help="How the trigger's paper was served (mail, electronic, ...)."
        ),
    ] = None,
    party: Annotated[
        str | None, typer.Option("--party", help="Only this party's deadlines.")
    ] = None,
    rules_as_of: Annotated[
        str | None,
        typer.Option(
            "--rules-as-of",
            help="The rules in force on this date (YYYY-MM-DD) instead of on the trigger's.",
        ),
    ] = None,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help="One JSON request per stdin line (court, date, trigger, service, party,"
            " rules_as_of); one result per line. Without trigger: every trigger of the court.",
        ),
    ] = False,
) -> None:
    """The deadlines a trigger would set, on no docket: each with its due date, citation and
    the rule's text, every reading and the earliest safe date, and the numbered trace."""
    preview_answer(trigger, when, court, service, party, rules_as_of, jsonl, fmt(ctx), typer.echo)


@rules_app.command(
    "apply",
    epilog=(
        "Examples:  docketcal rules apply acme-v-widget frcp-complaint-served 2025-01-22"
        " --service mail\n\n"
        "           docketcal rules apply acme-v-widget frcp-interrogatories-served 2025-04-25"
        ' --as "2nd interrogatories"'
    ),
)
def apply_command(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="The case id.")],
    trigger: Annotated[str, typer.Argument(help="The trigger's id.")],
    when: Annotated[
        str,
        typer.Argument(metavar="DATE", help="The trigger's date: YYYY-MM-DD or YYYY-MM-DDTHH:MM."),
    ],
    service: Annotated[
        str | None,
        typer.Option(
            "--service", help="How the trigger's paper was served (mail, electronic, ...)."
        ),
    ] = None,
    party: Annotated[
        str | None,
        typer.Option(
            "--party",
            help="Only this party's deadlines (and those of both or any party, and those they count from).",
        ),
    ] = None,
    court: Annotated[
        str | None,
        typer.Option("--court", help="A new case's court (a case on the docket keeps its own)."),
    ] = None,
    rules_as_of: Annotated[
        str | None,
        typer.Option(
            "--rules-as-of",
            help="The rules in force on this date instead of on the trigger's (to apply a newer"
            " version that rules changes lists).",
        ),
    ] = None,
    label: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="LABEL",
            help="Name this occurrence of a trigger that happens more than once on the case"
            ' (--as "2nd interrogatories", --as def-acme): its own order rules-TRIGGER-LABEL,'
            " event TRIGGER-LABEL and deadlines. The same label again corrects it.",
        ),
    ] = None,
) -> None:
    """Put a trigger's deadlines on a case, as an order of their own (rules-TRIGGER), and record
    the trigger's date as the case event of that name. Run again with a corrected date or
    method, it moves them. With --as LABEL, one occurrence of a trigger that happens more than
    once (rules-TRIGGER-LABEL)."""
    from cli.docket import _changes, docket
    from obligations.rules import check_label, event_of, occurrence_label, order_id
    from obligations.store.rules import apply

    at = moment_or_fail(when, "DATE")
    as_of = day_or_fail(rules_as_of, "--rules-as-of") if rules_as_of is not None else None
    where = court_id(court) if court is not None else None
    name = occurrence_label(label) if label is not None else None
    lib = library()
    if name is not None:
        check_label(lib, lib.trigger(trigger).id, name)
    with docket(ctx, create=True) as d:
        changes = apply(
            d,
            lib,
            case,
            trigger,
            at,
            service=service,
            party=party,
            court=where,
            rules_as_of=as_of,
            label=name,
        )
    oid = order_id(trigger, name)
    if fmt(ctx) == "json":
        emit_json(
            {
                **changes.to_json(),
                "trigger": trigger,
                "label": name,
                "order": oid,
                "event": event_of(trigger, name),
            }
        )
        return
    for warning in changes.warnings:
        typer.echo(clean(f"docketcal: {warning}"), err=True)
    _changes(ctx, changes, f"rules {trigger} applied to {case} for {when} ({oid})")


@rules_app.command("changes", epilog="Example:  docketcal rules changes --case acme-v-widget")
def changes_command(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
) -> None:
    """Duties put on by rule whose rule is now given otherwise (a newer version in force, or
    the data corrected): the date each has and the date the current rule gives. Apply with
    rules apply ... --rules-as-of DATE, or leave them as they are."""
    from cli.docket import docket
    from obligations.store.rules import changes

    lib = library()
    with docket(ctx) as d:
        rows = changes(d, lib, case)
    if fmt(ctx) == "json":
        emit_json(rows)
        return
    if not rows:
        typer.echo("no duty put on by rule would change under the rules as they are now", err=True)
        return
    for r in clean(rows):
        now, cur = r["now"], r["current"]
        which = f", occurrence {r['label']}," if r["label"] else ""
        typer.echo(
            f"{r['ref']}: {r['change']} (trigger {r['trigger']}{which} on {r['trigger_date']})"
        )
        if now is not None:
            typer.echo(f"    has:     {now['due'] or now['state']}  '{now['rule']}'  {now['cite']}")
        if cur is not None:
            since = f" (in force from {cur['effective']})" if cur["effective"] else ""
            typer.echo(
                f"    current: {cur['due'] or 'waiting'}  '{cur['rule']}'  {cur['cite']}{since}"
            )

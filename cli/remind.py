"""``docketcal remind``: reminder e-mails from cron, every one sent, none twice.

Plan (``obligations.reminders.plan``, pure), record the plan in the outbox (idempotent), then
for each recipient: claim their rows (compare-and-set), send one digest, record it sent or
failed. See docs/reminders.md.
"""

from __future__ import annotations

import gc
import os
import re
import socket
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from calendars.errors import escape
from cli.context import today as _today
from cli.output import NOT_FOUND, UNEXPECTED, day_or_fail, emit_json, fail, fmt
from cli.render import clean

if TYPE_CHECKING:
    from obligations.mailer import SmtpSettings
    from obligations.reminders import Digest, Leads, Plan
    from obligations.store.db import Database
    from obligations.store.outbox import Row

EPILOG = (
    "Examples:  docketcal remind --dry-run\n\n"
    "           docketcal --as-of 2013-11-26 remind --dry-run --person ada@firm.example\n\n"
    "           docketcal remind --status\n\n"
    "           docketcal remind --prune-before 2026-01-01"
)


def _lease(text: str) -> timedelta:
    m = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", text.lower())
    if not m:
        fail(f"--lease '{text}': expected a time like 15m, 900s or 1h")
    unit = {"": 60, "m": 60, "s": 1, "h": 3600}[m.group(2)]
    if len(m.group(1)) > 7 or int(m.group(1)) * unit > 7 * 86400:
        fail(f"--lease '{text}': at most 7 days (168h)")
    return timedelta(seconds=int(m.group(1)) * unit)


def _lead_list(value: Any, where: str) -> tuple[int, ...]:
    """``[14, 7, 3, 1, 0]`` (TOML) or ``14,7,3,1,0`` (environment)."""
    if isinstance(value, list):
        parts: list[Any] = value
    else:
        parts = [p for p in re.split(r"[\s,]+", str(value).strip().strip("[]")) if p]
    try:
        leads = tuple(int(p) for p in parts if not isinstance(p, bool))
    except (TypeError, ValueError):
        fail(f"{where}: expected days before the due date, like 14, 7, 3, 1, 0; got {value!r}")
    if len(leads) != len(parts):
        fail(f"{where}: expected whole numbers of days; got {value!r}")
    return leads


def load_leads() -> Leads:
    """The firm's lead times (``remind_leads``) and each person's own (``[remind.people."EMAIL"]``
    in the config file), checked."""
    from cli.config import resolve, table
    from obligations.reminders import Leads, Schedule

    setting = resolve("remind_leads")
    path, section = table("remind")
    unknown = sorted(set(section) - {"overdue", "people"})
    if unknown:
        fail(f"{path}: [remind] has unknown key {', '.join(unknown)}; known: overdue, people")
    overdue = section.get("overdue", True)
    if not isinstance(overdue, bool):
        fail(f"{path}: [remind] overdue must be true or false")
    try:
        default = Schedule(
            _lead_list(setting.value, f"remind_leads ({setting.source})"), overdue=overdue
        )
    except ValueError as exc:
        fail(f"remind_leads ({setting.source}): {exc}")
    people_table = section.get("people", {})
    if not isinstance(people_table, dict):
        fail(f'{path}: [remind.people] must hold tables like [remind.people."ada@firm.example"]')
    people: dict[str, Schedule] = {}
    for email, own in people_table.items():
        where = f'{path}: [remind.people."{email}"]'
        if "@" not in email or not isinstance(own, dict):
            fail(f"{where}: expected an e-mail address naming a table with leads and/or overdue")
        extra = sorted(set(own) - {"leads", "overdue"})
        if extra:
            fail(f"{where}: unknown key {', '.join(extra)}; known: leads, overdue")
        own_overdue = own.get("overdue", default.overdue)
        if not isinstance(own_overdue, bool):
            fail(f"{where}: overdue must be true or false")
        leads = _lead_list(own["leads"], f"{where} leads") if "leads" in own else default.leads
        try:
            people[email.lower()] = Schedule(leads, overdue=own_overdue)
        except ValueError as exc:
            fail(f"{where}: {exc}")
    return Leads(default, people)


def load_smtp() -> SmtpSettings:
    """The SMTP settings from the environment or the config file (never the command line)."""
    from cli.config import resolve
    from obligations.mailer import SmtpSettings, read_password_file

    host = resolve("smtp_host").value
    sender = resolve("mail_from").value
    security = (resolve("smtp_security").value or "starttls").lower()
    port_setting = resolve("smtp_port")
    user = resolve("smtp_user").value or None
    password = resolve("smtp_password").value
    password_file = resolve("smtp_password_file").value
    missing = [
        f"{name} ({env})"
        for name, env, value in (
            ("smtp_host", "DOCKETCAL_SMTP_HOST", host),
            ("mail_from", "DOCKETCAL_MAIL_FROM", sender),
        )
        if not value
    ]
    if missing:
        fail(
            f"no {' and no '.join(missing)}: reminders need an SMTP server and a From address"
            " (config file or environment; docs/reminders.md); --dry-run works without them"
        )
    assert host is not None and sender is not None
    if port_setting.source == "default":  # the port that goes with the security chosen
        port_text = {"tls": "465", "none": "25"}.get(security, port_setting.value or "587")
    else:
        port_text = port_setting.value or ""
    if not port_text.isdigit():
        fail(f"smtp_port '{port_text}' ({port_setting.source}) is not a port number")
    if not password and password_file:
        password = read_password_file(password_file)
    return SmtpSettings(
        host=host,
        port=int(port_text),
        security=security,
        sender=sender,
        user=user,
        password=password,
    )


def remind_command(
    ctx: typer.Context,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show the e-mails that would be sent; record nothing."),
    ] = False,
    status: Annotated[
        bool, typer.Option("--status", help="Show what was sent, what is pending, what failed.")
    ] = False,
    person: Annotated[
        str | None,
        typer.Option("--person", help="Only this person (with --dry-run or --status)."),
    ] = None,
    lease: Annotated[
        str,
        typer.Option(
            "--lease",
            help="How long a claim holds: rows another run left sending longer ago are sent again.",
        ),
    ] = "15m",
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1_000_000, help="--status: rows per status.")
    ] = 50,
    prune_before: Annotated[
        str | None,
        typer.Option(
            "--prune-before",
            metavar="DATE",
            help="Delete the record of reminders done with (sent or skipped) meant for days"
            " before DATE, keeping what a run would need; send nothing.",
        ),
    ] = None,
) -> None:
    """Send each responsible person one e-mail with the reminders due for them now.

    Lead times: remind_leads (default 14, 7, 3, 1, 0 days before the due date), then daily while overdue; each person's own in the config file. Each reminder goes once per obligation, person, lead time and due date, even with two runs at once.

    Mail settings: DOCKETCAL_SMTP_HOST, _PORT, _SECURITY, _USER, _PASSWORD or _PASSWORD_FILE, DOCKETCAL_MAIL_FROM, or the config file. Exit 1 when an e-mail could not be sent (the next run retries it).
    """
    from obligations.store.db import Database, ready
    from obligations.store.location import resolve_url

    today = _today(ctx)
    held_for = _lease(lease)
    if person and not (dry_run or status):
        fail("--person goes with --dry-run or --status: a run sends to everyone it is due for")
    before = _prune_day(prune_before, today) if prune_before is not None else None
    if before is not None and (dry_run or status):
        fail("--prune-before goes alone: not with --dry-run or --status")
    leads = load_leads()
    settings = None if (dry_run or status or before) else load_smtp()
    obj = ctx.find_root().obj or {}
    db = Database(resolve_url(obj.get("db")))
    try:
        ready(db.engine)
        if status:
            _status(ctx, db, person.lower() if person else None, limit)
            return
        if before is not None:
            _prune(ctx, db, before)
            return
        p = plan_today(db, leads, today, person)
        if dry_run or settings is None:
            _dry_run(ctx, db, p, held_for)
            return
        failures = _send(ctx, db, p, settings, held_for)
    finally:
        db.dispose()
    if failures:
        raise typer.Exit(UNEXPECTED)


def plan_today(db: Database, leads: Leads, today: date, person: str | None = None) -> Plan:
    """The planning step of a run: the open duties due within the longest lead time, who is
    assigned to what, and ``plan``.

    The cyclic garbage collector is paused meanwhile: the step makes hundreds of thousands of
    small objects that hold no cycles, and at a million obligations the collector's passes over
    them took 40% of the step and grew faster than the docket (bench/README.md)."""
    from obligations import reminders
    from obligations.store import outbox

    was_on = gc.isenabled()
    gc.disable()
    try:
        items = outbox.open_items(db, today + timedelta(days=leads.horizon), today)
        people = outbox.assignees(db)
        if person:
            people = [a for a in people if a.email.lower() == person.lower()]
        return reminders.plan(items, people, leads, today)
    finally:
        if was_on:
            gc.enable()


def _entries(d: Digest) -> list[dict[str, Any]]:
    return [
        {
            "ref": e.item.ref,
            "case": e.item.case,
            "party": e.item.party,
            "lead": e.lead,
            "due": e.key[3].isoformat(),
            "days_left": e.left,
        }
        for e in d.entries
    ]


def _dry_run(ctx: typer.Context, db: Database, p: Plan, held_for: timedelta) -> None:
    from obligations.reminders import render_text
    from obligations.store import outbox

    stale = outbox.stale_before(held_for)
    there = outbox.known(db, p.today - timedelta(days=p.leads.horizon + 1))

    def due(key: Any) -> bool:
        row = there.get(key)
        if row is None or row.status in outbox.SENDABLE:
            return True
        return row.status == "sending" and row.claimed_at is not None and row.claimed_at < stale

    digests = p.digests([k for k in p.current if due(k)])
    if fmt(ctx) == "json":
        emit_json(
            {
                "as_of": p.today.isoformat(),
                "dry_run": True,
                "emails": [
                    {
                        "to": d.recipient,
                        "subject": d.subject(),
                        "status": "would send",
                        "reminders": _entries(d),
                        "text": render_text(d),
                    }
                    for d in digests
                ],
                "sent": 0,
                "failed": 0,
            }
        )
        return
    for n, d in enumerate(digests):
        if n:
            typer.echo("=" * 72)
        typer.echo(clean(f"To: {d.name} <{d.recipient}>" if d.name else f"To: {d.recipient}"))
        typer.echo(clean(f"Subject: {d.subject()}"))
        typer.echo("")
        typer.echo(escape(render_text(d), keep_newlines=True), nl=False)
    count = sum(len(d.entries) for d in digests)
    typer.echo(
        f"dry run for {p.today.isoformat()}: would send {count} reminder{'s' if count != 1 else ''}"
        f" in {len(digests)} e-mail{'s' if len(digests) != 1 else ''}; nothing recorded",
        err=True,
    )


#: E-mails claimed together, and recorded together once sent: one transaction each way per
#: batch of e-mails, not per e-mail (a commit costs more than composing an e-mail). A run that
#: dies mid-batch leaves that batch claimed: once the lease runs out the next run sends it,
#: the e-mails the server had already taken a second time (at least once, never lost).
BATCH = 20


def _send(
    ctx: typer.Context, db: Database, p: Plan, settings: SmtpSettings, held_for: timedelta
) -> int:
    """Record the plan; then, batch by batch, claim the rows, send one e-mail per person, and
    record what came of each. Returns how many e-mails failed.

    (One thread on purpose: sending from a second thread while this one writes to the database
    made the run slower, not faster: the two take turns at the interpreter lock.)"""
    from calendars.errors import BadInput
    from obligations.mailer import Mailer, SendError
    from obligations.reminders import compose
    from obligations.store import outbox
    from obligations.store.tables import now

    made = outbox.record(db, p.rows)
    stale = outbox.stale_before(held_for)
    rows = outbox.waiting(db, p.today, stale)
    beyond = {r.uid for r in rows if r.key not in p.current and r.uid not in p.open_due}
    if beyond:  # moved past the planning horizon, or closed: read which, to say why
        p.open_due.update(outbox.open_dues(db, beyond))
    skipped = outbox.skip(
        db, {r.id: p.why_not(r.key) for r in rows if r.key not in p.current}, stale
    )
    by_person: dict[str, list[Row]] = {}
    for r in rows:
        if r.key in p.current:
            by_person.setdefault(r.recipient, []).append(r)
    recipients = sorted(by_person)

    run = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    emails: list[dict[str, Any]] = []
    taken = 0
    with Mailer(settings) as mailer:
        for start in range(0, len(recipients), BATCH):
            people = recipients[start : start + BATCH]
            if mailer.broken is not None:  # no connection: record the rest failed, untried
                error = str(mailer.broken)
                outbox.unsent(db, [r.id for who in people for r in by_person[who]], error)
                for who in people:
                    digest = p.digests([r.key for r in by_person[who]])[0]
                    emails.append(_result(digest, "", "failed", error))
                continue
            wanted = [(by_person[who], settings.message_id()) for who in people]
            held = outbox.claim(db, wanted, run, stale)
            taken += sum(len(rows) for rows, _ in wanted) - len(held)
            groups: dict[tuple[str, str], list[Row]] = {}  # a resend keeps its Message-ID
            for r in held:
                groups.setdefault((r.recipient, r.message_id), []).append(r)
            done: list[int] = []
            failures: list[tuple[list[int], str, bool]] = []
            untried = {r.id for r in held}
            try:
                for (_, mid), group in sorted(groups.items()):
                    digest = p.digests([r.key for r in group])[0]
                    ids = [r.id for r in group]
                    untried.difference_update(ids)
                    try:
                        mailer.send(compose(digest, settings.sender, mid, now()))
                    except SendError as exc:
                        failures.append((ids, str(exc), exc.maybe_delivered))
                        emails.append(_result(digest, mid, "failed", str(exc)))
                    except BadInput as exc:  # an address no e-mail can carry: never sent
                        failures.append((ids, str(exc), False))
                        emails.append(_result(digest, mid, "failed", str(exc)))
                    else:
                        done += ids
                        emails.append(_result(digest, mid, "sent", None))
            finally:  # also when interrupted: what was sent is recorded, the rest let go
                outbox.finish(db, run, done, failures, released=sorted(untried))

    sent = [e for e in emails if e["status"] == "sent"]
    failed = [e for e in emails if e["status"] == "failed"]
    if fmt(ctx) == "json":
        emit_json(
            {
                "as_of": p.today.isoformat(),
                "dry_run": False,
                "reminders_due": len(p.current),
                "created": made,
                "skipped": skipped,
                "taken_by_another_run": taken,
                "emails": emails,
                "sent": len(sent),
                "failed": len(failed),
            }
        )
    else:
        for e in emails:
            n = len(e["reminders"])
            typer.echo(
                clean(
                    f"{e['status']:<7} {e['to']:<32} {n} reminder{'s' if n != 1 else ''}  {e['subject']}"
                )
            )
            if e["error"]:
                typer.echo(clean(f"        {e['error']}"))
    sent_rows = sum(len(e["reminders"]) for e in sent)
    summary = (
        f"remind {p.today.isoformat()}: {len(sent)} e-mail{'s' if len(sent) != 1 else ''} sent"
        f" ({sent_rows} reminder{'s' if sent_rows != 1 else ''}), {len(failed)} failed"
        f" (retried on the next run), {skipped} skipped"
    )
    if taken:
        summary += f", {taken} taken by another run"
    typer.echo(summary, err=True)
    return len(failed)


def _result(digest: Digest, mid: str, status: str, error: str | None) -> dict[str, Any]:
    return {
        "to": digest.recipient,
        "subject": digest.subject(),
        "message_id": mid,
        "status": status,
        "error": error,
        "reminders": _entries(digest),
    }


def _prune_day(text: str, today: date) -> date:
    """The day given to --prune-before; no later than today, real or --as-of: a notice sent
    today and then deleted would be sent again by the next run today."""
    before = day_or_fail(text, "--prune-before")
    latest = min(today, date.today())
    if before > latest:
        fail(
            f"--prune-before {before.isoformat()} is after today ({latest.isoformat()}):"
            " today's reminders must stay on record, or another run today would send them again"
        )
    return before


def _prune(ctx: typer.Context, db: Database, before: date) -> None:
    from obligations.store import outbox

    gone = outbox.prune(db, before)
    if fmt(ctx) == "json":
        emit_json({"pruned": gone, "before": before.isoformat()})
    else:
        typer.echo(
            f"pruned {gone} reminder rows (sent or skipped) meant for days before {before.isoformat()}"
        )


def _status(ctx: typer.Context, db: Database, person: str | None, limit: int) -> None:
    from obligations.store import outbox

    counts = outbox.counts(db, person)
    rows = outbox.recent(db, max(1, limit), person)
    if fmt(ctx) == "json":
        emit_json({"counts": counts, "reminders": [r.to_json() for r in rows]})
    else:
        typer.echo("reminders: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
        for r in rows:
            lead = f"overdue {-r.lead}d" if r.lead < 0 else f"{r.lead}d before"
            when = (
                r.sent_at.astimezone().strftime("%Y-%m-%d %H:%M")
                if r.sent_at
                else f"due to go {r.send_on.isoformat()}"
            )
            typer.echo(
                f"{r.status:<8} {when:<22} {r.recipient:<28} {lead:<13} due {r.due.isoformat()}  {r.ref}"
            )
            if r.status == "failed" or (r.status == "sending" and r.attempts > 1):
                typer.echo(f"         attempts {r.attempts}: {r.last_error}")
    if not any(counts.values()):
        typer.echo("no reminders yet: 'docketcal remind' makes them", err=True)
        raise typer.Exit(NOT_FOUND)


def register(app: typer.Typer) -> None:
    """Add the reminder command to the command line."""
    app.command("remind", epilog=EPILOG)(remind_command)


__all__ = ["register"]

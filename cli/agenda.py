"""``upcoming``, ``agenda`` and ``explain``: what is due, for whom, and why that day.

These read through ``obligations.store.read`` (plain DB-API), never the ORM, so they answer
quickly on a large docket.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from calendars.errors import FIRST_YEAR, LAST_YEAR, shown
from cli.context import today as _today
from cli.output import NOT_FOUND, emit_json, fail, fmt
from cli.render import clean, day, short

if TYPE_CHECKING:
    from obligations.store.read import Reader, Row

STATES = ("overdue", "open", "waiting", "done", "vacated", "standing", "moot")  # contract.STATES


def complete_ref(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion: obligation references on the docket that match what was typed."""
    from cli.config import resolve
    from obligations.store.location import resolve_url
    from obligations.store.read import Reader

    try:
        r = Reader(resolve_url(resolve("db").value))
    except Exception:
        return []
    try:
        # A reference may be any unique suffix: offer obligation ids as well as full references.
        like = incomplete.replace("%", "").replace("_", "") + "%"
        ids = r.query(
            "SELECT DISTINCT obligation_id FROM obligation WHERE obligation_id LIKE ? ORDER BY 1 LIMIT 100",
            (like,),
        )
        refs = r.query("SELECT ref FROM obligation WHERE ref LIKE ? ORDER BY 1 LIMIT 100", (like,))
        return [row[0] for row in ids] + [row[0] for row in refs]
    finally:
        r.close()


def complete_case(ctx: typer.Context, incomplete: str) -> list[str]:
    from cli.config import resolve
    from obligations.store.location import resolve_url
    from obligations.store.read import Reader

    try:
        r = Reader(resolve_url(resolve("db").value))
    except Exception:
        return []
    try:
        rows = r.query(
            'SELECT id FROM "case" WHERE id LIKE ? ORDER BY id LIMIT 200', (f"{incomplete}%",)
        )
        return [row[0] for row in rows]
    finally:
        r.close()


@contextmanager
def reading(ctx: typer.Context) -> Iterator[Reader]:
    from obligations.store.location import resolve_url
    from obligations.store.read import Reader

    obj = ctx.find_root().obj or {}
    r = Reader(resolve_url(obj.get("db")))
    try:
        yield r
    finally:
        r.close()


#: The longest window: the supported years end long before it.
LONGEST_WINDOW = 366 * (LAST_YEAR - FIRST_YEAR + 1)
#: At most this many duties in one answer.
MOST = 1_000_000


def _window(text: str, today: date) -> date:
    """``14d``, ``2w``, ``30``: the last day of the window that starts ``today``."""
    t = text.strip().lower()
    try:
        days = int(t[:-1]) * 7 if t.endswith("w") else int(t.removesuffix("d"))
    except ValueError:
        fail(f"--within {shown(text)}: expected days like 14d or weeks like 2w")
    if days < 0:
        fail(f"--within {shown(text)}: a window looks ahead, 0 days or more")
    if days > LONGEST_WINDOW:
        fail(f"--within {shown(text)}: at most {LONGEST_WINDOW:,} days")
    until = date.fromordinal(min(today.toordinal() + days, date.max.toordinal()))
    if until.year > LAST_YEAR:
        fail(
            f"--within {shown(text)} from {today.isoformat()} ends in {until.year}, after the"
            f" years docketcal supports ({FIRST_YEAR} to {LAST_YEAR})"
        )
    return until


def _color(ctx: typer.Context) -> bool:
    from cli.config import resolve

    mode = (resolve("color").value or "auto").lower()
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _width() -> int:
    try:
        return max(60, min(os.get_terminal_size().columns, 160))
    except OSError:
        return int(os.environ.get("COLUMNS", "80") or 80)


RED, BOLD, DIM, RESET = "\033[31;1m", "\033[1m", "\033[2m", "\033[0m"


def render_rows(
    rows: Sequence[Row], refs: dict[str, str], today: date, width: int, color: bool
) -> list[str]:
    """Overdue first, then by day: a header with the date, weekday and days left, then each duty
    with its case, party, the duty in a few words and the reference to ask about it."""
    lines: list[str] = []
    overdue = [r for r in rows if r.state == "overdue"]
    dated = [r for r in rows if r.state == "open"]
    rest = [r for r in rows if r.state not in ("overdue", "open")]

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    casew = min(18, max((len(r.case) for r in rows), default=4))
    partyw = min(10, max((len(r.party) for r in rows), default=4))
    refw = min(32, max((len(refs.get(r.ref, r.ref)) for r in rows), default=4))

    def item(r: Row, lead: str = "  ") -> None:
        ref = refs.get(r.ref, r.ref)
        head = f"{lead}{short(r.case, casew):<{casew}} {short(r.party, partyw):<{partyw}} "
        room = width - len(head) - refw - 2
        if room >= 16 and len(ref) <= refw:
            lines.append(f"{head}{short(r.summary or r.text, room):<{room}}  {ref}")
        else:
            lines.append(f"{head}{short(r.summary or r.text, width - len(head))}")
            lines.append(f"{' ' * len(lead)}  {short('ref ' + ref, width - len(lead) - 2)}")

    if overdue:
        lines.append(paint("Overdue", RED))
        last: date | None = None
        for r in overdue:
            assert r.due is not None
            if r.due != last:
                last = r.due
                late = (today - r.due).days
                lines.append(
                    paint(f"  {day(r.due)}  {late} day{'s' if late != 1 else ''} late", RED)
                )
            item(r, "    ")
    current: date | None = None
    for r in dated:
        assert r.due is not None
        if r.due != current:
            current = r.due
            left = (r.due - today).days
            when = "today" if left == 0 else ("tomorrow" if left == 1 else f"in {left} days")
            lines.append(paint(f"{day(r.due)}  {when}", BOLD))
        item(r)
    for state in ("waiting", "standing", "done", "vacated", "moot"):
        group = [r for r in rest if r.state == state]
        if not group:
            continue
        lines.append(paint(state.capitalize(), BOLD))
        for r in group:
            item(r)
            if r.state == "waiting" and r.due is not None:
                when = "if the default happens" if r.opens_on else "at the earliest"
                lines.append(paint("      " + short(f"due {day(r.due)} {when}", width - 6), DIM))
            if r.waiting_on:
                lines.append(
                    paint("      " + short("waiting on " + ", ".join(r.waiting_on), width - 6), DIM)
                )
    return lines


def upcoming_command(
    ctx: typer.Context,
    within: Annotated[
        str | None, typer.Option("--within", help="The window: 14d, 2w (default from config: 14d).")
    ] = None,
    case: Annotated[
        str | None, typer.Option("--case", help="Only this case.", autocompletion=complete_case)
    ] = None,
    party: Annotated[str | None, typer.Option("--party", help="Only this party's duties.")] = None,
    person: Annotated[
        str | None,
        typer.Option("--person", help="Only what this person (e-mail) is responsible for."),
    ] = None,
    state: Annotated[
        list[str] | None,
        typer.Option("--state", help=f"Only these states ({', '.join(STATES)}); repeatable."),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only what is overdue.")] = False,
    include_waiting: Annotated[
        bool,
        typer.Option(
            "--include-waiting", help="Also the duties waiting on an event, with what they wait on."
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Group by 'person': a week per person, for a docketing meeting."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MOST, help="At most this many duties.")
    ] = 500,
    schema: Annotated[
        bool,
        typer.Option(
            "--schema",
            help="Print the JSON Schema of --format json's answer (due_at in the court's"
            " time zone) and nothing else.",
        ),
    ] = False,
) -> None:
    """What is due: overdue first, then day by day within the window."""
    from cli.config import resolve

    if schema:
        from obligations.contract import upcoming_schema

        emit_json(upcoming_schema())
        return

    if by is not None:
        if by != "person":
            fail(f"--by '{by}': only 'person' is known")
        agenda_command(ctx, within=within or "7d", limit=limit)
        return
    today = _today(ctx)
    until = _window(within or resolve("within").value or "14d", today)
    states = _states(state, overdue, include_waiting)
    with reading(ctx) as r:
        rows, more = r.upcoming(
            today,
            until,
            case=case,
            party=party,
            person=person,
            states=states,
            limit=limit,
        )
        refs = r.short_refs([x.ref for x in rows]) if fmt(ctx) != "json" else {}
    if fmt(ctx) == "json":
        emit_json([x.to_json() for x in rows])
        if not rows:
            raise typer.Exit(NOT_FOUND)
        return
    if not rows:
        typer.echo(
            f"nothing due from {day(today)} to {day(until)}" + _filters(case, party, person),
            err=True,
        )
        raise typer.Exit(NOT_FOUND)
    for line in render_rows(rows, clean(refs), today, _width(), _color(ctx)):
        typer.echo(line)
    if more:
        typer.echo(
            f"... and {more} more: narrow with --case, --party, --person or --within", err=True
        )


def _states(state: list[str] | None, overdue: bool, include_waiting: bool) -> tuple[str, ...]:
    if state:
        bad = [s for s in state if s not in STATES]
        if bad:
            fail(f"--state {bad[0]}: expected one of {', '.join(STATES)}")
        return tuple(state)
    if overdue:
        return ("overdue",)
    return ("overdue", "open", "waiting") if include_waiting else ("overdue", "open")


def _filters(case: str | None, party: str | None, person: str | None) -> str:
    parts = [
        f"case {case}" if case else "",
        f"party {party}" if party else "",
        f"person {person}" if person else "",
    ]
    text = ", ".join(p for p in parts if p)
    return f" ({text})" if text else ""


def agenda_command(
    ctx: typer.Context,
    within: Annotated[str, typer.Option("--within", help="The window (default a week).")] = "7d",
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MOST, help="At most this many duties per person.")
    ] = 200,
) -> None:
    """A week per person: what each attorney and clerk is responsible for, overdue first."""
    today = _today(ctx)
    until = _window(within, today)
    out: dict[str, Any] = {}
    with reading(ctx) as r:
        people: dict[str, str] = {}
        for email, name, *_ in r.assignments():
            people[email] = name
        for email, name in people.items():
            rows, _ = r.upcoming(today, until, person=email, limit=limit)
            out[email] = (name, rows, r.short_refs([x.ref for x in rows]))
    if fmt(ctx) == "json":
        emit_json({email: [x.to_json() for x in rows] for email, (_, rows, _) in out.items()})
        return
    if not out:
        fail("no one is responsible for anything yet: 'docketcal assign EMAIL CASE'", NOT_FOUND)
    color = _color(ctx)
    for email, (name, rows, refs) in out.items():
        typer.echo(clean(f"{name} <{email}>: {len(rows)} due by {day(until)}"))
        for line in render_rows(rows, clean(refs), today, _width(), color):
            typer.echo("  " + line)
        typer.echo("")


def explain_command(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            help="CASE/ORDER/OBLIGATION or a unique suffix.", autocompletion=complete_ref
        ),
    ],
) -> None:
    """How the date was found: the order's words, the rule, the facts it hangs on, every step
    with its citation, the readings and the safe date where the law is unsettled, its history."""
    today = _today(ctx)
    with reading(ctx) as r:
        full = r.resolve(ref)
        row = r.obligation(full)
        history = r.history(full)
    if fmt(ctx) == "json":
        from obligations.store.read import explain_json

        emit_json(explain_json(row, history, today))
        return
    from cli.render import explain_stored

    # the order's words are wrapped to the terminal: their line breaks are only spacing
    words = {k: " ".join(row[k].split()) for k in ("text", "consequence", "condition") if row[k]}
    typer.echo(explain_stored(clean({**row, **words}), clean(history), today, _width()))

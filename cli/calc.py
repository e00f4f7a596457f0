"""``compute``, ``courts`` and ``holidays``: the calculator and what the engine knows."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from cli.output import BAD_INPUT, NOT_FOUND, emit_json, fail, fmt

if TYPE_CHECKING:
    from calendars import Court, Due
    from calendars.holidays import Holiday
    from calendars.rulesets.base import RuleSet


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{what} '{text}' is not a date that exists (expected YYYY-MM-DD)")


def compute_command(
    ctx: typer.Context,
    when: Annotated[
        str | None,
        typer.Argument(help='The due rule, e.g. "14 days after 2013-11-12" or "on 2013-07-15".'),
    ] = None,
    court: Annotated[
        str | None, typer.Option("--court", help="Court id, e.g. caed, njd, calsuperct.")
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(
            "--service",
            help="Service method: none, hand, mail, electronic, ... (see docs/computing.md).",
        ),
    ] = None,
    closure: Annotated[
        list[str] | None,
        typer.Option(
            "--closure", help="A day the clerk's office is taken as inaccessible (repeatable)."
        ),
    ] = None,
    rules: Annotated[
        str | None,
        typer.Option(
            "--rules", help="Override the court's rule set, e.g. frcrp for a criminal case."
        ),
    ] = None,
    rules_as_of: Annotated[
        str | None,
        typer.Option(
            "--rules-as-of",
            help="Compute with the rules as in force on this date (YYYY-MM-DD) instead of on the"
            " anchor's, e.g. what the current rule gives for an old order.",
        ),
    ] = None,
    appeal_from: Annotated[
        str | None,
        typer.Option(
            "--appeal-from",
            help="Under Fed. R. App. P. 26 in a court of appeals: the district court whose"
            " judgment is appealed (its state's holidays count too, 26(a)(6)(C)), e.g. txsd.",
        ),
    ] = None,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help="Read one JSON request per stdin line; write one result per line (keys: court,"
            " when, service, closures, rules, rules_as_of, trace).",
        ),
    ] = False,
    no_trace: Annotated[
        bool,
        typer.Option(
            "--no-trace",
            help='With --jsonl: leave the trace out of every answer (a line\'s "trace": true'
            " asks for it back); the dates, readings and warnings are the same.",
        ),
    ] = False,
) -> None:
    """Compute a due date under the court's time rules, with its numbered trace."""
    if jsonl:
        if when is not None or court is not None or rules_as_of is not None:
            fail(
                "--jsonl reads its requests from standard input; give no WHEN, --court or"
                ' --rules-as-of (put "rules_as_of" in a request line)'
            )
        if appeal_from is not None:
            fail("--appeal-from goes with a single computation; --jsonl requests do not take it")
        _jsonl(not no_trace)
        return
    if no_trace:
        fail("--no-trace goes with --jsonl; a single computation always shows its trace")
    if when is None or court is None:
        fail(
            'compute needs a due rule and --court, e.g. docketcal compute "14 days after 2013-11-12" --court caed'
        )
    closures = [_day(c, "--closure") for c in closure or ()]
    as_of = _day(rules_as_of, "--rules-as-of") if rules_as_of is not None else None
    due = _calculate(court, when, service, closures, rules, as_of, appeal_from)
    if fmt(ctx) == "json":
        emit_json(due.to_json())
    else:
        from cli.render import due_note

        typer.echo(due_note(due))


def _calculate(
    court: str,
    when: str,
    service: str | None,
    closures: list[date],
    rules: str | None,
    rules_as_of: date | None = None,
    appeal_from: str | None = None,
) -> Due:
    from calendars.errors import DocketcalError
    from obligations.calculator import calculate
    from obligations.when import WhenSyntaxError

    try:
        return calculate(
            court,
            when,
            service=service,
            closures=closures,
            rules=rules,
            rules_as_of=rules_as_of,
            appeal_from=appeal_from,
        )
    except WhenSyntaxError as exc:
        fail(f'in "{when}": {exc}')
    except DocketcalError as exc:
        fail(str(exc), exc.exit_code)


def _jsonl(trace: bool) -> None:
    """One request per line; a bad line gets {"error": ...} and the run goes on (cli/bulk.py)."""
    from cli.bulk import run

    run(sys.stdin.buffer, sys.stdout.write, trace=trace)
    sys.stdout.flush()


def courts_command(
    ctx: typer.Context,
    state: Annotated[
        str | None, typer.Option("--state", help="Only courts in this state (USPS code).")
    ] = None,
) -> None:
    """List the courts docketcal computes for: id, name, state, time zone, rule set."""
    from calendars import all_courts

    rows = [c for c in all_courts().values() if state is None or c.state == state.upper()]
    if not rows:
        fail(f"no court in state '{state}'", NOT_FOUND)
    rows.sort(key=lambda c: (c.kind != "appeals", c.kind == "state", c.id))
    if fmt(ctx) == "json":
        emit_json(
            [
                {
                    "id": c.id,
                    "name": c.name,
                    "short": c.short,
                    "kind": c.kind,
                    "state": c.state,
                    "tz": c.tz,
                    "rules": c.ruleset,
                    "clerk_closes": c.clerk_closes.strftime("%H:%M") if c.clerk_closes else None,
                    "other_zones": [{"tz": z.tz, "where": z.where} for z in c.other_zones],
                }
                for c in rows
            ]
        )
        return
    for c in rows:
        typer.echo(f"{c.id:<11} {c.short:<16} {c.state:<3} {c.tz:<28} {c.ruleset}")


def holidays_command(
    ctx: typer.Context,
    court: Annotated[str, typer.Option("--court", help="Court id, e.g. caed.")],
    year: Annotated[int, typer.Option("--year", min=1900, max=2100, help="Calendar year.")],
    rules: Annotated[
        str | None, typer.Option("--rules", help="Override the court's rule set.")
    ] = None,
) -> None:
    """The days a court's rule set treats as holidays in a year, each with its source."""
    from calendars import ComputeError, UnknownCourt, get_court, get_ruleset
    from calendars.holidays import COURT, EO_CLOSURE, FEDERAL, INAUGURATION, STATE

    try:
        c = get_court(court)
        rs = get_ruleset(rules or c.ruleset)
    except (UnknownCourt, ComputeError) as exc:
        fail(str(exc), BAD_INPUT)
    counts = {
        FEDERAL: "legal holiday",
        INAUGURATION: "legal holiday by default (a reading without it is shown)",
        EO_CLOSURE: "legal holiday by default (a reading without it is shown)",
        STATE: _state_counts(rs, year),
        COURT: "court holiday",
    }
    every = rs.holidays(c, year)
    # A state day that is also a federal legal holiday adds nothing: show the federal one.
    federal_days = {h.day for h in every if h.layer in (FEDERAL, INAUGURATION)}
    days = [h for h in every if not (h.layer == STATE and h.day in federal_days)]
    items = [
        {
            "date": h.day.isoformat(),
            "name": h.name,
            "counts": _counts(c, h, counts[h.layer])
            + (f"; unsettled: {h.arguable}" if h.arguable else ""),
            "layer": h.layer,
            "source": h.source,
        }
        for h in days
    ]
    if fmt(ctx) == "json":
        emit_json({"court": c.id, "year": year, "rules": rs.id, "holidays": items})
        return
    typer.echo(
        f"{c.short} ({c.id}), {year}, {rs.name}; Saturdays and Sundays are never court days."
    )
    for h, item in zip(days, items, strict=True):
        typer.echo(f"{h.day.strftime('%a %Y-%m-%d')}  {h.name}  [{item['counts']}]")
        typer.echo(f"                {h.source}")


def _counts(court: Court, h: Holiday, counts: str) -> str:
    """How a holiday counts; in a court of appeals, a holiday of another state than the
    clerk's counts only when the district court appealed from is there (Fed. R. App. P.
    26(a)(6)(C))."""
    if court.kind != "appeals" or h.layer != "state" or h.state in ("", court.state):
        return counts
    return (
        f"holiday of {h.state}, where a district court of the circuit sits: {counts} when the"
        " district court appealed from is there (--appeal-from), else a reading"
    )


def _state_counts(rs: RuleSet, year: int) -> str:
    """How the rule set counts the state's holidays in ``year``: as its rule version in force
    that year says (data/rule-versions.toml, ``state_holidays``): forward periods only (Fed. R.
    Civ. P. 6(a)(6)(C) and its sister rules), both ways (the former texts; Tax Court Rule
    25(a)(2), the legal holidays of the District of Columbia), or not at all (RCFC 6(a)(6))."""
    from calendars.rulesets.federal import Federal
    from calendars.rulesets.versions import versions

    if not isinstance(rs, Federal):
        return "state holiday"
    texts = versions(rs.family)
    if not texts:
        return f"forward periods only ({rs.cite('(a)(6)(C)')})"
    end = date(year, 12, 31)
    version = max((v for v in texts if v.since <= end), key=lambda v: v.since, default=texts[0])
    if version.state_holidays == "none":
        return f"not counted: {version.label} has no clause for state holidays"
    if version.state_holidays == "both":
        return f"legal holiday, periods counted either way ({version.label})"
    return f"forward periods only ({rs.cite('(a)(6)(C)')})"

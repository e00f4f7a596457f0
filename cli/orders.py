"""``docketcal order ...``: prove an order file's encoding, and the format's schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.output import BAD_INPUT, emit_json, fail, fmt

order_app = typer.Typer(no_args_is_help=True, help="Order files: check them, print their schema.")


@order_app.command(
    "check",
    epilog="Example:  docketcal order check data/orders/caed-2013-11-12.toml",
)
def check_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Order files (TOML) to check together.")],
) -> None:
    """Load order files without storing them and prove every [[check]] example they carry;
    show what is worth a second look (warnings: exit 0 all the same)."""
    from obligations.checks import run_checks
    from obligations.orderfile import OrderFileErrors, load_orders

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    try:
        orders = load_orders(files)
    except OrderFileErrors as exc:
        fail(str(exc))
    results = run_checks(orders)
    bad = [r for r in results if not r.ok]
    if fmt(ctx) == "json":
        emit_json(
            {
                "orders": [
                    {
                        "id": o.id,
                        "case": o.case,
                        "obligations": len(o.obligations),
                        "warnings": list(o.warnings),
                    }
                    for o in orders
                ],
                "checks": [
                    {"check": r.label, "ok": r.ok, "failures": list(r.failures)} for r in results
                ],
            }
        )
    else:
        for o in orders:
            typer.echo(
                f"{o.path}: order {o.id} ({o.case}, {o.court}): {len(o.obligations)} obligations",
                err=True,
            )
            for warning in o.warnings:
                typer.echo(f"docketcal: {warning}", err=True)
        for r in results:
            typer.echo(f"{r.label}: {'ok' if r.ok else 'FAILED'}", err=True)
            for failure in r.failures:
                typer.echo(f"    {failure}", err=True)
        typer.echo(f"{len(results) - len(bad)} of {len(results)} checks hold", err=True)
    if bad:
        raise typer.Exit(BAD_INPUT)


@order_app.command("schema", epilog="Example:  docketcal order schema > order.schema.json")
def schema_command() -> None:
    """Print the JSON Schema of the order-file format (for editors)."""
    from obligations.orderfile import order_schema

    emit_json(order_schema())


@order_app.command(
    "draft",
    epilog="Example:  docketcal order draft order.pdf --court caed --out order.toml",
)
def draft_command(
    ctx: typer.Context,
    order: Annotated[
        str,
        typer.Argument(
            help="The order: a PDF (text layer) or a text file; - reads text from stdin."
        ),
    ],
    court: Annotated[
        str | None,
        typer.Option("--court", help="Court id (docketcal courts); else read from the caption."),
    ] = None,
    case: Annotated[
        str | None, typer.Option("--case", help="Case number; else read from the text.")
    ] = None,
    entered: Annotated[
        str | None,
        typer.Option("--entered", help="Date entered, YYYY-MM-DD; else read from the text."),
    ] = None,
    order_id: Annotated[
        str | None, typer.Option("--id", help="Order id; default COURT-YYYY-MM-DD.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the draft here instead of stdout.")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="toml (an order file) or json (the draft as data).")
    ] = "toml",
) -> None:
    """Draft an order file from an order's text: every duty found, its party, cite and due
    rule; `review = "..."` where a person must decide. Confirm it, then `order check` it."""
    import json
    import sys
    from datetime import date

    from calendars.errors import BadInput
    from obligations.draft import draft_order, read_order_text

    if format_ not in ("toml", "json"):
        fail(f"--format: expected toml or json, found '{format_}'")
    day = None
    if entered is not None:
        try:
            day = date.fromisoformat(entered)
        except ValueError:
            fail(f"--entered: expected a date YYYY-MM-DD, found '{entered}'")
    if order == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        path = Path(order)
        if not path.is_file():
            fail(f"no such file: {order}")
        try:
            data = path.read_bytes()
        except OSError as err:
            fail(f"{order}: cannot read the file: {err.strerror or err}")
        name = order
    try:
        text = read_order_text(data, name=name)
        draft = draft_order(text, court=court, case=case, entered=day, order_id=order_id)
    except BadInput as exc:
        fail(str(exc) if str(exc).startswith(name) else f"{name}: {exc}")
    result = (
        json.dumps(draft.to_json(), ensure_ascii=False, indent=2) + "\n"
        if format_ == "json"
        else draft.to_toml()
    )
    if out is None:
        typer.echo(result, nl=False)
    else:
        try:
            out.write_text(result, encoding="utf-8")
        except OSError as err:
            fail(f"{out}: cannot write the file: {err.strerror or err}")
    del ctx

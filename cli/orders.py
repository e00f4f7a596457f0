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

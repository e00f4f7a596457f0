"""Output for every command: JSON on stdout and nothing else; messages and errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer

OK, UNEXPECTED, BAD_INPUT, NOT_FOUND = 0, 1, 2, 3


def fmt(ctx: typer.Context) -> str:
    obj = ctx.find_root().obj or {}
    return str(obj.get("format", "table"))


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Say what was wrong on stderr and exit with the documented code (nothing written)."""
    typer.echo(f"docketcal: {message}", err=True)
    raise typer.Exit(code)

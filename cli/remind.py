"""``docketcal remind``: reminder e-mails from cron, every one sent, none twice."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the reminder command to the command line."""

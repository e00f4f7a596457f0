"""``docketcal feed build | feed token ... | serve``: iCalendar feeds clerks subscribe to."""

from __future__ import annotations

import typer

feed_app = typer.Typer(
    no_args_is_help=True, help="Calendar feeds (.ics) per case, party, person or firm."
)
token_app = typer.Typer(
    no_args_is_help=True, help="Secret feed URLs: create, list, revoke, rotate."
)


def register(app: typer.Typer) -> None:
    """Add the feed commands to the command line."""
    feed_app.add_typer(token_app, name="token")
    app.add_typer(feed_app, name="feed")

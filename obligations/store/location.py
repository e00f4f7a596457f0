"""Where the docket is: ``--db``, ``DOCKETCAL_DB``, the config file, or the user's data folder.

Kept apart from ``db`` so that reading commands can find the database without importing the ORM.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("docketcal", appauthor=False)) / "docketcal.db"


def resolve_url(db: str | None) -> str:
    """``--db`` or ``DOCKETCAL_DB``: a SQLAlchemy URL, or a path to a SQLite file."""
    value = db or os.environ.get("DOCKETCAL_DB") or str(default_path())
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def libpq_url(url: str) -> str:
    """A PostgreSQL URL as the drivers themselves take it (``postgresql+psycopg://...`` ->
    ``postgresql://...``): for the code that talks to PostgreSQL without SQLAlchemy."""
    return "postgresql://" + url.split("://", 1)[1]

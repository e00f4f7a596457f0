"""Where the docket is: ``--db``, ``DOCKETCAL_DB``, the config file, or the user's data folder.

Kept apart from ``db`` so that reading commands can find the database without importing the ORM.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from calendars.errors import BadInput

#: The databases docketcal keeps a docket in: a SQLite file, or PostgreSQL (either driver).
SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg", "postgresql+psycopg2")


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("docketcal", appauthor=False)) / "docketcal.db"


def resolve_url(db: str | None) -> str:
    """``--db`` or ``DOCKETCAL_DB``: a SQLAlchemy URL, or a path to a SQLite file."""
    value = db or os.environ.get("DOCKETCAL_DB") or str(default_path())
    url = value if "://" in value else f"sqlite:///{Path(value).expanduser()}"
    check_url(url)
    return url


def check_url(url: str) -> None:
    """Refuse a URL of a database docketcal does not keep dockets in, and a SQLite "file" that
    is a folder or lies under a file: the message names it."""
    scheme = url.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise BadInput(
            f"--db {shown_url(url)}: a {scheme} database is not supported; docketcal keeps its"
            " docket in SQLite (a file, or sqlite:///PATH) or PostgreSQL (postgresql+psycopg://...)"
        )
    if not scheme.startswith("sqlite"):
        return
    path = sqlite_path(url)
    if path is None:
        return
    if path.is_dir():
        raise BadInput(f"--db {path}: that is a folder; name a SQLite file (docket.db) in it")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise BadInput(f"--db {path}: {parent} is a file, not a folder")
            break


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL; None for an in-memory database."""
    rest = url.split("://", 1)[1].lstrip("/") if "://" in url else url
    path = url.split("///", 1)[1] if "///" in url else rest
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def shown_url(url: str) -> str:
    """A database URL as a message shows it: the password masked."""
    return re.sub(r"(://[^:/@\s]*:)[^@/\s]*@", r"\1***@", url)


def libpq_url(url: str) -> str:
    """A PostgreSQL URL as the drivers themselves take it (``postgresql+psycopg://...`` ->
    ``postgresql://...``): for the code that talks to PostgreSQL without SQLAlchemy."""
    return "postgresql://" + url.split("://", 1)[1]

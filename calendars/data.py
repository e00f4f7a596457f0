"""Where the cited data files live: the package data ``calendars._data``, or ``DOCKETCAL_DATA``.

In the repository the files are in ``data/`` at the top; the build installs that folder, every
file in it, as ``calendars/_data`` (pyproject.toml maps it), and an editable install maps it the
same way. They are found with ``importlib.resources``, so an installed docketcal reads its own
copy wherever it was installed.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from pathlib import Path

PACKAGE = "calendars._data"


@cache
def _installed() -> Path:
    root = files(PACKAGE)
    # Installed from a wheel or in editable mode the package is a folder; a zipped install
    # (which pip never makes) has no paths to hand to the readers.
    if not isinstance(root, Path):
        raise RuntimeError(f"docketcal's data ({PACKAGE}) is not a folder: {root!r}")
    return root


def data_path(*parts: str) -> Path:
    """A file or folder of the data: ``data_path("holidays", "ca.toml")``."""
    named = os.environ.get("DOCKETCAL_DATA")
    root = Path(named) if named else _installed()
    return root.joinpath(*parts)

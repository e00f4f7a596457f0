"""Where the cited data files live: the package data ``calendars._data``, or ``DOCKETCAL_DATA``.

In the repository the files are in ``data/`` at the top; the build installs that folder, every
file in it, as ``calendars/_data`` (pyproject.toml maps it), and an editable install maps it the
same way. They are found with ``importlib.resources``, so an installed docketcal reads its own
copy wherever it was installed.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

PACKAGE = "calendars._data"


@cache
def _installed() -> Path:
    # Installed from a wheel or in editable mode the package is a folder; a zipped install
    # (which pip never makes) has no paths to hand to the readers. The folder is found as the
    # import system finds the package, without loading importlib.resources (whose import is
    # most of what a quick command spends on finding its data); ``files`` decides otherwise.
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if spec is not None and spec.has_location and len(locations) == 1:
        folder = Path(locations[0])
        if folder.is_dir() and spec.origin and Path(spec.origin).parent == folder:
            return folder
    from importlib.resources import files

    root = files(PACKAGE)
    if not isinstance(root, Path):
        raise RuntimeError(f"docketcal's data ({PACKAGE}) is not a folder: {root!r}")
    return root


def data_path(*parts: str) -> Path:
    """A file or folder of the data: ``data_path("holidays", "ca.toml")``."""
    named = os.environ.get("DOCKETCAL_DATA")
    root = Path(named) if named else _installed()
    return root.joinpath(*parts)


# --- copies kept between runs ----------------------------------------------------------------

T = TypeVar("T")

#: ``keeper(name, sources, make)`` gives ``make()``, or the value ``make`` gave before under
#: the same ``name`` when none of the ``sources`` (files) has changed since: a copy kept between
#: runs. None, the default: every value is made again. The core never keeps anything itself;
#: the command line sets a keeper for its quick answers (cli/kept.py).
Keeper = Callable[[str, Callable[[], Sequence[Path]], Callable[[], Any]], Any]
_keeper: Keeper | None = None


def set_keeper(keeper: Keeper | None) -> Keeper | None:
    """Use ``keeper`` (None: no keeper) from now on; the one used before is returned."""
    global _keeper
    before, _keeper = _keeper, keeper
    return before


def kept(name: str, sources: Callable[[], Sequence[Path]], make: Callable[[], T]) -> T:
    """``make()``, or its kept copy when a keeper is set and ``sources()`` are unchanged."""
    if _keeper is None:
        return make()
    return cast("T", _keeper(name, sources, make))


def read_toml(path: Path) -> dict[str, Any]:
    """A data file's TOML, parsed (kept as long as the file is unchanged, when a keeper is set);
    a file that is not TOML raises ``tomllib.TOMLDecodeError`` as ``tomllib.load`` does."""

    def parse() -> dict[str, Any]:
        import tomllib

        with open(path, "rb") as f:
            return tomllib.load(f)

    return kept(f"toml {path}", lambda: (path,), parse)

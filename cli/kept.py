"""Copies kept between runs, in the user's cache folder, of what a command would otherwise read
and compute again on every start: the checked rule library, the parsed data files (courts,
holidays, rule versions), a year's federal holidays.

A copy is used only while every file it was made from (its sources, which include the code that
makes it) has the name, size and time it had when the copy was made; otherwise it is made again
and kept anew. What fails to be made (a file with a mistake) is never kept, so every run reports
it. A copy that cannot be read or written only makes the run slower. ``DOCKETCAL_KEEP=0`` keeps
nothing.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

#: Set to 0 to make everything again on every run.
KEEP_ENV = "DOCKETCAL_KEEP"

_Stamp = tuple[str, int, int]


def folder() -> Path:
    """The user's cache folder for docketcal."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("docketcal", appauthor=False))


#: while a run takes its files as they are when it starts (``keeping(steady=True)``): each
#: file's stamp, looked at once
_steady: dict[os.PathLike[str] | str, _Stamp] | None = None


def _stamp(path: os.PathLike[str] | str) -> _Stamp:
    if _steady is not None:
        found = _steady.get(path)
        if found is None:
            found = _steady[path] = _stat(path)
        return found
    return _stat(path)


def _stat(path: os.PathLike[str] | str) -> _Stamp:
    st = os.stat(path)
    return (str(path), st.st_mtime_ns, st.st_size)


def keep(
    name: str, sources: Callable[[], Sequence[os.PathLike[str] | str]], make: Callable[[], Any]
) -> Any:
    """``make()``, or the copy kept of what it gave under ``name`` when none of ``sources()``
    has changed since (a keeper for ``calendars.data.set_keeper``)."""
    if os.environ.get(KEEP_ENV, "1") == "0":
        return make()
    try:
        key = (name, sys.version, tuple(_stamp(p) for p in sources()))
    except OSError:  # a source that is not there: made, not kept
        return make()
    slug = name.split(" ", 1)[0]
    crc = zlib.crc32(name.encode("utf-8", "surrogatepass"))
    path = folder() / f"{slug}-{crc:08x}.pickle"
    try:
        with open(path, "rb") as stored:
            if not _ours(os.fstat(stored.fileno())):
                raise OSError("kept by someone else")
            found = pickle.load(stored)
        if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
            return found[1]
    except (
        OSError,
        EOFError,
        pickle.UnpicklingError,
        AttributeError,
        ImportError,
        IndexError,
        TypeError,
        ValueError,
    ):
        pass
    value = make()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(partial, "wb") as out:
            pickle.dump((key, value), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    except (OSError, pickle.PicklingError):
        pass  # a copy that cannot be written is only slower
    return value


def _ours(st: os.stat_result) -> bool:
    """A kept copy is loaded only when this user wrote it and nobody else could have: loading
    one runs what it holds, so a file another account can change is made again instead."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


@contextlib.contextmanager
def keeping(steady: bool = False) -> Iterator[None]:
    """The core's data read through ``keep`` (``calendars.data.set_keeper``) while inside;
    ``steady``: each source file's name, size and time looked at once while inside (a run that
    reads many copies made of the same files takes the files as they are when it starts)."""
    global _steady
    from calendars.data import set_keeper

    before = set_keeper(keep)
    was = _steady
    if steady and was is None:
        _steady = {}
    try:
        yield
    finally:
        set_keeper(before)
        _steady = was

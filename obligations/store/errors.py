"""The store's errors, on the one hierarchy of ``calendars.errors``: what the docket refuses
(exit 2), what it does not hold (exit 3), and a database another process holds (exit 75).

Both ways into the docket (``docket.Docket``, the ORM, for writes; ``read.Reader``, plain
DB-API, for fast reads) raise these same classes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from calendars.errors import BadInput, Busy, NotFound, escape, shown

#: The longest reference, case id or name the docket takes: a reference is at most three ids.
LONGEST_NAME = 500


class DocketError(BadInput):
    """Bad input for the docket (an unknown case, a date in the wrong place): nothing written."""


class StoreNotReady(BadInput):
    """The database has no docket yet, or an older schema, or is not a database docketcal can
    open: the message says which, and what to run."""


class StoreBusy(Busy):
    """Another process holds the database: nothing was written; try again."""


class UnknownRef(NotFound):
    def __init__(self, ref: str, close: Sequence[str]) -> None:
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"no obligation {shown(ref)}{hint}")
        self.close = tuple(close)


class UnknownOrder(UnknownRef):
    def __init__(self, ident: str, close: Sequence[str]) -> None:
        super().__init__(ident, close)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        self.args = (f"no order {shown(ident)} on the docket{hint}",)


class AmbiguousRef(DocketError):
    def __init__(self, ref: str, matches: Sequence[str]) -> None:
        super().__init__(f"{shown(ref)} matches {len(matches)} obligations: {', '.join(matches)}")
        self.matches = tuple(matches)


def check_name(value: str, what: str) -> str:
    """A reference, case id or name as typed, without its surrounding spaces; refused when it is
    empty or longer than any the docket holds."""
    text = value.strip()
    if not text:
        raise DocketError(f"{what} is empty")
    bad = _NOT_IN_LINE.search(text)
    if bad is not None:
        raise DocketError(f"{what} {shown(text)} holds a control character ({escape(bad.group())})")
    if len(text) > LONGEST_NAME:
        raise DocketError(
            f"{what} {shown(text)} is longer than any on a docket (at most {LONGEST_NAME})"
        )
    return text


BUSY_MESSAGE = "the database is busy: another docketcal is writing; nothing was written, try again"


def cannot_open(url: str, exc: BaseException) -> StoreBusy | StoreNotReady:
    """What a failure to open the database means, in words naming it: busy (try again), not a
    database, or a server that cannot be reached. ``exc``: the driver's error (or SQLAlchemy's
    around it)."""
    from obligations.store.location import shown_url, sqlite_path

    orig = getattr(exc, "orig", None) or exc
    message = " ".join(str(orig).split())
    if "locked" in message.lower() or "busy" in message.lower():
        return StoreBusy(BUSY_MESSAGE)
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if "not a database" in message or "malformed" in message:
            return StoreNotReady(f"--db {path}: the file is not a SQLite database ({message})")
        return StoreNotReady(f"--db {path}: cannot open it as a SQLite database ({message})")
    return StoreNotReady(f"cannot connect to the database {shown_url(url)}: {message[:300]}")


#: Characters no text on the docket may hold: PostgreSQL refuses NUL in text, and the other C0
#: controls (but tab and line ends) and DEL serve no purpose in a note but to hide or forge
#: lines on a terminal.
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_NOT_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: The longest note, reason or name the docket takes.
LONGEST_TEXT = 10_000


def check_text(value: str, what: str, *, one_line: bool = False, limit: int = LONGEST_TEXT) -> str:
    """A note, reason or name as the docket can store and show it; refused (naming ``what``)
    when it holds a control character (any at all in a ``one_line`` text) or is too long."""
    bad = (_NOT_IN_LINE if one_line else _NOT_IN_TEXT).search(value)
    if bad is not None:
        raise DocketError(
            f"{what} {shown(value)} holds a control character ({escape(bad.group())}"
            f" at {bad.start() + 1}): {'a single line of text' if one_line else 'text'} is expected"
        )
    if len(value) > limit:
        raise DocketError(f"{what} is {len(value):,} characters long: at most {limit:,}")
    return value


def check_email(value: str, what: str = "the e-mail address") -> str:
    """An e-mail address as reminders are sent to it (``name@example.org``), lower-cased; refused
    when the standard library's address parser does not read it whole as one address."""
    from email.headerregistry import Address

    text = value.strip()
    if not text or len(text) > 320 or _NOT_IN_LINE.search(text) or any(c.isspace() for c in text):
        raise DocketError(f"{what} {shown(value)} is not an e-mail address (name@example.org)")
    try:
        address = Address(addr_spec=text)
    except Exception as exc:  # ValueError, IndexError or the parser's own errors
        raise DocketError(
            f"{what} {shown(value)} is not an e-mail address (name@example.org)"
        ) from exc
    if address.addr_spec != text or not address.username or not address.domain.strip("."):
        raise DocketError(f"{what} {shown(value)} is not an e-mail address (name@example.org)")
    return text.lower()

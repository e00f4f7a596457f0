"""Answering ``GET /feeds/<token>.ics``: the token checked, the feed rendered when the docket
changed, and the validators (ETag, Last-Modified from the shared stamps, 304) every serve
process gives alike. Framework-free: the web application (``cli.web.app``) calls ``answer``
from its worker threads."""

from __future__ import annotations

import email.utils
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obligations.feeds import DEFAULT_WINDOWS, Rendered, Scope, Windows
from obligations.store.feeds import Stamp, lookup, register_stamp, render
from obligations.store.read import Reader, ReadError, _instant

if TYPE_CHECKING:
    from obligations.store.db import Database


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""


NOT_FOUND = Response(
    404,
    (
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Cache-Control", "no-store"),
        ("Content-Length", "10"),
    ),
    b"not found\n",
)
FEED_PATH = re.compile(r"^/feeds/([^/]+)\.ics$")


@dataclass(slots=True)
class _Entry:
    """A rendered feed, and the state of the docket it was rendered from: the day, the newest
    history id, the transactions then still running (PostgreSQL) and the shared stamp seen."""

    as_of: date
    version: Any
    running: frozenset[int]
    built: float
    rendered: Rendered
    seen: Stamp


@dataclass(frozen=True, slots=True)
class _State:
    """What one request reads besides the token: the newest history id, the transactions
    running at that moment (PostgreSQL; from the same snapshot) and the scope's stamp."""

    version: Any
    running: frozenset[int]
    stamp: Stamp


def _running(snapshot: str | None) -> frozenset[int]:
    """The in-progress transaction ids of a PostgreSQL snapshot (``xmin:xmax:xip,...``)."""
    if not snapshot:
        return frozenset()
    listed = str(snapshot).split(":")[2]
    return frozenset(int(x) for x in listed.split(",") if x)


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match: ``*`` or any listed tag equal to ours (weak comparison, RFC 9110)."""
    if header.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == ours for t in header.split(","))


def http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class Publisher:
    """Answers ``GET /feeds/<token>.ics``: the token checked on every request (a revoked one
    stops at once), the feed rendered when the docket changed, the day changed, or ``ttl``
    seconds passed, and 304 for a matching ``If-None-Match`` (which takes precedence) or an
    ``If-Modified-Since`` not older than the feed's Last-Modified.

    Several processes (behind a load balancer, on several hosts) answer alike. The ETag is a
    hash of the bytes. Last-Modified is the scope's row in ``feed_stamp``, written with the
    database's clock by the process that first rendered those bytes (``register_stamp``) and
    read on every request, so every process gives the same date for the same bytes, and a
    process whose bytes are not the row's gives none and answers an ``If-Modified-Since`` in
    full: never a wrong 304.

    "The docket changed" is the newest history id, and on PostgreSQL also the transactions
    running when the feed was rendered: a writer can take a history id before another and
    commit after it, leaving the newest id unchanged; when a transaction that was running
    then has ended, the feed is rendered again.
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        windows: Windows = DEFAULT_WINDOWS,
        as_of: date | None = None,
        ttl: float = 60.0,
        record: Callable[[int, datetime, str, int], None] | None = None,
        record_every: float = 30.0,
        log: Callable[[str], None] | None = None,
        now: Callable[[], datetime] | None = None,
        db: Database | None = None,
    ) -> None:
        """``db``: where the stamps are written (made from ``url`` and ``schema`` when none)."""
        self.url = url
        self.schema = schema
        self.windows = windows
        self.fixed_as_of = as_of
        self.ttl = ttl
        self.record = record
        self.record_every = record_every
        self.log = log or (lambda _message: None)
        self.now = now or (lambda: datetime.now(UTC))
        self._db = db
        self._own_db = False
        self._pool: queue.SimpleQueue[Reader] = queue.SimpleQueue()
        self._cache: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._pending: dict[int, tuple[int, datetime, str]] = {}
        self._flushed: dict[int, float] = {}
        self._warned: set[tuple[str, str]] = set()

    # Connections are pooled: a request takes one, uses it alone, and gives it back, so a new
    # client connection (a new thread) costs no new database connection.
    @contextmanager
    def reader(self) -> Iterator[Reader]:
        try:
            r = self._pool.get_nowait()
        except queue.Empty:
            r = (
                _PooledSQLite(self.url)
                if self.url.startswith("sqlite")
                else Reader(self.url, schema=self.schema)
            )
        try:
            yield r
        except BaseException:
            r.close()  # a connection that failed is not reused
            raise
        self._pool.put(r)

    def as_of(self) -> date:
        """The day the windows are measured from: the given one, else today here (as the
        command line's default)."""
        return self.fixed_as_of or self.now().astimezone().date()

    def answer(self, path: str, headers: Mapping[str, str]) -> Response:
        """The response to a GET (a HEAD sends the same without the body); ``headers`` has
        lower-case names. ``Accept`` is not read: a feed is text/calendar whatever the client
        asks for (Google's fetcher sends no Accept at all)."""
        match = FEED_PATH.match(path.split("?", 1)[0])
        if match is None:
            return NOT_FOUND
        now = self.now()
        with self.reader() as r:
            token = lookup(r, match.group(1), now)
            if token is None:
                return NOT_FOUND
            rendered, modified = self._feed(r, token.scope)
        etag = rendered.etag
        inm = headers.get("if-none-match")
        if inm is not None:
            fresh = etag_matches(inm, etag)
        else:
            since = http_date(headers.get("if-modified-since"))
            fresh = since is not None and modified is not None and modified <= since
        self._note(token.id, now, headers.get("user-agent", ""))
        dated = (
            (("Last-Modified", email.utils.format_datetime(modified, usegmt=True)),)
            if modified is not None
            else ()
        )
        common = (
            ("ETag", etag),
            *dated,
            ("Cache-Control", "private, max-age=300"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
        )
        if fresh:
            return Response(304, common)
        return Response(
            200,
            (
                ("Content-Type", "text/calendar; charset=utf-8"),
                ("Content-Length", str(len(rendered.data))),
                *common,
            ),
            rendered.data,
        )

    def _state(self, r: Reader, scope: str) -> _State:
        """One statement, so the history id, the running transactions and the stamp are read
        from the same snapshot."""
        snapshot = "NULL" if r.sqlite else "pg_current_snapshot()::text"
        row = r.query(
            f"SELECT (SELECT max(id) FROM history), {snapshot}, s.etag, s.modified"
            " FROM (SELECT 1 AS one) AS o LEFT JOIN feed_stamp s ON s.scope = ?",
            (scope,),
        )[0]
        modified = _instant(row[3])
        stamp = (str(row[2]), modified) if row[2] is not None and modified is not None else None
        return _State(row[0], _running(row[1]), stamp)

    def _feed(self, r: Reader, scope_text: str) -> tuple[Rendered, datetime | None]:
        """The scope's bytes, and their Last-Modified when the shared stamp is theirs."""
        as_of = self.as_of()
        state = self._state(r, scope_text)
        current = state.stamp  # the row as it stands: read now, or written by this request
        entry = self._cache.get(scope_text)
        if not self._fresh(entry, as_of, state) or self._behind(entry, state):
            with self._lock:
                lock = self._locks.setdefault(scope_text, threading.Lock())
            with lock:
                entry = self._cache.get(scope_text)
                fresh = self._fresh(entry, as_of, state)
                if not fresh or self._behind(entry, state):
                    rendered = render(r, Scope.parse(scope_text), as_of, self.windows)
                    if fresh:
                        # Another process stamped other bytes since: rendered again to catch
                        # up, once per stamp seen. Bytes still different (other windows,
                        # another day or version) are served without a Last-Modified and not
                        # stamped, so two such processes do not take the stamp from each other
                        # on every request (only at their own renders: a change, a new day,
                        # the ttl).
                        seen = state.stamp
                    else:
                        seen = current = self._register(scope_text, rendered.etag, state.stamp)
                    entry = _Entry(
                        as_of, state.version, state.running, time.monotonic(), rendered, seen
                    )
                    self._cache[scope_text] = entry
                    self._warn(scope_text, rendered)
        assert entry is not None
        if current is None or current[0] != entry.rendered.etag:
            return entry.rendered, None
        return entry.rendered, current[1]

    def _fresh(self, entry: _Entry | None, as_of: date, state: _State) -> bool:
        return (
            entry is not None
            and entry.as_of == as_of
            and entry.version == state.version
            and entry.running <= state.running  # none of those transactions has ended
            and time.monotonic() - entry.built < self.ttl
        )

    @staticmethod
    def _behind(entry: _Entry | None, state: _State) -> bool:
        return (
            entry is not None
            and state.stamp is not None
            and state.stamp[0] != entry.rendered.etag
            and state.stamp != entry.seen
        )

    def _register(self, scope: str, etag: str, read: Stamp) -> Stamp:
        """Stamp new bytes in the shared table (nothing to write when the row has them)."""
        if read is not None and read[0] == etag:
            return read
        with self._lock:
            if self._db is None:
                from obligations.store.db import Database

                self._db = Database(self.url, schema=self.schema)
                self._own_db = True
            db = self._db
        try:
            return register_stamp(db, scope, etag, read[0] if read else None)
        except Exception as exc:  # a busy database must not fail the answer
            self.log(f"could not stamp feed {scope}: {exc}")
            return read

    def _warn(self, scope: str, rendered: Rendered) -> None:
        for w in rendered.warnings:
            if (scope, rendered.etag) not in self._warned:
                self._warned.add((scope, rendered.etag))
                self.log(w)

    def _note(self, token_id: int, at: datetime, agent: str) -> None:
        if self.record is None:
            return
        agent = re.sub(r"[\x00-\x1f\x7f]", "", agent)[:300]
        with self._lock:
            count = self._pending.get(token_id, (0, at, agent))[0] + 1
            self._pending[token_id] = (count, at, agent)
            due = time.monotonic() - self._flushed.get(token_id, float("-inf")) >= self.record_every
            if due:
                self._flushed[token_id] = time.monotonic()
                pending = self._pending.pop(token_id)
        if due:
            self._write(token_id, pending)

    def _write(self, token_id: int, pending: tuple[int, datetime, str]) -> None:
        assert self.record is not None
        count, at, agent = pending
        try:
            self.record(token_id, at, agent, count)
        except Exception as exc:  # a busy database must not fail the answer
            self.log(f"could not record a fetch of token {token_id}: {exc}")

    def flush(self) -> None:
        """Write the fetches noted but not yet recorded."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for token_id, p in sorted(pending.items()):
            self._write(token_id, p)

    def close(self) -> None:
        self.flush()
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                break
        if self._own_db and self._db is not None:
            self._db.dispose()


class _PooledSQLite(Reader):
    """A read-only SQLite connection that any thread may use, one at a time (the pool sees to
    that): ``Reader``'s own connections stay in the thread that made them."""

    def __init__(self, url: str) -> None:
        import sqlite3

        path = url.split("///", 1)[1]
        if not Path(path).exists():
            raise ReadError(f"no docket at {path}: load an order or run 'docketcal init'")
        self.url = url
        self.sqlite = True
        self.mark = "?"
        self.conn = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, timeout=5, check_same_thread=False
        )
        self._check()

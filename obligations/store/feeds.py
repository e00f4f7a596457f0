"""Feeds in the store: reading what a feed holds, its secret URLs (tokens), the stamps that give
every serve process the same Last-Modified, and the feed files of ``feed build``.

Reading goes through ``obligations.store.read`` (plain DB-API); the ORM is imported only to
write (tokens, fetch records, stamps). Nothing here reads the clock unless it is given no time.

Tokens. A subscriber's URL is ``<base>/<token>.ics``. The database keeps only
``sha256(token)``. The token itself is ``HMAC-SHA256(secret, token id and creation second)``,
the secret being kept outside the database (config file or environment), so ``feed build``
can write each feed to the file name its URL asks for, and a copy of the database alone opens
no feed. See ``docs/feeds.md``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obligations.feeds import (
    BOTH,
    DEFAULT_WINDOWS,
    Feed,
    FeedError,
    Item,
    Rendered,
    Scope,
    SecretError,
    Waiting,
    Windows,
    naming,
    rendered,
    with_waiting,
)
from obligations.store.read import Reader, _date, _instant, _json, duties_of

if TYPE_CHECKING:
    from obligations.store.db import Database

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
MIN_SECRET = 32
MIN_DISTINCT = 6


def _where(scope: Scope) -> tuple[str, list[Any]]:
    if scope.kind == "case":
        return "o.case_id = ?", [scope.case]
    if scope.kind == "party":
        return "o.case_id = ? AND (o.party = ? OR o.party = ?)", [scope.case, scope.party, BOTH]
    if scope.kind == "person":
        assert scope.email is not None  # Scope.parse gives a person scope its e-mail
        return duties_of(scope.email)
    return "1 = 1", []


def check_scope(reader: Reader, scope: Scope) -> None:
    """Refuse a scope naming a case, party or person the docket does not have."""
    if scope.kind in ("case", "party"):
        if not reader.query('SELECT 1 FROM "case" WHERE id = ?', (scope.case,)):
            raise FeedError(f"no case '{scope.case}' on the docket")
        if scope.kind == "party" and not reader.query(
            "SELECT 1 FROM obligation WHERE case_id = ? AND party = ? LIMIT 1",
            (scope.case, scope.party),
        ):
            parties = sorted(
                {
                    r[0]
                    for r in reader.query(
                        "SELECT DISTINCT party FROM obligation WHERE case_id = ?", (scope.case,)
                    )
                }
            )
            raise FeedError(
                f"no party '{scope.party}' in case {scope.case}; its parties: {', '.join(parties)}"
            )
    if scope.kind == "person" and not reader.query(
        "SELECT 1 FROM person WHERE email = ?", (scope.email,)
    ):
        raise FeedError(
            f"no person with e-mail {scope.email}: add them with 'docketcal person add'"
        )


ITEM_COLUMNS = (
    "ref", "uid", "case_id", "order_id", "obligation_id", "court", "party", "summary", "text",
    "cite", "when_text", "kind", "state", "active", "due", "due_at", "safe_due", "done_on",
    "readings", "warnings", "trace", "depends_on", "revision", "changed_at", "consequence",
    "condition", "end_at", "opens_on", "review",
)  # fmt: skip


def _bind(reader: Reader, value: date | datetime) -> Any:
    """A date or instant as a query parameter: text on SQLite (as SQLAlchemy stores it), the
    value itself on PostgreSQL."""
    if not reader.sqlite:
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def read_feed(
    reader: Reader, scope: Scope, as_of: date, windows: Windows = DEFAULT_WINDOWS
) -> Feed:
    """The dated duties of ``scope`` a feed built on ``as_of`` shows: open ones (overdue ones
    included, and those waiting on a default that has happened by ``as_of``), done ones until
    ``windows.done`` days after they were done, vacated, moot or removed ones until
    ``windows.vacated`` days after they changed. Deterministic order (by ref)."""
    where, params = _where(scope)
    done_since = as_of - timedelta(days=windows.done)
    changed_since = datetime.combine(as_of - timedelta(days=windows.vacated), clock_time(0), UTC)
    sql = (
        f"SELECT {', '.join('o.' + c for c in ITEM_COLUMNS)} FROM obligation o"
        f" WHERE {where} AND o.due IS NOT NULL AND ("
        " (o.active = ? AND o.state = 'open')"
        " OR (o.active = ? AND o.state = 'waiting' AND o.opens_on <= ?)"
        " OR (o.active = ? AND o.state = 'done' AND o.done_on >= ?)"
        " OR ((o.active = ? OR o.state IN ('vacated', 'moot')) AND o.changed_at >= ?))"
        " ORDER BY o.ref"
    )
    params += [True, True, _bind(reader, as_of), True, _bind(reader, done_since), False]
    params.append(_bind(reader, changed_since))
    items = tuple(_item(row) for row in reader.query(sql, params))
    related = _uids(reader, sorted({r for i in items for r in i.depends_on}))
    name, description = _naming(reader, scope)
    if scope.kind in ("case", "party"):
        description = with_waiting(description, _waiting(reader, scope))
    return Feed(scope, name, description, items, related)


def _item(row: Sequence[Any]) -> Item:
    d = dict(zip(ITEM_COLUMNS, row, strict=True))
    removed = not bool(d["active"])
    due = _date(d["due"])
    changed = _instant(d["changed_at"])
    assert due is not None and changed is not None
    state = "vacated" if removed else "open" if d["state"] == "waiting" else d["state"]
    return Item(
        ref=d["ref"], uid=d["uid"], case=d["case_id"], order=d["order_id"],
        obligation=d["obligation_id"], court=d["court"], party=d["party"],
        summary=d["summary"] or "", text=d["text"] or "", cite=d["cite"] or "",
        when=d["when_text"] or "", kind=d["kind"],
        state=state, due=due, due_at=_instant(d["due_at"]),
        safe_due=_date(d["safe_due"]), done_on=_date(d["done_on"]),
        readings=tuple(_json(d["readings"]) or ()), warnings=tuple(_json(d["warnings"]) or ()),
        trace=tuple(_json(d["trace"]) or ()), depends_on=tuple(_json(d["depends_on"]) or ()),
        revision=int(d["revision"]), changed_at=changed, consequence=d["consequence"] or "",
        condition=d["condition"] or "", removed=removed, end_at=_instant(d["end_at"]),
        review=d["review"] or "",
    )  # fmt: skip


def _uids(reader: Reader, refs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for ref, uid in reader.query(
            f"SELECT ref, uid FROM obligation WHERE ref IN ({marks})", chunk
        ):
            out[ref] = uid
    return out


def _waiting(reader: Reader, scope: Scope) -> list[Waiting]:
    where, params = _where(scope)
    rows = reader.query(
        f"SELECT o.ref, o.party, o.summary, o.waiting_on FROM obligation o WHERE {where}"
        " AND o.active = ? AND o.state = 'waiting' ORDER BY o.ref",
        [*params, True],
    )
    return [Waiting(r[0], r[1], r[2] or "", tuple(_json(r[3]) or ())) for r in rows]


def _naming(reader: Reader, scope: Scope) -> tuple[str, str]:
    who = None
    if scope.kind == "person":
        rows = reader.query("SELECT name FROM person WHERE email = ?", (scope.email,))
        who = rows[0][0] if rows else None
    return naming(scope, who)


def render(
    reader: Reader, scope: Scope, as_of: date, windows: Windows = DEFAULT_WINDOWS
) -> Rendered:
    """The bytes of ``scope``'s feed on ``as_of``."""
    return rendered(read_feed(reader, scope, as_of, windows), windows)


# -- tokens --------------------------------------------------------------------------------------

_DECOY = hashlib.sha256(b"docketcal: no such token").hexdigest()


def check_secret(secret: str | None) -> str:
    """The feed secret, refused when missing, short (it must be at least 32 characters) or
    weak (fewer than 6 different characters, or one short word repeated)."""
    if not secret:
        raise SecretError(
            "no feed secret: set DOCKETCAL_FEED_SECRET (or feed_secret in the config file, or"
            " DOCKETCAL_FEED_SECRET_FILE); make one with 'docketcal feed secret'"
        )
    if len(secret) < MIN_SECRET:
        raise SecretError(
            f"the feed secret has {len(secret)} characters: at least {MIN_SECRET}"
            " (make one with 'docketcal feed secret')"
        )
    if len(set(secret)) < MIN_DISTINCT or any(
        secret == (secret[:n] * (len(secret) // n + 1))[: len(secret)] for n in range(1, 17)
    ):
        raise SecretError(
            "the feed secret repeats a few characters: it is too easy to guess"
            " (make one with 'docketcal feed secret')"
        )
    return secret


def derive_token(secret: str, token_id: int, created_at: datetime) -> str:
    """The token of feed token ``token_id``: HMAC-SHA256 under the secret of the id and the
    creation second, in URL-safe base64 (43 characters, 256 bits)."""
    stamp = created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    message = f"docketcal feed token v1|{token_id}|{stamp}".encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret() -> str:
    import secrets

    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Token:
    """A feed token as stored (never the token itself)."""

    id: int
    token_hash: str
    scope: str
    label: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    replaced_by: int | None
    last_fetch_at: datetime | None
    last_user_agent: str
    fetches: int

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None or self.revoked_at > now

    def to_json(self, now: datetime) -> dict[str, Any]:
        def iso(v: datetime | None) -> str | None:
            return v.isoformat(timespec="seconds") if v else None

        return {
            "id": self.id, "scope": self.scope, "label": self.label,
            "created_at": iso(self.created_at), "created_by": self.created_by,
            "revoked_at": iso(self.revoked_at), "replaced_by": self.replaced_by,
            "live": self.live(now), "last_fetch_at": iso(self.last_fetch_at),
            "last_user_agent": self.last_user_agent, "fetches": self.fetches,
        }  # fmt: skip


TOKEN_COLUMNS = (
    "id", "token_hash", "scope", "label", "created_at", "created_by", "revoked_at",
    "replaced_by", "last_fetch_at", "last_user_agent", "fetches",
)  # fmt: skip


def tokens(reader: Reader) -> list[Token]:
    """Every feed token, oldest first."""
    rows = reader.query(f"SELECT {', '.join(TOKEN_COLUMNS)} FROM feed_token ORDER BY id")
    return [_token(r) for r in rows]


def _token(r: Sequence[Any]) -> Token:
    d = dict(zip(TOKEN_COLUMNS, r, strict=True))
    created = _instant(d["created_at"])
    assert created is not None
    return Token(
        id=int(d["id"]), token_hash=d["token_hash"], scope=d["scope"], label=d["label"] or "",
        created_at=created, created_by=d["created_by"] or "",
        revoked_at=_instant(d["revoked_at"]), replaced_by=d["replaced_by"],
        last_fetch_at=_instant(d["last_fetch_at"]), last_user_agent=d["last_user_agent"] or "",
        fetches=int(d["fetches"] or 0),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Live:
    """A live token, as a request needs it."""

    id: int
    scope: str


_DECOY_ROW = (0, _DECOY, "firm", "1970-01-01 00:00:00.000000")


def lookup(reader: Reader, token: str, now: datetime) -> Live | None:
    """The live token whose hash is ``sha256(token)``, or None.

    Unknown and revoked tokens do the same work: one indexed query on the hash (of a value the
    caller sent, so its timing tells nothing about the stored tokens), a row read (a decoy when
    there is none), one constant-time comparison, one revocation check, the same answer."""
    digest = hash_token(token)
    rows = reader.query(
        "SELECT id, token_hash, scope, revoked_at FROM feed_token WHERE token_hash = ?", (digest,)
    )
    found = bool(rows)
    row = rows[0] if found else _DECOY_ROW
    same = hmac.compare_digest(str(row[1]).encode(), digest.encode())
    revoked = _instant(row[3])
    live = revoked is None or revoked > now
    return Live(int(row[0]), str(row[2])) if found & same & live else None


def find_token(reader: Reader, ident: str) -> Token:
    """A token by its id (``list`` shows it), by the token, or by its whole URL."""
    text = ident.strip()
    if text.isdigit():
        rows = reader.query(
            f"SELECT {', '.join(TOKEN_COLUMNS)} FROM feed_token WHERE id = ?", (int(text),)
        )
    else:
        token = text.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0].removesuffix(".ics")
        rows = reader.query(
            f"SELECT {', '.join(TOKEN_COLUMNS)} FROM feed_token WHERE token_hash = ?",
            (hash_token(token),),
        )
    if not rows:
        raise LookupError(
            f"no feed token '{ident}' (give the id 'feed token list' shows, or the URL)"
        )
    return _token(rows[0])


class Tokens:
    """Creating, revoking and rotating feed tokens (writes; the ORM is imported here only)."""

    def __init__(self, db: Database, who: str = "") -> None:
        self.db = db
        self.who = who

    def create(
        self, scope: Scope, secret: str, *, label: str = "", at: datetime | None = None
    ) -> tuple[Token, str]:
        """A new token for ``scope``: its stored row and the token (shown once, never kept)."""
        check_secret(secret)
        from obligations.store.db import retrying

        def work() -> tuple[Token, str]:
            with self.db.write() as s:
                row, token = self._new(s, str(scope), label, secret, at)
                self._history(s, "feed token created", {"id": row.id, "scope": str(scope)})
                return _from_row(row), token

        return retrying(work)

    def _new(
        self, s: Any, scope: str, label: str, secret: str, at: datetime | None
    ) -> tuple[Any, str]:
        import secrets

        from obligations.store.tables import FeedToken, now

        created = (at or now()).astimezone(UTC).replace(microsecond=0)
        row = FeedToken(
            token_hash="pending-" + secrets.token_hex(16),
            scope=scope,
            label=label,
            created_at=created,
            created_by=self.who,
        )
        s.add(row)
        s.flush()
        assert row.id is not None
        token = derive_token(secret, row.id, created)
        row.token_hash = hash_token(token)
        s.flush()
        return row, token

    def revoke(self, token_id: int, *, at: datetime | None = None) -> Token:
        """The URL stops answering (at ``at``, default now); already revoked: unchanged."""
        from obligations.store.db import retrying
        from obligations.store.tables import FeedToken, now

        def work() -> Token:
            with self.db.write() as s:
                row = s.get(FeedToken, token_id)
                if row is None:
                    raise LookupError(f"no feed token {token_id}")
                when = at or now()
                if row.revoked_at is None or row.revoked_at > when:
                    row.revoked_at = when
                    self._history(s, "feed token revoked", {"id": row.id, "scope": row.scope})
                s.flush()
                return _from_row(row)

        return retrying(work)

    def rotate(
        self,
        token_id: int,
        secret: str,
        *,
        grace: timedelta = timedelta(0),
        at: datetime | None = None,
    ) -> tuple[Token, str]:
        """A new token for the same scope and label; the old one stops answering after
        ``grace`` (at once by default)."""
        check_secret(secret)
        from obligations.store.db import retrying
        from obligations.store.tables import FeedToken, now

        def work() -> tuple[Token, str]:
            with self.db.write() as s:
                old = s.get(FeedToken, token_id)
                if old is None:
                    raise LookupError(f"no feed token {token_id}")
                when = at or now()
                if old.revoked_at is not None and old.revoked_at <= when:
                    raise FeedError(f"feed token {token_id} is revoked: create a new one")
                row, token = self._new(s, old.scope, old.label, secret, when)
                old.revoked_at = when + grace
                old.replaced_by = row.id
                self._history(
                    s,
                    "feed token rotated",
                    {"id": old.id, "replaced_by": row.id, "scope": old.scope,
                     "old_until": old.revoked_at.isoformat(timespec="seconds")},
                )  # fmt: skip
                s.flush()
                return _from_row(row), token

        return retrying(work)

    def record_fetches(self, token_id: int, at: datetime, agent: str, count: int) -> None:
        """Note fetches of a token: the last one's time and user agent, and how many."""
        from sqlalchemy import update
        from sqlmodel import col

        from obligations.store.db import retrying
        from obligations.store.tables import FeedToken

        def work() -> None:
            with self.db.write() as s:
                s.exec(
                    update(FeedToken)
                    .where(col(FeedToken.id) == token_id)
                    .values(
                        last_fetch_at=at,
                        last_user_agent=agent[:300],
                        fetches=col(FeedToken.fetches) + count,
                    )
                )

        retrying(work)

    def _history(self, s: Any, what: str, after: dict[str, Any]) -> None:
        from obligations.store.tables import History

        s.add(History(who=self.who, what=what, after=after))


def _from_row(row: Any) -> Token:
    return Token(
        id=int(row.id), token_hash=row.token_hash, scope=row.scope, label=row.label,
        created_at=row.created_at, created_by=row.created_by, revoked_at=row.revoked_at,
        replaced_by=row.replaced_by, last_fetch_at=row.last_fetch_at,
        last_user_agent=row.last_user_agent, fetches=row.fetches,
    )  # fmt: skip


# -- writing feed files --------------------------------------------------------------------------


@dataclass(slots=True)
class Built:
    """What ``build`` did: files written, left as they were, removed; tokens it could not
    write (made under another secret); warnings."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    foreign: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    feeds: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "written": len(self.written),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "foreign": self.foreign,
            "warnings": self.warnings,
            "feeds": self.feeds,
        }


def write_atomically(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename,
    so a web server never serves half a file; False (nothing written) when it is already so."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".ics", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def build(
    reader: Reader,
    out: Path,
    secret: str,
    as_of: date,
    windows: Windows = DEFAULT_WINDOWS,
    *,
    now: datetime | None = None,
) -> Built:
    """Write every live token's feed to ``out/<token>.ics`` (each scope rendered once), leave
    unchanged files alone, and remove token-named files no live token has (revoked ones)."""
    check_secret(secret)
    at = now or datetime.now(UTC)
    out.mkdir(parents=True, exist_ok=True)
    result = Built()
    rendered: dict[str, Rendered | FeedError] = {}
    keep: set[str] = set()
    for t in tokens(reader):
        if not t.live(at):
            continue
        token = derive_token(secret, t.id, t.created_at)
        if not hmac.compare_digest(hash_token(token), t.token_hash):
            result.foreign.append(t.id)
            continue
        keep.add(f"{token}.ics")
        if t.scope not in rendered:
            try:
                r = render(reader, Scope.parse(t.scope), as_of, windows)
                rendered[t.scope] = r
                result.warnings.extend(r.warnings)
                result.feeds.append(
                    {"scope": t.scope, "events": r.events, "bytes": len(r.data), "etag": r.etag}
                )
            except FeedError as exc:
                rendered[t.scope] = exc
                result.warnings.append(f"token {t.id}: {exc}")
        r2 = rendered[t.scope]
        if isinstance(r2, FeedError):
            continue
        name = f"{token}.ics"
        if write_atomically(out / name, r2.data):
            result.written.append(name)
        else:
            result.unchanged.append(name)
    for path in sorted(out.glob("*.ics")):
        if TOKEN_SHAPE.fullmatch(path.stem) and path.name not in keep:
            path.unlink()
            result.removed.append(path.name)
    if result.foreign:
        result.warnings.append(
            f"tokens {', '.join(map(str, result.foreign))} were made under another feed secret:"
            " their files cannot be written; rotate them ('docketcal feed token rotate ID')"
            " or restore the secret"
        )
    return result


# -- stamps --------------------------------------------------------------------------------------

#: A feed scope's row in ``feed_stamp``: (ETag, Last-Modified), or None before the first.
Stamp = tuple[str, datetime] | None


def register_stamp(
    db: Database, scope: str, etag: str, expected: str | None
) -> tuple[str, datetime]:
    """Record that ``scope``'s feed is now the bytes tagged ``etag``, unless another process
    changed the scope's row since this one read it (``expected``: the ETag it read, None for no
    row): a compare-and-set, so a render never overwrites a stamp made after it started.

    Last-Modified comes from the database's clock (every serve host shares it), in whole
    seconds, and at least one second after the previous one, so an If-Modified-Since taken from
    older bytes can never match newer ones. Returns the row as it now stands (possibly another
    process's ETag)."""
    from sqlalchemy import String, text

    from obligations.store.db import retrying
    from obligations.store.tables import UTCDateTime

    if db.sqlite:  # the text SQLAlchemy stores a DateTime as on SQLite
        second = "'%Y-%m-%d %H:%M:%S.000000'"
        now_sql = f"strftime({second}, 'now')"
        later = f"max(excluded.modified, strftime({second}, feed_stamp.modified, '+1 second'))"
    else:
        now_sql = "date_trunc('second', statement_timestamp())"
        later = "greatest(excluded.modified, feed_stamp.modified + interval '1 second')"
    upsert = text(
        f"INSERT INTO feed_stamp (scope, etag, modified) VALUES (:scope, :etag, {now_sql})"
        f" ON CONFLICT (scope) DO UPDATE SET etag = excluded.etag, modified = {later}"
        " WHERE feed_stamp.etag = :expected"
    )
    read = text("SELECT etag, modified FROM feed_stamp WHERE scope = :scope").columns(
        etag=String, modified=UTCDateTime
    )

    def work() -> tuple[str, datetime]:
        with db.write() as s:
            conn = s.connection()
            conn.execute(upsert, {"scope": scope, "etag": etag, "expected": expected})
            tag, modified = conn.execute(read, {"scope": scope}).one()
        assert isinstance(modified, datetime)
        return str(tag), modified

    return retrying(work)

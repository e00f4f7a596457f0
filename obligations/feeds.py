"""Calendar feeds: what each feed holds, the secret URLs that reach it, and answering for it.

A feed has a *scope*: a case (``case:CASE``), a party in a case (``party:CASE:PARTY``), a person
(``person:EMAIL``: every case, party or duty assigned to them) or the whole firm (``firm``).
It holds each dated duty that is open, done within the done window, or vacated within the
vacated window, as one event; ``calendars.ical`` writes the bytes.

Reading goes through ``obligations.store.read`` (plain DB-API); the ORM is imported only to
write (tokens, fetch records, the stamps that give every serve process the same Last-Modified). Nothing here reads the clock unless it is given no time: the
feed's bytes depend only on the stored data, the scope, the windows and ``as_of``.

Tokens. A subscriber's URL is ``<base>/<token>.ics``. The database keeps only
``sha256(token)``. The token itself is ``HMAC-SHA256(secret, token id and creation second)``,
the secret being kept outside the database (config file or environment), so ``feed build``
can write each feed to the file name its URL asks for, and a copy of the database alone opens
no feed. See ``docs/feeds.md``.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import os
import queue
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calendars import get_court, ical
from obligations.store.read import Reader, ReadError, _date, _instant, _json, duties_of

if TYPE_CHECKING:
    from obligations.store.db import Database

#: How long a done duty stays (marked DONE), and a vacated one (CANCELLED), after that day.
DONE_DAYS = 14
VACATED_DAYS = 60
#: Over this a feed gives a warning: Google Calendar drops feeds near 1 MB.
SIZE_WARNING = 500_000
UID_SUFFIX = "@docketcal"
BOTH = "both"
#: A timed event is the half hour that ends at the deadline (khal and others read a timed
#: event without DTEND as a day long; starting it at the deadline would suggest later).
TIMED_BLOCK = timedelta(minutes=30)
END_OF_DAY = clock_time(23, 59)
_HOURS = re.compile(r"\bhours?\b", re.IGNORECASE)
_STATED_TIME = re.compile(r"^\s*(on|by)\s+\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}", re.IGNORECASE)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
MIN_SECRET = 32


class FeedError(ical.FeedError):
    """Bad input for a feed (an unknown scope, case, party or person): nothing written."""


class SecretError(FeedError):
    """No usable feed secret."""


# -- scopes ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """What a feed covers: ``case:CASE``, ``party:CASE:PARTY``, ``person:EMAIL`` or ``firm``."""

    kind: str
    case: str | None = None
    party: str | None = None
    email: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        kind, _, rest = text.strip().partition(":")
        kind = kind.lower()
        if kind == "firm" and not rest:
            return cls("firm")
        if kind == "case" and rest:
            return cls("case", case=rest)
        if kind == "party" and ":" in rest:
            case, party = rest.rsplit(":", 1)
            if case and party:
                return cls("party", case=case, party=party)
        if kind == "person" and "@" in rest:
            return cls("person", email=rest.lower())
        raise FeedError(
            f"scope '{text}': expected case:CASE, party:CASE:PARTY, person:EMAIL or firm"
        )

    def __str__(self) -> str:
        if self.kind == "case":
            return f"case:{self.case}"
        if self.kind == "party":
            return f"party:{self.case}:{self.party}"
        if self.kind == "person":
            return f"person:{self.email}"
        return "firm"


@dataclass(frozen=True, slots=True)
class Windows:
    """Days a done duty (``done``, from the day it was done) and a vacated or removed one
    (``vacated``, from the day it changed) stay in the feed after ``as_of``."""

    done: int = DONE_DAYS
    vacated: int = VACATED_DAYS

    def __post_init__(self) -> None:
        if self.done < 0 or self.vacated < 0:
            raise FeedError("feed windows are days: zero or more")


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


# -- reading a feed's duties ---------------------------------------------------------------------

ITEM_COLUMNS = (
    "ref", "uid", "case_id", "order_id", "obligation_id", "court", "party", "summary", "text",
    "cite", "when_text", "kind", "state", "active", "due", "due_at", "safe_due", "done_on",
    "readings", "warnings", "trace", "depends_on", "revision", "changed_at", "consequence",
    "condition", "end_at", "opens_on", "review",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Item:
    """One stored obligation, as a feed reads it."""

    ref: str
    uid: str
    case: str
    order: str
    obligation: str
    court: str
    party: str
    summary: str
    text: str
    cite: str
    when: str
    kind: str
    state: str  # open | done | vacated | moot (no longer in its order reads as vacated)
    due: date
    due_at: datetime | None
    safe_due: date | None
    done_on: date | None
    readings: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    trace: tuple[dict[str, Any], ...]
    depends_on: tuple[str, ...]
    revision: int
    changed_at: datetime
    consequence: str = ""
    condition: str = ""
    removed: bool = False  # no longer in the current version of its order
    end_at: datetime | None = None  # a timed appearance's end
    review: str = ""  # what a person must still decide about its due rule


@dataclass(frozen=True, slots=True)
class Waiting:
    """A duty with no date yet (listed in a case feed's description, never an event)."""

    ref: str
    party: str
    summary: str
    waiting_on: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Feed:
    """What one feed holds on ``as_of``: its name, description and duties."""

    scope: Scope
    name: str
    description: str
    items: tuple[Item, ...]
    related: Mapping[str, str] = field(default_factory=dict)  # upstream ref -> its UID


def _bind(reader: Reader, value: date | datetime) -> Any:
    """A date or instant as a query parameter: text on SQLite (as SQLAlchemy stores it), the
    value itself on PostgreSQL."""
    if not reader.sqlite:
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def read_feed(reader: Reader, scope: Scope, as_of: date, windows: Windows = Windows()) -> Feed:
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
        description = _with_waiting(description, _waiting(reader, scope))
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


def _with_waiting(description: str, waiting: Sequence[Waiting]) -> str:
    if not waiting:
        return description
    lines = [description, "", "Waiting (no date yet, so not in the calendar):"]
    for w in waiting:
        on = f"; waits on {', '.join(w.waiting_on)}" if w.waiting_on else ""
        lines.append(f"- {party_label(w.party)}: {w.summary}{on} [{w.ref}]")
    return "\n".join(lines)


def _naming(reader: Reader, scope: Scope) -> tuple[str, str]:
    tail = "Court-ordered deadlines from docketcal. All-day events are date deadlines; timed ones end at the deadline, in court time."
    if scope.kind == "case":
        return f"{scope.case} deadlines", f"Case {scope.case}. {tail}"
    if scope.kind == "party":
        party = party_label(scope.party or "")
        return (
            f"{scope.case} · {party} deadlines",
            f"Case {scope.case}, the duties of {party.lower()} and of both parties. {tail}",
        )
    if scope.kind == "person":
        rows = reader.query("SELECT name FROM person WHERE email = ?", (scope.email,))
        who = rows[0][0] if rows else scope.email
        return (
            f"Deadlines: {who}",
            f"The cases, parties and duties assigned to {who} <{scope.email}>. {tail}",
        )
    return "Deadlines: every case", f"Every case on the docket. {tail}"


# -- duties as events ----------------------------------------------------------------------------


def party_label(party: str) -> str:
    if party == BOTH:
        return "Both parties"
    return party[:1].upper() + party[1:]


def is_timed(item: Item) -> bool:
    """Whether a deadline is a time of day, not a day.

    The store keeps ``due_at`` for every deadline with a time: a federal date deadline ends at
    23:59 court time (Fed. R. Civ. P. 6(a)(4)(A), the end of the day for electronic filing),
    while an hours period or a time the order states ends at that instant; state rule sets give
    no ``due_at`` for a date deadline. So a deadline is a day (an all-day event) when it has
    no ``due_at``, or when ``due_at`` is 23:59 court time and its rule neither counts hours nor
    states a time ("by 2013-07-15 23:59" stays timed); otherwise it is timed.
    """
    if item.due_at is None:
        return False
    if _HOURS.search(item.when) or _STATED_TIME.search(item.when):
        return True
    local = item.due_at.astimezone(get_court(item.court).zone)
    return local.time().replace(second=0, microsecond=0) != END_OF_DAY


def _day(d: date) -> str:
    return f"{d.strftime('%a')} {d.isoformat()}"


def describe(item: Item, timed: bool | None = None) -> str:
    """The event's DESCRIPTION: the order's words, where they are, the rule, the date and how
    it was computed, the safe date when readings differ, warnings, and what is known."""
    court = get_court(item.court)
    lines = [item.text.strip(), ""]
    lines.append(f"Party: {party_label(item.party)}")
    lines.append(f"Cite: {item.cite or '-'} (order {item.order}, case {item.case})")
    if item.review:
        lines.append(f"NEEDS REVIEW: {item.review}")
    if item.when:
        lines.append(f"Rule: {item.when}")
    if item.due_at is not None and item.end_at is not None:
        start = item.due_at.astimezone(court.zone).strftime("%H:%M")
        end = item.end_at.astimezone(court.zone).strftime("%H:%M %Z")
        lines.append(f"When: {_day(item.due)} from {start} to {end} (court time, {court.tz})")
    elif item.due_at is not None:
        local = item.due_at.astimezone(court.zone)
        at = local.strftime("%H:%M %Z")
        if is_timed(item) if timed is None else timed:
            lines.append(f"Due: {_day(item.due)} at {at} (court time, {court.tz})")
        else:
            lines.append(f"Due: {_day(item.due)}, by {at} for electronic filing (court time)")
    else:
        lines.append(f"Due: {_day(item.due)}")
    dates = {r.get("due") for r in item.readings}
    if (item.safe_due is not None and item.safe_due != item.due) or len(dates) > 1:
        safe = item.safe_due or item.due
        lines.append(f"Safe date: {_day(safe)}: the readings of the law differ:")
        for r in item.readings:
            lines.append(f"- {r.get('due')}: {r.get('assumes')}")
    if item.trace:
        lines.append("How the date was computed:")
        for step in item.trace:
            moved = f"{step.get('from')} -> {step.get('to')}"
            note = f": {step['note']}" if step.get("note") else ""
            lines.append(f"{step.get('step')}. {step.get('rule')} ({moved}){note}")
    if item.warnings:
        lines.append("Warnings:")
        lines.extend(f"- {w}" for w in item.warnings)
    if item.depends_on:
        lines.append(f"Follows: {', '.join(item.depends_on)}")
    if item.condition:
        lines.append(f"Condition: {item.condition}")
    if item.consequence:
        lines.append(f"Consequence: {item.consequence}")
    if item.state == "done":
        lines.append(f"DONE on {item.done_on.isoformat() if item.done_on else '?'}.")
    elif item.removed:
        lines.append("REMOVED: no longer in the current version of its order.")
    elif item.state == "vacated":
        lines.append("VACATED: the court vacated it.")
    elif item.state == "moot":
        lines.append("MOOT: its condition was not met, or the default it follows did not happen.")
    lines.append(f"Ref: {item.ref}")
    return "\n".join(lines)


def event(item: Item, related: Mapping[str, str]) -> ical.Event:
    """One duty as a VEVENT (pure: the stored data only)."""
    prefix = {"done": "DONE: ", "vacated": "VACATED: ", "moot": "MOOT: "}.get(item.state, "")
    if item.review and not prefix:
        prefix = "REVIEW: "
    head = f"{prefix}{item.case} · {party_label(item.party)}: {item.summary or item.obligation}"
    categories = ["Deadline", item.case, party_label(item.party)]
    if item.state in ("done", "vacated", "moot"):
        categories.append(item.state.capitalize())
    start: date | datetime
    end: date | datetime
    zone = None
    timed = is_timed(item)
    if timed and item.end_at is not None and item.due_at is not None and item.end_at > item.due_at:
        # an appearance: from its start to its end (DTEND)
        court = get_court(item.court)
        zone = court.tz
        start = item.due_at.astimezone(court.zone)
        end = item.end_at.astimezone(court.zone)
        head += f" ({start.strftime('%H:%M')}–{end.strftime('%H:%M %Z')})"
    elif timed:
        assert item.due_at is not None
        court = get_court(item.court)
        zone = court.tz
        end = item.due_at.astimezone(court.zone)
        start = end - TIMED_BLOCK
        head += f" (due {end.strftime('%H:%M %Z')})"
    else:
        start, end = item.due, item.due + timedelta(days=1)
    return ical.Event(
        uid=item.uid + UID_SUFFIX,
        sequence=item.revision,
        stamp=item.changed_at,
        summary=head,
        start=start,
        end=end,
        zone=zone,
        description=describe(item, timed),
        status="CANCELLED" if item.state in ("vacated", "moot") else "CONFIRMED",
        categories=tuple(categories),
        related=tuple(related[r] + UID_SUFFIX for r in item.depends_on if r in related),
    )


def calendar(feed: Feed) -> ical.Calendar:
    return ical.Calendar(
        name=feed.name,
        description=feed.description,
        events=tuple(event(i, feed.related) for i in feed.items),
    )


@dataclass(frozen=True, slots=True)
class Rendered:
    """A feed's bytes, their strong ETag (a hash of the bytes, made once), how many events,
    and warnings (size)."""

    scope: Scope
    data: bytes
    events: int
    warnings: tuple[str, ...] = ()
    etag: str = ""

    def __post_init__(self) -> None:
        if not self.etag:
            tag = '"' + hashlib.sha256(self.data).hexdigest()[:40] + '"'
            object.__setattr__(self, "etag", tag)


def render(reader: Reader, scope: Scope, as_of: date, windows: Windows = Windows()) -> Rendered:
    """The bytes of ``scope``'s feed on ``as_of``."""
    feed = read_feed(reader, scope, as_of, windows)
    data = ical.build(calendar(feed))
    return Rendered(scope, data, len(feed.items), size_warnings(feed, len(data), windows))


def size_warnings(feed: Feed, size: int, windows: Windows) -> tuple[str, ...]:
    """Over ``SIZE_WARNING`` bytes: what to narrow, naming the biggest parts."""
    if size <= SIZE_WARNING:
        return ()
    per_case: dict[str, int] = {}
    per_party: dict[str, int] = {}
    done = sum(1 for i in feed.items if i.state == "done")
    vacated = sum(1 for i in feed.items if i.state == "vacated")
    for i in feed.items:
        per_case[i.case] = per_case.get(i.case, 0) + 1
        per_party[i.party] = per_party.get(i.party, 0) + 1
    advice = []
    if feed.scope.kind in ("person", "firm") and len(per_case) > 1:
        big = sorted(per_case.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        shown = ", ".join(f"{c} ({n} events)" for c, n in big)
        advice.append(f"subscribe per case instead (case:CASE; the largest: {shown})")
    elif feed.scope.kind in ("case", "person", "firm") and len(per_party) > 1:
        big = sorted(per_party.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        shown = ", ".join(f"{p} ({n} events)" for p, n in big)
        advice.append(f"subscribe per party instead (party:CASE:PARTY; {shown})")
    if done or vacated:
        advice.append(
            f"shorten the windows (feed_done_days {windows.done}: {done} done events;"
            f" feed_vacated_days {windows.vacated}: {vacated} vacated events)"
        )
    if not advice:
        advice.append("split the case's duties between people (person:EMAIL assignments)")
    return (
        f"feed {feed.scope} is {size / 1000:,.0f} KB ({len(feed.items)} events), over"
        f" {SIZE_WARNING // 1000} KB: Google Calendar drops feeds near 1 MB. Narrow it: "
        + "; or ".join(advice),
    )


# -- tokens --------------------------------------------------------------------------------------

_DECOY = hashlib.sha256(b"docketcal: no such token").hexdigest()


def check_secret(secret: str | None) -> str:
    """The feed secret, refused when missing or short (it must be at least 32 characters)."""
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
    windows: Windows = Windows(),
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


# -- answering HTTP requests ---------------------------------------------------------------------


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


#: A feed scope's row in ``feed_stamp``: (ETag, Last-Modified), or None before the first.
Stamp = tuple[str, datetime] | None


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
        windows: Windows = Windows(),
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

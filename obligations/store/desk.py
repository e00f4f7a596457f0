"""The desk's people in the store: passwords (argon2 hashes made by the caller), signed-in
sessions and failed sign-ins.

A session's id never reaches the database: only its SHA-256 (``id_hash``). Reads go through
``obligations.store.read`` (a signed-in page view reads one row by its key); writes through the
ORM session of ``Database``."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from calendars.errors import NotFound
from obligations.store.read import Reader, _instant

if TYPE_CHECKING:
    from obligations.store.db import Database

#: A session lasts this long after sign-in (a working day and then some), whatever its use.
SESSION_LIFETIME = timedelta(hours=12)
#: Failed sign-ins counted over this window: at most ``PER_ACCOUNT`` for one e-mail, and
#: ``PER_ADDRESS`` from one address, then sign-in is refused until the oldest leaves it.
THROTTLE_WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 20
ROLES = ("attorney", "clerk", "paralegal")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    email: str
    role: str

    @property
    def clerk(self) -> bool:
        """Clerks and paralegals take in orders and record every fact."""
        return self.role in ("clerk", "paralegal")


@dataclass(frozen=True, slots=True)
class Session:
    person: Person
    csrf: str
    expires_at: datetime


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def _bind(reader: Reader, value: datetime) -> Any:
    if not reader.sqlite:
        return value
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def person(reader: Reader, email: str) -> tuple[Person, str | None] | None:
    """The person with ``email`` and their password hash (None when none is set)."""
    rows = reader.query(
        "SELECT p.id, p.name, p.email, p.role, w.hash FROM person p"
        " LEFT JOIN password w ON w.person_id = p.id WHERE p.email = ?",
        (email.strip().lower(),),
    )
    if not rows:
        return None
    r = rows[0]
    return Person(int(r[0]), str(r[1]), str(r[2]), str(r[3])), r[4]


def session(reader: Reader, session_id: str, now: datetime) -> Session | None:
    """The live session with this id, or None (unknown, signed out or expired)."""
    rows = reader.query(
        "SELECT p.id, p.name, p.email, p.role, s.csrf, s.expires_at FROM desk_session s"
        " JOIN person p ON p.id = s.person_id WHERE s.id_hash = ?",
        (session_hash(session_id),),
    )
    if not rows:
        return None
    r = rows[0]
    expires = _instant(r[5])
    if expires is None or expires <= now:
        return None
    return Session(Person(int(r[0]), str(r[1]), str(r[2]), str(r[3])), str(r[4]), expires)


def failures(reader: Reader, email: str, address: str, now: datetime) -> tuple[int, int]:
    """Failed sign-ins within the throttle window: for ``email``, and from ``address``."""
    since = _bind(reader, now - THROTTLE_WINDOW)
    per_email = reader.query(
        "SELECT count(*) FROM sign_in_failure WHERE email = ? AND at >= ?",
        (email.strip().lower(), since),
    )[0][0]
    per_address = reader.query(
        "SELECT count(*) FROM sign_in_failure WHERE address = ? AND at >= ?", (address, since)
    )[0][0]
    return int(per_email), int(per_address)


class Desk:
    """The writes: passwords, sessions, failures."""

    def __init__(self, db: Database, who: str = "") -> None:
        self.db = db
        self.who = who

    def set_password(self, email: str, hashed: str) -> Person:
        """Store ``hashed`` (an argon2 hash) as the password of the person with ``email``; every
        session of theirs ends."""
        from sqlmodel import select

        from obligations.store.db import retrying
        from obligations.store.tables import DeskSession, History, Password, now
        from obligations.store.tables import Person as PersonRow

        address = email.strip().lower()

        def work() -> Person:
            with self.db.write() as s:
                row = s.exec(select(PersonRow).where(PersonRow.email == address)).first()
                if row is None or row.id is None:
                    raise NotFound(
                        f"no person with e-mail {address}: add them with 'docketcal person add'"
                    )
                held = s.get(Password, row.id)
                if held is None:
                    s.add(Password(person_id=row.id, hash=hashed))
                else:
                    held.hash, held.set_at = hashed, now()
                for old in s.exec(select(DeskSession).where(DeskSession.person_id == row.id)):
                    s.delete(old)
                s.add(History(who=self.who, what="password set", after={"email": address}))
                s.flush()
                return Person(row.id, row.name, row.email, row.role)

        return retrying(work)

    def open_session(
        self, person_id: int, *, address: str = "", replaces: str | None = None
    ) -> tuple[str, str]:
        """A new session for the person: (its id, for the cookie; its CSRF token). The session
        ``replaces`` (the id the browser came with) is deleted: an id known before sign-in is
        never signed in (session fixation)."""
        from sqlalchemy import delete
        from sqlmodel import col

        from obligations.store.db import retrying
        from obligations.store.tables import DeskSession, now

        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)

        def work() -> tuple[str, str]:
            with self.db.write() as s:
                if replaces:
                    old = s.get(DeskSession, session_hash(replaces))
                    if old is not None:
                        s.delete(old)
                at = now()
                # the expired ones go at each sign-in, so the table holds about the live ones
                s.execute(delete(DeskSession).where(col(DeskSession.expires_at) < at))
                s.add(
                    DeskSession(
                        id_hash=session_hash(session_id),
                        person_id=person_id,
                        csrf=csrf,
                        created_at=at,
                        seen_at=at,
                        expires_at=at + SESSION_LIFETIME,
                        address=address[:200],
                    )
                )
            return session_id, csrf

        return retrying(work)

    def close_session(self, session_id: str) -> None:
        from obligations.store.db import retrying
        from obligations.store.tables import DeskSession

        def work() -> None:
            with self.db.write() as s:
                row = s.get(DeskSession, session_hash(session_id))
                if row is not None:
                    s.delete(row)

        retrying(work)

    def failed(self, email: str, address: str) -> None:
        """Count a failed sign-in (and forget those older than a day)."""
        from sqlalchemy import delete
        from sqlmodel import col

        from obligations.store.db import retrying
        from obligations.store.tables import SignInFailure, now

        def work() -> None:
            with self.db.write() as s:
                at = now()
                s.add(SignInFailure(email=email.strip().lower()[:500], address=address, at=at))
                old = col(SignInFailure.at) < at - timedelta(days=1)
                s.execute(delete(SignInFailure).where(old))

        retrying(work)

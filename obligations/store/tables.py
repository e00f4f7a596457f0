"""The docket's tables. Facts and history are append-only; the schedule is recomputed from them.

Time stamps are stored in UTC and come back time-zone aware on every database (``UTCDateTime``);
due dates are plain dates. JSON columns are always replaced whole, never mutated in place.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, MetaData, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlmodel import Column, Field, SQLModel

# Named constraints, so migrations can drop and alter them on SQLite too.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: written as UTC, read back aware in UTC on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive date-time cannot be stored: give it a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC)


def _instant(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Case(SQLModel, table=True):
    id: str = Field(primary_key=True)
    court: str
    created_at: datetime = _instant(default_factory=now)


class OrderVersion(SQLModel, table=True):
    """Every version of every order file loaded, with its text and hash; never updated."""

    __tablename__ = "order_version"
    __table_args__ = (UniqueConstraint("case_id", "order_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="case.id", index=True)
    order_id: str
    version: int
    court: str
    entered: date
    title: str = ""
    path: str = ""
    text: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str
    loaded_at: datetime = _instant(default_factory=now)
    loaded_by: str = ""


class Obligation(SQLModel, table=True):
    """One obligation's current computed schedule. ``revision`` grows whenever any computed value
    changes (it is the iCalendar SEQUENCE); ``uid`` is random, made once, and never changes."""

    __table_args__ = (
        UniqueConstraint("ref"),
        UniqueConstraint("uid"),
        Index("ix_obligation_due_state", "due", "state"),
        Index("ix_obligation_state_due", "state", "due"),
        Index("ix_obligation_obligation_id", "obligation_id", "order_id"),
        Index("ix_obligation_case_state_due", "case_id", "state", "due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str  # case/order/obligation
    uid: str
    case_id: str = Field(foreign_key="case.id", index=True)
    order_id: str
    obligation_id: str
    court: str
    party: str = Field(index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    summary: str = ""
    cite: str = ""
    kind: str = "deadline"
    when_text: str = ""
    consequence: str = ""
    condition: str = ""
    active: bool = True  # False once the current version of its order no longer has it
    state: str = "waiting"  # waiting | open | done | vacated | standing | moot ("overdue" is read off the date)
    due: date | None = None
    due_at: datetime | None = _instant(default=None)
    safe_due: date | None = None
    done_on: date | None = None
    late_by: int | None = None
    waiting_on: list[str] = Field(default_factory=list, sa_type=JSON)
    chain: list[str] = Field(default_factory=list, sa_type=JSON)
    readings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    warnings: list[str] = Field(default_factory=list, sa_type=JSON)
    trace: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    amendments: list[str] = Field(default_factory=list, sa_type=JSON)
    depends_on: list[str] = Field(default_factory=list, sa_type=JSON)
    revision: int = 0
    changed_at: datetime = _instant(default_factory=now)
    end_at: datetime | None = _instant(default=None)  # a timed appearance's end (DTEND)
    opens_on: date | None = (
        None  # waiting on a default: from this day it is open (read off the date)
    )
    review: str = ""  # what a person must decide about its due rule
    source_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    email: str = Field(unique=True)
    role: str = "attorney"  # attorney | clerk | paralegal
    created_at: datetime = _instant(default_factory=now)


class Assignment(SQLModel, table=True):
    """Who is responsible: for a whole case, one party in it, or one obligation."""

    __table_args__ = (Index("ix_assignment_person_case", "person_id", "case_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    case_id: str = Field(foreign_key="case.id", index=True)
    party: str | None = None
    obligation_ref: str | None = None
    created_at: datetime = _instant(default_factory=now)
    created_by: str = ""


class Fact(SQLModel, table=True):
    """Something recorded. Never updated or deleted: a correction is a later fact with the same
    key (and ``supersedes`` pointing at the one it corrects)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)  # event | done | extension | vacatur | closure | condition
    case_id: str | None = Field(default=None, foreign_key="case.id", index=True)
    court: str | None = Field(default=None, index=True)
    order_id: str | None = None
    obligation_id: str | None = None
    name: str | None = None  # an event's name
    day: date | None = None  # the event's, completion's, extension's or closure's date
    at: datetime | None = _instant(default=None)  # an event's instant, when it has a time
    by_period: str | None = None  # an extension by a period ("14 days")
    service: str | None = None  # an event's or completion's service method ("mail")
    met: bool | None = None  # a condition: met (True) or not met (False)
    occurrence: str = ""
    undone: bool = False
    reason: str = ""
    note: str = ""
    source: str = ""
    supersedes: int | None = None
    recorded_at: datetime = _instant(default_factory=now)
    recorded_by: str = ""


class PendingAmendment(SQLModel, table=True):
    """An amendment in a loaded order of an order not loaded yet: held, listed, and applied
    when that order is loaded (rewritten whenever its case is scheduled)."""

    __tablename__ = "pending_amendment"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="case.id", index=True)
    order_id: str  # the amending order
    target_order: str  # the order it amends
    what: str  # what it changes, in words
    line: int = 0
    held_since: datetime = _instant(default_factory=now)


class History(SQLModel, table=True):
    """The append-only record of every change: what, who, when, why, before and after."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _instant(default_factory=now)
    who: str = ""
    what: str = Field(index=True)
    case_id: str | None = Field(default=None, index=True)
    ref: str | None = Field(default=None, index=True)
    why: str = ""
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class FeedToken(SQLModel, table=True):
    """A subscriber's secret feed URL. Only a hash of the token is kept; the token is shown once."""

    __tablename__ = "feed_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)  # sha256 hex of the token
    scope: str  # case:CASE | party:CASE:PARTY | person:EMAIL | firm
    label: str = ""
    created_at: datetime = _instant(default_factory=now)
    created_by: str = ""
    revoked_at: datetime | None = _instant(default=None)
    replaced_by: int | None = None  # rotate: the token that took its place
    last_fetch_at: datetime | None = _instant(default=None)
    last_user_agent: str = ""
    fetches: int = 0


class FeedStamp(SQLModel, table=True):
    """A feed scope's current ETag and its Last-Modified, shared by every ``serve`` process so
    they all give the same validators. ``modified`` is taken from the database's clock and moves
    at least one second forward whenever ``etag`` changes, so an older date never stands for
    newer bytes (``obligations.store.feeds.register_stamp``)."""

    __tablename__ = "feed_stamp"

    scope: str = Field(primary_key=True)
    etag: str
    modified: datetime = _instant()


class Reminder(SQLModel, table=True):
    """One reminder to one person about one obligation, for one lead time and one due date: sent
    once. A moved due date makes new rows; ``lead`` is days before the due date (negative: the
    notice of the N-th day overdue)."""

    __table_args__ = (
        UniqueConstraint("obligation_uid", "recipient", "lead", "due"),
        Index("ix_reminder_status_send_on", "status", "send_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    obligation_uid: str
    ref: str
    recipient: str
    lead: int
    due: date
    send_on: date
    status: str = "pending"  # pending | sending | sent | failed | skipped
    message_id: str = ""
    claimed_by: str = ""
    claimed_at: datetime | None = _instant(default=None)
    sent_at: datetime | None = _instant(default=None)
    attempts: int = 0
    last_error: str = ""
    created_at: datetime = _instant(default_factory=now)


class Password(SQLModel, table=True):
    """A person's desk password, as an argon2 hash (``docketcal person password``)."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    hash: str
    set_at: datetime = _instant(default_factory=now)


class DeskSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries the session id (signed); only its SHA-256 is
    kept, with the CSRF token its forms carry. A new one at every sign-in; deleted at sign-out."""

    __tablename__ = "desk_session"

    id_hash: str = Field(primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    csrf: str
    created_at: datetime = _instant(default_factory=now)
    seen_at: datetime = _instant(default_factory=now)
    expires_at: datetime = _instant()
    address: str = ""


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, counted per account and per address to throttle guessing."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        Index("ix_sign_in_failure_email_at", "email", "at"),
        Index("ix_sign_in_failure_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str
    address: str
    at: datetime = _instant(default_factory=now)

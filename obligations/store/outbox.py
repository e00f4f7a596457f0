"""The reminder outbox: the database side of ``docketcal remind``.

One ``reminder`` row per (obligation, recipient, lead time, due date), made idempotently
(``INSERT ... ON CONFLICT DO NOTHING`` on that unique key, SQLite and PostgreSQL alike), then
moved along ``pending -> sending -> sent`` (or ``failed``, retried by the next run; or
``skipped``) by compare-and-set updates: ``UPDATE ... WHERE status IN ('pending', 'failed')``
and a check of how many rows changed. So two runs at once (two cron entries, two hosts on one
PostgreSQL) never both send a reminder: whichever claims a row first sends it, the other
finds it taken.

A run that dies between the SMTP server's "250" and its ``sent`` leaves rows in ``sending``;
a later run takes them over once the lease has run out and sends them again with the
``Message-ID`` chosen before the first attempt: delivery is at least once, never lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, bindparam, text
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import TextualSelect

from obligations.reminders import Assignee, Item, Key, Reminder
from obligations.store.db import Database, retrying
from obligations.store.tables import UTCDateTime, now

CHUNK = 500  # ids per statement (SQLite's limit on bound parameters is far above)
SENDABLE = ("pending", "failed")


@dataclass(frozen=True, slots=True)
class Row:
    """A reminder row as the outbox reads it."""

    id: int
    uid: str
    ref: str
    recipient: str
    lead: int
    due: date
    send_on: date
    status: str
    message_id: str = ""
    attempts: int = 0
    last_error: str = ""
    sent_at: datetime | None = None
    claimed_at: datetime | None = None

    @property
    def key(self) -> Key:
        return (self.uid, self.recipient, self.lead, self.due)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "recipient": self.recipient,
            "ref": self.ref,
            "lead": self.lead,
            "due": self.due.isoformat(),
            "send_on": self.send_on.isoformat(),
            "message_id": self.message_id,
            "attempts": self.attempts,
            "sent_at": self.sent_at.isoformat(timespec="seconds") if self.sent_at else None,
            "last_error": self.last_error,
        }


_ROW = (
    "id, obligation_uid, ref, recipient, lead, due, send_on, status, message_id, attempts,"
    " last_error, sent_at, claimed_at"
)


def _typed(sql: str) -> TextualSelect:
    return text(sql).columns(
        id=Integer,
        obligation_uid=String,
        ref=String,
        recipient=String,
        lead=Integer,
        due=Date,
        send_on=Date,
        status=String,
        message_id=String,
        attempts=Integer,
        last_error=String,
        sent_at=UTCDateTime,
        claimed_at=UTCDateTime,
    )


def _tuples(result: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in result]


def _rows(result: Any) -> list[Row]:
    return [Row(*r) for r in _tuples(result)]


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i : i + CHUNK])


# -- what to plan over ------------------------------------------------------------------------


def open_items(db: Database, until: date, today: date | None = None) -> list[Item]:
    """Every open, dated obligation still in its order and due by ``until`` (overdue included):
    the only ones a reminder can be due for; with ``today``, also those waiting on a default
    that has happened by then (open from their ``opens_on``). Indexed reads on (state, due)."""
    opened = ""
    if today is not None:
        opened = (
            " OR (obligation.state = 'waiting' AND obligation.due <= :until"
            " AND obligation.opens_on <= :today)"
        )
    sql = text(
        "SELECT obligation.uid, obligation.ref, obligation.case_id, obligation.party,"
        " obligation.text, CASE WHEN obligation.state = 'waiting' THEN 'open'"
        " ELSE obligation.state END, obligation.due, obligation.summary, obligation.cite,"
        " obligation.due_at, obligation.court, obligation.active FROM obligation"
        f" WHERE ((obligation.state = 'open' AND obligation.due <= :until){opened})"
        " AND obligation.active = :yes"
    ).columns(
        uid=String,
        ref=String,
        case_id=String,
        party=String,
        text=String,
        state=String,
        due=Date,
        summary=String,
        cite=String,
        due_at=UTCDateTime,
        court=String,
        active=Boolean,
    )
    params: dict[str, Any] = {"until": until, "yes": True}
    binds: list[BindParameter[Any]] = [
        bindparam("until", type_=Date),
        bindparam("yes", type_=Boolean),
    ]
    if today is not None:
        params["today"] = today
        binds.append(bindparam("today", type_=Date))
    sql = sql.bindparams(*binds)
    with db.engine.connect() as conn:
        return [Item(*r) for r in _tuples(conn.execute(sql, params))]


def open_dues(db: Database, uids: Iterable[str]) -> dict[str, date]:
    """The due dates of those of ``uids`` that are open, dated and in their order (for saying
    why a reminder waiting for an obligation beyond the planning horizon is not sent)."""
    sql = text(
        "SELECT uid, due FROM obligation WHERE uid IN :uids AND state = 'open'"
        " AND due IS NOT NULL AND active = :yes"
    ).columns(uid=String, due=Date)
    sql = sql.bindparams(bindparam("uids", expanding=True), bindparam("yes", type_=Boolean))
    wanted = sorted(set(uids))
    out: dict[str, date] = {}
    with db.engine.connect() as conn:
        for i in range(0, len(wanted), CHUNK):
            chunk = wanted[i : i + CHUNK]
            out.update(
                (r[0], r[1]) for r in _tuples(conn.execute(sql, {"uids": chunk, "yes": True}))
            )
    return out


def assignees(db: Database) -> list[Assignee]:
    """Every assignment with its person's e-mail and name."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.email, p.name, a.case_id, a.party, a.obligation_ref FROM assignment a"
                " JOIN person p ON p.id = a.person_id ORDER BY p.email, a.id"
            )
        )
        return [Assignee(*r) for r in _tuples(rows)]


# -- planning into the outbox -------------------------------------------------------------------


def record(db: Database, rows: Sequence[Reminder]) -> int:
    """Make the planned rows that do not exist yet (the unique key decides); how many were new.
    Rows already there, whatever their status, are left as they are.

    The skipped rows of a plan go with the reminder due now (the lead times it passed): they
    are written together, so when that reminder is already in the outbox they are too, and
    only reminders new since the last run are written, with theirs. (A run every hour then
    writes nothing; the conflict clause still settles two runs planning at once.)"""
    due_now = [r for r in rows if r.status == "pending"]
    if not due_now:
        return 0
    since = min(r.send_on for r in due_now)
    until = max(r.send_on for r in due_now)
    there = text(
        "SELECT obligation_uid, recipient, lead, due FROM reminder"
        " WHERE status IN ('pending', 'sending', 'sent', 'failed', 'skipped')"
        " AND send_on >= :since AND send_on <= :until"
    ).columns(obligation_uid=String, recipient=String, lead=Integer, due=Date)
    there = there.bindparams(bindparam("since", type_=Date), bindparam("until", type_=Date))
    with db.engine.connect() as conn:
        known = {
            (r[0], r[1], r[2], r[3])
            for r in _tuples(conn.execute(there, {"since": since, "until": until}))
        }
    fresh = {(r.uid, r.recipient, r.due) for r in due_now if r.key not in known}
    # Written person by person: a run then claims and marks each person's rows on a few
    # neighbouring pages rather than on one page each (a third of the time on SQLite).
    todo = sorted(
        (r for r in rows if (r.uid, r.recipient, r.due) in fresh),
        key=lambda r: (r.recipient, r.due, r.uid, -r.lead),
    )
    if not todo:
        return 0
    sql = text(
        "INSERT INTO reminder (obligation_uid, ref, recipient, lead, due, send_on, status,"
        " message_id, claimed_by, attempts, last_error, created_at) VALUES (:uid, :ref,"
        " :recipient, :lead, :due, :send_on, :status, '', '', 0, :why, :at)"
        " ON CONFLICT (obligation_uid, recipient, lead, due) DO NOTHING"
    ).bindparams(
        bindparam("due", type_=Date),
        bindparam("send_on", type_=Date),
        bindparam("at", type_=UTCDateTime),
    )
    at = now()
    params = [
        {
            "uid": r.uid,
            "ref": r.ref,
            "recipient": r.recipient,
            "lead": r.lead,
            "due": r.due,
            "send_on": r.send_on,
            "status": r.status,
            "why": ""
            if r.status == "pending"
            else "not sent: its day had passed when it was planned",
            "at": at,
        }
        for r in todo
    ]

    def work() -> int:
        made = 0
        with db.write() as s:
            conn = s.connection()
            for i in range(0, len(params), 5000):
                result = conn.execute(sql, params[i : i + 5000])
                made += max(result.rowcount, 0)
        return made

    return retrying(work)


def waiting(db: Database, today: date, stale_before: datetime) -> list[Row]:
    """The rows a run may send: pending or failed and due to go by ``today``, and rows left in
    ``sending`` by a run that claimed them before ``stale_before`` (it died, or hangs)."""
    sql = _typed(
        f"SELECT {_ROW} FROM reminder WHERE (status IN ('pending', 'failed') AND send_on <= :today)"
        " OR (status = 'sending' AND claimed_at < :stale) ORDER BY recipient, id"
    ).bindparams(bindparam("today", type_=Date), bindparam("stale", type_=UTCDateTime))
    with db.engine.connect() as conn:
        return _rows(conn.execute(sql, {"today": today, "stale": stale_before}))


def known(db: Database, since: date) -> dict[Key, Row]:
    """Every row to be sent on or after ``since``, by key (the dry run's view of the outbox)."""
    sql = _typed(
        f"SELECT {_ROW} FROM reminder WHERE status IN ('pending', 'sending', 'sent', 'failed',"
        " 'skipped') AND send_on >= :since"  # the statuses listed: the (status, send_on) index
    ).bindparams(bindparam("since", type_=Date))
    with db.engine.connect() as conn:
        return {r.key: r for r in _rows(conn.execute(sql, {"since": since}))}


# -- compare-and-set transitions ----------------------------------------------------------------

_TAKEABLE = "(status IN ('pending', 'failed') OR (status = 'sending' AND claimed_at < :stale))"


def skip(db: Database, reasons: dict[int, str], stale_before: datetime) -> int:
    """Mark rows skipped (each with why), unless another run has them in hand; how many."""
    if not reasons:
        return 0
    sql = text(
        f"UPDATE reminder SET status = 'skipped', last_error = :why WHERE id = :id AND {_TAKEABLE}"
    ).bindparams(bindparam("stale", type_=UTCDateTime))
    params = [{"id": i, "why": why, "stale": stale_before} for i, why in reasons.items()]

    def work() -> int:
        with db.write() as s:
            result = s.connection().execute(sql, params)
            return max(result.rowcount, 0)

    return retrying(work)


def claim(
    db: Database, digests: Sequence[tuple[Sequence[Row], str]], run: str, stale_before: datetime
) -> list[Row]:
    """Take rows for this run (``run``: unique to it) before sending them. ``digests``: each
    e-mail's rows (as ``waiting`` read them) and a new Message-ID for it.

    One transaction: a compare-and-set UPDATE per row (``WHERE id = ? AND status IN
    ('pending', 'failed')``, or ``sending`` past the lease), its row count checked, then a read
    of the rows now marked with this run's name: a row another run took first is not among
    them and is left to it. Returns the rows this run holds, each with its Message-ID: the one
    it already had (a resend keeps it) or the new one, stored before anything is sent."""
    by_id = {r.id: r for rows, _ in digests for r in rows}
    if not by_id:
        return []
    update = text(
        "UPDATE reminder SET status = 'sending', claimed_by = :run, claimed_at = :at,"
        " attempts = attempts + 1,"
        " message_id = CASE WHEN message_id = '' THEN :mid ELSE message_id END"
        f" WHERE id = :id AND {_TAKEABLE}"
    ).bindparams(bindparam("at", type_=UTCDateTime), bindparam("stale", type_=UTCDateTime))
    select = text(
        "SELECT id, message_id, attempts, last_error FROM reminder"
        " WHERE id IN :ids AND claimed_by = :run AND status = 'sending' ORDER BY id"
    ).bindparams(bindparam("ids", expanding=True))

    def work() -> list[Row]:
        at = now()
        values = [
            {"id": r.id, "mid": mid, "run": run, "at": at, "stale": stale_before}
            for rows, mid in digests
            for r in rows
        ]
        with db.write() as s:
            conn = s.connection()
            if conn.execute(update, values).rowcount == 0:  # every row was taken: nothing ours
                return []
            held = []
            for chunk in _chunks(list(by_id)):
                held += _tuples(conn.execute(select, {"ids": chunk, "run": run}))
        return [
            replace(
                by_id[i],
                status="sending",
                message_id=mid,
                attempts=n,
                last_error=err,
                claimed_at=at,
            )
            for i, mid, n, err in held
        ]

    return retrying(work)


def finish(
    db: Database,
    run: str,
    sent: Sequence[int] = (),
    failed: Sequence[tuple[Sequence[int], str, bool]] = (),
    released: Sequence[int] = (),
) -> int:
    """Record what happened to rows this run holds, in one transaction: ``sent`` ids,
    ``failed`` (ids, error, keep_id) groups, and ``released`` ids (claimed, never tried: the
    run was interrupted; pending again, with the Message-ID chosen for them). ``keep_id``: the
    message may have been delivered (the connection broke mid-way), so the retry must reuse its
    Message-ID; otherwise the retry gets a new one. Rows this run no longer holds (its lease
    ran out and another run took them) are left alone. Returns how many rows changed."""
    mark_sent = text(
        "UPDATE reminder SET status = 'sent', sent_at = :at, last_error = ''"
        " WHERE id IN :ids AND claimed_by = :run AND status = 'sending'"
    ).bindparams(bindparam("ids", expanding=True), bindparam("at", type_=UTCDateTime))

    def mark_failed(keep_id: bool) -> Any:
        mid = "message_id" if keep_id else "''"
        return text(
            f"UPDATE reminder SET status = 'failed', last_error = :error, message_id = {mid}"
            " WHERE id IN :ids AND claimed_by = :run AND status = 'sending'"
        ).bindparams(bindparam("ids", expanding=True))

    release = text(
        "UPDATE reminder SET status = 'pending', claimed_by = ''"
        " WHERE id IN :ids AND claimed_by = :run AND status = 'sending'"
    ).bindparams(bindparam("ids", expanding=True))
    if not sent and not released and not any(ids for ids, _, _ in failed):
        return 0

    def work() -> int:
        done = 0
        with db.write() as s:
            conn = s.connection()
            at = now()
            for chunk in _chunks(sent):
                done += conn.execute(mark_sent, {"ids": chunk, "run": run, "at": at}).rowcount
            for ids, error, keep_id in failed:
                statement = mark_failed(keep_id)
                for chunk in _chunks(ids):
                    values = {"ids": chunk, "run": run, "error": error[:1000]}
                    done += conn.execute(statement, values).rowcount
            for chunk in _chunks(released):
                done += conn.execute(release, {"ids": chunk, "run": run}).rowcount
        return done

    return retrying(work)


def sent(db: Database, ids: Sequence[int], run: str) -> int:
    """Record rows as sent, if this run still holds them."""
    return finish(db, run, sent=ids)


def failed(db: Database, ids: Sequence[int], run: str, error: str, *, keep_id: bool) -> int:
    """Record a failed send with its error (see ``finish``); the next run retries."""
    return finish(db, run, failed=[(ids, error, keep_id)])


def unsent(db: Database, ids: Sequence[int], error: str) -> int:
    """Record that rows could not be sent at all (no SMTP connection), without claiming them."""
    if not ids:
        return 0
    statement = text(
        "UPDATE reminder SET status = 'failed', last_error = :error, attempts = attempts + 1"
        " WHERE id IN :ids AND status IN ('pending', 'failed')"
    ).bindparams(bindparam("ids", expanding=True))

    def work() -> int:
        done = 0
        with db.write() as s:
            conn = s.connection()
            for chunk in _chunks(ids):
                done += conn.execute(statement, {"ids": chunk, "error": error[:1000]}).rowcount
        return done

    return retrying(work)


# -- keeping the outbox small --------------------------------------------------------------------


def prune(db: Database, before: date) -> int:
    """Delete the rows of reminders done with, meant for a day before ``before``; how many.

    Only ``sent`` and ``skipped`` rows go, and of those only the ones no run would plan again:
    a daily overdue notice (its lead is the day it was for, which never comes back), or a row
    for a due date its obligation no longer has open (done, vacated, moved or removed). The
    rows of a duty still open at that due date stay, because each run's plan writes its passed
    lead times again as ``skipped`` if they are missing. Pending, failed and in-hand rows are
    never touched. ``before`` must not be later than today: today's notices are what keeps
    another run today from sending them again."""
    sql = text(
        "DELETE FROM reminder WHERE status IN ('sent', 'skipped') AND send_on < :before"
        " AND (lead < 0 OR NOT EXISTS (SELECT 1 FROM obligation o"
        " WHERE o.uid = reminder.obligation_uid AND o.due = reminder.due"
        " AND (o.state = 'open' OR (o.state = 'waiting' AND o.opens_on IS NOT NULL))"
        " AND o.active = :yes))"
    ).bindparams(bindparam("before", type_=Date), bindparam("yes", type_=Boolean))

    def work() -> int:
        with db.write() as s:
            result = s.connection().execute(sql, {"before": before, "yes": True})
            return max(result.rowcount, 0)

    return retrying(work)


# -- what happened ------------------------------------------------------------------------------


def counts(db: Database, recipient: str | None = None) -> dict[str, int]:
    where, params = ("WHERE recipient = :who", {"who": recipient}) if recipient else ("", {})
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT status, count(*) FROM reminder {where} GROUP BY status"), params
        )
        found = {str(r[0]): int(r[1]) for r in _tuples(rows)}
    return {s: found.get(s, 0) for s in ("sent", "pending", "sending", "failed", "skipped")}


def recent(db: Database, limit: int, recipient: str | None = None) -> list[Row]:
    """Rows not sent yet (failed, in hand, pending: all of them up to ``limit``), then the
    latest sent; skipped rows are only counted."""
    who = " AND recipient = :who" if recipient else ""
    params: dict[str, Any] = (
        {"who": recipient, "limit": int(limit)} if recipient else {"limit": int(limit)}
    )
    out: list[Row] = []
    with db.engine.connect() as conn:
        for status, order in (
            ("failed", "send_on, recipient, id"),
            ("sending", "claimed_at, id"),
            ("pending", "send_on, recipient, id"),
            ("sent", "sent_at DESC, id DESC"),
        ):
            sql = _typed(
                f"SELECT {_ROW} FROM reminder WHERE status = '{status}'{who}"
                f" ORDER BY {order} LIMIT :limit"
            )
            out += _rows(conn.execute(sql, params))
    return out


def stale_before(lease: timedelta) -> datetime:
    return now() - lease

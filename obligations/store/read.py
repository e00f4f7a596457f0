"""Reading the schedule fast: plain DB-API (sqlite3, psycopg), no ORM.

``docketcal upcoming`` must answer in a fraction of a second on a docket of hundreds of
thousands of obligations, and importing the ORM alone costs more than that. The queries here
read the tables the store writes; they never write.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from obligations.store.errors import (
    AmbiguousRef,
    StoreNotReady,
    UnknownRef,
    cannot_open,
    check_name,
)

HEAD = "0010"  # kept equal to obligations.store.db.HEAD (a test checks)

COLUMNS = (
    "ref", "case_id", "order_id", "obligation_id", "party", "text", "cite", "state", "due",
    "due_at", "safe_due", "waiting_on", "court", "kind", "done_on", "uid", "revision", "summary",
    "opens_on",
)  # fmt: skip


def effective_state(state: str, due: date | None, opens_on: date | None, today: date | None) -> str:
    """The state on ``today`` of a stored duty: one waiting on a default opens on ``opens_on``
    (the day after the other duty's due date) if it is not recomputed before; an open one past
    its due date is overdue. The store keeps states without the clock; readers apply this."""
    if today is None:
        return state
    if state == "waiting" and opens_on is not None and due is not None and opens_on <= today:
        state = "open"
    if state == "open" and due is not None and today > due:
        return "overdue"
    return state


#: The store's errors, raised here too (the names other code imports from this module).
ReadError = StoreNotReady


@dataclass(frozen=True, slots=True)
class Row:
    """One obligation as the terminal shows it; ``state`` already reads "overdue" off the date."""

    ref: str
    case: str
    order: str
    obligation: str
    party: str
    text: str
    cite: str
    state: str
    due: date | None
    due_at: datetime | None
    safe_due: date | None
    waiting_on: tuple[str, ...]
    court: str
    kind: str
    done_on: date | None
    uid: str
    revision: int
    summary: str
    opens_on: date | None = None

    def to_json(self) -> dict[str, Any]:
        """One item of ``upcoming --format json`` (obligations.contract)."""
        from obligations.contract import upcoming_item

        return upcoming_item(
            ref=self.ref, case=self.case, order=self.order, obligation=self.obligation,
            party=self.party, text=self.text, cite=self.cite, state=self.state, due=self.due,
            due_at=self.due_at, safe_due=self.safe_due, waiting_on=self.waiting_on,
            court=self.court,
        )  # fmt: skip


def duties_of(person: str) -> tuple[str, list[Any]]:
    """The condition on ``obligation o`` for the duties ``person`` (an e-mail) is assigned:
    a whole case, one party's duties in it (with those on both parties), or one duty; and its
    parameters. ``upcoming --person`` and a person's feed both read through it. The person's
    cases come first, so the database reads them by the case index, not every row."""
    email = person.lower()
    return (
        "o.case_id IN (SELECT a.case_id FROM assignment a JOIN person p ON p.id = a.person_id"
        " WHERE p.email = ?) AND "
        "EXISTS (SELECT 1 FROM assignment a JOIN person p ON p.id = a.person_id"
        " WHERE p.email = ? AND a.case_id = o.case_id"
        " AND (a.party IS NULL OR a.party = o.party OR o.party = 'both')"
        " AND (a.obligation_ref IS NULL OR a.obligation_ref = o.ref))",
        [email, email],
    )


def duties_from(person: str) -> tuple[str, str, list[Any], list[Any]]:
    """The duties ``person`` is assigned, as ``duties_of`` gives them, read case by case: the
    FROM clause (the person's cases, then ``obligation o``, in that order: CROSS JOIN fixes it
    on SQLite, where a docket is seldom analysed and the planner would otherwise take the
    firm-wide (state, due) index and test every row of the firm's), the condition, and the
    parameters of each. With the (case, state, due) index each case gives only the rows of
    the state and window asked for (the desk's agenda and calendar, through ``first_due``).
    ``upcoming`` keeps ``duties_of``: with its states in one OR, PostgreSQL would read every
    assignment for the person's cases."""
    email = person.lower()
    return (
        "(SELECT DISTINCT a.case_id FROM assignment a JOIN person p ON p.id = a.person_id"
        " WHERE p.email = ?) AS mine CROSS JOIN obligation o",
        "o.case_id = mine.case_id AND "
        "EXISTS (SELECT 1 FROM assignment a JOIN person p ON p.id = a.person_id"
        " WHERE p.email = ? AND a.case_id = o.case_id"
        " AND (a.party IS NULL OR a.party = o.party OR o.party = 'both')"
        " AND (a.obligation_ref IS NULL OR a.obligation_ref = o.ref))",
        [email],
        [email],
    )


class Reader:
    """A read-only connection to the docket, SQLite or PostgreSQL."""

    log: list[tuple[str, tuple[Any, ...]]] | None = None  # a list here keeps the SQL sent

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            import sqlite3
            from pathlib import Path

            path = url.split("///", 1)[1]
            if not Path(path).exists():
                raise ReadError(f"no docket at {path}: load an order or run 'docketcal init'")
            try:
                self.conn: Any = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
            except sqlite3.Error as exc:
                raise cannot_open(url, exc) from exc
            self.mark = "?"
        else:
            # psycopg2 here, psycopg 3 in the store: the one imports in 30 ms, the other in
            # 130-180 ms, and a whole ``upcoming`` has 300 ms (bench/README.md).
            import psycopg2

            from obligations.store.location import libpq_url

            conninfo = libpq_url(url)
            try:
                self.conn = (
                    psycopg2.connect(conninfo, options=f"-csearch_path={schema}")
                    if schema
                    else psycopg2.connect(conninfo)
                )
            except psycopg2.Error as exc:
                raise cannot_open(url, exc) from exc
            self.conn.autocommit = True
            self.mark = "%s"
        self._check()

    def close(self) -> None:
        self.conn.close()

    def _check(self) -> None:
        try:
            rows = self.query("SELECT version_num FROM alembic_version")
        except Exception as exc:
            message = str(exc)
            if "not a database" in message or "malformed" in message or "locked" in message:
                raise cannot_open(self.url, exc) from exc
            raise ReadError("the database has no docket yet: run 'docketcal init'") from exc
        if not rows or rows[0][0] != HEAD:
            raise ReadError(
                f"the docket's schema is {rows[0][0] if rows else 'empty'}, not {HEAD}: run 'docketcal init'"
            )

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.log is not None:
            self.log.append((sql, tuple(params)))
        sql = sql.replace("?", self.mark)
        cur = self.conn.cursor()
        try:
            cur.execute(sql, tuple(params))
            return list(cur.fetchall())
        finally:
            cur.close()

    # -- the schedule -------------------------------------------------------------------------

    def upcoming(
        self,
        today: date,
        until: date,
        *,
        case: str | None = None,
        party: str | None = None,
        person: str | None = None,
        states: Sequence[str] = ("overdue", "open"),
        limit: int = 500,
        count: bool = True,
    ) -> tuple[list[Row], int]:
        """Obligations due up to ``until`` (overdue ones first) and those in the other states
        asked for; and how many more there were past ``limit`` (without ``count``, 1 when
        there were more: counting them all reads every one)."""
        where = ["o.active = ?"]
        params: list[Any] = [True]
        picks = []
        day, last = today.isoformat(), until.isoformat()
        # A duty waiting on a default is open from its opens_on: each branch stays indexable
        # on (state, due).
        if "overdue" in states:
            picks.append("(o.state = 'open' AND o.due < ?)")
            picks.append("(o.state = 'waiting' AND o.due < ? AND o.opens_on <= ?)")
            params += [day, day, day]
        if "open" in states:
            picks.append("(o.state = 'open' AND o.due >= ? AND o.due <= ?)")
            picks.append("(o.state = 'waiting' AND o.due >= ? AND o.due <= ? AND o.opens_on <= ?)")
            params += [day, last, day, last, day]
        if "waiting" in states:
            picks.append("(o.state = 'waiting' AND (o.opens_on IS NULL OR o.opens_on > ?))")
            params.append(day)
        others = [s for s in states if s in ("done", "standing", "vacated", "moot")]
        if others:
            picks.append(f"o.state IN ({', '.join('?' for _ in others)})")
            params += others
        if not picks:
            return [], 0
        where.append("(" + " OR ".join(picks) + ")")
        if case:
            where.append("o.case_id = ?")
            params.append(case)
        if party:
            # a party's duties include those the order puts on both parties, as its feed does
            where.append("(o.party = ? OR o.party = 'both')")
            params.append(party)
        if person:
            condition, values = duties_of(person)
            where.append(condition)
            params += values
        sql = (
            f"SELECT {', '.join('o.' + c for c in COLUMNS)} FROM obligation o WHERE {' AND '.join(where)}"
            " ORDER BY CASE WHEN o.due IS NULL THEN 1 ELSE 0 END, o.due, o.case_id, o.ref"
            f" LIMIT {int(limit) + 1}"
        )
        rows = [self._row(r, today) for r in self.query(sql, params)]
        more = 0
        if len(rows) > limit and not count:
            return rows[:limit], 1
        if len(rows) > limit:
            count_sql = f"SELECT count(*) FROM obligation o WHERE {' AND '.join(where)}"
            more = int(self.query(count_sql, params)[0][0]) - limit
            rows = rows[:limit]
        return rows, more

    def first_due(
        self,
        today: date,
        until: date,
        *,
        case: str | None = None,
        party: str | None = None,
        person: str | None = None,
        states: Sequence[str] = ("overdue", "open"),
        limit: int = 50,
    ) -> tuple[list[Row], bool]:
        """The first ``limit`` of what ``upcoming`` lists (same states, same order), and whether
        there were more. Each state's branch is its own statement read in the order of the
        ``(state, due)`` index and cut at ``limit``, so a firm with thousands of overdue duties
        costs a page, not a sort of all of them (the desk's agenda)."""
        day, last = today.isoformat(), until.isoformat()
        branches: list[tuple[str, list[Any]]] = []
        if "overdue" in states and "open" in states and until >= today:
            # overdue and due in the window: one range of the index each, not two
            branches.append(("o.state = 'open' AND o.due <= ?", [last]))
            branches.append(("o.state = 'waiting' AND o.due <= ? AND o.opens_on <= ?", [last, day]))
            states = [s for s in states if s not in ("overdue", "open")]
        if "overdue" in states:
            branches.append(("o.state = 'open' AND o.due < ?", [day]))
            branches.append(("o.state = 'waiting' AND o.due < ? AND o.opens_on <= ?", [day, day]))
        if "open" in states:
            branches.append(("o.state = 'open' AND o.due >= ? AND o.due <= ?", [day, last]))
            branches.append(
                ("o.state = 'waiting' AND o.due >= ? AND o.due <= ? AND o.opens_on <= ?",
                 [day, last, day])
            )  # fmt: skip
        if "waiting" in states:
            branches.append(
                ("o.state = 'waiting' AND (o.opens_on IS NULL OR o.opens_on > ?)", [day])
            )
        others = [s for s in states if s in ("done", "standing", "vacated", "moot")]
        for other in others:
            branches.append(("o.state = ?", [other]))
        if not branches:
            return [], False
        extra: list[str] = ["o.active = ?"]
        values: list[Any] = [True]
        if case:
            extra.append("o.case_id = ?")
            values.append(case)
        if party:
            extra.append("(o.party = ? OR o.party = 'both')")
            values.append(party)
        source = "obligation o"
        source_params: list[Any] = []
        if person:
            source, condition, source_params, who = duties_from(person)
            extra.append(condition)
            values += who
        cols = ", ".join("o." + c for c in COLUMNS)
        order = "CASE WHEN o.due IS NULL THEN 1 ELSE 0 END, o.due, o.case_id, o.ref"
        parts, params = [], []
        for n, (pick, picked) in enumerate(branches):
            # a branch with a condition on the date has one (no NULL to put last): ordered by
            # the date alone, the index gives its rows in order and the LIMIT stops the read
            ordered = (
                "o.due, o.case_id, o.ref" if "o.due <" in pick or "o.due >=" in pick else order
            )
            parts.append(
                f"SELECT * FROM (SELECT {cols}, CASE WHEN o.due IS NULL THEN 1 ELSE 0 END AS nodate"
                f" FROM {source} WHERE {pick} AND {' AND '.join(extra)}"
                f" ORDER BY {ordered} LIMIT {int(limit) + 1}) AS b{n}"
            )
            params += [*source_params, *picked, *values]
        sql = (
            " UNION ALL ".join(parts)
            + f" ORDER BY nodate, due, case_id, ref LIMIT {int(limit) + 1}"
        )
        rows = [self._row(r[:-1], today) for r in self.query(sql, params)]
        return rows[:limit], len(rows) > limit

    def assignments(self) -> list[tuple[str, str, str, str | None, str | None]]:
        """(email, name, case, party, obligation ref) for every assignment."""
        return [
            (r[0], r[1], r[2], r[3], r[4])
            for r in self.query(
                "SELECT p.email, p.name, a.case_id, a.party, a.obligation_ref FROM assignment a"
                " JOIN person p ON p.id = a.person_id ORDER BY p.email, a.id"
            )
        ]

    def resolve(self, ref: str) -> str:
        """The full ref for ``CASE/ORDER/OBLIGATION`` or any unique suffix (whole segments)."""
        ref = check_name(ref, "the reference").strip("/")
        tail = ref.rsplit("/", 1)[-1]
        candidates = [
            r[0] for r in self.query("SELECT ref FROM obligation WHERE obligation_id = ?", (tail,))
        ]
        matches = sorted(c for c in candidates if c == ref or c.endswith("/" + ref))
        if len(matches) == 1:
            return str(matches[0])
        if matches:
            raise AmbiguousRef(ref, matches)
        near = [
            r[0]
            for r in self.query(
                "SELECT DISTINCT obligation_id FROM obligation ORDER BY 1 LIMIT 20000"
            )
        ]
        close = difflib.get_close_matches(tail, near, n=3, cutoff=0.6)
        raise UnknownRef(ref, close)

    def short_refs(self, refs: Sequence[str]) -> dict[str, str]:
        """The shortest unique suffix of each ref (``obligation``, ``order/obligation`` or the
        whole ref): the way to ask about it. Each check reads at most two index entries, and the
        checks of a whole list go in two statements, not one per row (a round trip each on
        PostgreSQL)."""
        split = {ref: ref.split("/") for ref in refs}
        ids = sorted({parts[-1] for parts in split.values()})
        unique_id = self._at_most_one(["obligation_id"], [(oid,) for oid in ids])
        pairs = sorted(
            {
                (p[-1], p[-2] if len(p) >= 2 else "")
                for p in split.values()
                if not unique_id[(p[-1],)]
            }
        )
        unique_pair = self._at_most_one(["obligation_id", "order_id"], pairs)
        out = {}
        for ref, parts in split.items():
            if unique_id[(parts[-1],)]:
                out[ref] = parts[-1]
            elif unique_pair[(parts[-1], parts[-2] if len(parts) >= 2 else "")]:
                out[ref] = "/".join(parts[-2:])
            else:
                out[ref] = ref
        return out

    def _at_most_one(
        self, columns: Sequence[str], keys: Sequence[tuple[str, ...]]
    ) -> dict[tuple[str, ...], bool]:
        """For each key (values of ``columns``): does at most one obligation have it?"""
        out: dict[tuple[str, ...], bool] = {}
        names = [f"k{n}" for n in range(len(columns))]
        match = " AND ".join(f"o.{c} = k.{n}" for c, n in zip(columns, names, strict=True))
        row = "(" + ", ".join("?" for _ in columns) + ")"
        for start in range(0, len(keys), 200):
            chunk = keys[start : start + 200]
            sql = (
                f"WITH k({', '.join(names)}) AS (VALUES {', '.join(row for _ in chunk)})"
                f" SELECT {', '.join('k.' + n for n in names)}, (SELECT count(*) FROM"
                f" (SELECT 1 FROM obligation o WHERE {match} LIMIT 2) AS two) FROM k"
            )
            for r in self.query(sql, [v for key in chunk for v in key]):
                out[tuple(str(v) for v in r[:-1])] = int(r[-1]) <= 1
        return out

    def obligation(self, ref: str) -> dict[str, Any]:
        """Everything stored about one obligation, for ``explain``."""
        names = (
            "ref", "case_id", "order_id", "obligation_id", "court", "party", "text", "summary", "cite", "kind",
            "when_text", "consequence", "condition", "active", "state", "due", "due_at", "safe_due",
            "done_on", "late_by", "waiting_on", "chain", "readings", "warnings", "trace", "amendments",
            "depends_on", "revision", "changed_at", "uid", "end_at", "opens_on", "review", "source_text",
        )  # fmt: skip
        rows = self.query(f"SELECT {', '.join(names)} FROM obligation WHERE ref = ?", (ref,))
        if not rows:
            raise UnknownRef(ref, ())
        row = dict(zip(names, rows[0], strict=True))
        for key in (
            "waiting_on",
            "chain",
            "readings",
            "warnings",
            "trace",
            "amendments",
            "depends_on",
        ):
            row[key] = _json(row[key])
        for key in ("due", "safe_due", "done_on", "opens_on"):
            row[key] = _date(row[key])
        for key in ("due_at", "changed_at", "end_at"):
            row[key] = _instant(row[key])
        return row

    def history(self, ref: str) -> list[dict[str, Any]]:
        names = ("at", "who", "what", "why", "before", "after")
        rows = self.query(
            f"SELECT {', '.join(names)} FROM history WHERE ref = ? ORDER BY id", (ref,)
        )
        out = []
        for r in rows:
            row = dict(zip(names, r, strict=True))
            row["at"] = _instant(row["at"])
            row["before"], row["after"] = _json(row["before"]), _json(row["after"])
            out.append(row)
        return out

    def _row(self, r: Sequence[Any], today: date) -> Row:
        # fmt: off
        (ref, case, order, obligation, party, text, cite, state, due, due_at, safe_due,
         waiting_on, court, kind, done_on, uid, revision, summary, opens_on) = r  # COLUMNS
        # fmt: on
        due = _date(due)
        opens_on = _date(opens_on)
        return Row(
            ref=ref, case=case, order=order, obligation=obligation, party=party, text=text,
            cite=cite, state=effective_state(state, due, opens_on, today), due=due,
            due_at=_instant(due_at), safe_due=_date(safe_due),
            waiting_on=() if waiting_on in ("[]", []) else tuple(_json(waiting_on) or ()),
            court=court, kind=kind, done_on=_date(done_on), uid=uid, revision=int(revision),
            summary=summary, opens_on=opens_on,
        )  # fmt: skip


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _json(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value)
    return value


@contextmanager
def reader(url: str, *, schema: str | None = None) -> Iterator[Reader]:
    r = Reader(url, schema=schema)
    try:
        yield r
    finally:
        r.close()


def explain_json(row: dict[str, Any], history: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """``explain --format json``: the keys of ``upcoming``, then how the date was found."""
    from calendars import get_court

    zone = get_court(row["court"]).zone
    state = effective_state(row["state"], row["due"], row["opens_on"], today)
    if not row["active"]:
        state = "vacated"

    def iso(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(zone).isoformat(timespec="minutes")
        if isinstance(value, date):
            return value.isoformat()
        return value

    return {
        "ref": row["ref"], "case": row["case_id"], "order": row["order_id"],
        "obligation": row["obligation_id"], "party": row["party"], "text": row["text"],
        "cite": row["cite"], "state": state, "due": iso(row["due"]), "due_at": iso(row["due_at"]),
        "safe_due": iso(row["safe_due"]), "waiting_on": row["waiting_on"], "summary": row["summary"],
        "kind": row["kind"],
        "court": row["court"], "when": row["when_text"], "chain": row["chain"],
        "readings": row["readings"], "warnings": row["warnings"], "trace": row["trace"],
        "amendments": row["amendments"], "done_on": iso(row["done_on"]), "late_by": row["late_by"],
        "consequence": row["consequence"], "condition": row["condition"], "uid": row["uid"],
        "revision": row["revision"], "end_at": iso(row["end_at"]), "opens_on": iso(row["opens_on"]),
        "review": row["review"], "source_text": row["source_text"],
        "history": [
            {"at": h["at"].isoformat(timespec="minutes"), "who": h["who"], "what": h["what"], "why": h["why"],
             "before": h["before"], "after": h["after"]}
            for h in history
        ],
    }  # fmt: skip

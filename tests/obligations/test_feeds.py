"""Feeds from a real docket (obligations/feeds.py): the example orders loaded with ``Docket`` on a
SQLite file and, where it is cheap, on PostgreSQL (``DOCKETCAL_TEST_POSTGRES``); scopes, windows,
timed and all-day deadlines, chains, a subscriber following extensions and vacaturs, tokens kept
only as hashes, feed files, and the HTTP answers without a socket.

Every feed built here is read by ``ical`` and ``vobject`` (validated) and ``icalendar``, and
passes the project's own checks (``calendars.ical.problems``)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import statistics
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import create_engine, text

from calendars.data import data_path
from calendars.ical import problems, texts
from cli.web import feeds as web_feeds
from cli.web.feeds import Publisher
from obligations import feeds
from obligations.feeds import Item, Scope, Windows
from obligations.store import feeds as store_feeds
from obligations.store.db import Database, upgrade
from obligations.store.docket import Docket
from obligations.store.feeds import Tokens, derive_token
from obligations.store.read import Reader

ORDERS = data_path("orders")
CAED = "caed-2013-11-12"
NJD = "njd-2013-07-02"
SECRET = "test-secret-" + "x" * 40
TIMED = """
[order]
id = "caed-2013-11-20"
case = "caed-2013-11-12"
court = "caed"
entered = 2013-11-20
title = "Order setting times (test fixture)"

[[obligation]]
id = "status-report"
summary = "file a status report"
party = "defendant"
cite = "¶ 1"
due = "by 2013-12-02 17:00"
text = "Defendant shall file a status report by 5:00 p.m. on December 2, 2013."

[[obligation]]
id = "emergency-response"
summary = "respond to the emergency motion"
party = "plaintiff"
cite = "¶ 2"
due = "72 hours after 2013-11-20T09:00"
text = "Plaintiff shall respond within 72 hours of 9:00 a.m. on November 20, 2013."

[[obligation]]
id = "reply"
summary = "reply to the response"
party = "defendant"
cite = "¶ 3"
due = "7 days after emergency-response.due"
text = "Defendant may reply within 7 days after the response is due."
"""


# -- parsing, as in every feed test ----------------------------------------------------------------


def parse_everywhere(data: bytes) -> Any:
    """The feed as ``ical`` reads it, after ``vobject`` (validated) and ``icalendar`` accepted
    it with the same UIDs and the project's checks found nothing."""
    assert problems(data) == [], problems(data)
    text_ = data.decode("utf-8")
    strict = IcsCalendarStream.calendar_from_ics(text_)
    loose = vobject.readOne(text_, validate=True)
    lenient = icalendar.Calendar.from_ical(data)
    assert [(c.name, c.errors) for c in lenient.walk() if c.errors] == []
    assert lenient.get_missing_tzids() == set()
    uids = sorted(e.uid for e in strict.events)
    assert uids == sorted(e.uid.value for e in getattr(loose, "vevent_list", []))
    assert uids == sorted(str(e["UID"]) for e in lenient.walk("VEVENT"))
    assert len(uids) == len(set(uids)), "a UID twice: one event would be lost"
    return strict


# -- a docket on SQLite and PostgreSQL --------------------------------------------------------------


@dataclass
class Where:
    url: str
    schema: str | None
    db: Database
    docket: Docket
    tmp: Path

    def reader(self) -> Reader:
        return Reader(self.url, schema=self.schema)

    def load(self) -> None:
        timed = self.tmp / "timed.toml"
        timed.write_text(TIMED, encoding="utf-8")
        self.docket.load([*sorted(ORDERS.glob("*.toml")), timed])

    def render(self, scope: str, as_of: date, windows: Windows | None = None) -> feeds.Rendered:
        """The feed's bytes, after every parser read them."""
        r = self.reader()
        try:
            rendered = store_feeds.render(r, Scope.parse(scope), as_of, windows or Windows())
        finally:
            r.close()
        parse_everywhere(rendered.data)
        return rendered

    def feed(self, scope: str, as_of: date, windows: Windows | None = None) -> Any:
        return parse_everywhere(self.render(scope, as_of, windows).data)

    def row(self, obligation: str) -> dict[str, Any]:
        r = self.reader()
        try:
            return r.obligation(r.resolve(obligation))
        finally:
            r.close()


def _sqlite(tmp: Path) -> Iterator[Where]:
    url = f"sqlite:///{tmp / 'docket.db'}"
    db = Database(url)
    upgrade(db.writer)
    try:
        yield Where(url, None, db, Docket(db, "clerk@example.com"), tmp)
    finally:
        db.dispose()


def _postgres(tmp: Path) -> Iterator[Where]:
    url = os.environ.get("DOCKETCAL_TEST_POSTGRES", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(
                "DOCKETCAL_TEST_POSTGRES is not set (CI is set: the PostgreSQL tests must run)"
            )
        pytest.skip("DOCKETCAL_TEST_POSTGRES is not set: no PostgreSQL server to test on")
    schema = f"docketcal_feeds_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"cannot reach PostgreSQL: {exc}")
    db = Database(url, schema=schema)
    try:
        upgrade(db.writer)
        yield Where(url, schema, db, Docket(db, "clerk@example.com"), tmp)
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Where]:
    """A loaded docket (the two example orders and a timed one) on each database."""
    gen = _sqlite(tmp_path) if request.param == "sqlite" else _postgres(tmp_path)
    w = next(gen)
    w.load()
    yield w
    next(gen, None)


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[Where]:
    """The same docket on SQLite only."""
    gen = _sqlite(tmp_path)
    w = next(gen)
    w.load()
    yield w
    next(gen, None)


def by_obligation(cal: Any, w: Where) -> dict[str, Any]:
    """The events keyed by obligation id (through the stored UIDs)."""
    r = w.reader()
    try:
        uids = {
            u + "@docketcal": o for u, o in r.query("SELECT uid, obligation_id FROM obligation")
        }
    finally:
        r.close()
    return {uids[e.uid]: e for e in cal.events}


ONE_FOURTEEN = {"produce-documents", "confirm-in-writing", "return-documents",
                "serve-privilege-log", "name-employees"}  # fmt: skip


# -- what a feed holds ---------------------------------------------------------------------------


def test_a_case_feed_holds_its_dated_duties_and_lists_the_waiting_ones(where: Where) -> None:
    cal = where.feed(f"case:{CAED}", date(2013, 11, 20))
    events = by_obligation(cal, where)
    assert set(events) == ONE_FOURTEEN | {"status-report", "emergency-response", "reply"}
    produce = events["produce-documents"]
    stored = where.row("produce-documents")
    assert produce.uid == stored["uid"] + "@docketcal"
    assert produce.sequence == stored["revision"]
    changed = stored["changed_at"].replace(microsecond=0)  # iCalendar has whole seconds
    assert produce.dtstamp == changed and produce.last_modified == changed
    assert (produce.dtstart, produce.dtend) == (date(2013, 11, 26), date(2013, 11, 27))
    assert produce.summary == f"{CAED} · Plaintiff: produce all responsive documents"
    assert produce.categories == ["Deadline", CAED, "Plaintiff"]
    assert produce.status.value == "CONFIRMED"
    assert produce.description.startswith("Within 14 days of issuance of this order, plaintiff")
    # the Bates duties wait on the return: not events, but named in the calendar description
    (desc,) = texts(where.render(f"case:{CAED}", date(2013, 11, 20)).data, "X-WR-CALDESC")
    assert "Waiting (no date yet" in desc and "Bates stamp the returned documents" in desc
    assert "waits on return-documents" in desc
    assert texts(where.render(f"case:{CAED}", date(2013, 11, 20)).data, "NAME") == [
        f"{CAED} deadlines"
    ]
    # the other case's duties are not here, in any form
    assert NJD.encode() not in where.render(f"case:{CAED}", date(2013, 11, 20)).data


def test_date_deadlines_are_all_day_and_stated_times_and_hours_are_timed(lite: Where) -> None:
    events = by_obligation(lite.feed(f"case:{CAED}", date(2013, 11, 20)), lite)
    la = feeds.get_court("caed").zone
    report = events["status-report"]  # "by 2013-12-02 17:00": the order states the time
    assert report.dtend == datetime(2013, 12, 2, 17, 0, tzinfo=la)
    assert report.dtstart == report.dtend - timedelta(minutes=30)
    assert report.summary.endswith("(due 17:00 PST)")
    urgent = events["emergency-response"]  # 72 hours after Wed 09:00 is Sat 09:00: to Monday
    assert urgent.dtend == datetime(2013, 11, 25, 9, 0, tzinfo=la)
    # a days period (even from a timed deadline) and a federal date deadline (due_at 23:59)
    assert events["reply"].dtstart == date(2013, 12, 2)
    assert lite.row("produce-documents")["due_at"].astimezone(la).strftime("%H:%M") == "23:59"
    assert events["produce-documents"].dtstart == date(2013, 11, 26)
    data = lite.render(f"case:{CAED}", date(2013, 11, 20)).data
    assert b"DTSTART;TZID=America/Los_Angeles:20131202T163000\r\n" in data
    assert data.count(b"BEGIN:VTIMEZONE") == 1


def _item(**kw: Any) -> Item:
    base: dict[str, Any] = {
        "ref": "c/o/x", "uid": "u", "case": "c", "order": "o", "obligation": "x", "court": "caed",
        "party": "plaintiff", "summary": "s", "text": "t", "cite": "", "when": "14 days after order",
        "kind": "deadline", "state": "open", "due": date(2013, 11, 26), "due_at": None,
        "safe_due": None, "done_on": None, "readings": (), "warnings": (), "trace": (),
        "depends_on": (), "revision": 0, "changed_at": datetime(2013, 11, 12, tzinfo=UTC),
    }  # fmt: skip
    base.update(kw)
    return Item(**base)


def test_how_a_deadline_with_a_time_is_told_from_an_end_of_day() -> None:
    la = feeds.get_court("caed").zone
    eod = datetime(2013, 11, 26, 23, 59, tzinfo=la)
    assert not feeds.is_timed(_item())  # no due_at (state rule sets)
    assert not feeds.is_timed(_item(due_at=eod))  # FRCP 6(a)(4)(A) end of day
    assert not feeds.is_timed(_item(due_at=eod, when="on 2013-11-26"))
    assert feeds.is_timed(_item(due_at=eod, when="by 2013-11-26 23:59"))  # stated by the order
    assert feeds.is_timed(_item(due_at=eod, when="12 hours after 2013-11-26T11:59"))
    assert feeds.is_timed(_item(due_at=datetime(2013, 11, 26, 17, 0, tzinfo=la)))


def test_chained_duties_point_at_the_upstream_uid(lite: Where) -> None:
    lite.docket.done("return-documents", date(2013, 11, 26))
    cal = lite.feed(f"case:{CAED}", date(2013, 11, 27))
    events = by_obligation(cal, lite)
    upstream = lite.row("return-documents")["uid"] + "@docketcal"
    for name in ("bates-stamp", "serve-bates-copies", "update-document-index"):
        assert [r.uid for r in events[name].related_to] == [upstream]
    assert [r.uid for r in events["reply"].related_to] == [
        lite.row("emergency-response")["uid"] + "@docketcal"
    ]
    data = lite.render(f"case:{CAED}", date(2013, 11, 27)).data
    assert f"RELATED-TO;RELTYPE=FINISHTOSTART:{upstream}\r\n".encode() in data
    assert not events["produce-documents"].related_to


def test_the_description_has_the_words_the_rule_the_trace_and_the_safe_date(lite: Where) -> None:
    # Returned Fri Nov. 15: day 14 is the day after Thanksgiving, an arguable California holiday
    # (the order file's own check): due Mon Dec. 2, safe Fri Nov. 29.
    lite.docket.done("return-documents", date(2013, 11, 15))
    events = by_obligation(lite.feed(f"case:{CAED}", date(2013, 11, 20)), lite)
    bates = events["bates-stamp"]
    assert bates.dtstart == date(2013, 12, 2)
    d = bates.description
    assert d.startswith(
        "Within 14 days of his documents being returned to him, plaintiff shall have each of the"
        " returned documents Bates stamped."
    )
    assert "Cite: ¶ 4(a) (order caed-2013-11-12, case caed-2013-11-12)" in d
    assert "Rule: 14 days after return-documents" in d
    assert "Due: Mon 2013-12-02, by 23:59 PST for electronic filing" in d
    assert "Safe date: Fri 2013-11-29: the readings of the law differ" in d
    assert "How the date was computed:\n1. Fed. R. Civ. P. 6(a)" in d
    assert "Follows: caed-2013-11-12/caed-2013-11-12/return-documents" in d
    assert d.endswith("Ref: caed-2013-11-12/caed-2013-11-12/bates-stamp")


def test_a_party_feed_has_that_partys_duties_and_those_of_both(lite: Where) -> None:
    plaintiff = by_obligation(lite.feed(f"party:{CAED}:plaintiff", date(2013, 11, 20)), lite)
    assert set(plaintiff) == {"produce-documents", "confirm-in-writing", "emergency-response"}
    defendant = by_obligation(lite.feed(f"party:{CAED}:defendant", date(2013, 11, 20)), lite)
    assert set(defendant) == {"return-documents", "serve-privilege-log", "name-employees",
                              "status-report", "reply"}  # fmt: skip
    both = by_obligation(lite.feed(f"party:{NJD}:both", date(2013, 7, 3)), lite)
    assert set(both) == {"joint-letter"}


def test_a_person_sees_what_is_assigned_to_them_and_nothing_of_another_case(where: Where) -> None:
    d = where.docket
    d.add_person("Ann Lee", "ann@firm.example")
    d.add_person("Bo Chen", "bo@firm.example")
    d.add_person("Cy Diaz", "cy@firm.example")
    d.assign("ann@firm.example", CAED)  # the whole case
    d.assign("bo@firm.example", NJD, obligation="joint-letter")  # one duty of the other case
    d.assign("cy@firm.example", CAED, party="defendant")
    ann = where.render("person:ann@firm.example", date(2013, 7, 3))
    assert set(by_obligation(parse_everywhere(ann.data), where)) == ONE_FOURTEEN | {
        "status-report", "emergency-response", "reply"}  # fmt: skip
    assert b"njd" not in ann.data.lower() and b"joint letter" not in ann.data.lower()
    assert texts(ann.data, "X-WR-CALNAME") == ["Deadlines: Ann Lee"]
    bo = where.render("person:bo@firm.example", date(2013, 7, 3))
    assert set(by_obligation(parse_everywhere(bo.data), where)) == {"joint-letter"}
    assert CAED.encode() not in bo.data
    cy = by_obligation(where.feed("person:CY@firm.example", date(2013, 11, 20)), where)
    assert set(cy) == {"return-documents", "serve-privilege-log", "name-employees",
                       "status-report", "reply"}  # fmt: skip
    firm = by_obligation(where.feed("firm", date(2013, 7, 3)), where)
    assert set(firm) == set(by_obligation(parse_everywhere(ann.data), where)) | {"joint-letter"}


# -- a subscriber following changes ---------------------------------------------------------------


class Subscriber:
    """What a calendar client keeps of a subscribed feed: one event per UID, replaced by a fetch
    that carries it with a SEQUENCE not lower; an event gone from the feed is dropped. A
    change of date or status without a higher SEQUENCE is an error (clients may ignore it)."""

    def __init__(self) -> None:
        self.events: dict[str, Any] = {}

    def fetch(self, data: bytes) -> dict[str, Any]:
        cal = parse_everywhere(data)
        seen: set[str] = set()
        for e in cal.events:
            assert e.uid not in seen
            seen.add(e.uid)
            old = self.events.get(e.uid)
            if old is not None:
                assert e.sequence >= old.sequence, e.uid
                if (e.dtstart, e.dtend, e.status) != (old.dtstart, old.dtend, old.status):
                    assert e.sequence > old.sequence, f"{e.uid} changed without a new SEQUENCE"
            self.events[e.uid] = e
        for uid in set(self.events) - seen:
            del self.events[uid]
        return self.events


def test_a_subscriber_sees_an_extension_and_a_vacatur_as_updates_never_duplicates(
    where: Where,
) -> None:
    sub = Subscriber()
    scope, as_of = f"case:{CAED}", date(2013, 11, 20)
    first = dict(sub.fetch(where.render(scope, as_of).data))
    produce = where.row("produce-documents")["uid"] + "@docketcal"
    vacated = where.row("name-employees")["uid"] + "@docketcal"
    assert first[produce].dtstart == date(2013, 11, 26)

    where.docket.extend("produce-documents", to=date(2013, 12, 10), reason="stipulation")
    second = dict(sub.fetch(where.render(scope, as_of).data))
    assert set(second) == set(first)  # the same UIDs: no duplicate, nothing lost
    assert second[produce].sequence > first[produce].sequence
    assert (second[produce].dtstart, second[produce].dtend) == (
        date(2013, 12, 10),
        date(2013, 12, 11),
    )
    assert second[vacated].sequence == first[vacated].sequence  # untouched duties stay as they were

    where.docket.vacate("name-employees", reason="the request was withdrawn")
    third = dict(sub.fetch(where.render(scope, as_of).data))
    assert set(third) == set(first)
    assert third[vacated].status.value == "CANCELLED"
    assert third[vacated].sequence > second[vacated].sequence
    assert third[vacated].summary.startswith("VACATED: ")
    assert third[vacated].description.endswith(
        "VACATED: the court vacated it.\nRef: " + where.row("name-employees")["ref"]
    )
    assert third[produce].sequence == second[produce].sequence


# -- the windows ---------------------------------------------------------------------------------


def test_a_done_duty_stays_marked_done_for_its_window(lite: Where) -> None:
    before = lite.row("produce-documents")["revision"]
    lite.docket.done("produce-documents", date(2013, 11, 22))
    uid = lite.row("produce-documents")["uid"] + "@docketcal"

    def event(as_of: date, windows: Windows | None = None) -> Any:
        found = [e for e in lite.feed(f"case:{CAED}", as_of, windows).events if e.uid == uid]
        return found[0] if found else None

    kept = event(date(2013, 11, 25))
    assert kept.summary.startswith(f"DONE: {CAED} · Plaintiff:")
    assert kept.status.value == "CONFIRMED"  # met, not cancelled (Google hides CANCELLED)
    assert kept.sequence > before and "Done" in kept.categories
    assert event(date(2013, 12, 6)) is not None  # 14 days after the day it was done
    assert event(date(2013, 12, 7)) is None
    assert event(date(2013, 12, 7), Windows(done=30)) is not None
    assert event(date(2013, 11, 22), Windows(done=0)) is not None
    assert event(date(2013, 11, 23), Windows(done=0)) is None


def test_a_vacated_duty_stays_cancelled_for_its_window_from_the_day_it_changed(lite: Where) -> None:
    lite.docket.vacate("name-employees", reason="withdrawn")
    row = lite.row("name-employees")
    changed = row["changed_at"].date()
    uid = row["uid"] + "@docketcal"

    def status(as_of: date, windows: Windows | None = None) -> str | None:
        for e in lite.feed(f"case:{CAED}", as_of, windows).events:
            if e.uid == uid:
                return str(e.status.value)
        return None

    assert status(changed) == "CANCELLED"
    assert status(changed + timedelta(days=60)) == "CANCELLED"
    assert status(changed + timedelta(days=61)) is None
    assert status(changed + timedelta(days=6), Windows(vacated=5)) is None
    # the open duties are there whatever the day (overdue ones too)
    assert len(lite.feed(f"case:{CAED}", changed + timedelta(days=61)).events) == 7


def test_the_same_data_gives_the_same_bytes(where: Where) -> None:
    a = where.render(f"case:{CAED}", date(2013, 11, 20)).data
    b = where.render(f"case:{CAED}", date(2013, 11, 20)).data
    c = where.render(f"case:{CAED}", date(2013, 11, 21)).data  # no window boundary crossed
    assert a == b == c
    etag = where.render(f"case:{CAED}", date(2013, 11, 20)).etag
    assert etag == '"' + hashlib.sha256(a).hexdigest()[:40] + '"'  # strong, over the bytes


def test_a_feed_over_500_kb_says_what_to_narrow(lite: Where) -> None:
    conn = sqlite3.connect(lite.url.split("///", 1)[1])
    now = datetime(2013, 11, 1).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn.executemany(
        'INSERT INTO "case" (id, court, created_at) VALUES (?, ?, ?)',
        [(f"big-{c}", "caed", now) for c in range(3)],
    )
    rows = []
    for n in range(1500):
        case = f"big-{0 if n < 900 else 1 if n < 1300 else 2}"
        rows.append((
            f"{case}/o/d{n}", uuid.uuid4().hex, case, "o", f"d{n}", "caed", "plaintiff",
            "Within 14 days, plaintiff shall do a thing. " * 6, f"duty {n}", "¶ 1", "deadline",
            "14 days after order", "", "", 1, "open", "2014-01-06", None, "2014-01-06", None,
            None, "[]", "[]", "[]", "[]", "[]", "[]", "[]", 0, now,
        ))  # fmt: skip
    conn.executemany(
        "INSERT INTO obligation (ref, uid, case_id, order_id, obligation_id, court, party, text,"
        " summary, cite, kind, when_text, consequence, condition, active, state, due, due_at,"
        " safe_due, done_on, late_by, waiting_on, chain, readings, warnings, trace, amendments,"
        " depends_on, revision, changed_at) VALUES (" + ", ".join("?" * 30) + ")",
        rows,
    )
    conn.commit()
    conn.close()
    lite.docket.add_person("Dee Park", "dee@firm.example")
    for c in range(3):
        lite.docket.assign("dee@firm.example", f"big-{c}")
    person = lite.render("person:dee@firm.example", date(2013, 12, 1))
    assert len(person.data) > 500_000 and person.events == 1500
    (warning,) = person.warnings
    assert "Google Calendar drops feeds near 1 MB" in warning
    assert "subscribe per case instead" in warning and "big-0 (900 events)" in warning
    small = lite.render(f"case:{CAED}", date(2013, 11, 20))
    assert small.warnings == ()


# -- tokens --------------------------------------------------------------------------------------


def _everything(w: Where) -> str:
    """Every row of the tables a token could leak into, as text."""
    r = w.reader()
    try:
        return json.dumps(
            [r.query("SELECT * FROM feed_token"), r.query("SELECT * FROM history")], default=str
        )
    finally:
        r.close()


def test_a_token_is_kept_only_as_its_hash_and_derives_from_the_secret(where: Where) -> None:
    tokens = Tokens(where.db, "clerk@example.com")
    row, token = tokens.create(Scope.parse(f"case:{CAED}"), SECRET, label="Ann")
    assert store_feeds.TOKEN_SHAPE.fullmatch(token)  # 43 URL-safe characters, 256 bits
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in _everything(where)
    assert row.token_hash in _everything(where)
    assert derive_token(SECRET, row.id, row.created_at) == token
    assert derive_token(SECRET + "!", row.id, row.created_at) != token
    now = datetime.now(UTC)
    r = where.reader()
    try:
        found = store_feeds.lookup(r, token, now)
        assert found is not None and found.scope == f"case:{CAED}" and found.id == row.id
        assert store_feeds.lookup(r, token[:-1] + ("A" if token[-1] != "A" else "B"), now) is None
        assert store_feeds.find_token(r, f"https://x.example/feeds/{token}.ics").id == row.id
        assert store_feeds.find_token(r, str(row.id)).id == row.id
    finally:
        r.close()

    new, new_token = tokens.rotate(row.id, SECRET, grace=timedelta(days=7))
    assert new.scope == row.scope and new.label == "Ann" and new_token != token
    r = where.reader()
    try:
        assert store_feeds.lookup(r, token, now) is not None  # still live in its grace
        assert store_feeds.lookup(r, token, now + timedelta(days=8)) is None
        assert store_feeds.lookup(r, new_token, now) is not None
        old = store_feeds.find_token(r, str(row.id))
        assert old.replaced_by == new.id
    finally:
        r.close()
    tokens.revoke(new.id)
    r = where.reader()
    try:
        assert store_feeds.lookup(r, new_token, datetime.now(UTC) + timedelta(seconds=1)) is None
    finally:
        r.close()
    assert new_token not in _everything(where)
    assert "feed token created" in _everything(where)


def test_unknown_and_revoked_tokens_do_the_same_work(lite: Where) -> None:
    tokens = Tokens(lite.db)
    row, revoked = tokens.create(Scope.parse("firm"), SECRET)
    tokens.revoke(row.id)
    unknown = derive_token(SECRET, 999, row.created_at)
    r = lite.reader()
    calls: list[tuple[str, int]] = []
    real = r.query

    def spy(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        calls.append((sql, len(params)))
        return real(sql, params)

    r.query = spy  # type: ignore[method-assign]
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert store_feeds.lookup(r, revoked, later) is None
    revoked_calls, calls[:] = list(calls), []
    assert store_feeds.lookup(r, unknown, later) is None
    assert calls == revoked_calls  # the same statement, the same number of parameters
    # and about the same time (loose bound: a shared machine is noisy)
    times: dict[str, list[float]] = {"revoked": [], "unknown": []}
    for _ in range(400):
        for name, tok in (("revoked", revoked), ("unknown", unknown)):
            t0 = time.perf_counter()
            store_feeds.lookup(r, tok, later)
            times[name].append(time.perf_counter() - t0)
    a, b = statistics.median(times["revoked"]), statistics.median(times["unknown"])
    assert abs(a - b) < max(a, b) * 0.5, (a, b)
    r.close()


def test_secrets_must_be_long_enough() -> None:
    with pytest.raises(feeds.SecretError, match="no feed secret"):
        store_feeds.check_secret(None)
    with pytest.raises(feeds.SecretError, match="at least 32"):
        store_feeds.check_secret("short")
    assert len(store_feeds.new_secret()) >= 32


def test_scopes_are_parsed_and_checked(lite: Where) -> None:
    assert str(Scope.parse("party:a:b:plaintiff")) == "party:a:b:plaintiff"
    assert Scope.parse("party:a:b:plaintiff").case == "a:b"
    assert Scope.parse("PERSON:Ann@Firm.example").email == "ann@firm.example"
    for bad in ("case:", "party:x", "person:nobody", "firms", "everything"):
        with pytest.raises(feeds.FeedError, match="expected case:CASE"):
            Scope.parse(bad)
    r = lite.reader()
    try:
        with pytest.raises(feeds.FeedError, match="no case 'nope'"):
            store_feeds.check_scope(r, Scope.parse("case:nope"))
        with pytest.raises(feeds.FeedError, match="its parties: both, defendant, plaintiff"):
            store_feeds.check_scope(r, Scope.parse(f"party:{CAED}:court"))
        with pytest.raises(feeds.FeedError, match="no person"):
            store_feeds.check_scope(r, Scope.parse("person:zed@firm.example"))
        store_feeds.check_scope(r, Scope.parse(f"party:{CAED}:plaintiff"))
    finally:
        r.close()


# -- feed files ----------------------------------------------------------------------------------


def test_build_writes_each_live_tokens_file_once_and_removes_revoked_ones(
    lite: Where, tmp_path: Path
) -> None:
    out = tmp_path / "www" / "feeds"
    tokens = Tokens(lite.db)
    a, ta = tokens.create(Scope.parse(f"case:{CAED}"), SECRET)
    b, tb = tokens.create(Scope.parse(f"case:{CAED}"), SECRET)  # the same scope: one render
    c, tc = tokens.create(Scope.parse("firm"), SECRET)
    out.mkdir(parents=True)
    (out / "index.html").write_text("not ours")
    r = lite.reader()
    try:
        first = store_feeds.build(r, out, SECRET, date(2013, 11, 20))
        assert sorted(first.written) == sorted(f"{t}.ics" for t in (ta, tb, tc))
        assert len(first.feeds) == 2
        for t in (ta, tb, tc):
            parse_everywhere((out / f"{t}.ics").read_bytes())
        assert (out / f"{ta}.ics").read_bytes() == (out / f"{tb}.ics").read_bytes()
        assert oct((out / f"{ta}.ics").stat().st_mode & 0o777) == "0o644"
        stat = (out / f"{tc}.ics").stat()

        again = store_feeds.build(r, out, SECRET, date(2013, 11, 20))
        assert again.written == [] and len(again.unchanged) == 3
        assert (out / f"{tc}.ics").stat().st_mtime_ns == stat.st_mtime_ns
        assert (out / f"{tc}.ics").stat().st_ino == stat.st_ino

        lite.docket.extend("produce-documents", to=date(2013, 12, 10), reason="stipulation")
        tokens.revoke(b.id)
        third = store_feeds.build(r, out, SECRET, date(2013, 11, 20))
        assert sorted(third.written) == sorted([f"{ta}.ics", f"{tc}.ics"])
        assert third.removed == [f"{tb}.ics"] and not (out / f"{tb}.ics").exists()
        assert (out / "index.html").read_text() == "not ours"
        assert sorted(p.name for p in out.iterdir()) == sorted(
            ["index.html", f"{ta}.ics", f"{tc}.ics"]
        )  # no temporary file left

        other = store_feeds.build(r, out, "another-secret-" + "y" * 40, date(2013, 11, 20))
        assert sorted(other.foreign) == [a.id, c.id] and other.written == []
        assert "another feed secret" in other.warnings[-1]
    finally:
        r.close()


# -- answering HTTP requests (no socket) ---------------------------------------------------------


def test_the_publisher_answers_200_304_and_404(where: Where) -> None:
    tokens = Tokens(where.db)
    row, token = tokens.create(Scope.parse(f"case:{CAED}"), SECRET)
    gone, gone_token = tokens.create(Scope.parse(f"case:{CAED}"), SECRET)
    tokens.revoke(gone.id)
    recorded: list[tuple[int, str, int]] = []
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)  # after the revocation
    clock = [start]
    pub = Publisher(
        where.url,
        schema=where.schema,
        as_of=date(2013, 11, 20),
        record=lambda i, at, ua, n: recorded.append((i, ua, n)),
        now=lambda: clock[0],
    )
    path = f"/feeds/{token}.ics"
    before = datetime.now(UTC).replace(microsecond=0)
    ok = pub.answer(path, {"user-agent": "Google-Calendar-Importer", "accept": "text/html"})
    assert ok.status == 200
    h = dict(ok.headers)
    assert h["Content-Type"] == "text/calendar; charset=utf-8"
    assert h["ETag"] == '"' + hashlib.sha256(ok.body).hexdigest()[:40] + '"'
    # Last-Modified is the database's clock when the bytes were first stamped (whole seconds),
    # not the process's clock
    stamped = parsedate_to_datetime(h["Last-Modified"])
    assert before - timedelta(seconds=2) <= stamped <= datetime.now(UTC) + timedelta(seconds=2)
    assert int(h["Content-Length"]) == len(ok.body)
    parse_everywhere(ok.body)
    assert recorded == [(row.id, "Google-Calendar-Importer", 1)]

    def status(headers: dict[str, str]) -> int:
        return pub.answer(path, headers).status

    etag, modified = h["ETag"], h["Last-Modified"]
    assert status({"if-none-match": etag}) == 304
    assert status({"if-none-match": f'"x", W/{etag}'}) == 304
    assert status({"if-none-match": "*"}) == 304
    assert status({"if-none-match": '"other"'}) == 200
    assert status({"if-modified-since": modified}) == 304
    later = format_datetime(stamped + timedelta(hours=1), usegmt=True)
    earlier = format_datetime(stamped - timedelta(seconds=1), usegmt=True)
    assert status({"if-modified-since": later}) == 304
    assert status({"if-modified-since": earlier}) == 200
    assert status({"if-modified-since": "yesterday"}) == 200
    # If-None-Match takes precedence over If-Modified-Since
    assert status({"if-none-match": '"other"', "if-modified-since": later}) == 200
    not_modified = pub.answer(path, {"if-none-match": etag})
    assert not_modified.body == b"" and dict(not_modified.headers)["ETag"] == etag

    # a change on the docket shows at once (a new history row), with a later Last-Modified
    # even within the same second
    where.docket.extend("produce-documents", to=date(2013, 12, 10), reason="stipulation")
    changed = pub.answer(path, {"if-none-match": etag, "if-modified-since": modified})
    assert changed.status == 200 and dict(changed.headers)["ETag"] != etag
    assert parse_everywhere(changed.body).events
    assert parsedate_to_datetime(dict(changed.headers)["Last-Modified"]) > stamped
    assert pub.answer(path, {"if-modified-since": modified}).status == 200

    unknown = pub.answer(f"/feeds/{derive_token(SECRET, 999, row.created_at)}.ics", {})
    revoked = pub.answer(f"/feeds/{gone_token}.ics", {})
    assert unknown == revoked == web_feeds.NOT_FOUND
    assert pub.answer("/feeds/", {}).status == 404
    assert pub.answer(f"/other/{token}.ics", {}).status == 404
    assert pub.answer(f"{path}?x=1", {}).status == 200  # a query string is not part of the path
    pub.close()  # writes what was noted and not yet recorded
    assert sum(n for _, _, n in recorded) == 14  # every answer to the live token


def test_the_publisher_renders_once_per_change(lite: Where) -> None:
    tokens = Tokens(lite.db)
    _, token = tokens.create(Scope.parse("firm"), SECRET)
    renders: list[str] = []
    real = web_feeds.render

    def counting(*args: Any, **kw: Any) -> feeds.Rendered:
        renders.append(str(args[1]))
        return real(*args, **kw)

    pub = Publisher(lite.url, as_of=date(2013, 11, 20))
    try:
        web_feeds.render = counting  # type: ignore[assignment]
        parse_everywhere(pub.answer(f"/feeds/{token}.ics", {}).body)
        for _ in range(49):
            assert pub.answer(f"/feeds/{token}.ics", {}).status == 200
        assert renders == ["firm"]
        lite.docket.done("produce-documents", date(2013, 11, 22))
        assert pub.answer(f"/feeds/{token}.ics", {}).status == 200
        assert renders == ["firm", "firm"]
    finally:
        web_feeds.render = real  # type: ignore[assignment]
        pub.close()

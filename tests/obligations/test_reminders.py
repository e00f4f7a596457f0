"""Reminder planning and rendering (pure), and the outbox's compare-and-set transitions on SQLite
and PostgreSQL.

The planning rule under test (obligations/reminders.py): for an open, dated obligation and a
person responsible for it, with ``left`` days to go, the reminder due is the one for the
smallest lead time ``>= left`` (overdue: the notice of that day); larger lead times not sent are
recorded as skipped. The expected values below are worked out by hand from that rule, not by
running the code.
"""

from __future__ import annotations

import email
import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from obligations.reminders import (
    Assignee,
    Item,
    Leads,
    Schedule,
    compose,
    plan,
    render_html,
    render_text,
    when,
)
from obligations.store import outbox
from obligations.store.db import Database, upgrade

DUE = date(2024, 4, 1)  # a Monday
CASE = "acme-v-zenith"


def item(
    name: str = "produce",
    *,
    due: date | None = DUE,
    state: str = "open",
    party: str = "defendant",
    case: str = CASE,
    text: str = "Defendant shall produce all documents responsive to the requests.",
    summary: str = "",
    active: bool = True,
) -> Item:
    return Item(
        uid=f"uid-{case}-{name}",
        ref=f"{case}/order-1/{name}",
        case=case,
        party=party,
        text=text,
        state=state,
        due=due,
        summary=summary,
        cite="¶ 3",
        court="njd",
        active=active,
    )


ADA = Assignee("ada@firm.example", "Ada Clerk", CASE)
BO = Assignee("bo@firm.example", "Bo Lawyer", CASE, party="plaintiff")
LEADS = Leads()


def rows_of(items: list[Item], today: date, people: list[Assignee] | None = None, leads: Leads = LEADS) -> set[tuple[str, str, int, str]]:  # fmt: skip
    p = plan(items, people if people is not None else [ADA], leads, today)
    return {(r.ref.rsplit("/", 1)[1], r.recipient, r.lead, r.status) for r in p.rows}


def current_leads(today: date, leads: Leads = LEADS) -> list[int]:
    p = plan([item()], [ADA], leads, today)
    return sorted(r.lead for r in p.current.values())


# -- lead times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "lead", "skipped"),
    [
        (15, None, []),  # before the first lead time: nothing
        (14, 14, []),
        (10, 14, []),  # the 14-day reminder was missed: it is still the most recent one due
        (7, 7, [14]),
        (5, 7, [14]),
        (3, 3, [14, 7]),
        (2, 3, [14, 7]),
        (1, 1, [14, 7, 3]),
        (0, 0, [14, 7, 3, 1]),
        (-1, -1, [14, 7, 3, 1, 0]),  # overdue: the notice of that day
        (-30, -30, [14, 7, 3, 1, 0]),
    ],
)
def test_the_reminder_due_is_the_most_recent_lead_time_that_has_come(
    left: int, lead: int | None, skipped: list[int]
) -> None:
    today = DUE - timedelta(days=left)
    p = plan([item()], [ADA], LEADS, today)
    pending = [r for r in p.rows if r.status == "pending"]
    assert [r.lead for r in pending] == ([] if lead is None else [lead])
    assert sorted((r.lead for r in p.rows if r.status == "skipped"), reverse=True) == skipped
    for r in p.rows:
        assert r.due == DUE and r.recipient == "ada@firm.example"
        assert r.send_on == DUE - timedelta(days=r.lead)
        assert r.send_on <= today
    if lead is not None and lead < 0:
        assert pending[0].send_on == today


def test_overdue_notices_are_daily_and_never_skipped_backwards() -> None:
    """A run on the fifth day overdue sends that day's notice; the days it missed are not
    recorded (the notice says how late it is)."""
    rows = rows_of([item()], DUE + timedelta(days=5))
    assert {r for r in rows if r[3] == "pending"} == {
        ("produce", "ada@firm.example", -5, "pending")
    }
    assert not any(r[2] < 0 and r[3] == "skipped" for r in rows)


def test_a_person_s_own_lead_times_and_overdue_off() -> None:
    leads = Leads(
        Schedule((14, 7, 3, 1, 0)),
        {"bo@firm.example": Schedule((2,), overdue=False)},
    )
    bo = Assignee("bo@firm.example", "Bo", CASE)  # the whole case
    on = {
        left: sorted(
            (r.recipient, r.lead)
            for r in plan([item()], [ADA, bo], leads, DUE - timedelta(days=left)).current.values()
        )
        for left in (7, 2, 0, -1)
    }
    assert on[7] == [("ada@firm.example", 7)]  # Bo's first is 2 days before
    assert on[2] == [("ada@firm.example", 3), ("bo@firm.example", 2)]
    assert on[0] == [("ada@firm.example", 0), ("bo@firm.example", 2)]  # catch-up, never a 0
    assert on[-1] == [("ada@firm.example", -1)]  # Bo has no overdue notices
    assert leads.horizon == 14


def test_lead_times_are_checked_and_sorted() -> None:
    assert Schedule((0, 7, 14, 7)).leads == (14, 7, 0)
    with pytest.raises(ValueError, match="0 to 366"):
        Schedule((-1,))
    with pytest.raises(ValueError, match="nothing would ever be sent"):
        Schedule((), overdue=False)
    assert Schedule((), overdue=True).current(0) is None
    assert Schedule((), overdue=True).current(-2) == -2


# -- which duties, which people -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "due", "active"),
    [
        ("done", DUE, True),
        ("vacated", DUE, True),
        ("standing", None, True),
        ("waiting", None, True),
        ("open", None, True),
        ("open", DUE, False),  # no longer in the current version of its order
    ],
)
def test_no_reminder_for_a_duty_that_is_not_open_and_dated(
    state: str, due: date | None, active: bool
) -> None:
    p = plan([item(state=state, due=due, active=active)], [ADA], LEADS, DUE)
    assert p.rows == [] and p.current == {}


def test_who_is_told_case_party_or_one_obligation_each_once() -> None:
    items = [
        item("produce", party="defendant"),
        item("respond", party="plaintiff"),
        item("other-case", case="other-v-other", party="plaintiff"),
    ]
    people = [
        ADA,  # the whole case
        Assignee("ada@firm.example", "Ada Clerk", CASE, party="defendant"),  # again: told once
        BO,  # the plaintiff's duties in the case
        Assignee("cy@firm.example", "Cy", CASE, obligation_ref=f"{CASE}/order-1/produce"),
        Assignee("DEE@Firm.Example", "Dee", "other-v-other"),  # e-mails compared in lower case
    ]
    got = {
        (r.ref.rsplit("/", 1)[1], r.recipient)
        for r in plan(items, people, LEADS, DUE).current.values()
    }
    assert got == {
        ("produce", "ada@firm.example"),
        ("respond", "ada@firm.example"),
        ("respond", "bo@firm.example"),
        ("produce", "cy@firm.example"),
        ("other-case", "dee@firm.example"),
    }


def test_nobody_assigned_nobody_told() -> None:
    assert plan([item()], [], LEADS, DUE).rows == []


def test_a_moved_due_date_is_a_new_key_and_the_old_reminders_are_explained() -> None:
    before = plan([item(due=DUE)], [ADA], LEADS, DUE - timedelta(days=7))
    (old,) = before.current
    moved = DUE + timedelta(days=7)
    after = plan([item(due=moved)], [ADA], LEADS, DUE - timedelta(days=7))
    (new,) = after.current
    assert old[3] == DUE and new[3] == moved and old != new
    assert after.why_not(old) == "not sent: the due date moved from 2024-04-01"
    done = plan([item(state="done")], [ADA], LEADS, DUE)
    assert "no longer open" in done.why_not(old)
    later = plan([item()], [ADA], LEADS, DUE - timedelta(days=3))
    assert "more recent reminder" in later.why_not(old)
    nobody = plan([item()], [], LEADS, DUE - timedelta(days=7))
    assert "no reminder of it is due for ada@firm.example" in nobody.why_not(old)


# -- catch-up, as a property over any pattern of runs ----------------------------------------------


def simulate(
    run_days: list[int], leads: tuple[int, ...] = (14, 7, 3, 1, 0)
) -> dict[int, list[int]]:
    """Runs on the given days (relative to the due date) against an outbox kept as a dict, the
    way ``docketcal remind`` uses it: insert if absent, skip what is not current, send the
    current. Returns the leads sent on each run day."""
    box: dict[tuple[str, str, int, date], str] = {}
    sent: dict[int, list[int]] = {}
    for d in run_days:
        p = plan([item()], [ADA], Leads(Schedule(leads)), DUE + timedelta(days=d))
        for r in p.rows:
            box.setdefault(r.key, r.status)
        for key, status in list(box.items()):
            if status in ("pending", "failed") and key not in p.current:
                box[key] = "skipped"
        for key in p.current:
            if box[key] == "pending":
                box[key] = "sent"
                sent.setdefault(d, []).append(key[2])
    return sent


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=-20, max_value=5), unique=True).map(sorted))
def test_any_pattern_of_runs_sends_each_lead_at_most_once_most_recent_first(
    days: list[int],
) -> None:
    sent = simulate(days)
    flat = [lead for d in sorted(sent) for lead in sent[d]]
    assert all(len(v) == 1 for v in sent.values())  # at most one per run day
    assert flat == sorted(set(flat), reverse=True)  # never twice, never an older one later
    for d in days:
        left = -d
        due_now = Schedule().current(left)
        if due_now is None:
            assert d not in sent
        elif d in sent:
            assert sent[d] == [due_now]  # what is sent is the most recent lead time come due
    # every run on a day past a lead time it had not yet sent sends something
    for d in days:
        if d >= -14 and d not in sent:
            lead = Schedule().current(-d)
            assert lead is not None and lead in flat  # already sent on an earlier run


def test_daily_runs_send_every_lead_time_once_and_skip_none() -> None:
    sent = simulate(list(range(-20, 4)))
    assert sent == {-14: [14], -7: [7], -3: [3], -1: [1], 0: [0], 1: [-1], 2: [-2], 3: [-3]}


def test_a_missed_week_catches_up_with_the_latest_lead_only() -> None:
    sent = simulate([-14, -2, 2])
    assert sent == {-14: [14], -2: [3], 2: [-2]}


# -- digests and rendering -------------------------------------------------------------------------


def test_one_digest_per_person_most_urgent_first_and_its_subject() -> None:
    items = [
        item("produce", due=DUE, summary="produce documents"),
        item("respond", due=DUE + timedelta(days=1), party="plaintiff"),
        item("late", due=DUE - timedelta(days=2), summary="serve the log"),
    ]
    p = plan(items, [ADA, BO], LEADS, DUE)
    digests = p.digests()
    assert [d.recipient for d in digests] == ["ada@firm.example", "bo@firm.example"]
    ada = digests[0]
    assert [e.item.ref.rsplit("/", 1)[1] for e in ada.entries] == ["late", "produce", "respond"]
    assert [e.left for e in ada.entries] == [-2, 0, 1]
    assert ada.subject() == f"Overdue 2 days: serve the log ({CASE}); 2 more"
    bo = digests[1]
    assert bo.subject() == (
        f"Due tomorrow: Defendant shall produce all documents responsive to the requests. ({CASE})"
    )
    only_today = plan([items[0]], [ADA], LEADS, DUE).digests()[0]
    assert only_today.subject() == f"Due today: produce documents ({CASE})"
    assert [when(n) for n in (-1, 0, 1, 7)] == [
        "Overdue 1 day",
        "Due today",
        "Due tomorrow",
        "Due in 7 days",
    ]


HOSTILE = (
    'Defendant shall <script>alert("x")</script> produce <b>all</b> documents & "things".\n'
    "Second paragraph: <img src=x onerror=alert(1)>"
)


def test_text_and_html_carry_every_fact_and_the_html_escapes_the_order() -> None:
    it = item(text=HOSTILE, summary="produce <documents>\nnow")
    d = plan([it], [ADA], LEADS, DUE - timedelta(days=3)).digests()[0]
    body = render_text(d)
    for needed in (
        "Ada Clerk,",
        CASE,
        "defendant",
        "Mon 2024-04-01",
        "3 days left",
        "(¶ 3)",
        "Second paragraph",
        f"docketcal explain {CASE}/order-1/produce",
        "DUE IN 3 DAYS",
    ):
        assert needed in body, needed
    page = render_html(d)
    assert "<script>" not in page and "<img" not in page and "<b>all" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "produce &lt;documents&gt; now" in page
    assert f"docketcal explain {CASE}/order-1/produce" in page
    assert "Mon 2024-04-01" in page and "3 days left" in page and "¶ 3" in page


def test_a_timed_deadline_shows_the_court_s_time() -> None:
    it = Item(
        uid="u1", ref=f"{CASE}/o/timed", case=CASE, party="defendant", text="File it.",
        state="open", due=DUE, court="njd", due_at=datetime(2024, 4, 2, 3, 59, tzinfo=UTC),
    )  # fmt: skip
    body = render_text(plan([it], [ADA], LEADS, DUE).digests()[0])
    assert "Mon 2024-04-01, by 23:59 EDT" in body


def test_compose_makes_a_multipart_alternative_message_with_safe_headers() -> None:
    it = item(
        text=HOSTILE + "\r\n. a dot\r\n=3D and -- " + "long " * 40,
        summary="produce\r\nBcc: victim@example.com ¶",
    )
    d = plan([it], [ADA], LEADS, DUE).digests()[0]
    sent_at = datetime(2024, 4, 1, 7, 0, tzinfo=UTC)
    out = compose(d, "Dócket <docket@firm.example>", "<abc@firm.example>", sent_at)
    assert out.sender == "docket@firm.example" and out.recipient == "ada@firm.example"
    assert out.data.isascii() and b"\r\n" in out.data and b"\r\r" not in out.data
    assert max(len(line) for line in out.data.split(b"\r\n")) <= 78
    assert all(line.endswith(b"\r") for line in out.data.split(b"\n")[:-1])
    parsed = email.message_from_bytes(out.data, policy=default_policy)
    assert isinstance(parsed, EmailMessage) and not parsed.defects
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["Message-ID"] == "<abc@firm.example>"
    assert parsed["To"] == "Ada Clerk <ada@firm.example>"
    assert parsed["From"] == "Dócket <docket@firm.example>"
    assert parsed["Date"].datetime == sent_at
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == f"Due today: produce Bcc: victim@example.com ¶ ({CASE})"
    assert parsed["Auto-Submitted"] == "auto-generated"
    plain, page = (p.get_content().replace("\r\n", "\n") for p in parsed.iter_parts())
    assert plain == render_text(d) and page == render_html(d)


def test_a_long_ascii_subject_is_folded_and_reads_back_whole() -> None:
    it = item(summary="word " * 40)
    d = plan([it], [ADA], LEADS, DUE).digests()[0]
    out = compose(d, "docket@firm.example", "<a@b>", datetime(2024, 4, 1, tzinfo=UTC))
    assert max(len(line) for line in out.data.split(b"\r\n")) <= 78
    parsed = email.message_from_bytes(out.data, policy=default_policy)
    assert parsed["Subject"] == d.subject() and parsed["From"] == "docket@firm.example"


# -- the outbox on SQLite and PostgreSQL -----------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outbox") / "docket.db"
    db = Database(f"sqlite:///{path}")
    try:
        upgrade(db.writer)
    finally:
        db.dispose()
    return path


@pytest.fixture(scope="module")
def pg_schema(postgres_url: str) -> Iterator[tuple[str, str]]:
    url = postgres_url
    schema = f"docketcal_outbox_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(url, schema=schema)
    try:
        upgrade(db.writer)
        db.dispose()
        yield url, schema
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "docket.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
    else:
        url, schema = request.getfixturevalue("pg_schema")
        database = Database(url, schema=schema)
        with database.engine.begin() as conn:
            conn.execute(text("TRUNCATE reminder RESTART IDENTITY"))
    try:
        yield database
    finally:
        database.dispose()


def planned(today: date) -> list[outbox.Reminder]:
    return plan([item("produce"), item("respond", party="plaintiff")], [ADA, BO], LEADS, today).rows


def statuses(db: Database) -> dict[tuple[str, int], str]:
    with db.engine.connect() as conn:
        return {
            (f"{r[0].rsplit('/', 1)[1]}:{r[1]}", int(r[2])): str(r[3])
            for r in conn.execute(text("SELECT ref, recipient, lead, status FROM reminder"))
        }


def test_recording_a_plan_twice_makes_each_row_once(db: Database) -> None:
    rows = planned(DUE - timedelta(days=3))  # 3 pending, each with 14 and 7 skipped
    assert len(rows) == 9
    assert outbox.record(db, rows) == 9
    assert outbox.record(db, rows) == 0
    assert outbox.record(db, planned(DUE - timedelta(days=2))) == 0  # the same keys again
    assert outbox.record(db, planned(DUE - timedelta(days=1))) == 3  # lead 1, per person
    assert len(statuses(db)) == 12


def test_a_claim_is_compare_and_set_and_keeps_its_message_id(db: Database) -> None:
    outbox.record(db, planned(DUE))
    stale = outbox.stale_before(timedelta(minutes=15))
    rows = outbox.waiting(db, DUE, stale)
    ids = [r.id for r in rows]
    assert len(ids) == 3
    first = outbox.claim(db, [(rows, "<a@x>")], "run-a", stale)
    assert sorted(r.id for r in first) == sorted(ids)
    assert {r.message_id for r in first} == {"<a@x>"} and {r.status for r in first} == {"sending"}
    assert outbox.claim(db, [(rows, "<b@x>")], "run-b", stale) == []  # taken: nothing for run b
    assert outbox.waiting(db, DUE, stale) == []
    # a failure that may have been delivered keeps its Message-ID; the retry reuses it
    assert outbox.failed(db, ids[:1], "run-a", "connection lost", keep_id=True) == 1
    assert outbox.failed(db, ids[1:2], "run-a", "550 no such user", keep_id=False) == 1
    assert outbox.sent(db, ids[2:], "run-a") == 1
    assert outbox.sent(db, ids[2:], "run-b") == 0  # only the holder records
    again = {r.id: r for r in outbox.claim(db, [(rows, "<c@x>")], "run-c", stale)}
    assert set(again) == set(ids[:2])
    assert again[ids[0]].message_id == "<a@x>" and again[ids[0]].attempts == 2
    assert again[ids[1]].message_id == "<c@x>"
    assert again[ids[0]].last_error == "connection lost"


def test_one_claim_for_several_e_mails_each_with_its_message_id(db: Database) -> None:
    outbox.record(db, planned(DUE))
    stale = outbox.stale_before(timedelta(minutes=15))
    rows = outbox.waiting(db, DUE, stale)
    ada_rows = [r for r in rows if r.recipient == "ada@firm.example"]
    bo_rows = [r for r in rows if r.recipient == "bo@firm.example"]
    ada, bo = [r.id for r in ada_rows], [r.id for r in bo_rows]
    assert len(ada) == 2 and len(bo) == 1
    assert len(outbox.claim(db, [(bo_rows, "<x@x>")], "run-x", stale)) == 1  # run x was quicker
    held = outbox.claim(
        db, [(ada_rows, "<ada@x>"), (bo_rows, "<bo@x>"), ([], "<none@x>")], "run-a", stale
    )
    assert {(r.status, r.attempts) for r in held} == {("sending", 1)}
    assert sorted((r.recipient, r.message_id) for r in held) == [
        ("ada@firm.example", "<ada@x>"),
        ("ada@firm.example", "<ada@x>"),
    ]
    assert outbox.finish(db, "run-a", sent=ada[:1], failed=[(ada[1:], "timed out", True)]) == 2
    assert outbox.finish(db, "run-a", sent=bo) == 0  # not its row
    assert outbox.finish(db, "run-a") == 0
    assert outbox.finish(db, "run-x", released=bo) == 1  # run x was interrupted: let go
    (again,) = outbox.claim(db, [(bo_rows, "<bo2@x>")], "run-b", stale)
    assert again.message_id == "<x@x>" and again.attempts == 2  # the id chosen stays
    assert sorted(s for (_, lead), s in statuses(db).items() if lead == 0) == [
        "failed",
        "sending",
        "sent",
    ]


def test_rows_left_sending_are_taken_over_only_after_the_lease(db: Database) -> None:
    outbox.record(db, planned(DUE))
    lease = timedelta(minutes=15)
    rows = outbox.waiting(db, DUE, outbox.stale_before(lease))
    ids = [r.id for r in rows]
    assert outbox.claim(db, [(rows, "<dead@x>")], "dead-run", outbox.stale_before(lease))
    assert outbox.waiting(db, DUE, outbox.stale_before(lease)) == []  # still leased
    assert outbox.claim(db, [(rows, "<b@x>")], "run-b", outbox.stale_before(lease)) == []
    later = datetime.now(UTC) + timedelta(seconds=1)  # as if the lease had run out
    stale_rows = outbox.waiting(db, DUE, later)
    assert sorted(r.id for r in stale_rows) == sorted(ids)
    taken = outbox.claim(db, [(stale_rows, "<b@x>")], "run-b", later)
    assert {r.message_id for r in taken} == {"<dead@x>"}  # the resend keeps the Message-ID
    assert outbox.sent(db, ids, "dead-run") == 0  # the first run no longer holds them


def test_skip_marks_waiting_rows_with_a_reason_but_not_rows_in_hand(db: Database) -> None:
    outbox.record(db, planned(DUE - timedelta(days=3)))
    stale = outbox.stale_before(timedelta(minutes=15))
    rows = outbox.waiting(db, DUE, stale)
    held = outbox.claim(db, [(rows[:1], "<a@x>")], "run-a", stale)
    assert len(held) == 1
    done = outbox.skip(db, {r.id: "not sent: the due date moved" for r in rows}, stale)
    assert done == len(rows) - 1
    left = statuses(db)
    assert sorted(left.values()).count("sending") == 1
    with db.engine.connect() as conn:
        reasons = {
            str(r[0])
            for r in conn.execute(text("SELECT last_error FROM reminder WHERE status = 'skipped'"))
        }
    assert reasons == {
        "not sent: the due date moved",
        "not sent: its day had passed when it was planned",
    }


def test_a_failed_connection_is_recorded_without_a_claim(db: Database) -> None:
    outbox.record(db, planned(DUE))
    stale = outbox.stale_before(timedelta(minutes=15))
    ids = [r.id for r in outbox.waiting(db, DUE, stale)]
    assert outbox.unsent(db, ids, "cannot connect") == 3
    rows = outbox.waiting(db, DUE, stale)
    assert {(r.status, r.attempts, r.last_error) for r in rows} == {("failed", 1, "cannot connect")}
    counts = outbox.counts(db)
    assert counts["failed"] == 3 and counts["skipped"] == 12
    assert [r.status for r in outbox.recent(db, 10)] == ["failed"] * 3
    assert outbox.counts(db, "nobody@firm.example") == dict.fromkeys(counts, 0)


def test_the_message_id_is_in_the_sender_s_domain() -> None:
    from obligations.mailer import MailSettingsError, SmtpSettings

    s = SmtpSettings("localhost", 25, "none", "Docket <docket@firm.example>")
    assert re.fullmatch(r"<[^@<>]+@firm\.example>", s.message_id())
    assert s.message_id() != s.message_id()
    with pytest.raises(MailSettingsError, match="smtp_security"):
        SmtpSettings("localhost", 25, "ssl", "docket@firm.example")
    with pytest.raises(MailSettingsError, match="no password"):
        SmtpSettings("localhost", 25, "none", "docket@firm.example", user="u")
    assert "secret" not in repr(
        SmtpSettings("h", 25, "none", "docket@firm.example", user="u", password="secret")
    )

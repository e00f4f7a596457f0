"""``docketcal remind`` against a real SMTP server on loopback (aiosmtpd, on a free port chosen
here: ``port=0`` does not work with its Controller).

Every message received is parsed with the ``email`` package. Dates are fixed with ``--as-of``;
the docket is a small order with dated duties (due Mon 2024-04-01 and Wed 2024-04-03), one
waiting on an event and one standing duty. Ada is responsible for the whole case, Bo for the
plaintiff's duties, Cy for one obligation.

The concurrency and crash tests run the installed ``docketcal`` as separate processes, on a
SQLite file and on PostgreSQL (``DOCKETCAL_TEST_POSTGRES``; a schema of their own, passed to
the command line as ``?options=-csearch_path%3D...`` in the URL).
"""

from __future__ import annotations

import email
import gc
import json
import os
import shutil
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app, hoist
from cli.remind import plan_today

from .conftest import CASE, ORDER, Inbox, Where, free_port, refs, told

runner = CliRunner()
REF = f"{CASE}/order-1/"
EXE = Path(sys.executable).parent / "docketcal"
#: The reminders due on Mon 2024-04-01: produce (due that day) and respond (due in 2 days: 3).
DUE_ON_04_01 = {("produce", 0), ("respond", 3)}


# -- the mail received ----------------------------------------------------------------------------


def parts(msg: EmailMessage) -> tuple[str, str]:
    plain = msg.get_body(("plain",))
    page = msg.get_body(("html",))
    assert plain is not None and page is not None
    return str(plain.get_content()), str(page.get_content())  # type: ignore[attr-defined]


def by_person(messages: list[EmailMessage]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in messages:
        address = email.utils.parseaddr(str(m["To"]))[1]
        out.setdefault(address, []).extend(r.rsplit("/", 1)[1] for r in refs(m))
    return {k: sorted(v) for k, v in out.items()}


# -- the docket and the command --------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, inbox: Inbox) -> dict[str, str]:
    return {
        "DOCKETCAL_SMTP_HOST": "127.0.0.1",
        "DOCKETCAL_SMTP_PORT": str(inbox.port),
        "DOCKETCAL_SMTP_SECURITY": "none",
        "DOCKETCAL_MAIL_FROM": "Docket <docket@firm.example>",
        "DOCKETCAL_CONFIG": str(tmp_path / "config.toml"),
        "DOCKETCAL_USER": "clerk",
        "NO_COLOR": "1",
    }


Run = Callable[..., tuple[int, Any, str]]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "docket.db")


@pytest.fixture
def cli(db: str, env: dict[str, str]) -> Run:
    return command(db, env)


def command(db: str, env: dict[str, str]) -> Run:
    """``cli(*args, as_of=..., fmt="json", env={...})`` in this process, on the docket ``db``
    (a SQLite file or a URL): exit code, parsed JSON (or the text) and stderr."""

    def invoke(
        *args: str, as_of: str | None = None, fmt: str = "json", extra: dict[str, str] | None = None
    ) -> tuple[int, Any, str]:
        argv = [*args, "--db", db, "--format", fmt]
        if as_of:
            argv += ["--as-of", as_of]
        environment = {**env, **(extra or {})}
        result = runner.invoke(app, hoist(argv), env=environment)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        out = result.stdout
        body = json.loads(out) if fmt == "json" and out.strip() else out
        return result.exit_code, body, result.stderr

    return invoke


@pytest.fixture
def docket(cli: Run, tmp_path: Path) -> Run:
    return fill(cli, tmp_path)


def fill(cli: Run, tmp_path: Path) -> Run:
    """The order above, and Ada (every duty), Bo (the plaintiff's) and Cy (``produce``)."""
    order = tmp_path / "order.toml"
    order.write_text(ORDER, encoding="utf-8")
    for args in (
        ("order", "load", str(order)),
        ("person", "add", "--name", "Ada Clerk", "--email", "ada@firm.example", "--role", "clerk"),
        ("person", "add", "--name", "Bo Lawyer", "--email", "bo@firm.example"),
        ("person", "add", "--name", "Cy Paralegal", "--email", "cy@firm.example"),
        ("assign", "ada@firm.example", CASE),
        ("assign", "bo@firm.example", CASE, "--party", "plaintiff"),
        ("assign", "cy@firm.example", CASE, "--obligation", "produce"),
    ):
        code, _, err = cli(*args)
        assert code == 0, (args, err)
    return cli


def rows(db: str) -> list[tuple[str, str, int, str, str, str]]:
    """(obligation, recipient, lead, due, status, message_id), read with sqlite3."""
    with sqlite3.connect(db) as conn:
        return [
            (r[0].rsplit("/", 1)[1], r[1], r[2], r[3], r[4], r[5])
            for r in conn.execute(
                "SELECT ref, recipient, lead, due, status, message_id FROM reminder ORDER BY id"
            )
        ]


def days(start: str, end: str) -> list[str]:
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return [(a + timedelta(days=n)).isoformat() for n in range((b - a).days + 1)]


# -- contents --------------------------------------------------------------------------------------


def test_one_digest_per_person_in_text_and_html(docket: Run, inbox: Inbox, db: str) -> None:
    code, out, err = docket("remind", as_of="2024-04-01")
    assert code == 0, err
    assert out["sent"] == 3 and out["failed"] == 0
    messages = inbox.take()
    assert sorted(r for m in messages for r in email.utils.getaddresses([str(m["To"])])) == [
        ("Ada Clerk", "ada@firm.example"),
        ("Bo Lawyer", "bo@firm.example"),
        ("Cy Paralegal", "cy@firm.example"),
    ]
    assert by_person(messages) == {
        "ada@firm.example": ["produce", "respond"],
        "bo@firm.example": ["respond"],
        "cy@firm.example": ["produce"],
    }
    ada = next(m for m in messages if "ada@" in str(m["To"]))
    assert ada.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in ada.iter_parts()] == ["text/plain", "text/html"]
    assert ada["Subject"] == f"Due today: produce documents ({CASE}); 1 more"
    assert ada["From"] == "Docket <docket@firm.example>"
    assert ada["Date"] and ada["Auto-Submitted"] == "auto-generated"
    subjects = {str(m["To"]).split("<")[1].rstrip(">"): str(m["Subject"]) for m in messages}
    assert subjects["bo@firm.example"] == f"Due in 2 days: respond to the interrogatories ({CASE})"
    text, page = parts(ada)
    assert text.index("produce documents") < text.index("respond to the interrogatories")
    for needed in (
        "Ada Clerk,",
        "DUE TODAY: produce documents",
        f"Case:  {CASE}",
        "Party: defendant",
        "Due:   Mon 2024-04-01",
        "(today)",
        "DUE IN 2 DAYS: respond to the interrogatories",
        "Due:   Wed 2024-04-03",
        "(2 days left)",
        "The order (¶ 3):",
        "Plaintiff shall respond to the interrogatories.",
        f"docketcal explain {REF}produce",
        f"docketcal explain {REF}respond",
    ):
        assert needed in text, needed
    assert 'Defendant shall <script>alert("x")</script> produce' in text  # the order's words
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&amp; &quot;things&quot;" in page
    assert f"docketcal explain {REF}produce" in page and "Mon 2024-04-01" in page
    # the Message-ID sent is the one recorded before sending, for each of Ada's rows
    recorded = {(r[0], r[1]): r[5] for r in rows(db) if r[4] == "sent"}
    assert recorded[("produce", "ada@firm.example")] == ada["Message-ID"]
    assert recorded[("respond", "ada@firm.example")] == ada["Message-ID"]
    assert len({m["Message-ID"] for m in messages}) == 3
    assert {e["message_id"] for e in out["emails"]} == {str(m["Message-ID"]) for m in messages}
    # the hourly run sends nothing more
    code, again, _ = docket("remind", as_of="2024-04-01")
    assert code == 0 and again["sent"] == 0 and inbox.take() == []


def test_lead_times_day_by_day_then_daily_while_overdue(docket: Run, inbox: Inbox, db: str) -> None:
    got: dict[str, dict[str, list[str]]] = {}
    for day in days("2024-03-15", "2024-04-05"):
        code, _, err = docket("remind", as_of=day)
        assert code == 0, err
        messages = inbox.take()
        assert len(messages) == len({str(m["To"]) for m in messages})  # one e-mail a person
        if messages:
            got[day] = by_person(messages)
    ada = {
        day: people["ada@firm.example"]
        for day, people in got.items()
        if "ada@firm.example" in people
    }
    assert ada == {
        "2024-03-18": ["produce"],  # 14 days before Mon 2024-04-01
        "2024-03-20": ["respond"],  # 14 days before Wed 2024-04-03
        "2024-03-25": ["produce"],  # 7
        "2024-03-27": ["respond"],
        "2024-03-29": ["produce"],  # 3
        "2024-03-31": ["produce", "respond"],  # 1 and 3: one e-mail
        "2024-04-01": ["produce"],  # 0
        "2024-04-02": ["produce", "respond"],  # overdue 1 day, and 1
        "2024-04-03": ["produce", "respond"],  # overdue 2 days, and 0
        "2024-04-04": ["produce", "respond"],
        "2024-04-05": ["produce", "respond"],
    }
    sent = sorted((r[0], r[2]) for r in rows(db) if r[1] == "ada@firm.example")
    assert sent == sorted(
        [("produce", n) for n in (14, 7, 3, 1, 0, -1, -2, -3, -4)]
        + [("respond", n) for n in (14, 7, 3, 1, 0, -1, -2)]
    )
    assert {r[4] for r in rows(db)} == {"sent"}  # daily runs: nothing skipped


def test_a_missed_run_catches_up_with_the_latest_lead_time_only(
    docket: Run, inbox: Inbox, db: str
) -> None:
    assert docket("remind", as_of="2024-03-18")[0] == 0
    assert by_person(inbox.take()) == {
        "ada@firm.example": ["produce"],
        "cy@firm.example": ["produce"],
    }
    # the machine was off until Saturday 2024-03-30
    assert docket("remind", as_of="2024-03-30")[0] == 0
    messages = inbox.take()
    ada = next(m for m in messages if "ada@" in str(m["To"]))
    assert ada["Subject"] == f"Due in 2 days: produce documents ({CASE}); 1 more"
    assert by_person(messages)["ada@firm.example"] == ["produce", "respond"]
    assert docket("remind", as_of="2024-04-03")[0] == 0
    messages = inbox.take()
    ada = next(m for m in messages if "ada@" in str(m["To"]))
    assert ada["Subject"] == f"Overdue 2 days: produce documents ({CASE}); 1 more"
    mine = {(r[0], r[2]): r[4] for r in rows(db) if r[1] == "ada@firm.example"}
    assert mine == {
        ("produce", 14): "sent",
        ("produce", 7): "skipped",
        ("produce", 3): "sent",  # on the 30th, with 2 days left
        ("produce", 1): "skipped",
        ("produce", 0): "skipped",
        ("produce", -2): "sent",  # the overdue notice of that day
        ("respond", 14): "skipped",
        ("respond", 7): "sent",  # on the 30th, with 4 days left
        ("respond", 3): "skipped",
        ("respond", 1): "skipped",
        ("respond", 0): "sent",
    }


def test_done_and_vacated_duties_get_no_more_reminders(docket: Run, inbox: Inbox, db: str) -> None:
    assert docket("remind", as_of="2024-03-29")[0] == 0
    assert len(inbox.take()) == 3
    # the next morning's sends fail (the server says try later) ...
    inbox.replies = ["451 4.3.0 try again later"] * 3
    code, out, err = docket("remind", as_of="2024-03-31")
    assert code == 1 and out["failed"] == 3 and "451" in out["emails"][0]["error"]
    assert "failed" in err
    # ... then one duty is done and the other vacated: nothing more, the failed rows skipped
    assert docket("done", "produce", "--on", "2024-03-31")[0] == 0
    assert docket("vacate", "respond", "--reason", "Stipulation, ECF 12")[0] == 0
    for day in days("2024-03-31", "2024-04-06"):
        code, out, _ = docket("remind", as_of=day)
        assert code == 0 and out["sent"] == 0
    assert inbox.take() == []
    code, status, _ = docket("remind", "--status")
    assert status["counts"]["failed"] == 0 and status["counts"]["pending"] == 0
    with sqlite3.connect(db) as conn:
        reasons = {r[0] for r in conn.execute("SELECT last_error FROM reminder WHERE lead = 1")}
    assert reasons == {"not sent: the duty is no longer open (done, vacated, removed or undated)"}


def kept(where: Where) -> set[tuple[str, str, int, str]]:
    """(obligation, recipient, lead, status) of every reminder row, on either database."""
    db = where.open()
    try:
        with db.engine.connect() as conn:
            found = conn.execute(text("SELECT ref, recipient, lead, status FROM reminder"))
            return {(r[0].rsplit("/", 1)[1], r[1].split("@")[0], r[2], r[3]) for r in found}
    finally:
        db.dispose()


def test_pruning_keeps_what_a_run_needs_and_nothing_is_sent_twice(
    where: Where, env: dict[str, str], inbox: Inbox, tmp_path: Path
) -> None:
    docket = fill(command(where.url, env), tmp_path)
    for day in days("2024-03-15", "2024-04-05"):
        assert docket("remind", as_of=day)[0] == 0
    inbox.take()
    assert docket("done", "respond", "--on", "2024-04-05")[0] == 0
    before = kept(where)
    # produce (due Mon 04-01) is still open and overdue; respond (due Wed 04-03) is done.
    code, out, err = docket("remind", "--prune-before", "2024-04-04", as_of="2024-04-05")
    assert code == 0, err
    gone = {
        # the overdue notices of produce sent before 04-04: -1 on 04-02, -2 on 04-03
        *{("produce", who, n, "sent") for who in ("ada", "cy") for n in (-1, -2)},
        # every reminder of the done respond sent before 04-04: 14 days before (03-20), 7
        # (03-27), 3 (03-31), 1 (04-02) and 0 (04-03)
        *{("respond", who, n, "sent") for who in ("ada", "bo") for n in (14, 7, 3, 1, 0)},
    }
    assert out == {"pruned": 14, "before": "2024-04-04"}
    assert before - kept(where) == gone and kept(where) <= before
    # produce's lead times stay: the plan would write them again as skipped otherwise
    assert {("produce", "ada", n, "sent") for n in (14, 7, 3, 1, 0, -3, -4)} <= kept(where)

    # the same day again: nothing sent, nothing made again
    code, out, _ = docket("remind", as_of="2024-04-05")
    assert code == 0 and out["sent"] == 0 and inbox.take() == []
    assert kept(where) == before - gone
    # the next day: only produce's notice of that day, to Ada and Cy
    assert docket("remind", as_of="2024-04-06")[0] == 0
    assert by_person(inbox.take()) == {
        "ada@firm.example": ["produce"],
        "cy@firm.example": ["produce"],
    }
    assert kept(where) - (before - gone) == {("produce", w, -5, "sent") for w in ("ada", "cy")}
    code, out, _ = docket("remind", "--prune-before", "2024-04-04", as_of="2024-04-06")
    assert code == 0 and out["pruned"] == 0


def test_pruning_refuses_a_day_after_today_and_bad_dates(
    docket: Run, inbox: Inbox, db: str
) -> None:
    for day in days("2024-03-29", "2024-04-02"):
        assert docket("remind", as_of=day)[0] == 0
    inbox.take()
    there = rows(db)
    for args, says in (
        (["--prune-before", "2024-04-03"], "--prune-before 2024-04-03 is after today (2024-04-02)"),
        (["--prune-before", "2024-02-30"], "'2024-02-30' is not a date that exists"),
        (["--prune-before", "2024-04-01", "--dry-run"], "--prune-before goes alone"),
        (["--prune-before", "2024-04-01", "--status"], "--prune-before goes alone"),
    ):
        code, _, err = docket("remind", *args, as_of="2024-04-02", fmt="table")
        assert code == 2 and says in err, (args, err)
        assert rows(db) == there
    code, out, err = docket(
        "remind", "--prune-before", "2024-04-02", as_of="2024-04-02", fmt="table"
    )
    # both duties are still open, and the first overdue notice went on 04-02: nothing to prune
    assert code == 0 and out.startswith("pruned 0 reminder rows (sent or skipped)"), err
    assert rows(db) == there
    assert inbox.take() == []


def test_a_moved_due_date_gets_reminders_of_its_own(docket: Run, inbox: Inbox, db: str) -> None:
    assert docket("remind", as_of="2024-03-25")[0] == 0
    assert by_person(inbox.take())["cy@firm.example"] == ["produce"]  # 7 days before 04-01
    code, _, err = docket("extend", "produce", "--to", "2024-04-15", "--reason", "Order, ECF 20")
    assert code == 0, err
    assert docket("remind", as_of="2024-03-26")[0] == 0
    assert "cy@firm.example" not in by_person(inbox.take())  # 20 days to go now
    assert docket("remind", as_of="2024-04-01")[0] == 0
    messages = [m for m in inbox.take() if "cy@" in str(m["To"])]
    assert len(messages) == 1
    assert messages[0]["Subject"] == f"Due in 14 days: produce documents ({CASE})"
    assert "Mon 2024-04-15" in parts(messages[0])[0]
    cy = sorted((r[3], r[2], r[4]) for r in rows(db) if r[1] == "cy@firm.example")
    assert cy == [
        ("2024-04-01", 7, "sent"),
        ("2024-04-01", 14, "skipped"),
        ("2024-04-15", 14, "sent"),
    ]


def test_a_reminder_left_failed_is_skipped_when_the_due_date_moves(
    docket: Run, inbox: Inbox, db: str
) -> None:
    inbox.replies = ["451 4.3.0 try again later"] * 3
    assert docket("remind", as_of="2024-03-25")[0] == 1
    code, _, err = docket("extend", "produce", "--to", "2024-05-15", "--reason", "Order, ECF 21")
    assert code == 0, err
    code, out, _ = docket("remind", as_of="2024-03-25")
    assert code == 0 and out["skipped"] == 2  # Ada's and Cy's produce reminders (lead 7)
    assert by_person(inbox.take()) == {
        "ada@firm.example": ["respond"],
        "bo@firm.example": ["respond"],
    }
    with sqlite3.connect(db) as conn:
        reasons = {
            r[0]
            for r in conn.execute(
                "SELECT last_error FROM reminder WHERE ref LIKE '%produce' AND lead = 7"
            )
        }
    assert reasons == {"not sent: the due date moved from 2024-04-01"}


def test_a_waiting_duty_gets_none_until_it_is_dated(docket: Run, inbox: Inbox) -> None:
    assert docket("remind", as_of="2024-03-25")[0] == 0
    assert "reply" not in by_person(inbox.take())["ada@firm.example"]
    code, _, err = docket("event", "record", CASE, "hearing-notice", "2024-03-25")
    assert code == 0, err
    assert docket("remind", as_of="2024-03-26")[0] == 0
    assert by_person(inbox.take()) == {"ada@firm.example": ["reply"]}  # due 04-01: 7 days


# -- failures, dry run, settings, status -----------------------------------------------------------


def test_planning_pauses_the_garbage_collector_and_gives_it_back(docket: Run, db: str) -> None:
    """Paused for the step only; left off if the caller had it off; back on after a failure."""
    from obligations.reminders import Leads
    from obligations.store.db import Database

    database = Database(f"sqlite:///{db}")
    try:
        assert gc.isenabled()
        planned = plan_today(database, Leads(), date(2024, 4, 1))
        assert planned.current and gc.isenabled()
        gc.disable()
        try:
            plan_today(database, Leads(), date(2024, 4, 1))
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        database.dispose()
    broken = Database(f"sqlite:///{db}-missing")
    try:
        with pytest.raises(Exception, match="no such table"):
            plan_today(broken, Leads(), date(2024, 4, 1))
        assert gc.isenabled()
    finally:
        broken.dispose()
        Path(f"{db}-missing").unlink(missing_ok=True)


def test_a_refused_message_is_recorded_failed_and_retried(
    docket: Run, inbox: Inbox, db: str
) -> None:
    inbox.replies = ["550 5.1.1 mailbox unavailable"]
    code, out, _ = docket("remind", as_of="2024-04-01")
    assert code == 1
    failed = [e for e in out["emails"] if e["status"] == "failed"]
    assert len(failed) == 1 and "550 5.1.1 mailbox unavailable" in failed[0]["error"]
    assert len(inbox.take()) == 2
    code, status, _ = docket("remind", "--status")
    assert status["counts"]["failed"] == len(failed[0]["reminders"])
    bad = [r for r in status["reminders"] if r["status"] == "failed"]
    assert bad and all("550" in r["last_error"] and r["attempts"] == 1 for r in bad)
    code, table, _ = docket("remind", "--status", fmt="table")
    assert "failed" in table and "attempts 1: SMTP error: 550 5.1.1 mailbox unavailable" in table
    code, out, _ = docket("remind", as_of="2024-04-01")
    assert code == 0 and out["sent"] == 1
    (again,) = inbox.take()
    assert str(again["To"]).endswith(f"<{failed[0]['to']}>")
    assert {r[4] for r in rows(db) if r[3] == "2024-04-01" and r[2] == 0} == {"sent"}


def test_no_smtp_server_fails_every_message_and_the_next_run_sends_them(
    docket: Run, inbox: Inbox, db: str
) -> None:
    code, out, _ = docket(
        "remind", as_of="2024-04-01", extra={"DOCKETCAL_SMTP_PORT": str(free_port())}
    )
    assert code == 1 and out["failed"] == 3 and out["sent"] == 0
    assert all("cannot connect to SMTP server 127.0.0.1" in e["error"] for e in out["emails"])
    assert {r[4] for r in rows(db) if (r[0], r[2]) in DUE_ON_04_01} == {"failed"}
    code, out, _ = docket("remind", as_of="2024-04-01")
    assert code == 0 and out["sent"] == 3 and len(inbox.take()) == 3


def test_dry_run_shows_the_mail_and_records_nothing(docket: Run, inbox: Inbox, db: str) -> None:
    code, text, err = docket(
        "remind", "--dry-run", as_of="2024-04-01", fmt="table", extra={"DOCKETCAL_SMTP_HOST": ""}
    )
    assert code == 0, err
    assert "To: Ada Clerk <ada@firm.example>" in text
    assert f"Subject: Due today: produce documents ({CASE}); 1 more" in text
    assert f"docketcal explain {REF}respond" in text
    assert "would send 4 reminders in 3 e-mails; nothing recorded" in err
    code, out, _ = docket("remind", "--dry-run", "--person", "bo@firm.example", as_of="2024-04-01")
    assert [e["to"] for e in out["emails"]] == ["bo@firm.example"]
    assert out["emails"][0]["status"] == "would send"
    assert rows(db) == [] and inbox.take() == []
    # once sent, a dry run has nothing to show
    assert docket("remind", as_of="2024-04-01")[0] == 0
    code, out, _ = docket("remind", "--dry-run", as_of="2024-04-01")
    assert out["emails"] == []


def test_mail_settings_and_lead_times_are_checked(
    docket: Run, inbox: Inbox, tmp_path: Path, db: str
) -> None:
    code, _, err = docket("remind", as_of="2024-04-01", extra={"DOCKETCAL_SMTP_HOST": ""})
    assert code == 2 and "smtp_host (DOCKETCAL_SMTP_HOST)" in err
    code, _, err = docket("remind", as_of="2024-04-01", extra={"DOCKETCAL_SMTP_SECURITY": "ssl"})
    assert code == 2 and "smtp_security 'ssl'" in err
    code, _, err = docket("remind", as_of="2024-04-01", extra={"DOCKETCAL_REMIND_LEADS": "7,x"})
    assert code == 2 and "remind_leads (environment (DOCKETCAL_REMIND_LEADS))" in err
    code, _, err = docket(
        "remind", as_of="2024-04-01", extra={"DOCKETCAL_SMTP_PASSWORD_FILE": str(tmp_path / "no")}
    )
    assert code == 2 and "smtp_password_file" in err
    code, _, err = docket("remind", "--smtp-password", "secret", as_of="2024-04-01")
    assert code == 2  # never on the command line
    code, _, err = docket("remind", "--person", "ada@firm.example", as_of="2024-04-01")
    assert code == 2 and "--dry-run or --status" in err
    config = tmp_path / "config.toml"
    config.write_text("[remind]\nlate = true\n", encoding="utf-8")
    code, _, err = docket("remind", as_of="2024-04-01")
    assert code == 2 and "unknown key late" in err
    assert rows(db) == [] and inbox.take() == []
    # the firm's lead times and a person's own, from the config file
    config.write_text(
        'remind_leads = [7, 2]\n[remind.people."ada@firm.example"]\nleads = [1]\noverdue = false\n',
        encoding="utf-8",
    )
    sent: dict[str, dict[str, list[str]]] = {}
    for day in days("2024-03-20", "2024-04-04"):
        assert docket("remind", as_of=day)[0] == 0
        got = by_person(inbox.take())
        if got:
            sent[day] = got
    ada = {d: p["ada@firm.example"] for d, p in sent.items() if "ada@firm.example" in p}
    assert ada == {"2024-03-31": ["produce"], "2024-04-02": ["respond"]}
    cy = {d: p["cy@firm.example"] for d, p in sent.items() if "cy@firm.example" in p}
    assert list(cy) == ["2024-03-25", "2024-03-30", "2024-04-02", "2024-04-03", "2024-04-04"]


def test_status_shows_what_was_sent_pending_and_failed(docket: Run, inbox: Inbox) -> None:
    code, _, err = docket("remind", "--status")
    assert code == 3 and "no reminders yet" in err
    assert docket("remind", as_of="2024-04-01")[0] == 0
    code, status, _ = docket("remind", "--status")
    assert code == 0
    assert status["counts"] == {"sent": 4, "pending": 0, "sending": 0, "failed": 0, "skipped": 12}
    assert {r["status"] for r in status["reminders"]} == {"sent"}
    first = status["reminders"][0]
    assert set(first) == {
        "status", "recipient", "ref", "lead", "due", "send_on", "message_id", "attempts",
        "sent_at", "last_error",
    }  # fmt: skip
    code, mine, _ = docket("remind", "--status", "--person", "bo@firm.example")
    assert mine["counts"]["sent"] == 1 and {r["recipient"] for r in mine["reminders"]} == {
        "bo@firm.example"
    }
    code, table, _ = docket("remind", "--status", fmt="table")
    assert table.startswith("reminders: 4 sent, 0 pending, 0 sending, 0 failed, 12 skipped")
    assert f"{REF}produce" in table and "0d before" in table


# -- STARTTLS, TLS and a password from a file ------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate for the TLS tests")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"docket", b"s3cr3t")
    return AuthResult(success=ok, handled=False)


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_tls_with_a_login_and_a_password_file(
    docket: Run, certificate: tuple[Path, Path], tmp_path: Path, security: str
) -> None:
    cert, key = certificate
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    box = Inbox(port=free_port())
    kw: dict[str, Any] = {"authenticator": _authenticator, "auth_required": True}
    if security == "starttls":
        kw |= {"tls_context": server_side, "require_starttls": True}
    else:
        # aiosmtpd does not count a TLS-wrapped listener as TLS for AUTH: it is TLS throughout
        kw |= {"ssl_context": server_side, "auth_require_tls": False}
    controller = Controller(box, hostname="127.0.0.1", port=box.port, **kw)
    controller.start()
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    settings = {
        "DOCKETCAL_SMTP_PORT": str(box.port),
        "DOCKETCAL_SMTP_SECURITY": security,
        "DOCKETCAL_SMTP_USER": "docket",
        "DOCKETCAL_SMTP_PASSWORD_FILE": str(secret),
        "SSL_CERT_FILE": str(cert),
    }
    try:
        code, _, err = docket("remind", "--dry-run", as_of="2024-04-01", extra=settings)
        assert code == 0
        # a wrong password is refused, recorded and retried
        wrong = tmp_path / "wrong"
        wrong.write_text("nope", encoding="utf-8")
        code, out, _ = docket(
            "remind", as_of="2024-04-01",
            extra={**settings, "DOCKETCAL_SMTP_PASSWORD_FILE": str(wrong)},
        )  # fmt: skip
        assert code == 1 and "SMTP login" in out["emails"][0]["error"]
        assert "s3cr3t" not in json.dumps(out) and "nope" not in json.dumps(out)
        code, out, err = docket("remind", as_of="2024-04-01", extra=settings)
        assert code == 0, err
        assert out["sent"] == 3 and len(box.take()) == 3
        # without the certificate trusted, nothing is sent in the clear
        code, out, _ = docket(
            "remind", as_of="2024-04-02", extra={**settings, "SSL_CERT_FILE": str(tmp_path / "x")}
        )
        assert code == 1 and "CERTIFICATE_VERIFY_FAILED" in out["emails"][0]["error"]
        assert box.take() == []
    finally:
        controller.stop()


# -- real processes: two runs at once, and a crash -------------------------------------------------


PEOPLE = 100  # five batches of 20 (cli/remind.py BATCH): more than two runs can hold


def big_docket(where: Where, tmp_path: Path) -> None:
    """The order, and 100 people each responsible for the whole case."""
    from obligations.store.db import Database, upgrade
    from obligations.store.docket import Docket

    order = tmp_path / "order.toml"
    order.write_text(ORDER, encoding="utf-8")
    db = Database(where.base, schema=where.schema)
    try:
        if where.schema is None:
            upgrade(db.writer)
        d = Docket(db, "test")
        d.load([order])
        for n in range(PEOPLE):
            d.add_person(f"Person {n}", f"p{n:02d}@firm.example")
            d.assign(f"p{n:02d}@firm.example", CASE)
    finally:
        db.dispose()


def outbox_rows(where: Where) -> list[tuple[Any, ...]]:
    from sqlalchemy import text

    from obligations.store.db import Database

    db = Database(where.base, schema=where.schema)
    try:
        with db.engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    text("SELECT ref, recipient, lead, status, message_id, attempts FROM reminder")
                )
            ]
    finally:
        db.dispose()


def start(where: Where, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(EXE), "--db", where.url, "--format", "json", "--as-of", "2024-04-01", "remind", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_runs_at_once_send_each_reminder_once(
    where: Where, inbox: Inbox, env: dict[str, str], tmp_path: Path
) -> None:
    big_docket(where, tmp_path)
    inbox.delay = 0.01
    inbox.gate = 3  # no message is answered before three runs are sending at once
    procs = [start(where, env) for _ in range(3)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        outs.append(json.loads(out))
    messages = inbox.take()
    delivered = told(messages)
    expected = {
        (f"p{n:02d}@firm.example", ob) for n in range(PEOPLE) for ob in ("produce", "respond")
    }
    assert set(delivered) == expected
    assert set(delivered.values()) == {1}, [k for k, v in delivered.items() if v > 1]
    assert sum(o["sent"] for o in outs) == len(messages)
    # the gate made every run hold a claim at the same time: each sent some, lost some races
    assert all(o["sent"] >= 1 for o in outs), outs
    assert sum(o["taken_by_another_run"] for o in outs) > 0
    assert sum(len(e["reminders"]) for o in outs for e in o["emails"]) == 2 * PEOPLE
    box = outbox_rows(where)
    due = [r for r in box if (r[0].rsplit("/", 1)[1], r[2]) in DUE_ON_04_01]
    assert len(due) == 2 * PEOPLE and {(r[3], r[5]) for r in due} == {("sent", 1)}
    assert len({r[4] for r in box if r[3] == "sent"}) == len(messages)


def test_a_crash_after_the_server_took_the_message_repeats_it_once_with_its_message_id(
    where: Where, inbox: Inbox, env: dict[str, str], tmp_path: Path
) -> None:
    big_docket(where, tmp_path)
    first = start(where, env)
    inbox.kill = first  # killed once the first message is stored, before the server's "250"
    first.communicate(timeout=120)
    assert first.returncode == -9
    (lost,) = inbox.take()
    victim = email.utils.parseaddr(str(lost["To"]))[1]
    # the dead run had claimed its first batches: every row it held has its Message-ID already
    stuck = {r[1]: r[4] for r in outbox_rows(where) if r[3] == "sending"}
    assert victim in stuck and stuck[victim] == lost["Message-ID"]
    assert len(stuck) < PEOPLE and all(stuck.values())
    # the next run sends everyone else's; the rows the dead run held are still leased to it
    second = start(where, env)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()
    messages = inbox.take()
    to = {email.utils.parseaddr(str(m["To"]))[1] for m in messages}
    assert len(messages) == PEOPLE - len(stuck) and not to & set(stuck)
    # once the lease has run out (here at once), a run sends them, each with its Message-ID
    third = start(where, env, "--lease", "0s")
    _, err = third.communicate(timeout=120)
    assert third.returncode == 0, err.decode()
    resent = {email.utils.parseaddr(str(m["To"]))[1]: m for m in inbox.take()}
    assert set(resent) == set(stuck)
    assert {who: str(m["Message-ID"]) for who, m in resent.items()} == stuck
    again = resent[victim]
    assert again["Message-ID"] == lost["Message-ID"] and sorted(refs(again)) == sorted(refs(lost))
    fourth = start(where, env, "--lease", "0s")
    fourth.communicate(timeout=120)
    assert fourth.returncode == 0 and inbox.take() == []
    box = outbox_rows(where)
    due = [r for r in box if (r[0].rsplit("/", 1)[1], r[2]) in DUE_ON_04_01]
    assert len(due) == 2 * PEOPLE and {r[3] for r in due} == {"sent"}
    # the victim was sent twice (the one repeat at-least-once allows); everyone else once
    assert {r[5] for r in due if r[1] in stuck} == {2}
    assert {r[5] for r in due if r[1] not in stuck} == {1}


def test_the_entry_point_runs_remind(tmp_path: Path, inbox: Inbox, env: dict[str, str]) -> None:
    """The installed command, its help, and an empty docket (nothing to send, exit 0)."""
    where = Where(f"sqlite:///{tmp_path / 'empty.db'}", f"sqlite:///{tmp_path / 'empty.db'}")
    from obligations.store.db import Database, upgrade

    db = Database(where.url)
    upgrade(db.writer)
    db.dispose()
    started = time.perf_counter()
    p = start(where, env)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err.decode()
    assert json.loads(out)["sent"] == 0 and b"0 e-mails sent" in err
    assert time.perf_counter() - started < 30

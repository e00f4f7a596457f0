"""Bad input is refused, not absorbed: event names no duty counts from, extensions of duties
without a date, e-mail addresses that would inject headers, control characters, and the person
history names. A real SQLite docket; reminders through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email.utils
import hashlib
import sqlite3
from pathlib import Path

import pytest

from .conftest import CASE, ORDER, Inbox
from .test_remind import Run, command, fill

REF = f"{CASE}/order-1/"


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


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "docket.db")


@pytest.fixture
def cli(db: str, env: dict[str, str], tmp_path: Path) -> Run:
    return fill(command(db, env), tmp_path)


def digest(db: str) -> str:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(Path(db).read_bytes()).hexdigest()


def refused(cli: Run, db: str, *args: str, code: int = 2) -> str:
    before = digest(db)
    got, out, err = cli(*args, fmt="table")
    assert got == code, (args, got, out, err)
    assert "Traceback" not in err, err
    # refused by docketcal, or before any command runs (a NUL cannot come from a real command
    # line; the argument parser refuses it as a usage error, also exit 2)
    assert err.startswith("docketcal: ") or (code == 2 and "\nError: " in err), err
    assert digest(db) == before, f"{args} wrote to the docket"
    return err


# -- event names ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Hearing-Notice", " hearing-notice ", "HEARING-NOTICE\t"])
def test_event_names_are_taken_as_due_rules_write_them(cli: Run, name: str) -> None:
    code, body, err = cli("event", "record", CASE, name, "2024-03-20")
    assert code == 0, err
    shown = cli("explain", "reply", as_of="2024-03-20")[1]
    assert shown["state"] == "open" and shown["due"] == "2024-03-27", shown  # 7 days after
    assert [c["after"]["name"] for c in body["changes"] if c["what"] == "event recorded"] == [
        "hearing-notice"
    ]


def test_an_event_no_duty_counts_from_is_refused_with_the_nearest_names(cli: Run, db: str) -> None:
    err = refused(cli, db, "event", "record", CASE, "hearing-notise", "2024-03-20")
    assert "hearing-notise" in err and "did you mean hearing-notice" in err
    assert "--for-later-order" in err
    err = refused(cli, db, "event", "record", CASE, "hearing", "2024-03-20")
    assert "hearing-notice" in err


def test_an_event_for_an_order_still_to_come_is_recorded_with_the_flag(cli: Run) -> None:
    code, body, err = cli("event", "record", CASE, "Trial-Date", "2024-09-02", "--for-later-order")
    assert code == 0, err
    assert [c["after"]["name"] for c in body["changes"] if c["what"] == "event recorded"] == [
        "trial-date"
    ]


@pytest.mark.parametrize(
    "name", ["", "   ", "x" * 100_000, "hearing notice", "héaring", "a/b", "_x", "a\x00b"]
)
def test_empty_long_and_unusable_event_names_are_refused(cli: Run, db: str, name: str) -> None:
    for flag in ((), ("--for-later-order",)):
        err = refused(cli, db, "event", "record", CASE, name, "2024-03-20", *flag)
        assert len(err) < 600


# -- extend -----------------------------------------------------------------------------------------


def test_extend_is_refused_on_a_duty_without_a_due_date(cli: Run, db: str) -> None:
    err = refused(cli, db, "extend", "confer", "--by", "7 days", "--reason", "stipulation")
    assert "standing" in err and "confer" in err


def test_extend_by_ten_thousand_years_is_refused(cli: Run, db: str) -> None:
    err = refused(cli, db, "extend", "produce", "--by", "10000 years", "--reason", "typo")
    assert "10000 years" in err
    err = refused(cli, db, "extend", "produce", "--by", "500 years", "--reason", "typo")
    assert "2200" in err
    code, _, err = cli("extend", "produce", "--by", "7 days", "--reason", "stipulation")
    assert code == 0, err


def test_extend_is_refused_on_prohibitions_and_recurring_duties(
    cli: Run, db: str, tmp_path: Path
) -> None:
    more = tmp_path / "more.toml"
    more.write_text(
        ORDER.replace('id = "order-1"', 'id = "order-2"').split("[[obligation]]")[0]
        + """
[[obligation]]
id = "no-filings"
party = "both"
kind = "prohibition"
text = "No further submissions without leave."
cite = "¶ 8"

[[obligation]]
id = "answer-each-set"
party = "defendant"
kind = "recurring"
on = "discovery-propounded"
text = "Whenever a set of requests is propounded, defendant shall answer within 30 days."
cite = "¶ 9"
due = "30 days after discovery-propounded"
""",
        encoding="utf-8",
    )
    code, _, err = cli("order", "load", str(more))
    assert code == 0, err
    assert "prohibition" in refused(
        cli, db, "extend", "no-filings", "--to", "2024-06-03", "--reason", "x"
    )
    assert "recurring" in refused(
        cli, db, "extend", "answer-each-set", "--to", "2024-06-03", "--reason", "x"
    )


# -- e-mail addresses and the headers built from them ------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "eve@firm.example\r\nbcc: x@evil.example",
        "eve@firm.example\nBcc: x@evil.example",
        "eve@firm.example, x@evil.example",
        "Eve <eve@firm.example>",
        "eve",
        "eve@",
        "@firm.example",
        "eve@firm.example\x00",
    ],
)
def test_e_mail_addresses_are_validated_when_stored(cli: Run, db: str, address: str) -> None:
    err = refused(cli, db, "person", "add", "--name", "Eve", "--email", address)
    assert ("e-mail address" in err or "holds a NUL" in err) and "\r" not in err


def test_a_reminder_carries_no_injected_header(cli: Run, db: str, inbox: Inbox) -> None:
    """A name with a line break and an address stored before addresses were checked: the
    message has exactly one To, no Bcc, and is only sent where it should go."""
    code, _, err = cli(
        "person", "add", "--name", "Dee\r\nBcc: x@evil.example", "--email", "dee@firm.example"
    )
    assert code == 2 and "control character" in err
    code, _, err = cli("person", "add", "--name", "Dee Doe", "--email", "dee@firm.example")
    assert code == 0, err
    assert cli("assign", "dee@firm.example", CASE)[0] == 0
    with sqlite3.connect(db) as conn:  # as an older docketcal could have stored them
        conn.execute(
            "UPDATE person SET name = ?, email = ? WHERE email = 'cy@firm.example'",
            ("Cy\r\nBcc: x@evil.example", "cy@firm.example\r\nbcc: y@evil.example"),
        )
    code, out, err = cli("remind", as_of="2024-04-01")
    assert code == 1, err  # one e-mail could not be sent
    failed = [e for e in out["emails"] if e["status"] == "failed"]
    assert len(failed) == 1 and "not an e-mail address" in failed[0]["error"]
    messages = inbox.take()
    assert messages
    recipients = {a for r in inbox.rcpts for a in r} if inbox.rcpts else set()
    for m in messages:
        assert m["Bcc"] is None
        assert len(m.get_all("To") or []) == 1
        assert "evil" not in str(m["To"])
        assert email.utils.parseaddr(str(m["To"]))[1].endswith("@firm.example")
    assert not any("evil" in r for r in recipients)


# -- control characters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("person", "add", "--name", "Ann\x00", "--email", "ann@firm.example"),
        ("person", "add", "--name", "Ann\x1b[2J", "--email", "ann@firm.example"),
        ("done", "produce", "--on", "2024-03-29", "--note", "late\x00"),
        ("extend", "produce", "--by", "7 days", "--reason", "stip\x00ulation"),
        ("vacate", "produce", "--reason", "order\x00"),
        ("closure", "add", "2024-03-29", "--court", "njd", "--reason", "snow\x00"),
        ("event", "record", CASE, "hearing-notice", "2024-03-20", "--note", "x\x00"),
    ],
)
def test_control_characters_that_cannot_be_stored_are_refused(
    cli: Run, db: str, args: tuple[str, ...]
) -> None:
    err = refused(cli, db, *args)
    assert "control character" in err or "holds a NUL" in err
    assert "\x00" not in err and "\x1b" not in err


def test_titles_and_names_are_printed_with_their_control_characters_escaped(
    cli: Run, db: str, tmp_path: Path
) -> None:
    nasty = tmp_path / "nasty.toml"
    nasty.write_text(
        ORDER.replace('id = "order-1"', 'id = "order-3"')
        .replace('title = "Scheduling order"', 'title = "Order\\r\\nFAKE LINE\\u001b[31m"')
        .replace('summary = "produce documents"', 'summary = "produce\\u001b[2J docs\\rX"'),
        encoding="utf-8",
    )
    code, _, err = cli("order", "load", str(nasty))
    assert code == 0, err
    for args in (
        ("order", "list"),
        ("order", "show", f"{CASE}/order-3"),
        ("upcoming", "--within", "60d"),
        ("explain", "order-3/produce"),
        ("history", "--case", CASE),
    ):
        code, out, err = cli(*args, as_of="2024-03-20", fmt="table")
        assert code == 0, (args, err)
        assert "\x1b" not in out and "\r" not in out, (args, out)
        assert "FAKE LINE" not in out or "\\r\\nFAKE LINE" in out, (args, out)


# -- who and today -------------------------------------------------------------------------------------


def test_history_records_the_configured_user(db: str, env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('user = "ada"\n', encoding="utf-8")
    settings = {k: v for k, v in env.items() if k != "DOCKETCAL_USER"}
    cli = command(db, {**settings, "DOCKETCAL_CONFIG": str(config)})
    fill(cli, tmp_path)
    assert cli("done", "produce", "--on", "2024-03-29")[0] == 0
    code, rows, err = cli("history", "produce")
    assert code == 0, err
    assert {r["who"] for r in rows} == {"ada"}
    code, order, _ = cli("order", "show", f"{CASE}/order-1")
    assert order["versions"][0]["loaded_by"] == "ada"
    # the environment comes before the config file, as for every setting
    cli = command(db, {**settings, "DOCKETCAL_CONFIG": str(config), "DOCKETCAL_USER": "bo"})
    assert cli("vacate", "respond", "--reason", "order of 2024-03-30")[0] == 0
    assert cli("history", "respond")[1][-1]["who"] == "bo"


def test_the_store_itself_refuses_what_postgresql_cannot_hold(cli: Run, db: str) -> None:
    """The web desk and other callers reach the store without the command line's checks."""
    from datetime import date

    from calendars.errors import BadInput
    from obligations.store.db import Database
    from obligations.store.docket import Docket
    from obligations.store.errors import DocketError

    store = Database(f"sqlite:///{db}")
    try:
        docket = Docket(store, "desk")
        before = digest(db)
        for call in (
            lambda: docket.done("produce", date(2024, 3, 29), note="x\x00y"),
            lambda: docket.done("produce", date(2024, 3, 29), note="\ud800"),
            lambda: docket.vacate("produce", reason="order\x00"),
            lambda: docket.add_person("Ann\x00", "ann@firm.example"),
            lambda: docket.add_person("Ann", "ann@firm.example\r\nBcc: x@evil.example"),
            lambda: docket.record_event(CASE, "hearing-notice", date(2024, 3, 20), note="\x00"),
            lambda: docket.done("produce", date(9999, 12, 31)),
        ):
            with pytest.raises((DocketError, BadInput)):
                call()
        assert digest(db) == before
    finally:
        store.dispose()

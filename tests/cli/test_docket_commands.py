"""The docket commands through the command line, on a real SQLite file: init, order load/list/
show, event record, done, extend, vacate, closure add, person add/list, assign, history.

Every command is run with ``--format json`` and its answer parsed; the exit codes are the
documented ones (0 ok, 1 unexpected, 2 bad usage or bad input, 3 nothing found), and bad input
is checked to have written nothing by reading the database file directly.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from calendars.data import data_path
from cli.main import app, hoist

runner = CliRunner()
ORDERS = data_path("orders")
CAED = str(ORDERS / "caed-2013-11-12.toml")
NJD = str(ORDERS / "njd-2013-07-02.toml")
CASE = "caed-2013-11-12"
PREFIX = f"{CASE}/{CASE}/"  # the caed example uses its order id as its case id
NJ_CASE = "njd-2013-07-02"
#: ARCHITECTURE.md: the keys of an ``upcoming --format json`` item, in that order.
UPCOMING_KEYS = [
    "ref",
    "case",
    "order",
    "obligation",
    "party",
    "text",
    "cite",
    "state",
    "due",
    "due_at",
    "safe_due",
    "waiting_on",
]
TABLES = ("case", "order_version", "obligation", "fact", "history", "person", "assignment")

Run = Callable[..., tuple[int, Any, str]]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "docket.db")


@pytest.fixture
def run(db: str) -> Run:
    """``run(*args)``: the command with ``--db`` and ``--format json`` (placed after it, as a
    user may, and moved to the front by ``hoist`` as ``main()`` does); returns the exit code,
    the parsed JSON (None when stdout is empty) and stderr."""

    def invoke(*args: str, fmt: str = "json") -> tuple[int, Any, str]:
        argv = hoist([*args, "--db", db, "--format", fmt])
        result = runner.invoke(app, argv, env={"DOCKETCAL_USER": "ada", "NO_COLOR": "1"})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        out = result.stdout
        body = json.loads(out) if fmt == "json" and out.strip() else (out or None)
        return result.exit_code, body, result.stderr

    return invoke


@pytest.fixture
def loaded(run: Run) -> Run:
    """A docket with both example orders loaded."""
    code, _, err = run("order", "load", CAED, NJD)
    assert code == 0, err
    return run


def counts(db: str) -> dict[str, int]:
    """Rows per table, read with sqlite3 (not through the code under test)."""
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}


def obligations_of(run: Run, order: str, as_of: str = "2013-07-02") -> dict[str, dict[str, Any]]:
    """The order's obligations as ``order show`` gives them, their states as on ``as_of`` (by
    default the first example order's day, so every dated duty reads open)."""
    code, body, err = run("order", "show", order, "--as-of", as_of)
    assert code == 0, err
    return {o["obligation"]: o for o in body["obligations"]}


def whats(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(c["what"], c["ref"]) for c in body["changes"]]


# -- init ---------------------------------------------------------------------------------------


def test_init_creates_the_database_then_says_it_is_up_to_date(run: Run, db: str) -> None:
    code, first, err = run("init")
    assert code == 0, err
    assert first["from"] is None and first["to"]
    assert first["database"].endswith("docket.db")
    assert Path(db).is_file()
    code, second, _ = run("init")
    assert code == 0
    assert second["from"] == second["to"] == first["to"]
    code, out, err = run("init", fmt="table")
    assert code == 0 and not out
    assert "up to date" in err


def test_a_read_on_a_database_without_a_docket_says_to_run_init(run: Run) -> None:
    code, body, err = run("order", "list")
    assert code == 2 and body is None
    assert "docketcal init" in err


# -- order load ---------------------------------------------------------------------------------


def test_order_load_records_new_orders_and_schedules_their_obligations(run: Run, db: str) -> None:
    code, body, err = run("order", "load", CAED, NJD)
    assert code == 0, err
    assert body["applied"] is True and body["pending"] == []
    loaded = [c for c in body["changes"] if c["what"] == "order loaded"]
    assert {c["ref"] for c in loaded} == {f"{CASE}/{CASE}", f"{NJ_CASE}/{NJ_CASE}"}
    assert all(c["after"]["version"] == 1 and len(c["after"]["sha256"]) == 64 for c in loaded)
    added = {c["ref"]: c["after"] for c in body["changes"] if c["what"] == "obligation added"}
    assert len(added) == 16 + 4
    assert set(body["revised"]) == set(added)
    assert added[PREFIX + "produce-documents"]["due"] == "2013-11-26"
    assert added[PREFIX + "bates-stamp"]["state"] == "waiting"
    assert added[f"{NJ_CASE}/{NJ_CASE}/joint-letter"]["due"] == "2013-07-15"
    rows = counts(db)
    assert (rows["case"], rows["order_version"], rows["obligation"]) == (2, 2, 20)


def test_order_load_of_the_same_file_again_changes_nothing(loaded: Run, db: str) -> None:
    before = counts(db)
    code, body, err = loaded("order", "load", CAED)
    assert code == 0, err
    assert body == {"changes": [], "revised": [], "pending": [], "applied": True}
    assert counts(db) == before
    code, _, err = loaded("order", "load", CAED, fmt="table")
    assert code == 0 and "nothing changed" in err


def test_a_changed_order_shows_its_differences_and_needs_apply(
    loaded: Run, db: str, tmp_path: Path
) -> None:
    changed = tmp_path / "njd-changed.toml"
    text = Path(NJD).read_text(encoding="utf-8")
    assert 'due = "on 2013-07-15"' in text
    # the order's own checks move with it (order load proves them)
    text = text.replace('due = "on 2013-07-15"', 'due = "on 2013-07-19"')
    text = text.replace(
        'expect = { "joint-letter" = 2013-07-15 }', 'expect = { "joint-letter" = 2013-07-19 }'
    )
    text = text.replace(
        'expect = { "joint-letter" = "overdue"', 'expect = { "joint-letter" = "open"'
    )
    changed.write_text(text, "utf-8")
    before = counts(db)

    code, body, err = loaded("order", "load", str(changed))
    assert code == 0, err
    assert body["applied"] is False and body["changes"] == [] and body["revised"] == []
    [pending] = body["pending"]
    assert pending["order"] == f"{NJ_CASE}/{NJ_CASE}" and pending["version"] == 1
    assert pending["differences"] == [
        "obligation joint-letter due: on 2013-07-15 -> on 2013-07-19",
        "checks changed",
    ]
    assert counts(db) == before
    code, _, err = loaded("order", "load", str(changed), fmt="table")
    assert code == 0 and "--apply" in err and "on 2013-07-19" in err
    assert counts(db) == before

    code, body, err = loaded("order", "load", str(changed), "--apply")
    assert code == 0, err
    assert body["applied"] is True and body["pending"] == []
    [order_changed] = [c for c in body["changes"] if c["what"] == "order changed"]
    assert order_changed["before"]["version"] == 1 and order_changed["after"]["version"] == 2
    assert order_changed["before"]["differences"] == pending["differences"]
    ref = f"{NJ_CASE}/{NJ_CASE}/joint-letter"
    assert body["revised"] == [ref]
    [moved] = [c for c in body["changes"] if c["what"] == "schedule changed"]
    assert moved["ref"] == ref
    assert (moved["before"]["due"], moved["after"]["due"]) == ("2013-07-15", "2013-07-19")
    assert moved["after"]["revision"] == moved["before"]["revision"] + 1
    shown = obligations_of(loaded, f"{NJ_CASE}/{NJ_CASE}")
    assert shown["joint-letter"]["due"] == "2013-07-19"
    code, body, _ = loaded("order", "show", f"{NJ_CASE}/{NJ_CASE}")
    assert [v["version"] for v in body["versions"]] == [1, 2]


def test_a_bad_order_file_names_file_line_and_column_exits_2_and_writes_nothing(
    loaded: Run, db: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[order]\nid = "bad"\ncase = "bad-case"\ncourt = "caed"\nentered = 2013-02-30\n',
        encoding="utf-8",
    )
    good = tmp_path / "good.toml"
    good.write_text(Path(NJD).read_text("utf-8").replace(NJ_CASE, "njd-2014-01-01"), "utf-8")
    before = counts(db)
    code, body, err = loaded("order", "load", str(good), str(bad))
    assert code == 2 and body is None
    assert f"{bad}:5:11:" in err
    assert "2013-02-30" in err
    assert counts(db) == before  # the good file beside it is not loaded either
    code, body, err = loaded("order", "load", str(tmp_path / "no-such-order.toml"))
    assert code == 2 and body is None
    assert "no such file" in err and "no-such-order.toml" in err
    assert counts(db) == before


# -- order list / show --------------------------------------------------------------------------


def test_order_list_gives_every_order_with_its_version_and_count(loaded: Run) -> None:
    code, body, err = loaded("order", "list")
    assert code == 0, err
    by_case = {r["case"]: r for r in body}
    assert set(by_case) == {CASE, NJ_CASE}
    caed = by_case[CASE]
    assert (caed["order"], caed["court"], caed["entered"]) == (CASE, "caed", "2013-11-12")
    assert (caed["version"], caed["obligations"], caed["loaded_by"]) == (1, 16, "ada")
    assert by_case[NJ_CASE]["obligations"] == 4
    code, body, _ = loaded("order", "list", "--case", NJ_CASE)
    assert code == 0 and [r["case"] for r in body] == [NJ_CASE]


def test_order_list_of_an_unknown_case_is_nothing_found(loaded: Run) -> None:
    code, body, err = loaded("order", "list", "--case", "no-such-case")
    assert code == 3 and body is None and "no-such-case" in err


def test_order_list_on_an_empty_docket_is_nothing_found(run: Run) -> None:
    assert run("init")[0] == 0
    code, body, err = run("order", "list")
    assert code == 3 and body is None and "no orders" in err


def test_order_show_by_case_and_order_and_by_unique_order_id(loaded: Run) -> None:
    code, full, err = loaded("order", "show", f"{CASE}/{CASE}", "--as-of", "2013-11-20")
    assert code == 0, err
    code, short, _ = loaded("order", "show", CASE, "--as-of", "2013-11-20")
    assert code == 0
    assert full == short
    assert (full["case"], full["order"], full["court"]) == (CASE, CASE, "caed")
    assert full["versions"][0]["version"] == 1 and full["versions"][0]["loaded_by"] == "ada"
    assert full["text"] == Path(CAED).read_text(encoding="utf-8-sig")
    assert len(full["obligations"]) == 16
    for o in full["obligations"]:
        assert list(o)[: len(UPCOMING_KEYS)] == UPCOMING_KEYS, o["ref"]
        assert o["ref"] == f"{o['case']}/{o['order']}/{o['obligation']}"
        assert o["state"] in {"waiting", "open", "overdue", "done", "vacated", "standing", "moot"}
    by_id = {o["obligation"]: o for o in full["obligations"]}
    produce = by_id["produce-documents"]
    assert (produce["party"], produce["cite"], produce["state"]) == ("plaintiff", "¶ 3", "open")
    assert (produce["due"], produce["safe_due"]) == ("2013-11-26", "2013-11-26")
    assert (
        produce["due_at"] == "2013-11-26T23:59-08:00"
    )  # the clerk's office closes in Pacific time
    assert by_id["bates-stamp"]["state"] == "waiting" and by_id["bates-stamp"]["waiting_on"]
    assert by_id["meet-and-confer-mindful"]["state"] == "standing"


def test_order_show_of_an_unknown_order_is_nothing_found_with_a_suggestion(loaded: Run) -> None:
    code, body, err = loaded("order", "show", "caed-2013-11-21")
    assert code == 3 and body is None
    assert f"did you mean {CASE}/{CASE}" in err


def test_order_show_of_an_order_id_in_two_cases_lists_both_and_exits_2(
    loaded: Run, tmp_path: Path
) -> None:
    other = tmp_path / "other-case.toml"
    text = Path(NJD).read_text("utf-8").replace(f'case = "{NJ_CASE}"', 'case = "njd-2014-01-01"')
    other.write_text(text, "utf-8")
    assert loaded("order", "load", str(other))[0] == 0
    code, body, err = loaded("order", "show", NJ_CASE)
    assert code == 2 and body is None
    assert f"{NJ_CASE}/{NJ_CASE}" in err and f"njd-2014-01-01/{NJ_CASE}" in err


# -- event record -------------------------------------------------------------------------------


def test_event_record_with_a_date_starts_a_recurring_duty(loaded: Run) -> None:
    code, body, err = loaded(
        "event", "record", CASE, "discovery-propounded", "2013-12-02", "--note", "second set"
    )
    assert code == 0, err
    event = body["changes"][0]
    assert (event["what"], event["case"], event["why"]) == ("event recorded", CASE, "second set")
    assert event["after"]["name"] == "discovery-propounded"
    assert event["after"]["day"] == "2013-12-02" and "at" not in event["after"]
    instance = PREFIX + "phone-call-per-request-set#1"
    assert ("obligation added", instance) in whats(body)
    assert body["revised"] == [instance]


def test_event_record_with_a_date_and_time_schedules_what_waits_on_it(
    run: Run, tmp_path: Path
) -> None:
    order = tmp_path / "hearing.toml"
    order.write_text(
        '[order]\nid = "scheduling"\ncase = "caed-hearing"\ncourt = "caed"\n'
        'entered = 2013-11-12\ntitle = "Scheduling order"\n\n'
        '[[obligation]]\nid = "pretrial-statement"\nparty = "both"\n'
        'text = "File a pretrial statement 14 days before the hearing."\ncite = "¶ 1"\n'
        'due = "14 days before hearing"\n',
        encoding="utf-8",
    )
    assert run("order", "load", str(order))[0] == 0
    ref = "caed-hearing/scheduling/pretrial-statement"
    assert obligations_of(run, "scheduling")["pretrial-statement"]["state"] == "waiting"
    code, body, err = run("event", "record", "caed-hearing", "hearing", "2014-01-06T10:00")
    assert code == 0, err
    event = body["changes"][0]["after"]
    assert event["day"] == "2014-01-06"
    assert event["at"] == "2014-01-06T18:00+00:00"  # 10:00 Pacific, stored in UTC
    assert body["revised"] == [ref]
    [moved] = [c for c in body["changes"] if c["what"] == "schedule changed"]
    # Mon 2014-01-06 less 14 days is Mon 2013-12-23: a weekday and no holiday.
    assert moved["before"]["state"] == "waiting"
    assert (moved["after"]["state"], moved["after"]["due"]) == ("open", "2013-12-23")


def test_event_record_of_a_day_that_does_not_exist_exits_2_with_the_reason(
    loaded: Run, db: str
) -> None:
    before = counts(db)
    code, body, err = loaded("event", "record", CASE, "hearing", "2013-02-30")
    assert code == 2 and body is None
    assert "'2013-02-30'" in err and "exists" in err
    code, body, err = loaded("event", "record", CASE, "hearing", "2013-02-03T25:00")
    assert code == 2 and "2013-02-03T25:00" in err
    assert counts(db) == before


def test_event_record_in_an_unknown_case_exits_2_with_a_suggestion(loaded: Run, db: str) -> None:
    before = counts(db)
    code, body, err = loaded("event", "record", "caed-2013-11-21", "hearing", "2014-01-06")
    assert code == 2 and body is None
    assert "no case 'caed-2013-11-21'" in err and f"did you mean {CASE}" in err
    assert counts(db) == before


# -- done -----------------------------------------------------------------------------------------


def test_done_by_full_ref_schedules_the_duties_that_wait_on_it(loaded: Run) -> None:
    ref = PREFIX + "return-documents"
    code, body, err = loaded("done", ref, "--on", "2013-11-26", "--note", "by FedEx")
    assert code == 0, err
    fact = body["changes"][0]
    assert (fact["what"], fact["ref"], fact["why"]) == ("done", ref, "by FedEx")
    assert fact["after"]["day"] == "2013-11-26"
    chained = ["bates-stamp", "serve-bates-copies", "update-document-index", "serve-document-index"]
    assert set(body["revised"]) == {ref, *(PREFIX + c for c in chained)}
    after = {c["ref"]: c["after"] for c in body["changes"] if c["what"] == "schedule changed"}
    assert after[ref]["state"] == "done" and after[ref]["done_on"] == "2013-11-26"
    for c in chained:
        assert (after[PREFIX + c]["state"], after[PREFIX + c]["due"]) == ("open", "2013-12-10")


def test_done_by_a_unique_suffix_and_on_the_as_of_day(loaded: Run) -> None:
    code, body, err = loaded("done", "joint-letter", "--as-of", "2013-07-15")
    assert code == 0, err
    ref = f"{NJ_CASE}/{NJ_CASE}/joint-letter"
    assert body["changes"][0]["ref"] == ref and body["changes"][0]["after"]["day"] == "2013-07-15"
    shown = obligations_of(loaded, NJ_CASE)["joint-letter"]
    assert (shown["state"], shown["done_on"]) == ("done", "2013-07-15")


def test_done_with_an_ambiguous_suffix_lists_the_matches_and_exits_2(
    loaded: Run, db: str, tmp_path: Path
) -> None:
    other = tmp_path / "other-case.toml"
    text = Path(NJD).read_text("utf-8").replace(f'case = "{NJ_CASE}"', 'case = "njd-2014-01-01"')
    other.write_text(text, "utf-8")
    assert loaded("order", "load", str(other))[0] == 0
    before = counts(db)
    code, body, err = loaded("done", "joint-letter", "--on", "2013-07-15")
    assert code == 2 and body is None
    assert "matches 2 obligations" in err
    assert f"{NJ_CASE}/{NJ_CASE}/joint-letter" in err
    assert f"njd-2014-01-01/{NJ_CASE}/joint-letter" in err
    assert counts(db) == before
    code, body, err = loaded("done", f"njd-2014-01-01/{NJ_CASE}/joint-letter", "--on", "2013-07-15")
    assert code == 0, err


def test_done_of_an_unknown_ref_exits_3_and_suggests_the_closest(loaded: Run, db: str) -> None:
    before = counts(db)
    code, body, err = loaded("done", "bates-stmp", "--on", "2013-12-01")
    assert code == 3 and body is None
    assert "no obligation 'bates-stmp'" in err and "did you mean bates-stamp" in err
    assert counts(db) == before


def test_done_on_a_day_that_does_not_exist_exits_2(loaded: Run) -> None:
    code, _, err = loaded("done", "bates-stamp", "--on", "2013-11-31")
    assert code == 2 and "--on '2013-11-31'" in err


# -- extend ---------------------------------------------------------------------------------------


def test_extend_to_a_date_and_by_a_period(loaded: Run) -> None:
    code, body, err = loaded(
        "extend", "produce-documents", "--to", "2013-12-10", "--reason", "Stipulation, ECF 160"
    )
    assert code == 0, err
    fact = body["changes"][0]
    assert (fact["what"], fact["why"]) == ("extended", "Stipulation, ECF 160")
    assert fact["after"]["day"] == "2013-12-10"
    [moved] = [c for c in body["changes"] if c["what"] == "schedule changed"]
    assert (moved["before"]["due"], moved["after"]["due"]) == ("2013-11-26", "2013-12-10")

    code, body, err = loaded(
        "extend", "serve-privilege-log", "--by", "14 days", "--reason", "Order of Dec. 2"
    )
    assert code == 0, err
    assert body["changes"][0]["after"]["by_period"] == "14 days"
    [moved] = [c for c in body["changes"] if c["what"] == "schedule changed"]
    # counted from the old due date, Tue 2013-11-26: day 14 is Tue 2013-12-10.
    assert moved["after"]["due"] == "2013-12-10"
    assert body["revised"] == [PREFIX + "serve-privilege-log"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reason", "Stip"], "exactly one of --to DATE or --by PERIOD"),
        (["--to", "2013-12-10", "--by", "14 days", "--reason", "Stip"], "exactly one of"),
        (["--to", "2013-12-10"], "--reason"),
        (["--to", "2013-12-10", "--reason", "  "], "--reason"),
        (["--by", "14 dayz", "--reason", "Stip"], "--by '14 dayz'"),
        (["--to", "2013-12-32", "--reason", "Stip"], "--to '2013-12-32'"),
    ],
)
def test_extend_with_bad_arguments_exits_2_and_writes_nothing(
    loaded: Run, db: str, args: list[str], message: str
) -> None:
    before = counts(db)
    code, body, err = loaded("extend", "produce-documents", *args)
    assert code == 2 and body is None
    assert message in err
    assert counts(db) == before


# -- vacate ---------------------------------------------------------------------------------------


def test_vacate_and_undo(loaded: Run) -> None:
    ref = PREFIX + "name-employees"
    code, body, err = loaded("vacate", "name-employees", "--reason", "Order of Dec. 2, 2013")
    assert code == 0, err
    assert whats(body)[0] == ("vacated", ref)
    assert body["changes"][0]["why"] == "Order of Dec. 2, 2013"
    assert body["revised"] == [ref]
    assert obligations_of(loaded, CASE)["name-employees"]["state"] == "vacated"

    code, body, err = loaded("vacate", "name-employees", "--undo", "--reason", "Order of Dec. 3")
    assert code == 0, err
    assert whats(body)[0] == ("vacatur undone", ref)
    assert body["changes"][0]["after"]["undone"] is True
    [back] = [c for c in body["changes"] if c["what"] == "schedule changed"]
    assert (back["before"]["state"], back["after"]["state"]) == ("vacated", "open")
    shown = obligations_of(loaded, CASE)["name-employees"]
    assert (shown["state"], shown["due"]) == ("open", "2013-11-26")
    assert shown["revision"] == 2


def test_vacate_without_a_reason_exits_2(loaded: Run, db: str) -> None:
    before = counts(db)
    assert loaded("vacate", "name-employees")[0] == 2
    code, _, err = loaded("vacate", "name-employees", "--reason", " ")
    assert code == 2 and "--reason" in err
    assert counts(db) == before


# -- closure --------------------------------------------------------------------------------------


def test_closure_add_moves_the_last_day_in_every_case_of_that_court(loaded: Run) -> None:
    code, body, err = loaded(
        "closure",
        "add",
        "2013-11-26",
        "--court",
        "caed",
        "--reason",
        "CM/ECF outage",
        "--source",
        "General Order 1",
    )
    assert code == 0, err
    fact = body["changes"][0]
    assert (fact["what"], fact["ref"], fact["case"]) == ("closure added", None, None)
    assert (fact["after"]["court"], fact["after"]["day"]) == ("caed", "2013-11-26")
    assert fact["after"]["source"] == "General Order 1"
    fourteen = [
        "produce-documents",
        "confirm-in-writing",
        "return-documents",
        "serve-privilege-log",
        "name-employees",
    ]
    assert set(body["revised"]) == {PREFIX + o for o in fourteen}  # the njd case is untouched
    shown = obligations_of(loaded, CASE)
    # The clerk's office inaccessible on the last day, Tue Nov. 26: the next accessible day.
    assert {shown[o]["due"] for o in fourteen} == {"2013-11-27"}


def test_closure_add_for_an_unknown_court_exits_2_and_writes_nothing(loaded: Run, db: str) -> None:
    before = counts(db)
    code, body, err = loaded("closure", "add", "2013-11-26", "--court", "caedd", "--reason", "x")
    assert code == 2 and body is None
    assert "unknown court 'caedd'" in err and "did you mean caed" in err
    code, _, err = loaded("closure", "add", "2013-11-31", "--court", "caed", "--reason", "x")
    assert code == 2 and "2013-11-31" in err
    assert counts(db) == before


# -- people and assignments -----------------------------------------------------------------------


def test_person_add_and_list(run: Run) -> None:
    code, body, err = run(
        "person", "add", "--name", "Ada Clerk", "--email", "Ada@Firm.example", "--role", "clerk"
    )
    assert code == 0, err
    assert {k: body[k] for k in ("name", "email", "role")} == {
        "name": "Ada Clerk",
        "email": "ada@firm.example",
        "role": "clerk",
    }
    code, body, err = run("person", "add", "--name", "Bo Lawyer", "--email", "bo@firm.example")
    assert code == 0, err
    assert body["role"] == "attorney"
    code, body, _ = run("person", "list")
    assert code == 0
    assert [(p["email"], p["role"]) for p in body] == [
        ("ada@firm.example", "clerk"),
        ("bo@firm.example", "attorney"),
    ]


def test_person_list_of_nobody_is_nothing_found(run: Run) -> None:
    assert run("init")[0] == 0
    code, body, err = run("person", "list")
    assert code == 3 and body is None and "no people" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "Ada again", "--email", "ADA@firm.example"], "already a person"),
        (["--name", "Cy", "--email", "cy@firm.example", "--role", "judge"], "unknown role 'judge'"),
        (["--name", "Cy", "--email", "cy.firm.example"], "not an e-mail address"),
    ],
)
def test_person_add_of_a_duplicate_or_a_bad_role_exits_2(
    run: Run, db: str, args: list[str], message: str
) -> None:
    assert run("person", "add", "--name", "Ada", "--email", "ada@firm.example")[0] == 0
    before = counts(db)
    code, body, err = run("person", "add", *args)
    assert code == 2 and body is None
    assert message in err
    assert counts(db) == before


def test_assign_a_case_a_party_and_one_obligation(loaded: Run, db: str) -> None:
    assert loaded("person", "add", "--name", "Ada", "--email", "ada@firm.example")[0] == 0
    code, body, err = loaded("assign", "ada@firm.example", CASE)
    assert code == 0, err
    assert body == {"person": "ada@firm.example", "case": CASE, "party": None, "obligation": None}
    code, body, err = loaded("assign", "ADA@firm.example", CASE, "--party", "plaintiff")
    assert code == 0, err
    assert (body["party"], body["obligation"]) == ("plaintiff", None)
    code, body, err = loaded("assign", "ada@firm.example", CASE, "--obligation", "bates-stamp")
    assert code == 0, err
    assert body["obligation"] == PREFIX + "bates-stamp"
    assert counts(db)["assignment"] == 3


@pytest.mark.parametrize(
    ("args", "code_", "message"),
    [
        (["bob@firm.example", CASE], 2, "no person with e-mail bob@firm.example"),
        (["ada@firm.example", "no-such-case"], 2, "no case 'no-such-case'"),
        (["ada@firm.example", CASE, "--party", "court"], 2, "no obligation of party 'court'"),
        (["ada@firm.example", CASE, "--obligation", "bates-stmp"], 3, "did you mean bates-stamp"),
    ],
)
def test_assign_to_an_unknown_person_case_party_or_obligation_writes_nothing(
    loaded: Run, db: str, args: list[str], code_: int, message: str
) -> None:
    assert loaded("person", "add", "--name", "Ada", "--email", "ada@firm.example")[0] == 0
    before = counts(db)
    code, body, err = loaded("assign", *args)
    assert code == code_ and body is None
    assert message in err
    assert counts(db) == before


def test_assign_of_an_obligation_of_another_case_exits_2(loaded: Run, db: str) -> None:
    assert loaded("person", "add", "--name", "Ada", "--email", "ada@firm.example")[0] == 0
    before = counts(db)
    code, _, err = loaded("assign", "ada@firm.example", CASE, "--obligation", "joint-letter")
    assert code == 2 and NJ_CASE in err
    assert counts(db) == before


# -- history --------------------------------------------------------------------------------------


def test_history_of_an_obligation_says_what_who_when_why_before_and_after(loaded: Run) -> None:
    assert loaded("done", "return-documents", "--on", "2013-11-26")[0] == 0
    assert loaded("extend", "bates-stamp", "--by", "7 days", "--reason", "Stipulation")[0] == 0
    code, body, err = loaded("history", "bates-stamp")
    assert code == 0, err
    for h in body:
        assert {"what", "who", "at", "why", "before", "after"} <= set(h)
        assert h["ref"] == PREFIX + "bates-stamp" and h["who"] == "ada"
        assert h["at"][:2] == "20" and "T" in h["at"]
    assert [h["what"] for h in body] == [
        "obligation added",
        "schedule changed",
        "extended",
        "schedule changed",
    ]
    added, scheduled, extended, moved = body
    assert added["before"] is None and added["after"]["state"] == "waiting"
    assert scheduled["why"] == PREFIX + "return-documents done 2013-11-26"
    assert (scheduled["before"]["state"], scheduled["after"]["state"]) == ("waiting", "open")
    assert scheduled["after"]["due"] == "2013-12-10"
    assert extended["why"] == "Stipulation" and extended["after"]["by_period"] == "7 days"
    assert (moved["before"]["due"], moved["after"]["due"]) == ("2013-12-10", "2013-12-17")
    assert moved["after"]["revision"] == 2


def test_history_of_a_case(loaded: Run) -> None:
    assert loaded("done", "joint-letter", "--on", "2013-07-15")[0] == 0
    code, body, err = loaded("history", "--case", NJ_CASE)
    assert code == 0, err
    assert {h["case"] for h in body} == {NJ_CASE}
    assert body[0]["what"] == "order loaded" and body[0]["ref"] == f"{NJ_CASE}/{NJ_CASE}"
    assert [h["what"] for h in body].count("obligation added") == 4
    assert [h["what"] for h in body][-2:] == ["done", "schedule changed"]
    assert [h["id"] for h in body] == sorted(h["id"] for h in body)


def test_history_of_nothing_is_nothing_found(loaded: Run) -> None:
    code, body, err = loaded("history", "--case", "no-such-case")
    assert code == 3 and body is None and "no history" in err
    code, body, err = loaded("history", "bates-stmp")
    assert code == 3 and "did you mean bates-stamp" in err


def test_bad_input_on_a_fresh_database_path_leaves_no_file(
    run: Run, db: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[order]\nid = "bad"\ncase = "c"\ncourt = "caed"\nentered = 2013-02-30\n')
    assert run("order", "load", str(bad))[0] == 2
    assert (
        run("person", "add", "--name", "Cy", "--email", "cy@x.example", "--role", "judge")[0] == 2
    )
    assert run("closure", "add", "2013-11-26", "--court", "caedd", "--reason", "x")[0] == 2
    assert not Path(db).exists()


# -- exit 75, the environment, the installed command -----------------------------------------------


def test_a_database_held_by_another_writer_exits_75_and_writes_nothing(
    loaded: Run, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import obligations.store.db as store_db

    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 20)
    before = counts(db)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        code, body, err = loaded("done", "return-documents", "--on", "2013-11-26")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 75 and body is None  # EX_TEMPFAIL: try again (calendars/errors.py)
    assert "busy" in err and "nothing was written" in err
    assert counts(db) == before


def test_the_database_can_come_from_docketcal_db(tmp_path: Path) -> None:
    path = tmp_path / "from-env" / "docket.db"
    env = {"DOCKETCAL_DB": str(path), "DOCKETCAL_USER": "ada"}
    result = runner.invoke(app, ["--format", "json", "order", "load", NJD], env=env)
    assert result.exit_code == 0, result.stderr
    assert path.is_file()
    result = runner.invoke(app, ["--format", "json", "order", "list"], env=env)
    assert result.exit_code == 0, result.stderr
    assert [r["case"] for r in json.loads(result.stdout)] == [NJ_CASE]
    assert counts(str(path))["obligation"] == 4


def test_the_installed_command_takes_the_global_options_after_the_command(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "docketcal"
    db = str(tmp_path / "docket.db")
    env = {**os.environ, "NO_COLOR": "1", "DOCKETCAL_USER": "ada"}
    env.pop("DOCKETCAL_DB", None)

    def docketcal(*args: str) -> Any:
        done = subprocess.run(
            [str(exe), *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    loaded = docketcal("order", "load", CAED, "--db", db, "--format", "json")
    assert loaded["applied"] is True
    done = docketcal("done", "return-documents", "--on", "2013-11-26", "--format=json", "--db", db)
    assert PREFIX + "bates-stamp" in done["revised"]
    history = docketcal("history", "bates-stamp", "--db", db, "--format", "json")
    assert [h["what"] for h in history] == ["obligation added", "schedule changed"]
    assert history[-1]["after"]["due"] == "2013-12-10" and history[-1]["who"] == "ada"

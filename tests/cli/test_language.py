"""The order language of issue 14 through the command line, on a real SQLite file: ``--service``
on ``event record`` and ``done``, the ``condition`` command, ``order show --as-of``, warnings
from ``order check`` and ``order load``, one prefix on every line of an error report, and what
``order load`` refuses (a failing check, a date outside the supported years) without writing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app, hoist

runner = CliRunner()
Run = Callable[..., tuple[int, Any, str]]
HEAD = '[order]\nid = "{id}"\ncase = "lang"\ncourt = "njd"\nentered = {entered}\n'


def write(tmp_path: Path, oid: str, body: str, entered: str = "2025-01-06") -> str:
    path = tmp_path / f"{oid}.toml"
    path.write_text(HEAD.format(id=oid, entered=entered) + body, encoding="utf-8")
    return str(path)


def duty(oid: str, due: str, extra: str = "") -> str:
    return (
        f'\n[[obligation]]\nid = "{oid}"\nparty = "both"\ntext = "The duty {oid}."\n'
        f'cite = "¶ 1"\ndue = "{due}"\n{extra}'
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "docket.db")


@pytest.fixture
def run(db: str) -> Run:
    def invoke(*args: str, fmt: str = "json") -> tuple[int, Any, str]:
        argv = hoist([*args, "--db", db, "--format", fmt])
        result = runner.invoke(app, argv, env={"DOCKETCAL_USER": "ada", "NO_COLOR": "1"})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        out = result.stdout
        body = json.loads(out) if fmt == "json" and out.strip() else (out or None)
        return result.exit_code, body, result.stderr

    return invoke


def rows(db: str) -> int:
    """Rows in every table, read with sqlite3 (not through the code under test)."""
    if not Path(db).exists():
        return 0
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return sum(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names)


def shown(run: Run, order: str, as_of: str) -> dict[str, dict[str, Any]]:
    code, body, err = run("order", "show", order, "--as-of", as_of)
    assert code == 0, err
    return {o["obligation"]: o for o in body["obligations"]}


def test_order_show_honours_as_of(run: Run, tmp_path: Path) -> None:
    """issue 14: order show listed past-due duties as open while upcoming said overdue."""
    assert run("order", "load", write(tmp_path, "o", duty("a", "on 2025-02-03")))[0] == 0
    assert shown(run, "lang/o", "2025-02-03")["a"]["state"] == "open"
    assert shown(run, "lang/o", "2025-02-04")["a"]["state"] == "overdue"
    code, text, _ = run("order", "show", "lang/o", "--as-of", "2025-02-04", fmt="table")
    assert code == 0 and "overdue" in text


def test_event_record_and_done_carry_their_service_method(run: Run, tmp_path: Path) -> None:
    body = duty("reply", "14 days after response") + duty("sur-reply", "7 days after reply")
    assert run("order", "load", write(tmp_path, "o", body))[0] == 0
    # Fri Jan 10 + 14 = Fri Jan 24; mail adds 3 days (Fed. R. Civ. P. 6(d)): Mon Jan 27
    code, _, err = run("event", "record", "lang", "response", "2025-01-10", "--service", "mail")
    assert code == 0, err
    assert shown(run, "lang/o", "2025-01-10")["reply"]["due"] == "2025-01-27"
    # done Mon Jan 27, served by mail: + 7 = Mon Feb 3, + 3 = Thu Feb 6
    code, _, err = run("done", "reply", "--on", "2025-01-27", "--service", "mail")
    assert code == 0, err
    assert shown(run, "lang/o", "2025-01-27")["sur-reply"]["due"] == "2025-02-06"
    code, _, err = run("event", "record", "lang", "response", "2025-01-10", "--service", "owl")
    assert code == 2 and "owl" in err


def test_the_condition_command(run: Run, db: str, tmp_path: Path) -> None:
    extra = 'condition = "if disputes remain"\ncondition_id = "disputes"\n'
    assert (
        run("order", "load", write(tmp_path, "o", duty("letter", "by 2025-03-14", extra)))[0] == 0
    )
    before = rows(db)
    code, _, err = run("condition", "lang", "disputs", "not-met")
    assert code == 2 and "did you mean disputes" in err
    code, _, err = run("condition", "lang", "disputes", "maybe")
    assert code == 2 and "met or not-met" in err
    assert rows(db) == before
    code, body, err = run("condition", "lang", "disputes", "not-met", "--on", "2025-03-01")
    assert code == 0, err
    assert body["revised"] == ["lang/o/letter"]
    assert shown(run, "lang/o", "2025-03-20")["letter"]["state"] == "moot"


def test_order_check_and_load_show_warnings_and_still_succeed(run: Run, tmp_path: Path) -> None:
    body = duty("a", "120 days after order, and in any event by 2025-05-03")
    body += "\n[[check]]\ngiven = { hearing-dat = 2025-02-01 }\nexpect = { a = 2025-05-03 }\n"
    path = write(tmp_path, "o", body)
    result = runner.invoke(app, ["order", "check", path])
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert any(
        f"docketcal: {path}:12:50: warning: due: '120 days after order' gives 2025-05-06" in w
        for w in warnings
    ), warnings
    assert any("is a Saturday" in w for w in warnings)
    assert any(
        ":15:11: warning: given: 'hearing-dat' is used by no due rule" in w for w in warnings
    )
    code, body_json, err = run("order", "load", path)
    assert code == 0, err
    assert any("gives 2025-05-06" in w for w in body_json["warnings"])
    code, _, err = run("order", "load", path, fmt="table")
    assert code == 0  # already loaded: nothing changed, still warned
    assert "warning:" in err


def test_every_line_of_an_error_report_has_the_same_prefix(tmp_path: Path) -> None:
    body = duty("a", "14 dayz after order") + duty("b", "on 2013-02-30")
    result = runner.invoke(app, ["order", "check", write(tmp_path, "o", body)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) >= 2 and all(line.startswith("docketcal: ") for line in lines), lines


def test_order_load_refuses_a_failing_check_and_writes_nothing(
    run: Run, db: str, tmp_path: Path
) -> None:
    """issue 13: order load did not prove the [[check]] examples."""
    # Mon Jan 6 + 14 = Mon Jan 20, Martin Luther King Jr. Day -> Tue Jan 21
    body = duty("a", "14 days after order") + "\n[[check]]\nexpect = { a = 2025-01-20 }\n"
    code, _, err = run("order", "load", write(tmp_path, "o", body))
    assert code == 2
    assert ":15:1: check does not hold: a: expected due 2025-01-20, computed 2025-01-21" in err
    assert rows(db) == 0


def test_order_load_of_a_file_due_on_9999_12_31_is_refused(
    run: Run, db: str, tmp_path: Path
) -> None:
    """issue 13: order check passed it and order load ended in a traceback."""
    code, _, err = run("order", "load", write(tmp_path, "o", duty("a", "on 9999-12-31")))
    assert code == 2
    assert "o.toml:12:11: the date 9999-12-31 is outside the years docketcal supports" in err
    assert rows(db) == 0


def test_order_load_refuses_two_files_with_one_order_id(run: Run, db: str, tmp_path: Path) -> None:
    a = write(tmp_path, "o", duty("a", "on 2025-02-03"))
    other = tmp_path / "other"
    other.mkdir()
    b = write(other, "o", duty("a", "on 2025-02-04"))
    code, _, err = run("order", "load", a, b)
    assert code == 2 and "also the id of" in err
    assert rows(db) == 0


def test_held_amendments_are_listed_until_the_order_is_loaded(run: Run, tmp_path: Path) -> None:
    amend = '\n[[amend]]\norder = "sched"\nobligations = "all"\naction = "extend"\nby = "60 days"\n'
    code, _, err = run("order", "load", write(tmp_path, "ext", amend, "2025-02-20"), fmt="table")
    assert code == 0 and "held: lang/ext amends order sched" in err
    code, text, _ = run("order", "list", fmt="table")
    assert "held: lang/ext amends sched" in text
    code, _, err = run("order", "load", write(tmp_path, "sched", duty("a", "by 2025-03-14")))
    assert code == 0, err
    code, text, _ = run("order", "list", fmt="table")
    assert "held" not in text
    # Fri Mar 14 + 60 = Tue May 13
    assert shown(run, "lang/sched", "2025-03-01")["a"]["due"] == "2025-05-13"


def test_upcoming_lists_series_instances_and_review_duties(run: Run, tmp_path: Path) -> None:
    body = duty("report", "by 2025-03-03 and every 90 days thereafter")
    body += '\n[[obligation]]\nid = "soon"\nparty = "both"\ntext = "As soon as practicable."\ncite = "¶ 2"\nreview = "no date"\n'
    assert run("order", "load", write(tmp_path, "o", body))[0] == 0
    code, items, err = run(
        "upcoming", "--as-of", "2025-03-01", "--within", "120d", "--include-waiting"
    )
    assert code == 0, err
    seen = {(i["obligation"], i["state"], i["due"]) for i in items}
    assert ("report#1", "open", "2025-03-03") in seen
    assert ("report#2", "open", "2025-06-02") in seen  # Sun Jun 1 -> Mon Jun 2
    assert ("soon", "waiting", None) in seen
    [soon] = [i for i in items if i["obligation"] == "soon"]
    assert soon["waiting_on"] == ["review: no date"]
    code, text, _ = run("explain", "soon", fmt="table")
    assert code == 0 and "REVIEW:    no date" in text

"""``docketcal rules``: list, show, preview (one request and --jsonl), apply and changes, with the
fixture rule files of tests/obligations/rules/fixtures (named by DOCKETCAL_RULES). The dates are
worked by hand in tests/obligations/rules/test_rules.py; apply, move and supersede run on a real
docket (a SQLite file, and PostgreSQL where it is set up)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app, hoist

from .conftest import Where

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parents[1] / "obligations" / "rules" / "fixtures" / "good"


@pytest.fixture(autouse=True)
def rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKETCAL_RULES", str(FIXTURES))
    monkeypatch.setenv("DOCKETCAL_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("DOCKETCAL_USER", "ada")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def run(*args: str, stdin: str | None = None, db: str | None = None) -> tuple[int, str, str]:
    argv = hoist([*args, *(["--db", db] if db else [])])
    result = runner.invoke(app, argv, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def js(*args: str, db: str | None = None) -> Any:
    code, out, err = run(*args, "--format", "json", db=db)
    assert code == 0, err
    return json.loads(out)


# -- list, show -------------------------------------------------------------------------------


def test_list_names_the_triggers_of_a_court() -> None:
    every = js("rules", "list")
    assert [t["id"] for t in every] == ["fx-complaint-served", "fx-motion-served", "fx-trial"]
    assert set(every[0]) == {"id", "name", "cite", "ruleset", "deadlines", "note"}
    nysd = {t["id"]: t["deadlines"] for t in js("rules", "list", "--court", "nysd")}
    caed = {t["id"]: t["deadlines"] for t in js("rules", "list", "--court", "caed")}
    assert "fx-local-sur-reply" in nysd["fx-motion-served"]
    assert "fx-local-sur-reply" not in caed["fx-motion-served"]
    assert js("rules", "list", "--court", "calsuperct") == []
    code, out, _ = run("rules", "list", "--court", "nysd")
    assert code == 0 and "fx-motion-served" in out and "Motion served" in out
    code, _, err = run("rules", "list", "--court", "nowhere")
    assert code == 2 and "nowhere" in err


def test_show_gives_each_deadline_with_its_text_and_versions() -> None:
    body = js("rules", "show", "fx-complaint-served")
    assert body["id"] == "fx-complaint-served" and body["ruleset"]["id"] == "fixture-civil"
    answer = body["deadlines"][0]
    assert answer["id"] == "fx-answer" and answer["party"] == "defendant"
    assert [v["due"] for v in answer["versions"]] == [
        "21 days after trigger",
        "20 days after trigger",
    ]
    assert answer["versions"][1]["until"] == "2009-11-30"
    code, out, _ = run("rules", "show", "fx-complaint-served")
    assert code == 0
    assert "Fed. R. Civ. P. 12(a)(1)(A)(i)" in out and "A defendant must serve an answer" in out
    assert "was: 20 days after trigger" in out
    code, _, err = run("rules", "show", "fx-complaint-serve")
    assert code == 3 and "did you mean fx-complaint-served" in err


# -- preview ----------------------------------------------------------------------------------

PREVIEW_KEYS = {
    "id", "title", "party", "kind", "state", "due", "due_at", "safe_due", "cite", "excerpt",
    "source", "rule", "when", "version", "current", "ruleset", "note", "readings", "warnings",
    "waiting_on", "chain", "trace",
}  # fmt: skip


def test_preview_json_contract() -> None:
    body = js(
        "rules", "preview", "fx-motion-served", "2025-01-22", "--court", "nysd", "--service", "mail"
    )
    assert set(body) == {"trigger", "name", "cite", "court", "date", "service", "deadlines"}
    assert body["trigger"] == "fx-motion-served" and body["service"] == "mail"
    got = {d["id"]: d for d in body["deadlines"]}
    assert list(got) == ["fx-opposition", "fx-reply", "fx-local-sur-reply"]
    assert all(set(d) == PREVIEW_KEYS for d in body["deadlines"])
    assert [got[k]["due"] for k in got] == ["2025-02-10", "2025-02-18", "2025-02-21"]
    opposition = got["fx-opposition"]
    assert opposition["trace"][0]["rule"] == opposition["cite"]
    assert [s["step"] for s in opposition["trace"]] == list(range(1, len(opposition["trace"]) + 1))
    assert any(s["rule"] == "Fed. R. Civ. P. 6(d)" for s in opposition["trace"])
    assert opposition["readings"] and opposition["safe_due"] == "2025-02-10"


def test_preview_text_and_an_earlier_version() -> None:
    code, out, err = run("rules", "preview", "fx-complaint-served", "2009-11-20", "--court", "nysd")
    assert code == 0, err
    assert "Thu 2009-12-10  Serve an answer" in out
    assert "the version in force then: '20 days after trigger'" in out
    body = js(
        "rules",
        "preview",
        "fx-complaint-served",
        "2009-11-20",
        "--court",
        "nysd",
        "--rules-as-of",
        "2025-01-01",
    )
    assert body["deadlines"][0]["due"] == "2009-12-11"


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["fx-trial"], 2, "needs a trigger, a date and --court"),
        (["fx-trial", "2025-02-30", "--court", "nysd"], 2, "February 2025 has 28 days"),
        (["fx-trial", "1850-01-01", "--court", "nysd"], 2, "outside the years"),
        (["fx-trial", "2025-01-02", "--court", "calsuperct"], 2, "does not apply in court"),
        (
            ["fx-trial", "2025-01-02", "--court", "nysd", "--service", "owl"],
            2,
            "service method 'owl'",
        ),
        (["fx-nope", "2025-01-02", "--court", "nysd"], 3, "no trigger 'fx-nope'"),
        (["fx-trial", "2025-01-02", "--jsonl"], 2, "--jsonl reads its requests"),
    ],
)
def test_preview_refusals(args: list[str], code: int, says: str) -> None:
    got, out, err = run("rules", "preview", *args)
    assert got == code, err
    assert says in err and out == ""
    assert "Traceback" not in err


def test_preview_jsonl_one_result_per_line_and_an_error_line_for_each_bad_one() -> None:
    lines = [
        {"court": "nysd", "date": "2025-01-22", "trigger": "fx-motion-served", "service": "mail"},
        "not json",
        {"court": "nysd", "date": "2025-01-22", "trigger": "fx-motion-served", "colour": "red"},
        {"court": "nysd", "trigger": "fx-trial"},
        {"court": "nysd", "date": "2025-13-01", "trigger": "fx-trial"},
        {"court": "nysd", "date": "2025-01-22", "trigger": "fx-nope"},
        [1, 2],
        {"court": "nysd", "date": "2025-01-22"},
        {"court": 7, "date": "2025-01-22"},
        {"court": "calsuperct", "date": "2025-01-22", "trigger": "fx-trial"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n"
    code, out, err = run("rules", "preview", "--jsonl", stdin=stdin)
    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(lines)
    assert [d["due"] for d in results[0]["deadlines"]] == ["2025-02-10", "2025-02-18", "2025-02-21"]
    errors = {n: r["error"] for n, r in enumerate(results, 1) if "error" in r}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 9, 10]
    assert errors[2].startswith("line 2: not JSON")
    assert 'unknown keys: "colour"' in errors[3]
    assert '"date" is missing' in errors[4]
    assert "is not a date" in errors[5]
    assert "no trigger 'fx-nope'" in errors[6]
    assert "expected a JSON object" in errors[7]
    assert '"court" must be a string' in errors[9]
    assert "does not apply in court" in errors[10]
    every = results[7]
    assert every["court"] == "nysd"
    assert [t["trigger"] for t in every["triggers"]] == [
        "fx-complaint-served",
        "fx-motion-served",
        "fx-trial",
    ]
    assert every["triggers"][2]["deadlines"][0]["due"] == "2024-12-23"


def test_a_bad_rule_file_refuses_every_command_with_its_place(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "rules"
    bad.mkdir()
    text = (FIXTURES / "fixture-civil.toml").read_text(encoding="utf-8")
    (bad / "fixture-civil.toml").write_text(
        text.replace('"21 days after trigger"', '"21 dayz after trigger"'), encoding="utf-8"
    )
    monkeypatch.setenv("DOCKETCAL_RULES", str(bad))
    for args in (
        ["rules", "list"],
        ["rules", "preview", "fx-trial", "2025-01-02", "--court", "nysd"],
    ):
        code, out, err = run(*args)
        assert code == 2 and out == ""
        assert (
            "fixture-civil.toml:33:11: deadline 'fx-answer': due rule '21 dayz after trigger'"
            in err
        )
        assert "Traceback" not in err
        assert len(err.strip().splitlines()) == 1  # what names the broken deadline is not blamed


def test_the_checked_rules_are_kept_and_a_changed_file_is_read_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import os

    folder = tmp_path / "rules"
    folder.mkdir()
    for p in FIXTURES.glob("*.toml"):
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("DOCKETCAL_RULES", str(folder))
    assert len(js("rules", "list")) == 3
    (kept,) = (tmp_path / "cache" / "docketcal").glob("rules-*.pickle")
    assert len(js("rules", "list")) == 3  # from the kept copy
    kept.write_bytes(b"not a pickle")  # a damaged copy is read past
    assert len(js("rules", "list")) == 3
    civil = folder / "fixture-civil.toml"
    text = civil.read_text(encoding="utf-8")
    civil.write_text(
        text.replace('id = "fx-trial"', 'id = "fx-trial-set"').replace(
            '"fx-trial"', '"fx-trial-set"'
        ),
        encoding="utf-8",
    )
    os.utime(civil, ns=(1, 1))  # even with an old time: the size differs
    assert [t["id"] for t in js("rules", "list")][-1] == "fx-trial-set"
    civil.write_text(
        text.replace('"21 days after trigger"', '"21 dayz after trigger"'), encoding="utf-8"
    )
    for _ in range(2):  # a file with mistakes is never kept: each run says them
        code, _, err = run("rules", "list")
        assert code == 2 and "21 dayz" in err
    monkeypatch.setenv("DOCKETCAL_RULES_CACHE", "0")
    code, _, err = run("rules", "list")
    assert code == 2


# -- apply, move, supersede, changes -----------------------------------------------------------

SUPERSEDING = """[order]
id = "scheduling-order"
case = "acme"
court = "nysd"
entered = 2025-01-30
title = "Scheduling order"

[[obligation]]
id = "opposition"
party = "respondent"
text = "Any opposition shall be filed by March 3, 2025."
cite = "¶ 2"
due = "on 2025-03-03"

[[amend]]
order = "rules-fx-motion-served"
obligation = "fx-opposition"
action = "supersede"
replacement = "opposition"
reason = "The scheduling order sets the opposition's date"
"""


def test_apply_puts_the_deadlines_on_the_case_and_a_corrected_date_moves_them(where: Where) -> None:
    db = where.url
    code, _, err = run(
        "rules", "apply", "acme", "fx-motion-served", "2025-01-22", "--service", "mail", db=db
    )
    assert code == 2 and "no case 'acme' on the docket" in err and "--court" in err
    body = js(
        "rules",
        "apply",
        "acme",
        "fx-motion-served",
        "2025-01-22",
        "--service",
        "mail",
        "--court",
        "nysd",
        db=db,
    )
    added = {
        h["ref"]: h["after"]["due"] for h in body["changes"] if h["what"] == "obligation added"
    }
    assert added == {
        "acme/rules-fx-motion-served/fx-opposition": "2025-02-10",
        "acme/rules-fx-motion-served/fx-reply": "2025-02-18",
        "acme/rules-fx-motion-served/fx-local-sur-reply": "2025-02-21",
    }
    assert any(h["what"] == "event recorded" for h in body["changes"])
    order = js("order", "show", "acme/rules-fx-motion-served", db=db)
    assert order["versions"][0]["version"] == 1 and 'source = "rules"' in order["text"]
    # the same again changes nothing
    again = js(
        "rules", "apply", "acme", "fx-motion-served", "2025-01-22", "--service", "mail", db=db
    )
    assert again["changes"] == []
    # a corrected date: Fri 2025-01-31 + 14 = Fri 2025-02-14, + 3 = Mon 2025-02-17, Washington's
    # Birthday: Tue 2025-02-18; the reply 7 days later, Tue 2025-02-25
    moved = js(
        "rules", "apply", "acme", "fx-motion-served", "2025-01-31", "--service", "mail", db=db
    )
    after = {
        h["ref"]: h["after"]["due"] for h in moved["changes"] if h["what"] == "schedule changed"
    }
    assert after["acme/rules-fx-motion-served/fx-opposition"] == "2025-02-18"
    assert after["acme/rules-fx-motion-served/fx-reply"] == "2025-02-25"
    # and the event corrected as any event is: served by hand on Mon 2025-02-03, 14 days: Mon
    # 2025-02-17, Washington's Birthday, to Tue 2025-02-18 (no 6(d) days)
    js("event", "record", "acme", "fx-motion-served", "2025-02-03", "--service", "hand", db=db)
    item = js("explain", "acme/rules-fx-motion-served/fx-opposition", db=db)
    assert item["due"] == "2025-02-18"


def test_done_extend_vacate_and_history_work_as_for_order_duties(where: Where) -> None:
    db = where.url
    js(
        "rules",
        "apply",
        "acme",
        "fx-motion-served",
        "2025-01-22",
        "--service",
        "mail",
        "--court",
        "nysd",
        db=db,
    )
    ext = js(
        "extend",
        "acme/rules-fx-motion-served/fx-reply",
        "--to",
        "2025-02-28",
        "--reason",
        "stipulation",
        db=db,
    )
    assert any(h["after"] and h["after"].get("due") == "2025-02-28" for h in ext["changes"])
    js("done", "acme/rules-fx-motion-served/fx-opposition", "--on", "2025-02-07", db=db)
    js("vacate", "acme/rules-fx-motion-served/fx-local-sur-reply", "--reason", "not needed", db=db)
    upcoming = js("--as-of", "2025-02-01", "upcoming", "--within", "60d", db=db)
    assert [(i["ref"], i["state"], i["due"]) for i in upcoming] == [
        ("acme/rules-fx-motion-served/fx-reply", "open", "2025-02-28")
    ]
    assert upcoming[0]["cite"] == "Fixture reply rule"
    history = js("history", "acme/rules-fx-motion-served/fx-opposition", db=db)
    assert [h["what"] for h in history][:2] == ["obligation added", "done"]
    assert history[0]["why"] == "rules fx-motion-served applied"
    code, out, err = run("feed", "show", "case:acme", db=db)
    assert code == 0, err
    assert "BEGIN:VEVENT" in out and "20250228" in out  # the extended reply, in the feed


def test_a_later_order_supersedes_the_rules_deadline(where: Where, tmp_path: Path) -> None:
    db = where.url
    order = tmp_path / "scheduling.toml"
    order.write_text(SUPERSEDING, encoding="utf-8")
    # the order first: its amendment is held until the rules' order is on the case
    code, out, err = run("order", "load", str(order), "--format", "json", db=db)
    assert code == 0, err
    assert json.loads(out)["held"][0]["amends"] == "rules-fx-motion-served"
    body = js(
        "rules", "apply", "acme", "fx-motion-served", "2025-01-22", "--service", "mail", db=db
    )
    assert any(h["what"] == "amendment applied" for h in body["changes"])
    show = js("order", "show", "acme/rules-fx-motion-served", db=db)
    states = {o["obligation"]: o["state"] for o in show["obligations"]}
    assert states["fx-opposition"] == "vacated"
    item = js("explain", "acme/rules-fx-motion-served/fx-opposition", db=db)
    assert any("superseded by opposition (order scheduling-order)" in a for a in item["amendments"])
    assert js("explain", "acme/scheduling-order/opposition", db=db)["due"] == "2025-03-03"


def test_an_order_setting_the_same_deadline_without_superseding_it_is_said(
    where: Where, tmp_path: Path
) -> None:
    db = where.url
    order = tmp_path / "same.toml"
    order.write_text(
        SUPERSEDING.split("[[amend]]")[0].replace('id = "opposition"', 'id = "fx-opposition"'),
        encoding="utf-8",
    )
    assert run("order", "load", str(order), db=db)[0] == 0
    code, _, err = run("rules", "apply", "acme", "fx-motion-served", "2025-01-22", db=db)
    assert code == 0, err
    assert (
        "order scheduling-order also sets 'fx-opposition'" in err and 'action = "supersede"' in err
    )


def test_changes_lists_what_a_newer_version_would_move_until_it_is_applied(where: Where) -> None:
    db = where.url
    assert js("rules", "changes", db=db) == []
    js("rules", "apply", "acme", "fx-complaint-served", "2009-11-20", "--court", "nysd", db=db)
    rows = js("rules", "changes", db=db)
    assert [(r["deadline"], r["change"]) for r in rows] == [
        ("fx-answer", "a newer version of the rule"),
        ("fx-amend-once", "counts from a deadline whose rule changed"),
    ]
    # 20 days after Fri 2009-11-20: Thu 2009-12-10; 21 days: Fri 2009-12-11; the amendment 21
    # days later: Thu 2009-12-31, or Fri 2010-01-01 (New Year's Day) to Mon 2010-01-04
    assert [(r["now"]["due"], r["current"]["due"]) for r in rows] == [
        ("2009-12-10", "2009-12-11"),
        ("2009-12-31", "2010-01-04"),
    ]
    assert rows[0]["current"]["effective"] == "2009-12-01"
    code, out, _ = run("rules", "changes", "--case", "acme", db=db)
    assert code == 0 and "a newer version of the rule" in out
    js(
        "rules",
        "apply",
        "acme",
        "fx-complaint-served",
        "2009-11-20",
        "--rules-as-of",
        "2026-01-01",
        db=db,
    )
    assert js("rules", "changes", db=db) == []


# -- fuzzing the commands' arguments ------------------------------------------------------------

FUZZ_ODD = [
    "",
    " ",
    "\x00",
    "\r\n",
    "\x1b[2J",
    "\ud800",
    "\u2028",
    "'",
    "é",
    "--",
    "--help",
    "x" * 600,
]
FUZZ_DATES = [
    "2025-01-22",
    "2009-11-20",
    "1990-05-01",
    "2025-02-30",
    "1850-01-01",
    "2201-01-01",
    "2025-01-22T10:00",
    "2025-01-22T10:00+01:00",
    "today",
]
FUZZ_TRIGGERS = ["fx-complaint-served", "fx-motion-served", "fx-trial", "fx-nope", "FX-TRIAL"]
FUZZ_LABELS = [
    "def-acme", "2nd interrogatories", " Def-Acme ", "ecf-41", "a/b", "-x", "x" * 65, "\t", "_",
]  # fmt: skip


def _pick(*pools: list[str]) -> Any:
    from hypothesis import strategies as st

    return st.one_of(st.sampled_from([v for p in pools for v in p]), st.text(max_size=20))


@pytest.fixture(scope="module")
def fuzz_docket(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rules-fuzz")
    db = folder / "docket.db"
    env = {
        "DOCKETCAL_RULES": str(FIXTURES),
        "DOCKETCAL_CONFIG": str(folder / "none.toml"),
        "DOCKETCAL_USER": "fuzz",
    }
    loaded = folder / "loaded.toml"  # an order of another kind with an occurrence's id
    loaded.write_text(
        SUPERSEDING.split("[[amend]]")[0].replace(
            'id = "scheduling-order"', 'id = "rules-fx-motion-served-ecf-41"'
        ),
        encoding="utf-8",
    )
    for argv in (
        ["rules", "apply", "acme", "fx-motion-served", "2025-01-22", "--court", "nysd"],
        ["rules", "apply", "acme", "fx-motion-served", "2025-01-31", "--as", "def-acme"],
        ["order", "load", str(loaded)],
    ):
        result = runner.invoke(app, hoist([*argv, "--db", str(db)]), env=env)
        assert result.exit_code == 0, result.stderr
    return db


@pytest.mark.fuzz
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_fuzz_the_rules_commands(fuzz_docket: Path) -> None:
    """Whatever the arguments: no traceback, never exit 1, and a refusal writes nothing."""
    import hashlib
    import sqlite3

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    def digest() -> str:
        with sqlite3.connect(fuzz_docket) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return hashlib.sha256(fuzz_docket.read_bytes()).hexdigest()

    def opt(name: str, value: Any) -> Any:
        return st.one_of(st.just([]), value.map(lambda v: [name, v]))

    def cmd(*parts: Any) -> Any:
        return st.tuples(*parts).map(lambda ps: [a for p in ps for a in p])

    words = st.just
    argvs = st.one_of(
        cmd(words(["rules", "list"]), opt("--court", _pick(["nysd", "caed", "nowhere"], FUZZ_ODD))),
        cmd(words(["rules", "show"]), _pick(FUZZ_TRIGGERS, FUZZ_ODD).map(lambda v: [v])),
        cmd(
            words(["rules", "preview"]),
            _pick(FUZZ_TRIGGERS, FUZZ_ODD).map(lambda v: [v]),
            _pick(FUZZ_DATES, FUZZ_ODD).map(lambda v: [v]),
            opt("--court", _pick(["nysd", "caed", "calsuperct"], FUZZ_ODD)),
            opt("--service", _pick(["mail", "hand", "owl"], FUZZ_ODD)),
            opt("--party", _pick(["movant", "x"], FUZZ_ODD)),
            opt("--rules-as-of", _pick(FUZZ_DATES, FUZZ_ODD)),
        ),
        cmd(
            words(["rules", "apply"]),
            _pick(["acme", "new-case", "ACME", " acme "], FUZZ_ODD).map(lambda v: [v]),
            _pick(FUZZ_TRIGGERS, FUZZ_ODD).map(lambda v: [v]),
            _pick(FUZZ_DATES, FUZZ_ODD).map(lambda v: [v]),
            opt("--court", _pick(["nysd", "caed", "calsuperct"], FUZZ_ODD)),
            opt("--service", _pick(["mail", "hand", "owl"], FUZZ_ODD)),
            opt("--party", _pick(["movant", "x"], FUZZ_ODD)),
            opt("--rules-as-of", _pick(FUZZ_DATES, FUZZ_ODD)),
            opt("--as", _pick(FUZZ_LABELS, FUZZ_ODD)),
        ),
        cmd(words(["rules", "changes"]), opt("--case", _pick(["acme", "nope"], FUZZ_ODD))),
    )
    fmt_flag = st.sampled_from([[], ["--format", "json"]])
    env = {
        "DOCKETCAL_RULES": str(FIXTURES),
        "DOCKETCAL_CONFIG": str(fuzz_docket.parent / "none.toml"),
        "DOCKETCAL_USER": "fuzz",
        "DOCKETCAL_DEBUG": "",
    }

    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(argv=argvs, fmt=fmt_flag)
    def one(argv: list[str], fmt: list[str]) -> None:
        before = digest()
        result = runner.invoke(app, hoist([*fmt, *argv, "--db", str(fuzz_docket)]), env=env)
        err = result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            argv,
            repr(result.exception),
        )
        assert result.exit_code != 1, (argv, err[-2000:])
        assert "Traceback" not in err and "Traceback" not in result.stdout, argv
        if result.exit_code == 2:
            assert digest() == before, (argv, "refused, yet the docket changed", err[-500:])

    one()


def test_apply_refuses_what_does_not_fit_the_case_and_writes_nothing(where: Where) -> None:
    db = where.url
    js("rules", "apply", "acme", "fx-trial", "2025-01-22", "--court", "nysd", db=db)
    before = js("history", "--case", "acme", db=db)
    for args, says in [
        (["--court", "caed"], "case acme is in court nysd, not caed"),
        (["--party", "appellee"], "is for party 'appellee'"),
        (["--service", "owl"], "service method 'owl'"),
    ]:
        code, _, err = run("rules", "apply", "acme", "fx-motion-served", "2025-01-22", *args, db=db)
        assert code == 2 and says in err, err
    code, _, err = run(
        "rules", "apply", "other", "fx-trial", "2025-01-22", "--court", "calsuperct", db=db
    )
    assert code == 2 and "does not apply in court" in err
    assert js("history", "--case", "acme", db=db) == before
    code, _, err = run("order", "list", "--case", "other", db=db)
    assert code == 3  # the new case was not made either


def test_a_trigger_with_a_time() -> None:
    # a hearing at 10:00 on Fri 2025-03-14: 30 days before, Wed 2025-02-12, Lincoln's Birthday
    # in New York, is a state holiday: state holidays count only forward (6(a)(6)(C)), so the
    # date stays; the JSON keeps the trigger's time
    body = js("rules", "preview", "fx-trial", "2025-03-14T10:00", "--court", "nysd")
    assert body["date"] == "2025-03-14T10:00"
    assert body["deadlines"][0]["due"] == "2025-02-12"


def test_reminders_reach_the_duties_put_on_by_rule(where: Where) -> None:
    db = where.url
    js("rules", "apply", "acme", "fx-motion-served", "2025-01-22", "--court", "nysd", db=db)
    js("person", "add", "--name", "Ada", "--email", "ada@firm.example", db=db)
    js("assign", "ada@firm.example", "acme", db=db)
    # Wed 2025-01-22 + 14 = Wed 2025-02-05; on Mon 2025-02-03 it is due in 2 days
    body = js("--as-of", "2025-02-03", "remind", "--dry-run", db=db)
    (mail,) = body["emails"]
    assert mail["to"] == "ada@firm.example"
    refs = {r["ref"]: r["due"] for r in mail["reminders"]}
    assert refs["acme/rules-fx-motion-served/fx-opposition"] == "2025-02-05"


def test_preview_jsonl_keeps_each_answer_on_one_line_for_every_reader() -> None:
    stdin = json.dumps({"court": "x\u2028y\x85", "date": "2025-01-22"}, ensure_ascii=False)
    code, out, _ = run("rules", "preview", "--jsonl", stdin=stdin + "\n")
    assert code == 0
    (line,) = out.splitlines()  # str.splitlines breaks at U+2028 and U+0085 too
    assert "x\u2028y\x85" in json.loads(line)["error"]


# -- one trigger, many occurrences (--as) -------------------------------------------------------

INTERROGATORIES = "frcp-interrogatories-served"
ANSWERS = "frcp-interrogatory-answers"
FIRST = f"acme/rules-{INTERROGATORIES}-1st-interrogatories/{ANSWERS}"
SECOND = f"acme/rules-{INTERROGATORIES}-2nd-interrogatories/{ANSWERS}"

# Two sets of interrogatories served on one case in S.D.N.Y. (the installed rules), each
# answered on its own date: (label, served, service, answers due, source).
TWO_SETS = [
    (
        "1st interrogatories",
        "2025-03-03",
        None,
        "2025-04-02",
        "Fed. R. Civ. P. 33(b)(2), 6(a)(1): 30 days after Mon. Mar. 3, 2025 is Wed. Apr. 2, 2025,"
        " no holiday (https://www.law.cornell.edu/rules/frcp/rule_33)",
    ),
    (
        "2nd interrogatories",
        "2025-04-25",
        "mail",
        "2025-05-30",
        "Fed. R. Civ. P. 33(b)(2), 6(a)(1)(C), 6(d): 30 days after Fri. Apr. 25, 2025 is Sun."
        " May 25; Mon. May 26 is Memorial Day, so the period ends Tue. May 27; served by mail,"
        " 3 days are added after it: Fri. May 30, 2025"
        " (https://www.law.cornell.edu/rules/frcp/rule_33, rule_6)",
    ),
]


def _two_sets(db: str) -> list[Any]:
    bodies = []
    for label, served, how, _, _ in TWO_SETS:
        service = ["--service", how] if how else []
        args = ["rules", "apply", "acme", INTERROGATORIES, served, *service, "--court", "nysd"]
        bodies.append(js(*args, "--as", label, db=db))
    return bodies


@pytest.fixture
def installed_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKETCAL_RULES")


@pytest.mark.usefixtures("installed_rules")
def test_two_occurrences_of_one_trigger_each_get_their_deadlines(where: Where) -> None:
    db = where.url
    first, second = _two_sets(db)
    assert {k: first[k] for k in ("trigger", "label", "order", "event")} == {
        "trigger": INTERROGATORIES,
        "label": "1st-interrogatories",
        "order": f"rules-{INTERROGATORIES}-1st-interrogatories",
        "event": f"{INTERROGATORIES}-1st-interrogatories",
    }
    assert second["label"] == "2nd-interrogatories"
    assert "warnings" not in second  # the first occurrence's answers are not another order's
    for body, (_, _, _, due, source) in zip((first, second), TWO_SETS, strict=True):
        added = [h for h in body["changes"] if h["what"] == "obligation added"]
        assert [(h["ref"].rsplit("/", 1)[-1], h["after"]["due"]) for h in added] == [
            (ANSWERS, due)
        ], source
        (event,) = [h for h in body["changes"] if h["what"] == "event recorded"]
        assert event["after"]["name"] == body["event"]
    # the first occurrence is untouched by the second
    assert [h["ref"] for h in second["changes"] if h["ref"] and "1st" in h["ref"]] == []
    for ref, (_, _, _, due, source) in zip((FIRST, SECOND), TWO_SETS, strict=True):
        assert js("explain", ref, db=db)["due"] == due, source
    upcoming = js("--as-of", "2025-03-01", "upcoming", "--within", "120d", db=db)
    assert [(i["ref"], i["due"]) for i in upcoming] == [
        (FIRST, "2025-04-02"),
        (SECOND, "2025-05-30"),
    ]
    orders = {o["order"] for o in js("order", "list", "--case", "acme", db=db)}
    assert orders == {
        f"rules-{INTERROGATORIES}-1st-interrogatories",
        f"rules-{INTERROGATORIES}-2nd-interrogatories",
    }
    # each has its own history, and the trigger without a label is as before: an order of its own
    history = js("history", SECOND, db=db)
    assert history[0]["why"] == f"rules {INTERROGATORIES} applied as 2nd-interrogatories"
    assert all("1st" not in (h["ref"] or "") for h in history)
    plain = js("rules", "apply", "acme", INTERROGATORIES, "2025-03-10", db=db)
    assert plain["label"] is None and plain["order"] == f"rules-{INTERROGATORIES}"
    # 30 days after Mon. Mar. 10, 2025: Wed. Apr. 9 (Fed. R. Civ. P. 33(b)(2), 6(a)(1))
    assert js("explain", f"acme/rules-{INTERROGATORIES}/{ANSWERS}", db=db)["due"] == "2025-04-09"
    code, _, err = run(
        "rules", "apply", "acme", INTERROGATORIES, "2025-03-03", "--as", "1st  Interrogatories",
        db=db,
    )  # fmt: skip
    assert code == 0 and "rules-frcp-interrogatories-served-1st-interrogatories" in err


@pytest.mark.usefixtures("installed_rules")
def test_correcting_one_occurrence_moves_only_its_deadlines(where: Where) -> None:
    db = where.url
    _two_sets(db)
    # the same label and date again: nothing changes
    again = js(
        "rules", "apply", "acme", INTERROGATORIES, "2025-04-25", "--service", "mail",
        "--as", "2nd interrogatories", db=db,
    )  # fmt: skip
    assert again["changes"] == []
    # the second set was served on Mon. Apr. 28, 2025, by mail: 30 days is Wed. May 28; 3 days
    # added (Fed. R. Civ. P. 6(d)) is Sat. May 31, so Mon. Jun. 2 (6(a)(1)(C))
    moved = js(
        "rules", "apply", "acme", INTERROGATORIES, "2025-04-28", "--service", "mail",
        "--as", "2nd-interrogatories", db=db,
    )  # fmt: skip
    changed = {
        h["ref"]: h["after"]["due"] for h in moved["changes"] if h["what"] == "schedule changed"
    }
    assert changed == {SECOND: "2025-06-02"}
    assert js("explain", FIRST, db=db)["due"] == "2025-04-02"
    assert [
        v["version"] for v in js("order", "show", SECOND.rsplit("/", 1)[0], db=db)["versions"]
    ] == [1, 2]
    assert len(js("order", "show", FIRST.rsplit("/", 1)[0], db=db)["versions"]) == 1
    # the occurrence's event corrected as any event is, back to Fri. Apr. 25: Fri. May 30
    js(
        "event", "record", "acme", f"{INTERROGATORIES}-2nd-interrogatories", "2025-04-25",
        "--service", "mail", db=db,
    )  # fmt: skip
    assert js("explain", SECOND, db=db)["due"] == "2025-05-30"
    assert js("explain", FIRST, db=db)["due"] == "2025-04-02"


@pytest.mark.usefixtures("installed_rules")
def test_done_and_extend_on_one_occurrence_leave_the_other(where: Where) -> None:
    db = where.url
    _two_sets(db)
    js("done", FIRST, "--on", "2025-03-28", db=db)
    js("extend", SECOND, "--to", "2025-06-13", "--reason", "stipulation (Rule 29(b))", db=db)
    first = js("--as-of", "2025-03-29", "explain", FIRST, db=db)
    second = js("--as-of", "2025-03-29", "explain", SECOND, db=db)
    assert (first["state"], first["due"]) == ("done", "2025-04-02")
    assert (second["state"], second["due"]) == ("open", "2025-06-13")
    upcoming = js("--as-of", "2025-03-29", "upcoming", "--within", "120d", db=db)
    assert [(i["ref"], i["due"]) for i in upcoming] == [(SECOND, "2025-06-13")]
    # correcting the first occurrence's date leaves the second's extension as it is
    js(
        "rules", "apply", "acme", INTERROGATORIES, "2025-03-04", "--as", "1st interrogatories",
        db=db,
    )  # fmt: skip
    assert js("explain", SECOND, db=db)["due"] == "2025-06-13"


def test_a_later_order_amends_one_occurrence_by_its_order_id(where: Where, tmp_path: Path) -> None:
    db = where.url
    for label, served in (("def-acme", "2025-01-22"), ("def-beta", "2025-01-31")):
        js(
            "rules", "apply", "acme", "fx-motion-served", served, "--service", "mail",
            "--court", "nysd", "--as", label, db=db,
        )  # fmt: skip
    order = tmp_path / "scheduling.toml"
    order.write_text(
        SUPERSEDING.replace('"rules-fx-motion-served"', '"rules-fx-motion-served-def-acme"'),
        encoding="utf-8",
    )
    code, _, err = run("order", "load", str(order), db=db)
    assert code == 0, err
    acme = js("explain", "acme/rules-fx-motion-served-def-acme/fx-opposition", db=db)
    assert acme["state"] == "vacated"
    assert any("superseded by opposition (order scheduling-order)" in a for a in acme["amendments"])
    # the other occurrence's opposition keeps its date: Fri 2025-01-31 + 14 = Fri 2025-02-14,
    # + 3 (6(d)) = Mon 2025-02-17, Washington's Birthday, to Tue 2025-02-18
    beta = js(
        "--as-of",
        "2025-02-01",
        "explain",
        "acme/rules-fx-motion-served-def-beta/fx-opposition",
        db=db,
    )
    assert (beta["state"], beta["due"]) == ("open", "2025-02-18")


def test_changes_lists_each_occurrence_separately(where: Where) -> None:
    db = where.url
    for label, served in (("def-a", "2009-11-20"), ("def-b", "2009-11-24")):
        js(
            "rules", "apply", "acme", "fx-complaint-served", served, "--court", "nysd",
            "--as", label, db=db,
        )  # fmt: skip
    rows = js("rules", "changes", db=db)
    # def-a: 20 days after Fri 2009-11-20, Thu 2009-12-10; 21 days, Fri 2009-12-11.
    # def-b: 20 days after Tue 2009-11-24, Mon 2009-12-14; 21 days, Tue 2009-12-15 (Fed. R.
    # Civ. P. 12(a)(1)(A), the 1993 text and the 2009 one)
    answers = [
        (r["label"], r["order"], r["event"], r["now"]["due"], r["current"]["due"])
        for r in rows
        if r["deadline"] == "fx-answer"
    ]
    assert answers == [
        ("def-a", "rules-fx-complaint-served-def-a", "fx-complaint-served-def-a", "2009-12-10", "2009-12-11"),
        ("def-b", "rules-fx-complaint-served-def-b", "fx-complaint-served-def-b", "2009-12-14", "2009-12-15"),
    ]  # fmt: skip
    assert {r["trigger"] for r in rows} == {"fx-complaint-served"}
    code, out, _ = run("rules", "changes", db=db)
    assert code == 0 and "occurrence def-b, on 2009-11-24" in out
    js(
        "rules", "apply", "acme", "fx-complaint-served", "2009-11-20", "--as", "def-a",
        "--rules-as-of", "2026-01-01", db=db,
    )  # fmt: skip
    assert {r["label"] for r in js("rules", "changes", db=db)} == {"def-b"}


def test_bad_labels_are_refused_and_nothing_is_written(where: Where, tmp_path: Path) -> None:
    db = where.url
    js("rules", "apply", "acme", "fx-motion-served", "2025-01-22", "--court", "nysd", db=db)
    loaded = tmp_path / "loaded.toml"
    loaded.write_text(
        SUPERSEDING.split("[[amend]]")[0].replace(
            'id = "scheduling-order"', 'id = "rules-fx-motion-served-ecf-41"'
        ),
        encoding="utf-8",
    )
    assert run("order", "load", str(loaded), db=db)[0] == 0
    before = (js("history", "--case", "acme", db=db), js("order", "list", "--case", "acme", db=db))
    for label, says in [
        ("", "the label (--as) is empty"),
        ("   ", "the label (--as) is empty"),
        ("x" * 65, "at most 64"),
        ("def/acme", "is not a name an order or event can have"),
        ("-acme", "is not a name an order or event can have"),
        ("défendeur", "is not a name an order or event can have"),
        ("ECF 41", "not put on by rules apply"),
    ]:
        code, out, err = run(
            "rules", "apply", "acme", "fx-motion-served", "2025-01-31", "--as", label, db=db
        )
        assert code == 2 and says in err and out == "", (label, err)
        assert "Traceback" not in err
    assert (
        js("history", "--case", "acme", db=db),
        js("order", "list", "--case", "acme", db=db),
    ) == before
    # a new case is not made either
    code, _, err = run(
        "rules", "apply", "other", "fx-trial", "2025-01-22", "--court", "nysd", "--as", "", db=db
    )
    assert code == 2
    assert run("order", "list", "--case", "other", db=db)[0] == 3


@pytest.mark.usefixtures("installed_rules")
def test_a_label_making_another_triggers_order_is_refused(where: Where) -> None:
    db = where.url
    code, out, err = run(
        "rules", "apply", "acme", "frcp-waiver-sent", "2025-01-22", "--court", "nysd",
        "--as", "abroad", db=db,
    )  # fmt: skip
    assert code == 2 and out == ""
    assert "the order of trigger 'frcp-waiver-sent-abroad'" in err
    assert run("order", "list", "--case", "acme", db=db)[0] == 3


def test_an_occurrence_keeps_its_order_when_the_rules_gain_a_trigger_of_that_name(
    where: Where, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = where.url
    folder = tmp_path / "rules"
    folder.mkdir()
    for p in FIXTURES.glob("*.toml"):
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("DOCKETCAL_RULES", str(folder))
    js("rules", "apply", "acme", "fx-trial", "2025-03-14", "--court", "nysd", "--as", "set", db=db)
    civil = folder / "fixture-civil.toml"
    civil.write_text(
        civil.read_text(encoding="utf-8")
        + '\n[[trigger]]\nid = "fx-trial-set"\nname = "Trial set"\ncite = "Fed. R. Civ. P. 16"\n'
        '\n[[deadline]]\nid = "fx-trial-set-notice"\ntrigger = "fx-trial-set"\ntitle = "Notice"\n'
        'party = "both"\ndue = "7 days after trigger"\ncite = "Fixture"\nexcerpt = "7 days"\n',
        encoding="utf-8",
    )
    before = js("history", "--case", "acme", db=db)
    code, out, err = run("rules", "apply", "acme", "fx-trial-set", "2025-03-14", db=db)
    assert code == 2 and out == ""
    assert (
        "already has order rules-fx-trial-set for the deadlines of trigger fx-trial as set" in err
    )
    assert js("history", "--case", "acme", db=db) == before
    # nor may the occurrence be applied again under that label, which now names the trigger;
    # its event is still corrected as any event is: 30 days before Mon 2025-03-17, Sat
    # 2025-02-15, backward to Fri 2025-02-14 (Fed. R. Civ. P. 26(a)(3)(B), 6(a)(5))
    code, _, err = run("rules", "apply", "acme", "fx-trial", "2025-03-17", "--as", "set", db=db)
    assert code == 2 and "the order of trigger 'fx-trial-set'" in err
    js("event", "record", "acme", "fx-trial-set", "2025-03-17", db=db)
    item = js("explain", "acme/rules-fx-trial-set/fx-pretrial-disclosures", db=db)
    assert item["due"] == "2025-02-14"

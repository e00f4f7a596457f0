"""Fuzzing the rule-file loader and ``rules preview --jsonl``: mutated rule files are either
loaded or refused with every error placed (file, a line of the file, a column), never another
exception; a loaded one previews every trigger in a court it applies in. Random request lines
get exactly one answer line each, JSON, a result or an error naming the line; the command never
fails. ``make fuzz`` runs these with the "fuzz" profile's budget (tests/conftest.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from calendars import all_courts
from calendars.errors import DocketcalError
from cli.main import app
from obligations.rules import RuleFileErrors, library_of_texts, preview

FIXTURES = Path(__file__).parent / "fixtures" / "good"
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.toml"))}
PIECES = [
    "trigger", "21 days after trigger", "fx-answer.due", "[[deadline]]", "[[deadline.former]]",
    "until = 2009-11-30", "effective = 2030-01-01", 'kind = "earliest"', "service = true",
    '"', "=", "\n", "[ruleset]", 'id = "x"', "2025-02-30", "\x00", "é", "0 days", "before",
    "fx-reply.due", "applies = { courts = [] }", "{", "]", "#", "'''",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, str]:
    texts = dict(TEXTS)
    name = draw(st.sampled_from(sorted(texts)))
    lines = texts[name].split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "dup", "swap", "insert", "replace"]))
        if how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "insert":
            lines.insert(i, draw(st.sampled_from(PIECES) | st.text(max_size=30)))
        else:
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            piece = draw(st.sampled_from(PIECES) | st.text(max_size=10))
            lines[i] = line[:k] + piece + line[k + draw(st.integers(0, 5)) :]
        if not lines:
            lines = [""]
    texts[name] = "\n".join(lines)
    return texts


@pytest.mark.fuzz
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_a_mutated_rule_file_is_refused_with_positions_or_previews(texts: dict[str, str]) -> None:
    try:
        lib = library_of_texts(texts)
    except RuleFileErrors as exc:
        assert exc.errors
        for e in exc.errors:
            assert e.path in texts
            assert 1 <= e.line <= texts[e.path].count("\n") + 1, str(e)
            assert e.column >= 1 and e.message
            assert str(e).startswith(f"{e.path}:{e.line}:{e.column}: ")
        return
    for t in lib.triggers.values():
        court = next((c for c in ("nysd", "caed") if lib.applies(t.id, c)), None)
        if court is None:
            continue
        got = preview(lib, t.id, date(2025, 1, 22), court, "mail")
        for item in got.items:
            assert item.due is not None or item.waiting_on


runner = CliRunner()
COURTS = [*sorted(all_courts())[:40], "nysd", "caed", "", "NYSD", "nowhere"]
FIELDS = {
    "court": st.sampled_from(COURTS) | st.text(max_size=8) | st.integers() | st.none(),
    "date": st.sampled_from(["2025-01-22", "2009-11-20", "1990-05-01", "2025-02-30", "1800-01-01", "2025-01-22T10:00", "2025-01-22T10:00+01:00", "x"]) | st.text(max_size=12),
    "trigger": st.sampled_from(["fx-complaint-served", "fx-motion-served", "fx-trial", "fx-nope"]) | st.none() | st.text(max_size=8),
    "service": st.sampled_from(["mail", "hand", "electronic", "owl"]) | st.none(),
    "party": st.sampled_from(["movant", "defendant", "nobody"]) | st.none(),
    "rules_as_of": st.sampled_from(["2026-01-01", "2000-13-01"]) | st.none(),
    "extra": st.integers(),
}  # fmt: skip


@st.composite
def request_line(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.text(max_size=40).filter(lambda s: "\n" not in s and "\r" not in s))
    if kind == 1:
        return json.dumps(draw(st.lists(st.integers(), max_size=3)))
    keys = draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=len(FIELDS)))
    body = {k: draw(FIELDS[k]) for k in sorted(keys)}
    return json.dumps(body, ensure_ascii=draw(st.booleans()))


@pytest.mark.fuzz
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(request_line(), min_size=1, max_size=6))
def test_preview_jsonl_answers_every_line_once(lines: list[str]) -> None:
    import os

    os.environ["DOCKETCAL_RULES"] = str(FIXTURES)
    try:
        stdin = "\n".join(lines) + "\n"
        result = runner.invoke(app, ["rules", "preview", "--jsonl"], input=stdin)
    finally:
        del os.environ["DOCKETCAL_RULES"]
    assert result.exit_code == 0, (result.stderr, result.exception)
    sent = [
        line for line in stdin.encode("utf-8", "surrogatepass").split(b"\n")[:-1] if line.strip()
    ]
    answers = [json.loads(line) for line in result.stdout.splitlines()]  # any line break
    assert len(answers) == len(sent)
    for a in answers:
        assert isinstance(a, dict)
        if "error" in a:
            assert a["error"].startswith("line ")
        else:
            assert "deadlines" in a or "triggers" in a


def test_a_preview_refusal_is_one_of_the_hierarchy() -> None:
    lib = library_of_texts(TEXTS)
    with pytest.raises(DocketcalError):
        preview(lib, "fx-trial", date(2025, 1, 22), "nosuch")

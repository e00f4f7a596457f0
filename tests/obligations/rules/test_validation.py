"""Rule files with mistakes: every mistake is reported with its file, line and column and what
was expected, a file with any mistake loads nothing, and the command exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from obligations.rules import RuleFileErrors, library_of, library_of_texts, load_library

HEAD = """[ruleset]
id = "a"
title = "A"
applies = { rules = ["frcp"] }
source = "https://example.org/a"
reviewed = 2026-12-05

[[trigger]]
id = "a-served"
name = "Served"
cite = "R. 1"
"""

DEADLINE = """
[[deadline]]
id = "{id}"
trigger = "a-served"
title = "T"
party = "defendant"
due = "{due}"
cite = "R. 2"
excerpt = "within 21 days"
"""


def errors(texts: dict[str, str]) -> list[str]:
    with pytest.raises(RuleFileErrors) as got:
        library_of_texts(texts)
    return [str(e) for e in got.value.errors]


def one(text: str, name: str = "a.toml") -> str:
    found = errors({name: text})
    assert len(found) == 1, found
    return found[0]


def test_a_good_file_loads() -> None:
    lib = library_of_texts(
        {"a.toml": HEAD + DEADLINE.format(id="a-answer", due="21 days after trigger")}
    )
    assert list(lib.deadlines) == ["a-answer"]


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        (HEAD + 'x = "\n', "a.toml:12:6:", "TOML"),
        (
            HEAD.replace('id = "a"', 'id = "b"'),
            "a.toml:2:6:",
            "must be the file's name without .toml, 'a'",
        ),
        (
            HEAD.replace("reviewed", "reveiwed"),
            "a.toml:6:1:",
            "unknown key 'reveiwed' (did you mean 'reviewed'?)",
        ),
        (HEAD.replace('"frcp"', '"frpc"'), "a.toml:4:", "unknown rule set 'frpc'"),
        (
            HEAD.replace('rules = ["frcp"]', 'courts = ["nowhere"]'),
            "a.toml:4:",
            "unknown court 'nowhere'",
        ),
        (
            HEAD.replace("2026-12-05", '"2026-12-05"'),
            "a.toml:6:12:",
            "'reviewed' must be a TOML date",
        ),
        (
            HEAD.replace('id = "a-served"', 'id = "A Served"'),
            "a.toml:9:6:",
            "is not a name a due rule can use",
        ),
        (
            HEAD.replace('id = "a-served"', 'id = "trigger"'),
            "a.toml:9:6:",
            "is not a name a due rule can use",
        ),
        (HEAD.replace('cite = "R. 1"\n', ""), "a.toml:8:1:", "missing key 'cite'"),
        (
            HEAD + DEADLINE.format(id="a-answer", due="21 dayz after trigger"),
            "a.toml:18:11:",
            "expected a unit",
        ),
        (
            HEAD + DEADLINE.format(id="a-answer", due="on 2025-01-02"),
            "a.toml:18:7:",
            "has a fixed date",
        ),
        (
            HEAD + DEADLINE.format(id="a-answer", due="every 90 days after trigger"),
            "a.toml:18:7:",
            "is a series",
        ),
        (
            HEAD + DEADLINE.format(id="a-answer", due="21 days after order"),
            "a.toml:18:7:",
            "counts from 'order'",
        ),
        (
            HEAD + DEADLINE.format(id="a-answer", due="21 days after hearing"),
            "a.toml:18:22:",
            "names 'hearing', which is not 'trigger' nor a deadline of trigger 'a-served'",
        ),
        (
            HEAD + DEADLINE.format(id="a-answer", due="21 days after a-answer.due"),
            "a.toml:",
            "a chain of deadlines loops: a-answer -> a-answer",
        ),
        (
            HEAD
            + DEADLINE.format(id="a-answer", due="21 days after trigger").replace(
                'party = "defendant"\n', ""
            ),
            "a.toml:13:1:",
            "missing key 'party'",
        ),
        (
            HEAD
            + DEADLINE.format(id="a-answer", due="21 days after trigger").replace(
                '"a-served"\ntitle', '"a-sevred"\ntitle'
            ),
            "a.toml:15:11:",
            "unknown trigger 'a-sevred' (did you mean 'a-served'?)",
        ),
        (
            HEAD + DEADLINE.format(id="a-answer", due="21 days after trigger") + 'kind = "soon"\n',
            "a.toml:21:8:",
            "kind 'soon' is not one of deadline, earliest",
        ),
        (
            HEAD
            + DEADLINE.format(id="a-answer", due="21 days after trigger with service by mail")
            + "service = true\n",
            "a.toml:21:11:",
            "say it once",
        ),
        (
            HEAD + DEADLINE.format(id="a-answer", due="21 days after trigger") + 'excerpt2 = "x"\n',
            "a.toml:21:1:",
            "unknown key 'excerpt2'",
        ),
        (HEAD.replace('title = "A"', 'title = "A\\u0000"'), "a.toml:3:", "NUL"),
        (HEAD.replace('title = "A"', 'title = "  "'), "a.toml:3:", "is empty"),
    ],
)
def test_each_mistake_is_placed(text: str, where: str, says: str) -> None:
    found = errors({"a.toml": text})
    matching = [m for m in found if says in m]
    assert matching, found
    assert matching[0].startswith(where), matching


def test_versions_must_not_overlap() -> None:
    text = (
        HEAD
        + DEADLINE.format(id="a-answer", due="21 days after trigger")
        + """effective = 2009-12-01

[[deadline.former]]
until = 2009-12-01
due = "20 days after trigger"
cite = "R. 2 (1993)"
excerpt = "within 20 days"
"""
    )
    message = one(text)
    assert message.startswith("a.toml:24:9:"), message
    assert "must be before the newer version takes effect (effective 2009-12-01)" in message


def test_a_former_version_needs_a_current_effective_date() -> None:
    text = (
        HEAD
        + DEADLINE.format(id="a-answer", due="21 days after trigger")
        + """
[[deadline.former]]
until = 2009-11-30
due = "20 days after trigger"
cite = "R. 2 (1993)"
excerpt = "within 20 days"
"""
    )
    assert "no 'effective' date" in one(text)


def test_ids_are_unique_across_files_and_triggers_are_found_across_files() -> None:
    b = HEAD.replace('id = "a"', 'id = "b"').replace("a-served", "b-served")
    b += DEADLINE.format(id="a-answer", due="21 days after trigger").replace(
        '"a-served"', '"b-served"'
    )
    a = HEAD + DEADLINE.format(id="a-answer", due="21 days after trigger")
    found = errors({"a.toml": a, "b.toml": b})
    assert found == ["b.toml:14:6: deadline id 'a-answer' is also the id of a deadline in a.toml"]
    c = HEAD.replace('id = "a"', 'id = "c"')  # the trigger id again
    assert errors({"a.toml": HEAD, "c.toml": c}) == [
        "c.toml:9:6: trigger id 'a-served' is also the id of a trigger in a.toml"
    ]


def test_a_chain_names_a_deadline_of_its_own_trigger_and_never_an_earliest_day() -> None:
    text = (
        HEAD
        + """
[[trigger]]
id = "b-served"
name = "Other"
cite = "R. 3"
"""
        + DEADLINE.format(id="b-answer", due="21 days after trigger").replace(
            '"a-served"', '"b-served"'
        )
        + DEADLINE.format(id="a-answer", due="7 days after b-answer.due")
    )
    message = one(text)
    assert (
        "names 'b-answer', which is not 'trigger' nor a deadline of trigger 'a-served' ('b-answer' is set by trigger 'b-served')"
        in message
    )
    early = (
        HEAD + DEADLINE.format(id="a-early", due="21 days before trigger") + 'kind = "earliest"\n'
    )
    early += DEADLINE.format(id="a-answer", due="7 days after a-early.due")
    assert "counts from 'a-early', an earliest day" in one(early)


def test_a_long_loop_is_named_in_full() -> None:
    text = (
        HEAD
        + DEADLINE.format(id="a-one", due="1 day after a-two.due")
        + DEADLINE.format(id="a-two", due="1 day after a-three.due")
        + DEADLINE.format(id="a-three", due="1 day after a-one.due")
    )
    assert "a chain of deadlines loops: a-one -> a-two -> a-three -> a-one" in one(text)


def test_every_mistake_of_every_file_is_reported_at_once() -> None:
    a = HEAD.replace("reviewed", "reveiwed")
    b = HEAD.replace('id = "a"', 'id = "b"').replace("a-served", "b-served") + 'x = "\n'
    found = errors({"a.toml": a, "b.toml": b})
    assert [f.split(":")[0] for f in found] == ["a.toml", "a.toml", "b.toml"]


def test_files_on_disk(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(RuleFileErrors, match=r"a.toml:1:1: not UTF-8"):
        library_of([tmp_path / "a.toml"])
    with pytest.raises(Exception, match="is not a folder"):
        load_library(tmp_path / "nowhere")
    (tmp_path / "a.toml").write_text(HEAD, encoding="utf-8")
    assert list(load_library(tmp_path).triggers) == ["a-served"]


def test_a_rule_by_method_is_checked() -> None:
    base = HEAD + DEADLINE.format(id="a-filed", due="16 court days before trigger")
    served = """
[[deadline]]
id = "a-served-papers"
trigger = "a-served"
title = "T"
party = "movant"
due = "16 court days before trigger"
cite = "R. 2"
excerpt = "increased by two calendar days"
"""
    good = served + 'service = true\nby_method = { overnight = "2 days before a-filed.due" }\n'
    lib = library_of_texts({"a.toml": base + good})
    assert [m for m, _, _ in lib.deadlines["a-served-papers"].current.by_method] == ["overnight"]
    assert "by_method without service = true" in one(
        base + served + 'by_method = { overnight = "2 days before a-filed.due" }\n'
    )
    assert "unknown service method 'pigeon'" in one(
        base + served + 'service = true\nby_method = { pigeon = "2 days before a-filed.due" }\n'
    )
    assert "names 'a-nothing'" in one(
        base + served + 'service = true\nby_method = { fax = "2 days before a-nothing.due" }\n'
    )
    assert "the method is the key's" in one(
        base
        + served
        + 'service = true\nby_method = { fax = "2 days before a-filed.due with service by mail" }\n'
    )

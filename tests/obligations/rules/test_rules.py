"""The rules engine on the fixture files: what it reads, which version it chooses, the order
it makes, and the dates the engine gives (worked by hand below, each with its reasoning)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from calendars.errors import BadInput
from obligations.orderfile import parse_order
from obligations.rules import (
    TRIGGER,
    Library,
    load_library,
    order_id,
    preview,
    rewrite,
    rules_order_text,
)
from obligations.when import parse_when

GOOD = Path(__file__).parent / "fixtures" / "good"


@pytest.fixture(scope="module")
def lib() -> Library:
    return load_library(GOOD)


def due(
    lib: Library, trigger: str, day: date, court: str, service: str | None = None
) -> dict[str, date | None]:
    return {
        i.deadline.id: (i.due.due if i.due is not None else None)
        for i in preview(lib, trigger, day, court, service).items
    }


def test_every_file_is_read(lib: Library) -> None:
    assert set(lib.rulesets) == {"fixture-civil", "fixture-local"}
    assert list(lib.triggers) == ["fx-complaint-served", "fx-motion-served", "fx-trial"]
    answer = lib.deadlines["fx-answer"]
    assert answer.party == "defendant"
    assert [v.due_text for v in answer.versions] == [
        "21 days after trigger",
        "20 days after trigger",
    ]
    assert answer.versions[1].effective == date(1993, 12, 1)
    assert answer.versions[1].until == date(2009, 11, 30)
    assert (
        answer.versions[1].source == "https://www.law.cornell.edu/rules/frcp/rule_12"
    )  # inherited


def test_a_local_rule_applies_only_in_its_court(lib: Library) -> None:
    assert [d.id for d in lib.set_by("fx-motion-served", "nysd")] == [
        "fx-opposition", "fx-reply", "fx-local-sur-reply"
    ]  # fmt: skip
    assert [d.id for d in lib.set_by("fx-motion-served", "caed")] == ["fx-opposition", "fx-reply"]
    assert [t.id for t in lib.triggers_in("calsuperct")] == []


def test_the_version_in_force_on_the_trigger_date(lib: Library) -> None:
    answer = lib.deadlines["fx-answer"]
    assert answer.version_on(date(2009, 12, 1)) is answer.current
    assert answer.version_on(date(2009, 11, 30)) is answer.versions[1]
    assert answer.version_on(date(1993, 12, 1)) is answer.versions[1]
    assert answer.version_on(date(1993, 11, 30)) is None


def test_hand_worked_dates(lib: Library) -> None:
    # Mon 2025-03-03 + 21 days = Mon 2025-03-24 (6(a)(1)); no holiday: the answer is due then.
    # The amendment as of course: 21 days after Mon 2025-03-24 = Mon 2025-04-14.
    assert due(lib, "fx-complaint-served", date(2025, 3, 3), "nysd") == {
        "fx-answer": date(2025, 3, 24),
        "fx-amend-once": date(2025, 4, 14),
    }
    # Served Fri 2009-11-20, before the 2009 amendments: the 1993 text's 20 days, Thu 2009-12-10
    # (a period of 11 days or more counts every day); the amendment 21 days later, Thu 2009-12-31.
    assert due(lib, "fx-complaint-served", date(2009, 11, 20), "nysd") == {
        "fx-answer": date(2009, 12, 10),
        "fx-amend-once": date(2009, 12, 31),
    }
    # Served by mail Wed 2025-01-22: 14 days, Wed 2025-02-05, + 3 (6(d)) = Sat 2025-02-08, to
    # Mon 2025-02-10; the reply 7 days later, Mon 2025-02-17, Washington's Birthday, to Tue
    # 2025-02-18 (the reply has no service of its own); the local letter 3 court days after the
    # reply is due: Wed 19, Thu 20, Fri 2025-02-21.
    assert due(lib, "fx-motion-served", date(2025, 1, 22), "nysd", "mail") == {
        "fx-opposition": date(2025, 2, 10),
        "fx-reply": date(2025, 2, 18),
        "fx-local-sur-reply": date(2025, 2, 21),
    }
    # Served by hand in E.D. Cal.: no 6(d) days, Wed 2025-02-05; the reply 7 days later, Wed
    # 2025-02-12, is Lincoln's Birthday, a California state holiday: forward periods roll past it
    # under 6(a)(6)(C), Thu 2025-02-13, with the reading that leaves it out, the 12th, as safe.
    got = preview(lib, "fx-motion-served", date(2025, 1, 22), "caed", "hand")
    opposition, reply = got.items
    assert opposition.due is not None and opposition.due.due == date(2025, 2, 5)
    assert reply.due is not None and reply.due.due == date(2025, 2, 13)
    assert reply.due.safe_due == date(2025, 2, 12)
    # Trial Wed 2025-01-22: 30 days before is Mon 2024-12-23; 60 days before, Sat 2024-11-23,
    # rolls back (6(a)(5)) to Fri 2024-11-22.
    assert due(lib, "fx-trial", date(2025, 1, 22), "nysd") == {
        "fx-pretrial-disclosures": date(2024, 12, 23),
        "fx-not-before": date(2024, 11, 22),
    }


def test_no_version_in_force_is_flagged_for_review_never_guessed(lib: Library) -> None:
    got = preview(lib, "fx-complaint-served", date(1990, 5, 1), "nysd")
    answer, amend = got.items
    assert answer.due is None and answer.state == "waiting"
    assert answer.version is None
    assert any("review" in w for w in answer.waiting_on)
    assert amend.due is None  # it counts from the answer's due date, which is not known


def test_the_trace_starts_with_the_rules_citation_and_text(lib: Library) -> None:
    (answer, _) = preview(lib, "fx-complaint-served", date(2025, 3, 3), "nysd").items
    first, second = answer.trace[0], answer.trace[1]
    assert first.step == 1 and first.rule == "Fed. R. Civ. P. 12(a)(1)(A)(i)"
    assert "A defendant must serve an answer within 21 days" in first.note
    assert second.step == 2 and second.rule.startswith("Fed. R. Civ. P. 6(a)")
    assert not any(s.rule.startswith("order ") for s in answer.trace)
    body = answer.to_json()
    assert body["cite"] == "Fed. R. Civ. P. 12(a)(1)(A)(i)" and body["due"] == "2025-03-24"
    assert body["readings"] and body["safe_due"] == "2025-03-24"


def test_rewrite_names_the_trigger_and_says_service() -> None:
    def w(text: str, service: bool, method: str | None = None) -> str:
        return str(rewrite(parse_when(text), "t-x", service, method))

    assert w("21 days after trigger", False) == "21 days after t-x with service by none"
    assert w("14 days after trigger", True, "mail") == "14 days after t-x"  # the event's method
    assert w("7 days after a.due", False, "mail") == "7 days after a.due"
    assert w("3 days after a.due", True, "mail") == "3 days after a.due with service by mail"
    assert w("14 days after trigger with service by hand", True, "mail") == (
        "14 days after t-x with service by hand"
    )
    assert w("14 days after the later of trigger, a.due", False) == (
        "14 days after the later of t-x, a.due with service by none"
    )
    assert w("on trigger", False) == "on t-x"
    assert TRIGGER == "trigger"


def test_the_order_text_is_an_order_file(lib: Library) -> None:
    text = rules_order_text(lib, "fx-trial", date(2025, 1, 22), "nysd", "case-1", "mail")
    order = parse_order(text, "rules:fx-trial")
    assert order.id == order_id("fx-trial") == "rules-fx-trial"
    assert order.source == "rules" and order.case == "case-1" and order.court == "nysd"
    assert order.entered == date(2025, 1, 22)
    # the earliest day is not a duty: it is not in the order
    assert [ob.id for ob in order.obligations] == ["fx-pretrial-disclosures"]
    assert order.obligations[0].cite == "Fed. R. Civ. P. 26(a)(3)(B)"
    assert order.obligations[0].summary == "Pretrial disclosures"


def test_party_keeps_what_its_deadlines_count_from(lib: Library) -> None:
    got = preview(lib, "fx-motion-served", date(2025, 1, 22), "nysd", party="movant")
    assert [i.deadline.id for i in got.items] == ["fx-opposition", "fx-reply"]
    got = preview(lib, "fx-motion-served", date(2025, 1, 22), "nysd", party="respondent")
    assert [i.deadline.id for i in got.items] == ["fx-opposition", "fx-reply", "fx-local-sur-reply"]
    with pytest.raises(
        BadInput, match=r"is for party 'appellee' \(its parties: movant, respondent\)"
    ):
        preview(lib, "fx-motion-served", date(2025, 1, 22), "nysd", party="appellee")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("fx-nothing", date(2025, 1, 2), "nysd", None), "no trigger 'fx-nothing'"),
        (("fx-trial", date(2025, 1, 2), "nosuchcourt", None), "nosuchcourt"),
        (("fx-trial", date(2025, 1, 2), "calsuperct", None), "does not apply in court"),
        (("fx-trial", date(2025, 1, 2), "nysd", "pigeon"), "service method 'pigeon'"),
        (("fx-trial", date(1800, 1, 2), "nysd", None), "outside the years"),
    ],
)
def test_refusals(lib: Library, args: tuple[str, date, str, str | None], message: str) -> None:
    from calendars.errors import DocketcalError

    with pytest.raises(DocketcalError, match=message.replace("(", r"\(")):
        preview(lib, *args)


def test_the_order_file_reads_back_to_the_order_preview_schedules(lib: Library) -> None:
    from dataclasses import replace

    from obligations.rules import order_text, rules_order

    for trigger, day in [
        ("fx-motion-served", date(2025, 1, 22)),
        ("fx-complaint-served", date(1990, 5, 1)),
        ("fx-trial", date(2025, 1, 22)),
    ]:
        order = rules_order(lib, trigger, day, "nysd", 'case "1"\n', "mail", earliest=True)
        back = parse_order(order_text(order), "rules:x")
        assert replace(back, path="", obligations=()) == replace(order, obligations=())
        assert [replace(ob, line=0) for ob in back.obligations] == list(order.obligations)


BY_METHOD = """
[ruleset]
id = "bm"
title = "By method"
applies = { rules = ["california"] }
source = "https://example.org/bm"
reviewed = 2026-12-05

[[trigger]]
id = "bm-hearing"
name = "Hearing"
cite = "CCP 1005"

[[deadline]]
id = "bm-filed"
trigger = "bm-hearing"
title = "File"
party = "court"
due = "16 court days before trigger"
cite = "CCP 1005(b)"
excerpt = "filed at least 16 court days before the hearing"

[[deadline]]
id = "bm-served"
trigger = "bm-hearing"
title = "Serve"
party = "movant"
due = "16 court days before trigger"
service = true
by_method = { overnight = "2 days before bm-filed.due" }
cite = "CCP 1005(b)"
excerpt = "increased by two calendar days"
"""


def test_a_rule_by_method_is_used_only_for_its_method() -> None:
    from obligations.orderfile import parse_order
    from obligations.rules import library_of_texts, order_text, rules_order

    lib = library_of_texts({"bm.toml": BY_METHOD})
    hearing = date(2026, 8, 25)  # Tue.; the 16th court day before is Mon. Aug. 3
    for method, served in [
        ("overnight", date(2026, 7, 31)),  # 2 calendar days back: Sat. Aug. 1, so Fri. July 31
        ("electronic", date(2026, 7, 30)),  # the rule set's 2 court days
        ("hand", date(2026, 8, 3)),
        (None, date(2026, 8, 3)),
    ]:
        assert due(lib, "bm-hearing", hearing, "calsuperct", method)["bm-served"] == served
    # a party's deadline keeps what its rule by method counts from
    got = preview(lib, "bm-hearing", hearing, "calsuperct", "overnight", party="movant")
    assert [i.deadline.id for i in got.items] == ["bm-filed", "bm-served"]
    assert got.items[1].when == "2 days before bm-filed.due with service by none"
    # the order text reads back, and shows the version's rules by method
    order = rules_order(lib, "bm-hearing", hearing, "calsuperct", "case-1", "overnight")
    read = parse_order(order_text(order), "rules:bm").obligations
    assert [(o.id, o.due) for o in read] == [(o.id, o.due) for o in order.obligations]
    assert lib.deadlines["bm-served"].current.to_json()["by_method"] == {
        "overnight": "2 days before bm-filed.due"
    }


COUNTED = """
[ruleset]
id = "ca"
title = "Counted by another rule set"
applies = { rules = ["frcp"] }
source = "https://example.org/ca"
reviewed = 2026-12-05

[[trigger]]
id = "ca-judgment"
name = "Judgment entered"
cite = "Fed. R. Civ. P. 58"

[[deadline]]
id = "ca-notice"
trigger = "ca-judgment"
title = "Notice of appeal"
party = "appellant"
due = "30 days after trigger"
rules = "frap"
cite = "Fed. R. App. P. 4(a)(1)(A)"
excerpt = "within 30 days after entry of the judgment"

[[deadline]]
id = "ca-motion"
trigger = "ca-judgment"
title = "Motion"
party = "any"
due = "28 days after trigger"
cite = "Fed. R. Civ. P. 59(b)"
excerpt = "no later than 28 days after the entry of judgment"
"""


def test_a_deadline_counted_under_frap_in_a_district_court_counts_both_states() -> None:
    """The notice of appeal is filed in the district court but counted by Fed. R. App. P. 26:
    the district court is the court appealed from, and its circuit's clerk's state counts
    too (26(a)(6)(C)); the other deadlines keep the court's own rule set."""
    from calendars import Period, Request, Unit, compute
    from obligations.rules import library_of_texts, order_text, rules_order

    lib = library_of_texts({"ca.toml": COUNTED})
    assert lib.deadlines["ca-notice"].rules == "frap"
    day = date(2025, 10, 29)
    items = {i.deadline.id: i for i in preview(lib, "ca-judgment", day, "njd").items}
    notice = items["ca-notice"].due
    assert notice is not None
    assert notice == compute("njd", Request(anchor=day, period=Period(30, Unit.DAYS)), rules="frap")
    assert any("(the circuit clerk's principal office)" in w for w in notice.warnings)
    assert items["ca-notice"].trace[1].rule.startswith("Fed. R. App. P. 26")
    assert items["ca-motion"].trace[1].rule.startswith("Fed. R. Civ. P. 6")
    # the order file says so, and reads back
    order = rules_order(lib, "ca-judgment", day, "njd", "case-1")
    text = order_text(order)
    assert 'rules = "frap"' in text
    back = parse_order(text, "rules:x")
    assert {ob.id: ob.rules for ob in back.obligations} == {"ca-notice": "frap", "ca-motion": None}


def test_an_unknown_rule_set_to_count_a_deadline_is_refused() -> None:
    from obligations.rules import RuleFileErrors, library_of_texts

    with pytest.raises(RuleFileErrors) as err:
        library_of_texts({"ca.toml": COUNTED.replace('rules = "frap"', 'rules = "frapp"')})
    assert "unknown rule set 'frapp' to count it" in str(err.value)

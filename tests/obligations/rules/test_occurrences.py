"""A trigger that happens more than once on a case (``rules apply --as LABEL``): the label as an
id, the order and event of each occurrence, the labels refused, and the engine dating two
occurrences of one trigger, each from its own event. The dates are worked by hand from the rule
texts, one source per row; the commands on a docket are in tests/cli/test_rules.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from calendars.errors import BadInput
from obligations.engine import schedule
from obligations.model import Event, Facts
from obligations.orderfile import parse_order
from obligations.rules import (
    LONGEST_LABEL,
    Library,
    check_label,
    event_of,
    library_of_texts,
    load_library,
    occurrence_label,
    occurrence_of,
    order_id,
    order_text,
    rules_order,
)
from obligations.when import NamedAnchor, anchors_of

INTERROGATORIES = "frcp-interrogatories-served"


@pytest.fixture(scope="module")
def lib() -> Library:
    return load_library()  # the installed rules (data/rules/)


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("2nd interrogatories", "2nd-interrogatories"),
        ("  Def-ACME ", "def-acme"),
        ("def_acme", "def_acme"),
        ("second   set", "second-set"),
        ("7", "7"),
        ("x" * LONGEST_LABEL, "x" * LONGEST_LABEL),
    ],
)
def test_a_label_is_an_id_as_an_events_name_is(typed: str, label: str) -> None:
    assert occurrence_label(typed) == label


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("x" * (LONGEST_LABEL + 1), f"at most {LONGEST_LABEL}"),
        ("a/b", "is not a name"),
        ("-acme", "is not a name"),
        ("a.due", "is not a name"),
        ("a\tb", "is not a name"),
        ("a\x00b", "is not a name"),
        ("défendeur", "is not a name"),
    ],
)
def test_a_bad_label_is_refused(typed: str, says: str) -> None:
    with pytest.raises(BadInput, match=says):
        occurrence_label(typed)


def test_each_occurrence_has_its_own_order_and_event() -> None:
    assert order_id(INTERROGATORIES) == "rules-frcp-interrogatories-served"
    assert event_of(INTERROGATORIES) == INTERROGATORIES
    assert order_id(INTERROGATORIES, "2nd") == "rules-frcp-interrogatories-served-2nd"
    assert event_of(INTERROGATORIES, "2nd") == "frcp-interrogatories-served-2nd"


def test_a_label_that_makes_another_triggers_order_is_refused(lib: Library) -> None:
    # frcp-waiver-sent and frcp-waiver-sent-abroad are both triggers of the data
    with pytest.raises(BadInput, match="the order of trigger 'frcp-waiver-sent-abroad'"):
        check_label(lib, "frcp-waiver-sent", "abroad")
    with pytest.raises(BadInput, match="an occurrence of 'frcp-waiver-sent-abroad'"):
        check_label(lib, "frcp-waiver-sent", "abroad-2")
    check_label(lib, "frcp-waiver-sent", "def-acme")
    check_label(lib, "frcp-waiver-sent-abroad", "def-acme")


def test_an_occurrences_order_names_its_trigger_and_label(lib: Library) -> None:
    assert occurrence_of(lib, "frcp-waiver-sent-def-acme") == ("frcp-waiver-sent", "def-acme")
    assert occurrence_of(lib, "frcp-waiver-sent-abroad") == ("frcp-waiver-sent-abroad", None)
    assert occurrence_of(lib, "frcp-waiver-sent-abroad-x") == ("frcp-waiver-sent-abroad", "x")
    assert occurrence_of(lib, "no-such-trigger-x") == ("no-such-trigger-x", None)
    # the deadlines of the order say whose it is, even where the names would not
    assert occurrence_of(
        lib, "frcp-interrogatories-served-2nd", ["frcp-interrogatory-answers"]
    ) == (INTERROGATORIES, "2nd")


def test_the_order_of_an_occurrence_counts_from_its_own_event(lib: Library) -> None:
    order = rules_order(
        lib, INTERROGATORIES, date(2025, 4, 25), "nysd", "acme", "mail", label="2nd"
    )
    assert order.id == "rules-frcp-interrogatories-served-2nd"
    assert order.title == "Interrogatories served (Fed. R. Civ. P. 33): 2nd"
    assert "the occurrence '2nd', event frcp-interrogatories-served-2nd" in order.note
    back = parse_order(order_text(order), "rules:x")
    assert back.id == order.id
    (answers,) = back.obligations
    assert answers.id == "frcp-interrogatory-answers"
    assert answers.due is not None
    assert NamedAnchor("frcp-interrogatories-served-2nd") in anchors_of(answers.due)
    # without a label, the order is exactly the one of before
    plain = rules_order(lib, INTERROGATORIES, date(2025, 4, 25), "nysd", "acme", "mail")
    assert plain.id == "rules-frcp-interrogatories-served"
    assert plain.title == "Interrogatories served (Fed. R. Civ. P. 33)"
    assert "occurrence" not in plain.note


# Two sets of interrogatories served on one case in S.D.N.Y., each answered on its own date.
# (label, served, service, answers due, source)
TWO_SETS = [
    (
        "1st",
        date(2025, 3, 3),
        None,
        date(2025, 4, 2),
        "Fed. R. Civ. P. 33(b)(2), 6(a)(1): 30 days after Mon. Mar. 3, 2025 is Wed. Apr. 2, 2025,"
        " no holiday (https://www.law.cornell.edu/rules/frcp/rule_33)",
    ),
    (
        "2nd",
        date(2025, 4, 25),
        "mail",
        date(2025, 5, 30),
        "Fed. R. Civ. P. 33(b)(2), 6(a)(1)(C), 6(d): 30 days after Fri. Apr. 25, 2025 is Sun."
        " May 25; Mon. May 26 is Memorial Day, so the period ends Tue. May 27; served by mail,"
        " 3 days are added after it: Fri. May 30, 2025"
        " (https://www.law.cornell.edu/rules/frcp/rule_33, rule_6)",
    ),
]


def test_two_occurrences_of_one_trigger_are_dated_each_from_its_own_event(lib: Library) -> None:
    orders = [
        rules_order(lib, INTERROGATORIES, served, "nysd", "acme", how, label=label)
        for label, served, how, _, _ in TWO_SETS
    ]
    events = tuple(
        Event("acme", event_of(INTERROGATORIES, label), served, service=how or "")
        for label, served, how, _, _ in TWO_SETS
    )
    sched = schedule(orders, Facts(events=events), date(2025, 3, 1))
    got = {(i.order, i.obligation): i.due.due if i.due else None for i in sched.items}
    for label, _, _, due, source in TWO_SETS:
        key = (order_id(INTERROGATORIES, label), "frcp-interrogatory-answers")
        assert got[key] == due, source


def test_a_label_that_names_the_event_like_a_deadline_is_refused() -> None:
    good = Path(__file__).parent / "fixtures" / "good"
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(good.glob("*.toml"))}
    # a deadline whose id begins with its trigger's: a due rule naming fx-trial-notice would
    # mean the deadline (its day done), never an occurrence's event
    texts["fixture-civil.toml"] += (
        '\n[[deadline]]\nid = "fx-trial-notice"\ntrigger = "fx-trial"\ntitle = "Notice"\n'
        'party = "both"\ndue = "7 days before trigger"\ncite = "Fixture"\nexcerpt = "7 days"\n'
    )
    lib = library_of_texts(texts)
    with pytest.raises(BadInput, match="the id of the deadline of that name"):
        check_label(lib, "fx-trial", "notice")
    check_label(lib, "fx-trial", "notice-2")

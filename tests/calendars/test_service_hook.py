"""Each rule set decides and cites its own service rule when a period runs from the order."""

from __future__ import annotations

import pytest

from calendars import RULESET_IDS, get_ruleset, service_from_order


@pytest.mark.parametrize("rules", RULESET_IDS)
def test_every_rule_set_cites_its_own_service_rule(rules: str) -> None:
    rs = get_ruleset(rules)
    assert rs.service_rule, f"{rules} names no service rule"
    note = rs.service_from_order("mail", "entered")
    assert note is not None and rs.service_rule in note
    if not rs.service_rule.startswith("Fed. R. Civ. P."):
        assert "Fed. R. Civ. P. 6(d)" not in note


def test_a_california_order_cites_the_code_of_civil_procedure() -> None:
    note = service_from_order("calsuperct", "mail", "entered")
    assert note is not None
    assert "CCP §§ 1013(a), 1010.6(a)(3)" in note and "Fed. R. Civ. P." not in note


def test_the_federal_note_is_unchanged() -> None:
    note = service_from_order("caed", "mail", "entered")
    assert note == (
        "service by mail adds no time: the period runs from the order's entered date,"
        " not from service (Fed. R. Civ. P. 6(d) applies only after being served)"
    )

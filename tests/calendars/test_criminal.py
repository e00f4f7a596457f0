"""Fed. R. Crim. P. 45: the FRCP method with its own citations (rows worked by hand)."""

from __future__ import annotations

from datetime import date

from obligations.calculator import calculate


def test_criminal_periods_cite_rule_45() -> None:
    # Fed. R. Crim. P. 45(a)(1): Fri 2024-03-01 + 14 = Fri 2024-03-15, a court day in D.N.J.
    due = calculate("njd", "14 days after 2024-03-01", rules="frcrp")
    assert due.due == date(2024, 3, 15)
    assert [s.rule for s in due.trace][:2] == [
        "Fed. R. Crim. P. 45(a)(1)(A)-(B)",
        "Fed. R. Crim. P. 45(a)(1)(C)",
    ]


def test_criminal_mail_service_adds_three_days_under_45c() -> None:
    # Fed. R. Crim. P. 45(c): Fri 2024-03-15 + 3 = Mon 2024-03-18 (no holiday between)
    due = calculate("njd", "14 days after 2024-03-01", service="mail", rules="frcrp")
    assert due.due == date(2024, 3, 18)
    assert any(s.rule == "Fed. R. Crim. P. 45(c)" for s in due.trace)

"""[[check]] examples run through the real engine; the example orders' hand-worked checks hold."""

from __future__ import annotations

from pathlib import Path

from calendars.data import data_path
from obligations.checks import run_checks
from obligations.orderfile import load_orders, parse_order

ORDERS = sorted(data_path("orders").glob("*.toml"))


def test_the_example_orders_encode_every_duty_and_their_checks_hold() -> None:
    orders = load_orders(ORDERS)
    by_id = {o.id: o for o in orders}
    assert len(by_id["caed-2013-11-12"].obligations) >= 14
    assert len(by_id["njd-2013-07-02"].obligations) >= 4
    kinds = {ob.kind.value for o in orders for ob in o.obligations}
    assert kinds == {"deadline", "standing", "prohibition", "recurring"}
    results = run_checks(orders)
    assert len(results) >= 10
    assert [r.failures for r in results if not r.ok] == []


def test_every_example_obligation_keeps_the_orders_words_and_pinpoint() -> None:
    excerpts = Path(__file__).resolve().parents[3] / "shared" / "orders"
    for order in load_orders(ORDERS):
        for ob in order.obligations:
            assert ob.text.strip() and ob.cite.strip(), ob.id
        if excerpts.is_dir():
            source = next(excerpts.glob(f"{order.id}*.txt")).read_text(encoding="utf-8")
            flat = " ".join(source.replace("*", "").split())
            for ob in order.obligations:
                first_words = " ".join(ob.text.split()[:8])
                assert first_words in flat, (order.id, ob.id, first_words)


def test_a_check_that_does_not_hold_is_reported_with_its_line() -> None:
    text = (
        '[order]\nid = "o"\ncase = "c"\ncourt = "njd"\nentered = 2024-03-01\n\n'
        '[[obligation]]\nid = "produce"\nparty = "defendant"\ntext = "Produce."\ncite = "¶ 1"\n'
        'due = "14 days after order"\n\n'
        "[[check]]\nas_of = 2024-03-05\nexpect = { produce = 2024-03-14 }\n"
        '\n[[check]]\nas_of = 2024-03-20\nexpect = { produce = "open" }\n'
    )
    order = parse_order(text, "inline.toml")
    results = run_checks([order])
    assert [r.ok for r in results] == [False, False]
    assert results[0].label == "inline.toml:14: check"
    assert results[0].failures == (
        "line 16: produce: expected due 2024-03-14, computed 2024-03-15",
    )
    assert results[1].failures == ("line 20: produce: expected open, got overdue",)


HEAD = '[order]\nid = "o"\ncase = "c"\ncourt = "njd"\nentered = 2025-01-06\n\n'


def test_a_date_time_expectation_is_compared_with_the_due_instant_in_court_time() -> None:
    """issue 13: ``expect = { x = 2024-01-19T17:00:00 }`` ended order check in a traceback."""
    text = HEAD + (
        '[[obligation]]\nid = "hearing"\nparty = "both"\ntext = "Appear."\ncite = "¶ 1"\n'
        'due = "on 2025-02-07 10:00 to 12:00"\n\n'
        "[[check]]\nexpect = { hearing = 2025-02-07T10:00:00 }\n\n"
        "[[check]]\nexpect = { hearing = 2025-02-07T11:00:00 }\n\n"
        "[[check]]\nexpect = { hearing = 2025-02-07T15:00:00Z }\n"
    )
    results = run_checks([parse_order(text, "timed.toml")])
    assert [r.failures for r in results] == [
        (),
        (
            "line 18: hearing: expected due 2025-02-07T11:00, computed 2025-02-07T10:00 (court time)",
        ),
        (),  # 15:00 UTC is 10:00 in Newark
    ]


def test_given_carries_a_service_method_and_conditions() -> None:
    text = HEAD + (
        '[[obligation]]\nid = "reply"\nparty = "both"\ntext = "Reply."\ncite = "¶ 1"\n'
        'due = "14 days after response"\n\n'
        '[[obligation]]\nid = "letter"\nparty = "both"\ntext = "Letter."\ncite = "¶ 2"\n'
        'due = "by 2025-03-14"\ncondition = "if disputes remain"\ncondition_id = "disputes"\n\n'
        # Fri Jan 10 + 14 = Fri Jan 24, + 3 (Fed. R. Civ. P. 6(d), mail) = Mon Jan 27
        '[[check]]\ngiven = { response = { on = 2025-01-10, service = "mail" }, disputes = "not-met" }\n'
        'expect = { reply = 2025-01-27, letter = "moot" }\n'
    )
    [result] = run_checks([parse_order(text, "served.toml")])
    assert result.failures == ()


def test_a_check_names_an_instance_of_a_series() -> None:
    text = HEAD + (
        '[[obligation]]\nid = "report"\nparty = "both"\ntext = "Report."\ncite = "¶ 1"\n'
        'due = "by 2025-03-03 and every 90 days thereafter"\n\n'
        # Mon Mar 3 + 90 = Sun Jun 1 -> Mon Jun 2 (Fed. R. Civ. P. 6(a)(1)(C))
        '[[check]]\nas_of = 2025-03-01\nexpect = { "report#2" = 2025-06-02, "report#1" = "open" }\n'
    )
    [result] = run_checks([parse_order(text, "series.toml")])
    assert result.failures == ()


def test_the_date_time_expectation_that_crashed_order_check() -> None:
    """issue 13/14: ``expect = { x = 2024-01-19T17:00:00 }`` ended in a traceback (exit 1)."""
    text = HEAD.replace("2025-01-06", "2024-01-02") + (
        '[[obligation]]\nid = "x"\nparty = "both"\ntext = "File it."\ncite = "¶ 1"\n'
        'due = "by 2024-01-19 17:00"\n\n'
        "[[check]]\nexpect = { x = 2024-01-19T17:00:00 }\n\n"
        "[[check]]\nexpect = { x = 2024-01-19T16:00:00 }\n"
    )
    results = run_checks([parse_order(text, "time.toml")])
    assert [r.failures for r in results] == [
        (),
        ("line 18: x: expected due 2024-01-19T16:00, computed 2024-01-19T17:00 (court time)",),
    ]

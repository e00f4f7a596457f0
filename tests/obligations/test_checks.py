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
    assert results[0].failures == ("produce: expected due 2024-03-14, computed 2024-03-15",)
    assert results[1].failures == ("produce: expected open, got overdue",)

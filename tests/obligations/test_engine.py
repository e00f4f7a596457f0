"""The engine, case by case, from ``engine_cases.toml``: states, chains, corrections, amendments."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from calendars import Period, Unit
from obligations.engine import Item, Schedule, schedule
from obligations.model import Closure, Completion, Event, Extension, Facts, Vacatur
from obligations.orderfile import load_orders

HERE = Path(__file__).parent
CASES = tomllib.loads((HERE / "engine_cases.toml").read_text(encoding="utf-8"))["case"]


def _facts(case: str, order: str, rows: list[dict[str, Any]]) -> Facts:
    out: list[Any] = []
    for seq, row in enumerate(rows, 1):
        if "done" in row:
            out.append(Completion(case, order, row["done"], row["on"], seq=seq))
        elif "event" in row:
            out.append(
                Event(case, row["event"], row["at"], seq=seq, occurrence=row.get("occurrence", ""))
            )
        elif "extend" in row:
            by = None
            if "by" in row:
                n, unit = row["by"].split(" ", 1)
                by = Period(int(n), Unit(unit))
            out.append(Extension(case, order, row["extend"], to=row.get("to"), by=by, seq=seq))
        elif "vacate" in row:
            out.append(Vacatur(case, order, row["vacate"], seq=seq))
        elif "unvacate" in row:
            out.append(Vacatur(case, order, row["unvacate"], seq=seq, undone=True))
        elif "closure" in row:
            out.append(Closure(row["court"], row["closure"], seq=seq))
        else:
            raise AssertionError(f"unknown fact {row}")
    return Facts.of(out)


def _item(sched: Schedule, name: str) -> Item:
    for item in sched.items:
        if item.obligation == name:
            return item
    raise AssertionError(f"no obligation {name} in {[i.obligation for i in sched.items]}")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_engine_case(case: dict[str, Any]) -> None:
    orders = load_orders([HERE / "orders" / name for name in case["orders"]])
    first = orders[0] if orders[0].id == "first" else orders[1]
    sched = schedule(orders, _facts(first.case, first.id, case["facts"]), case["as_of"])
    for name, expected in case["expect"].items():
        item = _item(sched, name)
        words = expected.split()
        if words[0] == "waiting":
            assert item.state.value == "waiting", (name, item)
            assert any(expected.removeprefix("waiting on ") in w for w in item.waiting_on), (
                item.waiting_on
            )
        elif words[0] == "done":
            assert item.state.value == "done", (name, item.state, item.waiting_on)
            assert item.done_on == date.fromisoformat(words[1])
            assert item.late_by == int(words[3])
        else:
            assert item.state.value == words[0], (name, item.state, item.waiting_on, item.history)
            if len(words) > 1:
                assert item.due is not None and item.due.due == date.fromisoformat(words[1]), (
                    name,
                    item.due,
                    item.chain,
                )


def test_the_schedule_is_deterministic() -> None:
    orders = load_orders(
        [HERE / "orders" / "chain-first.toml", HERE / "orders" / "chain-second.toml"]
    )
    facts = _facts("test-case", "first", [{"done": "produce", "on": date(2024, 3, 11)}])
    one = [i.to_json() for i in schedule(orders, facts, date(2024, 3, 12)).items]
    two = [i.to_json() for i in schedule(list(reversed(orders)), facts, date(2024, 3, 12)).items]
    assert one == two


def test_history_keeps_what_an_amendment_replaced() -> None:
    orders = load_orders(
        [HERE / "orders" / "chain-first.toml", HERE / "orders" / "chain-second.toml"]
    )
    sched = schedule(orders, Facts(), date(2024, 3, 21))
    produce = _item(sched, "produce")
    assert any("extended by 7 days" in h and "was 2024-03-15" in h for h in produce.history)
    assert any("superseded by new-status" in h for h in _item(sched, "status").history)


def test_a_chain_names_the_facts_it_hangs_on() -> None:
    orders = load_orders([HERE / "orders" / "chain-first.toml"])
    facts = _facts("test-case", "first", [{"done": "produce", "on": date(2024, 3, 20)}])
    review = _item(schedule(orders, facts, date(2024, 3, 21)), "review")
    assert "produce done 2024-03-20, 5 days late" in review.chain
    assert review.depends_on == ("test-case/first/produce",)


def test_another_orders_obligation_by_order_id_slash_id_and_one_consequence_per_order() -> None:
    """issue 14 (10): "a failure to comply with this Order may be deemed a waiver" stated once
    is shown on every duty without its own; a rule counts from another order's duty."""
    from obligations.model import Obligation, Order
    from obligations.when import parse_when

    first = Order(
        "sched",
        "c",
        "njd",
        date(2025, 1, 6),
        consequence="may be deemed a waiver",
        obligations=(
            Obligation(
                "expert", "both", "Serve the report.", "¶ 1", due=parse_when("on 2025-03-14")
            ),
            Obligation(
                "rebut",
                "both",
                "Rebut.",
                "¶ 2",
                due=parse_when("on 2025-04-14"),
                consequence="sanctions",
            ),
        ),
    )
    second = Order(
        "later",
        "c",
        "njd",
        date(2025, 2, 3),
        obligations=(
            # Fri Mar 14 + 14 = Fri Mar 28; done Mon Mar 17 + 7 = Mon Mar 24
            Obligation(
                "depose", "both", "Depose.", "¶ 1", due=parse_when("14 days after sched/expert.due")
            ),
            Obligation(
                "reply", "both", "Reply.", "¶ 2", due=parse_when("7 days after sched/expert")
            ),
        ),
    )
    facts = Facts.of([Completion("c", "sched", "expert", date(2025, 3, 17), seq=1)])
    sched = schedule([first, second], facts, date(2025, 3, 18))
    assert sched.find("later", "depose").due_date == date(2025, 3, 28)
    assert sched.find("later", "reply").due_date == date(2025, 3, 24)
    assert sched.find("later", "reply").depends_on == ("c/sched/expert",)
    assert sched.find("sched", "expert").consequence == "may be deemed a waiver"
    assert sched.find("sched", "rebut").consequence == "sanctions"
    assert sched.find("later", "depose").consequence == ""


def test_a_schedule_holds_no_reference_cycles() -> None:
    """schedule() pauses the cyclic garbage collector; that is safe only while what it builds
    (items, due dates, their lazy traces) holds no cycles, so refcounting frees it all."""
    import gc

    from obligations.orderfile import load_orders

    orders = load_orders([HERE / "good" / "language.toml", HERE / "orders" / "chain-first.toml"])
    gc.collect()
    sched = schedule(orders, Facts(), date(2025, 3, 1))
    assert all(item.due.trace for item in sched.items if item.due is not None)
    del sched
    assert gc.collect() == 0
    assert gc.isenabled()

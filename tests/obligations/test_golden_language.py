"""The order language of issue 14 against golden rows worked by hand (golden/language.toml):
combined rules, same day, periodic series, defaults as triggers, ``by x.due``, service recorded
with a fact (FRCP 6(d), CCP 1013), amending every deadline of an order loaded later, timed
appearances, conditions."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from obligations.engine import Item, Schedule, schedule
from obligations.model import Amendment, Completion, Condition, Event, Facts, Obligation, Order
from obligations.when import parse_period, parse_when

GOLDEN = Path(__file__).parent / "golden" / "language.toml"
ROWS = tomllib.loads(GOLDEN.read_text(encoding="utf-8"))["row"]
CASE = "golden"


def _order(spec: dict[str, Any]) -> Order:
    obligations = tuple(
        Obligation(
            o["id"],
            "both",
            o.get("text", "The duty."),
            "¶ 1",
            due=parse_when(o["due"]),
            condition=o.get("condition", ""),
            condition_id=o.get("condition_id", ""),
        )
        for o in spec["obligations"]
    )
    amendments = tuple(
        Amendment(
            a["order"],
            a.get("obligation", ""),
            a["action"],
            by=parse_period(a["by"]) if "by" in a else None,
            to=a.get("to"),
            reason=a.get("reason", ""),
            every=a.get("every", False),
            obligations=tuple(a.get("obligations", ())),
            due_on_or_after=a.get("due_on_or_after"),
        )
        for a in spec.get("amend", ())
    )
    return Order(
        spec["id"],
        CASE,
        spec["court"],
        spec["entered"],
        obligations=obligations,
        amendments=amendments,
    )


def _facts(orders: list[Order], rows: list[dict[str, Any]]) -> Facts:
    owner = {ob.id: o.id for o in orders for ob in o.obligations}
    out: list[Any] = []
    for seq, row in enumerate(rows, 1):
        if "event" in row:
            out.append(
                Event(CASE, row["event"], row["at"], seq=seq, service=row.get("service", ""))
            )
        elif "done" in row:
            base = row["done"].partition("#")[0]
            out.append(
                Completion(
                    CASE,
                    owner[base],
                    row["done"],
                    row["on"],
                    seq=seq,
                    service=row.get("service", ""),
                )
            )
        elif "condition" in row:
            out.append(Condition(CASE, row["condition"], row["met"], seq=seq))
        else:
            raise AssertionError(f"unknown fact {row}")
    return Facts.of(out)


def _find(sched: Schedule, name: str) -> Item | None:
    for item in sched.items:
        if item.obligation == name:
            return item
    return None


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat()


@pytest.mark.parametrize("row", ROWS, ids=[r["name"] for r in ROWS])
def test_golden_row(row: dict[str, Any]) -> None:
    assert row.get("rule") and row.get("order_text"), "every row names its rule and its order text"
    orders = [_order(spec) for spec in row["order"]]
    sched = schedule(orders, _facts(orders, row["facts"]), row["as_of"])
    for name, expected in row["expect"].items():
        item = _find(sched, name)
        if expected == "absent":
            assert item is None, (name, item)
            continue
        assert item is not None, (name, [i.obligation for i in sched.items])
        state, _, day = expected.partition(" ")
        seen = (item.state.value, item.waiting_on, item.chain, item.history)
        assert item.state.value == state, seen
        if day:
            assert item.due is not None and item.due.due.isoformat() == day, (
                name,
                item.due,
                seen,
            )
    for name, safe in row.get("safe", {}).items():
        item = _find(sched, name)
        assert item is not None and item.due is not None
        assert item.due.safe_due == safe, [r.to_json() for r in item.due.readings]
    for name, days in row.get("readings", {}).items():
        item = _find(sched, name)
        assert item is not None and item.due is not None
        assert [r.due for r in item.due.readings] == days, [r.to_json() for r in item.due.readings]
    for name, text in row.get("waiting", {}).items():
        item = _find(sched, name)
        assert item is not None and any(text in w for w in item.waiting_on), item
    for name, text in row.get("warning", {}).items():
        item = _find(sched, name)
        assert item is not None and item.due is not None
        assert any(text in w for w in item.due.warnings), item.due.warnings
    for name, text in row.get("trace", {}).items():
        item = _find(sched, name)
        assert item is not None and item.due is not None
        steps = item.due.trace
        assert [s.step for s in steps] == list(range(1, len(steps) + 1))
        assert all(s.rule for s in steps), "every step has its citation"
        assert any(text in s.note for s in steps), [s.to_json() for s in steps]
    for name, at in row.get("due_at", {}).items():
        item = _find(sched, name)
        assert item is not None and item.due is not None
        assert _iso(item.due.due_at) == at
    for name, at in row.get("end_at", {}).items():
        item = _find(sched, name)
        assert item is not None and _iso(item.end_at) == at
    if "pending" in row:
        assert len(sched.pending) == row["pending"], sched.pending


def test_every_row_names_its_source() -> None:
    for row in ROWS:
        assert row["rule"].strip() and row["order_text"].strip(), row["name"]


def test_the_required_constructs_all_have_rows() -> None:
    """The issue's list: the four combination forms, same day on a weekend and a holiday, a
    series across a holiday with its unrolled reading, a default met / done on time / late,
    by x.due, service under FRCP 6(d) and CCP 1013, amend-all of a pending order, an appearance
    with an end, conditions met and not met."""
    rules = [o["due"] for r in ROWS for spec in r["order"] for o in spec["obligations"]]
    text = "\n".join(rules)
    for form in (
        "whichever is earlier",
        "whichever is later",
        "and in any event",
        "once it happens",
    ):
        assert form in text, form
    for form in ("immediately upon", "upon receipt", "thereafter", ".missed", "by opposition.due"):
        assert form in text, form
    facts = [f for r in ROWS for f in r["facts"]]
    assert {f.get("service") for f in facts} >= {"mail", "mail-out-of-state"}
    assert {f.get("met") for f in facts if "condition" in f} == {True, False}
    assert any("readings" in r and any("#" in k for k in r["readings"]) for r in ROWS)
    assert any(r.get("pending") == 1 for r in ROWS)
    assert any("end_at" in r for r in ROWS)

"""``Reader.first_due`` (the desk's agenda) lists what ``upcoming`` lists, in the same order,
cut at its limit, on SQLite and PostgreSQL: every limit, state set and filter on the example
orders, with a duty done, some waiting and some overdue."""

from __future__ import annotations

from datetime import date, timedelta

from calendars.data import data_path
from obligations.store.docket import Docket
from obligations.store.read import Reader

from .conftest import Where

ORDERS = sorted(data_path("orders").glob("*.toml"))
STATES = (
    ("overdue", "open"),
    ("overdue", "open", "waiting"),
    ("waiting",),
    ("done", "standing"),
    ("overdue",),
)


def test_first_due_is_upcoming_cut_at_its_limit(where: Where, docket: Docket) -> None:
    docket.load(ORDERS)
    docket.add_person("Ann Lee", "ann@firm.example")
    docket.assign("ann@firm.example", "caed-2013-11-12", party="defendant")
    docket.done("produce-documents", date(2013, 11, 25))
    reader = Reader(where.url, schema=where.schema)
    seen: set[tuple[str, ...]] = set()
    try:
        for today in (date(2013, 11, 20), date(2013, 12, 20)):
            until = today + timedelta(days=14)
            for states in STATES:
                for filters in ({}, {"case": "caed-2013-11-12"}, {"party": "plaintiff"},
                                {"person": "ann@firm.example"}):  # fmt: skip
                    full, _ = reader.upcoming(today, until, states=states, limit=1000, **filters)
                    for limit in range(1, len(full) + 2):
                        rows, more = reader.first_due(
                            today, until, states=states, limit=limit, **filters
                        )
                        assert [r.ref for r in rows] == [r.ref for r in full[:limit]], (
                            today, states, filters, limit,
                        )  # fmt: skip
                        assert rows == full[:limit]
                        assert more == (len(full) > limit)
                    if full:
                        seen.add(states)
    finally:
        reader.close()
    assert seen == set(STATES)  # every state set was compared on lists that were not empty

"""Golden rows: due dates worked by hand from rule texts, committee notes and court notices.

Each CSV under golden/ (one per rule set or court family) holds rows of
``court,when,service,closures,due,safe_due,due_at,warning,source``, and optionally ``rules``
(a rule set other than the court's), ``rules_as_of`` (the rules as in force on another date),
``readings`` (every reading's date, space-separated) and ``appeal_from`` (the district court
appealed from, Fed. R. App. P. 26(a)(6)(C)). The expected values are written by hand,
never produced by this code; ``source`` names where each row comes from.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from calendars import ComputeError
from obligations.calculator import calculate

GOLDEN = Path(__file__).parent / "golden"
NOT_COMPUTATIONS = {"holidays.csv", "federal-courts.csv"}


def _rows() -> list[pytest.param]:
    params = []
    for path in sorted(GOLDEN.glob("*.csv")):
        if path.name in NOT_COMPUTATIONS:
            continue
        with path.open(newline="", encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                params.append(
                    pytest.param(row, id=f"{path.stem}:{line}:{row['court']}:{row['when']}")
                )
    return params


ROWS = _rows()


def test_there_are_enough_rows() -> None:
    assert len(ROWS) >= 150


@pytest.mark.parametrize("row", ROWS)
def test_golden_row(row: dict[str, str]) -> None:
    assert row["source"].strip(), "every row names its source"
    closures = [date.fromisoformat(d) for d in row["closures"].split()]
    service = row["service"].strip() or None
    expected = row["due"].strip()
    as_of = (row.get("rules_as_of") or "").strip()
    more = {
        "rules": (row.get("rules") or "").strip() or None,
        "rules_as_of": date.fromisoformat(as_of) if as_of else None,
        "appeal_from": (row.get("appeal_from") or "").strip() or None,
    }
    if expected.startswith("error:"):
        with pytest.raises(ComputeError) as err:
            calculate(row["court"], row["when"], service=service, closures=closures, **more)
        assert expected.removeprefix("error:").strip().lower() in str(err.value).lower()
        return
    due = calculate(row["court"], row["when"], service=service, closures=closures, **more)
    trace = "\n".join(f"{s.step}. {s.rule}: {s.note}" for s in due.trace)
    assert due.due == date.fromisoformat(expected), trace
    safe = row["safe_due"].strip() or expected
    assert due.safe_due == date.fromisoformat(safe), [r.to_json() for r in due.readings]
    if row["due_at"].strip():
        assert due.due_at == datetime.fromisoformat(row["due_at"].strip()), due.due_at
    if row["warning"].strip():
        assert any(row["warning"].strip().lower() in w.lower() for w in due.warnings), due.warnings
    readings = (row.get("readings") or "").split()
    if readings:
        assert sorted({r.due.isoformat() for r in due.readings}) == sorted(set(readings)), [
            r.to_json() for r in due.readings
        ]

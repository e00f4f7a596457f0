"""Whether the reads of the hot paths use indexes: the plans of the SQL they issue.

``upcoming`` and the feeds must stay fast on a docket of a million obligations; a query whose
plan reads a whole large table would not. A ``Reader`` with ``log`` set keeps the SQL it sends;
``full_scans`` asks the database for each statement's plan (``EXPLAIN (FORMAT JSON)`` on
PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite) and names every whole-table read of a large table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from obligations.store.read import Reader

#: Tables that grow with the docket. ``person`` and ``feed_token`` stay small (hundreds of rows)
#: and may be read whole.
LARGE = frozenset(
    ("obligation", "history", "fact", "assignment", "order_version", "case", "reminder")
)


@dataclass(frozen=True, slots=True)
class Scan:
    """A whole-table read in a statement's plan."""

    sql: str
    table: str
    how: str  # the plan's words for it

    def __str__(self) -> str:
        return f"{self.how} of {self.table} in: {self.sql}"


def full_scans(reader: Reader, statements: Sequence[tuple[str, tuple[Any, ...]]]) -> list[Scan]:
    """The reads of whole large tables in the plans of ``statements`` (as ``Reader.log`` keeps
    them): a sequential scan, or an index walked end to end without a condition (except under
    a LIMIT with no filter, as ``max(id)`` is planned)."""
    out: list[Scan] = []
    for sql, params in dict.fromkeys(statements):
        if reader.sqlite:
            rows = reader.query("EXPLAIN QUERY PLAN " + sql, params)
            out += [Scan(sql, t, how) for t, how in _sqlite_scans(sql, (str(r[-1]) for r in rows))]
        else:
            (raw,) = reader.query("EXPLAIN (FORMAT JSON) " + sql, params)[0]
            plan = json.loads(raw) if isinstance(raw, str) else raw
            out += [Scan(sql, t, how) for t, how in _pg_scans(plan[0]["Plan"], limited=False)]
    return out


def plan_text(reader: Reader, sql: str, params: Sequence[Any]) -> str:
    """The plan as the database prints it, for a message."""
    if reader.sqlite:
        return "\n".join(str(r[-1]) for r in reader.query("EXPLAIN QUERY PLAN " + sql, params))
    return "\n".join(str(r[0]) for r in reader.query("EXPLAIN " + sql, params))


def _pg_scans(node: dict[str, Any], *, limited: bool) -> Iterator[tuple[str, str]]:
    kind = node.get("Node Type", "")
    table = node.get("Relation Name", "")
    if table in LARGE:
        if kind == "Seq Scan":
            yield table, "a sequential scan"
        elif (
            kind in ("Index Scan", "Index Only Scan")
            and "Index Cond" not in node
            and not (limited and "Filter" not in node)
        ):
            yield table, f"the whole index {node.get('Index Name')} walked"
    below = limited or kind == "Limit"
    for child in node.get("Plans", ()):
        yield from _pg_scans(child, limited=below)


def _sqlite_scans(sql: str, details: Iterator[str]) -> Iterator[tuple[str, str]]:
    # SQLite's plan names a table by its alias in the statement ("SCAN o")
    names = {m[1] or m[0].strip('"'): m[0].strip('"') for m in _FROM.findall(sql)}
    for detail in details:
        words = detail.split()
        if len(words) >= 2 and words[0] == "SCAN":
            table = names.get(words[1].strip('"'), words[1].strip('"'))
            if table in LARGE:
                yield table, detail


_FROM = re.compile(
    r'(?:FROM|JOIN)\s+("?\w+"?)(?:\s+(?:AS\s+)?(?!WHERE|JOIN|ON|ORDER|LIMIT|GROUP)(\w+))?', re.I
)


def hot_reads(
    reader: Reader, as_of: date, person: str, case: str
) -> list[tuple[str, tuple[Any, ...]]]:
    """The statements the hot paths send for ``person`` and ``case``: ``upcoming`` (the person,
    the firm, the case, a party, with waiting duties), the desk's agenda (the person's first
    page and the firm's) and the feeds (the person, the case, a party), as they run."""
    from obligations.feeds import Scope
    from obligations.store.feeds import render

    until = as_of + timedelta(days=14)
    reader.log = []
    try:
        rows, _ = reader.upcoming(as_of, until, person=person)
        reader.short_refs([row.ref for row in rows])
        reader.upcoming(as_of, until)
        reader.upcoming(as_of, until, case=case)
        reader.upcoming(as_of, until, case=case, party="plaintiff")
        reader.upcoming(as_of, until, states=("overdue", "open", "waiting"))
        # the desk's agenda: the person's first page and the firm's
        reader.first_due(as_of, until, person=person, states=("overdue", "open", "waiting"))
        reader.first_due(as_of, until, states=("overdue", "open"))
        for scope in (f"person:{person}", f"case:{case}", f"party:{case}:plaintiff"):
            render(reader, Scope.parse(scope), as_of)
        return reader.log
    finally:
        reader.log = None

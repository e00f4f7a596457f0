"""The JSON contract of ``upcoming`` (and ``agenda``, ``demo``): one item per obligation, made
here and nowhere else, and its JSON Schema (``docketcal upcoming --schema``).

``due_at`` is the instant the last day ends, written in the court's own time zone with its
offset (``2013-11-26T23:59-08:00``): the time a clerk reads off the court's rules, whichever
zone the reader is in. The engine and the store both hand their values to ``upcoming_item``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

#: The stable keys, in this order (ARCHITECTURE.md: add, never rename).
UPCOMING_KEYS = (
    "ref", "case", "order", "obligation", "party", "text", "cite", "state", "due", "due_at",
    "safe_due", "waiting_on",
)  # fmt: skip
#: Values only grow: ``moot`` (a condition not met, a default that did not happen) came with
#: issue 14's order language.
STATES = ("waiting", "open", "overdue", "done", "vacated", "standing", "moot")


def upcoming_item(
    *,
    ref: str,
    case: str,
    order: str,
    obligation: str,
    party: str,
    text: str,
    cite: str,
    state: str,
    due: date | None,
    due_at: datetime | None,
    safe_due: date | None,
    waiting_on: Sequence[str],
    court: str,
) -> dict[str, Any]:
    """One item of ``upcoming --format json``; ``due_at`` is turned to the court's time zone."""
    from calendars import get_court

    at = due_at.astimezone(get_court(court).zone) if due_at is not None else None
    return {
        "ref": ref,
        "case": case,
        "order": order,
        "obligation": obligation,
        "party": party,
        "text": text,
        "cite": cite,
        "state": state,
        "due": due.isoformat() if due is not None else None,
        "due_at": at.isoformat(timespec="minutes") if at is not None else None,
        "safe_due": safe_due.isoformat() if safe_due is not None else None,
        "waiting_on": list(waiting_on),
    }


_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def upcoming_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``upcoming --format json``: an array of items."""
    item = {
        "type": "object",
        "required": list(UPCOMING_KEYS),
        "additionalProperties": True,  # keys may be added, never renamed
        "properties": {
            "ref": {"type": "string", "description": "CASE/ORDER/OBLIGATION"},
            "case": {"type": "string"},
            "order": {"type": "string"},
            "obligation": {"type": "string"},
            "party": {"type": "string"},
            "text": {"type": "string", "description": "the order's own words"},
            "cite": {"type": "string", "description": "where in the order"},
            "state": {"enum": list(STATES)},
            "due": {"oneOf": [_DATE, {"type": "null"}]},
            "due_at": {
                "oneOf": [
                    {
                        "type": "string",
                        "format": "date-time",
                        "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[+-]\d{2}:\d{2}$",
                        "description": "when the last day ends, in the court's time zone",
                    },
                    {"type": "null"},
                ]
            },
            "safe_due": {
                "oneOf": [_DATE, {"type": "null"}],
                "description": "the earliest date under every reading of the rules",
            },
            "waiting_on": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "docketcal upcoming --format json",
        "type": "array",
        "items": item,
    }

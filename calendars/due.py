"""The result of a computation: the due date, how it was reached, and what is unsettled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class ComputeError(ValueError):
    """A request the rules cannot answer (a bad input, or a refusal that says why)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One numbered step of a trace: the rule applied and the dates it moved between."""

    step: int
    rule: str
    start: date | datetime | None
    end: date | datetime | None
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "rule": self.rule,
            "from": _iso(self.start),
            "to": _iso(self.end),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Reading:
    """One way of reading unsettled law, and the date it gives."""

    due: date
    assumes: str

    def to_json(self) -> dict[str, Any]:
        return {"due": self.due.isoformat(), "assumes": self.assumes}


@dataclass(frozen=True, slots=True)
class Due:
    """A computed due date.

    ``due`` is the date under the rule set's default reading; ``safe_due`` the earliest date under
    every reading in ``readings`` (equal to ``due`` when nothing is unsettled); ``due_at`` the
    instant the last day ends, when one applies.
    """

    due: date
    due_at: datetime | None
    safe_due: date
    readings: tuple[Reading, ...] = ()
    warnings: tuple[str, ...] = ()
    trace: tuple[Step, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "due": self.due.isoformat(),
            "due_at": _iso(self.due_at),
            "safe_due": self.safe_due.isoformat(),
            "readings": [r.to_json() for r in self.readings],
            "warnings": list(self.warnings),
            "trace": [s.to_json() for s in self.trace],
        }


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()

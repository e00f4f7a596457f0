"""The result of a computation: the due date, how it was reached, and what is unsettled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from calendars.errors import BadInput


class ComputeError(BadInput):
    """A request the rules cannot answer (a bad input, or a refusal that says why): exit 2."""


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
    """One way of reading unsettled law, and the date it gives (and, for a period in hours, the
    instant: two readings of an hour period may end on the same day at different times)."""

    due: date
    assumes: str
    due_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        if self.due_at is None:
            return {"due": self.due.isoformat(), "assumes": self.assumes}
        return {"due": self.due.isoformat(), "due_at": _iso(self.due_at), "assumes": self.assumes}


class Due:
    """A computed due date.

    ``due`` is the date under the rule set's default reading; ``safe_due`` the earliest date under
    every reading in ``readings`` (the default reading first); ``due_at`` the instant the last day
    ends, when one applies. The ``trace`` is built the first time it is read: finding the date is
    cheap, explaining it costs more, and most bulk callers read only the dates: ``explain``
    called with ``args`` builds it (a bulk caller passes a shared function and its arguments
    rather than a new closure for every answer).
    """

    __slots__ = ("_args", "_explain", "_trace", "due", "due_at", "readings", "safe_due", "warnings")

    def __init__(
        self,
        due: date,
        due_at: datetime | None,
        safe_due: date,
        readings: tuple[Reading, ...] = (),
        warnings: tuple[str, ...] = (),
        trace: tuple[Step, ...] | None = None,
        explain: Callable[..., tuple[Step, ...]] | None = None,
        args: tuple[Any, ...] = (),
    ) -> None:
        self.due = due
        self.due_at = due_at
        self.safe_due = safe_due
        self.readings = readings
        self.warnings = warnings
        self._trace = trace
        self._explain = explain
        self._args = args

    @property
    def trace(self) -> tuple[Step, ...]:
        if self._trace is None:
            self._trace = self._explain(*self._args) if self._explain is not None else ()
            self._explain = None
            self._args = ()
        return self._trace

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Due):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Due(due={self.due!r}, due_at={self.due_at!r}, safe_due={self.safe_due!r})"

    def to_json(self, trace: bool = True) -> dict[str, Any]:
        """The answer as JSON; without ``trace`` the key is left out (never an empty trace)."""
        out: dict[str, Any] = {
            "due": self.due.isoformat(),
            "due_at": _iso(self.due_at),
            "safe_due": self.safe_due.isoformat(),
            "readings": [r.to_json() for r in self.readings],
            "warnings": list(self.warnings),
        }
        if trace:
            out["trace"] = [s.to_json() for s in self.trace]
        return out


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()

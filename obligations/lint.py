"""What an order file says that is worth a second look: warnings, never errors.

``order check`` and ``order load`` show them with the file, line and column: a fixed date on a
non-court day or before the order's own date (a misprinted year), the order's own arithmetic
disagreeing with its fixed date, a ``given`` name in a check that no rule uses (a typo), dates
that depend on a holiday list not yet reviewed, and duties a person must still review. Pure:
the court's rules are asked, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from calendars import ComputeError, Due, Period, Request, Unit, compute
from obligations.model import Kind, Order
from obligations.when import (
    DateAnchor,
    Either,
    Fixed,
    OrderAnchor,
    Periodic,
    Relative,
    names,
    parts_of,
)

#: (section, index, key path, pattern to find in the value) -> (line, column)
Locate = Callable[[str, int, tuple[str, ...], str], tuple[int, int]]

_UNREVIEWED = ("is not yet reviewed", "outside the years", "no reviewed")


def lint(order: Order, locate: Locate) -> tuple[str, ...]:
    """The warnings of one order, each "path:line:column: message", in file order."""
    found: list[tuple[int, int, str]] = []

    def warn(section: str, index: int, path: tuple[str, ...], message: str, find: str = "") -> None:
        line, column = locate(section, index, path, find)
        found.append((line, column, message))

    counted = False
    for i, ob in enumerate(order.obligations):
        if ob.review:
            warn("obligation", i, ("review",), f"obligation '{ob.id}' needs review: {ob.review}")
        if ob.due is None:
            continue
        parts = parts_of(ob.due)
        counted = counted or any(not isinstance(p, Fixed) for p in parts)
        for part in parts:
            if isinstance(part, Fixed):
                _fixed(order, i, part, warn)
        if isinstance(ob.due, Either):
            _arithmetic(order, i, ob.due, warn)
    if counted:
        _holiday_lists(order, warn)
    _givens(order, warn)
    found.sort()
    where = order.path or "<order>"
    return tuple(f"{where}:{line}:{column}: warning: {message}" for line, column, message in found)


def _compute(order: Order, request: Request) -> Due | None:
    try:
        return compute(order.court, request, rules=order.rules)
    except (ComputeError, KeyError, ValueError, OverflowError):
        return None


def _fixed(order: Order, i: int, part: Fixed, warn: Callable[..., None]) -> None:
    day = part.on.isoformat()
    if part.on < order.entered:
        warn(
            "obligation",
            i,
            ("due",),
            f"due: the fixed date {day} is before the order's own date {order.entered.isoformat()}"
            " (a misprinted year?)",
            day,
        )
    due = _compute(order, Request(fixed=part.on))
    for text in due.warnings if due is not None else ():
        if text.startswith("the fixed date"):
            warn("obligation", i, ("due",), f"due: {text}", day)


def _arithmetic(order: Order, i: int, when: Either, warn: Callable[..., None]) -> None:
    """A part counted from the order (or a date) and a fixed part of one rule: the order's own
    arithmetic can be checked against its fixed date; where they differ, show both."""
    fixed = [p for p in when.parts if isinstance(p, Fixed)]
    for part in when.parts:
        if not isinstance(part, Relative) or not isinstance(part.anchor, OrderAnchor | DateAnchor):
            continue
        if part.weekday is not None:  # the period's end is not the due date
            continue
        anchor: date | datetime = (
            order.start if isinstance(part.anchor, OrderAnchor) else part.anchor.at
        )
        request = Request(
            anchor=anchor,
            period=part.period,
            direction=part.direction,
            service="none" if part.service is None else part.service,
        )
        due = _compute(order, request)
        if due is None:
            continue
        for other in fixed:
            if due.due != other.on:
                governs = "earlier" if when.pick != "later" else "later"
                warn(
                    "obligation",
                    i,
                    ("due",),
                    f"due: '{part}' gives {due.due.isoformat()}, but the fixed date is"
                    f" {other.on.isoformat()}: the order's own arithmetic disagrees with its fixed"
                    f" date; both are computed and the {governs} governs (check the order)",
                    other.on.isoformat(),
                )


def _holiday_lists(order: Order, warn: Callable[..., None]) -> None:
    """A period counted in this court depends on its holiday lists: say if one is not reviewed
    for the order's year."""
    probe = Request(anchor=order.start, period=Period(1, Unit.DAYS))
    try:
        due = compute(order.court, probe, rules=order.rules)
    except (ComputeError, KeyError, ValueError, OverflowError) as exc:
        warn("order", 0, ("court",), f"court: periods cannot be computed here: {exc}")
        return
    for text in due.warnings:
        if any(mark in text for mark in _UNREVIEWED):
            warn("order", 0, ("court",), f"court: dates of this order depend on it: {text}")


def _givens(order: Order, warn: Callable[..., None]) -> None:
    """A ``given`` name no rule of the order uses is most likely a typo."""
    used: set[str] = set()
    for ob in order.obligations:
        used.add(ob.id)
        if ob.on:
            used.add(ob.on)
        if ob.condition_name:
            used.add(ob.condition_name)
        if ob.due is not None:
            used.update(names(ob.due))
    series = {ob.id for ob in order.obligations if isinstance(ob.due, Periodic)}
    series |= {ob.id for ob in order.obligations if ob.kind is Kind.RECURRING}
    for i, check in enumerate(order.checks):
        given = [n for n, _ in check.given] + [n for n, _ in check.conditions]
        for name in given:
            base = name.partition("#")[0]
            if "/" in name or name in used or (base in series and base != name):
                continue
            listed = ", ".join(sorted(used)) or "none"
            warn(
                "check",
                i,
                ("given", name),
                f"given: '{name}' is used by no due rule of this order (a typo?); the names its rules use: {listed}",
            )

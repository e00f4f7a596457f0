"""How schedules read on a terminal: short lines, dates with weekdays, the reference to ask about."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calendars import Due
    from obligations.engine import Item, Schedule


def short(text: str, width: int) -> str:
    """Cut with an ellipsis, never silently."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def day(d: date) -> str:
    return d.strftime("%a %Y-%m-%d")


def schedule_table(sched: Schedule, width: int = 80) -> str:
    """Overdue first, then open by date, then waiting and standing: a clerk's agenda."""
    groups: list[tuple[str, list[Item]]] = [
        ("Overdue", [i for i in sched.items if i.state.value == "overdue"]),
        ("Due", [i for i in sched.items if i.state.value == "open"]),
        ("Waiting", [i for i in sched.items if i.state.value == "waiting"]),
        ("Done", [i for i in sched.items if i.state.value == "done"]),
        ("Standing", [i for i in sched.items if i.state.value == "standing"]),
        ("Vacated", [i for i in sched.items if i.state.value == "vacated"]),
    ]
    lines = [f"As of {day(sched.as_of)}"]
    for title, items in groups:
        if not items:
            continue
        lines.append("")
        lines.append(f"{title}:")
        for item in items:
            lines.append(_line(item, sched.as_of, width))
            if item.waiting_on:
                lines.append(
                    "      " + short("waiting on " + ", ".join(item.waiting_on), width - 6)
                )
            lines.append("      " + short(f"ref {item.ref}", width - 6))
    for problem in sched.problems:
        lines.append(f"! {problem}")
    return "\n".join(lines)


def _line(item: Item, as_of: date, width: int) -> str:
    if item.due is not None and item.state.value in ("open", "overdue"):
        left = (item.due.due - as_of).days
        when = f"{day(item.due.due)} {left:+4d}d"
    elif item.done_on is not None:
        when = f"done {item.done_on.isoformat()}"
        when = f"{when:<19}"
    else:
        when = " " * 19
    head = f"  {when} {item.party[:10]:<10} "
    return head + short(item.text, width - len(head))


def explain_item(item: Item) -> str:
    """The answer to "how did you get that date?", as a careful note."""
    lines = [f"{item.ref}", f"  {item.party}, {item.cite}: {short(item.text, 400)}"]
    if item.condition:
        lines.append(f"  Only {item.condition}.")
    if item.consequence:
        lines.append(f"  Consequence: {item.consequence}")
    if item.when:
        lines.append(f"  Due rule: {item.when}")
    lines.append(
        f"  State: {item.state.value}"
        + (f", done {item.done_on.isoformat()}" if item.done_on else "")
        + (f" ({item.late_by} days late)" if item.late_by else "")
    )
    if item.waiting_on:
        lines.append(f"  Waiting on: {', '.join(item.waiting_on)}")
    if item.chain:
        lines.append("  Hangs on:")
        lines.extend(f"    - {c}" for c in item.chain)
    if item.due is not None:
        lines.append(due_note(item.due, indent="  "))
    if item.history:
        lines.append("  History:")
        lines.extend(f"    - {h}" for h in item.history)
    return "\n".join(lines)


def due_note(due: Due, indent: str = "") -> str:
    lines = [
        f"{indent}Due:       {day(due.due)}"
        + (f"  (ends {due.due_at.strftime('%H:%M %Z')})" if due.due_at else "")
    ]
    if due.safe_due != due.due:
        lines.append(
            f"{indent}Safe date: {day(due.safe_due)}  (the earliest date under every reading)"
        )
    if len(due.readings) > 1:
        lines.append(f"{indent}Readings:")
        lines.extend(f"{indent}  {day(r.due)}  if {r.assumes}" for r in due.readings)
    if due.warnings:
        lines.append(f"{indent}Warnings:")
        lines.extend(f"{indent}  ! {w}" for w in due.warnings)
    lines.append(f"{indent}How:")
    for s in due.trace:
        lines.append(f"{indent}  {s.step}. {s.rule}")
        lines.append(f"{indent}     {s.note}")
    return "\n".join(lines)

"""How schedules read on a terminal: short lines, dates with weekdays, the reference to ask about."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from calendars.errors import escape

if TYPE_CHECKING:
    from calendars import Due


def clean(value: Any) -> Any:
    """``value`` (a row, a list of them, a string) with every string's control characters
    escaped (``\\r``, ``\\x1b``): what an order or a person typed is shown, never obeyed, by the
    terminal. JSON output needs none of this; table output goes through it."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(
            value, **{f.name: clean(getattr(value, f.name)) for f in fields(value) if f.init}
        )
    return value


def short(text: str, width: int) -> str:
    """Cut with an ellipsis, never silently."""
    text = escape(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def day(d: date) -> str:
    return d.strftime("%a %Y-%m-%d")


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


def explain_stored(
    row: dict[str, Any], history: list[dict[str, Any]], today: date, width: int = 80
) -> str:
    """``docketcal explain``: a careful note on one obligation as the docket holds it."""
    from calendars import get_court
    from obligations.store.read import effective_state

    zone = get_court(row["court"]).zone
    state = effective_state(row["state"], row["due"], row.get("opens_on"), today)
    if not row["active"]:
        state = "vacated (no longer in its order)"
    elif state == "overdue":
        state = f"overdue by {(today - row['due']).days} days"
    elif state == "moot":
        state = "moot (its condition was not met, or the default it follows did not happen)"
    lines = [row["ref"], ""]
    lines.append(
        f"{row['party'].capitalize()}, {row['cite']} of order {row['order_id']} ({row['court']}):"
    )
    lines.extend("  " + chunk for chunk in _wrap(f"\u201c{row['text']}\u201d", 76))
    if row["condition"]:
        lines.append(f"Only {row['condition']}.")
    if row["consequence"]:
        lines.append(f"Consequence: {row['consequence']}")
    lines.append("")
    if row.get("review"):
        lines.append(f"REVIEW:    {row['review']}")
    if row.get("source_text"):
        lines.extend(
            "Read from: " + chunk if n == 0 else "           " + chunk
            for n, chunk in enumerate(_wrap(f"\u201c{row['source_text']}\u201d", 68))
        )
    if row["when_text"]:
        lines.append(f"Due rule:  {row['when_text']}")
    status = f"State:     {state}"
    if row["done_on"]:
        late = f", {row['late_by']} days late" if row["late_by"] else ", on time"
        status += f", done {row['done_on'].isoformat()}{late}"
    lines.append(status)
    if row["waiting_on"]:
        lines.append(f"Waits on:  {', '.join(row['waiting_on'])}")
    if row.get("opens_on") and row["state"] == "waiting":
        lines.append(f"Opens on:  {day(row['opens_on'])} if nothing is recorded before")
    if row["chain"]:
        lines.append("Hangs on:")
        lines.extend(f"  - {c}" for c in row["chain"])
    if row["due"] is not None:
        at = row["due_at"].astimezone(zone).strftime(" (ends %H:%M %Z)") if row["due_at"] else ""
        if row.get("end_at") and row["due_at"]:
            start = row["due_at"].astimezone(zone).strftime("%H:%M")
            at = f" from {start} to {row['end_at'].astimezone(zone).strftime('%H:%M %Z')}"
        early = ""
        if row["state"] == "waiting":
            early = "  (if the default happens)" if row.get("opens_on") else "  (at the earliest)"
        lines.append(f"Due:       {day(row['due'])}{at}{early}")
        if row["safe_due"] and row["safe_due"] != row["due"]:
            lines.append(
                f"Safe date: {day(row['safe_due'])}  (the earliest date under every reading)"
            )
        if len(row["readings"]) > 1:
            lines.append("Readings:")
            for r in row["readings"]:
                lines.append(f"  {day(date.fromisoformat(r['due']))}  if {r['assumes']}")
        if row["warnings"]:
            lines.append("Warnings:")
            lines.extend(f"  ! {w}" for w in row["warnings"])
        lines.append("How:")
        for s in row["trace"]:
            lines.append(f"  {s['step']}. {s['rule']}  ({s['from']} -> {s['to']})")
            lines.extend("     " + chunk for chunk in _wrap(s["note"], 74))
    if row["amendments"]:
        lines.append("Changed by the court:")
        lines.extend(f"  - {a}" for a in row["amendments"])
    if history:
        lines.append("History:")
        for h in history:
            why = f": {h['why']}" if h["why"] else ""
            lines.append(
                f"  {h['at'].strftime('%Y-%m-%d %H:%M')} UTC  {h['who']}  {h['what']}{why}"
            )
    lines.append(f"(revision {row['revision']}, uid {row['uid']})")
    return "\n".join(fold(lines, width))


def fold(lines: list[str], width: int) -> list[str]:
    """Wrap long lines at ``width``, continuing under their own indent: nothing is cut."""
    import textwrap

    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        out.extend(
            textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) or [""]
        )
    return out


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]

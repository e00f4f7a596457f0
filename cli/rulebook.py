"""What ``docketcal rules list``, ``show`` and ``preview`` answer, without the command-line
framework: the rule library (and its checked copy in the cache folder), the answers and how they
read. ``cli/rules.py`` (the typer commands) and ``cli/quickrules.py`` (the console script's quick
way to the same commands) both call these functions, so the two give the same output and the
same errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.bulk import BadLine, json_object
from cli.output import day_or_fail, emit_json, fail, moment_or_fail
from cli.render import clean, day

if TYPE_CHECKING:
    from obligations.rules import Library, Preview

#: Set to 0 to read and check the rule files on every run instead of using the checked copy.
CACHE_ENV = "DOCKETCAL_RULES_CACHE"

#: Writes one line of text output (``typer.echo`` in the typer commands).
Echo = Callable[[str], None]


def library() -> Library:
    """The rule files, read and checked; from a checked copy in the user's cache folder
    (cli/kept.py) when the files (names, sizes, times), the court lists they name courts of and
    docketcal's code of them are as they were when it was made. Files with any mistake are never
    kept: every run reports them."""
    from obligations.rules import load_library, rules_folder

    folder = rules_folder()
    if os.environ.get(CACHE_ENV, "1") == "0" or not folder.is_dir():
        return load_library()
    from cli.kept import keep

    def sources() -> list[Path]:
        import calendars.courts
        import calendars.period
        import obligations.rules
        import obligations.when
        from calendars.data import data_path

        code = [obligations.rules, obligations.when, calendars.period, calendars.courts]
        return [
            *sorted(folder.glob("*.toml")),
            *(data_path(name) for name in calendars.courts.DATA_FILES),
            *(Path(m.__file__) for m in code if m.__file__),
        ]

    lib: Library = keep("rules", sources, lambda: load_library(folder))
    return lib


def court_id(court: str) -> str:
    from calendars import get_court

    return get_court(court).id  # UnknownCourt: exit 2, with the close ids


# --- rules list ------------------------------------------------------------------------------


def list_answer(court: str | None, form: str, echo: Echo) -> None:
    """``rules list [--court ID]`` in ``form`` (table or json)."""
    lib = library()
    where = court_id(court) if court is not None else None
    rows = [
        {
            "id": t.id,
            "name": t.name,
            "cite": t.cite,
            "ruleset": t.ruleset,
            "deadlines": [d.id for d in lib.set_by(t.id, where)],
            "note": t.note,
        }
        for t in lib.triggers_in(where)
    ]
    if form == "json":
        emit_json(rows)
        return
    if not rows:
        echo("no triggers" + (f" apply in court {where}" if where else " in the rules"))
        return
    for r in clean(rows):
        echo(f"{r['id']:<36} {len(r['deadlines']):>3}  {r['name']}  ({r['cite']})")


# --- rules show ------------------------------------------------------------------------------


def show_answer(trigger: str, form: str, echo: Echo) -> None:
    """``rules show TRIGGER`` in ``form`` (table or json)."""
    lib = library()
    t = lib.trigger(trigger)
    deadlines = lib.set_by(t.id)
    row = {
        "id": t.id,
        "name": t.name,
        "cite": t.cite,
        "note": t.note,
        "ruleset": lib.rulesets[t.ruleset].to_json(),
        "deadlines": [
            {
                "id": d.id,
                "title": d.title,
                "party": d.party,
                "kind": d.kind,
                "note": d.note,
                "ruleset": d.ruleset,
                "applies": lib.rulesets[d.ruleset].to_json()["applies"],
                "versions": [v.to_json() for v in d.versions],
            }
            for d in deadlines
        ],
    }
    if form == "json":
        emit_json(row)
        return
    r = clean(row)
    echo(f"{r['id']}: {r['name']} ({r['cite']})")
    echo(f"  from {r['ruleset']['title']} ({r['ruleset']['source']})")
    if r["note"]:
        echo(f"  note: {r['note']}")
    for d in r["deadlines"]:
        echo("")
        where = d["applies"].get("rules") or d["applies"].get("courts")
        kind = " (earliest day)" if d["kind"] == "earliest" else ""
        echo(f"  {d['id']}: {d['title']}{kind}  [{d['party']}]  ({', '.join(where)})")
        for n, v in enumerate(d["versions"]):
            span = _span(v["effective"], v["until"])
            label = "rule" if n == 0 else "was"
            service = ", service adds time" if v["service"] else ""
            echo(f"    {label}: {v['due']}{service}  {span}")
            echo(f'      {v["cite"]}: "{v["excerpt"]}"')
            if n == 0:
                echo(f"      {v['source']}")
            if v["note"]:
                echo(f"      note: {v['note']}")
        if d["note"]:
            echo(f"    note: {d['note']}")


def _span(effective: str | None, until: str | None) -> str:
    if effective and until:
        return f"(from {effective} through {until})"
    if until:
        return f"(through {until})"
    if effective:
        return f"(from {effective})"
    return ""


# --- rules preview ---------------------------------------------------------------------------


def preview_answer(
    trigger: str | None,
    when: str | None,
    court: str | None,
    service: str | None,
    party: str | None,
    rules_as_of: str | None,
    jsonl: bool,
    form: str,
    echo: Echo,
) -> None:
    """``rules preview TRIGGER DATE --court ID ...`` (or ``--jsonl``) in ``form``."""
    if jsonl:
        if trigger is not None or when is not None or court is not None:
            fail("--jsonl reads its requests from standard input; give no TRIGGER, DATE or --court")
        preview_lines()
        return
    if trigger is None or when is None or court is None:
        fail(
            "rules preview needs a trigger, a date and --court, e.g. docketcal rules preview"
            " frcp-complaint-served 2025-01-22 --court nysd"
        )
    from obligations.rules import preview

    at = moment_or_fail(when, "DATE")
    as_of = day_or_fail(rules_as_of, "--rules-as-of") if rules_as_of is not None else None
    lib = library()
    result = preview(lib, trigger, at, court_id(court), service, rules_as_of=as_of, party=party)
    if form == "json":
        emit_json(result.to_json())
        return
    echo(preview_text(result))


def preview_text(result: Preview) -> str:
    """A preview as it reads on a terminal."""
    at = result.at
    shown_at = day(at.date()) + at.strftime(" %H:%M") if isinstance(at, datetime) else day(at)
    how = f", served by {result.service}" if result.service else ""
    t = result.trigger
    lines = [clean(f"{t.name} ({t.cite}) on {shown_at} in {result.court}{how}:")]
    for item in result.items:
        d, due = item.deadline, item.due
        lines.append("")
        when = day(due.due) if due is not None else "waiting"
        kind = "not before " if d.kind == "earliest" else ""
        cite = item.version.cite if item.version else d.current.cite
        lines.append(clean(f"{kind}{when}  {d.title}  [{d.party}]  {cite}  ({d.id})"))
        if due is not None and due.safe_due != due.due:
            lines.append(f"    safe date: {day(due.safe_due)} (the earliest under every reading)")
        if due is not None and len(due.readings) > 1:
            lines.extend(clean(f"    reading: {day(r.due)} if {r.assumes}") for r in due.readings)
        if item.chain:
            lines.append(clean(f"    from: {'; '.join(item.chain)}"))
        if item.waiting_on:
            lines.append(clean(f"    waiting on: {', '.join(item.waiting_on)}"))
        if due is not None:
            lines.extend(clean(f"    ! {w}") for w in due.warnings)
        if item.version is not None and item.version is not d.current:
            v = item.version
            lines.append(
                clean(
                    f"    the version in force then: '{v.due_text}' (through {v.until}); now:"
                    f" '{d.current.due_text}'"
                )
            )
        for s in item.trace:
            lines.append(clean(f"    {s.step}. {s.rule}"))
            lines.append(clean(f"       {s.note}"))
    if not result.items:
        lines.append("  no deadlines of this trigger apply in this court")
    return "\n".join(lines)


#: The keys a --jsonl request may have, with the JSON types each may be.
_KEYS: dict[str, tuple[type, ...]] = {
    "court": (str,),
    "date": (str,),
    "trigger": (str, type(None)),
    "service": (str, type(None)),
    "party": (str, type(None)),
    "rules_as_of": (str, type(None)),
}
_TYPE_NAMES = {str: "a string", type(None): "null"}


#: Characters some readers take for the end of a line (Python's str.splitlines does): written
#: escaped, so one result is one line for every reader. They only occur inside JSON strings.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _request(line: bytes) -> dict[str, Any]:
    req = json_object(line)
    unknown = sorted(set(req) - set(_KEYS))
    if unknown:
        raise BadLine(
            f"unknown keys: {', '.join(json.dumps(k) for k in unknown)[:200]}; known: {', '.join(_KEYS)}"
        )
    for key in ("court", "date"):
        if key not in req:
            raise BadLine(f'expected "court" and "date" as strings; "{key}" is missing')
    for key, value in req.items():
        if not isinstance(value, _KEYS[key]):
            wanted = " or ".join(_TYPE_NAMES[t] for t in _KEYS[key])
            raise BadLine(f'"{key}" must be {wanted}, found {json.dumps(value)[:60]}')
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise BadLine(f'"{key}" holds a lone surrogate, which is not text') from None
            if "\x00" in value:
                raise BadLine(f'"{key}" holds a NUL')
    return req


def _moment(text: str, what: str) -> date | datetime:
    from calendars.errors import check_span

    try:
        at: date | datetime = (
            datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
        )
    except ValueError:
        raise BadLine(
            f"{what} {json.dumps(text)[:60]} is not a date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None
    if isinstance(at, datetime) and at.tzinfo is not None:
        raise BadLine(f"{what} {json.dumps(text)[:60]}: give the court's local time, no offset")
    check_span(at, what)
    return at


def _one(lib: Library, req: dict[str, Any]) -> dict[str, Any]:
    from obligations.rules import preview

    at = _moment(req["date"], '"date"')
    as_of_text = req.get("rules_as_of")
    as_of = _moment(as_of_text, '"rules_as_of"') if as_of_text is not None else None
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    court = court_id(req["court"])
    service, party = req.get("service"), req.get("party")
    trigger = req.get("trigger")
    if trigger is not None:
        return preview(lib, trigger, at, court, service, rules_as_of=as_of, party=party).to_json()
    triggers = [
        preview(lib, t.id, at, court, service, rules_as_of=as_of, party=party).to_json()
        for t in lib.triggers_in(court)
    ]
    return {
        "court": court,
        "date": req["date"],
        "service": service,
        "triggers": triggers,
    }


def preview_lines() -> None:
    """``rules preview --jsonl``: one request per line; a bad line gets {"error": ...} and the
    run goes on."""
    from calendars.errors import DocketcalError

    lib = library()  # bad rule files: exit 2 before any line is read
    out = sys.stdout
    for number, line in enumerate(sys.stdin.buffer, 1):
        if not line.strip():
            continue
        try:
            result = _one(lib, _request(line))
        except (BadLine, DocketcalError) as exc:
            result = {"error": f"line {number}: {exc}"}
        try:
            text = json.dumps(result, ensure_ascii=False)
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(result)
        out.write(text.translate(_LINE_BREAKS) + "\n")
    out.flush()

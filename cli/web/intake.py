"""Intake at the desk: an order's text or order file in, its draft as fields beside the order's
text, checked as ``order check`` checks it, its duties dated, then loaded in one transaction
(docs/desk.md, "Intake").

The draft is one order file throughout. The fields are read from it on every round trip
(``fields_of``) and, when the clerk submits them, written back over it with the drafter's own
writer (``rebuild``: ``obligations.orderfile.write_order_file``), keeping what no field covers
(``[[amend]]``, ``[[check]]``, keys the loader does not know). The clerk may instead edit the
whole file as TOML. Each error the loader names by line is shown at the field of that line
(``place_errors``); one that belongs to no field is shown above the fields."""

from __future__ import annotations

import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from calendars.errors import BadInput, DocketcalError
from cli.web.desk import MAX_ORDER, SECURITY_HEADERS, Forbidden, Viewer, _day, drafter, highlight
from obligations.orderfile import order_schema, write_order_file
from obligations.store.read import Reader

if TYPE_CHECKING:
    from cli.web.desk import DeskPages

#: Form fields a post may carry: an order's fields, 16 for each duty (a long scheduling order
#: has a few dozen duties).
MAX_FIELDS = 4000
#: Kept in the form as text areas: the order's words and other long values.
LONG = frozenset({"text", "note", "source", "source_text", "condition", "consequence"})
#: One line, the whole width.
WIDE = frozenset({"due", "title"})
#: What an empty choice means.
DEFAULTS = {
    "kind": "(default: deadline)",
    "runs_from": "(default: entered)",
    "rules": "(the court's)",
}
#: The order's fields shown first (what its dates hang on); the rest under "More about the order".
ORDER_FIRST = (
    "id",
    "case",
    "court",
    "entered",
    "issued",
    "served",
    "runs_from",
    "rules",
    "title",
    "judge",
)
#: A duty's fields shown first; the rest are under "More about this duty".
DUTY_FIRST = ("id", "summary", "party", "kind", "cite", "due", "text")


@dataclass(frozen=True, slots=True)
class Field:
    """One key of ``[order]`` or ``[[obligation]]`` as a form field (from ``order_schema``)."""

    key: str
    label: str
    hint: str
    date: bool = False
    choices: tuple[str, ...] = ()
    closed: bool = True  # False: the choices are suggestions (service: the court's rules decide)

    @property
    def long(self) -> bool:
        return self.key in LONG

    @property
    def wide(self) -> bool:
        return self.key in LONG or self.key in WIDE

    @property
    def empty_choice(self) -> str:
        return DEFAULTS.get(self.key, "(none)")


def _fields(section: Mapping[str, Any]) -> tuple[Field, ...]:
    out = []
    for key, spec in section["properties"].items():
        choices = tuple(spec.get("enum", ()))
        out.append(
            Field(
                key, spec["title"], spec["description"], date=spec.get("format") == "date",
                choices=choices, closed=key != "service",
            )
        )  # fmt: skip
    return tuple(out)


_SCHEMA = order_schema()["properties"]
ORDER_FIELDS = _fields(_SCHEMA["order"])
ORDER_SHOWN = tuple(f for f in ORDER_FIELDS if f.key in ORDER_FIRST)
ORDER_MORE = tuple(f for f in ORDER_FIELDS if f.key not in ORDER_FIRST)
DUTY_FIELDS = _fields(_SCHEMA["obligation"]["items"])
_DUTY_BY_KEY = {f.key: f for f in DUTY_FIELDS}
DUTY_MORE = tuple(f for f in DUTY_FIELDS if f.key not in (*DUTY_FIRST, "review"))
#: The review's note, beside its "Needs review" box.
REVIEW_NOTE = Field(
    "review", "What must be decided (with “Needs review”)", _DUTY_BY_KEY["review"].hint
)


# -- the fields and the order file ---------------------------------------------------------------


@dataclass(slots=True)
class Draft:
    """The order file as the form shows it: each field's text, and the file's tables (what no
    field covers is written back from them)."""

    tables: dict[str, Any]
    order: dict[str, str]
    duties: list[dict[str, str]]
    comment: str = ""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def leading_comment(toml: str) -> str:
    """The comment lines the file opens with (a drafted file's "confirm every duty"), kept
    when the fields are written back; other comments are not."""
    lines = []
    for line in toml.split("\n"):
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return "\n".join(lines)


def fields_of(toml: str) -> Draft | None:
    """The fields of an order file; None when it does not read as TOML."""
    try:
        tables = tomllib.loads(toml)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    head = tables.get("order")
    head = head if isinstance(head, dict) else {}
    order = {f.key: _text(head.get(f.key)) for f in ORDER_FIELDS}
    duties = []
    listed = tables.get("obligation")
    for raw in listed if isinstance(listed, list) else []:
        one = raw if isinstance(raw, dict) else {}
        duty = {f.key: _text(one.get(f.key)) for f in DUTY_FIELDS}
        duty["needs_review"] = "on" if "review" in one else ""
        duties.append(duty)
    return Draft(tables, order, duties, leading_comment(toml))


def _is_iso_date(text: object) -> bool:
    try:
        date.fromisoformat(str(text))
    except ValueError:
        return False
    return len(str(text)) == 10


def _value(f: Field, text: str) -> Any:
    """A field's text as the file's value: a date for a date field that holds one."""
    if f.date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


def _given(form: Mapping[str, Any], name: str, f: Field | None = None) -> str:
    text = str(form.get(name) or "").replace("\r\n", "\n")
    if f is not None and f.long:
        return text if text.strip() else ""
    return text.strip()


def rebuild(
    base: Draft, form: Mapping[str, Any], *, add: bool = False, drop: bool = True
) -> tuple[str, dict[str, list[str]]]:
    """The order file written from the submitted fields over ``base`` (what no field covers is
    kept as it was), and the mistakes only the form can make, by field id. ``add``: with a new
    empty duty at the end; ``drop``: without the duties marked "Leave this duty out"."""
    errors: dict[str, list[str]] = {}
    tables = dict(base.tables)
    head = tables.get("order")
    order = {f.key: _value(f, _given(form, f"order.{f.key}", f)) for f in ORDER_FIELDS}
    tables["order"] = _merged(head if isinstance(head, dict) else {}, order)
    listed = tables.get("obligation")
    old = listed if isinstance(listed, list) else []
    duties: list[Any] = []
    for i in range(len(base.duties)):
        if drop and form.get(f"duty.{i}.drop") == "on":
            continue
        given = {}
        for f in DUTY_FIELDS:
            text = _given(form, f"duty.{i}.{f.key}", f)
            if f.key == "review" and form.get(f"duty.{i}.needs_review") != "on":
                text = ""
            elif f.key == "review" and not text:
                errors[f"duty-{i}-review"] = [
                    "say what a person must still decide, or clear 'Needs review'"
                ]
                text = "to be decided"
            given[f.key] = _value(f, text)
        was = old[i] if i < len(old) and isinstance(old[i], dict) else {}
        duties.append(_merged(was, given))
    duties += old[len(base.duties) :]  # tables the fields did not show (not read as tables)
    if add:
        duties.append({})
    tables.pop("obligation", None)
    if duties:
        tables = _with_duties(tables, duties)
    return write_order_file(tables, comment=base.comment), errors


def _merged(was: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """A table with the fields' values (an empty one: the key left out) where its keys stood,
    new keys after them, and keys no field covers kept as they were."""
    out = {k: given.get(k, v) for k, v in was.items()}
    out.update((k, v) for k, v in given.items() if k not in out)
    return {k: v for k, v in out.items() if k not in given or given[k] != ""}


def _with_duties(tables: dict[str, Any], duties: list[Any]) -> dict[str, Any]:
    """``tables`` with the duties right after ``[order]``, as order files are written."""
    out: dict[str, Any] = {}
    for k, v in tables.items():
        out[k] = v
        if k == "order":
            out["obligation"] = duties
    out.setdefault("obligation", duties)
    return out


# -- errors at their field -----------------------------------------------------------------------

_HEADER = re.compile(r"\s*\[(\[?)\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"\s*([A-Za-z0-9_-]+|\"[^\"\\]*\"|'[^']*')\s*=\s*(.*)$")
_MISSING = re.compile(r"missing required key '([a-z_]+)'")


def lines_of(toml: str) -> list[tuple[str, int, str]]:
    """For each line of an order file (0-based), the table it is in (its name and which one of
    that name) and the key whose value it holds ("" for a table's header or a blank line)."""
    out: list[tuple[str, int, str]] = []
    seen: dict[str, int] = {}
    section, index, key = "", 0, ""
    closing = ""  # the quotes that end a multi-line string the line is in
    for line in toml.split("\n"):
        if closing:
            out.append((section, index, key))
            if closing in line:
                closing = ""
            continue
        if m := _HEADER.match(line):
            section = m[2].strip('"')
            index = seen.get(section, -1) + 1 if m[1] else 0
            seen[section] = index
            key = ""
        elif m := _KEY.match(line):
            key = m[1].strip("\"'")
            value = m[2]
            for quotes in ('"""', "'''"):
                if value.startswith(quotes) and quotes not in value[3:]:
                    closing = quotes
        elif not line.strip():
            key = ""
        out.append((section, index, key))
    return out


@dataclass(slots=True)
class Placed:
    """Each error at the field it belongs to (by field id: ``order-judge``, ``duty-2-due``),
    at its duty (``duty-2``), or above the fields."""

    at: dict[str, list[str]] = field(default_factory=dict)
    top: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.at.setdefault(where, []).append(message)


def place_errors(toml: str, errors: list[tuple[int, str]], duties: int) -> Placed:
    placed = Placed()
    spots = lines_of(toml)
    for line, message in errors:
        if not 1 <= line <= len(spots):
            placed.top.append(message)
            continue
        section, index, key = spots[line - 1]
        if not key and (m := _MISSING.search(message)):
            key = m[1]  # reported at the header of the table without it
        if section == "order" and key in {f.key for f in ORDER_FIELDS}:
            placed.add(f"order-{key}", message)
        elif section == "obligation" and index < duties:
            where = f"duty-{index}-{key}" if key in _DUTY_BY_KEY else f"duty-{index}"
            placed.add(where, message if key in _DUTY_BY_KEY else f"line {line}: {message}")
        else:
            placed.top.append(f"line {line}: {message}")
    return placed


def summary(placed: Placed, draft: Draft | None) -> list[tuple[str, str, str]]:
    """Each error at a field as (field id, where it is in words, message): the list above
    the fields links to them."""
    order = {f"order-{f.key}": f.label for f in ORDER_FIELDS}
    out = []
    for where, messages in placed.at.items():
        if where in order:
            said = f"The order, {order[where]}"
        else:
            _, index, *key = where.split("-", 2)
            i = int(index)
            duty = draft.duties[i]["id"] if draft and i < len(draft.duties) else ""
            said = f"Duty {i + 1}" + (f" ({duty})" if duty else "")
            if key:
                f = REVIEW_NOTE if key[0] == "review" else _DUTY_BY_KEY[key[0]]
                said += f", {f.label}"
        out += [(where, said, m) for m in messages]
    return out


# -- order check of one file ---------------------------------------------------------------------


@dataclass(slots=True)
class Review:
    """An order file as ``order check`` sees it, and its duties dated as of today."""

    toml: str
    errors: list[tuple[int, str]]
    checks: list[tuple[str, bool, tuple[str, ...]]]
    warnings: list[str]
    duties: list[dict[str, Any]]
    order_id: str = ""
    case: str = ""
    court: str = ""
    loaded: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and all(ok for _, ok, _ in self.checks)

    def lines(self) -> list[tuple[int, str, list[str]]]:
        """Each line of the file with the errors found on it."""
        at: dict[int, list[str]] = {}
        for line, message in self.errors:
            at.setdefault(line, []).append(message)
        return [(n, text, at.get(n, [])) for n, text in enumerate(self.toml.split("\n"), 1)]

    def due(self, obligation: str) -> str:
        """What the page says of one duty's date."""
        if self.errors:
            return "not dated until the errors are fixed"
        found = [d for d in self.duties if d["obligation"] == obligation]
        if not found:
            return "-"
        said = []
        for d in found[:3]:
            if d["due"]:
                text = _day(d["due"])
                if d["safe_due"] and d["safe_due"] != d["due"]:
                    text += f" (safe {_day(d['safe_due'])})"
            elif d["waiting_on"]:
                text = "waits on " + ", ".join(d["waiting_on"])
            else:
                text = d["state"]
            said.append(f"{d['ref'].rsplit('/', 1)[-1]}: {text}" if len(found) > 1 else text)
        return "; ".join(said) + ("; …" if len(found) > 3 else "")


def check_order(toml: str, today: date) -> Review:
    """``order check`` of one order file's text, and the engine's dates for its duties (no
    facts: as on the day the order was entered)."""
    from obligations.checks import run_checks
    from obligations.engine import schedule
    from obligations.model import Facts
    from obligations.orderfile import OrderFileError, OrderFileErrors, load_orders

    review = Review(toml, [], [], [], [])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "order.toml"
        path.write_text(toml, encoding="utf-8")
        try:
            (order,) = load_orders([path])
        except OrderFileErrors as exc:
            review.errors = [(e.line, e.message) for e in exc.errors]
            return review
        except OrderFileError as exc:
            review.errors = [(exc.line, exc.message)]
            return review
        except BadInput as exc:
            review.errors = [(0, str(exc))]
            return review
    review.order_id, review.case, review.court = order.id, order.case, order.court
    review.warnings = [w.replace(str(path), "order") for w in order.warnings]
    review.checks = [
        (r.label.replace(str(path), "order"), r.ok, tuple(r.failures)) for r in run_checks([order])
    ]
    plan = schedule([order], Facts(), today)
    for item in plan.items:
        due = item.due
        review.duties.append({
            "ref": item.ref, "obligation": item.obligation, "party": item.party,
            "text": item.text, "cite": item.cite, "state": str(item.state),
            "due": due.due if due is not None else None,
            "safe_due": due.safe_due if due is not None else None,
            "waiting_on": item.waiting_on,
        })  # fmt: skip
    return review


def _loaded(r: Reader, review: Review) -> bool:
    return bool(
        review.order_id
        and r.query(
            "SELECT 1 FROM order_version WHERE case_id = ? AND order_id = ? LIMIT 1",
            (review.case, review.order_id),
        )
    )


def _looks_like_order_file(text: str) -> bool:
    return bool(re.search(r"^\s*\[order\]\s*$", text, re.M))


# -- the pages -----------------------------------------------------------------------------------


class Intake:
    """The intake pages of a desk."""

    def __init__(self, desk: DeskPages) -> None:
        self.desk = desk
        desk.env.tests["iso_date"] = _is_iso_date

    def routes(self) -> list[BaseRoute]:
        d = self.desk
        return [
            Route("/intake", d._get(self.form), methods=["GET"]),
            Route("/intake/check", d._post(self.check, fields=MAX_FIELDS), methods=["POST"]),
            Route("/intake/confirm", d._post(self.confirm, fields=MAX_FIELDS), methods=["POST"]),
            Route("/intake/dates", d._post(self.dates, fields=MAX_FIELDS), methods=["POST"]),
        ]

    def _clerk(self, viewer: Viewer) -> None:
        if not viewer.person.clerk:
            raise Forbidden("orders are taken in by a clerk or paralegal")

    def _start(self, viewer: Viewer, error: str, **values: Any) -> Response:
        return self.desk.render(
            "intake.html", 400, viewer=viewer, stage="start", error=error,
            drafting=drafter() is not None, **values,
        )  # fmt: skip

    def form(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        self._clerk(viewer)
        return self.desk.render(
            "intake.html", viewer=viewer, stage="start", drafting=drafter() is not None
        )

    def check(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        """The order as an order file: checked (errors at their field), its duties dated, and,
        when the drafter is installed, order text drafted into an order file first."""
        from obligations.record import parse_day

        self._clerk(viewer)
        assert form is not None
        upload = form.get("file")
        text = str(form.get("text") or "")
        raw: bytes | None = None
        if isinstance(upload, UploadFile) and upload.filename:
            raw = upload.file.read(MAX_ORDER + 1)
        elif text.strip():
            raw = text.encode("utf-8", "surrogatepass")
        if raw is None:
            return self._start(viewer, "Paste an order or choose a file.")
        if len(raw) > MAX_ORDER:
            return self._start(viewer, f"The order is over {MAX_ORDER // 1_000_000} MB.")
        source = ""
        draft = drafter()
        toml = raw.decode("utf-8", "replace").replace("\r\n", "\n")
        if form.get("toml") != "on" and draft is not None and not _looks_like_order_file(toml):
            try:
                source = draft.read_order_text(
                    raw, name=getattr(upload, "filename", "") or "pasted"
                )
                given = {
                    k: str(form.get(k) or "").strip() or None for k in ("court", "case", "order_id")
                }
                entered = str(form.get("entered") or "").strip()
                drafted = draft.draft_order(
                    source, entered=parse_day(entered, "entered") if entered else None, **given
                )
                toml = drafted.to_toml()
                source = str(drafted.to_json().get("text") or source)  # what the spans index
            except DocketcalError as exc:
                return self._start(
                    viewer, str(exc), text=toml,
                    given={k: str(form.get(k) or "") for k in ("court", "case", "entered", "order_id")},
                )  # fmt: skip
        return self.checked(viewer, toml, source)

    def checked(
        self,
        viewer: Viewer,
        toml: str,
        source: str,
        *,
        form_errors: dict[str, list[str]] | None = None,
        notice: str = "",
        extra: tuple[int, str] | None = None,
    ) -> Response:
        """The check page: the fields (built from ``toml``), each error at its field, each
        duty's date, the file as TOML, and the order's text with the duties' words marked."""
        review = check_order(toml, self.desk.today())
        if extra is not None:
            review.errors.append(extra)
        with self.desk.publisher.reader() as r:
            review.loaded = _loaded(r, review)
        draft = fields_of(toml)
        duties = len(draft.duties) if draft else 0
        placed = place_errors(toml, review.errors, duties) if draft else Placed()
        for where, messages in (form_errors or {}).items():
            for message in messages:
                placed.add(where, message)
        phrases = [d["text"] for d in draft.duties] if draft else []
        ok = review.ok and not form_errors
        return self.desk.render(
            "intake.html", 200 if ok else 400, viewer=viewer, stage="check", toml=toml,
            source=source, review=review, draft=draft, placed=placed, ok=ok, notice=notice,
            order_fields=ORDER_SHOWN, order_more=ORDER_MORE, duty_fields=_DUTY_BY_KEY,
            duty_first=DUTY_FIRST, duty_more=DUTY_MORE, review_field=REVIEW_NOTE,
            summary=summary(placed, draft),
            marked=highlight(source, phrases) if source else None,
            drafting=drafter() is not None,
        )  # fmt: skip

    def _from_fields(
        self, form: FormData, *, add: bool = False, drop: bool = True
    ) -> tuple[str, dict[str, list[str]], bool]:
        """The file the fields make (over the file they were built from), the form's own
        mistakes, and whether the fields changed anything."""
        base_text = str(form.get("base") or "").replace("\r\n", "\n")
        base = fields_of(base_text)
        if base is None:  # no fields were shown: the file as it was
            return base_text, {}, False
        toml, errors = rebuild(base, form, add=add, drop=drop)
        return toml, errors, tomllib.loads(toml) != base.tables

    def confirm(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        from obligations.store.docket import Docket

        self._clerk(viewer)
        assert form is not None
        source = str(form.get("source") or "")
        action = form.get("action")
        if "base" in form:  # the fields
            toml, form_errors, changed = self._from_fields(form, add=action == "add")
            if action != "confirm" or form_errors:
                return self.checked(viewer, toml, source, form_errors=form_errors)
            if changed:
                return self.checked(
                    viewer, toml, source,
                    notice="The fields changed since the last check: here are the dates they"
                    " give. Load it when they are right.",
                )  # fmt: skip
            toml = str(form.get("base") or "").replace("\r\n", "\n")  # as it was, comments kept
        else:  # the whole file as TOML
            toml = str(form.get("toml") or "").replace("\r\n", "\n")
            if action != "confirm":
                return self.checked(viewer, toml, source)
        review = check_order(toml, self.desk.today())
        if not review.ok:
            return self.checked(viewer, toml, source)
        apply = form.get("apply") == "on"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{review.order_id or 'order'}.toml"
            path.write_text(toml, encoding="utf-8")
            try:
                changes = Docket(self.desk.db, viewer.person.email).load([path], apply=apply)
            except DocketcalError as exc:
                return self.checked(viewer, toml, source, extra=(0, str(exc)))
        if changes.pending:
            return self.desk.render(
                "intake.html", viewer=viewer, stage="differences", toml=toml, source=source,
                pending=changes.pending, review=review, drafting=drafter() is not None,
            )  # fmt: skip
        added = [h for h in changes.history if h["what"] == "obligation added"]
        return self.desk.render(
            "intake.html", viewer=viewer, stage="loaded", review=review, added=added,
            history=changes.history, drafting=drafter() is not None,
        )  # fmt: skip

    def dates(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        """The fields checked and dated, as data for the page's script (intake.js): each duty's
        date, each error by field id, and the file the fields make."""
        self._clerk(viewer)
        assert form is not None
        toml, form_errors, _ = self._from_fields(form, drop=False)  # the page's duties, in order
        review = check_order(toml, self.desk.today())
        draft = fields_of(toml)
        duties = draft.duties if draft else []
        placed = place_errors(toml, review.errors, len(duties))
        for where, messages in form_errors.items():
            for message in messages:
                placed.add(where, message)
        top = [*placed.top, *(f"{label}: {'; '.join(failures)}" for label, ok, failures in
                              review.checks if not ok)]  # fmt: skip
        return JSONResponse(
            {
                "ok": review.ok and not form_errors,
                "dates": {f"duty-{i}": review.due(d["id"]) for i, d in enumerate(duties)},
                "errors": placed.at,
                "summary": summary(placed, draft),
                "top": top,
                "toml": toml,
            },
            headers=SECURITY_HEADERS,
        )

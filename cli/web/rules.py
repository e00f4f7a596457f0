"""Standard deadline rules at the desk: ``rules preview`` and ``rules apply`` as a form
(docs/desk.md, "Rules"; docs/rules.md).

The page computes nothing of its own: the preview is ``obligations.rules.preview`` (its
``to_json``, the same data as ``rules preview --format json``), putting the deadlines on a case is
``obligations.store.rules.apply`` (one transaction, as ``rules apply``), and the rule library is
``cli.rulebook.library``. Each mistake is shown at the field it belongs to, with the command
line's message: the fields are checked one at a time, in the order the command checks them, so
each message is known to be about its field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from calendars.errors import DocketcalError
from cli.web.desk import Forbidden, Viewer

if TYPE_CHECKING:
    from cli.web.desk import DeskPages
    from obligations.rules import Library

#: The form's fields, in the order they are shown.
FIELDS = ("case", "court", "trigger", "date", "time", "service", "party", "label")


@dataclass(slots=True)
class Asked:
    """One request of the form, read and checked: each mistake by field."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    top: list[str] = field(default_factory=list)
    court: str | None = None  # the court the rules are those of (the case's, or the one given)
    new_case: bool = False  # the case is not on the docket yet: apply starts it in ``court``
    at: date | datetime | None = None
    label: str | None = None  # this occurrence of the trigger (``rules apply --as``), as an id
    result: dict[str, Any] | None = None  # the preview, as ``rules preview --format json``

    def error(self, where: str, message: object) -> None:
        self.errors.setdefault(where, []).append(str(message))

    @property
    def ok(self) -> bool:
        return not self.errors and not self.top

    @property
    def when(self) -> str:
        """The trigger's moment as the command line takes it (DATE or DATETHH:MM)."""
        v = self.values
        return f"{v['date']}T{v['time']}" if v["time"] else v["date"]


def _values(source: Any) -> dict[str, str]:
    out = {}
    for key in FIELDS:
        value = source.get(key) if source is not None else None
        out[key] = value.strip()[:300] if isinstance(value, str) else ""
    out["party"] = out["party"].lower()
    return out


class Rules:
    """The rules page of a desk."""

    def __init__(self, desk: DeskPages) -> None:
        self.desk = desk

    def routes(self) -> list[BaseRoute]:
        d = self.desk
        return [
            Route("/rules", d._get(self.form), methods=["GET"]),
            Route("/rules/preview", d._post(self.preview), methods=["POST"]),
            Route("/rules/apply", d._post(self.apply), methods=["POST"]),
        ]

    def _clerk(self, viewer: Viewer) -> None:
        if not viewer.person.clerk:
            raise Forbidden(
                "deadline rules are put on a case by a clerk or paralegal; attorneys may preview them"
            )

    # -- reading the form -----------------------------------------------------------------------

    def _library(self, asked: Asked) -> Library | None:
        from cli.rulebook import library

        try:
            return library()
        except DocketcalError as exc:  # a rule file with a mistake: every run reports it
            asked.top.append(str(exc))
            return None

    def read(self, values: dict[str, str], lib: Library | None, asked: Asked) -> None:
        """Check the request field by field; with no mistake, preview it (``asked.result``)."""
        from cli.rulebook import court_id
        from obligations.record import parse_day, parse_moment
        from obligations.rules import check_request, preview
        from obligations.store.errors import check_name

        v = values
        case_court: str | None = None
        if v["case"]:
            try:
                check_name(v["case"], "the case")
                with self.desk.publisher.reader() as r:
                    found = r.query('SELECT court FROM "case" WHERE id = ?', (v["case"],))
                case_court = str(found[0][0]) if found else None
            except DocketcalError as exc:
                asked.error("case", exc)
        given: str | None = None
        if v["court"]:
            try:
                given = court_id(v["court"])
            except DocketcalError as exc:
                asked.error("court", exc)
        if v["case"] and "case" not in asked.errors:
            if case_court is None and given is None and "court" not in asked.errors:
                asked.error(
                    "case", f"no case '{v['case']}' on the docket; give a court to start it"
                )
            elif case_court is not None and given is not None and given != case_court:
                asked.error(
                    "court",
                    f"case {v['case']} is in court {case_court}, not {given}: leave out the court",
                )
            asked.new_case = case_court is None
        asked.court = case_court or given
        if not v["court"] and not v["case"]:
            asked.error("court", "give the court, or a case on the docket (its court is used)")
        if not v["date"]:
            asked.error("date", "give the trigger's date")
        else:
            try:
                asked.at = parse_day(v["date"], "DATE")
            except DocketcalError as exc:
                asked.error("date", exc)
            if asked.at is not None and v["time"]:
                try:
                    asked.at = parse_moment(f"{v['date']}T{v['time']}", "DATE")
                except DocketcalError as exc:
                    asked.error("time", exc)
                    asked.at = None
        if not v["trigger"]:
            asked.error("trigger", "choose the trigger")
        elif lib is not None:
            try:
                lib.trigger(v["trigger"])
            except DocketcalError as exc:
                asked.error("trigger", exc)
        if asked.errors or lib is None or asked.court is None or asked.at is None:
            return
        service = v["service"] or None
        party = v["party"] or None
        checks = (("trigger", None), ("service", service))
        for where, method in checks:
            if where == "service" and method is None:
                continue
            try:
                check_request(lib, v["trigger"], asked.at, asked.court, method)
            except DocketcalError as exc:
                asked.error(where, exc)
                return
        try:
            result = preview(lib, v["trigger"], asked.at, asked.court, service, party=party)
        except DocketcalError as exc:
            asked.error("party" if party else "trigger", exc)
            return
        asked.result = result.to_json()

    def _choices(self, lib: Library | None, court: str | None, trigger: str) -> dict[str, Any]:
        """The trigger select (grouped by rule set), the service methods and the parties."""
        from calendars import get_court, get_ruleset
        from calendars.period import SERVICE_METHODS

        if lib is None:
            return {"groups": [], "methods": list(SERVICE_METHODS), "parties": [], "closed": False}
        groups: dict[str, list[tuple[str, str]]] = {}
        for t in lib.triggers_in(court):
            groups.setdefault(t.ruleset, []).append((t.id, t.name))
        methods: list[str] = list(SERVICE_METHODS)
        closed = False
        if court is not None:
            methods = list(get_ruleset(get_court(court).ruleset).methods)
            closed = True
        parties: set[str] = set()
        if trigger in lib.triggers:
            parties = {d.party for d in lib.set_by(trigger, court)}
        return {
            "groups": [
                (lib.rulesets[rs].title if rs in lib.rulesets else rs, items)
                for rs, items in groups.items()
            ],
            "methods": methods,
            "parties": sorted(parties - {"both", "any"}),
            "closed": closed,
        }

    def page(self, viewer: Viewer, asked: Asked, lib: Library | None, **values: Any) -> Response:
        court = asked.court if "court" not in asked.errors else None
        status = 200 if asked.ok else 400
        return self.desk.render(
            "rules.html", status, viewer=viewer, asked=asked, v=asked.values,
            choices=self._choices(lib, court, asked.values["trigger"]),
            may_apply=viewer.person.clerk, **{"stage": "form", **values},
        )  # fmt: skip

    # -- the pages ------------------------------------------------------------------------------

    def form(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        """The empty form (a case or court in the address fills it in and lists its
        triggers)."""
        asked = Asked(_values(request.query_params))
        lib = self._library(asked)
        for key in ("case", "court"):
            if asked.values[key]:
                probe = Asked(asked.values)
                self.read(asked.values, None, probe)
                if key in probe.errors:
                    asked.errors[key] = probe.errors[key]
                elif probe.court:
                    asked.court = probe.court
        return self.page(viewer, asked, lib)

    def preview(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        """``rules preview``: the deadlines the trigger would set, on no docket."""
        asked = Asked(_values(form))
        lib = self._library(asked)
        self.read(asked.values, lib, asked)
        return self.page(viewer, asked, lib)

    def apply(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        """``rules apply``: the deadlines put on the case in one transaction; for a trigger
        already applied with another date or method, what moves is shown first."""
        from obligations.rules import order_id
        from obligations.store.docket import Docket
        from obligations.store.rules import apply

        self._clerk(viewer)
        assert form is not None
        asked = Asked(_values(form))
        if not asked.values["case"]:
            asked.error("case", "give the case to put them on")
        lib = self._library(asked)
        self.read(asked.values, lib, asked)
        self._label(lib, asked)
        if not asked.ok or lib is None or asked.result is None or asked.at is None:
            return self.page(viewer, asked, lib)
        v = asked.values
        moves = self._moves(v["case"], v["trigger"], asked)
        if moves is not None and form.get("confirm") != "on":
            return self.page(viewer, asked, lib, stage="differences", moves=moves)
        try:
            changes = apply(
                Docket(self.desk.db, viewer.person.email), lib, v["case"], v["trigger"],
                asked.at, service=v["service"] or None, party=v["party"] or None,
                court=asked.court if asked.new_case else None, label=asked.label,
            )  # fmt: skip
        except DocketcalError as exc:
            asked.top.append(str(exc))
            return self.page(viewer, asked, lib)
        shown = [
            h
            for h in changes.history
            if h["what"] in ("obligation added", "schedule changed", "obligation removed")
        ]
        return self.page(
            viewer, asked, lib, stage="applied", history=shown, warnings=changes.warnings,
            order=order_id(v["trigger"], asked.label),
            titles={d["id"]: d["title"] for d in asked.result["deadlines"]},
        )  # fmt: skip

    def _label(self, lib: Library | None, asked: Asked) -> None:
        """The occurrence's label, normalised and checked as ``rules apply --as`` does."""
        from obligations.rules import check_label, occurrence_label

        text = asked.values["label"]
        if not text or lib is None or "trigger" in asked.errors:
            return
        try:
            asked.label = occurrence_label(text)
            check_label(lib, lib.trigger(asked.values["trigger"]).id, asked.label)
        except DocketcalError as exc:
            asked.label = None
            asked.error("label", exc)

    def _moves(self, case: str, trigger: str, asked: Asked) -> dict[str, Any] | None:
        """For a trigger already applied to the case with another date or method: the date it
        has and the one asked, and each deadline's date on the case beside the date the new
        request gives (the preview's; None: nothing would move)."""
        from calendars import get_court
        from obligations.rules import event_of, order_id
        from obligations.store.read import _date, _instant

        assert asked.result is not None and asked.court is not None
        oid = order_id(trigger, asked.label)
        with self.desk.publisher.reader() as r:
            if not r.query(
                "SELECT 1 FROM order_version WHERE case_id = ? AND order_id = ? LIMIT 1",
                (case, oid),
            ):
                return None
            event = r.query(
                "SELECT day, at, service FROM fact WHERE kind = ? AND case_id = ? AND name = ?"
                " AND occurrence = ? ORDER BY id DESC LIMIT 1",
                ("event", case, event_of(trigger, asked.label), ""),
            )
            rows = r.query(
                "SELECT obligation_id, ref, due, state FROM obligation"
                " WHERE case_id = ? AND order_id = ? AND active = ? ORDER BY due, ref",
                (case, oid, True),
            )
        was: date | datetime | None = None
        was_service: str | None = None
        if event:
            was = _date(event[0][0])
            instant = _instant(event[0][1]) if event[0][1] is not None else None
            if instant is not None:
                was = instant.astimezone(get_court(asked.court).zone).replace(tzinfo=None)
            was_service = str(event[0][2]) if event[0][2] else None
        service = asked.values["service"] or None
        if was == asked.at and was_service == service:
            return None  # the same request again: it changes nothing
        new = {
            d["id"]: d for d in asked.result["deadlines"] if d["kind"] != "earliest"
        }  # an earliest day is not put on a case
        lines = []
        seen = set()
        for obligation, ref, due, state in rows:
            seen.add(obligation)
            d = new.get(obligation)
            day = _date(due)
            lines.append(
                {
                    "ref": ref,
                    "title": d["title"] if d else obligation,
                    "now": day.isoformat() if day else None,
                    "state": state,
                    "then": d["due"] if d else None,
                    "gone": d is None,
                }
            )
        for ident, d in new.items():
            if ident not in seen:
                lines.append(
                    {"ref": None, "title": d["title"], "now": None, "state": None,
                     "then": d["due"], "gone": False}
                )  # fmt: skip
        return {
            "was": _moment_text(was),
            "was_service": was_service,
            "now": _moment_text(asked.at),
            "service": service,
            "lines": lines,
        }


def _moment_text(at: date | datetime | None) -> str:
    if at is None:
        return "-"
    if isinstance(at, datetime):
        return at.isoformat(sep=" ", timespec="minutes")
    return at.isoformat()

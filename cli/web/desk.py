"""The clerk's desk: server-rendered pages beside the feeds (docs/desk.md).

Who may see what: signed out, every page but ``/login`` (and the feeds, and the style sheet)
answers 303 to ``/login``. A session is a row of ``desk_session`` named by a signed, HttpOnly,
SameSite=Lax cookie (Secure over HTTPS); sign-in makes a new one and deletes the one the browser
came with. Every form post carries a CSRF token (the session's; before sign-in, a signed
double-submit cookie's) and is refused with 403 without the right one. Clerks and paralegals
take in orders and record facts; attorneys read everything and mark their own duties done.

The pages read through the feed publisher's pool of read-only connections and write through
``Docket`` (one transaction per fact, as the command line does), with the same validation and
messages (``obligations.record``)."""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from calendars.errors import DocketcalError, NotFound
from cli.web.auth import Signer, verify_password
from cli.web.feeds import Publisher
from obligations.contract import STATES
from obligations.store import desk as store
from obligations.store.db import Database
from obligations.store.read import COLUMNS, Reader, Row, _date, _instant, explain_json

HERE = Path(__file__).parent
SESSION_COOKIE = "docketcal_session"
CSRF_COOKIE = "docketcal_csrf"
#: The agenda's lists stop here (then "more: narrow the filters"): a busy firm's whole list
#: would be thousands of duties, and counting them costs as much as reading them.
AGENDA_MINE = 60
AGENDA_FIRM = 30
#: Largest order text or file taken in (as ``order load``).
MAX_ORDER = 5_000_000
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking, and the CSRF token their forms carry."""

    person: store.Person
    csrf: str
    session: str | None  # the session id (None when a trusted header signed them in)
    new_csrf: bool = False  # a trusted header's first page: its token goes in a cookie


Handler = Callable[[Request, Viewer, FormData | None], Response]


class Forbidden(Exception):
    """A role may not do this."""


def drafter() -> Any:
    """``obligations.draft`` when it is installed (issue 15), else None."""
    try:
        import obligations.draft as draft  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return draft


class DeskPages:
    def __init__(
        self,
        publisher: Publisher,
        db: Database,
        secret: str,
        *,
        feed_url: str = "http://127.0.0.1:8080/feeds/",
        trust_header: str | None = None,
        log: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.publisher = publisher
        self.db = db
        self.secret = secret
        self.signer = Signer(secret)
        self.feed_url = feed_url if feed_url.endswith("/") else feed_url + "/"
        self.trust_header = trust_header.lower() if trust_header else None
        self.log = log
        # Built once: each template compiled at its first use and kept (auto_reload off: the
        # templates are the installed package's, not re-read from disk on every page).
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters["day"] = _day
        self.env.filters["party"] = lambda p: "Both parties" if p == "both" else str(p).capitalize()
        self.env.filters["q"] = _quoted
        self.env.filters["court_time"] = _court_time

    # -- plumbing -------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        from cli.web.intake import Intake  # it imports this module
        from cli.web.rules import Rules

        return [
            Route("/login", self._login_form, methods=["GET"]),
            Route("/login", self._login, methods=["POST"]),
            Route("/logout", self._post(self.logout), methods=["POST"]),
            Route("/static/{name}", self._static, methods=["GET"]),
            Route("/", self._get(self.agenda), methods=["GET"]),
            Route("/calendar", self._get(self.calendar), methods=["GET"]),
            Route("/case/{case:path}", self._get(self.case), methods=["GET"]),
            Route("/duty/{ref:path}", self._get(self.duty), methods=["GET"]),
            Route("/record", self._get(self.record_form), methods=["GET"]),
            Route("/record/{kind}", self._post(self.record), methods=["POST"]),
            Route("/subscribe", self._get(self.subscribe), methods=["GET"]),
            Route("/subscribe/{action}", self._post(self.subscribe_change), methods=["POST"]),
            *Intake(self).routes(),
            *Rules(self).routes(),
        ]

    def close(self) -> None:
        pass

    def today(self) -> date:
        return self.publisher.as_of()

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(today=self.today(), **values)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def _viewer(self, request: Request) -> Viewer | None:
        if self.trust_header:
            email = request.headers.get(self.trust_header, "").strip().lower()
            if not email:
                return None
            with self.publisher.reader() as r:
                found = store.person(r, email)
            if found is None:
                return None
            csrf = self.signer.unsign(request.cookies.get(CSRF_COOKIE))
            if csrf:
                return Viewer(found[0], csrf, None)
            return Viewer(found[0], secrets.token_urlsafe(32), None, new_csrf=True)
        sid = self.signer.unsign(request.cookies.get(SESSION_COOKIE))
        if sid is None:
            return None
        with self.publisher.reader() as r:
            live = store.session(r, sid, datetime.now(UTC))
        return None if live is None else Viewer(live.person, live.csrf, sid)

    def _get(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await run_in_threadpool(self._page, handler, request)

        return endpoint

    def _page(self, handler: Handler, request: Request) -> Response:
        """A GET, in one worker thread: who is looking, then the page."""
        viewer = self._viewer(request)
        if viewer is None:
            return _to_login(request)
        response = self._call(handler, request, viewer, None)
        if viewer.new_csrf:
            self._csrf_cookie(request, response, viewer.csrf)
        return response

    def _post(
        self, handler: Handler, fields: int = 200
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            viewer = await run_in_threadpool(self._viewer, request)
            if viewer is None:
                return _to_login(request)
            form = await request.form(max_files=1, max_fields=fields, max_part_size=MAX_ORDER)
            sent = form.get("csrf")
            if not (
                isinstance(sent, str)
                and not viewer.new_csrf
                and hmac.compare_digest(sent.encode(), viewer.csrf.encode())
            ):
                return _refused()
            return await run_in_threadpool(self._call, handler, request, viewer, form)

        return endpoint

    def _call(
        self, handler: Handler, request: Request, viewer: Viewer, form: FormData | None
    ) -> Response:
        try:
            return handler(request, viewer, form)
        except Forbidden as exc:
            return self.render(
                "message.html", 403, viewer=viewer, title="Not allowed", message=str(exc)
            )
        except NotFound as exc:
            return self.render(
                "message.html", 404, viewer=viewer, title="Not found", message=str(exc)
            )

    def _csrf_cookie(self, request: Request, response: Response, value: str) -> None:
        response.set_cookie(
            CSRF_COOKIE,
            self.signer.sign(value),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )

    async def _static(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = HERE / "static" / name
        if not re.fullmatch(r"[a-z0-9.-]+", name) or not path.is_file():
            return Response("not found\n", 404, media_type="text/plain")
        return FileResponse(path, headers={"Cache-Control": "max-age=3600"})

    # -- signing in and out ---------------------------------------------------------------------

    async def _login_form(self, request: Request) -> Response:
        token = self.signer.unsign(request.cookies.get(CSRF_COOKIE)) or secrets.token_urlsafe(32)
        response = self.render(
            "login.html", csrf=token, next=_next(request.query_params.get("next")), viewer=None
        )
        self._csrf_cookie(request, response, token)
        return response

    async def _login(self, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=10, max_part_size=10_000)
        token = self.signer.unsign(request.cookies.get(CSRF_COOKIE))
        sent = form.get("csrf")
        if not (
            token and isinstance(sent, str) and hmac.compare_digest(sent.encode(), token.encode())
        ):
            return _refused()
        email = str(form.get("email") or "").strip().lower()[:500]
        password = str(form.get("password") or "")
        address = request.client.host if request.client else "-"
        target = _next(str(form.get("next") or ""))
        return await run_in_threadpool(
            self._sign_in, request, email, password, address, token, target
        )

    def _sign_in(
        self, request: Request, email: str, password: str, address: str, token: str, target: str
    ) -> Response:
        now = datetime.now(UTC)
        with self.publisher.reader() as r:
            per_email, per_address = store.failures(r, email, address, now)
            found = store.person(r, email) if email else None
        if per_email >= store.PER_ACCOUNT or per_address >= store.PER_ADDRESS:
            minutes = int(store.THROTTLE_WINDOW.total_seconds() // 60)
            refused = self.render(
                "login.html", 429, csrf=token, next=target, email=email, viewer=None,
                error=f"Too many failed sign-ins: try again in {minutes} minutes.",
            )  # fmt: skip
            refused.headers["Retry-After"] = str(int(store.THROTTLE_WINDOW.total_seconds()))
            return refused
        stored = found[1] if found else None
        if found is None or not verify_password(stored, password):
            store.Desk(self.db, "desk").failed(email, address)
            return self.render(
                "login.html", 401, csrf=token, next=target, email=email, viewer=None,
                error="That e-mail address and password do not match.",
            )  # fmt: skip
        old = self.signer.unsign(request.cookies.get(SESSION_COOKIE))
        sid, _ = store.Desk(self.db, found[0].email).open_session(
            found[0].id, address=address, replaces=old
        )
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            self.signer.sign(sid),
            max_age=int(store.SESSION_LIFETIME.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
        response.delete_cookie(CSRF_COOKIE, path="/")
        return response

    def logout(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        if viewer.session:
            store.Desk(self.db, viewer.person.email).close_session(viewer.session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- agenda ---------------------------------------------------------------------------------

    def agenda(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        q = request.query_params
        case = q.get("case", "").strip() or None
        party = q.get("party", "").strip().lower() or None
        person = q.get("person", "").strip().lower() or None
        state = q.get("state", "").strip()
        try:
            within = max(0, min(366, int(q.get("within", "14") or 14)))
        except ValueError:
            within = 14
        states: tuple[str, ...] = (state,) if state in STATES else ("overdue", "open", "waiting")
        if state == "open":
            states = ("overdue", "open")
        today = self.today()
        until = today + timedelta(days=within)
        firm_states = states if state else ("overdue", "open")  # the firm's waiting: ask
        try:  # "show more" doubles the lists, up to 16 times
            more = max(1, min(16, int(q.get("more", "1") or 1)))
        except ValueError:
            more = 1
        with self.publisher.reader() as r:
            mine, mine_more = r.first_due(
                today, until, case=case, party=party, person=viewer.person.email,
                states=states, limit=AGENDA_MINE * more,
            )  # fmt: skip
            firm, firm_more = r.first_due(
                today, until, case=case, party=party, person=person, states=firm_states,
                limit=AGENDA_FIRM * more,
            )  # fmt: skip
            people = r.query("SELECT email, name FROM person ORDER BY name")
        return self.render(
            "agenda.html",
            viewer=viewer,
            mine=_grouped(mine, today),
            mine_more=mine_more,
            firm=_grouped(firm, today),
            firm_more=firm_more,
            filters={"case": case or "", "party": party or "", "person": person or "",
                     "state": state, "within": within},
            more_link="/?" + urlencode({**dict(q), "more": str(min(16, more * 2))}),
            states=STATES,
            people=people,
            until=until,
        )  # fmt: skip

    # -- calendar -------------------------------------------------------------------------------

    def calendar(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        import calendar as cal

        today = self.today()
        month = request.query_params.get("month", "")
        m = re.fullmatch(r"(\d{4})-(\d{2})", month)
        first = (
            date(int(m[1]), int(m[2]), 1)
            if m and 1 <= int(m[2]) <= 12 and 1900 <= int(m[1]) <= 2200
            else today.replace(day=1)
        )
        last = first.replace(day=cal.monthrange(first.year, first.month)[1])
        whose = request.query_params.get("whose", "mine")
        person = viewer.person.email if whose != "firm" else None
        with self.publisher.reader() as r:
            rows = self._dated(r, first, last, person, today)
            waiting, _ = r.first_due(today, today, person=person, states=("waiting",), limit=200)
        by_day: dict[date, list[Row]] = {}
        for row in rows:
            if row.due is not None:
                by_day.setdefault(row.due, []).append(row)
        weeks = cal.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
        prev = (first - timedelta(days=1)).replace(day=1)
        nxt = last + timedelta(days=1)
        return self.render(
            "calendar.html", viewer=viewer, first=first, weeks=weeks, by_day=by_day,
            waiting=waiting, whose=whose,
            prev=prev.strftime("%Y-%m"), next=nxt.strftime("%Y-%m"),
        )  # fmt: skip

    def _dated(
        self, r: Reader, first: date, last: date, person: str | None, today: date
    ) -> list[Row]:
        from obligations.store.read import duties_from

        where = (
            "o.active = ? AND o.state IN ('open', 'waiting', 'done') AND o.due >= ? AND o.due <= ?"
        )
        params: list[Any] = [True, first.isoformat(), last.isoformat()]
        source = "obligation o"
        if person:
            source, condition, before, values = duties_from(person)
            where += " AND " + condition
            params = before + params + values
        sql = (
            f"SELECT {', '.join('o.' + c for c in COLUMNS)} FROM {source} WHERE {where}"
            " ORDER BY o.due, o.case_id, o.ref LIMIT 2000"
        )
        return [r._row(x, today) for x in r.query(sql, params)]

    # -- case -----------------------------------------------------------------------------------

    def case(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        case = request.path_params["case"]
        today = self.today()
        with self.publisher.reader() as r:
            found = r.query('SELECT id, court FROM "case" WHERE id = ?', (case,))
            if not found:
                raise NotFound(f"no case '{case}' on the docket")
            orders = r.query(
                "SELECT order_id, version, entered, title, loaded_at, loaded_by FROM order_version"
                " WHERE case_id = ? ORDER BY order_id, version",
                (case,),
            )
            duties = [
                r._row(x, today)
                for x in r.query(
                    f"SELECT {', '.join('o.' + c for c in COLUMNS)} FROM obligation o"
                    " WHERE o.case_id = ? AND o.active = ?"
                    " ORDER BY CASE WHEN o.due IS NULL THEN 1 ELSE 0 END, o.due, o.ref",
                    (case, True),
                )
            ]
            facts = r.query(
                "SELECT kind, name, day, at, order_id, obligation_id, reason, note, recorded_at,"
                " recorded_by, undone, met FROM fact WHERE case_id = ? ORDER BY id",
                (case,),
            )
            history = r.query(
                "SELECT at, who, what, ref, why FROM history WHERE case_id = ?"
                " ORDER BY id DESC LIMIT 200",
                (case,),
            )
            people = r.query(
                "SELECT p.name, p.email, p.role, a.party, a.obligation_ref FROM assignment a"
                " JOIN person p ON p.id = a.person_id WHERE a.case_id = ? ORDER BY p.name",
                (case,),
            )
        return self.render(
            "case.html", viewer=viewer, case=case, court=found[0][1],
            orders=[(o[0], o[1], _date(o[2]), o[3], _instant(o[4]), o[5]) for o in orders],
            duties=duties,
            facts=[(f[0], f[1], _date(f[2]), _instant(f[3]), f[4], f[5], f[6], f[7], _instant(f[8]), f[9], f[10], f[11]) for f in facts],
            history=[(_instant(h[0]), h[1], h[2], h[3], h[4]) for h in history],
            people=people,
        )  # fmt: skip

    # -- duty (explain) -------------------------------------------------------------------------

    def duty(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        with self.publisher.reader() as r:
            ref = request.path_params["ref"]
            if not r.query("SELECT 1 FROM obligation WHERE ref = ?", (ref,)):  # a whole ref
                try:
                    ref = r.resolve(ref)
                except LookupError as exc:
                    raise NotFound(str(exc)) from exc
            row = r.obligation(ref)
            history = r.history(ref)
            text = r.query(
                "SELECT text FROM order_version WHERE case_id = ? AND order_id = ?"
                " ORDER BY version DESC LIMIT 1",
                (row["case_id"], row["order_id"]),
            )
            mine = self._is_mine(r, viewer, ref)
        explained = explain_json(row, history, self.today())
        order_text = str(text[0][0]) if text else ""
        return self.render(
            "duty.html", viewer=viewer, d=explained, row=row,
            order=highlight(order_text, [row["text"], row.get("source_text") or ""]),
            may_record=viewer.person.clerk or mine,
        )  # fmt: skip

    def _is_mine(self, r: Reader, viewer: Viewer, ref: str) -> bool:
        from obligations.store.read import duties_of

        condition, values = duties_of(viewer.person.email)
        return bool(
            r.query(f"SELECT 1 FROM obligation o WHERE o.ref = ? AND {condition}", [ref, *values])
        )

    # -- record ---------------------------------------------------------------------------------

    def record_form(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        q = request.query_params
        return self.render(
            "record.html", viewer=viewer, values=dict(q), kind=q.get("kind", "done"),
            error=None, changes=None,
        )  # fmt: skip

    def record(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        from obligations import record as check
        from obligations.store.docket import Docket, event_name

        assert form is not None
        kind = request.path_params["kind"]
        v = {k: str(val).strip() for k, val in form.items() if isinstance(val, str) and k != "csrf"}
        if kind not in ("done", "event", "extend", "vacate", "closure", "condition"):
            raise NotFound(f"no such record '{kind}'")
        d = Docket(self.db, viewer.person.email)
        try:
            if not viewer.person.clerk:
                if kind != "done":
                    raise Forbidden(
                        "attorneys mark their own duties done; a clerk or paralegal records the other facts"
                    )
                with self.publisher.reader() as r:
                    if not self._is_mine(r, viewer, r.resolve(v.get("ref", ""))):
                        raise Forbidden(
                            "this duty is not assigned to you: a clerk or paralegal records it"
                        )
            if kind == "done":
                on = check.parse_day(v.get("on") or self.today().isoformat(), "--on")
                changes = d.done(
                    v.get("ref", ""), on, note=v.get("note", ""), service=v.get("service", "")
                )
                said = f"recorded {v.get('ref')} done {on.isoformat()}"
            elif kind == "event":
                at = check.parse_moment(v.get("when", ""), "DATE")
                name = event_name(v.get("event", ""))
                changes = d.record_event(
                    v.get("case", ""), name, at, note=v.get("note", ""),
                    occurrence=v.get("occurrence", ""), for_later=v.get("for_later") == "on",
                    service=v.get("service", ""),
                )  # fmt: skip
                said = f"recorded {name} in {v.get('case')} for {v.get('when')}"
            elif kind == "extend":
                to = check.parse_day(v["to"], "--to") if v.get("to") else None
                by = check.parse_extension(v["by"]) if v.get("by") else None
                changes = d.extend(v.get("ref", ""), to=to, by=by, reason=v.get("reason", ""))
                said = f"recorded an extension of {v.get('ref')}"
            elif kind == "vacate":
                undo = v.get("undo") == "on"
                changes = d.vacate(v.get("ref", ""), reason=v.get("reason", ""), undo=undo)
                said = f"recorded {v.get('ref')} {'reinstated' if undo else 'vacated'}"
            elif kind == "closure":
                day = check.parse_day(v.get("day", ""), "DATE")
                changes = d.add_closure(
                    v.get("court", ""), day, reason=v.get("reason", ""), source=v.get("source", "")
                )
                said = f"recorded {v.get('court')} closed on {day.isoformat()}"
            else:
                state = check.condition_state(v.get("state", ""))
                on = check.parse_day(v.get("on") or self.today().isoformat(), "--on")
                changes = d.condition(
                    v.get("case", ""), v.get("name", ""), state, on=on, note=v.get("note", "")
                )
                said = f"recorded condition {v.get('name')} in {v.get('case')} as {state} on {on.isoformat()}"
        except (DocketcalError, LookupError) as exc:
            status = 404 if isinstance(exc, NotFound | LookupError) else 400
            return self.render(
                "record.html",
                status,
                viewer=viewer,
                values=v,
                kind=kind,
                error=str(exc),
                changes=None,
            )
        lines = []
        for h in changes.history:
            if h["what"] in ("schedule changed", "obligation added", "obligation removed"):
                before, after = h["before"] or {}, h["after"] or {}
                was = (
                    f"{before.get('state')} {before.get('due') or ''}".strip() if before else "new"
                )
                lines.append(
                    (h["ref"], was, f"{after.get('state')} {after.get('due') or ''}".strip())
                )
        return self.render(
            "record.html", viewer=viewer, values={}, kind=kind, error=None, changes=lines, said=said
        )

    # -- subscribe ------------------------------------------------------------------------------

    def _tokens(self, viewer: Viewer) -> list[Any]:
        from obligations.store.feeds import tokens

        with self.publisher.reader() as r:
            return [t for t in tokens(r) if t.created_by == viewer.person.email]

    def subscribe(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        return self._subscribe_page(viewer, None, None)

    def _subscribe_page(
        self, viewer: Viewer, made: dict[str, str] | None, error: str | None, status: int = 200
    ) -> Response:
        now = datetime.now(UTC)
        return self.render(
            "subscribe.html", status, viewer=viewer, tokens=self._tokens(viewer), now=now,
            made=made, error=error,
        )  # fmt: skip

    def subscribe_change(self, request: Request, viewer: Viewer, form: FormData | None) -> Response:
        from obligations.feeds import FeedError, Scope
        from obligations.store.feeds import Tokens, check_scope

        assert form is not None
        action = request.path_params["action"]
        tokens = Tokens(self.db, viewer.person.email)
        try:
            if action == "create":
                text = str(form.get("scope") or "").strip() or f"person:{viewer.person.email}"
                scope = Scope.parse(text)
                if (
                    scope.kind == "person"
                    and scope.email != viewer.person.email
                    and not viewer.person.clerk
                ):
                    raise Forbidden("a feed of another person's duties is theirs to make")
                if scope.kind == "firm" and not viewer.person.clerk:
                    raise Forbidden("the firm's feed is made by a clerk")
                with self.publisher.reader() as r:
                    check_scope(r, scope)
                row, token = tokens.create(
                    scope, self.secret, label=str(form.get("label") or "")[:200]
                )
            else:
                ident = str(form.get("id") or "")
                own = {t.id: t for t in self._tokens(viewer)}
                if not ident.isdigit() or int(ident) not in own:
                    raise NotFound(f"no feed token {ident} of yours")
                if action == "revoke":
                    tokens.revoke(int(ident))
                    return self._subscribe_page(viewer, None, None)
                if action != "rotate":
                    raise NotFound(f"no such action '{action}'")
                row, token = tokens.rotate(int(ident), self.secret)
        except FeedError as exc:
            return self._subscribe_page(viewer, None, str(exc), 400)
        url = f"{self.feed_url}{token}.ics"
        made = {
            "scope": row.scope,
            "url": url,
            "webcal": re.sub(r"^https?://", "webcal://", url),
            "google": "https://www.google.com/calendar/render?" + urlencode({"cid": url}),
        }
        return self._subscribe_page(viewer, made, None)


# -- helpers -------------------------------------------------------------------------------------


def _to_login(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    where = "/login" if target == "/" else "/login?" + urlencode({"next": target})
    return RedirectResponse(where, status_code=303, headers={"Cache-Control": "no-store"})


def _refused() -> Response:
    return Response(
        "refused: this form is out of date or did not come from the desk; reload the page\n",
        403,
        media_type="text/plain",
        headers={"Cache-Control": "no-store"},
    )


def _next(value: str | None) -> str:
    """Where to go after sign-in: a path of this site only."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


#: The day's name as ``%a`` gives it in the C locale (the server's), without strftime.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: What ``quote(v, safe="/")`` leaves as it is.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")


def _day(d: date | str | None) -> str:
    if d is None:
        return "-"
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return f"{_WEEKDAYS[d.weekday()]} {d.isoformat()}"


def _quoted(value: Any) -> str:
    """A path segment of a link (a ref: most need no quoting)."""
    text = str(value)
    return text if _URL_SAFE.fullmatch(text) else quote(text, safe="/")


def _court_time(at: datetime, court: str) -> str:
    """The hour a duty's last day ends, in the court's own time zone (as ``upcoming`` gives
    ``due_at``)."""
    from calendars import get_court

    return at.astimezone(get_court(court).zone).strftime("%H:%M")


def _grouped(rows: list[Row], today: date) -> list[tuple[str, list[Row]]]:
    """Overdue first, then day by day, then the waiting ones. The pages show the rows as the
    store reads them (the values of an ``upcoming`` item, dates as dates)."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if row.state == "overdue":
            key = "Overdue"
        elif row.due is None or row.state == "waiting":
            key = "Waiting (no date yet)"
        else:
            key = "Today" if row.due == today else _day(row.due)
        groups.setdefault(key, []).append(row)
    order = ["Overdue"] + [k for k in groups if k not in ("Overdue", "Waiting (no date yet)")]
    order.append("Waiting (no date yet)")
    return [(k, groups[k]) for k in order if k in groups]


def highlight(text: str, phrases: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, marked) around the first place each phrase appears (a phrase
    may be wrapped differently in the text: whitespace is matched loosely)."""
    spans: list[tuple[int, int]] = []
    for phrase in phrases:
        words = phrase.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)
        m = re.search(pattern, text)
        if m:
            spans.append((m.start(), m.end()))
    spans.sort()
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        if start < at:
            continue
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out

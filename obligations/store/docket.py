"""The docket: what clerks record and what attorneys and cron read, kept with its history.

Every operation is one transaction. Recording a fact recomputes the affected case's schedule in
the same transaction and raises the revision of exactly the obligations whose stored values
changed. Nothing is updated in place except the computed schedule, and every change to it is
written to the history with its before and after.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from calendars import get_court
from calendars.errors import check_span, shown
from calendars.period import Period, Unit
from obligations import model
from obligations.engine import Item, Pending, schedule
from obligations.orderfile import (
    OrderFileError,
    OrderFileErrors,
    check_orders,
    parse_order,
    read_order_text,
    with_warnings,
)
from obligations.store.db import Database, retrying
from obligations.store.errors import (
    LONGEST_NAME,
    AmbiguousRef,
    DocketError,
    UnknownOrder,
    UnknownRef,
    check_email,
    check_name,
    check_text,
)
from obligations.store.read import effective_state
from obligations.store.tables import (
    Assignment,
    Case,
    Fact,
    History,
    Obligation,
    OrderVersion,
    PendingAmendment,
    Person,
    now,
)
from obligations.when import names

ROLES = ("attorney", "clerk", "paralegal")
#: The stored columns a recomputation may change; any change raises the revision.
COMPUTED = (
    "party", "text", "summary", "cite", "kind", "when_text", "consequence", "condition", "active", "state",
    "due", "due_at", "safe_due", "done_on", "late_by", "waiting_on", "chain", "readings",
    "warnings", "trace", "amendments", "depends_on", "end_at", "opens_on", "review", "source_text",
)  # fmt: skip
#: What a history row keeps of an obligation before and after a change.
SNAPSHOT = ("state", "due", "due_at", "safe_due", "done_on", "waiting_on", "active", "revision")
#: A condition is recorded as one of these (``docketcal condition CASE NAME met|not-met``).
CONDITION_STATES = ("met", "not-met")


@dataclass(slots=True)
class Changes:
    """What one operation changed: history rows written, obligations whose revision rose."""

    history: list[dict[str, Any]] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)  # order changes not applied
    warnings: list[str] = field(default_factory=list)  # the loader's, worth a second look
    held: list[dict[str, Any]] = field(default_factory=list)  # amendments of orders not loaded

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "changes": self.history,
            "revised": self.revised,
            "pending": self.pending,
        }
        if self.warnings:
            out["warnings"] = self.warnings
        if self.held:
            out["held"] = self.held
        return out


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=16384)
def _parsed(sha: str, text: str, path: str) -> model.Order:
    """Order texts are parsed once per process: the hash names the text."""
    return parse_order(text, path, together=True)


def _once_each(parsed: list[tuple[model.Order, str]]) -> list[tuple[model.Order, str]]:
    """The same file named twice is loaded once; two files with one order id (in one case) in
    one load are refused: the second would silently not be applied."""
    seen: dict[tuple[str, str], tuple[model.Order, str]] = {}
    errors: list[OrderFileError] = []
    for order, text in parsed:
        key = (order.case, order.id)
        first = seen.get(key)
        if first is None:
            seen[key] = (order, text)
        elif first[1] != text:
            errors.append(
                OrderFileError(
                    order.path,
                    1,
                    1,
                    f"order id '{order.id}' of case '{order.case}' is also the id of {first[0].path}"
                    " in this load: load one version of an order at a time",
                )
            )
    if errors:
        raise OrderFileErrors(errors)
    return list(seen.values())


def _prove(orders: Sequence[model.Order], world: Sequence[model.Order]) -> None:
    """Run the ``[[check]]`` examples of the orders being loaded: one that fails stops the load,
    as ``order check`` would have said."""
    from obligations.checks import run_checks

    errors = []
    for result in run_checks(orders, world):
        for failure in result.failures:
            line, _, message = failure.partition(": ")
            number = (
                int(line.removeprefix("line ")) if line.startswith("line ") else result.check.line
            )
            name = f" ({result.check.name})" if result.check.name else ""
            errors.append(
                OrderFileError(
                    result.order.path, number, 1, f"check{name} does not hold: {message}"
                )
            )
    if errors:
        raise OrderFileErrors(errors)


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return _iso(value)
    return value


class Docket:
    """The operations of the docket, on one database, on behalf of one person."""

    def __init__(self, db: Database, who: str = "") -> None:
        self.db = db
        self.who = who

    # -- orders -------------------------------------------------------------------------------

    def load(self, paths: Sequence[str | Path], *, apply: bool = False) -> Changes:
        """Load order files in one transaction: new orders go in; an order already loaded with the
        same text changes nothing; a changed one is applied only with ``apply``."""
        errors: list[OrderFileError] = []
        parsed: list[tuple[model.Order, str]] = []
        for path in paths:
            try:
                text = read_order_text(path)  # read once: the text stored is the text parsed
                parsed.append((_parsed(_sha(text), text, str(path)), text))
            except OrderFileErrors as exc:
                errors.extend(exc.errors)
        if errors:
            raise OrderFileErrors(tuple(errors))
        parsed = _once_each(parsed)

        def work() -> Changes:
            changes = Changes()
            with self.db.write() as s:
                cases = {o.case: o.court for o, _ in parsed}
                for case, court in sorted(cases.items()):
                    self._lock(s, case, court)
                current = {(o.case, o.id): o for c in cases for o in self._orders(s, c)}
                together = dict(current)
                for order, _ in parsed:
                    together[(order.case, order.id)] = order
                world = list(together.values())
                check_orders(world)
                _prove([o for o, _ in parsed], world)
                changes.warnings = [
                    w for order, text in parsed for w in with_warnings(order, world, text).warnings
                ]
                touched: set[str] = set()
                for order, text in parsed:
                    if self._load_one(s, order, text, apply, changes):
                        touched.add(order.case)
                for case in sorted(touched):
                    self._recompute(s, case, "order loaded", changes)
            return changes

        return retrying(work)

    def _load_one(
        self, s: Session, order: model.Order, text: str, apply: bool, changes: Changes
    ) -> bool:
        sha = _sha(text)
        latest = s.exec(
            select(OrderVersion)
            .where(OrderVersion.case_id == order.case, OrderVersion.order_id == order.id)
            .order_by(col(OrderVersion.version).desc())
        ).first()
        if latest is not None and latest.sha256 == sha:
            return False
        if latest is not None and not apply:
            old = _parsed(latest.sha256, latest.text, latest.path)
            changes.pending.append(
                {
                    "order": f"{order.case}/{order.id}",
                    "version": latest.version,
                    "differences": _differences(old, order),
                }
            )
            return False
        version = 1 if latest is None else latest.version + 1
        s.add(
            OrderVersion(
                case_id=order.case, order_id=order.id, version=version, court=order.court,
                entered=order.entered, title=order.title, path=order.path, text=text, sha256=sha,
                loaded_by=self.who,
            )
        )  # fmt: skip
        before = None
        if latest is not None:
            old = _parsed(latest.sha256, latest.text, latest.path)
            before = {
                "version": latest.version,
                "sha256": latest.sha256,
                "differences": _differences(old, order),
            }
        self._history(
            s, changes, "order loaded" if latest is None else "order changed", order.case,
            f"{order.case}/{order.id}", f"{order.path} ({len(order.obligations)} obligations)",
            before, {"version": version, "sha256": sha},
        )  # fmt: skip
        return True

    def _orders(self, s: Session, case: str) -> list[model.Order]:
        rows = s.exec(
            select(OrderVersion)
            .where(OrderVersion.case_id == case)
            .order_by(col(OrderVersion.order_id), col(OrderVersion.version))
        ).all()
        latest: dict[str, OrderVersion] = {}
        for row in rows:
            latest[row.order_id] = row
        return [_parsed(r.sha256, r.text, r.path) for r in latest.values()]

    def orders(self, case: str | None = None) -> list[dict[str, Any]]:
        with self.db.read() as s:
            # the listed columns only: an order's text is what makes its row large
            t = OrderVersion.__table__.c  # type: ignore[attr-defined]
            query = sa_select(
                t.case_id, t.order_id, t.court, t.entered, t.title, t.version, t.sha256, t.path,
                t.loaded_at, t.loaded_by,
            ).order_by(t.case_id, t.order_id, t.version)  # fmt: skip
            if case is not None:
                query = query.where(t.case_id == case)
            latest: dict[tuple[str, str], Any] = {}
            for row in s.execute(query).all():
                latest[(row.case_id, row.order_id)] = row
            # counted by the database: a firm's docket has a million obligations to not load
            per_order = (
                select(Obligation.case_id, Obligation.order_id, func.count())
                .where(col(Obligation.active))
                .group_by(col(Obligation.case_id), col(Obligation.order_id))
            )
            if case is not None:
                per_order = per_order.where(Obligation.case_id == case)
            counts = {(c, o): int(n) for c, o, n in s.exec(per_order).all()}
            return [
                {
                    "case": r.case_id, "order": r.order_id, "court": r.court, "entered": r.entered.isoformat(),
                    "title": r.title, "version": r.version, "sha256": r.sha256, "path": r.path,
                    "loaded_at": _iso(r.loaded_at), "loaded_by": r.loaded_by,
                    "obligations": counts.get((r.case_id, r.order_id), 0),
                }
                for r in latest.values()
            ]  # fmt: skip

    def order(self, ident: str, today: date | None = None) -> dict[str, Any]:
        """One order: ``CASE/ORDER`` or an order id that is unique across cases; its duties'
        states as on ``today`` (overdue read off the date), and what it holds for orders not
        loaded."""
        with self.db.read() as s:
            case, _, order_id = ident.rpartition("/")
            query = select(OrderVersion).where(OrderVersion.order_id == order_id)
            if case:
                query = query.where(OrderVersion.case_id == case)
            rows = s.exec(query.order_by(col(OrderVersion.version))).all()
            if not rows:
                everyone = select(OrderVersion.case_id, OrderVersion.order_id).distinct()
                known = [f"{c}/{o}" for c, o in s.exec(everyone).all()]
                close = difflib.get_close_matches(ident, sorted(set(known)), n=3, cutoff=0.5)
                raise UnknownOrder(ident, close)
            if len({r.case_id for r in rows}) > 1:
                raise AmbiguousRef(ident, sorted({f"{r.case_id}/{r.order_id}" for r in rows}))
            latest = rows[-1]
            obligations = s.exec(
                select(Obligation)
                .where(Obligation.case_id == latest.case_id, Obligation.order_id == latest.order_id)
                .order_by(col(Obligation.id))
            ).all()
            return {
                "case": latest.case_id, "order": latest.order_id, "court": latest.court,
                "entered": latest.entered.isoformat(), "title": latest.title, "path": latest.path,
                "versions": [{"version": r.version, "sha256": r.sha256, "loaded_at": _iso(r.loaded_at), "loaded_by": r.loaded_by} for r in rows],
                "text": latest.text,
                "obligations": [obligation_json(o, today) for o in obligations],
                "held": [
                    {"amends": r.target_order, "what": r.what, "held_since": _iso(r.held_since)}
                    for r in s.exec(
                        select(PendingAmendment).where(
                            PendingAmendment.case_id == latest.case_id,
                            PendingAmendment.order_id == latest.order_id,
                        )
                    ).all()
                ],
            }  # fmt: skip

    # -- facts --------------------------------------------------------------------------------

    def record_event(
        self,
        case: str,
        name: str,
        at: date | datetime,
        *,
        note: str = "",
        occurrence: str = "",
        for_later: bool = False,
        service: str = "",
    ) -> Changes:
        """A case event: a date, or a date-time in the court's time (stored in UTC); with the
        method it was served by when periods counted from it depend on that.

        The name is taken as due rules write it (``Hearing `` is ``hearing``). A name that no duty
        of the case counts from is refused with the names that are, since the duty it was meant
        for would wait forever; ``for_later`` records it all the same, for an order still to
        come."""
        case = check_name(case, "the case")
        name = event_name(name)
        check_span(at, f"the date of {name}")
        check_text(note, "the note")
        check_text(occurrence, "the occurrence", one_line=True, limit=LONGEST_NAME)

        def work() -> Changes:
            changes = Changes()
            with self.db.write() as s:
                row = self._lock(s, case) or self._case(s, case)  # _case names a missing case
                _check_service(service, row.court)
                if not for_later:
                    self._counted_from(s, case, name)
                day, instant = _split(at, row.court)
                fact = self._fact(
                    s,
                    Fact(
                        kind="event",
                        case_id=case,
                        name=name,
                        day=day,
                        at=instant,
                        note=note,
                        occurrence=occurrence,
                        service=service or None,
                    ),
                )
                self._history(
                    s, changes, "event recorded", case, None, note, None, _fact_json(fact)
                )
                self._recompute(s, case, f"event {name} recorded", changes)
            return changes

        return retrying(work)

    def done(self, ref: str, on: date, *, note: str = "", service: str = "") -> Changes:
        check_span(on, "the day it was done")
        check_text(note, "the note")

        def make(ob: Obligation) -> Fact:
            _check_service(service, ob.court)
            return Fact(kind="done", day=on, note=note, service=service or None)

        how = f" (served by {service})" if service else ""
        return self._on_obligation(ref, "done", make, f"done {on.isoformat()}{how}")

    def condition(
        self, case: str, name: str, state: str, *, on: date | None = None, note: str = ""
    ) -> Changes:
        """A condition of duties recorded as met or not met: not met makes them moot."""
        case = check_name(case, "the case")
        name = check_name(name, "the condition's name").lower()
        check_text(note, "the note")
        if on is not None:
            check_span(on, "the day it was decided")
        if state not in CONDITION_STATES:
            raise DocketError(
                f"condition {shown(name)}: expected met or not-met, found {shown(state)}"
            )

        def work() -> Changes:
            changes = Changes()
            with self.db.write() as s:
                if self._lock(s, case) is None:
                    self._case(s, case)  # names a missing case
                known = self._conditions(s, case)
                if name not in known:
                    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
                    hint = f"; did you mean {', '.join(close)}?" if close else ""
                    listed = ", ".join(known) or "none"
                    raise DocketError(
                        f"no duty of case {case} depends on a condition {shown(name)}{hint}; its conditions: {listed}"
                    )
                fact = self._fact(
                    s,
                    Fact(
                        kind="condition",
                        case_id=case,
                        name=name,
                        met=state == "met",
                        day=on,
                        note=note,
                    ),
                )
                self._history(
                    s, changes, f"condition {state}", case, None, note, None, _fact_json(fact)
                )
                self._recompute(s, case, f"condition {name} recorded as {state}", changes)
            return changes

        return retrying(work)

    def _conditions(self, s: Session, case: str) -> list[str]:
        """The condition names the duties of a case depend on."""
        names = {ob.condition_name for o in self._orders(s, case) for ob in o.obligations}
        return sorted(n for n in names if n)

    def extend(
        self, ref: str, *, to: date | None = None, by: Period | None = None, reason: str
    ) -> Changes:
        if (to is None) == (by is None):
            raise DocketError("extend needs exactly one of --to DATE or --by PERIOD")
        if not reason.strip():
            raise DocketError("extend needs --reason: the history keeps why a date moved")
        check_text(reason, "the reason")
        if to is not None:
            check_span(to, "the new date")
        what = f"extended to {to.isoformat()}" if to is not None else f"extended by {by}"
        given = f"--to {to.isoformat()}" if to is not None else f"--by '{by}'"

        def make(ob: Obligation) -> Fact:
            if ob.kind in ("standing", "prohibition", "recurring"):
                kind = {"prohibition": "prohibition"}.get(ob.kind, f"{ob.kind} duty")
                raise DocketError(
                    f"{ob.ref} is a {kind}: it has no due date to extend"
                    + (
                        " (each occurrence's date counts from its event: record the event's"
                        " new date instead)"
                        if ob.kind == "recurring"
                        else ""
                    )
                )
            return Fact(kind="extension", day=to, by_period=str(by) if by else None, reason=reason)

        def after(ob: Obligation) -> None:
            refused = [w for w in ob.waiting_on if w.startswith(_REFUSED)]
            if refused:
                raise DocketError(f"{given}: {refused[0].removeprefix(_REFUSED)}")
            if ob.due is not None:
                check_span(ob.due, f"{given}: the extended due date")

        return self._on_obligation(ref, "extended", make, what, after)

    def vacate(self, ref: str, *, reason: str, undo: bool = False) -> Changes:
        if not reason.strip():
            raise DocketError("vacate needs --reason")
        check_text(reason, "the reason")
        return self._on_obligation(
            ref,
            "vacatur undone" if undo else "vacated",
            lambda ob: Fact(kind="vacatur", reason=reason, undone=undo),
            "reinstated" if undo else "vacated",
        )

    def _on_obligation(
        self, ref: str, what: str, make: Any, why: str, after: Any = None
    ) -> Changes:
        """Record a fact on one obligation (``make`` builds it, or refuses) and recompute its case;
        ``after`` sees the obligation recomputed and may still refuse (nothing is written)."""

        def work() -> Changes:
            changes = Changes()
            with self.db.write() as s:
                self._lock(s, self._resolve(s, ref).case_id)
                ob = self._resolve(s, ref)
                fact = make(ob)
                fact.case_id, fact.order_id, fact.obligation_id = (
                    ob.case_id,
                    ob.order_id,
                    ob.obligation_id,
                )
                fact = self._fact(s, fact)
                self._history(
                    s,
                    changes,
                    what,
                    ob.case_id,
                    ob.ref,
                    fact.reason or fact.note or why,
                    None,
                    _fact_json(fact),
                )
                self._recompute(s, ob.case_id, f"{ob.ref} {why}", changes)
                if after is not None:
                    after(ob)
            return changes

        return retrying(work)

    def add_closure(self, court: str, day: date, *, reason: str, source: str = "") -> Changes:
        """A day a court's clerk's office was closed or inaccessible; every case there is recomputed."""
        court_id = get_court(court).id
        if not reason.strip():
            raise DocketError("closure add needs --reason")
        check_span(day, "the day of the closure")
        check_text(reason, "the reason")
        check_text(source, "the source")

        def work() -> Changes:
            changes = Changes()
            with self.db.write() as s:
                # Every case with an order of this court, whichever order came first; locked in
                # one order (by id) so two writers never wait on each other in a circle.
                cases = sorted(
                    set(
                        s.exec(
                            select(OrderVersion.case_id).where(OrderVersion.court == court_id)
                        ).all()
                    )
                )
                for case in cases:
                    self._lock(s, case)
                fact = self._fact(
                    s, Fact(kind="closure", court=court_id, day=day, reason=reason, source=source)
                )
                self._history(
                    s, changes, "closure added", None, None, reason, None, _fact_json(fact)
                )
                for case in cases:
                    self._recompute(s, case, f"closure of {court_id} on {day.isoformat()}", changes)
            return changes

        return retrying(work)

    # -- people -------------------------------------------------------------------------------

    def add_person(self, name: str, email: str, role: str = "attorney") -> dict[str, Any]:
        if role not in ROLES:
            raise DocketError(f"unknown role {shown(role)}: expected one of {', '.join(ROLES)}")
        email = check_email(email)
        if not name.strip():
            raise DocketError("the person's name is empty")
        name = check_text(name.strip(), "the name", one_line=True, limit=LONGEST_NAME)

        def work() -> dict[str, Any]:
            with self.db.write() as s:
                if s.exec(select(Person).where(Person.email == email.lower())).first() is not None:
                    raise DocketError(f"{email} is already a person on the docket")
                person = Person(name=name, email=email.lower(), role=role)
                s.add(person)
                s.flush()
                self._history(
                    s,
                    Changes(),
                    "person added",
                    None,
                    None,
                    "",
                    None,
                    {"name": name, "email": person.email, "role": role},
                )
                return person_json(person)

        return retrying(work)

    def people(self) -> list[dict[str, Any]]:
        with self.db.read() as s:
            return [
                person_json(p) for p in s.exec(select(Person).order_by(col(Person.email))).all()
            ]

    def assign(
        self, email: str, case: str, *, party: str | None = None, obligation: str | None = None
    ) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            with self.db.write() as s:
                person = s.exec(select(Person).where(Person.email == email.lower())).first()
                if person is None:
                    raise DocketError(
                        f"no person with e-mail {email}: add them with 'docketcal person add'"
                    )
                self._case(s, case)
                ref = None
                if obligation:
                    ob = self._resolve(s, obligation)
                    if ob.case_id != case:
                        raise DocketError(
                            f"{ob.ref} is an obligation of case {ob.case_id}, not {case}"
                        )
                    ref = ob.ref
                if (
                    party is not None
                    and s.exec(
                        select(Obligation).where(
                            Obligation.case_id == case, Obligation.party == party
                        )
                    ).first()
                    is None
                ):
                    raise DocketError(f"no obligation of party '{party}' in case {case}")
                row = Assignment(
                    person_id=person.id or 0,
                    case_id=case,
                    party=party,
                    obligation_ref=ref,
                    created_by=self.who,
                )
                s.add(row)
                s.flush()
                scope = ref or (f"{case} ({party})" if party else case)
                self._history(
                    s,
                    Changes(),
                    "assigned",
                    case,
                    ref,
                    "",
                    None,
                    {"person": person.email, "scope": scope},
                )
                return {"person": person.email, "case": case, "party": party, "obligation": ref}

        return retrying(work)

    # -- reading ------------------------------------------------------------------------------

    def obligation(self, ref: str) -> dict[str, Any]:
        with self.db.read() as s:
            return obligation_json(self._resolve(s, ref))

    def history(self, ref: str | None = None, case: str | None = None) -> list[dict[str, Any]]:
        with self.db.read() as s:
            query = select(History).order_by(col(History.id))
            if ref is not None:
                full = self._resolve(s, ref).ref
                query = query.where(History.ref == full)
            elif case is not None:
                query = query.where(History.case_id == case)
            return [history_json(h) for h in s.exec(query).all()]

    # -- inside a transaction -----------------------------------------------------------------

    def _counted_from(self, s: Session, case: str, name: str) -> None:
        """Refuse an event that no duty of the case counts from, naming the ones that are."""
        orders = self._orders(s, case)
        duties = {ob.id for o in orders for ob in o.obligations}
        known: set[str] = set()
        for o in orders:
            for ob in o.obligations:
                if ob.due is not None:
                    known.update(n for n in names(ob.due) if n not in duties)
                if ob.kind is model.Kind.RECURRING and ob.on:
                    known.add(ob.on)
        if name in known:
            return
        close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        listed = ", ".join(sorted(known)[:20]) or "none"
        raise DocketError(
            f"no duty of case {case} counts from an event named {shown(name)}{hint}"
            f" (its duties count from: {listed}). If an order still to come will, record it"
            " with --for-later-order."
        )

    def _lock(self, s: Session, case: str, court: str | None = None) -> Case | None:
        """Take the case's write lock before reading anything of it (PostgreSQL: the row lock;
        SQLite: the whole database is already locked by BEGIN IMMEDIATE). With ``court``, the case
        is created first if it is new, so two clerks loading a new case's first order both succeed.
        Objects read before the lock are refreshed, so nothing is computed from a stale copy."""
        if court is not None:
            table = Case.__table__  # type: ignore[attr-defined]
            dialect = s.get_bind().dialect.name
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                s.execute(
                    pg_insert(table)
                    .values(id=case, court=court, created_at=now())
                    .on_conflict_do_nothing()
                )
            elif dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert as sqlite_insert

                s.execute(
                    sqlite_insert(table)
                    .values(id=case, court=court, created_at=now())
                    .on_conflict_do_nothing()
                )
            elif s.get(Case, case) is None:
                s.add(Case(id=case, court=court))
                s.flush()
        row = s.exec(
            select(Case)
            .where(Case.id == case)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        s.expire_all()
        return row

    def _hold(
        self, s: Session, case: str, pending: Sequence[Pending], why: str, changes: Changes
    ) -> None:
        """Keep the case's amendments of orders not loaded, and say when one is applied."""
        rows = s.exec(select(PendingAmendment).where(PendingAmendment.case_id == case)).all()
        had = {(r.order_id, r.target_order, r.what): r for r in rows}
        now_held = {(p.order, p.target, p.what): p for p in pending}
        for key, row in had.items():
            if key not in now_held:
                s.delete(row)
                applied = key[1] in {o for o, _ in self._versions(s, case)}
                what = "amendment applied" if applied else "amendment dropped"
                self._history(
                    s, changes, what, case, f"{case}/{key[0]}", f"{why}: {key[2]}", None, None
                )
        for key, p in now_held.items():
            if key not in had:
                s.add(
                    PendingAmendment(
                        case_id=case,
                        order_id=p.order,
                        target_order=p.target,
                        what=p.what,
                        line=p.line,
                    )
                )
                self._history(
                    s, changes, "amendment held", case, f"{case}/{p.order}",
                    f"order {p.target} is not loaded: {p.what}", None, None,
                )  # fmt: skip
            changes.held.append(
                {"case": case, "order": p.order, "amends": p.target, "what": p.what}
            )

    def _versions(self, s: Session, case: str) -> list[tuple[str, int]]:
        return list(
            s.exec(
                select(OrderVersion.order_id, OrderVersion.version).where(
                    OrderVersion.case_id == case
                )
            ).all()
        )

    def held(self, case: str | None = None) -> list[dict[str, Any]]:
        """Amendments held for orders not loaded yet."""
        with self.db.read() as s:
            query = select(PendingAmendment).order_by(
                col(PendingAmendment.case_id), col(PendingAmendment.id)
            )
            if case is not None:
                query = query.where(PendingAmendment.case_id == case)
            return [
                {"case": r.case_id, "order": r.order_id, "amends": r.target_order, "what": r.what,
                 "held_since": _iso(r.held_since)}
                for r in s.exec(query).all()
            ]  # fmt: skip

    def _case(self, s: Session, case: str) -> Case:
        row = s.get(Case, case)
        if row is None:
            known = list(s.exec(select(Case.id)).all())
            close = difflib.get_close_matches(case, known, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise DocketError(f"no case '{case}' on the docket{hint}")
        return row

    def _resolve(self, s: Session, ref: str) -> Obligation:
        """``CASE/ORDER/OBLIGATION`` or any unique suffix of it (whole segments)."""
        ref = check_name(ref, "the reference").strip("/")
        exact = s.exec(select(Obligation).where(Obligation.ref == ref)).first()
        if exact is not None:
            return exact
        pattern = "%/" + ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        matches = s.exec(
            select(Obligation).where(col(Obligation.ref).like(pattern, escape="\\")).limit(20)
        ).all()
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise AmbiguousRef(ref, [m.ref for m in matches])
        tail = ref.rsplit("/", 1)[-1]
        candidates = list(
            s.exec(
                select(Obligation.ref).where(col(Obligation.obligation_id).contains(tail[:4]))
            ).all()
        )
        if len(candidates) < 5:
            candidates = list(s.exec(select(Obligation.ref).limit(5000)).all())
        close = difflib.get_close_matches(ref, candidates, n=3, cutoff=0.4)
        close += difflib.get_close_matches(
            tail, [c.rsplit("/", 1)[-1] for c in candidates], n=3, cutoff=0.6
        )
        unique: list[str] = []
        for c in close:  # a full ref and its own tail are one suggestion
            if not any(c == u or u.endswith("/" + c) or c.endswith("/" + u) for u in unique):
                unique.append(c)
        raise UnknownRef(ref, unique[:3])

    def _fact(self, s: Session, fact: Fact) -> Fact:
        """Append a fact; a completion or event recorded again corrects the one before it."""
        fact.recorded_by = self.who
        fact.recorded_at = now()
        same = None
        if fact.kind == "done":
            same = select(Fact.id).where(
                Fact.kind == "done", Fact.case_id == fact.case_id, Fact.order_id == fact.order_id,
                Fact.obligation_id == fact.obligation_id,
            )  # fmt: skip
        elif fact.kind == "event":
            same = select(Fact.id).where(
                Fact.kind == "event", Fact.case_id == fact.case_id, Fact.name == fact.name,
                Fact.occurrence == fact.occurrence,
            )  # fmt: skip
        elif fact.kind == "condition":
            same = select(Fact.id).where(
                Fact.kind == "condition", Fact.case_id == fact.case_id, Fact.name == fact.name
            )
        if same is not None:
            fact.supersedes = s.exec(same.order_by(col(Fact.id).desc())).first()
        s.add(fact)
        s.flush()
        return fact

    def _history(
        self, s: Session, changes: Changes, what: str, case: str | None, ref: str | None, why: str,
        before: dict[str, Any] | None, after: dict[str, Any] | None,
    ) -> None:  # fmt: skip
        row = History(
            who=self.who, what=what, case_id=case, ref=ref, why=why, before=before, after=after
        )
        s.add(row)
        changes.history.append(
            {"what": what, "case": case, "ref": ref, "why": why, "before": before, "after": after}
        )

    def _facts(self, s: Session, case: str, courts: Iterable[str]) -> model.Facts:
        rows = s.exec(select(Fact).where(Fact.case_id == case).order_by(col(Fact.id))).all()
        closures = s.exec(
            select(Fact).where(Fact.kind == "closure", col(Fact.court).in_(sorted(set(courts))))
        ).all()
        home = s.get(Case, case)
        zone = get_court(home.court).zone if home is not None else UTC
        facts = (_to_model(r, zone) for r in [*rows, *closures])
        return model.Facts.of([f for f in facts if f is not None])

    def _recompute(self, s: Session, case: str, why: str, changes: Changes) -> None:
        """Schedule the case again and store what changed, raising those revisions. Every
        caller holds the case's lock (``_lock``) from before it read anything of the case."""
        orders = self._orders(s, case)
        facts = self._facts(s, case, {o.court for o in orders})
        sched = schedule(
            orders, facts, date.min
        )  # states without the clock: "overdue" is read off the date
        # held amendments change only when an order is loaded or one of them is applied
        if why == "order loaded" or any(o.amendments for o in orders):
            self._hold(s, case, sched.pending, why, changes)
        rows = {
            r.ref: r for r in s.exec(select(Obligation).where(Obligation.case_id == case)).all()
        }
        seen: set[str] = set()
        stamp = now()
        for item in sched.items:
            seen.add(item.ref)
            values = _values(item)
            row = rows.get(item.ref)
            if row is None:
                row = Obligation(
                    ref=item.ref, uid=uuid.uuid4().hex, case_id=case, order_id=item.order,
                    obligation_id=item.obligation, court=item.court, changed_at=stamp, **values,
                )  # fmt: skip
                s.add(row)
                self._history(
                    s, changes, "obligation added", case, item.ref, why, None, _snapshot(row)
                )
                changes.revised.append(item.ref)
                continue
            if all(_same(getattr(row, k), v) for k, v in values.items()):
                continue
            before = _snapshot(row)
            for k, v in values.items():
                setattr(row, k, v)
            row.revision += 1
            row.changed_at = stamp
            self._history(
                s, changes, "schedule changed", case, item.ref, why, before, _snapshot(row)
            )
            changes.revised.append(item.ref)
        for ref, row in rows.items():
            if ref not in seen and row.active:
                before = _snapshot(row)
                row.active = False
                row.revision += 1
                row.changed_at = stamp
                self._history(
                    s,
                    changes,
                    "obligation removed",
                    case,
                    ref,
                    f"{why}: no longer in its order",
                    before,
                    _snapshot(row),
                )
                changes.revised.append(ref)
        s.flush()


def _check_service(method: str, court: str) -> None:
    """A service method the rules of the case's court know."""
    if not method:
        return
    from calendars import get_ruleset

    ruleset = get_ruleset(get_court(court).ruleset)
    if method not in ruleset.methods:
        raise DocketError(
            f"service method '{method}' is not known to {ruleset.name}; known: {', '.join(ruleset.methods)}"
        )


#: How an item the rules cannot compute says so in ``waiting_on`` (obligations.engine).
_REFUSED = "a computation the rules refuse: "
#: The names due rules give events (the when-language's names).
_EVENT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def event_name(text: str) -> str:
    """An event's name as due rules write it: lower case, without surrounding spaces."""
    name = check_name(text, "the event's name").lower()
    if not _EVENT_NAME.fullmatch(name):
        raise DocketError(
            f"the event's name {shown(text)} is not a name a due rule can use:"
            " letters, digits, '-' and '_', starting with a letter or digit (documents-returned)"
        )
    return name


def _split(at: date | datetime, court: str) -> tuple[date, datetime | None]:
    if isinstance(at, datetime):
        local = at if at.tzinfo is not None else at.replace(tzinfo=get_court(court).zone)
        return local.astimezone(get_court(court).zone).date(), local.astimezone(UTC)
    return at, None


def _to_model(row: Fact, zone: Any) -> model.Fact | None:
    """A stored fact as the engine's fact; an event's instant back in court time."""
    seq = row.id or 0
    if row.kind == "event":
        assert row.case_id is not None and row.name is not None and row.day is not None
        local = row.at.astimezone(zone).replace(tzinfo=None) if row.at is not None else None
        return model.Event(
            row.case_id,
            row.name,
            local or row.day,
            seq=seq,
            note=row.note,
            occurrence=row.occurrence,
            service=row.service or "",
        )
    if row.kind == "done":
        assert row.case_id and row.order_id and row.obligation_id and row.day
        return model.Completion(
            row.case_id,
            row.order_id,
            row.obligation_id,
            row.day,
            seq=seq,
            note=row.note,
            service=row.service or "",
        )
    if row.kind == "condition":
        assert row.case_id and row.name
        return model.Condition(
            row.case_id, row.name, bool(row.met), row.day, seq=seq, note=row.note
        )
    if row.kind == "extension":
        assert row.case_id and row.order_id and row.obligation_id
        by = None
        if row.by_period:
            n, unit = row.by_period.split(" ", 1)
            by = Period(int(n), Unit(unit if unit.endswith("s") else unit + "s"))
        return model.Extension(
            row.case_id,
            row.order_id,
            row.obligation_id,
            to=row.day,
            by=by,
            reason=row.reason,
            seq=seq,
        )
    if row.kind == "vacatur":
        assert row.case_id and row.order_id and row.obligation_id
        return model.Vacatur(
            row.case_id,
            row.order_id,
            row.obligation_id,
            reason=row.reason,
            seq=seq,
            undone=row.undone,
        )
    if row.kind == "closure":
        assert row.court and row.day
        return model.Closure(row.court, row.day, reason=row.reason, seq=seq)
    return None


def _values(item: Item) -> dict[str, Any]:
    due = item.due
    state = item.state.value
    return {
        "party": item.party,
        "text": item.text,
        "summary": item.summary,
        "cite": item.cite,
        "kind": item.kind.value,
        "when_text": item.when,
        "consequence": item.consequence,
        "condition": item.condition,
        "active": True,
        "state": "open" if state == "overdue" else state,
        "due": due.due if due else None,
        "due_at": due.due_at.astimezone(UTC) if due and due.due_at else None,
        "safe_due": due.safe_due if due else None,
        "done_on": item.done_on,
        "late_by": item.late_by,
        "waiting_on": list(item.waiting_on),
        "chain": list(item.chain),
        "readings": [r.to_json() for r in due.readings] if due else [],
        "warnings": list(due.warnings) if due else [],
        "trace": [s.to_json() for s in due.trace] if due else [],
        "amendments": list(item.history),
        "depends_on": list(item.depends_on),
        "end_at": item.end_at.astimezone(UTC) if item.end_at else None,
        "opens_on": item.opens_on,
        "review": item.review,
        "source_text": item.source_text,
    }


def _same(stored: Any, value: Any) -> bool:
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return stored.astimezone(UTC) == value.astimezone(UTC)
    return bool(stored == value)


FACT_KEYS = (
    "id", "kind", "case_id", "court", "order_id", "obligation_id", "name", "day", "at",
    "by_period", "occurrence", "undone", "reason", "note", "source", "recorded_by", "service",
    "met",
)  # fmt: skip


def snapshot(values: Mapping[str, Any], court: str) -> dict[str, Any]:
    """What a history row keeps of an obligation's schedule (``values``: its stored columns);
    ``due_at`` in court time, as everywhere a person reads it. bench/generate.py writes the same."""
    out = {k: _jsonable(values.get(k)) for k in SNAPSHOT}
    out["due_at"] = _iso(_court_time(values.get("due_at"), court))
    return out


def fact_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """What a history row keeps of a fact (``values``: its stored columns); a condition keeps
    ``met`` even when it is false."""
    return {
        k: _jsonable(values[k])
        for k in FACT_KEYS
        if values.get(k) not in (None, "", False) or (k == "met" and values.get(k) is False)
    }


def _snapshot(row: Obligation) -> dict[str, Any]:
    return snapshot({k: getattr(row, k) for k in SNAPSHOT}, row.court)


def _fact_json(f: Fact) -> dict[str, Any]:
    return fact_json({k: getattr(f, k) for k in FACT_KEYS})


def obligation_json(o: Obligation, today: date | None = None) -> dict[str, Any]:
    """The stable JSON of one obligation (the keys of ``upcoming``, then the rest)."""
    state = effective_state(o.state, o.due, o.opens_on, today)
    if not o.active:
        state = "vacated"
    return {
        "ref": o.ref, "case": o.case_id, "order": o.order_id, "obligation": o.obligation_id,
        "party": o.party, "text": o.text, "cite": o.cite, "state": state,
        "due": _iso(o.due), "due_at": _iso(_court_time(o.due_at, o.court)), "safe_due": _iso(o.safe_due),
        "waiting_on": list(o.waiting_on), "summary": o.summary,
        "kind": o.kind, "court": o.court, "when": o.when_text, "chain": list(o.chain),
        "readings": list(o.readings), "warnings": list(o.warnings), "trace": list(o.trace),
        "amendments": list(o.amendments), "depends_on": list(o.depends_on),
        "done_on": _iso(o.done_on), "late_by": o.late_by, "consequence": o.consequence,
        "condition": o.condition, "uid": o.uid, "revision": o.revision, "changed_at": _iso(o.changed_at),
        "active": o.active, "end_at": _iso(_court_time(o.end_at, o.court)), "opens_on": _iso(o.opens_on),
        "review": o.review, "source_text": o.source_text,
    }  # fmt: skip


def _court_time(value: datetime | None, court: str) -> datetime | None:
    return value.astimezone(get_court(court).zone) if value is not None else None


def person_json(p: Person) -> dict[str, Any]:
    return {"name": p.name, "email": p.email, "role": p.role, "created_at": _iso(p.created_at)}


def history_json(h: History) -> dict[str, Any]:
    return {
        "id": h.id, "at": _iso(h.at), "who": h.who, "what": h.what, "case": h.case_id,
        "ref": h.ref, "why": h.why, "before": h.before, "after": h.after,
    }  # fmt: skip


def _differences(old: model.Order, new: model.Order) -> list[str]:
    """What a changed order file changes, in words, for the clerk to confirm."""
    out: list[str] = []
    for key in ("court", "entered", "issued", "served", "runs_from", "title", "judge", "rules"):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            out.append(f"{key}: {a} -> {b}")
    before = {o.id: o for o in old.obligations}
    after = {o.id: o for o in new.obligations}
    for oid in sorted(after.keys() - before.keys()):
        out.append(f"obligation {oid} added")
    for oid in sorted(before.keys() - after.keys()):
        out.append(f"obligation {oid} removed")
    for oid in sorted(before.keys() & after.keys()):
        a, b = before[oid], after[oid]
        for key in (
            "party",
            "text",
            "cite",
            "kind",
            "due",
            "service",
            "consequence",
            "condition",
            "on",
        ):
            if getattr(a, key) != getattr(b, key):
                av, bv = getattr(a, key), getattr(b, key)
                out.append(f"obligation {oid} {key}: {av} -> {bv}")
    if len(old.amendments) != len(new.amendments) or old.amendments != new.amendments:
        out.append("amendments changed")
    if old.checks != new.checks:
        out.append("checks changed")
    return out

"""Deadline rules on the docket: ``rules apply`` and ``rules changes`` (docs/rules.md).

``apply`` puts a trigger's deadlines on a case as an order of its own (``rules-<trigger>``,
source "rules"), stored as order text like every other order, and records the trigger's date as
the case event named by the trigger's id, in one transaction with the case's recomputation. From
then on the deadlines are ordinary obligations: done, extend, vacate, feeds, reminders and the
history work on them as on any order's, a corrected event moves them, and a later order's
``[[amend]] ... action = "supersede"`` replaces one.

A trigger that happens more than once on a case (interrogatories served again, a second
defendant served on another day) is applied once per occurrence with a label (``--as``): each
occurrence has its own order (``rules-TRIGGER-LABEL``) and event (``TRIGGER-LABEL``), so its
deadlines, corrections and history are its own.

``changes`` lists the duties put on by rule whose rule the data now says differently (a newer
version in force, or the data corrected), with the date each would have, for a person to apply
(``rules apply ... --rules-as-of DATE``) or ignore. Nothing here changes the schema.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from calendars import get_court
from obligations.orderfile import check_orders
from obligations.rules import (
    SOURCE,
    Library,
    check_label,
    check_request,
    choose,
    event_of,
    occurrence_label,
    occurrence_of,
    order_id,
    preview,
    rules_order_text,
)
from obligations.store.db import retrying
from obligations.store.docket import (
    Changes,
    Docket,
    _fact_json,
    _parsed,
    _sha,
    _split,
)
from obligations.store.errors import DocketError, check_name
from obligations.store.tables import Case, Fact, Obligation, OrderVersion

__all__ = ["apply", "changes"]


def apply(
    d: Docket,
    lib: Library,
    case: str,
    trigger: str,
    at: date | datetime,
    *,
    service: str | None = None,
    party: str | None = None,
    court: str | None = None,
    rules_as_of: date | None = None,
    label: str | None = None,
) -> Changes:
    """Put ``trigger``'s deadlines on ``case`` (created in ``court`` if new) and record the
    trigger's date; applied again, a corrected date or method moves them (a new version of the
    order, the event corrected). With a ``label`` (``--as``), one occurrence of a trigger that
    happens more than once on a case: its own order (``rules-TRIGGER-LABEL``), event
    (``TRIGGER-LABEL``), obligations and history; the same label again corrects it."""
    case = check_name(case, "the case")
    lib.trigger(trigger)  # an unknown trigger: NotFound, before anything is opened
    if label is not None:
        label = occurrence_label(label)
        check_label(lib, trigger, label)
    oid, event = order_id(trigger, label), event_of(trigger, label)
    said = f"rules apply {trigger}" + (f" --as {label}" if label else "")
    why = f"rules {trigger} applied" + (f" as {label}" if label else "")

    def work() -> Changes:
        out = Changes()
        with d.db.write() as s:
            existing = s.get(Case, case)
            if court is not None and existing is not None and existing.court != court:
                raise DocketError(
                    f"case {case} is in court {existing.court}, not {court}: leave out --court"
                )
            if existing is None and court is None:
                try:
                    d._case(s, case)  # no such case: says so, with the close ones
                except DocketError as exc:
                    raise DocketError(f"{exc}; give --court to start it") from None
            row = d._lock(s, case, court if existing is None else None)
            assert row is not None
            where = row.court
            check_request(lib, trigger, at, where, service)
            text = rules_order_text(
                lib,
                trigger,
                at,
                where,
                case,
                service,
                rules_as_of=rules_as_of,
                party=party,
                label=label,
            )
            order = _parsed(_sha(text), text, f"rules:{event}")
            orders = d._orders(s, case)
            _check_taken(lib, trigger, label, [o for o in orders if o.id == oid])
            others = [o for o in orders if o.id != order.id]
            check_orders([*others, order])
            out.warnings.extend(_also_set(order, [o for o in others if o.source != SOURCE]))
            d._load_one(s, order, text, True, out)
            day, instant = _split(at, where)
            latest = s.exec(
                select(Fact)
                .where(
                    Fact.kind == "event",
                    Fact.case_id == case,
                    Fact.name == event,
                    Fact.occurrence == "",
                )
                .order_by(col(Fact.id).desc())
            ).first()
            same = (
                latest is not None
                and latest.day == day
                and latest.at == instant
                and (latest.service or None) == (service or None)
            )
            if not same:
                fact = d._fact(
                    s,
                    Fact(
                        kind="event",
                        case_id=case,
                        name=event,
                        day=day,
                        at=instant,
                        service=service or None,
                        note=said,
                    ),
                )
                d._history(
                    s, out, "event recorded", case, None, said, None, _fact_json(fact),
                )  # fmt: skip
            d._recompute(s, case, why, out)
        return out

    return retrying(work)


def _check_taken(lib: Library, trigger: str, label: str | None, same_id: list[Any]) -> None:
    """Refuse an occurrence whose order id the case already has for an order of another kind:
    one loaded from an order file (for a labelled occurrence; without a label, as before, the
    rules' order replaces it), or the rules' order of another trigger's occurrence (the rules
    changed since it was applied)."""
    oid = order_id(trigger, label)
    for o in same_id:
        if o.source != SOURCE:
            if label is None:
                continue
            raise DocketError(
                f"the label '{label}' would make order {oid}, but the case already has an order"
                f" {oid} that was not put on by rules apply: choose another label"
            )
        other, other_label = occurrence_of(
            lib, oid.removeprefix("rules-"), [ob.id for ob in o.obligations]
        )
        if (other, other_label) != (trigger, label):
            whose = f"trigger {other}" + (f" as {other_label}" if other_label else "")
            raise DocketError(
                f"the case already has order {oid} for the deadlines of {whose}"
                + (": choose another label" if label else "")
            )


def _also_set(order: Any, others: list[Any]) -> list[str]:
    """A deadline of the rules that another order of the case also sets (by the same id) and
    does not supersede: said, never decided (an id match may be a coincidence)."""
    mine = {ob.id for ob in order.obligations}
    superseded = {
        (a.order, t)
        for o in others
        for a in o.amendments
        if a.action == "supersede"
        for t in a.targets
    }
    found = []
    for o in others:
        for ob in o.obligations:
            if ob.id in mine and (order.id, ob.id) not in superseded:
                found.append(
                    f"order {o.id} also sets '{ob.id}': if it replaces the rule's deadline, give"
                    f' that order [[amend]] order = "{order.id}", obligation = "{ob.id}",'
                    f' action = "supersede", replacement = "{ob.id}"'
                )
    return found


def changes(d: Docket, lib: Library, case: str | None = None) -> list[dict[str, Any]]:
    """The open duties put on by rule whose rule the data now gives otherwise: each with the
    rule and date it has and the rule and date the current version would give."""
    out: list[dict[str, Any]] = []
    with d.db.read() as s:
        query = select(OrderVersion).where(col(OrderVersion.order_id).startswith("rules-"))
        if case is not None:
            query = query.where(OrderVersion.case_id == check_name(case, "the case"))
        latest: dict[tuple[str, str], OrderVersion] = {}
        for row in s.exec(query.order_by(col(OrderVersion.version))).all():
            latest[(row.case_id, row.order_id)] = row
        for (case_id, oid), row in sorted(latest.items()):
            order = _parsed(row.sha256, row.text, row.path)
            if order.source != SOURCE:
                continue
            name = oid.removeprefix("rules-")  # the occurrence's event
            trigger, label = occurrence_of(lib, name, [ob.id for ob in order.obligations])
            event = s.exec(
                select(Fact)
                .where(
                    Fact.kind == "event",
                    Fact.case_id == case_id,
                    Fact.name == name,
                    Fact.occurrence == "",
                )
                .order_by(col(Fact.id).desc())
            ).first()
            rows = {
                o.obligation_id: o
                for o in s.exec(
                    select(Obligation).where(
                        Obligation.case_id == case_id,
                        Obligation.order_id == oid,
                        col(Obligation.active),
                    )
                ).all()
            }
            at: date | datetime = order.entered
            service = None
            if event is not None and event.day is not None:
                at = event.day
                if event.at is not None:  # a trigger with a time: in the court's time
                    zone = get_court(order.court).zone
                    at = event.at.astimezone(zone).replace(tzinfo=None)
                service = event.service or None
            out.extend(_differences(lib, case_id, order, trigger, label, at, service, rows))
    return out


def _differences(
    lib: Library,
    case: str,
    order: Any,
    trigger: str,
    label: str | None,
    at: date | datetime,
    service: str | None,
    rows: dict[str, Obligation],
) -> list[dict[str, Any]]:
    when = at.isoformat(timespec="minutes") if isinstance(at, datetime) else at.isoformat()
    base = {
        "case": case,
        "order": order.id,
        "trigger": trigger,
        "label": label,
        "event": event_of(trigger, label),
        "trigger_date": when,
    }
    if trigger not in lib.triggers:
        return [
            {
                **base,
                "ref": f"{case}/{order.id}",
                "deadline": None,
                "change": "trigger no longer in the rules",
                "now": None,
                "current": None,
            }
        ]
    current = {
        c.deadline.id: c
        for c in choose(lib, trigger, at, order.court, service, rules_as_of=date.max, label=label)
    }
    then = {c.deadline.id: c for c in choose(lib, trigger, at, order.court, service, label=label)}
    rules_now = {
        ob.id: str(c.due) if (c := current.get(ob.id)) is not None and c.due is not None else None
        for ob in order.obligations
    }
    moved = any(
        rules_now[ob.id] != (str(ob.due) if ob.due is not None else None)
        or (
            (c := current.get(ob.id)) is not None
            and c.version is not None
            and c.version.cite != ob.cite
        )
        for ob in order.obligations
    )
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if moved:  # a chained duty moves with what it counts from, its own rule unchanged
        before = {i.deadline.id: i for i in preview(lib, trigger, at, order.court, service).items}
        after = {
            i.deadline.id: i
            for i in preview(lib, trigger, at, order.court, service, rules_as_of=date.max).items
        }
    found: list[dict[str, Any]] = []
    for ob in order.obligations:
        row = rows.get(ob.id)
        if row is None or row.state in ("done", "vacated", "moot"):
            continue  # settled: nothing to move
        now = {
            "rule": str(ob.due) if ob.due is not None else None,
            "cite": ob.cite,
            "due": row.due.isoformat() if row.due else None,
            "state": row.state,
        }
        c = current.get(ob.id)
        if c is None:
            found.append(
                {
                    **base,
                    "ref": row.ref,
                    "deadline": ob.id,
                    "change": "no longer in the rules",
                    "now": now,
                    "current": None,
                }
            )
            continue
        v = c.version
        same_rule = rules_now[ob.id] == now["rule"] and v is not None and v.cite == ob.cite
        old_item, new_item = before.get(ob.id), after.get(ob.id)
        old_due = old_item.due.due if old_item and old_item.due else None
        new_due = new_item.due.due if new_item and new_item.due else None
        if same_rule and old_due == new_due:
            continue
        older = then.get(ob.id)
        if not same_rule:
            newer = older is not None and older.version is not v
            change = "a newer version of the rule" if newer else "the rule's data changed"
        else:
            change = "counts from a deadline whose rule changed"
        found.append(
            {
                **base,
                "ref": row.ref,
                "deadline": ob.id,
                "change": change,
                "now": now,
                "current": {
                    "rule": rules_now[ob.id],
                    "cite": v.cite if v else None,
                    "effective": v.effective.isoformat() if v and v.effective else None,
                    "due": new_due.isoformat() if new_due else None,
                },
            }
        )
    return found

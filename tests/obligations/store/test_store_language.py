"""The order language of issue 14 in the docket, on SQLite and PostgreSQL: periodic instances
as rows of their own, service recorded with facts, conditions, defaults waiting on a day,
amendments held for an order not loaded, review flags, appearances with an end; and what a
load refuses (a failing check, one order id twice, a control character): nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from obligations.orderfile import OrderFileErrors
from obligations.store.db import Database
from obligations.store.docket import Docket, DocketError
from obligations.store.read import Reader
from obligations.store.tables import History, Obligation, PendingAmendment

from .conftest import Where

HEAD = '[order]\nid = "{id}"\ncase = "lang"\ncourt = "njd"\nentered = {entered}\n'


def order(tmp_path: Path, oid: str, body: str, entered: str = "2025-01-06") -> Path:
    path = tmp_path / f"{oid}.toml"
    path.write_text(HEAD.format(id=oid, entered=entered) + body, encoding="utf-8")
    return path


def duty(oid: str, due: str, extra: str = "") -> str:
    return (
        f'\n[[obligation]]\nid = "{oid}"\nparty = "both"\ntext = "The duty {oid}."\n'
        f'cite = "¶ 1"\ndue = "{due}"\n{extra}'
    )


def rows(db: Database) -> dict[str, Obligation]:
    with db.read() as s:
        return {o.obligation_id: o for o in s.exec(select(Obligation)).all()}


def counts(db: Database) -> dict[str, int]:
    from sqlalchemy import inspect, text

    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


def reader(where: Where) -> Reader:
    return Reader(where.url, schema=where.schema)


def test_each_instance_of_a_series_is_a_row_with_its_own_uid(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    # Mon Mar 3 + 90 = Sun Jun 1 -> Mon Jun 2; + 90 = Sun Aug 31 -> Tue Sep 2 (Labor Day)
    docket.load(
        [order(tmp_path, "stay", duty("report", "by 2025-03-03 and every 90 days thereafter"))]
    )
    first = rows(db)
    assert first["report"].state == "standing"
    assert (first["report#1"].due, first["report#2"].due, first["report#3"].due) == (
        date(2025, 3, 3),
        date(2025, 6, 2),
        date(2025, 9, 2),
    )
    instances = [o for name, o in first.items() if name.startswith("report#")]
    assert len({o.uid for o in instances}) == len(instances) >= 4
    docket.done("report#1", date(2025, 3, 3))
    again = rows(db)
    for name, row in first.items():
        assert again[name].uid == row.uid, name  # stable across recomputation
    assert again["report#1"].state == "done"


def test_service_recorded_with_an_event_is_counted(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    docket.load([order(tmp_path, "brief", duty("reply", "14 days after response"))])
    # Fri Jan 10 + 14 = Fri Jan 24; Fed. R. Civ. P. 6(d), mail: + 3 = Mon Jan 27
    docket.record_event("lang", "response", date(2025, 1, 10), service="mail")
    reply = rows(db)["reply"]
    assert reply.due == date(2025, 1, 27)
    assert any("recorded with response" in c for c in reply.chain)
    with pytest.raises(DocketError, match="pigeon"):
        docket.record_event("lang", "response", date(2025, 1, 10), service="pigeon")


def test_done_with_its_service_method(db: Database, docket: Docket, tmp_path: Path) -> None:
    body = duty("opposition", "on 2025-01-10") + duty("reply", "14 days after opposition")
    docket.load([order(tmp_path, "brief", body)])
    docket.done("opposition", date(2025, 1, 10), service="mail")
    assert rows(db)["reply"].due == date(2025, 1, 27)


def test_a_condition_not_met_makes_its_duties_moot(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    extra = 'condition = "if disputes remain"\ncondition_id = "disputes"\n'
    docket.load([order(tmp_path, "disc", duty("letter", "by 2025-03-14", extra))])
    before = counts(db)
    with pytest.raises(DocketError, match="did you mean disputes"):
        docket.condition("lang", "dispute", "not-met")
    assert counts(db) == before
    docket.condition("lang", "disputes", "not-met", on=date(2025, 3, 1))
    assert rows(db)["letter"].state == "moot"
    docket.condition("lang", "disputes", "met", on=date(2025, 3, 2))
    assert rows(db)["letter"].state == "open"


def test_a_default_waits_and_opens_on_the_day_after_the_due_date(
    db: Database, docket: Docket, tmp_path: Path, where: Where
) -> None:
    body = duty("perfect", "by 2025-11-03") + duty("dismiss", "3 days after perfect.missed")
    docket.load([order(tmp_path, "appeal", body, "2025-09-02")])
    stored = rows(db)["dismiss"]
    assert (stored.state, stored.due, stored.opens_on) == (
        "waiting",
        date(2025, 11, 7),
        date(2025, 11, 4),
    )
    r = reader(where)
    try:
        before, _ = r.upcoming(date(2025, 11, 3), date(2025, 11, 30))
        assert [x.obligation for x in before] == ["perfect"]
        after, _ = r.upcoming(date(2025, 11, 5), date(2025, 11, 30))
        assert {(x.obligation, x.state) for x in after} == {
            ("perfect", "overdue"),
            ("dismiss", "open"),
        }
        waiting, _ = r.upcoming(date(2025, 11, 3), date(2025, 11, 30), states=("waiting",))
        assert [x.obligation for x in waiting] == ["dismiss"]
    finally:
        r.close()
    docket.done("perfect", date(2025, 11, 3))
    assert rows(db)["dismiss"].state == "moot"


def test_an_amendment_of_an_order_not_loaded_is_held_then_applied(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    amend = (
        '\n[[amend]]\norder = "scheduling"\nobligations = "all"\ndue_on_or_after = 2025-03-01\n'
        'action = "extend"\nby = "60 days"\nreason = "All remaining deadlines are extended"\n'
    )
    changes = docket.load([order(tmp_path, "extension", amend, "2025-02-20")])
    assert [h["amends"] for h in changes.held] == ["scheduling"]
    assert [h["amends"] for h in docket.held("lang")] == ["scheduling"]
    body = duty("disclosures", "on 2025-02-03") + duty("experts", "by 2025-03-14")
    changes = docket.load([order(tmp_path, "scheduling", body)])
    assert changes.held == [] and docket.held() == []
    stored = rows(db)
    # Fri Mar 14 + 60 = Tue May 13; Feb 3 is before Mar 1: not reached
    assert (stored["disclosures"].due, stored["experts"].due) == (
        date(2025, 2, 3),
        date(2025, 5, 13),
    )
    with db.read() as s:
        assert s.exec(select(PendingAmendment)).all() == []
        whats = [h.what for h in s.exec(select(History).order_by(col(History.id))).all()]
    assert whats.count("amendment held") == 1 and whats.count("amendment applied") == 1


def test_a_load_whose_check_fails_writes_nothing(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    """issue 13: docs/order-files.md says the loader proves the checks; it did not."""
    body = (
        duty("produce", "14 days after order") + "\n[[check]]\nexpect = { produce = 2025-01-20 }\n"
    )
    before = counts(db)
    with pytest.raises(OrderFileErrors) as info:
        docket.load([order(tmp_path, "bad-check", body)])
    assert counts(db) == before
    [error] = info.value.errors
    assert error.line == 15 and "does not hold" in error.message
    assert "expected due 2025-01-20, computed 2025-01-21" in error.message


def test_two_files_with_one_order_id_in_one_load_are_refused(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    """issue 13: the second was silently not applied."""
    a = order(tmp_path, "same", duty("x", "on 2025-02-03"))
    b = tmp_path / "copy.toml"
    b.write_text(a.read_text(encoding="utf-8").replace("2025-02-03", "2025-02-04"), "utf-8")
    before = counts(db)
    with pytest.raises(OrderFileErrors, match="also the id of"):
        docket.load([a, b])
    assert counts(db) == before
    docket.load([a, a])  # the same file twice is one order
    assert rows(db)["x"].due == date(2025, 2, 3)


def test_a_nul_in_an_order_is_refused_before_the_database(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    """issue 13: a NUL loaded on SQLite and crashed PostgreSQL (DataError)."""
    path = order(tmp_path, "nul", duty("x", "on 2025-02-03").replace("The duty", "The\\u0000duty"))
    before = counts(db)
    with pytest.raises(OrderFileErrors, match="a NUL character"):
        docket.load([path])
    assert counts(db) == before


def test_review_source_text_and_an_appearance_end_are_kept(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    body = duty(
        "hearing",
        "on 2025-02-07 10:00 to 12:00",
        'source_text = "from 10:00 a.m. through 12:00 noon"\n',
    )
    body += '\n[[obligation]]\nid = "soon"\nparty = "both"\ntext = "As soon as practicable."\ncite = "¶ 2"\nreview = "no date is given"\n'
    docket.load([order(tmp_path, "conf", body)])
    stored = rows(db)
    hearing = stored["hearing"]
    assert hearing.end_at is not None and hearing.due_at is not None
    assert (hearing.end_at - hearing.due_at).total_seconds() == 2 * 3600
    assert hearing.source_text == "from 10:00 a.m. through 12:00 noon"
    assert (stored["soon"].state, stored["soon"].waiting_on) == (
        "waiting",
        ["review: no date is given"],
    )
    assert stored["soon"].review == "no date is given"


def test_a_feed_has_each_instance_its_own_uid_and_an_appearance_its_end(
    db: Database, docket: Docket, tmp_path: Path, where: Where
) -> None:
    import icalendar
    import vobject
    from ical.calendar_stream import IcsCalendarStream

    from calendars.ical import problems
    from obligations.feeds import Scope
    from obligations.store.feeds import render

    body = duty("report", "by 2025-03-03 and every 90 days thereafter")
    body += duty("hearing", "on 2025-02-07 10:00 to 12:00")
    extra = 'condition = "if disputes remain"\n'
    body += duty("letter", "by 2025-03-14", extra)
    docket.load([order(tmp_path, "feed", body)])
    docket.condition("lang", "letter", "not-met", on=date(2025, 2, 1))
    r = reader(where)
    try:
        data = render(r, Scope.parse("case:lang"), date(2025, 2, 1)).data
    finally:
        r.close()
    assert problems(data) == []
    strict = IcsCalendarStream.calendar_from_ics(data.decode())  # ical: strict
    loose = vobject.readOne(data.decode(), validate=True)
    lenient = icalendar.Calendar.from_ical(data)
    events = {str(e["SUMMARY"]): e for e in lenient.walk("VEVENT")}
    uids = [str(e["UID"]) for e in lenient.walk("VEVENT")]
    assert len(uids) == len(set(uids)) == len(strict.events) == len(loose.vevent_list)
    stored = rows(db)
    instances = [stored[f"report#{n}"] for n in (1, 2, 3)]
    assert {f"{o.uid}@docketcal" for o in instances} <= set(uids)
    [hearing] = [e for s, e in events.items() if "hearing" in s]
    start, end = hearing["DTSTART"].dt, hearing["DTEND"].dt
    assert (start.hour, end.hour, str(start.tzinfo)) == (10, 12, "America/New_York")
    [letter] = [e for s, e in events.items() if "letter" in s]
    assert str(letter["STATUS"]) == "CANCELLED" and str(letter["SUMMARY"]).startswith("MOOT: ")


def test_reminders_cover_each_instance_and_an_opened_default_not_a_moot_duty(
    db: Database, docket: Docket, tmp_path: Path
) -> None:
    from obligations.reminders import Leads, plan
    from obligations.store import outbox

    body = duty("report", "by 2025-03-03 and every 90 days thereafter")
    body += duty("perfect", "by 2025-03-10") + duty("dismiss", "3 days after perfect.missed")
    docket.load([order(tmp_path, "remind", body)])
    docket.add_person("Ada", "ada@firm.example")
    docket.assign("ada@firm.example", "lang")
    today = date(2025, 3, 11)  # the default happened on Mar 11 (the day after Mon Mar 10)
    items = outbox.open_items(db, today + timedelta(days=366), today)
    refs = {i.ref.rsplit("/", 1)[1] for i in items}
    assert {"report#1", "report#2", "dismiss", "perfect"} <= refs
    sent = plan(items, outbox.assignees(db), Leads(), today)
    due_now = {r.ref.rsplit("/", 1)[1] for r in sent.current.values()}
    # Tue Mar 11 + 3 = Fri Mar 14: 3 days left, the 3-day reminder is due
    assert "dismiss" in due_now and "report#1" in due_now
    docket.done("perfect", date(2025, 3, 10))
    assert rows(db)["dismiss"].state == "moot"
    items = outbox.open_items(db, today + timedelta(days=366), today)
    assert "dismiss" not in {i.ref.rsplit("/", 1)[1] for i in items}

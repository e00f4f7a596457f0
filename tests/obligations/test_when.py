"""The when-language: every form parses to the value it means, prints back, and every mistake
is reported at its column with what was expected."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendars.period import SERVICE_METHODS, Direction, Period, Unit
from obligations.when import (
    Anchor,
    Combined,
    DateAnchor,
    DueAnchor,
    Either,
    Fixed,
    MissedAnchor,
    NamedAnchor,
    OrderAnchor,
    Part,
    Periodic,
    Relative,
    SameDay,
    SimpleAnchor,
    When,
    WhenSyntaxError,
    format_when,
    names,
    parse_period,
    parse_when,
)

ORDER = OrderAnchor()
AFTER = Direction.AFTER
BEFORE = Direction.BEFORE


def rel(
    n: int,
    unit: Unit,
    anchor: Anchor = ORDER,
    direction: Direction = AFTER,
    service: str | None = None,
) -> Relative:
    return Relative(Period(n, unit), direction, anchor, service)


# --- Every form -----------------------------------------------------------------------------

UNITS: list[tuple[str, When]] = [
    ("1 day after order", rel(1, Unit.DAYS)),
    ("2 days after order", rel(2, Unit.DAYS)),
    ("1 days after order", rel(1, Unit.DAYS)),
    ("1 calendar day after order", rel(1, Unit.DAYS)),
    ("10 calendar days after order", rel(10, Unit.DAYS)),
    ("1 court day after order", rel(1, Unit.COURT_DAYS)),
    ("2 court days after order", rel(2, Unit.COURT_DAYS)),
    ("1 hour after order", rel(1, Unit.HOURS)),
    ("72 hours after order", rel(72, Unit.HOURS)),
    ("1 week after order", rel(1, Unit.WEEKS)),
    ("2 weeks after order", rel(2, Unit.WEEKS)),
    ("1 month after order", rel(1, Unit.MONTHS)),
    ("6 months after order", rel(6, Unit.MONTHS)),
    ("1 year after order", rel(1, Unit.YEARS)),
    ("3 years after order", rel(3, Unit.YEARS)),
    ("10000 days after order", rel(10000, Unit.DAYS)),
]

ANCHORS: list[tuple[str, When]] = [
    ("14 days after order", rel(14, Unit.DAYS)),
    ("21 days before hearing", rel(21, Unit.DAYS, NamedAnchor("hearing"), BEFORE)),
    ("14 days after 2013-11-12", rel(14, Unit.DAYS, DateAnchor(date(2013, 11, 12)))),
    (
        "72 hours after 2024-03-08T12:00",
        rel(72, Unit.HOURS, DateAnchor(datetime(2024, 3, 8, 12, 0))),
    ),
    (
        "72 hours after 2024-03-08 12:00",
        rel(72, Unit.HOURS, DateAnchor(datetime(2024, 3, 8, 12, 0))),
    ),
    (
        "72 hours before 2024-03-08t00:00",
        rel(72, Unit.HOURS, DateAnchor(datetime(2024, 3, 8)), BEFORE),
    ),
    ("2 court days after hearing-notice", rel(2, Unit.COURT_DAYS, NamedAnchor("hearing-notice"))),
    ("14 days after return-documents", rel(14, Unit.DAYS, NamedAnchor("return-documents"))),
    ("3 days after step_2b", rel(3, Unit.DAYS, NamedAnchor("step_2b"))),
    ("7 days after opposition.due", rel(7, Unit.DAYS, DueAnchor("opposition"))),
    ("1 day after 30-day-notice", rel(1, Unit.DAYS, NamedAnchor("30-day-notice"))),
]

A, B, C = NamedAnchor("a"), NamedAnchor("b"), NamedAnchor("c")

COMBINATIONS: list[tuple[str, Combined]] = [
    ("14 days after the later of a, b", Combined("later", (A, B))),
    ("14 days after the earlier of a, b", Combined("earlier", (A, B))),
    ("14 days after the later of a and b", Combined("later", (A, B))),
    ("14 days after the later of a,b", Combined("later", (A, B))),
    ("14 days after the earlier of a, b and c", Combined("earlier", (A, B, C))),
    ("14 days after the earlier of a, b, and c", Combined("earlier", (A, B, C))),
    ("14 days after the earlier of a, b, c", Combined("earlier", (A, B, C))),
    ("14 days after the later of a, and b", Combined("later", (A, B))),
    (
        "14 days after the later of order, 2024-03-08 12:00, opposition.due and hearing",
        Combined(
            "later",
            (
                ORDER,
                DateAnchor(datetime(2024, 3, 8, 12, 0)),
                DueAnchor("opposition"),
                NamedAnchor("hearing"),
            ),
        ),
    ),
]

FIXED: list[tuple[str, When]] = [
    ("on 2013-07-15", Fixed(date(2013, 7, 15), None, "on")),
    ("by 2013-07-15", Fixed(date(2013, 7, 15), None, "by")),
    ("by 2013-07-15 17:00", Fixed(date(2013, 7, 15), time(17, 0), "by")),
    ("on 2013-07-15T17:00", Fixed(date(2013, 7, 15), time(17, 0), "on")),
    ("by 2024-02-29 00:00", Fixed(date(2024, 2, 29), time(0, 0), "by")),
    ("on 2013-07-15 23:59", Fixed(date(2013, 7, 15), time(23, 59), "on")),
]

SPELLING: list[tuple[str, When]] = [
    ("14 DAYS AFTER ORDER", rel(14, Unit.DAYS)),
    ("1 Court Day Before Order", rel(1, Unit.COURT_DAYS, ORDER, BEFORE)),
    ("ON 2013-07-15", Fixed(date(2013, 7, 15), None, "on")),
    ("By 2013-07-15T17:00", Fixed(date(2013, 7, 15), time(17, 0), "by")),
    ("14 days after The Later Of a AND b", rel(14, Unit.DAYS, Combined("later", (A, B)))),
    ("7 days after opposition.DUE", rel(7, Unit.DAYS, DueAnchor("opposition"))),
    ("14 days after order With Service By MAIL", rel(14, Unit.DAYS, service="mail")),
    ("  14   days\tafter\n order  ", rel(14, Unit.DAYS)),
    ("0014 days after order", rel(14, Unit.DAYS)),
]


@pytest.mark.parametrize(("text", "expected"), UNITS + ANCHORS + FIXED + SPELLING)
def test_parses_each_form(text: str, expected: When) -> None:
    assert parse_when(text) == expected


@pytest.mark.parametrize(("text", "anchor"), COMBINATIONS)
def test_parses_combinations(text: str, anchor: Combined) -> None:
    assert parse_when(text) == rel(14, Unit.DAYS, anchor)


@pytest.mark.parametrize("method", SERVICE_METHODS)
def test_parses_each_service_method(method: str) -> None:
    when = parse_when(f"21 days before hearing with service by {method}")
    assert when == rel(21, Unit.DAYS, NamedAnchor("hearing"), BEFORE, method)


def test_service_after_a_combination_and_a_date_time() -> None:
    assert parse_when("3 days after the later of a, b with service by mail") == rel(
        3, Unit.DAYS, Combined("later", (A, B)), service="mail"
    )
    assert parse_when("72 hours after 2024-03-08 12:00 with service by fax") == rel(
        72, Unit.HOURS, DateAnchor(datetime(2024, 3, 8, 12, 0)), service="fax"
    )


def test_service_stated_as_none_differs_from_not_stated() -> None:
    stated = parse_when("14 days after order with service by none")
    assert isinstance(stated, Relative)
    assert stated.service == "none"
    assert parse_when("14 days after order") != stated


# --- Canonical text and round trips ---------------------------------------------------------

CANONICAL = [
    ("14 days after order", "14 days after order"),
    ("1 days after order", "1 day after order"),
    ("10 calendar days after order", "10 days after order"),
    ("1 COURT DAY after order", "1 court day after order"),
    ("on 2013-07-15T17:00", "on 2013-07-15 17:00"),
    ("by 2013-07-15", "by 2013-07-15"),
    ("72 hours after 2024-03-08 12:00", "72 hours after 2024-03-08T12:00"),
    ("14 days after the later of a and b", "14 days after the later of a, b"),
    ("14 days after the earlier of a, b, and c", "14 days after the earlier of a, b and c"),
    ("7 days after x.DUE with service by Mail", "7 days after x.due with service by mail"),
]


@pytest.mark.parametrize(("text", "canonical"), CANONICAL)
def test_format_when_writes_canonical_text(text: str, canonical: str) -> None:
    assert format_when(parse_when(text)) == canonical


ALL_FORMS = [text for text, _ in UNITS + ANCHORS + FIXED + SPELLING + COMBINATIONS]


@pytest.mark.parametrize("text", ALL_FORMS)
def test_round_trip_through_format_when(text: str) -> None:
    when = parse_when(text)
    assert parse_when(format_when(when)) == when


UNWRITABLE: list[When] = [
    rel(14, Unit.DAYS, DateAnchor(datetime(2024, 3, 8, 12, 0, 30))),
    rel(14, Unit.DAYS, DateAnchor(datetime(2024, 3, 8, 12, 0, tzinfo=timezone(timedelta(0))))),
    rel(14, Unit.DAYS, NamedAnchor("Hearing")),
    rel(14, Unit.DAYS, NamedAnchor("after")),
    rel(14, Unit.DAYS, NamedAnchor("")),
    rel(14, Unit.DAYS, Combined("later", (A,))),
    rel(14, Unit.DAYS, Combined("later", ())),
    rel(0, Unit.DAYS),
    rel(10001, Unit.DAYS),
    rel(14, Unit.DAYS, service="carrier-pigeon"),
    Fixed(date(2013, 7, 15), time(17, 0, 30), "by"),
]


@pytest.mark.parametrize("when", UNWRITABLE)
def test_format_when_refuses_what_the_language_cannot_say(when: When) -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        format_when(when)


def test_order_anchor_prints_as_order() -> None:
    assert str(OrderAnchor()) == "order"


# --- names() ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 2013-07-15", ()),
        ("14 days after order", ()),
        ("14 days after 2013-11-12", ()),
        ("14 days after return-documents", ("return-documents",)),
        ("7 days after opposition.due", ("opposition",)),
        ("1 day after the later of b, order, a.due, b.due and 2013-01-01", ("b", "a")),
    ],
)
def test_names_lists_each_reference_once(text: str, expected: tuple[str, ...]) -> None:
    assert names(parse_when(text)) == expected


# --- Errors -----------------------------------------------------------------------------------

UNIT_LIST = "a unit (days, court days, hours, weeks, months, years)"
ANCHOR = (
    "an anchor (order, a date, a date-time, a name or NAME.due, "
    "or 'the later of' / 'the earlier of')"
)
SINGLE = "a single anchor (order, a date, a date-time, a name or NAME.due)"
METHODS = (
    "a service method (none, hand, mail, mail-out-of-state, mail-out-of-country, electronic, "
    "overnight, fax, leaving-with-clerk, consented)"
)
START = "'on DATE', 'by DATE' or 'N UNIT after|before ANCHOR'"
DATE = "a date YYYY-MM-DD"
TIME = "a time HH:MM (00:00 to 23:59)"
TAIL = "'with service by METHOD' or end of text"
END = "end of text"

# (text, column, expected, found, hint)
ERRORS: list[tuple[str, int, str, str, str | None]] = [
    # empty
    ("", 1, START, END, None),
    ("   ", 1, START, END, None),
    # the start
    (
        "within 14 days of order",
        1,
        START,
        "'within'",
        "'within 14 days of the order' is written '14 days after order'",
    ),
    ("-3 days after order", 1, START, "'-3'", "a count is a whole number without a sign"),
    ("1.5 days after order", 1, START, "'1.5'", "a count is a whole number without a sign"),
    # counts
    (
        "0 days after order",
        1,
        "a count from 1 to 10000",
        "'0'",
        "a duty due on the day of its anchor is written 'on ANCHOR'",
    ),
    ("10001 days after order", 1, "a count from 1 to 10000", "'10001'", None),
    ("9" * 40 + " days after order", 1, "a count from 1 to 10000", f"'{'9' * 40}'", None),
    # units
    ("14 dayz after order", 4, UNIT_LIST, "'dayz'", "did you mean 'days'?"),
    ("14 business days after order", 4, UNIT_LIST, "'business'", "did you mean 'court days'?"),
    ("14 fortnights after order", 4, UNIT_LIST, "'fortnights'", None),
    ("14 after order", 4, UNIT_LIST, "'after'", None),
    ("14", 3, UNIT_LIST, END, None),
    ("14 day after order", 4, "'days' after a count of 14", "'day'", None),
    ("2 court day after order", 9, "'days' after a count of 2", "'day'", None),
    ("14 court after order", 10, "'days' after 'court'", "'after'", None),
    ("14 calendar weeks after order", 13, "'days' after 'calendar'", "'weeks'", None),
    # direction
    ("14 days", 8, "'after' or 'before'", END, None),
    ("14 days of order", 9, "'after' or 'before'", "'of'", "did you mean 'after'?"),
    ("14 days afer order", 9, "'after' or 'before'", "'afer'", "did you mean 'after'?"),
    # missing or bad anchor
    ("14 days after", 14, ANCHOR, END, None),
    ("14 days after  ", 14, ANCHOR, END, None),
    (
        "14 days after with service by mail",
        15,
        ANCHOR,
        "'with'",
        "'with' is a keyword and cannot be a name",
    ),
    (
        "14 days after Hearing",
        15,
        ANCHOR,
        "'Hearing'",
        "names are lowercase: did you mean 'hearing'?",
    ),
    ("14 days after 7", 15, ANCHOR, "'7'", "a number cannot be a name"),
    ("14 days after , a", 15, ANCHOR, "','", None),
    ("14 days after .due", 15, ANCHOR, "'.due'", None),
    ("14 days after a.b", 15, ANCHOR, "'a.b'", "only '.due' or '.missed' may follow a name"),
    (
        "14 days after café",
        15,
        ANCHOR,
        "'café'",
        "a name is lowercase ASCII letters, digits, '-' and '_'",
    ),
    ("14 days after later of a, b", 15, ANCHOR, "'later'", "did you mean 'the later of'?"),
    # dates and times
    ("on 2013-02-30", 4, DATE, "'2013-02-30'", "the day does not exist: February 2013 has 28 days"),
    (
        "14 days after 2013-02-30",
        15,
        DATE,
        "'2013-02-30'",
        "the day does not exist: February 2013 has 28 days",
    ),
    ("on 2013-04-31", 4, DATE, "'2013-04-31'", "the day does not exist: April 2013 has 30 days"),
    ("on 2013-13-01", 4, DATE, "'2013-13-01'", "there is no month 13"),
    ("on 0000-01-01", 4, DATE, "'0000-01-01'", "there is no year 0"),
    ("on 2013-7-5", 4, DATE, "'2013-7-5'", "did you mean '2013-07-05'?"),
    ("on July 15, 2013", 4, DATE, "'July'", "a date is written YYYY-MM-DD"),
    ("on", 3, DATE, END, None),
    ("by 2013-07-15 25:00", 15, TIME, "'25:00'", None),
    ("by 2013-07-15 12:60", 15, TIME, "'12:60'", None),
    ("on 2013-07-15T25:00", 4, TIME, "'2013-07-15T25:00'", None),
    ("on 2013-07-15T", 4, TIME, "'2013-07-15T'", None),
    ("on 2013-07-15 9:00", 15, TIME, "'9:00'", "did you mean '09:00'?"),
    ("72 hours after 2024-03-08 24:00", 27, TIME, "'24:00'", None),
    # combinations
    (
        "14 days after the later of order",
        33,
        "',' or 'and' and another anchor ('the later of' needs at least two)",
        END,
        None,
    ),
    (
        "14 days after the earlier of order with service by mail",
        36,
        "',' or 'and' and another anchor ('the earlier of' needs at least two)",
        "'with'",
        None,
    ),
    (
        "14 days after the last of a, b",
        19,
        "'later' or 'earlier'",
        "'last'",
        "did you mean 'later'?",
    ),
    ("14 days after the later a, b", 25, "'of'", "'a'", None),
    ("14 days after the later of a, b,", 33, SINGLE, END, None),
    ("14 days after the later of a and", 33, SINGLE, END, None),
    (
        "14 days after the later of the earlier of a, b, c",
        28,
        SINGLE,
        "'the'",
        "combinations do not nest",
    ),
    (
        "14 days after the later of a, b c",
        33,
        f"',' or 'and' and another anchor, {TAIL}",
        "'c'",
        None,
    ),
    (
        "14 days after the later of a, b and c and d",
        39,
        TAIL,
        "'and'",
        "'and' goes only before the last anchor: 'the later of a, b, c and d'",
    ),
    (
        "14 days after order, hearing",
        20,
        TAIL,
        "','",
        "combine anchors with 'the later of a, b' or 'the earlier of a, b'",
    ),
    # service
    ("14 days after order with service by post", 37, METHODS, "'post'", "did you mean 'mail'?"),
    ("14 days after order with service by telegraph", 37, METHODS, "'telegraph'", None),
    ("14 days after order with service by", 36, METHODS, END, None),
    (
        "14 days after order with service by email",
        37,
        METHODS,
        "'email'",
        "did you mean 'electronic'?",
    ),
    (
        "14 days after order with service by leaving with clerk",
        37,
        METHODS,
        "'leaving'",
        "did you mean 'leaving-with-clerk'?",
    ),
    ("14 days after order with service mail", 34, "'by'", "'mail'", None),
    ("14 days after order with mail", 26, "'service'", "'mail'", None),
    (
        "14 days after order with service by mail out of state",
        42,
        END,
        "'out'",
        "did you mean 'mail-out-of-state'?",
    ),
    # trailing text
    ("14 days after order tomorrow", 21, TAIL, "'tomorrow'", None),
    ("14 days after order with service by mail please", 42, END, "'please'", None),
    ("on 2013-07-15 at noon", 15, "a time HH:MM or end of text", "'at'", None),
    ("by 2013-07-15 17:00 sharp", 21, "'to HH:MM' or end of text", "'sharp'", None),
    ("on 2013-07-15 with service by mail", 15, "a time HH:MM or end of text", "'with'", None),
    ("14 days after 7 days after order", 15, ANCHOR, "'7'", "a number cannot be a name"),
]


@pytest.mark.parametrize(("text", "column", "expected", "found", "hint"), ERRORS)
def test_errors_name_the_column_and_what_was_expected(
    text: str, column: int, expected: str, found: str, hint: str | None
) -> None:
    with pytest.raises(WhenSyntaxError) as caught:
        parse_when(text)
    err = caught.value
    assert (err.text, err.column, err.expected, err.found, err.hint) == (
        text,
        column,
        expected,
        found,
        hint,
    )
    message = f"column {column}: expected {expected}, found {found}"
    assert str(err) == (message if hint is None else f"{message} ({hint})")


def test_error_message_reads_as_documented() -> None:
    with pytest.raises(WhenSyntaxError) as caught:
        parse_when("14 dayz after order")
    assert str(caught.value) == (
        "column 4: expected a unit (days, court days, hours, weeks, months, years), "
        "found 'dayz' (did you mean 'days'?)"
    )


def test_unknown_method_lists_every_known_method() -> None:
    with pytest.raises(WhenSyntaxError) as caught:
        parse_when("14 days after order with service by pigeon")
    for method in SERVICE_METHODS:
        assert method in str(caught.value)


def test_syntax_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_when("soon")


# --- The forms of issue 14 (../shared language spec: docs/when-language.md) -------------------

D = date(2025, 3, 3)
SERVICE = NamedAnchor("service")
RULING = NamedAnchor("dispositive-ruling")

ISSUE_14: list[tuple[str, When]] = [
    # a period and a fixed date together
    (
        "120 days after service or by 2025-03-03, whichever is earlier",
        Either((rel(120, Unit.DAYS, SERVICE), Fixed(D, None, "by")), "earlier"),
    ),
    (
        "by 2025-06-06 or 30 days after dispositive-ruling, whichever is later",
        Either((Fixed(date(2025, 6, 6), None, "by"), rel(30, Unit.DAYS, RULING)), "later"),
    ),
    (
        "by 2025-06-06, or 30 days after dispositive-ruling, whichever is later",
        Either((Fixed(date(2025, 6, 6), None, "by"), rel(30, Unit.DAYS, RULING)), "later"),
    ),
    (
        "120 days after service, and in any event by 2025-03-03",
        Either((rel(120, Unit.DAYS, SERVICE), Fixed(D, None, "by")), "earlier", True),
    ),
    (
        "by 2025-06-06, or 30 days after dispositive-ruling once it happens",
        Either((Fixed(date(2025, 6, 6), None, "by"), rel(30, Unit.DAYS, RULING)), "once"),
    ),
    (
        "by 2025-06-06 or 30 days after dispositive-ruling once it happens",
        Either((Fixed(date(2025, 6, 6), None, "by"), rel(30, Unit.DAYS, RULING)), "once"),
    ),
    (
        "on 2025-01-10 or 14 days after a or 7 days after the later of b, c, whichever is later",
        Either(
            (
                Fixed(date(2025, 1, 10), None, "on"),
                rel(14, Unit.DAYS, A),
                rel(7, Unit.DAYS, Combined("later", (B, C))),
            ),
            "later",
        ),
    ),
    (
        "14 days after a with service by mail or by 2025-03-03, whichever is earlier",
        Either((rel(14, Unit.DAYS, A, service="mail"), Fixed(D, None, "by")), "earlier"),
    ),
    # same day
    ("on order", SameDay(ORDER, "on")),
    ("on protective-order", SameDay(NamedAnchor("protective-order"), "on")),
    ("on x.due", SameDay(DueAnchor("x"), "on")),
    ("by opposition.due", SameDay(DueAnchor("opposition"), "by")),
    ("upon receipt", SameDay(NamedAnchor("receipt"), "upon")),
    (
        "Immediately Upon protective-order",
        SameDay(NamedAnchor("protective-order"), "immediately upon"),
    ),
    ("on the later of a, b", SameDay(Combined("later", (A, B)), "on")),
    # periodic duties
    (
        "every 90 days after stay-entered until stay-lifted",
        Periodic(
            Period(90, Unit.DAYS),
            rel(90, Unit.DAYS, NamedAnchor("stay-entered")),
            False,
            NamedAnchor("stay-lifted"),
        ),
    ),
    (
        "every 180 days after order for 4 times",
        Periodic(Period(180, Unit.DAYS), rel(180, Unit.DAYS), False, None, 4),
    ),
    (
        "by 2025-03-01 and every 90 days thereafter until stay-lifted",
        Periodic(
            Period(90, Unit.DAYS),
            Fixed(date(2025, 3, 1), None, "by"),
            True,
            NamedAnchor("stay-lifted"),
        ),
    ),
    (
        "14 days after order and every 1 month thereafter until stay-lifted for 1 time",
        Periodic(Period(1, Unit.MONTHS), rel(14, Unit.DAYS), True, NamedAnchor("stay-lifted"), 1),
    ),
    # default as a trigger; another order's obligation
    ("3 days after perfect-appeal.missed", rel(3, Unit.DAYS, MissedAnchor("perfect-appeal"))),
    (
        "14 days after scheduling/expert-report",
        rel(14, Unit.DAYS, NamedAnchor("scheduling/expert-report")),
    ),
    ("by scheduling/expert-report.due", SameDay(DueAnchor("scheduling/expert-report"), "by")),
    # times
    ("on 2024-01-19 10:00 to 12:00", Fixed(date(2024, 1, 19), time(10), "on", time(12))),
    ("on 2024-01-19 from 10:00 to 12:00", Fixed(date(2024, 1, 19), time(10), "on", time(12))),
    ("on 2024-01-19T10:00 to 12:00", Fixed(date(2024, 1, 19), time(10), "on", time(12))),
]


@pytest.mark.parametrize(("text", "expected"), ISSUE_14)
def test_parses_the_forms_of_issue_14(text: str, expected: When) -> None:
    when = parse_when(text)
    assert when == expected
    assert parse_when(format_when(when)) == when


ISSUE_14_CANONICAL = [
    (
        "by 2025-06-06, or 30 days after x, whichever is later",
        "by 2025-06-06 or 30 days after x, whichever is later",
    ),
    (
        "120 days after service , And In Any Event by 2025-03-03",
        "120 days after service, and in any event by 2025-03-03",
    ),
    (
        "by 2025-06-06 or 30 days after x Once It Happens",
        "by 2025-06-06, or 30 days after x once it happens",
    ),
    ("on 2024-01-19 from 10:00 to 12:00", "on 2024-01-19 10:00 to 12:00"),
    ("EVERY 90 DAYS AFTER order FOR 1 TIME", "every 90 days after order for 1 time"),
    ("3 days after x.MISSED", "3 days after x.missed"),
]


@pytest.mark.parametrize(("text", "canonical"), ISSUE_14_CANONICAL)
def test_the_forms_of_issue_14_print_back_canonically(text: str, canonical: str) -> None:
    assert format_when(parse_when(text)) == canonical


def test_names_of_the_new_forms() -> None:
    when = parse_when("by 2025-03-01 and every 90 days thereafter until stay-lifted")
    assert names(when) == ("stay-lifted",)
    when = parse_when("30 days after a or on b.due or 3 days after c.missed, whichever is later")
    assert names(when) == ("a", "b", "c")


COMBINE_ENDINGS = "', whichever is earlier', ', whichever is later' or 'once it happens'"
COMBINE_HINT = (
    "a rule with 'or' says which date governs: 'A or B, whichever is earlier',"
    " 'A or B, whichever is later' or 'A, or B once it happens'"
)

ISSUE_14_ERRORS: list[tuple[str, int, str, str, str | None]] = [
    # what clerks write
    (
        "30 days after the date of this order",
        19,
        "'later' or 'earlier'",
        "'date'",
        "the order's own date is written 'order': '30 days after order'",
    ),
    (
        "14 days after entry of this order",
        21,
        TAIL,
        "'of'",
        "the order's own date is written 'order': '14 days after order'",
    ),
    ("by 2025-06-06, or 30 days after ruling", 39, COMBINE_ENDINGS, END, COMBINE_HINT),
    (
        "by 2025-06-06 or 30 days after ruling whichever is later",
        39,
        f"'with service by METHOD', 'or', {COMBINE_ENDINGS}",
        "'whichever'",
        "a comma goes before 'whichever'",
    ),
    (
        "a or b, whichever is later",
        1,
        START,
        "'a'",
        None,
    ),
    (
        "14 days after a or 7 days after b, whichever is earliest",
        49,
        "'earlier' or 'later'",
        "'earliest'",
        "did you mean 'earlier'?",
    ),
    (
        "by 2025-01-01 or 14 days after a or 7 days after b once it happens",
        52,
        COMBINE_ENDINGS,
        "'once'",
        "'once it happens' joins two rules: 'A, or B once it happens'",
    ),
    # same day
    (
        "upon 2025-01-01",
        6,
        "an anchor (order, a name, NAME.due, NAME.missed, or 'the later of' / 'the earlier of')",
        "'2025-01-01'",
        "a date is written 'on DATE'",
    ),
    ("on july 4", 4, DATE, "'july'", "a date is written YYYY-MM-DD"),
    ("immediately protective-order", 13, "'upon'", "'protective-order'", None),
    # periodic
    (
        "every 72 hours after x",
        10,
        "a unit a duty repeats in (days, court days, weeks, months, years)",
        "'hours'",
        None,
    ),
    (
        "every 90 days before x",
        15,
        "'after'",
        "'before'",
        "a series runs forward: 'every N UNIT after ANCHOR'",
    ),
    ("every 90 days after x for 4", 28, "'times'", END, None),
    ("every 90 days after x for 1 times", 29, "'time'", "'times'", None),
    (
        "every 90 days after x until",
        28,
        "an anchor that ends the series (order, a date, a date-time, a name or NAME.due)",
        END,
        None,
    ),
    ("every 90 days after x until y weekly", 31, "'for N times' or end of text", "'weekly'", None),
    (
        "by 2025-03-01 and every 90 days",
        32,
        "'thereafter'",
        END,
        "the series counts on from the first date: 'and every N UNIT thereafter'",
    ),
    (
        "14 days after x or every 90 days after y, whichever is later",
        20,
        START,
        "'every'",
        "a series is the whole rule: 'every N UNIT after ANCHOR', not a part of one",
    ),
    # times
    (
        "on 2024-01-19 10:00 to 09:00",
        24,
        "a time after 10:00",
        "'09:00'",
        "an appearance ends after it begins",
    ),
    ("on 2024-01-19 from 10:00", 25, "'to'", END, None),
    ("on 2024-01-19 10:00 to 12:00 sharp", 30, END, "'sharp'", None),
    # names
    ("3 days after x.late", 14, ANCHOR, "'x.late'", "only '.due' or '.missed' may follow a name"),
    (
        "3 days after a/b/c",
        14,
        ANCHOR,
        "'a/b/c'",
        "another order's obligation is written ORDER-ID/OBLIGATION-ID",
    ),
]


@pytest.mark.parametrize(("text", "column", "expected", "found", "hint"), ISSUE_14_ERRORS)
def test_errors_in_the_new_forms_name_the_column(
    text: str, column: int, expected: str, found: str, hint: str | None
) -> None:
    with pytest.raises(WhenSyntaxError) as caught:
        parse_when(text)
    err = caught.value
    assert (err.column, err.expected, err.found, err.hint) == (column, expected, found, hint)


UNWRITABLE_14: list[When] = [
    Either((Fixed(D, None, "by"),), "earlier"),
    Either((Fixed(D, None, "by"), rel(1, Unit.DAYS), rel(2, Unit.DAYS)), "once"),
    Either((Fixed(D, None, "by"), rel(1, Unit.DAYS), rel(2, Unit.DAYS)), "earlier", True),
    Either((Fixed(D, None, "by"), rel(1, Unit.DAYS)), "later", True),
    Periodic(Period(3, Unit.HOURS), rel(3, Unit.HOURS), False),
    Periodic(Period(3, Unit.DAYS), rel(4, Unit.DAYS), False),
    Periodic(Period(3, Unit.DAYS), Fixed(D, None, "on"), False),
    Periodic(Period(3, Unit.DAYS), rel(3, Unit.DAYS), True, None, 0),
    SameDay(DateAnchor(D), "on"),
    Fixed(D, None, "on", time(12)),
    Fixed(D, time(12), "on", time(11)),
    rel(3, Unit.DAYS, MissedAnchor("X")),
    rel(3, Unit.DAYS, NamedAnchor("a/b/c")),
]


@pytest.mark.parametrize("when", UNWRITABLE_14)
def test_format_when_refuses_new_forms_it_cannot_say(when: When) -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        format_when(when)


# --- Properties -------------------------------------------------------------------------------

KEYWORDS = {"order", "on", "by", "after", "before", "with", "the", "later", "earlier"}
KEYWORDS |= {"of", "and", "due", "court", "calendar", "day", "days", "hour", "hours", "week"}
KEYWORDS |= {"weeks", "month", "months", "year", "years"}
KEYWORDS |= {"or", "every", "until", "for", "once", "whichever", "upon", "immediately"}
KEYWORDS |= {"thereafter"}


def is_name(text: str) -> bool:
    """A name per the documented grammar: not a keyword, not a number, not shaped like a date."""
    return not (text in KEYWORDS or text.isdigit() or re.match(r"[0-9]+-[0-9]", text))


name_text = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True).filter(is_name)
minutes = st.builds(time, st.integers(0, 23), st.integers(0, 59))
date_times = st.builds(datetime.combine, st.dates(), minutes)
simple_anchors: st.SearchStrategy[SimpleAnchor] = st.one_of(
    st.just(OrderAnchor()),
    st.builds(DateAnchor, st.one_of(st.dates(), date_times)),
    st.builds(NamedAnchor, name_text),
    st.builds(DueAnchor, name_text),
)
anchors: st.SearchStrategy[Anchor] = st.one_of(
    simple_anchors,
    st.builds(
        Combined,
        st.sampled_from(["later", "earlier"]),
        st.lists(simple_anchors, min_size=2, max_size=5).map(tuple),
    ),
)
relatives = st.builds(
    Relative,
    st.builds(Period, st.integers(1, 10000), st.sampled_from(list(Unit))),
    st.sampled_from(list(Direction)),
    anchors,
    st.one_of(st.none(), st.sampled_from(SERVICE_METHODS)),
)
fixeds = st.builds(Fixed, st.dates(), st.one_of(st.none(), minutes), st.sampled_from(["on", "by"]))


@st.composite
def appearances(draw: st.DrawFn) -> Fixed:
    """A fixed date with a start and a later end time."""
    start = draw(st.builds(time, st.integers(0, 22), st.integers(0, 59)))
    end = draw(minutes.filter(lambda t: t > start))
    return Fixed(draw(st.dates()), start, draw(st.sampled_from(["on", "by"])), end)


# The anchors of issue 14: a default as a trigger, another order's obligation.
more_simple: st.SearchStrategy[SimpleAnchor] = st.one_of(
    simple_anchors,
    st.builds(MissedAnchor, name_text),
    st.builds(lambda o, n: NamedAnchor(f"{o}/{n}"), name_text, name_text),
    st.builds(lambda o, n: DueAnchor(f"{o}/{n}"), name_text, name_text),
)
not_dates = more_simple.filter(lambda a: not isinstance(a, DateAnchor))
same_days = st.builds(
    SameDay,
    st.one_of(
        not_dates,
        st.builds(
            Combined,
            st.sampled_from(["later", "earlier"]),
            st.lists(more_simple, min_size=2, max_size=3).map(tuple),
        ),
    ),
    st.sampled_from(["on", "by", "upon", "immediately upon"]),
)
weekday_units = st.sampled_from([u for u in Unit if u is not Unit.HOURS])
weekdays = st.builds(
    lambda n, unit, anchor, service, day, at: Relative(
        Period(n, unit), AFTER, anchor, service, day, at
    ),
    st.integers(1, 10000),
    weekday_units,
    anchors,
    st.one_of(st.none(), st.sampled_from(SERVICE_METHODS)),
    st.integers(0, 6),
    st.one_of(st.none(), minutes),
)
parts: st.SearchStrategy[Part] = st.one_of(fixeds, appearances(), same_days, relatives, weekdays)
eithers = st.one_of(
    st.builds(
        Either,
        st.lists(parts, min_size=2, max_size=4).map(tuple),
        st.sampled_from(["earlier", "later"]),
    ),
    st.builds(lambda a, b: Either((a, b), "once"), parts, parts),
    st.builds(lambda a, b: Either((a, b), "earlier", in_any_event=True), parts, parts),
)
repeating = st.builds(
    Period, st.integers(1, 10000), st.sampled_from([u for u in Unit if u is not Unit.HOURS])
)
series_end = st.tuples(
    st.one_of(st.none(), more_simple), st.one_of(st.none(), st.integers(1, 10000))
)


@st.composite
def periodics(draw: st.DrawFn) -> Periodic:
    every = draw(repeating)
    until, times = draw(series_end)
    if draw(st.booleans()):
        return Periodic(every, draw(parts), True, until, times)
    first = Relative(every, Direction.AFTER, draw(anchors), None)
    return Periodic(every, first, False, until, times)


whens: st.SearchStrategy[When] = st.one_of(
    fixeds, relatives, same_days, eithers, periodics(), weekdays
)


@given(whens)
def test_format_and_parse_are_inverse(when: When) -> None:
    text = format_when(when)
    assert parse_when(text) == when
    assert format_when(parse_when(text)) == text


VOCABULARY = [
    *["on", "by", "after", "before", "the", "later", "earlier", "of", ",", "and", "order"],
    *["with", "service", "day", "days", "court", "calendar", "hours", "weeks", "months"],
    *["years", "Order", "DAYS", "0", "1", "14", "10001", "-3", "hearing", "x.due", "x.y"],
    *["2013-07-15", "2013-02-30", "0000-01-01", "2024-03-08T12:00", "2013-07-15T", "12:00"],
    *["25:00", "9:00", "9" * 5000],
    *["or", "whichever", "is", "once", "it", "happens", "in", "any", "event", "every"],
    *["thereafter", "until", "for", "times", "upon", "immediately", "to", "from", "x.missed"],
    *["o/x", "o/x.due", "10:00", "12:00"],
    *["monday", "Monday", "friday", "next", "mondy", "sunday"],
    *SERVICE_METHODS,
]
token_soup = st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=5)), max_size=12)


@given(st.one_of(st.text(), token_soup.map(" ".join)))
def test_parse_raises_only_syntax_errors(text: str) -> None:
    try:
        when = parse_when(text)
    except WhenSyntaxError as err:
        assert 1 <= err.column <= len(text) + 1
        return
    assert parse_when(format_when(when)) == when


@pytest.mark.parametrize(
    ("text", "period"),
    [("14 days", Period(14, Unit.DAYS)), ("2 court days", Period(2, Unit.COURT_DAYS))],
)
def test_parse_period_reads_a_period_alone(text: str, period: Period) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize(
    ("text", "column"),
    [("", 1), ("days", 1), ("14", 3), ("14 days after order", 9), ("1 day, and in any event", 6)],
)
def test_parse_period_refuses_anything_more(text: str, column: int) -> None:
    with pytest.raises(WhenSyntaxError) as caught:
        parse_period(text)
    assert caught.value.column == column


# --- The weekday step (Tex. R. Civ. P. 99(b)) -------------------------------------------------

SERVED = NamedAnchor("service")


def wk(n: int, unit: Unit, day: int, at: time | None = None, anchor: Anchor = SERVED) -> Relative:
    return Relative(Period(n, unit), AFTER, anchor, None, day, at)


WEEKDAY_FORMS: list[tuple[str, When]] = [
    ("by 10:00 on the monday after 20 days after service", wk(20, Unit.DAYS, 0, time(10, 0))),
    ("on the monday after 20 days after service", wk(20, Unit.DAYS, 0)),
    ("by the monday after 20 days after service", wk(20, Unit.DAYS, 0)),
    ("on 10:00 on the monday after 20 days after service", wk(20, Unit.DAYS, 0, time(10, 0))),
    ("by 10:00 on the Monday next after 20 days after service", wk(20, Unit.DAYS, 0, time(10, 0))),
    ("BY 10:00 ON THE MONDAY NEXT AFTER 20 DAYS AFTER service", wk(20, Unit.DAYS, 0, time(10, 0))),
    ("on the friday after 2 court days after order", wk(2, Unit.COURT_DAYS, 4, anchor=ORDER)),
    ("on the sunday after 1 week after x.due", wk(1, Unit.WEEKS, 6, anchor=DueAnchor("x"))),
    (
        "on the tuesday after 10 days after 2025-09-03",
        wk(10, Unit.DAYS, 1, anchor=DateAnchor(date(2025, 9, 3))),
    ),
    (
        "on the monday after 20 days after service with service by mail",
        Relative(Period(20, Unit.DAYS), AFTER, SERVED, "mail", 0),
    ),
    (
        "on the monday after 20 days after the later of a, b",
        wk(20, Unit.DAYS, 0, anchor=Combined("later", (NamedAnchor("a"), NamedAnchor("b")))),
    ),
    (
        "on the monday after 20 days after service or by 2025-03-03, whichever is earlier",
        Either((wk(20, Unit.DAYS, 0), Fixed(date(2025, 3, 3), None, "by")), "earlier"),
    ),
    (
        "by 10:00 on the monday after 1 month after order and every 1 month thereafter",
        Periodic(Period(1, Unit.MONTHS), wk(1, Unit.MONTHS, 0, time(10, 0), ORDER), True),
    ),
]


@pytest.mark.parametrize(("text", "expected"), WEEKDAY_FORMS)
def test_parses_the_weekday_step(text: str, expected: When) -> None:
    assert parse_when(text) == expected
    assert parse_when(format_when(expected)) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (
            "by 10:00 on the Monday next after 20 days after service",
            "by 10:00 on the monday after 20 days after service",
        ),
        ("by the monday after 20 days after service", "on the monday after 20 days after service"),
        (
            "on 10:00 on the monday after 20 days after service",
            "by 10:00 on the monday after 20 days after service",
        ),
        ("on the FRIDAY after 1 day after order", "on the friday after 1 day after order"),
    ],
)
def test_the_weekday_step_prints_back_canonically(text: str, canonical: str) -> None:
    assert format_when(parse_when(text)) == canonical


def test_the_weekday_step_keeps_its_names_and_a_monday_is_still_a_name() -> None:
    assert names(parse_when("on the monday after 20 days after service")) == ("service",)
    assert parse_when("14 days after monday") == rel(14, Unit.DAYS, NamedAnchor("monday"))
    assert parse_when("on the later of a, b") == SameDay(
        Combined("later", (NamedAnchor("a"), NamedAnchor("b"))), "on"
    )


WEEKDAY_UNITS = "a unit a weekday rule counts in (days, court days, weeks, months, years)"
WEEKDAY_NAMES = "a day of the week (monday, tuesday, wednesday, thursday, friday, saturday, sunday)"
WEEKDAY_ERRORS = [
    (
        "by 10:00 the monday after 20 days after service",
        10,
        "'on'",
        "'the'",
        "a time of day goes before the day: 'by HH:MM on the WEEKDAY ...'",
    ),
    ("by 10:00 on the", 16, WEEKDAY_NAMES, "end of text", None),
    ("on the mondy after 20 days after x", 8, WEEKDAY_NAMES, "'mondy'", "did you mean 'monday'?"),
    (
        "by 10:00 on the funday after 20 days after x",
        17,
        WEEKDAY_NAMES,
        "'funday'",
        "did you mean 'sunday'?",
    ),
    (
        "on the monday 20 days after x",
        15,
        "'after'",
        "'20'",
        "a weekday rule reads 'on the WEEKDAY after N UNIT after ANCHOR'",
    ),
    (
        "on the monday after service",
        21,
        "a period 'N UNIT after ANCHOR'",
        "'service'",
        "a weekday is found after a period: 'on the monday after 20 days after service'",
    ),
    ("on the monday after 72 hours after x", 24, WEEKDAY_UNITS, "'hours'", None),
    (
        "on the monday after 20 days before x",
        29,
        "'after'",
        "'before'",
        "the weekday follows a period counted forward",
    ),
    ("on the monday after 20 days of x", 29, "'after'", "'of'", "did you mean 'after'?"),
    ("by 25:00 on the monday after 1 day after x", 4, TIME, "'25:00'", None),
    ("by 9:00 on the monday after 1 day after x", 4, TIME, "'9:00'", "did you mean '09:00'?"),
    (
        "on the monday after 0 days after x",
        21,
        "a count from 1 to 10000",
        "'0'",
        "a duty due on the day of its anchor is written 'on ANCHOR'",
    ),
    ("on the monday after 20 days after", 34, ANCHOR, "end of text", None),
    ("on the monday after 20 days after x tomorrow", 37, TAIL, "'tomorrow'", None),
]


@pytest.mark.parametrize(("text", "column", "expected", "found", "hint"), WEEKDAY_ERRORS)
def test_errors_in_the_weekday_step_name_the_column(
    text: str, column: int, expected: str, found: str, hint: str | None
) -> None:
    with pytest.raises(WhenSyntaxError) as caught:
        parse_when(text)
    err = caught.value
    assert (err.column, err.expected, err.found, err.hint) == (column, expected, found, hint)


@pytest.mark.parametrize(
    "when",
    [
        wk(20, Unit.DAYS, 7),  # no eighth day of the week
        wk(20, Unit.HOURS, 0),  # hours have no day to find a weekday after
        Relative(Period(20, Unit.DAYS), BEFORE, SERVED, None, 0),  # a weekday rule counts forward
        wk(20, Unit.DAYS, 0, time(10, 0, 30)),  # seconds
        Relative(Period(20, Unit.DAYS), AFTER, SERVED, None, None, time(10, 0)),  # a time alone
    ],
)
def test_format_when_refuses_weekday_rules_it_cannot_say(when: When) -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        format_when(when)


# The engine computes the weekday step; dates worked by hand on a printed calendar (Texas legal
# holidays: data/holidays/tx.toml; federal: 5 U.S.C. 6103).


def _answer(court: str, rule: str, served: date) -> Any:
    from obligations.engine import schedule
    from obligations.model import Event, Facts, Obligation, Order

    duty = Obligation(
        "answer", "defendant", "Answer.", "Tex. R. Civ. P. 99(b)", due=parse_when(rule)
    )
    order = Order("citation", "c", court, served, obligations=(duty,))
    facts = Facts(events=(Event("c", "service", served, seq=1),))
    (item,) = schedule([order], facts, served).items
    assert item.due is not None, item
    steps = item.due.trace
    assert [s.step for s in steps] == list(range(1, len(steps) + 1))
    assert all(s.rule for s in steps), "every step has its citation"
    return item.due


RULE_99 = "by 10:00 on the monday after 20 days after service"


def test_the_answer_is_due_at_ten_on_the_monday_after_the_twentieth_day() -> None:
    # Wed Sept 3, 2025 + 20 = Tue Sept 23; the next Monday is Sept 29, 10:00 Central (CDT).
    due = _answer("texdistct", RULE_99, date(2025, 9, 3))
    assert due.due == date(2025, 9, 29) and due.safe_due == date(2025, 9, 29)
    assert due.due_at is not None and due.due_at.isoformat() == "2025-09-29T10:00:00-05:00"
    notes = [s.note for s in due.trace]
    assert any("first Monday after Tue 2025-09-23 is Mon 2025-09-29" in n for n in notes), notes
    assert any(s.rule == "Tex. R. Civ. P. 4" for s in due.trace)


def test_a_twentieth_day_that_is_a_monday_gives_the_next_monday() -> None:
    # Tue Sept 2, 2025 + 20 = Mon Sept 22: the Monday next after it is Sept 29 (Sudderth 2011).
    due = _answer("texdistct", RULE_99, date(2025, 9, 2))
    assert due.due == date(2025, 9, 29)
    assert any("itself a Monday" in s.note for s in due.trace)


def test_a_holiday_monday_moves_to_the_next_court_day_keeping_the_time() -> None:
    # Fri Dec 26, 2025 + 20 = Thu Jan 15, 2026; Mon Jan 19 is Martin Luther King, Jr., Day:
    # Tue Jan 20, at 10:00 (CST), with a warning about the time.
    due = _answer("texdistct", RULE_99, date(2025, 12, 26))
    assert due.due == date(2026, 1, 20)
    assert due.due_at is not None and due.due_at.isoformat() == "2026-01-20T10:00:00-06:00"
    assert any("Mon 2026-01-19 is not a court day" in w for w in due.warnings), due.warnings


def test_a_twentieth_day_on_a_sunday_gives_another_reading_never_the_safe_one() -> None:
    # Mon Sept 8, 2025 + 20 = Sun Sept 28: Mon Sept 29; moved first by Rule 4 to Mon Sept 29,
    # the Monday after it would be Oct 6.
    due = _answer("texdistct", RULE_99, date(2025, 9, 8))
    assert [r.due for r in due.readings] == [date(2025, 9, 29), date(2025, 10, 6)]
    assert due.due == due.safe_due == date(2025, 9, 29)
    assert all(r.due_at is not None and r.due_at.hour == 10 for r in due.readings)


def test_a_weekday_without_a_time_is_due_at_the_end_of_the_day_as_the_rule_set_says() -> None:
    # D.N.J.: Mon Jan 6, 2025 + 14 = Mon Jan 20 (Martin Luther King Jr. Day, not moved: it is
    # the period's last day as counted); the Friday after it is Fri Jan 24, a court day.
    # Fed. R. Civ. P. 6(a)(4)(A): the last day ends at midnight, court time (Eastern, EST).
    due = _answer("njd", "on the friday after 14 days after service", date(2025, 1, 6))
    assert due.due == date(2025, 1, 24)
    assert due.due_at is not None and due.due_at.isoformat() == "2025-01-24T23:59:00-05:00"
    assert any("6(a)(4)" in s.rule for s in due.trace), [s.rule for s in due.trace]


def test_the_calculator_refuses_a_weekday_rule_rather_than_give_the_period_end() -> None:
    from calendars import ComputeError
    from obligations.calculator import calculate

    with pytest.raises(ComputeError, match="weekday"):
        calculate("texdistct", "by 10:00 on the monday after 20 days after 2025-09-03")


def test_the_documented_weekday_errors_read_as_the_parser_says() -> None:
    from pathlib import Path

    doc = Path(__file__).parents[2] / "docs" / "when-language.md"
    rows = re.findall(
        r"^\| `((?:on|by) [^`]*mond[^`]*)` \| `(column [^`]*)` \|$",
        doc.read_text(encoding="utf-8"),
        re.M,
    )
    assert len(rows) >= 5, rows
    for text, message in rows:
        with pytest.raises(WhenSyntaxError) as caught:
            parse_when(text)
        assert str(caught.value) == message, text

"""The order-file loader: good files load into the model; every kind of mistake in a real bad
file is reported with its file, line, column and message, all of them at once."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from calendars.period import Direction, Period, Unit
from obligations.model import Amendment, Check, Kind, Obligation, Order
from obligations.orderfile import (
    OrderFileError,
    OrderFileErrors,
    check_orders,
    load_order,
    load_orders,
    order_schema,
    parse_order,
)
from obligations.when import DueAnchor, NamedAnchor, Relative, parse_when

HERE = Path(__file__).parent
GOOD = HERE / "good"
BAD = HERE / "bad"
FIRST = GOOD / "first.toml"
SECOND = GOOD / "second.toml"


def found(err: OrderFileErrors) -> list[str]:
    """Each error as "file-name:line:column: message", in the order reported."""
    return [f"{Path(e.path).name}:{e.line}:{e.column}: {e.message}" for e in err.errors]


def load_errors(*names: str) -> list[str]:
    """The errors of loading bad files: one alone, or several together."""
    paths = [BAD / n if (BAD / n).exists() else GOOD / n for n in names]
    with pytest.raises(OrderFileErrors) as info:
        if len(paths) == 1:
            load_order(paths[0])
        else:
            load_orders(paths)
    return found(info.value)


def parse_errors(text: str) -> list[str]:
    """Each error of an order given as text, as "line:column: message"."""
    with pytest.raises(OrderFileErrors) as info:
        parse_order(text)
    return [f"{e.line}:{e.column}: {e.message}" for e in info.value.errors]


HEAD = """[order]
id = "caed-2013-11-12"
case = "caed-2013-11-12"
court = "caed"
entered = 2013-11-12
"""
KNOWN = "none, hand, mail, mail-out-of-state, electronic"
STATES = "waiting, open, overdue, done, vacated, standing, moot"
OBLIGATION_KEYS = "id, party, text, cite, kind, due, service, summary, consequence, condition, condition_id, review, source_text, rules, on"


# --- Good files -----------------------------------------------------------------------------


def test_a_good_file_loads_into_the_model() -> None:
    order = load_order(FIRST)
    assert (order.id, order.case, order.court, order.entered) == (
        "caed-2013-11-12",
        "caed-2013-11-12",
        "caed",
        date(2013, 11, 12),
    )
    assert (order.runs_from, order.start, order.path) == ("issued", date(2013, 11, 12), str(FIRST))
    assert [(o.id, o.kind, o.line) for o in order.obligations] == [
        ("return-documents", Kind.DEADLINE, 12),
        ("bates-stamp", Kind.DEADLINE, 19),
        ("privilege-log", Kind.DEADLINE, 26),
        ("meet-and-confer", Kind.STANDING, 34),
        ("phone-call-per-request-set", Kind.RECURRING, 41),
    ]
    bates, log, confer, calls = order.obligations[1:]
    assert bates.due == Relative(
        Period(14, Unit.DAYS), Direction.AFTER, NamedAnchor("return-documents"), "mail"
    )
    assert log.due == parse_when("7 days after bates-stamp.due")
    assert log.service == "electronic"
    assert confer.due is None
    assert (calls.on, calls.due) == (
        "discovery-requests-propounded",
        parse_when("30 days after discovery-requests-propounded"),
    )
    assert order.checks == (
        Check(
            given=(("return-documents", date(2013, 11, 25)),),
            expect=(("bates-stamp", "2013-12-12"), ("meet-and-confer", "standing")),
            as_of=date(2013, 11, 20),
            name="documents returned on Nov. 25",
            line=51,
            expect_lines=(55, 55),
        ),
    )


def test_orders_loaded_together_amend_and_refer_to_each_other() -> None:
    first, second = load_orders([FIRST, SECOND])
    assert first.id == "caed-2013-11-12"
    assert second.obligations[0].due == parse_when("7 days after privilege-log.due")
    assert second.amendments == (
        Amendment(
            "caed-2013-11-12",
            "bates-stamp",
            "extend",
            by=Period(14, Unit.DAYS),
            reason="Stipulation granted",
            line=15,
        ),
        Amendment("caed-2013-11-12", "return-documents", "extend", to=date(2013, 12, 10), line=22),
        Amendment(
            "caed-2013-11-12",
            "meet-and-confer",
            "supersede",
            replacement="joint-statement",
            line=28,
        ),
        Amendment("caed-2013-11-12", "phone-call-per-request-set", "vacate", line=34),
    )
    assert second.checks[0].expect == (
        ("caed-2013-11-12/phone-call-per-request-set", "vacated"),
        ("joint-statement", "waiting"),
    )
    check_orders([first, second])  # the same checks again, without the files' text


def test_another_orders_obligation_is_found_only_when_the_orders_are_loaded_together() -> None:
    assert load_errors("second.toml") == [
        "second.toml:13:21: 'privilege-log.due' names no obligation of this order (obligations: joint-statement; one of another order is found only when the orders are loaded together)",
    ]


def test_parse_order_reads_text_and_defaults() -> None:
    order = parse_order(
        HEAD
        + '[[obligation]]\nid = "x"\nparty = "court"\ntext = "t"\ncite = "1"\ndue = "on 2013-12-02"\n'
    )
    assert order.path == "<order>"
    assert (order.runs_from, order.rules, order.title, order.amendments, order.checks) == (
        "entered",
        None,
        "",
        (),
        (),
    )
    assert order.obligations[0].kind is Kind.DEADLINE
    assert order.obligations[0].line == 6


# --- Bad files, one kind of mistake each ----------------------------------------------------

BAD_FILES: dict[str, list[str]] = {
    "toml_syntax.toml": [
        "toml_syntax.toml:6:46: TOML: Illegal character '\\n' (a string in quotes must end on its line; use triple quotes for more lines)",
    ],
    "missing_key.toml": [
        "missing_key.toml:1:1: missing required key 'court' in [order]",
        "missing_key.toml:6:1: missing required key 'cite' in [[obligation]]",
    ],
    "unknown_key.toml": [
        f"unknown_key.toml:13:1: unknown key 'deu' in [[obligation]] (did you mean 'due'?); allowed: {OBLIGATION_KEYS}",
    ],
    "wrong_type.toml": [
        'wrong_type.toml:5:11: entered: expected a TOML date such as 2013-11-12, found the string "2013-11-12" (a date is written without quotes)',
    ],
    "no_such_day.toml": [
        "no_such_day.toml:5:11: TOML: the day does not exist: 2013-02-30 (February 2013 has 28 days)",
    ],
    "unknown_court.toml": [
        "unknown_court.toml:4:9: unknown court 'caedd': expected a courts-db id such as caed, njd, ca9, nysb, tax, calsuperct (run 'docketcal courts' for the list); did you mean caed, waed, vaed, paed?",
    ],
    "unknown_rules.toml": [
        "unknown_rules.toml:6:9: rules: expected one of frcp, frap, frcrp, frbp, tax, rcfc, california, new-jersey, new-york, texas, florida, texas-appellate, california-appellate, florida-appellate, found 'frcrpp' (did you mean 'frcrp'?)",
    ],
    "runs_from_issued.toml": [
        'runs_from_issued.toml:6:13: runs_from = "issued" needs issued = DATE in [order]',
    ],
    "runs_from_served.toml": [
        'runs_from_served.toml:7:15: runs_from = "served" needs served = DATE in [order]',
    ],
    "bad_id.toml": [
        "bad_id.toml:2:6: id: expected lowercase letters, digits, - and _ (starting with a letter or digit), found 'CAED 2013'",
        "bad_id.toml:8:6: id: expected a name a due rule can use (lowercase letters, digits, - and _; not a keyword, a number or a date), found 'Produce-Documents'",
    ],
    "duplicate_id.toml": [
        "duplicate_id.toml:15:6: duplicate obligation id 'produce-documents' (first at line 7)",
    ],
    "bad_kind.toml": [
        "bad_kind.toml:12:8: kind: expected one of deadline, standing, prohibition, recurring, found 'standng' (did you mean 'standing'?)",
    ],
    "deadline_without_due.toml": [
        "deadline_without_due.toml:7:1: a deadline needs due = RULE (or review = WHAT IS UNCLEAR, or kind = standing, prohibition or recurring)",
    ],
    "standing_with_due.toml": [
        "standing_with_due.toml:13:7: a standing obligation has no due rule",
        "standing_with_due.toml:21:7: a prohibition obligation has no due rule",
    ],
    "recurring_without_on.toml": [
        "recurring_without_on.toml:7:1: a recurring obligation needs on = EVENT (the event that starts each instance)",
    ],
    "bad_due.toml": [
        "bad_due.toml:12:14: due rule does not parse: expected a unit (days, court days, hours, weeks, months, years), found 'business' (did you mean 'court days'?)",
    ],
    "unknown_reference.toml": [
        "unknown_reference.toml:19:50: 'oppositon.due' names no obligation of this order (obligations: opposition, reply; one of another order is found only when the orders are loaded together)",
    ],
    "cycle.toml": [
        "cycle.toml:12:21: due rules loop: a -> b -> c -> a",
        "cycle.toml:33:21: due rules loop: d -> d",
    ],
    "service_method.toml": [
        f"service_method.toml:13:11: service method 'fax' is not known to N.J. Court Rules, R. 1:3-1; known: {KNOWN}",
        f"service_method.toml:20:44: service method 'overnight' is not known to N.J. Court Rules, R. 1:3-1; known: {KNOWN}",
    ],
    "amend_action.toml": [
        "amend_action.toml:10:10: action: expected one of extend, vacate, supersede, found 'extnd' (did you mean 'extend'?)",
    ],
    "amend_extend.toml": [
        "amend_extend.toml:7:1: extend needs to = DATE or by = PERIOD",
        "amend_extend.toml:18:6: give either to = DATE or by = PERIOD, not both",
        "amend_extend.toml:24:10: by: expected a unit (days, court days, hours, weeks, months, years), found 'dayz' (did you mean 'days'?)",
    ],
    "amend_supersede.toml": [
        "amend_supersede.toml:14:1: supersede needs replacement = an [[obligation]] id of this order",
        "amend_supersede.toml:23:15: replacement: no obligation 'produce-by-categroy' in this order (obligations: produce-by-category)",
    ],
    "check_unknown.toml": [
        "check_unknown.toml:16:12: expect: no obligation 'bates-stmp' in this order (did you mean 'bates-stamp'?); obligations: bates-stamp",
        f"check_unknown.toml:20:12: expect: expected a date, a date-time or one of {STATES} for 'bates-stamp', found the string \"soon\"",
        f"check_unknown.toml:24:1: expect: expected a date, a date-time or one of {STATES} for 'bates-stamp', found the string \"2013-11-26\" (a date is written without quotes)",
    ],
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_reported_at_each_mistake(name: str) -> None:
    assert load_errors(name) == BAD_FILES[name]


def test_every_error_in_a_file_is_reported_in_line_order() -> None:
    assert load_errors("many_errors.toml") == [
        "many_errors.toml:6:9: judge: expected a string in quotes, found the number 7",
        "many_errors.toml:8:1: missing required key 'cite' in [[obligation]]",
        "many_errors.toml:12:16: due rule does not parse: expected 'after' or 'before', found 'aftr' (did you mean 'after'?)",
        f"many_errors.toml:20:1: unknown key 'consequnce' in [[obligation]] (did you mean 'consequence'?); allowed: {OBLIGATION_KEYS}",
    ]


def test_every_bad_file_has_a_test() -> None:
    together = {"amend_unknown.toml", "cycle_a.toml", "cycle_b.toml", "same_order_id.toml"}
    on_disk = {p.name for p in BAD.glob("*.toml")}
    assert on_disk == set(BAD_FILES) | together | {"many_errors.toml"}


# --- Bad files loaded together --------------------------------------------------------------


def test_a_loop_across_orders_is_named_in_full() -> None:
    assert load_errors("cycle_a.toml", "cycle_b.toml") == [
        "cycle_a.toml:12:22: due rules loop: caed-2014-01-06/opening-brief -> caed-2014-01-20/response-brief -> caed-2014-01-06/opening-brief",
    ]


def test_an_amendment_must_name_obligations_of_the_order_it_amends_once_loaded() -> None:
    load_order(BAD / "amend_unknown.toml")  # alone, the earlier order is not there to check
    # An order not loaded ('caed-2013-11-21') is not an error: the amendment waits for it.
    assert load_errors("first.toml", "amend_unknown.toml") == [
        "amend_unknown.toml:14:14: obligation: order 'caed-2013-11-12' has no obligation 'bates-stmp' (did you mean 'bates-stamp'?); its obligations: return-documents, bates-stamp, privilege-log, meet-and-confer, phone-call-per-request-set",
    ]


def test_two_orders_of_a_case_cannot_share_an_id() -> None:
    assert load_errors("first.toml", "same_order_id.toml") == [
        f"same_order_id.toml:3:6: order id 'caed-2013-11-12' is used twice in case 'caed-2013-11-12' (first in {FIRST})",
    ]


def test_a_check_may_expect_another_orders_obligation_only_if_it_is_loaded() -> None:
    assert load_errors("second.toml", "cycle_a.toml") == [
        "second.toml:13:21: 'privilege-log.due' names no obligation among the orders of case 'caed-2013-11-12' loaded (caed-2013-12-02, caed-2014-01-06)",
        "second.toml:40:12: expect: no obligation 'caed-2013-11-12/phone-call-per-request-set' among the orders of case 'caed-2013-11-12' loaded (caed-2013-12-02, caed-2014-01-06)",
        "cycle_a.toml:12:22: 'response-brief.due' names no obligation among the orders of case 'caed-2013-11-12' loaded (caed-2013-12-02, caed-2014-01-06)",
    ]


def test_a_file_error_stops_the_cross_checks_and_every_files_errors_are_reported() -> None:
    errors = load_errors("bad_kind.toml", "cycle.toml")
    assert [e.split(": ")[0] for e in errors] == [
        "bad_kind.toml:12:8",
        "cycle.toml:12:21",
        "cycle.toml:33:21",
    ]


# --- check_orders without the files ---------------------------------------------------------


def obligation(oid: str, due: str | None = None, **kw: Any) -> Obligation:
    return Obligation(
        oid, "both", "text", "¶ 1", due=None if due is None else parse_when(due), **kw
    )


def test_check_orders_points_at_the_tables_line_without_the_text() -> None:
    amending = load_order(BAD / "amend_unknown.toml")
    with pytest.raises(OrderFileErrors) as info:
        check_orders([load_order(FIRST), amending])
    assert [(e.line, e.column) for e in info.value.errors] == [(12, 1)]


def test_check_orders_follows_order_id_slash_obligation_id_names() -> None:
    """A rule naming ``order-id/obligation-id`` is followed across orders like x.due."""
    a = Order(
        "a",
        "case",
        "caed",
        date(2014, 1, 6),
        path="a.toml",
        obligations=(
            Obligation(
                "x",
                "both",
                "t",
                "1",
                due=Relative(Period(7, Unit.DAYS), Direction.AFTER, NamedAnchor("b/y"), None),
                line=7,
            ),
        ),
    )
    b = Order(
        "b",
        "case",
        "caed",
        date(2014, 1, 7),
        path="b.toml",
        obligations=(obligation("y", "7 days after x.due", line=9),),
    )
    with pytest.raises(OrderFileErrors) as info:
        check_orders([a, b])
    assert found(info.value) == ["a.toml:7:1: due rules loop: a/x -> b/y -> a/x"]
    missing = Order(
        "c",
        "case",
        "caed",
        date(2014, 1, 8),
        path="c.toml",
        obligations=(
            Obligation(
                "z",
                "both",
                "t",
                "1",
                due=Relative(Period(7, Unit.DAYS), Direction.AFTER, DueAnchor("b/nope"), None),
                line=3,
            ),
        ),
    )
    with pytest.raises(OrderFileErrors) as info:
        check_orders([a, b, missing])
    assert (
        found(info.value)[-1]
        == "c.toml:3:1: 'b/nope.due' names no obligation among the orders of case 'case' loaded (a, b, c)"
    )


def test_an_ambiguous_due_reference_across_orders_is_an_error() -> None:
    a = Order(
        "a", "case", "caed", date(2014, 1, 6), obligations=(obligation("x", "on 2014-02-01"),)
    )
    b = Order(
        "b", "case", "caed", date(2014, 1, 7), obligations=(obligation("x", "on 2014-02-02"),)
    )
    c = Order(
        "c", "case", "caed", date(2014, 1, 8), obligations=(obligation("y", "1 day after x.due"),)
    )
    with pytest.raises(OrderFileErrors) as info:
        check_orders([a, b, c])
    assert [e.message for e in info.value.errors] == [
        "'x.due' is ambiguous: 'x' is an obligation of orders a, b"
    ]


def test_orders_of_different_cases_do_not_see_each_other() -> None:
    a = Order("a", "one", "caed", date(2014, 1, 6), obligations=(obligation("x", "on 2014-02-01"),))
    b = Order(
        "a", "two", "caed", date(2014, 1, 7), obligations=(obligation("y", "1 day after x.due"),)
    )
    with pytest.raises(OrderFileErrors, match="names no obligation among the orders of case 'two'"):
        check_orders([a, b])


# --- Positions and messages -----------------------------------------------------------------


def test_an_error_prints_as_path_line_column_message() -> None:
    err = OrderFileError("orders/a.toml", 3, 7, "unknown court 'x'")
    assert (str(err), isinstance(err, ValueError)) == ("orders/a.toml:3:7: unknown court 'x'", True)
    both = OrderFileErrors([err, OrderFileError("b.toml", 1, 1, "m")])
    assert str(both) == "orders/a.toml:3:7: unknown court 'x'\nb.toml:1:1: m"
    assert isinstance(both, ValueError)


def test_the_locator_is_not_fooled_by_strings_comments_and_dotted_keys() -> None:
    text = HEAD + (
        "\n[[obligation]] # the first\n"
        'id = "a"\n'
        "party = 'both'\n"
        'text = """It says:\n[[obligation]]\ndue = "not a key"\n"""\n'
        "cite = '''¶ 1'''\n"
        'due = "on 2013-12-01" # a comment with due = "x"\n'
        "\n[[obligation]]\n"
        'id = "b"   \t\n'
        'party = "both"\ntext = "\\"quoted\\" = 1"\ncite = "¶ 2"\n'
        "\tdue\t=\t'14 dayz after order'\n"
        "\n[[check]]\n"
        "expect.b = 2013-12-01\n"
        'expect."a" = "sometime"\n'
    )
    assert parse_errors(text) == [
        "22:12: due rule does not parse: expected a unit (days, court days, hours, weeks, months, years), found 'dayz' (did you mean 'days'?)",
        f"26:1: expect: expected a date, a date-time or one of {STATES} for 'a', found the string \"sometime\"",
    ]


def test_a_rule_with_escapes_is_reported_at_its_value() -> None:
    text = (
        HEAD
        + '[[obligation]]\nid = "a"\nparty = "both"\ntext = "t"\ncite = "1"\ndue = "14\\u0020dayz after order"\n'
    )
    assert parse_errors(text)[0].startswith("11:7: due rule does not parse")


def test_a_syntax_error_at_the_end_of_the_document_points_past_its_last_character() -> None:
    assert parse_errors(HEAD + "x = { a = 1") == ["6:12: TOML: Unclosed inline table"]


def test_the_file_shape_is_checked() -> None:
    text = '[obligation]\nid = "a"\n\n[orders]\nid = "x"\n'
    assert parse_errors(text) == [
        "1:1: expected one [order] table, found none",
        "1:1: obligation: expected [[obligation]] tables, found a table",
        "4:1: unknown table or key 'orders' (did you mean 'order'?); an order file has [order], [[obligation]], [[amend]] and [[check]]",
    ]


def test_smaller_mistakes_in_obligations_amendments_and_checks() -> None:
    text = HEAD + (
        '\n[[obligation]]\nid = "a"\nparty = "both"\ntext = ""\ncite = "1"\n'
        'due = "on 2013-12-01"\non = "hearing"\n'
        '\n[[obligation]]\nid = "b"\nparty = "both"\ntext = "t"\ncite = "1"\nkind = "recurring"\non = "Hearing"\n'
        '\n[[amend]]\norder = "caed-2013-11-12"\nobligation = "c"\naction = "vacate"\nto = 2013-12-01\n'
        '\n[[check]]\ngiven = { "A" = 2013-11-20, b = "x" }\nexpect = {}\nas_of = 2013-11-20T10:00:00\n'
    )
    assert parse_errors(text) == [
        "10:8: text: expected a non-empty string",
        "13:6: on: only a recurring obligation has 'on'",
        "21:6: on: expected an event name (lowercase letters, digits, - and _), found 'Hearing'",
        "25:14: obligation: no obligation 'c' in this order (obligations: a, b)",
        '27:6: to: only for action = "extend"',
        "30:11: given: expected an obligation id or an event name, found 'A'",
        '30:29: given: expected a date or date-time, { on = DATE, service = "METHOD" }, or "met" / "not-met" for \'b\', found the string "x"',
        "31:10: expect: name at least one obligation",
        "32:9: as_of: expected a TOML date such as 2013-11-12, found the date-time 2013-11-20T10:00:00",
    ]


def test_a_check_may_name_its_own_orders_obligation_with_the_order_id() -> None:
    text = HEAD + (
        '[[obligation]]\nid = "a"\nparty = "both"\ntext = "t"\ncite = "1"\ndue = "on 2013-12-02"\n'
        '[[check]]\nexpect = { "caed-2013-11-12/a" = 2013-12-02 }\n'
        '[[check]]\nexpect = { "caed-2013-11-12/b" = "open" }\n'
    )
    assert parse_errors(text) == ["15:12: expect: no obligation 'b' in this order; obligations: a"]


def test_a_bom_is_accepted_and_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    assert load_order(bom).id == "caed-2013-11-12"
    latin = tmp_path / "latin.toml"
    latin.write_bytes(HEAD.encode() + b'title = "Order of the Tribunal \xe0 Paris"\n')
    with pytest.raises(OrderFileErrors) as info:
        load_order(latin)
    assert found(info.value) == ["latin.toml:6:32: not UTF-8: invalid continuation byte"]


def test_the_service_method_is_checked_against_an_overriding_rule_set() -> None:
    text = HEAD.replace('court = "caed"', 'court = "njsuper"') + (
        'rules = "frcp"\n[[obligation]]\nid = "a"\nparty = "both"\ntext = "t"\ncite = "1"\n'
        'due = "3 days after order with service by fax"\n'
    )
    assert parse_order(text).rules == "frcp"


# --- JSON Schema ----------------------------------------------------------------------------


def walk(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every schema under ``properties`` or ``items``, the ones an editor shows."""
    found = [schema]
    for sub in schema.get("properties", {}).values():
        found += walk(sub)
    if "items" in schema:
        found += walk(schema["items"])
    return found


def test_the_schema_describes_every_property_and_allows_no_other() -> None:
    schema = order_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for sub in walk(schema):
        assert sub.get("title") and sub.get("description"), sub
        if sub.get("type") == "object" and "properties" in sub:
            assert sub["additionalProperties"] is False
    props = schema["properties"]
    assert list(props) == ["order", "obligation", "amend", "check"]
    assert props["order"]["required"] == ["id", "case", "court", "entered"]
    assert props["obligation"]["items"]["required"] == ["id", "party", "text", "cite"]
    assert props["obligation"]["items"]["properties"]["kind"]["enum"] == [
        "deadline",
        "standing",
        "prohibition",
        "recurring",
    ]
    assert props["order"]["properties"]["entered"]["format"] == "date"
    expect = props["check"]["items"]["properties"]["expect"]["additionalProperties"]
    assert {
        "enum": ["waiting", "open", "overdue", "done", "vacated", "standing", "moot"]
    } in expect["anyOf"]


def test_the_schema_knows_every_key_of_the_good_files() -> None:
    props = order_schema()["properties"]
    for path in (FIRST, SECOND):
        data = tomllib.loads(path.read_text())
        assert set(data) <= set(props)
        assert set(data["order"]) <= set(props["order"]["properties"])
        for section in ("obligation", "amend", "check"):
            for table in data.get(section, []):
                assert set(table) <= set(props[section]["items"]["properties"])


def test_the_order_with_every_form_of_issue_14_loads_and_its_check_holds() -> None:
    from obligations.checks import run_checks
    from obligations.when import Either, Periodic, SameDay

    [order] = load_orders([GOOD / "language.toml"])
    assert order.consequence == "A failure to comply may be deemed a waiver."
    by_id = {ob.id: ob for ob in order.obligations}
    assert isinstance(by_id["serve"].due, Either) and by_id["serve"].due.in_any_event
    assert isinstance(by_id["report"].due, Periodic)
    assert isinstance(by_id["same"].due, SameDay)
    assert by_id["motions"].condition_name == "not-settled"
    assert by_id["drafted"].due is None and by_id["drafted"].review == "no date given"
    [amend] = order.amendments
    assert (amend.every, amend.due_on_or_after, amend.targets) == (True, date(2025, 3, 1), ())
    [check] = order.checks
    assert check.service == (("service", "mail"),) and check.conditions == (("not-settled", "met"),)
    assert [r.failures for r in run_checks([order])] == [()]
    assert any("held until it is" in w for w in order.warnings)
    assert any("needs review" in w for w in order.warnings)


def test_a_key_missing_from_a_later_obligation_is_reported_at_that_obligation() -> None:
    text = (
        HEAD
        + '\n[[obligation]]\nid = "a"\nparty = "plaintiff"\ntext = "x"\ncite = "1"\n'
        + 'due = "14 days after entered"\n'
        + '\n[[obligation]]\nid = "b"\ntext = "y"\ncite = "2"\ndue = "14 days after entered"\n'
    )
    assert parse_errors(text) == ["14:1: missing required key 'party' in [[obligation]]"]

"""Intake's fields and the order file: the fields read from the file, the file written back from
the fields (keeping what no field covers), and each error placed at its field; then the same
over HTTP against ``docketcal serve``."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from cli.web.intake import check_order, fields_of, lines_of, place_errors, rebuild

from .conftest import CLERK, NJD, ORDERS, Desk

TEXT = (ORDERS / f"{NJD}.toml").read_text()
AS_OF = date(2013, 7, 10)


def form_of(toml: str, **changes: str) -> dict[str, str]:
    """The form a browser posts for ``toml`` unchanged, with ``changes`` (field names)."""
    draft = fields_of(toml)
    assert draft is not None
    form = {f"order.{k}": v for k, v in draft.order.items()}
    for i, duty in enumerate(draft.duties):
        form.update({f"duty.{i}.{k}": v for k, v in duty.items()})
    form.update(changes)
    return form


def test_the_fields_are_read_from_the_order_file() -> None:
    draft = fields_of(TEXT)
    assert draft is not None
    assert draft.order["id"] == NJD and draft.order["court"] == "njd"
    assert draft.order["entered"] == "2013-07-02" and draft.order["issued"] == ""
    assert [d["id"] for d in draft.duties] == [
        "continue-meet-and-confer", "joint-letter", "no-further-submissions",
        "request-conference",
    ]  # fmt: skip
    letter = draft.duties[1]
    assert letter["due"] == "on 2013-07-15" and letter["kind"] == "deadline"
    assert letter["text"].startswith("ORDERED that if the parties") and "\n\n1. " in letter["text"]
    assert letter["needs_review"] == "" and letter["review"] == ""
    assert draft.comment.startswith("D.N.J. discovery order of July 2, 2013")
    assert fields_of("[order\nid = 1") is None  # not TOML: no fields


def test_unchanged_fields_write_the_same_values_back() -> None:
    draft = fields_of(TEXT)
    assert draft is not None
    toml, errors = rebuild(draft, form_of(TEXT))
    assert errors == {}
    assert tomllib.loads(toml) == tomllib.loads(TEXT)  # [[check]] tables kept too
    assert toml.startswith("# D.N.J. discovery order of July 2, 2013")  # its opening comment
    # keys stay where they stood in the file
    assert toml.index('summary = "file a single') < toml.index('party = "both"\nkind = "deadline"')


def test_edited_fields_are_written_over_the_file() -> None:
    draft = fields_of(TEXT.replace('kind = "prohibition"', 'kind = "prohibition"\nlater = 1'))
    assert draft is not None
    form = form_of(
        TEXT,
        **{
            "duty.1.due": "on 2013-07-16",
            "duty.1.condition": "   ",  # blank: left out
            "order.issued": "2013-07-01",
            "order.served": "July 3",  # not a date: written as a string, for the loader to say
            "duty.0.needs_review": "on",
            "duty.0.review": "which party?",
            "duty.3.text": "line one\r\nline two",
        },
    )
    toml, errors = rebuild(draft, form)
    assert errors == {}
    tables = tomllib.loads(toml)
    duties = tables["obligation"]
    assert duties[1]["due"] == "on 2013-07-16" and "condition" not in duties[1]
    assert tables["order"]["issued"] == date(2013, 7, 1)
    assert tables["order"]["served"] == "July 3"
    assert duties[0]["review"] == "which party?"
    assert duties[2]["later"] == 1  # a key no field covers: kept
    assert duties[3]["text"] == "line one\nline two"
    assert len(tables["check"]) == 4


def test_a_duty_left_out_or_added_and_a_review_with_no_note() -> None:
    draft = fields_of(TEXT)
    assert draft is not None
    toml, _ = rebuild(draft, form_of(TEXT, **{"duty.2.drop": "on"}))
    assert [d["id"] for d in tomllib.loads(toml)["obligation"]] == [
        "continue-meet-and-confer", "joint-letter", "request-conference",
    ]  # fmt: skip
    toml, _ = rebuild(draft, form_of(TEXT), add=True)
    assert tomllib.loads(toml)["obligation"][-1] == {}
    toml, errors = rebuild(draft, form_of(TEXT, **{"duty.1.needs_review": "on"}))
    assert errors == {
        "duty-1-review": ["say what a person must still decide, or clear 'Needs review'"]
    }
    # the flag cleared: the review goes
    flagged = TEXT.replace('id = "joint-letter"', 'id = "joint-letter"\nreview = "which date?"')
    draft = fields_of(flagged)
    assert draft is not None and draft.duties[1]["needs_review"] == "on"
    form = form_of(flagged)
    del form["duty.1.needs_review"]
    toml, _ = rebuild(draft, form)
    assert "review" not in tomllib.loads(toml)["obligation"][1]


def placed(toml: str) -> tuple[dict[str, list[str]], list[str]]:
    review = check_order(toml, AS_OF)
    draft = fields_of(toml)
    assert draft is not None and review.errors
    where = place_errors(toml, review.errors, len(draft.duties))
    return where.at, where.top


def test_each_error_is_shown_at_its_field() -> None:
    at, top = placed(TEXT.replace('due = "on 2013-07-15"', 'due = "fortnight after order"'))
    assert list(at) == ["duty-1-due"] and not top
    assert "due rule does not parse" in at["duty-1-due"][0]
    at, top = placed(TEXT.replace('court = "njd"', 'court = "zzz"'))
    assert list(at) == ["order-court"] and "unknown court 'zzz'" in at["order-court"][0]
    # a missing key is reported at its table's header: shown at the key's field
    at, _ = placed(TEXT.replace('party = "both"\nkind = "deadline"', 'kind = "deadline"'))
    assert "missing required key 'party'" in at["duty-1-party"][0]
    # a key the loader does not know: at its duty, with its line
    at, _ = placed(TEXT.replace('kind = "prohibition"', 'kind = "prohibition"\nlater = 1'))
    assert list(at) == ["duty-2"] and re.match(r"line \d+: ", at["duty-2"][0])
    # an error in a [[check]]: no field, shown above the fields with its line
    at, top = placed(TEXT.replace('expect = { "joint-letter" = 2013-07-15 }', "expect = { x = 1 }"))
    assert not at and top and top[0].startswith("line ")
    assert place_errors(TEXT, [(0, "the database said no")], 4).top == ["the database said no"]


def test_the_lines_of_a_multi_line_string_belong_to_its_key() -> None:
    spots = lines_of(TEXT)
    lines = TEXT.split("\n")
    numbered = lines.index("1. the outstanding discovery request(s);")
    assert spots[numbered] == ("obligation", 1, "text")
    assert spots[lines.index("[order]")] == ("order", 0, "")
    assert spots[lines.index('name = "as of July 16, 2013, no joint letter"')] == (
        "check", 2, "name",
    )  # fmt: skip


NAMES = sorted(form_of(TEXT))


@settings(max_examples=60, deadline=None)
@given(
    changes=st.dictionaries(
        st.sampled_from([*NAMES, "duty.0.drop", "duty.9.due"]),
        st.one_of(
            st.sampled_from(
                [
                    "",
                    "on",
                    "2013-02-30",
                    "2013-07-01",
                    "14 days after order",
                    "joint-letter.due",
                    "deadline",
                    "<b>",
                    "\x00",
                    "\r\n",
                ]
            ),
            st.text(max_size=20),
        ),
        max_size=5,
    ),
    add=st.booleans(),
)
def test_any_fields_make_a_file_that_reads_and_is_checked(
    changes: dict[str, str], add: bool
) -> None:
    draft = fields_of(TEXT)
    assert draft is not None
    toml, _ = rebuild(draft, form_of(TEXT, **changes), add=add)
    again = fields_of(toml)
    assert again is not None  # always TOML
    review = check_order(toml, AS_OF)  # errors, never an exception
    placed = place_errors(toml, review.errors, len(again.duties))
    assert sum(map(len, placed.at.values())) + len(placed.top) == len(review.errors)


# -- over HTTP ---------------------------------------------------------------------------------


def fields_page(desk: Desk, text: str) -> tuple[str, str, dict[str, str]]:
    """The check page of ``text``: its CSRF token, the base the fields were built from, and
    the fields as the browser would post them."""
    status, _, page = desk.request(
        "POST", "/intake/check", {"csrf": desk.csrf("/intake"), "text": text}
    )
    assert status in (200, 400), page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    return page, csrf[1], form_of(text)


def test_fields_posted_are_checked_and_dated_with_errors_at_their_field(desk: Desk) -> None:
    text = TEXT.replace(f'case = "{NJD}"', 'case = "njd-fields"')
    assert desk.sign_in(CLERK) == 303
    page, csrf, form = fields_page(desk, text)
    assert 'id="duty-1-date" for="duty-1-due" aria-live="polite">Mon 2013-07-15</output>' in page
    bad = {**form, "csrf": csrf, "base": text, "action": "recheck"}
    bad["duty.1.due"] = "fortnight after <b>order</b>"
    status, _, page = desk.request("POST", "/intake/confirm", bad)
    assert status == 400
    field = re.search(r'<input id="duty-1-due"[^>]*>', page)
    assert field and 'aria-describedby="duty-1-due-error"' in field[0]
    assert 'aria-invalid="true"' in field[0] and "&lt;b&gt;order&lt;/b&gt;" in field[0]
    assert re.search(r'<div class="why" id="duty-1-due-error"><p>due rule does not parse', page)
    assert "<b>order" not in page
    assert (
        '<a href="#duty-1-due">Duty 2 (joint-letter), Due rule</a>: due rule does not parse' in page
    )
    # the script's endpoint: the same, as data
    status, headers, body = desk.request("POST", "/intake/dates", bad)
    assert status == 200 and headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["ok"] is False and list(answer["errors"]) == ["duty-1-due"]
    assert answer["dates"]["duty-1"] == "not dated until the errors are fixed"
    assert answer["summary"][0][:2] == ["duty-1-due", "Duty 2 (joint-letter), Due rule"]
    good = {**bad, "duty.1.due": "on 2013-07-12"}
    answer = json.loads(desk.request("POST", "/intake/dates", good)[2])
    assert answer["dates"]["duty-1"] == "Fri 2013-07-12" and answer["errors"] == {}
    assert 'due = "on 2013-07-12"' in answer["toml"]
    # no CSRF token, no answer
    assert desk.request("POST", "/intake/dates", {**good, "csrf": "x"})[0] == 403
    # loading fields edited since the check: checked and shown first, nothing loaded
    status, _, page = desk.request("POST", "/intake/confirm", {**good, "action": "confirm"})
    assert "changed since the last check" in page and "Loaded order" not in page
    # unchanged since the check: loaded (the file as it was, comments and all)
    ok = {**form, "csrf": csrf, "base": text, "action": "confirm"}
    status, _, page = desk.request("POST", "/intake/confirm", ok)
    assert status == 200 and "Loaded order" in page and "njd-fields" in page


def test_a_script_in_the_order_is_escaped_in_the_fields(desk: Desk) -> None:
    text = TEXT.replace(f'case = "{NJD}"', 'case = "njd-script-fields"').replace(
        "ORDERED that no further submissions", "<script>alert('x')</script> ORDERED that no"
    )
    assert desk.sign_in(CLERK) == 303
    page, _, _ = fields_page(desk, text)
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert page.count('<script src="/static/intake.js" defer></script>') == 1

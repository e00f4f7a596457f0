"""The rules page (/rules): ``rules preview`` and ``rules apply`` as a form, over HTTP against
``docketcal serve`` (conftest.py)."""

from __future__ import annotations

import html
import json
import re

from tests.cli.web.conftest import ATTORNEY, CAED, CLERK, Desk, docketcal

CASE = CAED  # in court caed
TRIGGER = "frcp-judgment-entered"


def _form(desk: Desk, **values: str) -> dict[str, str]:
    return {"csrf": desk.csrf("/rules"), "case": "", "court": "", "trigger": "", "date": "",
            "time": "", "service": "", "party": "", "label": "", **values}  # fmt: skip


def _at_field(page: str, field: str) -> str:
    """The error text shown under one field."""
    m = re.search(rf'<div class="why" id="{field}-error">(.*?)</div>', page, re.S)
    assert m, f"no error at {field}"
    return html.unescape(re.sub(r"<[^>]+>", " ", m[1])).strip()


def test_signed_out_is_sent_to_login(desk: Desk) -> None:
    status, headers, page = desk.request("GET", "/rules")
    assert status == 303 and headers["location"].startswith("/login")
    assert "Deadlines" not in page
    status, headers, _ = desk.request("POST", "/rules/preview", {"court": "caed"})
    assert status == 303 and headers["location"].startswith("/login")


def test_attorney_previews_but_cannot_apply(desk: Desk) -> None:
    assert desk.sign_in(ATTORNEY) == 303
    status, _, page = desk.request("GET", "/rules")
    assert status == 200 and 'href="/rules"' in page
    status, _, page = desk.request(
        "POST", "/rules/preview", _form(desk, case=CASE, trigger=TRIGGER, date="2013-11-12")
    )
    assert status == 200, page
    assert "Fed. R. App. P. 4(a)(1)(A)" in page
    assert "Put them on the case" not in page
    status, _, page = desk.request(
        "POST", "/rules/apply", _form(desk, case=CASE, trigger=TRIGGER, date="2013-11-12")
    )
    assert status == 403
    assert "rules-" + TRIGGER not in desk.request("GET", f"/case/{CASE}")[2]


def test_csrf_is_required(desk: Desk) -> None:
    assert desk.sign_in(CLERK) == 303
    values = _form(desk, case=CASE, trigger=TRIGGER, date="2013-11-12")
    for path in ("/rules/preview", "/rules/apply"):
        status, _, _ = desk.request("POST", path, {**values, "csrf": "forged"})
        assert status == 403
        without = {k: v for k, v in values.items() if k != "csrf"}
        status, _, _ = desk.request("POST", path, without)
        assert status == 403
    assert "rules-" + TRIGGER not in desk.request("GET", f"/case/{CASE}")[2]


def test_clerk_previews_and_applies(desk: Desk) -> None:
    assert desk.sign_in(CLERK) == 303
    values = _form(desk, case=CASE, trigger=TRIGGER, date="2013-11-12")
    status, _, page = desk.request("POST", "/rules/preview", values)
    assert status == 200, page
    assert "Put them on the case" in page and "<details>" in page
    status, _, page = desk.request("POST", "/rules/apply", values)
    assert status == 200, page
    assert "Put on" in page and f"rules-{TRIGGER}" in page
    refs = re.findall(r'href="/duty/([^"]+)"', page)
    assert refs and all(f"rules-{TRIGGER}" in r for r in refs)
    status, _, case = desk.request("GET", f"/case/{CASE}")
    assert f"rules-{TRIGGER}" in case
    assert "Fed. R. App. P. 4(a)(1)(A)" in case  # each duty with its citation
    assert f'href="/rules?case={CASE}"' in case  # the case page leads to its rules
    status, _, duty = desk.request("GET", f"/duty/{refs[0]}")
    assert "How the date was found" in duty
    assert status == 200
    # the same request again changes nothing; another date shows what moves first
    status, _, page = desk.request("POST", "/rules/apply", values)
    assert status == 200 and "Nothing changed" in page
    moved = {**values, "date": "2013-11-14", "csrf": desk.csrf("/rules")}
    status, _, page = desk.request("POST", "/rules/apply", moved)
    assert status == 200 and "Move them" in page and "2013-11-12" in page
    assert "2013-11-14" not in desk.request("GET", f"/case/{CASE}")[2].split("Facts recorded")[1]
    status, _, page = desk.request("POST", "/rules/apply", {**moved, "confirm": "on"})
    assert status == 200 and "schedule changed" in page, page
    facts = desk.request("GET", f"/case/{CASE}")[2].split("Facts recorded")[1]
    assert "2013-11-14" in facts


def test_bad_input_is_shown_at_its_field(desk: Desk) -> None:
    assert desk.sign_in(CLERK) == 303
    status, _, page = desk.request(
        "POST", "/rules/preview", _form(desk, court="nowhere", trigger=TRIGGER, date="2013-02-30")
    )
    assert status == 400
    assert "nowhere" in _at_field(page, "court")
    assert "is not a date that exists" in _at_field(page, "date")
    status, _, page = desk.request(
        "POST", "/rules/preview",
        _form(desk, court="caed", trigger="ny-summons-delivered", date="2013-11-12"),
    )  # fmt: skip
    assert status == 400
    said = _at_field(page, "trigger")
    assert "does not apply in court 'caed'" in said
    status, _, page = desk.request(
        "POST", "/rules/preview",
        _form(desk, court="caed", trigger=TRIGGER, date="2013-11-12", service="pigeon"),
    )  # fmt: skip
    assert status == 400 and "not known to" in _at_field(page, "service")
    status, _, page = desk.request(
        "POST",
        "/rules/preview",
        _form(desk, case="no-such-case", trigger=TRIGGER, date="2013-11-12"),
    )
    assert status == 400 and "no case" in _at_field(page, "case")
    # escaped: what was typed is shown as text
    status, _, page = desk.request(
        "POST", "/rules/preview", _form(desk, court="<script>x</script>", date="2013-11-12")
    )
    assert "<script>x" not in page and "&lt;script&gt;" in page


def test_a_case_lists_its_courts_triggers(desk: Desk) -> None:
    assert desk.sign_in(ATTORNEY) == 303
    status, _, page = desk.request("GET", f"/rules?case={CASE}")
    assert status == 200
    assert 'value="frcp-judgment-entered"' in page and 'value="ny-summons-delivered"' not in page
    assert "<optgroup" in page
    status, _, page = desk.request("GET", "/rules")
    assert 'value="ny-summons-delivered"' in page  # no court yet: every rule set's


def test_party_and_time_errors_at_their_field(desk: Desk) -> None:
    assert desk.sign_in(ATTORNEY) == 303
    status, _, page = desk.request(
        "POST", "/rules/preview",
        _form(desk, case=CASE, trigger=TRIGGER, date="2013-11-12", party="intervenor"),
    )  # fmt: skip
    assert status == 400 and "is for party" in _at_field(page, "party")
    status, _, page = desk.request(
        "POST", "/rules/preview",
        _form(desk, case=CASE, trigger=TRIGGER, date="2013-11-12", time="25:00"),
    )  # fmt: skip
    assert status == 400 and "25:00" in _at_field(page, "time")
    status, _, page = desk.request(
        "POST",
        "/rules/preview",
        _form(desk, case=CASE, court="njd", trigger=TRIGGER, date="2013-11-12"),
    )
    assert status == 400 and "is in court caed" in _at_field(page, "court")


def test_dates_equal_the_command_line(desk: Desk) -> None:
    assert desk.sign_in(ATTORNEY) == 303
    for court, trigger, when, service in (
        ("caed", TRIGGER, "2013-11-12", ""),
        ("caed", "frcp-complaint-served", "2013-12-20", "mail"),
        ("caed", "frcp-motion-hearing", "2014-01-06", ""),
        ("nysd", "frcp-complaint-served", "2025-01-22", "mail"),  # two readings, a safe date
    ):
        args = ["--format", "json", "rules", "preview", trigger, when, "--court", court]
        if service:
            args += ["--service", service]
        done = docketcal(desk.env, *args)
        assert done.returncode == 0, done.stderr
        cli = json.loads(done.stdout)
        status, _, page = desk.request(
            "POST", "/rules/preview",
            _form(desk, court=court, trigger=trigger, date=when, service=service),
        )  # fmt: skip
        assert status == 200, page
        shown = re.findall(
            r'<li class="deadline" id="deadline-([^"]+)">(.*?)</details>', page, re.S
        )
        assert [i for i, _ in shown] == [d["id"] for d in cli["deadlines"]]
        for (_, block), d in zip(shown, cli["deadlines"], strict=True):
            assert d["cite"] in html.unescape(block)
            if d["due"]:
                assert f"<strong>{_dayname(d['due'])} {d['due']}</strong>" in block
            if d["safe_due"] and d["safe_due"] != d["due"]:
                assert f"safe date {_dayname(d['safe_due'])} {d['safe_due']}" in block
            assert block.count("<li><strong>") == len(d["trace"])
            text = html.unescape(block)
            if len(d["readings"]) > 1:
                for r in d["readings"]:
                    assert f"{_dayname(r['due'])} {r['due']} if {r['assumes']}" in text
            for w in d["warnings"]:
                assert w in text


def _dayname(iso: str) -> str:
    from datetime import date

    return date.fromisoformat(iso).strftime("%a")


def test_two_occurrences_of_one_trigger_each_get_their_deadlines(desk: Desk) -> None:
    """The form's Occurrence is ``rules apply --as``: two sets of interrogatories on one case,
    each its own order; a bad label is refused at its field with nothing written."""
    trigger = "frcp-interrogatories-served"
    assert desk.sign_in(CLERK) == 303
    first = _form(desk, case=CASE, trigger=trigger, date="2013-11-12", label="1st set")
    status, _, page = desk.request("POST", "/rules/apply", first)
    assert status == 200 and f"rules-{trigger}-1st-set" in page, page
    second = _form(desk, case=CASE, trigger=trigger, date="2014-01-06", label="2nd set")
    status, _, page = desk.request("POST", "/rules/apply", second)
    assert status == 200 and f"rules-{trigger}-2nd-set" in page, page
    case = desk.request("GET", f"/case/{CASE}")[2]
    assert f"rules-{trigger}-1st-set" in case and f"rules-{trigger}-2nd-set" in case
    bad = _form(desk, case=CASE, trigger=trigger, date="2014-01-06", label="a/b")
    status, _, page = desk.request("POST", "/rules/apply", bad)
    assert status == 400 and _at_field(page, "label")
    assert "rules-frcp-interrogatories-served-a" not in desk.request("GET", f"/case/{CASE}")[2]

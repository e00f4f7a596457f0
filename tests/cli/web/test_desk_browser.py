"""The desk in a real browser: Debian's Chromium driven by Playwright (launched from its
system path: Playwright cannot download browsers here). Sign in, the agenda, a duty's
explanation, intake of an example order with one edit, a completion that dates its
dependents, subscribing; and the main pages at 360 px wide.

With ``DOCKETCAL_SCREENSHOTS=DIR`` the pages are also saved there (docs/img/ is made so)."""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ATTORNEY, CAED, CLERK, NJD, ORDERS, PASSWORD, Desk, make_docket, start

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
    reason="Debian's chromium is not installed (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Desk]:
    """Only the California order loaded: the New Jersey one is taken in through the page."""
    server = start(make_docket(tmp_path, (CAED,)), tmp_path)
    try:
        yield server
    finally:
        server.stop()


def shot(page: Any, name: str, *, full: bool = True) -> None:
    folder = os.environ.get("DOCKETCAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full)


def sign_in(page: Any, site: Desk, email: str) -> None:
    page.goto(site.base + "/")
    assert page.url == site.base + "/login"
    shot(page, "login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")  # the keyboard alone signs in
    page.wait_for_url(site.base + "/")


def test_sign_in_agenda_and_a_duty_explained(browser: Any, site: Desk) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    sign_in(page, site, ATTORNEY)
    assert page.title() == "Agenda · docketcal desk"
    # the keyboard: the first Tab reaches the skip link, which moves the focus to the page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the page"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    mine = page.locator("section", has=page.get_by_role("heading", name="Yours"))
    assert mine.get_by_role("link", name="produce all responsive documents").count() == 1
    assert "Tue 2013-11-26" in mine.inner_text()
    shot(page, "agenda")
    # filters: one party
    page.get_by_label("Party").fill("defendant")
    page.get_by_role("button", name="Show").click()
    assert "produce all responsive documents" not in mine.inner_text()
    assert "return plaintiff's documents for Bates stamping" in mine.inner_text()
    page.get_by_role("link", name="return plaintiff's documents for Bates stamping").first.click()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "return plaintiff's documents for Bates stamping"
    )
    trace = page.locator("ol.trace li")
    assert trace.count() >= 2 and "Fed. R. Civ. P. 6" in trace.first.inner_text()
    marked = page.locator("pre.order mark")
    assert marked.count() >= 1 and "Bates" in marked.first.inner_text()
    assert page.locator("dl.facts").inner_text().count("Tue 2013-11-26") == 1
    shot(page, "duty")
    page.goto(site.base + "/calendar?month=2013-11")
    assert page.locator("table.calendar a.due").count() >= 5
    assert "Bates stamp the returned documents" in page.locator("aside.waiting").inner_text()
    shot(page, "calendar")
    page.goto(site.base + f"/case/{CAED}")
    assert page.locator("h1").inner_text().startswith(f"Case {CAED}")
    shot(page, "case")
    page.close()


def test_a_completion_dates_its_dependents(browser: Any, site: Desk) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    sign_in(page, site, CLERK)
    page.goto(site.base + "/duty/bates-stamp")
    assert "no date yet" in page.locator("dl.facts").inner_text()
    page.goto(site.base + "/record?kind=done")
    page.get_by_label("Duty (CASE/ORDER/OBLIGATION or a unique end of it)").fill("return-documents")
    page.get_by_label("Done on").fill("2013-11-23")
    page.get_by_role("button", name="Record").click()
    status = page.get_by_role("status").inner_text()
    assert "recorded return-documents done 2013-11-23" in status
    # 14 days after Sat 2013-11-23 is Sat 2013-12-07 -> Mon 2013-12-09 (FRCP 6(a)(1)(C))
    assert "bates-stamp: waiting → open 2013-12-09" in status
    shot(page, "record")
    page.goto(site.base + "/duty/bates-stamp")
    assert "Mon 2013-12-09" in page.locator("dl.facts").inner_text()
    page.close()


def test_intake_of_an_example_order_with_one_edit(browser: Any, site: Desk) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    sign_in(page, site, CLERK)
    page.get_by_role("link", name="Intake").click()
    # the order as pasted has a wrong date: its own check says so
    text = (ORDERS / f"{NJD}.toml").read_text()
    wrong = text.replace('due = "on 2013-07-15"', 'due = "on 2013-07-16"')
    page.locator("#text").fill(wrong)
    page.get_by_role("button", name="Check").click()
    assert "Not ready" in page.locator("#verdict").inner_text()
    assert "FAILED" in page.locator("ul.checks").inner_text()
    letter = page.get_by_role("group", name="Duty 2: joint-letter")
    date = letter.locator("output")
    assert date.inner_text() == "Tue 2013-07-16"
    # one edit of the duty's due rule: the date recomputed as it is edited (the page's script)
    rule = letter.get_by_label("Due rule")
    rule.fill("on 2013-07-15")
    rule.press("Tab")
    expect(date).to_have_text("Mon 2013-07-15")
    expect(page.locator("#verdict-ok")).to_be_visible()  # every check holds now
    # a rule that does not parse: the error at its field, and linked to it
    rule.fill("fortnight after order")
    rule.press("Tab")
    error = page.locator("#duty-1-due-error")
    expect(error).to_contain_text("due rule does not parse")
    assert rule.get_attribute("aria-describedby") == "duty-1-due-error"
    assert rule.get_attribute("aria-invalid") == "true"
    assert page.locator("#top-errors a").all_inner_texts() == ["Duty 2 (joint-letter), Due rule"]
    expect(page.get_by_role("button", name="Load it")).to_be_hidden()
    # the same from the server: "Check again" places the error at the field
    page.get_by_role("button", name="Check again").click()
    expect(page.locator("#duty-1-due-error")).to_contain_text("due rule does not parse")
    letter = page.get_by_role("group", name="Duty 2: joint-letter")
    rule = letter.get_by_label("Due rule")
    assert rule.input_value() == "fortnight after order"
    assert "due rule does not parse" in page.locator("#duty-1-due-error").inner_text()
    assert rule.get_attribute("aria-describedby") == "duty-1-due-error"
    assert "not dated until the errors are fixed" in letter.locator("output").inner_text()
    # fixed, checked again: every check holds, the date recomputed, the TOML agrees
    rule.fill("on 2013-07-15")
    page.get_by_role("button", name="Check again").click()
    expect(page.locator("#verdict-ok")).to_be_visible()
    letter = page.get_by_role("group", name="Duty 2: joint-letter")
    assert letter.locator("output").inner_text() == "Mon 2013-07-15"
    assert 'due = "on 2013-07-15"' in page.locator("#toml").input_value()
    letter.evaluate("duty => duty.scrollIntoView()")
    shot(page, "intake", full=False)
    page.get_by_role("button", name="Load it").click()
    assert f"Loaded order {NJD}" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name=f"case {NJD}").click()
    assert "file a single joint letter on the disputes" in page.locator("main").inner_text()
    # the same order again, changed in the whole file as TOML: the differences first
    page.goto(site.base + "/intake")
    page.locator("#text").fill(text)
    page.get_by_role("button", name="Check").click()
    assert "already loaded" in page.locator("main").inner_text()
    page.get_by_text("Edit the whole order file as TOML").click()
    box = page.get_by_label("The order file (TOML)")
    box.fill(box.input_value().replace("discovery letters", "letters"))
    page.get_by_role("button", name="Check the file as written").click()
    expect(page.locator("#order-title")).not_to_have_value(re.compile("discovery letters"))
    assert page.locator("#order-title").input_value().startswith("Order on the parties' June 28")
    assert "discovery letters" not in page.locator("#order-title").input_value()
    page.get_by_role("button", name="Show the differences").click()
    assert "title" in page.locator("ul.diff").inner_text()
    page.get_by_role("button", name="Record the change").click()
    assert f"Loaded order {NJD}" in page.get_by_role("status").inner_text()
    page.close()


def test_intake_fields_without_javascript_and_at_360_px(browser: Any, site: Desk) -> None:
    """The round trip alone (no script): a due rule edited and loaded at once is dated and
    checked first; a duty left out; the page fits 360 px."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, site, CLERK)
    page.goto(site.base + "/intake")
    page.locator("#text").fill((ORDERS / f"{NJD}.toml").read_text())
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#verdict")).to_contain_text("Every check holds")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the intake page is {width} px wide"
    shot(page, "intake-360", full=False)
    letter = page.get_by_role("group", name="Duty 2: joint-letter")
    letter.get_by_label("Due rule").fill("on 2013-07-16")
    page.get_by_role("button", name="Load it").click()  # changed since checked: not loaded yet
    expect(page.locator(".notice")).to_contain_text("changed since the last check")
    letter = page.get_by_role("group", name="Duty 2: joint-letter")
    assert letter.locator("output").inner_text() == "Tue 2013-07-16"
    assert "FAILED" in page.locator("ul.checks").inner_text()  # the file's examples disagree
    # a duty left out: the examples that name it are errors of no field, shown above them
    page.get_by_role("group", name="Duty 3: no-further-submissions").get_by_label(
        "Leave this duty out"
    ).check()
    page.get_by_role("button", name="Check again").click()
    expect(page.locator("fieldset.duty")).to_have_count(3)
    top = page.locator("#top-errors").inner_text()
    assert "expect: no obligation 'no-further-submissions'" in top and "line " in top
    context.close()


def test_subscribing_gives_a_webcal_and_an_https_link_that_serve(browser: Any, site: Desk) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    sign_in(page, site, ATTORNEY)
    page.get_by_role("link", name="Subscribe").click()
    page.get_by_label("Label (whose calendar, for the list)").fill("Ann's phone")
    page.get_by_role("button", name="Create a feed address").click()
    url = page.get_by_label("The https address to copy").input_value()
    assert url.startswith("https://desk.firm.example/feeds/") and url.endswith(".ics")
    webcal = page.get_by_role("link", name="Open in the calendar app (webcal)").get_attribute(
        "href"
    )
    assert webcal == url.replace("https://", "webcal://")
    shot(page, "subscribe")

    def fetch(address: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
        conn.request("GET", "/feeds/" + address.rsplit("/", 1)[1])
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        return answer.status, body

    status, body = fetch(url)
    assert status == 200 and b"produce all responsive documents" in body
    # rotate: a new address, the old one stops
    page.goto(site.base + "/subscribe")
    page.get_by_role("button", name="New address for feed 1").click()
    rotated = page.get_by_label("The https address to copy").input_value()
    assert rotated != url and fetch(rotated)[0] == 200
    assert fetch(url)[0] == 404
    page.get_by_role("button", name="Revoke feed 2").click()
    assert "revoked" in page.locator("table").inner_text()
    assert fetch(rotated)[0] == 404
    page.close()


@pytest.mark.parametrize(
    "path", ["/", "/calendar?month=2013-11", "/duty/bates-stamp", "/record", "/subscribe"]
)
def test_the_pages_fit_360_px(browser: Any, site: Desk, path: str) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    sign_in(page, site, CLERK)
    page.goto(site.base + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path} is {width} px wide"
    if path == "/":
        shot(page, "agenda-360")
    page.close()


CORPUS = Path(__file__).resolve().parents[2] / "obligations" / "draft" / "corpus"


@pytest.mark.skipif(
    importlib.util.find_spec("obligations.draft") is None,
    reason="the drafter (issue 15) is not installed",
)
def test_intake_drafts_an_order_from_its_text(browser: Any, site: Desk) -> None:
    """The New Jersey order's published text pasted: drafted, shown beside the text with the
    duties' words marked, one edit, loaded."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in(page, site, CLERK)
    page.goto(site.base + "/intake")
    page.get_by_label("Paste the order's text, or an order file (TOML)").fill(
        (CORPUS / f"{NJD}.txt").read_text()
    )
    page.get_by_label("Court id (caed, njd, …)").fill("njd")
    page.get_by_label("Case id").fill("njd-drafted")
    page.get_by_role("button", name="Check").click()
    text = page.locator("section", has=page.get_by_role("heading", name="The order's text"))
    marks = text.locator("mark")
    assert marks.count() >= 2
    assert any("joint letter" in m for m in marks.all_inner_texts())
    drafted = page.locator("#toml").input_value()
    assert 'court = "njd"' in drafted and 'case = "njd-drafted"' in drafted
    assert page.get_by_label("Court", exact=True).input_value() == "njd"
    shot(page, "intake-draft", full=False)
    # one edit: the order's title
    page.get_by_label("Title", exact=True).fill("Order on the discovery letters")
    page.get_by_role("button", name="Check again").click()
    main = page.locator("main").inner_text()
    dates = page.locator("#fields output").all_inner_texts()
    assert "Mon 2013-07-15" in dates, main[:3000]
    assert "Every check holds" in main
    assert 'title = "Order on the discovery letters"' in page.locator("#toml").input_value()
    page.get_by_role("button", name="Load it").click()
    assert f"Loaded order {NJD} in case njd-drafted" in page.get_by_role("status").inner_text()
    page.goto(site.base + "/case/njd-drafted")
    assert "Order on the discovery letters" in page.locator("main").inner_text()
    page.close()


@pytest.mark.skipif(
    importlib.util.find_spec("obligations.draft") is None,
    reason="the drafter (issue 15) is not installed",
)
def test_intake_of_a_pdf_and_a_scan_without_text(browser: Any, site: Desk) -> None:
    pdfs = Path(__file__).resolve().parents[2] / "obligations" / "draft" / "pdfs"
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    sign_in(page, site, CLERK)
    page.goto(site.base + "/intake")
    page.get_by_label("Or choose a file (PDF, text or TOML)").set_input_files(pdfs / "scan.pdf")
    page.get_by_label("Court id (caed, njd, …)").fill("caed")
    page.get_by_role("button", name="Check").click()
    assert "OCR is not supported" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Court id (caed, njd, …)").input_value() == "caed"  # kept
    page.get_by_label("Or choose a file (PDF, text or TOML)").set_input_files(
        pdfs / "caed-pleading.pdf"
    )
    page.get_by_label("Case id").fill("caed-pdf")
    page.get_by_role("button", name="Check").click()
    text = page.locator("section", has=page.get_by_role("heading", name="The order's text"))
    assert any("plaintiff shall produce all" in m for m in text.locator("mark").all_inner_texts())
    assert "produce" in page.locator("#toml").input_value()
    assert page.locator("#fields fieldset.duty").count() >= 1
    page.close()

"""The rules page in a real browser (the launcher and fixtures of test_desk_browser.py): a
clerk previews a trigger's deadlines and puts them on a case, with the keyboard; the page at
360 px wide. ``DOCKETCAL_SCREENSHOTS=DIR`` saves the pages there."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .conftest import CAED, CLERK, Desk
from .test_desk_browser import browser, pytestmark, shot, sign_in, site

__all__ = ["browser", "pytestmark", "site"]  # the fixtures and the skip, shared

TRIGGER = "frcp-judgment-entered"


def _top(page: Any, name: str, height: int) -> None:
    """The top of the whole page (a long preview), saved as ``shot`` saves pages."""
    folder = os.environ.get("DOCKETCAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(Path(folder) / f"{name}.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1200, "height": height},
        )


def _ask(page: Any, date: str) -> None:
    page.locator("#case").fill(CAED)
    page.get_by_label("Trigger: what happened").select_option(TRIGGER)
    page.get_by_label("Its date").fill(date)


def test_preview_and_apply(browser: Any, site: Desk) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    sign_in(page, site, CLERK)
    page.get_by_role("link", name="Rules", exact=True).click()
    assert page.title() == "Rules · docketcal desk"
    # the trigger select is grouped by rule set, with the names a clerk reads
    groups = page.locator("#trigger optgroup")
    assert groups.count() >= 2
    assert (
        page.locator(
            "#trigger optgroup[label^='Federal Rules of Civil'] option", has_text="Judgment entered"
        ).count()
        == 1
    )
    _ask(page, "2013-11-12")
    page.get_by_label("Its date").press("Enter")  # the keyboard alone previews
    page.wait_for_url(site.base + "/rules/preview")
    deadlines = page.locator("li.deadline")
    assert deadlines.count() >= 5
    appeal = page.locator("#deadline-frcp-notice-of-appeal")
    assert "Fed. R. App. P. 4(a)(1)(A)" in appeal.inner_text()
    assert "Thu 2013-12-12" in appeal.locator(".when").inner_text()
    trace = appeal.locator("ol.trace")
    assert not trace.is_visible()  # collapsed
    appeal.locator("summary").focus()
    page.keyboard.press("Enter")
    assert trace.is_visible() and trace.locator("li").count() >= 2
    page.locator("li.deadline summary").first.click()  # the mouse opens one too
    assert page.locator("li.deadline ol.trace").first.is_visible()
    _top(page, "rules", 1250)
    page.get_by_role("button", name="Put them on the case").click()
    page.wait_for_url(site.base + "/rules/apply")
    done = page.locator(".done")
    assert "rules-frcp-judgment-entered" in done.inner_text()
    links = done.locator("a[href^='/duty/']")
    assert links.count() >= 5
    shot(page, "rules-applied")
    links.first.click()
    assert "/duty/" in page.url
    assert "rules-frcp-judgment-entered" in page.locator("p.meta").first.inner_text()
    # a corrected date: what moves is shown first, then moved
    page.goto(site.base + f"/rules?case={CAED}")
    _ask(page, "2013-11-13")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Put them on the case").click()
    assert "moves them" in page.locator("main").inner_text()
    assert "Fri 2013-12-13" in page.locator("table").inner_text()  # the appeal, a day later
    shot(page, "rules-moves")
    page.get_by_role("button", name="Move them").click()
    assert "schedule changed" in page.locator(".done").inner_text()
    page.close()


def test_the_rules_page_fits_360_px(browser: Any, site: Desk) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, site, CLERK)
    page.goto(site.base + "/rules")
    _ask(page, "2013-11-12")
    page.get_by_role("button", name="Preview").click()
    assert page.locator("li.deadline").count() >= 5
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the rules page is {width} px wide"
    page.locator("li.deadline summary").first.click()
    page.evaluate("document.getElementById('preview-h').scrollIntoView()")
    shot(page, "rules-360", full=False)
    context.close()

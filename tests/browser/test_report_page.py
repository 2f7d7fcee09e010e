"""The report in real Chromium: readable on a 320 px phone, and printable as a paper."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from core.reports import periods
from tests.browser.test_browser_journey import screenshot, sign_in
from tests.core.test_reports import IN_PERIOD, known_audits  # noqa: F401 - a fixture
from tests.factories import Borough

try:
    from playwright.sync_api import expect
except ImportError:  # the ``chromium`` fixture skips, or fails in CI
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

VIEWS = ("results", "compare", "trend", "followup")


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.browser
def test_every_report_view_reflows_at_320_css_pixels(
    page: Page,
    known_audits: Borough,  # noqa: F811
) -> None:
    """WCAG 2.2 reflow: no sideways scrolling of the page; wide tables scroll in their box."""
    sign_in(page, "senior@test.example")
    page.set_viewport_size({"width": 320, "height": 900})
    quarter = periods.quarter_of(IN_PERIOD).key
    for view in VIEWS:
        page.goto(f"/reports/?view={view}&period={quarter}&scope=team-{known_audits.north.id}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page_width(page) <= 320, f"{view} is {page_width(page)} px wide"
        for box in page.locator(".careaudit-table-scroll").all()[:5]:
            assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
        if view == "trend":  # the charts shrink to the screen
            expect(page.locator("figure svg").first).to_be_visible()
            screenshot(page, "report-trend-320")


@pytest.mark.browser
def test_the_report_prints_without_menus_or_filters(
    page: Page,
    known_audits: Borough,  # noqa: F811
) -> None:
    sign_in(page, "senior@test.example")
    page.goto(f"/reports/?view=compare&scope=team-{known_audits.north.id}")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Show report")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Report views")).to_be_hidden()
    expect(page.locator("table").first).to_be_visible()

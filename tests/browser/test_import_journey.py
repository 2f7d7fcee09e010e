"""An administrator imports staff in real Chromium: upload, see what would change, import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.test_browser_journey import nav_link, screenshot, sign_in
from tests.factories import Borough

try:
    from playwright.sync_api import expect
except ImportError:  # the ``chromium`` fixture skips, or fails in CI
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

STAFF = (
    "Email,Name,Role,Team,Active\r\n"
    "nia.owusu@test.example,Nia Owusu,Social worker,CIN North,Yes\r\n"
    "not-an-email,Leo Hart,Social worker,CIN South,Yes\r\n"
    "rae.lind@test.example,Rae Lind,Team manager,CIN South,Yes\r\n"
)


@pytest.mark.browser
def test_an_administrator_checks_then_imports_a_staff_file(
    page: Page, borough: Borough, tmp_path: Path
) -> None:
    """The check comes first and names the bad row; the valid rows are imported on request."""
    staff = tmp_path / "hr-extract.csv"
    staff.write_text(STAFF, encoding="utf-8")
    sign_in(page, "admin@test.example")

    nav_link(page, "Imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")
    page.get_by_role("link", name="Import staff").click()
    page.locator('input[type="file"]').set_input_files(staff)
    page.get_by_role("button", name="Upload and check").click()

    # The check (a background job) shows what would change, and the problem row.
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    expect(page.get_by_role("heading", name="What would change")).to_be_visible()
    problems = page.locator("table").filter(has_text="Problem")
    expect(problems).to_contain_text("not-an-email")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("button", name="Import", exact=True)).to_have_count(0)
    screenshot(page, "import-checked")

    page.get_by_role("button", name="Import the 2 valid rows").click()
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    expect(page.locator("main .govuk-tag").first).to_have_text("Imported")

    # The new staff are there, and the run is listed on the Imports page.
    page.goto("/admin/users")
    expect(page.get_by_text("Nia Owusu")).to_be_visible()
    expect(page.get_by_text("Rae Lind")).to_be_visible()
    expect(page.get_by_text("Leo Hart")).to_have_count(0)
    nav_link(page, "Imports").click()
    expect(page.locator("table")).to_contain_text("hr-extract.csv")
    screenshot(page, "imports-list")

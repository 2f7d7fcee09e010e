"""A team manager's audit, start to report, in real Chromium with CSRF protection on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.factories import PASSWORD, Borough

try:
    from playwright.sync_api import expect
except ImportError:  # the ``chromium`` fixture skips, or fails in CI
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

SCREENSHOTS = Path("/tmp/careaudit-shots")
NOT_APPLICABLE_FOR_CHILD_IN_NEED = (6, 10)  # both are for looked-after children
STANDARD_6_ITEMS = ("standard_6_pep", "standard_6_health", "standard_6_sdq")


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def nav_link(page: Page, label: str) -> Locator:
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=label)


def radio(page: Page, name: str, value: str) -> Locator:
    return page.locator(f'input[name="{name}"][value="{value}"]')


def count_cell(report: Locator, question: str, rating: str) -> Locator:
    """A standard's count of files with the rating, in the report's standards table."""
    return report.locator(f'tr[data-question="{question}"] td[data-rating="{rating}"]')


def summary_row(page: Page, key: str) -> Locator:
    """The row of a GOV.UK summary list whose key is exactly ``key``."""
    return page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt").get_by_text(key, exact=True)
    )


def expect_csrf_enforced(page: Page) -> None:
    """A form post without the token is refused, so every successful post carried one."""
    response = page.request.post(
        "/sign-in", form={"email": "team_manager@test.example", "password": PASSWORD}
    )
    assert response.status == 400
    assert "Your page has expired" in response.text()


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def open_case(page: Page, reference: str) -> None:
    nav_link(page, "Find a case").click()
    page.get_by_label("Case reference").fill(reference)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"[?&]q={reference}\b"))
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def task(page: Page, name: str) -> Locator:
    """A row of the task list, found by its section's name."""
    return page.locator(".govuk-task-list__item").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )


def expect_status(page: Page, name: str, status: str) -> None:
    expect(task(page, name).locator(".govuk-task-list__status")).to_have_text(status)


def rate_standard(page: Page, number: int, rating: str) -> None:
    """Rate the standard on its section page and save it with "Save and continue"."""
    expect(page).to_have_url(re.compile(rf"/sections/standard_{number}(#.*)?$"))
    if number in NOT_APPLICABLE_FOR_CHILD_IN_NEED:
        expect(radio(page, f"standard_{number}", "not_applicable")).to_be_checked()
        if number == 6:
            for item in STANDARD_6_ITEMS:
                radio(page, item, "not_applicable").check()
    else:
        radio(page, f"standard_{number}", rating).check()
        page.locator(f"#standard_{number}__comment").fill(f"Evidence for standard {number}.")
    page.get_by_role("button", name="Save and continue").click()


@pytest.mark.browser
def test_team_manager_audits_a_case_in_the_browser(page: Page, borough: Borough) -> None:
    """Sign in, find a child-in-need case, start its audit, follow the task list through
    every section, see what still stops the audit (typed text kept), submit it from
    check your answers, find it in the report, sign out.

    Every form post goes through the real pages with CSRF protection switched on.
    """
    expect_csrf_enforced(page)
    sign_in(page, "team_manager@test.example")
    open_case(page, "C100001")

    start = page.get_by_role("button", name=re.compile(r"^Start the "))
    expect(start).to_have_text("Start the children’s case file audit")
    start.click()
    expect(page).to_have_url(re.compile(r"/audits/\d+/edit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Children’s Social Work Audit Form")
    expect(page.locator("#progress")).to_have_text("You have completed 0 of 14 sections.")
    expect_status(page, "Standard 1", "Not yet started")
    expect(task(page, "Check your answers and submit the audit")).to_contain_text(
        "Cannot submit yet"
    )
    screenshot(page, "task-list")

    # The last section first: a draft saved with only the strengths written.
    page.get_by_role("link", name="Standard 14", exact=True).click()
    page.locator("#strengths").fill("Child seen alone at every visit.")
    page.get_by_role("button", name="Save and go back to the task list").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Standard 14: your answers have been saved."
    )
    expect_status(page, "Standard 14", "Incomplete")

    # Check your answers, early: what still stops the audit, and no Submit button.
    page.get_by_role("link", name="Check your answers and submit the audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting the audit"
    )
    still_to_do = page.locator("#still-to-do")
    expect(still_to_do).to_contain_text("You cannot submit the audit yet")
    links = still_to_do.get_by_role("link")
    # The message quotes the standard's words, not only its number.
    standard_1 = "Select whether standard 1 (Is there an up to date chronology on file?) is met"
    expect(links.filter(has_text=standard_1)).to_have_count(1)
    expect(links.filter(has_text="Enter the areas for development")).to_have_count(1)
    expect(links.filter(has_text="areas of strength")).to_have_count(0)
    expect(summary_row(page, "Areas of strength")).to_contain_text(
        "Child seen alone at every visit."
    )
    expect(page.get_by_role("button", name="Submit audit")).to_have_count(0)
    screenshot(page, "check-answers-incomplete")

    # A problem's link opens its section at the question.
    links.filter(has_text=standard_1).click()
    expect(page).to_have_url(re.compile(r"/sections/standard_1#standard_1$"))

    # Every standard partially met suggests Partially met, Adequate; "Save and continue"
    # walks the sections in order, then on to check your answers.
    for number in range(1, 14):
        rate_standard(page, number, "partially_met")
    expect(page).to_have_url(re.compile(r"/sections/standard_14$"))
    expect(page.locator("#suggestion")).to_contain_text(
        "Overall rating Partially met, grade Adequate"
    )
    expect(page.locator("#strengths")).to_have_value("Child seen alone at every visit.")
    radio(page, "overall_rating", "partially_met").check()
    radio(page, "overall_grade", "adequate").check()
    page.locator("#areas_for_development").fill("Update the chronology.")
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_url(re.compile(r"/audits/\d+/check$"))
    expect(page.locator("#still-to-do")).to_have_count(0)
    expect(summary_row(page, "Areas for development")).to_contain_text("Update the chronology.")
    screenshot(page, "check-answers")
    page.get_by_role("button", name="Submit audit").click()

    expect(page).to_have_url(re.compile(r"/audits/\d+/submitted$"))
    expect(page.locator(".govuk-panel__title")).to_have_text("Audit submitted")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    screenshot(page, "confirmation")
    page.get_by_role("link", name="Read the submitted audit").click()
    expect(page.get_by_role("heading", name="Outcome")).to_be_visible()
    expect(summary_row(page, "Overall rating")).to_contain_text("Partially met")
    expect(summary_row(page, "Grade")).to_contain_text("Adequate")
    expect(page.get_by_text("Evidence for standard 13.")).to_be_visible()
    expect(page.get_by_role("button", name="Submit audit")).to_have_count(0)
    expect(page.get_by_role("button", name="Save and continue")).to_have_count(0)

    # The report counts it.
    nav_link(page, "Reports").click()
    expect(page.get_by_role("heading", name="Children’s case file audits")).to_be_visible()
    # The tab shown first is one kind of audit, never a blend of kinds.
    all_audits = page.locator('.govuk-tabs__panel[data-kind="line_management"]')
    expect(all_audits).to_be_visible()
    expect(all_audits.get_by_role("heading", name="Line management: 1 audit")).to_be_visible()
    expect(count_cell(all_audits, "standard_1", "partially_met")).to_have_text(re.compile(r"^1\b"))
    expect(count_cell(all_audits, "standard_6", "not_applicable")).to_have_text("1")
    screenshot(page, "report")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto("/reports/")
    expect(page).to_have_url(re.compile(r"/sign-in"))  # the session has ended

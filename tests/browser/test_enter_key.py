"""Pressing Enter on the audit form saves the draft; it never submits the audit.

Browsers submit a form on Enter in one of its boxes by "clicking" the form's first
submit button, and a submitted audit can never be changed. So "Save and continue"
comes first and "Submit audit" comes after it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from core.extensions import db
from core.tools.registry import get_registry
from tests.browser.test_browser_journey import open_case, radio, sign_in
from tests.factories import Borough

try:
    from playwright.sync_api import expect
except ImportError:  # the ``chromium`` fixture skips, or fails in CI
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

# The browser's own "default button" of the form (CSS :default): the one Enter presses.
DEFAULT_BUTTON = """form => {
    const button = form.querySelector('button:default, input[type="submit"]:default');
    return button && {text: button.textContent.trim(), name: button.name, value: button.value};
}"""


def start_children_audit(page: Page) -> None:
    sign_in(page, "team_manager@test.example")
    open_case(page, "C100001")
    page.get_by_role("button", name=re.compile(r"^Start the ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Children’s Social Work Audit Form")


@pytest.mark.browser
def test_enter_saves_the_draft_and_never_submits(page: Page, borough: Borough) -> None:
    """Type into the form, press Enter: the audit stays a draft with the text saved."""
    start_children_audit(page)
    form = page.locator("form", has=page.get_by_role("button", name="Submit audit"))
    assert form.evaluate(DEFAULT_BUTTON) == {
        "text": "Save and continue",
        "name": "action",
        "value": "save",
    }

    # Enter in a text box is a new line: nothing is sent.
    strengths = page.locator("#strengths")
    strengths.fill("Child seen alone at every visit.")
    strengths.press("Enter")
    expect(strengths).to_have_value("Child seen alone at every visit.\n")
    expect(page.locator(".govuk-notification-banner--success")).to_have_count(0)

    # Enter on a choice sends the form, as if its first button were clicked: a save.
    rating = radio(page, "standard_1", "met")
    rating.check()
    with page.expect_navigation():
        rating.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your draft has been saved"
    )
    expect(page).to_have_url(re.compile(r"/audits/\d+/edit$"))
    expect(page.get_by_role("button", name="Submit audit")).to_be_visible()
    expect(page.locator("#strengths")).to_have_value("Child seen alone at every visit.")
    expect(radio(page, "standard_1", "met")).to_be_checked()

    # The home page lists it as a draft to finish.
    page.goto("/")
    expect(page.get_by_text("Drafts to finish")).to_be_visible()


@pytest.mark.browser
def test_enter_in_a_number_box_saves_the_draft(page: Page, borough: Borough) -> None:
    """The supervision audit has number and date boxes: Enter in one saves, never submits."""
    get_registry().set_switch("supervision_audit", borough.cin.id, True)
    db.session.commit()
    sign_in(page, "service_manager@test.example")
    page.goto(f"/staff/{borough.user('worker').id}")
    page.get_by_role("button", name=re.compile(r"^Start (a|the) supervision audit$")).click()
    sessions = page.locator("#sessions_recorded")
    expect(sessions).to_be_visible()

    sessions.fill("5")
    with page.expect_navigation():
        sessions.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your draft has been saved"
    )
    expect(page.get_by_role("button", name="Submit audit")).to_be_visible()
    expect(page.locator("#sessions_recorded")).to_have_value("5")

    with page.expect_navigation():
        page.locator("#period_end__year").press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your draft has been saved"
    )
    expect(page.get_by_role("button", name="Submit audit")).to_be_visible()

"""Pressing Enter on a section of the audit form saves that section; it never submits.

Browsers submit a form on Enter in one of its boxes by "clicking" the form's first
submit button, and a submitted audit can never be changed. A section page has no
"Submit audit" button at all: its first button is "Save and continue", so Enter in a
box or on a radio saves the section and opens the next (after the last, check your
answers, where submitting is a separate, deliberate press of "Submit audit").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from core.audits import workflow
from core.audits.answering import apply_answers
from core.extensions import db
from core.models import Answer, Audit, AuditStatus, Rating
from core.tools.registry import get_registry
from tests.browser.test_browser_journey import open_case, radio, sign_in
from tests.factories import Borough
from tests.helpers import children_answers

try:
    from playwright.sync_api import expect
except ImportError:  # the ``chromium`` fixture skips, or fails in CI
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

# The browser's own "default button" of the form (CSS :default): the one Enter presses.
DEFAULT_BUTTON = """form => {
    const button = form.querySelector('button:default, input[type="submit"]:default');
    return button && {text: button.textContent.trim(), name: button.name, value: button.value};
}"""
SAVE_AND_CONTINUE = {"text": "Save and continue", "name": "action", "value": "save"}


def the_audit() -> Audit:
    db.session.expire_all()  # the live server saved it from its own thread
    return db.session.scalars(select(Audit)).one()


def answers_of(audit: Audit) -> dict[str, Answer]:
    db.session.expire_all()
    return {
        answer.question: answer
        for answer in db.session.scalars(select(Answer).where(Answer.audit_id == audit.id))
    }


def section_form(page: Page) -> Locator:
    return page.locator("form[data-autosave]")


def start_children_audit(page: Page) -> Audit:
    sign_in(page, "team_manager@test.example")
    open_case(page, "C100001")
    page.get_by_role("button", name=re.compile(r"^Start the ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Children’s Social Work Audit Form")
    return the_audit()


def expect_not_submitted(page: Page, audit: Audit) -> None:
    expect(page.locator(".govuk-panel")).to_have_count(0)
    assert the_audit().status is AuditStatus.DRAFT


@pytest.mark.browser
def test_enter_saves_the_section_and_never_submits(page: Page, borough: Borough) -> None:
    """Enter in a text box is a new line; Enter on a radio saves the section."""
    audit = start_children_audit(page)
    page.goto(f"/audits/{audit.id}/sections/standard_1")
    assert section_form(page).evaluate(DEFAULT_BUTTON) == SAVE_AND_CONTINUE
    expect(page.get_by_role("button", name="Submit audit")).to_have_count(0)

    # Enter in a text box is a new line: nothing is sent.
    comment = page.locator("#standard_1__comment")
    comment.fill("Chronology seen.")
    comment.press("Enter")
    expect(comment).to_have_value("Chronology seen.\n")
    expect(page).to_have_url(re.compile(r"/sections/standard_1$"))

    # Enter on a radio sends the form, as if its first button were pressed: a save.
    rating = radio(page, "standard_1", "met")
    rating.check()
    with page.expect_navigation():
        rating.press("Enter")
    expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/sections/standard_2$"))
    expect_not_submitted(page, audit)
    saved = answers_of(audit)["standard_1"]
    assert saved.rating is Rating.MET
    assert saved.comment == "Chronology seen."  # the new line typed is trimmed

    # The task list shows the section done; the home page lists the draft to finish.
    page.get_by_role("link", name="Back to the task list").click()
    standard_1 = page.locator(".govuk-task-list__item").filter(
        has=page.get_by_role("link", name="Standard 1", exact=True)
    )
    expect(standard_1).to_contain_text("Completed")
    page.goto("/")
    expect(page.get_by_text("Drafts to finish")).to_be_visible()


@pytest.mark.browser
def test_enter_on_the_last_section_of_a_complete_audit_does_not_submit(
    page: Page, borough: Borough
) -> None:
    """Every answer given: Enter on the last section leads to check your answers, where
    only "Submit audit" submits."""
    audit = workflow.start_audit(
        get_registry(),
        borough.cases["cin"],
        borough.user("team_manager"),
        "children_audit",
        "enter-key-test",
    )
    apply_answers(audit, children_answers(overall="partially_met", grade="adequate", items="yes"))
    db.session.commit()
    sign_in(page, "team_manager@test.example")
    page.goto(f"/audits/{audit.id}/sections/standard_14")
    assert section_form(page).evaluate(DEFAULT_BUTTON) == SAVE_AND_CONTINUE

    grade = radio(page, "overall_grade", "adequate")
    expect(grade).to_be_checked()
    with page.expect_navigation():
        grade.press("Enter")
    expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/check$"))
    expect(page.locator("#still-to-do")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit audit")).to_be_visible()
    expect_not_submitted(page, audit)


@pytest.mark.browser
def test_enter_in_a_date_or_number_box_saves_the_section(page: Page, borough: Borough) -> None:
    """The supervision audit has date and number boxes: Enter in one saves, never submits."""
    get_registry().set_switch("supervision_audit", borough.cin.id, True)
    db.session.commit()
    sign_in(page, "service_manager@test.example")
    page.goto(f"/staff/{borough.user('worker').id}")
    page.get_by_role("button", name=re.compile(r"^Start (a|the) supervision audit$")).click()
    audit = the_audit()
    page.get_by_role("link", name="Period audited", exact=True).click()
    assert section_form(page).evaluate(DEFAULT_BUTTON) == SAVE_AND_CONTINUE

    for part, number in (("day", "1"), ("month", "4"), ("year", "2026")):
        page.locator(f"#period_start__{part}").fill(number)
    with page.expect_navigation():
        page.locator("#period_start__year").press("Enter")
    expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/sections/frequency$"))
    expect_not_submitted(page, audit)
    assert answers_of(audit)["period_start"].value == "2026-04-01"

    sessions = page.locator("#sessions_recorded")
    sessions.fill("5")
    with page.expect_navigation():
        sessions.press("Enter")
    expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/sections/supervision_agreement$"))
    expect_not_submitted(page, audit)
    assert answers_of(audit)["sessions_recorded"].value == "5"

    # Back on the page, the number typed is there to change.
    page.get_by_role("link", name="Back to the task list").click()
    page.get_by_role("link", name="Frequency of supervision", exact=True).click()
    expect(page.locator("#sessions_recorded")).to_have_value("5")

"""The section page's autosave and live suggestion (static/audit-form.js) in Chromium.

What an auditor relies on: typing is kept without pressing a button, the suggestion
follows the answers without a reload, and a tab left open on old answers never
overwrites newer ones saved from another tab.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from core.audits import workflow
from core.extensions import db
from core.models import Answer, Audit, AuditStatus, Rating
from core.tools.registry import get_registry
from tests.browser.test_browser_journey import radio, sign_in
from tests.factories import Borough

try:
    from playwright.sync_api import expect
except ImportError:  # the ``chromium`` fixture skips, or fails in CI
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Route

SAVED = re.compile(r"^Saved at \d{1,2}:\d\d(am|pm)")


def start(page: Page, borough: Borough) -> Audit:
    """A team manager's draft children's audit of the child-in-need case, signed in."""
    audit = workflow.start_audit(
        get_registry(),
        borough.cases["cin"],
        borough.user("team_manager"),
        "children_audit",
        "autosave-test",
    )
    db.session.commit()
    sign_in(page, "team_manager@test.example")
    return audit


def open_section(page: Page, audit: Audit, key: str) -> None:
    page.goto(f"/audits/{audit.id}/sections/{key}")
    expect(page.locator("#autosave-status")).to_be_attached()


def stored(audit: Audit, question: str) -> Answer | None:
    db.session.expire_all()  # the live server saved from its own thread
    return db.session.scalar(
        select(Answer).where(Answer.audit_id == audit.id, Answer.question == question)
    )


def is_autosave(request: Request) -> bool:
    """The page script's background save (a fetch); the buttons' saves are navigations."""
    return request.method == "POST" and request.resource_type == "fetch"


@pytest.mark.browser
def test_typing_is_saved_without_a_button_and_kept_after_a_reload(
    page: Page, borough: Borough
) -> None:
    audit = start(page, borough)
    open_section(page, audit, "standard_1")
    comment = page.locator("#standard_1__comment")
    comment.press_sequentially("Chronology updated in May.")
    status = page.get_by_role("status")
    expect(status).to_have_text(SAVED)  # two seconds after typing stops

    page.reload()
    expect(page.locator("#standard_1__comment")).to_have_value("Chronology updated in May.")
    expect(page.locator("#autosave-status")).not_to_contain_text("Saved")
    answer = stored(audit, "standard_1")
    assert answer is not None and answer.comment == "Chronology updated in May."
    assert db.session.get(Audit, audit.id).status is AuditStatus.DRAFT


@pytest.mark.browser
def test_the_buttons_stay_put_when_the_status_appears(page: Page, borough: Borough) -> None:
    """The status line keeps its height while empty: "Save and continue" does not move
    as "Saved at" appears, so a click aimed at it is not lost."""
    audit = start(page, borough)
    open_section(page, audit, "standard_1")
    button = page.get_by_role("button", name="Save and continue")
    top = "button => button.getBoundingClientRect().top + window.scrollY"
    page.locator("#standard_1__comment").press_sequentially("Chronology seen.")
    before = button.evaluate(top)
    expect(page.get_by_role("status")).to_have_text(SAVED)
    assert button.evaluate(top) == before


@pytest.mark.browser
def test_the_suggestion_follows_a_radio_without_a_reload(page: Page, borough: Borough) -> None:
    """Standard 3 is the capping standard: Not met forces Not met and caps the grade."""
    audit = start(page, borough)
    open_section(page, audit, "standard_3")
    suggestion = page.locator("#suggestion")
    expect(suggestion).to_contain_text("Rate the standards to see a suggestion.")
    page.evaluate("() => { window.notReloaded = true; }")

    radio(page, "standard_3", "met").check()
    expect(suggestion).to_contain_text("Overall rating Met, grade Good")
    expect(page.get_by_role("status")).to_have_text(SAVED)

    radio(page, "standard_3", "not_met").check()
    expect(suggestion).to_contain_text("Standard 3 is not met")
    expect(suggestion).to_contain_text(re.compile(r"Overall rating Not met, grade Inadequate"))
    assert page.evaluate("() => window.notReloaded === true"), "the page was reloaded"
    answer = stored(audit, "standard_3")
    assert answer is not None and answer.rating is Rating.NOT_MET


@pytest.mark.browser
def test_a_stale_tab_never_overwrites_a_newer_save(page: Page, borough: Borough) -> None:
    """Two tabs on one section: the first to save wins; the other says it did not save."""
    audit = start(page, borough)
    tab_a = page
    tab_b = page.context.new_page()  # same cookies: the same auditor
    open_section(tab_a, audit, "standard_1")
    open_section(tab_b, audit, "standard_1")

    tab_a.locator("#standard_1__comment").press_sequentially("Written in tab A.")
    expect(tab_a.get_by_role("status")).to_have_text(SAVED)

    tab_b.locator("#standard_1__comment").press_sequentially("Written in tab B.")
    status_b = tab_b.get_by_role("status")
    expect(status_b).to_contain_text("Not saved automatically")
    expect(status_b).to_contain_text("changed in another window or tab")
    # What B typed is still on its page; the database keeps A's.
    expect(tab_b.locator("#standard_1__comment")).to_have_value("Written in tab B.")
    answer = stored(audit, "standard_1")
    assert answer is not None and answer.comment == "Written in tab A."

    # Autosave has stopped in B: more typing sends nothing.
    sent: list[str] = []
    tab_b.on("request", lambda request: sent.append(request.url) if is_autosave(request) else None)
    tab_b.locator("#standard_1__comment").press_sequentially(" More.")
    tab_b.wait_for_timeout(2500)  # longer than the typing pause after which a save is sent
    assert sent == []
    # Saving B on purpose shows the conflict instead of overwriting A.
    tab_b.get_by_role("button", name="Save and continue").click()
    expect(tab_b.locator("#conflict")).to_contain_text("This audit was changed after you opened it")
    assert stored(audit, "standard_1").comment == "Written in tab A."


@pytest.mark.browser
def test_save_and_continue_while_an_autosave_is_on_its_way(page: Page, borough: Borough) -> None:
    """A radio chosen and "Save and continue" pressed at once, on a slow connection: the
    section is saved and the next one opens. No second background save is sent after the
    button, to race the button's save and turn it into a conflict.

    The test holds the first background save back, so the button is always pressed
    while it is on its way, and holds the button's save back a little, so a background
    save sent with it would always reach the server first.
    """
    audit = start(page, borough)
    open_section(page, audit, "standard_1")
    autosaves: list[str] = []

    def slow(route: Route, request: Request) -> None:
        if is_autosave(request):
            autosaves.append(request.url)
            if len(autosaves) == 1:
                page.wait_for_timeout(400)
        elif request.method == "POST":
            page.wait_for_timeout(300)
        route.continue_()

    page.route(re.compile(r"/audits/\d+/sections/"), slow)
    radio(page, "standard_1", "met").check()
    page.locator("#standard_1__comment").fill("Seen on file.")
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/sections/standard_2$"))
    expect(page.locator("#conflict")).to_have_count(0)
    answer = stored(audit, "standard_1")
    assert answer is not None and answer.rating is Rating.MET
    assert answer.comment == "Seen on file."
    page.wait_for_timeout(500)  # a background save sent as the page went would show by now
    assert len(autosaves) == 1, f"background saves sent: {autosaves}"

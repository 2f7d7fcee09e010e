"""The GOV.UK-style timeout warning, in real Chromium under the app's CSP, CSRF on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.conftest import Clock
from tests.factories import PASSWORD, Borough

try:
    from playwright.sync_api import expect
except ImportError:  # the ``chromium`` fixture skips, or fails in CI
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_two_minutes_before_the_idle_timeout_a_warning_offers_to_stay_signed_in(
    page: Page, borough: Borough, clock: Clock
):
    """The dialog appears 28 minutes into a quiet page; "Stay signed in" tells the server
    (a POST carrying the CSRF token) and closes it."""
    page.clock.install()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("worker@test.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    # The page can show before its deferred timeout script has run and set its timer: on
    # a busy machine the fake clock then ran on before the timer existed.
    page.wait_for_load_state("load")
    warning = page.get_by_role("dialog")
    page.clock.run_for("27:00")
    expect(warning).to_have_count(0)
    clock.advance(minutes=28, seconds=30)  # the server's time moves on too
    with page.expect_response("**/session/status") as status:
        page.clock.run_for("01:30")
    assert status.value.ok
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You’re about to be signed out")
    with page.expect_response("**/session/keep-alive") as kept:
        warning.get_by_role("button", name="Stay signed in").click()
    assert kept.value.status == 200
    expect(warning).to_be_hidden()

"""Two-step verification in real Chromium, CSRF and CSP on: an administrator's first
sign-in sets it up from the QR code page, and the next sign-in asks for a code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from core.mfa import totp
from tests.conftest import Clock
from tests.factories import PASSWORD, Borough

try:
    from playwright.sync_api import expect
except ImportError:  # the ``chromium`` fixture skips, or fails in CI
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page


def _password(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("admin@test.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_administrator_sets_up_two_step_verification_then_signs_in_with_a_code(
    app: Flask, page: Page, borough: Borough, clock: Clock
):
    app.config["MFA_ENFORCED"] = True
    _password(page)
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    qr = page.locator(".careaudit-qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150  # big enough to scan from a screen
    page.get_by_text("I cannot scan the QR code").click()
    key = page.locator(".careaudit-key").inner_text().replace(" ", "")
    code = page.get_by_label("Enter the 6-digit code the app shows")
    code.fill("000000")
    code.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("The code is not right")
    page.get_by_label("Enter the 6-digit code the app shows").fill(totp.code_at(key, clock.now))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="I have saved my codes, continue").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()

    page.get_by_role("button", name="Sign out").first.click()
    clock.advance(seconds=30)
    _password(page)
    expect(
        page.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    page.get_by_label("Code", exact=True).fill(totp.code_at(key, clock.now))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()

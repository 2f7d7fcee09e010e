"""Every page's frame (templates/base.html): the phase banner, and back links one level down."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.extensions import db
from core.models import CaseCategory
from tests.factories import Borough, make_case


def banner(html: str) -> str:
    found = re.search(r'<div class="govuk-phase-banner">.*?</div>', html, re.S)
    assert found, "no phase banner"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group()).split())


def test_every_page_says_the_service_is_in_beta(client: FlaskClient) -> None:
    html = client.get("/sign-in").get_data(as_text=True)
    assert banner(html) == (
        "Beta This is a new service. Tell the quality assurance team what you think."
    )


def test_the_banner_links_to_the_feedback_address_when_one_is_set(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "FEEDBACK_URL", "mailto:qa@council.example")
    html = client.get("/sign-in").get_data(as_text=True)
    assert '<a class="govuk-link" href="mailto:qa@council.example">Tell us what you think</a>' in (
        html
    )


def test_a_case_page_links_back_to_find_a_case(borough: Borough, client: FlaskClient, auth) -> None:
    case = make_case("C900001", borough.north, CaseCategory.CHILD_IN_NEED)
    db.session.commit()
    auth.login("team_manager@test.example")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert '<a href="/cases/" class="govuk-back-link">Back</a>' in html

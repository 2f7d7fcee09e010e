"""Addresses are remembered per worker, and are always the ones Flask would build."""

from __future__ import annotations

import flask
import pytest
from flask import Flask

from core import urls

CASES = [
    ("home.index", {}),
    ("static", {"filename": "careaudit.css"}),
    ("audits.show", {"audit_id": 7}),
    ("audits.show", {"audit_id": 8}),
    ("cases.show", {"case_id": 3, "audits": "all"}),
    ("cases.find", {"q": "C00", "page": 2}),
]


@pytest.mark.parametrize(("endpoint", "values"), CASES)
def test_an_address_is_what_flask_builds_the_first_time_and_after(
    app: Flask, endpoint: str, values: dict
) -> None:
    with app.test_request_context("/"):
        expected = flask.url_for(endpoint, **values)
        assert urls.url_for(endpoint, **values) == expected
        assert urls.url_for(endpoint, **values) == expected


def test_addresses_follow_the_root_the_app_is_served_under(app: Flask) -> None:
    with app.test_request_context("/"):
        assert urls.url_for("audits.show", audit_id=1) == "/audits/1"
    with app.test_request_context("/", base_url="http://localhost/qa/"):
        assert urls.url_for("audits.show", audit_id=1) == "/qa/audits/1"


def test_a_relative_endpoint_is_the_requests_blueprints(app: Flask) -> None:
    with app.test_request_context("/audits/1"):
        assert urls.url_for(".show", audit_id=2) == "/audits/2"
    with app.test_request_context("/cases/1"):
        assert urls.url_for(".show", case_id=2) == "/cases/2"


def test_options_and_values_of_another_type_are_not_taken_for_a_kept_address(
    app: Flask,
) -> None:
    with app.test_request_context("/"):
        assert urls.url_for("cases.find", q=1) == "/cases/?q=1"
        assert urls.url_for("cases.find", q=True) == "/cases/?q=True"
        assert urls.url_for("audits.show", audit_id=1, _anchor="answers") == "/audits/1#answers"
        assert urls.url_for("audits.show", audit_id=1, _external=True).startswith("http")
        assert urls.url_for("audits.show", audit_id=1) == "/audits/1"


def test_url_defaults_functions_are_honoured(app: Flask) -> None:
    """A plugin's ``url_defaults`` may add a value per request: nothing is remembered."""
    with app.test_request_context("/"):
        assert urls.url_for("cases.find") == "/cases/"
    app.url_default_functions[None].append(
        lambda endpoint, values: (
            values.setdefault("q", flask.g.get("q", "x")) if endpoint == "cases.find" else None
        )
    )
    try:
        with app.test_request_context("/"):
            flask.g.q = "first"
            assert urls.url_for("cases.find") == "/cases/?q=first"
            flask.g.q = "second"
            assert urls.url_for("cases.find") == "/cases/?q=second"
    finally:
        app.url_default_functions[None].pop()


def test_templates_build_addresses_through_it(app: Flask) -> None:
    assert app.jinja_env.globals["url_for"] is urls.url_for


def test_the_kept_addresses_are_emptied_when_full(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(urls, "KEPT", 3)
    with app.test_request_context("/"):
        for n in range(10):
            assert urls.url_for("audits.show", audit_id=n) == f"/audits/{n}"
        assert len(app.extensions["careaudit.urls"]) <= 3

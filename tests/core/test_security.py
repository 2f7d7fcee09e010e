"""Response headers that protect case-level pages."""

from __future__ import annotations

import io

import pytest
from flask import Flask, request

from core import create_app
from core.access import Permission, requires
from core.security import secure_cookies_by_default
from tests.conftest import test_config


def test_pages_are_not_cached_framed_or_sniffed(client, auth, borough):
    """A case page carries no-store, a frame ban, nosniff and a same-site CSP."""
    auth.login("team_manager@test.example")
    response = client.get(f"/cases/{borough.cases['cin'].id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_static_files_may_be_cached(client):
    """The stylesheet is not marked no-store, so pages stay fast."""
    response = client.get("/static/govuk/govuk-frontend.min.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


# -- issue 8: headers, cookies, proxies and request size -------------------------


def test_pages_switch_off_unused_browser_features_and_isolate_their_window(client):
    response = client.get("/sign-in")
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_sent_with_secure_cookies_only(app, client):
    """Tests run like the development server: no Secure cookies, so no HSTS."""
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    hsts = client.get("/sign-in").headers["Strict-Transport-Security"]
    assert hsts == f"max-age={365 * 24 * 60 * 60}"
    app.config["HSTS_SECONDS"] = 0
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


@pytest.mark.parametrize(
    ("setting", "testing", "debug", "from_cli", "secure"),
    [
        (None, False, False, False, True),  # gunicorn serving core:create_app()
        (None, False, False, True, False),  # careaudit run, on http://127.0.0.1
        (None, False, True, False, False),  # FLASK_DEBUG
        (None, True, False, False, False),  # the tests
        (False, False, False, False, False),  # CAREAUDIT_SECURE_COOKIES=0
        (True, False, False, True, True),  # CAREAUDIT_SECURE_COOKIES=1 wins
    ],
)
def test_cookies_are_secure_by_default_outside_development(
    monkeypatch, setting, testing, debug, from_cli, secure
):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    if from_cli:
        monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    app = Flask("probe")
    app.config.update(
        SESSION_COOKIE_SECURE=setting, REMEMBER_COOKIE_SECURE=setting, TESTING=testing
    )
    app.debug = debug
    secure_cookies_by_default(app)
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure


def _whoami_app(database_url: str, **config: object) -> Flask:
    app = create_app({**test_config(database_url), **config})

    @app.route("/whoami")
    @requires(Permission.PUBLIC)
    def whoami() -> str:
        return f"{request.remote_addr} {request.scheme}"

    return app


def test_behind_a_trusted_proxy_the_users_address_is_seen(database_url):
    """With CAREAUDIT_TRUSTED_PROXIES=1, rate limits and the trail see the user's address."""
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    behind = _whoami_app(database_url, TRUSTED_PROXIES=1).test_client()
    assert behind.get("/whoami", headers=headers).get_data(as_text=True) == "203.0.113.7 https"
    # Without the setting, anyone could claim any address: the header is ignored.
    direct = _whoami_app(database_url).test_client()
    assert direct.get("/whoami", headers=headers).get_data(as_text=True) == "127.0.0.1 http"


def test_a_request_over_the_limit_gets_the_file_too_large_page(app, client):
    """The default is 10 MB; an anonymous 11 MB post is refused, not read in full."""
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    response = client.post("/sign-in", data={"email": "x" * (11 * 1024 * 1024)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is too large" in page and "smaller than 10 MB" in page


def test_only_the_import_uploads_take_larger_files(app, client, auth, borough):
    """They allow IMPORT_MAX_BYTES and a margin; everything else keeps the limit."""
    app.config.update(MAX_CONTENT_LENGTH=1024 * 1024, IMPORT_MAX_BYTES=2 * 1024 * 1024)
    auth.login("admin@test.example")
    big = io.BytesIO(b"name,email\n" + b"x" * (int(1.5 * 1024 * 1024)))
    accepted = client.post(
        "/imports/upload/staff",
        data={"file": (big, "staff.csv")},
        content_type="multipart/form-data",
    )
    assert accepted.status_code != 413
    too_big = io.BytesIO(b"x" * (4 * 1024 * 1024))
    refused = client.post(
        "/imports/upload/staff",
        data={"file": (too_big, "staff.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413
    assert "smaller than 2 MB" in refused.get_data(as_text=True)
    elsewhere = client.post(
        f"/programme/allocations/{10**6}", data={"reason": "x" * (int(1.5 * 1024 * 1024))}
    )
    assert elsewhere.status_code == 413

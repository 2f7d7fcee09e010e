"""With local passwords switched off, the council's identity provider is the only way in."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select

from core import config, create_app
from core.accounts.links import setup_token, user_for_token
from core.extensions import db
from core.imports.staff import NO_PASSWORD
from core.models import TrailEntry, User
from core.oidc import OidcSettingsError
from tests.conftest import test_config
from tests.core.oidc.provider import CLIENT_ID, TestProvider, through_provider
from tests.factories import PASSWORD, Borough

NEW = "lorry tulip violin"


@pytest.fixture
def passwords_off(oidc_app: Flask) -> Flask:
    oidc_app.config["LOCAL_PASSWORDS"] = False
    return oidc_app


def sign_in_as(client: FlaskClient, provider: TestProvider, email: str) -> None:
    provider.behaviour.identity["email"] = email
    assert through_provider(client).status_code == 302
    g.pop("_login_user", None)


def outbox(app: Flask) -> list:
    return getattr(app.extensions["mailman"], "outbox", [])


# -- settings --------------------------------------------------------------------------


def test_the_settings_come_from_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("CAREAUDIT_OIDC_ISSUER", "https://login.microsoftonline.com/t/v2.0")
    monkeypatch.setenv("CAREAUDIT_OIDC_CLIENT_ID", "app-id")
    monkeypatch.setenv("CAREAUDIT_OIDC_CLIENT_SECRET", "app-secret")
    monkeypatch.setenv("CAREAUDIT_LOCAL_PASSWORDS", "0")
    settings = config.from_environment(tmp_path)
    assert settings["OIDC_ISSUER"] == "https://login.microsoftonline.com/t/v2.0"
    assert (settings["OIDC_CLIENT_ID"], settings["OIDC_CLIENT_SECRET"]) == ("app-id", "app-secret")
    assert settings["OIDC_LABEL"] == "Sign in with your council account"
    assert settings["LOCAL_PASSWORDS"] is False


def test_by_default_passwords_are_on_and_the_provider_is_off(monkeypatch, tmp_path: Path):
    for name in ("CAREAUDIT_OIDC_ISSUER", "CAREAUDIT_OIDC_CLIENT_ID", "CAREAUDIT_LOCAL_PASSWORDS"):
        monkeypatch.delenv(name, raising=False)
    settings = config.from_environment(tmp_path)
    assert settings["LOCAL_PASSWORDS"] is True
    assert settings["OIDC_ISSUER"] == "" and settings["OIDC_CLIENT_ID"] == ""


def test_the_app_will_not_start_with_passwords_off_and_no_provider(database_url: str):
    """Nobody could sign in: the operator is told at start-up, not by a locked-out council."""
    with pytest.raises(OidcSettingsError, match="CAREAUDIT_OIDC_ISSUER"):
        create_app({**test_config(database_url), "LOCAL_PASSWORDS": False})
    with pytest.raises(OidcSettingsError):  # an issuer alone is not enough
        create_app(
            {**test_config(database_url), "LOCAL_PASSWORDS": False, "OIDC_ISSUER": "https://x"}
        )
    create_app(
        {
            **test_config(database_url),
            "LOCAL_PASSWORDS": False,
            "OIDC_ISSUER": "https://login.example/t/v2.0",
            "OIDC_CLIENT_ID": CLIENT_ID,
        }
    )


# -- signing in ------------------------------------------------------------------------


def test_the_sign_in_page_shows_only_the_council_account(passwords_off, client, borough):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with your council account" in page
    assert 'name="password"' not in page and 'name="email"' not in page
    assert "Or sign in with a password" not in page


def test_a_password_is_refused_without_being_checked(passwords_off, client, borough, monkeypatch):
    """Even the right password: the form is gone, and a scripted POST is told why."""

    def no_checking(*args: object) -> bool:
        raise AssertionError("a password was checked")

    monkeypatch.setattr("core.auth.views.verify_password", no_checking)
    response = client.post("/sign-in", data={"email": "worker@test.example", "password": PASSWORD})
    assert response.status_code == 403
    assert "Passwords are not used to sign in to" in response.get_data(as_text=True)
    g.pop("_login_user", None)
    assert client.get("/").status_code == 302  # not signed in
    db.session.expire_all()
    actions = db.session.scalars(select(TrailEntry.action)).all()
    assert "sign_in.succeeded" not in actions


def test_the_council_account_still_signs_in(passwords_off, client, borough, provider):
    sign_in_as(client, provider, "worker@test.example")
    assert client.get("/").status_code == 200


# -- the password pages ----------------------------------------------------------------


def test_changing_ones_password_says_passwords_are_not_used(
    passwords_off, client, borough: Borough, provider
):
    worker = borough.user("worker")
    before = worker.password_hash
    sign_in_as(client, provider, worker.email)
    assert "Change your password" not in client.get("/account").get_data(as_text=True)
    page = client.get("/account/password")
    assert page.status_code == 200
    assert "Passwords are not used here" in page.get_data(as_text=True)
    posted = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW, "confirm": NEW},
    )
    assert posted.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, worker.id).password_hash == before
    assert client.get("/").status_code == 200  # still signed in: nothing happened


def test_a_set_up_link_says_passwords_are_not_used_and_stays_unspent(
    passwords_off, client, borough: Borough
):
    worker = borough.user("worker")
    token = setup_token(worker)
    page = client.get(f"/account/set-password/{token}")
    assert page.status_code == 200
    assert "Passwords are not used here" in page.get_data(as_text=True)
    posted = client.post(f"/account/set-password/{token}", data={"password": NEW, "confirm": NEW})
    assert posted.status_code == 403
    db.session.expire_all()
    assert user_for_token(token) is not None  # nothing was set, so the link is not spent


# -- administrators --------------------------------------------------------------------


def test_the_admin_user_page_offers_no_set_up_link(
    passwords_off, client, borough: Borough, provider
):
    worker = borough.user("worker")
    sign_in_as(client, provider, "admin@test.example")
    page = client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    assert "Email a link to set a password" not in page
    assert f"/admin/users/{worker.id}/setup-link" not in page
    assert 'name="password"' not in page
    assert "Passwords are not used" in page
    sent = client.post(f"/admin/users/{worker.id}/setup-link", follow_redirects=True)
    assert "Passwords are not used, so no link was sent" in sent.get_data(as_text=True)
    assert outbox(passwords_off) == []


def test_an_administrator_adds_a_user_without_a_password(
    passwords_off, client, borough: Borough, provider
):
    sign_in_as(client, provider, "admin@test.example")
    added = client.post(
        "/admin/users/new",
        data={"name": "New Starter", "email": "new@test.example", "role": "performance_analyst"},
    )
    assert added.status_code == 302, added.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "new@test.example"))
    assert user is not None and user.password_hash == NO_PASSWORD
    # ... and the new starter signs in through the council's provider at once.
    client.post("/sign-out")
    sign_in_as(client, provider, "new@test.example")
    assert client.get("/account").status_code == 200


def test_the_set_up_links_command_sends_nothing(passwords_off, runner, borough: Borough):
    worker = borough.user("worker")
    worker.password_hash = NO_PASSWORD
    db.session.commit()
    result = runner.invoke(args=["send-setup-links"])
    assert result.exit_code == 0, result.output
    assert "Passwords are not used" in result.output
    assert outbox(passwords_off) == []

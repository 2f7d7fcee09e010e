"""Setting a password from an emailed one-time link, and changing one's own."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from itsdangerous.timed import TimestampSigner

from core.accounts.links import setup_token, user_for_token
from core.extensions import db
from core.imports.staff import NO_PASSWORD
from core.models import User
from core.passwords import verify_password
from tests.factories import PASSWORD, Borough

NEW = "lorry tulip violin"


def outbox(app: Flask) -> list:
    return getattr(app.extensions["mailman"], "outbox", [])


def link_in(message) -> str:
    match = re.search(r"http://[^\s]+/account/set-password/(\S+)", message.body)
    assert match, message.body
    return f"/account/set-password/{match.group(1)}"


def new_starter(borough: Borough) -> User:
    """A social worker the staff import created: no usable password yet."""
    user = User(
        email="new.starter@test.example",
        name="New Starter",
        role=borough.users["worker"].role,
        team=borough.north,
        password_hash=NO_PASSWORD,
    )
    db.session.add(user)
    db.session.commit()
    return user


def test_an_administrator_emails_a_link_and_the_person_sets_their_password(
    app: Flask, client: FlaskClient, auth, borough: Borough
):
    user = new_starter(borough)
    auth.login("admin@test.example")
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "has not set a password yet" in page
    sent = client.post(f"/admin/users/{user.id}/setup-link", follow_redirects=True)
    assert "A link to set a password has been emailed to new.starter@test.example" in (
        sent.get_data(as_text=True)
    )
    (message,) = outbox(app)
    assert message.to == ["new.starter@test.example"]
    assert "works once, for 72 hours" in message.body
    link = link_in(message)
    auth.logout()

    form = client.get(link)
    assert form.status_code == 200 and "new.starter@test.example" in form.get_data(as_text=True)
    done = client.post(link, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.location.endswith("/sign-in")
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW)
    assert auth.login("new.starter@test.example", NEW).status_code == 302

    # The link is spent: it cannot set a password again.
    client.post("/sign-out")
    again = client.get(link)
    assert again.status_code == 404
    assert "This link cannot be used" in again.get_data(as_text=True)


def test_the_link_expires(app: Flask, borough: Borough, monkeypatch: pytest.MonkeyPatch):
    user = new_starter(borough)
    token = setup_token(user)
    assert user_for_token(token) == user
    later = int(time.time()) + 73 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    assert user_for_token(token) is None


@pytest.mark.parametrize("token", ["", "x", "a" * 600, "eyJ1c2VyIjoxfQ.forged.sig"])
def test_forged_or_garbled_links_are_refused_plainly(client: FlaskClient, borough, token: str):
    response = client.get(f"/account/set-password/{token}" if token else "/account/set-password/-")
    assert response.status_code == 404


def test_a_link_for_a_deactivated_account_does_not_work(client: FlaskClient, borough: Borough):
    user = new_starter(borough)
    link = f"/account/set-password/{setup_token(user)}"
    user.active = False
    db.session.commit()
    assert client.get(link).status_code == 404


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("", "", "Enter a new password"),
        ("short", "short", "12 characters or more"),
        ("password1234", "password1234", "most common passwords"),
        (NEW, "something else entirely", "The passwords do not match"),
        ("New Starter", "New Starter", "12 characters or more"),
        ("new.starter@test.example", "new.starter@test.example", "email address or your name"),
    ],
)
def test_a_weak_or_mismatched_password_is_refused_and_the_link_still_works(
    client: FlaskClient, borough: Borough, password: str, confirm: str, message: str
):
    user = new_starter(borough)
    link = f"/account/set-password/{setup_token(user)}"
    response = client.post(link, data={"password": password, "confirm": confirm})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    # Passwords are never shown again.
    assert not re.search(r'<input[^>]*name="(password|confirm)"[^>]*value="[^"]+"', page)
    db.session.refresh(user)
    assert user.password_hash == NO_PASSWORD
    assert client.get(link).status_code == 200


def test_people_change_their_own_password(client: FlaskClient, auth, borough: Borough):
    auth.login("worker@test.example")
    assert "Your account" in client.get("/").get_data(as_text=True)
    assert "Change your password" in client.get("/account").get_data(as_text=True)
    wrong = client.post(
        "/account/password", data={"current": "not my password", "password": NEW, "confirm": NEW}
    )
    assert wrong.status_code == 400
    assert "Your current password is not correct" in wrong.get_data(as_text=True)

    changed = client.post(
        "/account/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert changed.status_code == 302 and changed.location.endswith("/sign-in")
    assert client.get("/").status_code == 302  # signed out: sign in with the new password
    assert auth.login("worker@test.example", PASSWORD).status_code == 200
    assert auth.login("worker@test.example", NEW).status_code == 302


def test_a_changed_password_must_be_a_good_one(client: FlaskClient, auth, borough: Borough):
    auth.login("worker@test.example")
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "iloveyou1234", "confirm": "iloveyou1234"},
    )
    assert response.status_code == 400
    assert "easy to guess" in response.get_data(as_text=True)


def test_send_setup_links_emails_everyone_without_a_password(
    app: Flask, runner: FlaskCliRunner, borough: Borough
):
    new_starter(borough)
    result = runner.invoke(args=["send-setup-links"])
    assert result.exit_code == 0, result.output
    assert "Set-up links emailed to 1 people." in result.output
    assert [m.to for m in outbox(app)] == [["new.starter@test.example"]]

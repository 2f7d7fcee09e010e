"""Signing in and out: messages, redirects, deactivated accounts, rate limit, CSRF."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select

from core import create_app
from core.extensions import db
from core.models import User
from core.passwords import verify_password
from tests.conftest import test_config
from tests.factories import PASSWORD, Borough

WRONG = "not-the-password-9931"


def sign_in(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    query = {"next": next_url} if next_url is not None else None
    return client.post("/sign-in", query_string=query, data={"email": email, "password": password})


def error_summary_links(page: bytes) -> list[str]:
    summary = page.split(b"govuk-error-summary__list", 1)
    assert len(summary) == 2, "the page shows a GOV.UK error summary"
    body = summary[1].split(b"</ul>", 1)[0].decode()
    return [text.strip() for text in re.findall(r"<a [^>]*>\s*([^<]+?)\s*</a>", body)]


def test_signing_in_lands_on_the_home_page(client, borough: Borough):
    """Correct email and password sign in and open the home page with the user's name."""
    response = sign_in(client, "team_manager@test.example")
    assert response.status_code == 302
    assert response.location == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert b"Signed in as <strong>Team Manager</strong>" in home.data
    db.session.expire_all()
    assert borough.user("team_manager").last_login_at is not None


def test_wrong_password_keeps_the_email_and_never_echoes_the_password(client, borough):
    """A wrong password shows one message, re-shows the email and leaves the password out."""
    response = sign_in(client, "worker@test.example", WRONG)
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.data
    assert b'value="worker@test.example"' in response.data
    assert WRONG.encode() not in response.data
    assert b"Signed in as" not in client.get("/sign-in").data


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, borough):
    """The page does not reveal whether an account exists."""
    unknown = sign_in(client, "nobody@test.example", WRONG)
    known = sign_in(client, "worker@test.example", WRONG)
    assert unknown.status_code == known.status_code == 200
    assert error_summary_links(unknown.data) == error_summary_links(known.data)
    assert error_summary_links(known.data) == ["Enter a correct email address and password"]


@pytest.mark.parametrize("typed", ["WORKER@Test.Example", "  worker@test.example  "])
def test_email_is_matched_whatever_its_case_and_surrounding_spaces(client, borough, typed):
    """Capitals and stray spaces in the email address do not stop a sign-in."""
    response = sign_in(client, typed)
    assert response.status_code == 302
    assert response.location == "/"


def test_empty_fields_list_both_problems_in_the_error_summary(client, borough):
    """Submitting an empty form names both missing fields in the error summary."""
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 200
    assert error_summary_links(response.data) == [
        "Enter your email address",
        "Enter your password",
    ]
    assert b'href="#email"' in response.data and b'href="#password"' in response.data


def test_a_deactivated_user_cannot_sign_in(client, borough):
    """A leaver's correct password no longer signs them in."""
    borough.user("worker").active = False
    db.session.commit()
    response = sign_in(client, "worker@test.example")
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.data
    assert client.get("/").status_code == 302


def test_a_user_deactivated_while_signed_in_is_signed_out(client, borough):
    """Deactivation takes effect on the user's very next request."""
    sign_in(client, "worker@test.example")
    assert client.get("/cases/").status_code == 200
    borough.user("worker").active = False
    db.session.commit()
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_signed_in_user_opening_sign_in_goes_home(client, borough):
    """The sign-in page sends someone already signed in to their home page."""
    sign_in(client, "worker@test.example")
    response = client.get("/sign-in")
    assert response.status_code == 302 and response.location == "/"


def test_next_page_within_the_site_is_followed(client, borough):
    """After signing in from a protected page, the user returns to that page."""
    case_id = borough.cases["cin"].id
    asked = client.get(f"/cases/{case_id}")
    assert asked.location == f"/sign-in?next=%2Fcases%2F{case_id}"
    response = sign_in(client, "worker@test.example", next_url=f"/cases/{case_id}")
    assert response.status_code == 302
    assert response.location == f"/cases/{case_id}"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "cases/",
    ],
)
def test_next_page_off_the_site_is_ignored(client, borough, target):
    """A `next` pointing at another site is ignored: the user lands on the home page."""
    response = sign_in(client, "worker@test.example", next_url=target)
    assert response.status_code == 302
    location = response.location
    # A path on this site: never scheme-relative (//host), never a backslash browsers turn into /.
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "\\" not in location
    assert client.get("/").status_code == 200  # signed in all the same


def test_sign_out_needs_a_post(client, borough):
    """Following a link to /sign-out does nothing; the sign-out button signs out."""
    sign_in(client, "worker@test.example")
    assert client.get("/sign-out").status_code == 405
    assert client.get("/cases/").status_code == 200
    response = client.post("/sign-out")
    assert response.status_code == 302 and response.location == "/sign-in"
    assert b"You have signed out." in client.get("/sign-in").data
    assert client.get("/cases/").location.startswith("/sign-in")


def test_passwords_are_stored_as_argon2id_hashes(client, borough):
    """No password is kept in plain text; each is an Argon2id hash."""
    hashes = db.session.scalars(select(User.password_hash)).all()
    assert hashes
    for password_hash in hashes:
        assert password_hash.startswith("$argon2id$")
        assert PASSWORD not in password_hash
    assert len(set(hashes)) == len(hashes), "every hash has its own salt"


def test_an_old_hash_is_upgraded_when_its_owner_signs_in(client, borough):
    """A hash made with outdated Argon2 parameters is replaced at the next sign-in."""
    user = borough.user("worker")
    old = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    user.password_hash = old
    db.session.commit()
    assert sign_in(client, "worker@test.example").status_code == 302
    db.session.expire_all()
    assert user.password_hash != old
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)


# -- login rate limit and CSRF, on apps configured for them ----------------------


@pytest.fixture
def limited_app(database_url: str) -> Iterator[Flask]:
    """An app that rate limits sign-in attempts to three a minute."""
    app = create_app(
        test_config(database_url) | {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_too_many_sign_in_attempts_are_refused_politely(limited_app: Flask):
    """The fourth attempt within a minute gets a 429 'Too many attempts' page."""
    client = limited_app.test_client()
    for _ in range(3):
        assert sign_in(client, "nobody@test.example", WRONG).status_code == 200
    refused = sign_in(client, "nobody@test.example", WRONG)
    assert refused.status_code == 429
    assert b"Too many attempts" in refused.data
    assert b"Wait a minute, then try again." in refused.data
    assert b"Traceback" not in refused.data
    # Reading the sign-in page is not an attempt.
    assert client.get("/sign-in").status_code == 200


def test_a_post_without_a_csrf_token_shows_the_expired_page(app, client, borough):
    """With CSRF protection on, a form without its token is refused with a plain message."""
    app.config["WTF_CSRF_ENABLED"] = True
    response = sign_in(client, "worker@test.example")
    assert response.status_code == 400
    assert b"Your page has expired" in response.data
    assert b"Traceback" not in response.data
    assert client.get("/").status_code == 302  # not signed in


def test_a_post_with_the_pages_csrf_token_signs_in(app, client, borough):
    """With CSRF protection on, the sign-in form's own token lets the sign-in through."""
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/sign-in")
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)
    assert match, "the sign-in form carries a CSRF token"
    response = client.post(
        "/sign-in",
        data={
            "email": "worker@test.example",
            "password": PASSWORD,
            "csrf_token": match.group(1).decode(),
        },
    )
    assert response.status_code == 302 and response.location == "/"
    # Signing out is a form too: without the token it is refused.
    assert client.post("/sign-out").status_code == 400
    assert client.get("/").status_code == 200

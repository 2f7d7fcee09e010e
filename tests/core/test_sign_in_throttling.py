"""Sign-in throttling per account and per address, shared by every server, and equal work
for unknown, inactive and real accounts."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core import create_app
from core.auth import views as auth_views
from core.extensions import db
from core.imports.staff import NO_PASSWORD
from core.models import SignInAttempt
from tests.conftest import Clock, test_config
from tests.factories import PASSWORD, Borough

WRONG = "not-the-password-9931"
WORKER = "worker@test.example"
HELD = "You have tried to sign in too many times."


def attempt(client: FlaskClient, email: str = WORKER, password: str = WRONG, address: str = ""):
    environ = {"REMOTE_ADDR": address or "127.0.0.1"}
    return client.post(
        "/sign-in", data={"email": email, "password": password}, environ_base=environ
    )


def fail(client: FlaskClient, times: int, **kwargs: str) -> None:
    for _ in range(times):
        response = attempt(client, **kwargs)
        assert response.status_code == 200, "checked and refused, not held"


def held(response) -> bool:
    page = response.get_data(as_text=True)
    if response.status_code == 429:
        assert HELD in page and "then try again" in page
        return True
    return False


def test_ten_failures_hold_the_account_then_the_right_password_works_after_the_delay(
    client, borough: Borough, clock: Clock
):
    """After 10 wrong passwords in 5 minutes even the right one is refused for a minute."""
    fail(client, 10)
    eleventh = attempt(client)
    assert held(eleventh)
    right = attempt(client, password=PASSWORD)
    assert held(right)
    assert "Wait 1 minute, then try again" in right.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    clock.advance(seconds=61)
    assert attempt(client, password=PASSWORD).status_code == 302


def test_the_delay_doubles_with_each_further_failure_up_to_15_minutes(
    client, borough, clock: Clock
):
    """1, 2, 4, 8, then 15 minutes: slow for a guesser, never for ever."""
    fail(client, 10)
    for minutes in (2, 4, 8, 15, 15):
        clock.advance(minutes=16)  # whatever the hold was, it has lapsed
        fail(client, 1)
        response = attempt(client, password=PASSWORD)
        assert held(response)
        assert f"Wait {minutes} minutes, then try again" in response.get_data(as_text=True)
    clock.advance(minutes=15, seconds=1)
    assert attempt(client, password=PASSWORD).status_code == 302


def test_attempts_while_held_do_not_lengthen_the_hold(client, borough, clock: Clock):
    """An attacker hammering a held account cannot keep its owner out: refused attempts are
    not checked and not counted."""
    fail(client, 10)
    for _ in range(30):
        assert held(attempt(client))
    clock.advance(seconds=61)
    assert attempt(client, password=PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(client, borough, clock: Clock):
    """Failures before the owner's last successful sign-in no longer count."""
    fail(client, 9)
    clock.advance(seconds=1)
    assert attempt(client, password=PASSWORD).status_code == 302
    client.post("/sign-out")
    clock.advance(seconds=1)
    fail(client, 9)  # each checked: the nine before the success are forgotten
    fail(client, 1)
    assert held(attempt(client, password=PASSWORD)), "ten since the success hold it"


def test_failures_spread_over_more_than_5_minutes_do_not_hold(client, borough, clock: Clock):
    fail(client, 9)
    clock.advance(minutes=6)
    fail(client, 9)
    assert attempt(client, password=PASSWORD).status_code == 302


def test_unknown_accounts_are_held_just_like_real_ones(client, borough, clock: Clock):
    """The hold does not reveal whether an account exists."""
    fail(client, 10, email="nobody@test.example")
    unknown = attempt(client, email="nobody@test.example")
    fail(client, 10)
    known = attempt(client)
    assert held(unknown) and held(known)
    assert unknown.get_data(as_text=True) == known.get_data(as_text=True).replace(
        WORKER, "nobody@test.example"
    )


def test_one_address_is_held_after_50_failures_in_5_minutes(client, borough, clock: Clock):
    """Guessing across many accounts from one address is held too; other addresses are not."""
    for number in range(50):
        fail(client, 1, email=f"guess{number}@test.example", address="203.0.113.9")
    refused = attempt(client, password=PASSWORD, address="203.0.113.9")
    assert held(refused)
    assert attempt(client, password=PASSWORD, address="198.51.100.7").status_code == 302
    client.post("/sign-out")
    clock.advance(minutes=5, seconds=1)
    assert attempt(client, password=PASSWORD, address="203.0.113.9").status_code == 302


def test_attempts_are_kept_without_the_email_address(client, borough):
    """The attempts table holds a SHA-256 of the address typed, not the address."""
    fail(client, 1, email="Someone.Else@Test.Example")
    [row] = db.session.scalars(select(SignInAttempt)).all()
    assert "someone" not in row.email_hash.lower() and len(row.email_hash) == 64
    assert row.success is False and row.ip_address == "127.0.0.1"


@pytest.fixture
def second_server(database_url: str) -> Iterator[Flask]:
    other = create_app(test_config(database_url))
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_two_servers_share_the_count(client, borough, second_server: Flask, clock: Clock):
    """Failures on one server count on the other: a guesser gains nothing from the load
    balancer."""
    fail(client, 5)
    fail(second_server.test_client(), 5)
    assert held(attempt(client, password=PASSWORD))
    assert held(attempt(second_server.test_client(), password=PASSWORD))


# -- equal work ---------------------------------------------------------------


@pytest.fixture
def counted(app: Flask) -> Iterator[mock.MagicMock]:
    """verify_password, counted (the real one still runs)."""
    with mock.patch.object(
        auth_views, "verify_password", wraps=auth_views.verify_password
    ) as verify:
        yield verify


@pytest.mark.parametrize(
    ("account", "password"),
    [
        ("real", PASSWORD),
        ("real", WRONG),
        ("unknown", WRONG),
        ("inactive", PASSWORD),
        ("no password yet", PASSWORD),
    ],
)
def test_every_sign_in_does_exactly_one_password_check(
    client, borough: Borough, counted: mock.MagicMock, account: str, password: str
):
    """Unknown, inactive and real accounts cost the same Argon2 verification, so the time
    taken does not tell them apart."""
    email = WORKER
    worker = borough.user("worker")
    if account == "unknown":
        email = "nobody@test.example"
    elif account == "inactive":
        worker.active = False
    elif account == "no password yet":
        worker.password_hash = NO_PASSWORD
    db.session.commit()
    attempt(client, email=email, password=password)
    assert counted.call_count == 1
    stored, typed = counted.call_args.args
    assert typed == password and stored.startswith("$argon2")


@pytest.mark.parametrize("account", ["unknown", "inactive", "real"])
def test_unknown_inactive_and_real_accounts_get_the_same_message(client, borough, account):
    worker = borough.user("worker")
    email = "nobody@test.example" if account == "unknown" else WORKER
    if account == "inactive":
        worker.active = False
        db.session.commit()
    password = PASSWORD if account == "inactive" else WRONG
    page = attempt(client, email=email, password=password).get_data(as_text=True)
    assert "Enter a correct email address and password" in page


def test_a_held_attempt_checks_no_password(client, borough, counted, clock: Clock):
    fail(client, 10)
    counted.reset_mock()
    assert held(attempt(client, password=PASSWORD))
    assert counted.call_count == 0


# -- trusted devices: an attacker cannot hold the account against its owner ----------------


def test_an_attacker_cannot_keep_the_owner_out_of_their_usual_browser(
    app: Flask, borough: Borough, clock: Clock
):
    owner = app.test_client()
    assert attempt(owner, password=PASSWORD).status_code == 302  # the owner's browser
    owner.post("/sign-out")
    clock.advance(seconds=1)
    attacker = app.test_client()
    fail(attacker, 10, address="203.0.113.9")
    assert held(attempt(attacker, address="203.0.113.9"))
    # Long after, the attacker still tries once whenever the hold lapses...
    for _ in range(6):
        clock.advance(minutes=16)
        attempt(attacker, address="203.0.113.9")
    assert held(attempt(attacker, password=PASSWORD, address="203.0.113.9"))
    # ...but the owner's browser, trusted for the account, signs in at once.
    assert attempt(owner, password=PASSWORD).status_code == 302


def test_a_trusted_browser_is_held_by_its_own_failures(app: Flask, borough: Borough, clock: Clock):
    owner = app.test_client()
    attempt(owner, password=PASSWORD)
    owner.post("/sign-out")
    clock.advance(seconds=1)
    fail(owner, 10)
    assert held(attempt(owner, password=PASSWORD))


def test_the_device_cookie_trusts_a_browser_for_one_account_only(
    app: Flask, borough: Borough, clock: Clock
):
    browser = app.test_client()
    attempt(browser, password=PASSWORD)
    browser.post("/sign-out")
    other = "other_worker@test.example"
    fail(app.test_client(), 10, email=other)
    assert held(attempt(browser, email=other, password=PASSWORD))


def test_a_forged_device_cookie_is_ignored(app: Flask, borough: Borough, clock: Clock):
    fail(app.test_client(), 10)
    forger = app.test_client()
    forger.set_cookie("careaudit_device", "eyJlIjoiYWJjIiwiZCI6IjEyMyJ9.forged.sig")
    assert held(attempt(forger, password=PASSWORD))


def test_the_device_cookie_is_http_only_and_long_lived(app: Flask, borough: Borough):
    response = attempt(app.test_client(), password=PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "careaudit_device" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert f"Max-Age={180 * 24 * 3600}" in cookie

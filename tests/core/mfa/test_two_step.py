"""Two-step verification: a code from an authenticator app after the password."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core import create_app
from core.extensions import db
from core.mfa import totp, vault
from core.models import RecoveryCode, Role, TrailEntry, User
from tests.conftest import AuthActions, Clock, test_config
from tests.factories import Borough

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def enforced(app: Flask) -> None:
    app.config["MFA_ENFORCED"] = True


def _enrol(user: User, secret: str = SECRET) -> None:
    user.mfa_secret = vault.seal(secret)
    from core.models._types import utcnow

    user.mfa_enrolled_at = utcnow()
    db.session.commit()


def _code(clock: Clock, secret: str = SECRET) -> str:
    return totp.code_at(secret, clock.now)


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def _actions(action: str) -> list[TrailEntry]:
    return list(db.session.scalars(select(TrailEntry).where(TrailEntry.action == action)))


# -- who is asked ----------------------------------------------------------------------


def test_an_administrator_must_set_it_up_before_being_signed_in(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    response = auth.login("admin@test.example")
    assert response.headers["Location"].endswith("/sign-in/two-step/set-up")
    assert not _signed_in(client)

    page = client.get("/sign-in/two-step/set-up").get_data(as_text=True)
    assert "<svg" in page and "QR code to add" in page
    key = re.search(r'class="careaudit-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")

    wrong = client.post("/sign-in/two-step/set-up", data={"code": "000000"})
    assert wrong.status_code == 400
    assert "The code is not right" in wrong.get_data(as_text=True)
    assert not _signed_in(client)

    done = client.post("/sign-in/two-step/set-up", data={"code": _code(clock, key)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert _signed_in(client)

    admin = db.session.scalar(select(User).where(User.email == "admin@test.example"))
    assert admin.has_mfa
    assert key not in (admin.mfa_secret or "")  # kept encrypted, not as typed into the app
    assert vault.unseal(admin.mfa_secret) == key
    hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert _actions("mfa.enrolled")[0].object_id == str(admin.id)


def test_a_social_worker_is_not_asked_unless_they_turned_it_on(
    client: FlaskClient, auth: AuthActions, borough: Borough
):
    response = auth.login("worker@test.example")
    assert response.headers["Location"].endswith("/")
    assert _signed_in(client)


def test_the_council_can_require_it_for_more_roles(
    app: Flask, client: FlaskClient, auth: AuthActions, borough: Borough
):
    app.config["MFA_ROLES"] = ["senior_manager"]
    assert auth.login("senior@test.example").headers["Location"].endswith("/two-step/set-up")


def test_an_unknown_role_in_the_setting_stops_the_app_starting(database_url: str):
    with pytest.raises(ValueError, match="unknown roles: seniour_manager"):
        create_app({**test_config(database_url), "MFA_ROLES": ["seniour_manager"]})


def test_the_second_step_needs_the_password_first(client: FlaskClient, borough: Borough):
    assert client.get("/sign-in/two-step").headers["Location"].endswith("/sign-in")
    assert client.post("/sign-in/two-step/set-up", data={"code": "123456"}).status_code == 302


# -- signing in with a code --------------------------------------------------------------


def test_an_enrolled_user_signs_in_with_the_code_and_each_code_works_once(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    assert auth.login("admin@test.example").headers["Location"].endswith("/sign-in/two-step")
    assert not _signed_in(client)
    code = _code(clock)
    assert client.post("/sign-in/two-step", data={"code": code}).status_code == 302
    assert _signed_in(client)

    auth.logout()
    auth.login("admin@test.example")
    replay = client.post("/sign-in/two-step", data={"code": code})
    assert replay.status_code == 400  # seen over a shoulder, it is worthless now
    assert not _signed_in(client)
    clock.advance(seconds=30)
    spaced = _code(clock)
    assert (
        client.post("/sign-in/two-step", data={"code": f"{spaced[:3]} {spaced[3:]}"}).status_code
        == 302
    )
    assert _signed_in(client)


def test_a_code_from_a_phone_a_little_slow_is_accepted(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    earlier = _code(clock)
    clock.advance(seconds=30)
    assert client.post("/sign-in/two-step", data={"code": earlier}).status_code == 302


def test_an_old_code_is_refused(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    old = _code(clock)
    clock.advance(minutes=2)
    assert client.post("/sign-in/two-step", data={"code": old}).status_code == 400


@pytest.mark.parametrize(
    "typed", ["", "12345", "1234567", "١٢٣٤٥٦", "abcdef", "\x00" * 6, "9" * 500]
)
def test_odd_codes_get_a_message_not_an_error(
    client: FlaskClient, auth: AuthActions, borough: Borough, typed: str
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    response = client.post("/sign-in/two-step", data={"code": typed})
    assert response.status_code in (400,)
    assert "There is a problem" in response.get_data(as_text=True)


def test_wrong_codes_count_as_failed_sign_ins_and_start_again_after_five(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    for _ in range(4):
        assert client.post("/sign-in/two-step", data={"code": "000000"}).status_code == 400
    fifth = client.post("/sign-in/two-step", data={"code": "000000"})
    assert fifth.headers["Location"].endswith("/sign-in")
    # Back to the password; the account's throttling has counted every wrong code.
    assert client.post("/sign-in/two-step", data={"code": _code(clock)}).status_code == 302
    assert not _signed_in(client)
    failed = _actions("sign_in.failed")
    assert len(failed) == 5
    assert "wrong two-step verification code" in failed[0].summary

    for _ in range(5):
        auth.login("admin@test.example")
        client.post("/sign-in/two-step", data={"code": "111111"})
    auth.login("admin@test.example")
    held = client.post("/sign-in/two-step", data={"code": _code(clock)})
    assert held.status_code in (302, 429)
    assert not _signed_in(client)


def test_the_pending_sign_in_expires_after_ten_minutes(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    clock.advance(minutes=11)
    response = client.post("/sign-in/two-step", data={"code": _code(clock)})
    assert response.headers["Location"].endswith("/sign-in")
    assert not _signed_in(client)


# -- recovery codes ---------------------------------------------------------------------


def _enrol_through_account(client: FlaskClient, clock: Clock) -> tuple[str, list[str]]:
    page = client.get("/account/two-step/set-up").get_data(as_text=True)
    key = re.search(r'class="careaudit-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    done = client.post("/account/two-step/set-up", data={"code": _code(clock, key)})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    return key, codes


def test_a_recovery_code_signs_in_once(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    auth.login("worker@test.example")
    _key, codes = _enrol_through_account(client, clock)
    assert len(codes) == 10
    auth.logout()

    auth.login("worker@test.example")
    used = client.post("/sign-in/two-step", data={"code": codes[0].upper()}, follow_redirects=True)
    assert "You have 9 left" in used.get_data(as_text=True)
    assert _signed_in(client)
    assert _actions("mfa.recovery_code_used")

    auth.logout()
    auth.login("worker@test.example")
    assert client.post("/sign-in/two-step", data={"code": codes[0]}).status_code == 400
    assert not _signed_in(client)


def test_new_recovery_codes_replace_the_old_ones(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    auth.login("worker@test.example")
    key, old = _enrol_through_account(client, clock)
    clock.advance(seconds=30)
    refused = client.post("/account/two-step/recovery-codes", data={"code": "000000"})
    assert refused.status_code == 400
    page = client.post("/account/two-step/recovery-codes", data={"code": _code(clock, key)})
    new = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    auth.logout()
    auth.login("worker@test.example")
    assert client.post("/sign-in/two-step", data={"code": old[1]}).status_code == 400


# -- turning it off, and an administrator's reset ---------------------------------------------


def test_a_user_may_turn_off_what_their_role_does_not_require(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    auth.login("worker@test.example")
    key, _codes = _enrol_through_account(client, clock)
    clock.advance(seconds=30)
    off = client.post("/account/two-step/turn-off", data={"code": _code(clock, key)})
    assert off.status_code == 302
    assert not db.session.get(User, borough.user("worker").id).has_mfa
    assert _actions("mfa.turned_off")


def test_an_administrator_cannot_turn_it_off(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    client.post("/sign-in/two-step", data={"code": _code(clock)})
    clock.advance(seconds=30)
    client.post("/account/two-step/turn-off", data={"code": _code(clock)})
    assert db.session.get(User, borough.user("admin").id).has_mfa


def test_an_administrator_resets_a_lost_phone_and_the_user_sets_it_up_again(
    app: Flask, client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    app.config["MFA_ROLES"] = ["team_manager"]
    _enrol(borough.user("team_manager"))
    _enrol(borough.user("admin"), secret="KRUGS4ZANFZSAYJAONSWG4TFOQQGC3TE")
    auth.login("admin@test.example")
    client.post(
        "/sign-in/two-step", data={"code": _code(clock, "KRUGS4ZANFZSAYJAONSWG4TFOQQGC3TE")}
    )
    manager = borough.user("team_manager")
    assert client.post(f"/admin/users/{manager.id}/two-step/reset").status_code == 302
    assert not db.session.get(User, manager.id).has_mfa
    assert _actions("mfa.reset")

    auth.logout()
    response = auth.login("team_manager@test.example")
    assert response.headers["Location"].endswith("/sign-in/two-step/set-up")


def test_only_administrators_reset_two_step_verification(
    client: FlaskClient, auth: AuthActions, borough: Borough
):
    auth.login("senior@test.example")
    target = borough.user("worker")
    assert client.post(f"/admin/users/{target.id}/two-step/reset").status_code == 403


# -- remembering a device --------------------------------------------------------------


def test_a_remembered_device_skips_the_code_for_twelve_hours_at_most(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    client.post("/sign-in/two-step", data={"code": _code(clock), "remember": "y"})
    assert _signed_in(client)
    auth.logout()

    clock.advance(hours=11)
    assert auth.login("admin@test.example").headers["Location"].endswith("/")
    assert _signed_in(client)
    auth.logout()
    # The password is still needed every time.
    assert auth.login("admin@test.example", "wrong password here").status_code == 200
    assert not _signed_in(client)


def test_the_remembered_device_cookie_expires(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    response = client.post("/sign-in/two-step", data={"code": _code(clock), "remember": "y"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "careaudit_mfa_device" in c)
    assert "Max-Age=43200" in cookie and "HttpOnly" in cookie


def test_another_users_remembered_device_does_not_help(
    app: Flask, client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    app.config["MFA_ROLES"] = ["team_manager"]
    _enrol(borough.user("admin"))
    _enrol(borough.user("team_manager"))
    auth.login("admin@test.example")
    client.post("/sign-in/two-step", data={"code": _code(clock), "remember": "y"})
    auth.logout()
    response = auth.login("team_manager@test.example")
    assert response.headers["Location"].endswith("/sign-in/two-step")


def test_a_reset_forgets_remembered_devices(
    app: Flask, client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    client.post("/sign-in/two-step", data={"code": _code(clock), "remember": "y"})
    auth.logout()
    admin = db.session.get(User, borough.user("admin").id)
    admin.mfa_secret = vault.seal("KRUGS4ZANFZSAYJAONSWG4TFOQQGC3TE")  # enrolled again
    db.session.commit()
    assert auth.login("admin@test.example").headers["Location"].endswith("/sign-in/two-step")


def test_signing_in_after_the_second_step_renews_the_session(
    client: FlaskClient, auth: AuthActions, borough: Borough, clock: Clock
):
    _enrol(borough.user("admin"))
    auth.login("admin@test.example")
    before = client.get_cookie("session")
    client.post("/sign-in/two-step", data={"code": _code(clock)})
    after = client.get_cookie("session")
    assert after is not None and (before is None or after.value != before.value)
    assert after.value.startswith("s1.")


def test_roles_are_named_by_their_values():
    # CAREAUDIT_MFA_ROLES uses these names.
    assert "independent_reviewer" in {role.value for role in Role}

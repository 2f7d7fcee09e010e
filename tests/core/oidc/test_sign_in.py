"""Signing in through the council's identity provider (OpenID Connect), against a local one."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from flask import g
from sqlalchemy import select

from core.extensions import db
from core.models import TrailEntry
from tests.core.oidc.provider import CLIENT_ID, TestProvider, through_provider
from tests.core.test_hostile_input import HOSTILE
from tests.factories import Borough


def entries(action: str) -> list[TrailEntry]:
    db.session.expire_all()
    statement = select(TrailEntry).where(TrailEntry.action == action).order_by(TrailEntry.id)
    return list(db.session.scalars(statement))


def signed_in_as(client, email: str) -> bool:
    g.pop("_login_user", None)  # the tests' shared app context would remember the last user
    account = client.get("/account")
    return account.status_code == 200 and email.encode() in account.data


# -- the journey ----------------------------------------------------------------------


def test_the_sign_in_page_offers_the_council_account_when_it_is_on(oidc_app, client, borough):
    page = client.get("/sign-in?next=/cases/").get_data(as_text=True)
    assert "Sign in with your council account" in page
    assert 'href="/sign-in/oidc?next=/cases/"' in page
    assert 'name="password"' in page  # passwords are still on
    oidc_app.config["OIDC_LABEL"] = "Sign in with Northwick Microsoft account"
    assert "Sign in with Northwick Microsoft account" in client.get("/sign-in").get_data(True)


def test_without_settings_there_is_no_button_and_no_route(app, client, borough):
    assert "council account" not in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/sign-in/oidc").status_code == 404
    assert client.get("/sign-in/oidc/callback?code=x&state=y").status_code == 404


def test_the_provider_is_asked_with_state_nonce_and_pkce(oidc_app, client, borough, provider):
    started = client.get("/sign-in/oidc")
    target = urlsplit(started.location)
    assert f"{target.scheme}://{target.netloc}" == provider.issuer
    query = parse_qs(target.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert "openid" in query["scope"][0].split() and "email" in query["scope"][0].split()
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["redirect_uri"] == [oidc_app.config["BASE_URL"] + "/sign-in/oidc/callback"]


def test_a_council_account_signs_in_to_the_careaudit_user_with_its_email(
    oidc_app, client, borough: Borough, provider: TestProvider
):
    """The full round trip: careaudit, the provider, back; a new session; the trail says how."""
    worker = borough.user("worker")
    assert client.get("/").status_code == 302
    client.get("/sign-in")
    before = client.get_cookie("session")
    landed = through_provider(client)
    assert landed.status_code == 302 and landed.location == "/"
    after = client.get_cookie("session")
    assert after is not None and after.value.startswith("s1.")
    assert before is None or before.value != after.value  # a new session id at sign-in
    assert signed_in_as(client, worker.email)
    assert client.get("/").status_code == 200
    [entry] = entries("sign_in.succeeded")
    assert entry.actor_id == worker.id
    assert entry.summary == "Signed in as worker@test.example through OIDC"
    # The provider got the code back with the client secret and the PKCE verifier.
    [exchange] = provider.token_requests
    assert exchange["code_verifier"] and exchange["grant_type"] == "authorization_code"


def test_the_email_is_matched_whatever_its_case(oidc_app, client, borough, provider):
    provider.behaviour.identity["email"] = "Worker@Test.Example"
    assert through_provider(client).status_code == 302
    assert signed_in_as(client, "worker@test.example")


@pytest.mark.parametrize("claim", ["preferred_username", "upn"])
def test_entra_sends_no_email_claim_then_the_user_principal_name_is_used(
    oidc_app, client, borough, provider, claim
):
    provider.behaviour.identity = {"email": None, claim: "IRO@test.example"}
    assert through_provider(client).status_code == 302
    assert signed_in_as(client, "iro@test.example")


def test_an_administrator_is_not_asked_for_careaudits_own_two_step_code(
    oidc_app, client, borough, provider
):
    """The council's provider enforces its own MFA; careaudit's TOTP is for passwords."""
    oidc_app.config["MFA_ENFORCED"] = True  # administrators must use it with a password
    provider.behaviour.identity["email"] = "admin@test.example"
    landed = through_provider(client)
    assert landed.status_code == 302 and landed.location == "/"
    assert signed_in_as(client, "admin@test.example")


def test_the_page_asked_for_is_kept_through_the_round_trip(oidc_app, client, borough):
    case = borough.cases["cin"]
    landed = through_provider(client, f"/sign-in/oidc?next={quote(f'/cases/{case.id}')}")
    assert landed.location == f"/cases/{case.id}"
    assert client.get(landed.location).status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "cases"]
)
def test_a_next_page_off_the_site_is_ignored(oidc_app, client, borough, target):
    landed = through_provider(client, f"/sign-in/oidc?next={quote(target, safe='')}")
    assert landed.status_code == 302 and landed.location == "/"


def test_a_signed_in_user_starting_again_goes_home(oidc_app, client, borough):
    through_provider(client)
    again = client.get("/sign-in/oidc")
    assert again.status_code == 302 and again.location == "/"


# -- refused ---------------------------------------------------------------------------


def refused(response, status: int = 403) -> str:
    """The page shown, after checking nobody is signed in and nothing broke."""
    assert response.status_code == status, response.status_code
    g.pop("_login_user", None)
    return response.get_data(as_text=True)


def test_an_email_careaudit_does_not_know_is_refused_and_recorded(
    oidc_app, client, borough, provider
):
    """Accounts are never created: the person is told who can add them."""
    provider.behaviour.identity["email"] = "new.starter@test.example"
    page = refused(through_provider(client))
    assert "Ask your system administrator to add you" in page
    assert client.get("/").status_code == 302
    [entry] = entries("sign_in.failed")
    assert "new.starter@test.example" in entry.summary
    assert "through OIDC" in entry.summary and "no active account" in entry.summary
    assert entry.summary.endswith("(no such account)")
    assert entries("sign_in.succeeded") == []


def test_an_inactive_user_is_refused(oidc_app, client, borough, provider):
    leaver = borough.user("other_worker")
    leaver.active = False
    db.session.commit()
    provider.behaviour.identity["email"] = leaver.email
    page = refused(through_provider(client))
    assert "Ask your system administrator to add you" in page
    [entry] = entries("sign_in.failed")
    assert leaver.email in entry.summary and "no such account" not in entry.summary


def test_an_identity_without_any_email_is_refused(oidc_app, client, borough, provider):
    provider.behaviour.identity = {"sub": "no-mail", "email": None, "name": "No Mail"}
    page = refused(through_provider(client))
    assert "did not tell us your email address" in page
    assert len(entries("sign_in.failed")) == 1


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"nonce": "a-nonce-from-another-sign-in"}, id="wrong nonce"),
        pytest.param({"nonce": None}, id="no nonce"),
        pytest.param({"aud": "another-application"}, id="wrong audience"),
        pytest.param({"aud": ["another-application"], "azp": CLIENT_ID}, id="audience only azp"),
        pytest.param({"iss": "https://login.example/other-tenant/v2.0"}, id="wrong issuer"),
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
    ],
)
def test_an_id_token_failing_a_check_is_refused(oidc_app, client, borough, provider, changes):
    provider.behaviour.changes = changes
    page = refused(through_provider(client), 400)
    assert "We could not confirm the answer from your council account" in page
    assert client.get("/").status_code == 302
    assert entries("sign_in.succeeded") == []
    assert len(entries("sign_in.failed")) == 1


@pytest.mark.parametrize("tamper", ["payload", "key"])
def test_a_tampered_or_forged_id_token_is_refused(oidc_app, client, borough, provider, tamper):
    """Claims changed after signing, or a token signed with a key the provider never published."""
    provider.behaviour.tamper = tamper
    refused(through_provider(client), 400)
    assert entries("sign_in.succeeded") == []


def test_an_answer_with_another_state_is_refused(oidc_app, client, borough, provider):
    """A callback that is not the answer to a sign-in this browser started (login CSRF)."""
    started = client.get("/sign-in/oidc")
    answer = requests.get(started.location, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    query = parse_qs(back.query)
    forged = f"{back.path}?code={query['code'][0]}&state=not-the-state-we-sent"
    page = refused(client.get(forged), 400)
    assert "Start signing in again" in page
    assert provider.token_requests == []  # the code was never exchanged
    [entry] = entries("sign_in.failed")
    assert entry.actor_id is None and entry.ip_address == "127.0.0.1"


def test_an_answer_in_another_browser_is_refused(oidc_app, app, client, borough, provider):
    """The code and state reach a browser that did not start the sign-in."""
    started = client.get("/sign-in/oidc")
    answer = requests.get(started.location, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    refused(app.test_client().get(f"{back.path}?{back.query}"), 400)


def test_an_answer_is_used_once(oidc_app, client, borough, provider):
    started = client.get("/sign-in/oidc")
    answer = requests.get(started.location, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.post("/sign-out")
    g.pop("_login_user", None)
    refused(client.get(f"{back.path}?{back.query}"), 400)


def test_the_provider_saying_no_is_a_page_not_an_error(oidc_app, client, borough, provider):
    provider.behaviour.error = "access_denied"
    page = refused(through_provider(client), 400)
    assert "Your council account did not sign you in" in page


@pytest.mark.parametrize(
    "query", ["", "?code=abc", "?state=abc", "?error=server_error", "?code=" + "9" * 5000]
)
def test_a_callback_with_nothing_started_is_a_page_not_an_error(oidc_app, client, borough, query):
    assert client.get(f"/sign-in/oidc/callback{query}").status_code == 400


def test_a_provider_that_cannot_be_reached_is_a_page_not_an_error(oidc_app, client, borough):
    oidc_app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    page = refused(client.get("/sign-in/oidc"), 400)
    assert "Signing in with your council account is not working" in page


@pytest.mark.parametrize("label", sorted(HOSTILE))
def test_hostile_values_in_every_parameter_are_never_a_500(oidc_app, client, borough, label):
    """The routes with the provider on (the route-wide walk runs with it off)."""
    value = HOSTILE[label]
    assert client.get("/sign-in/oidc", query_string={"next": value}).status_code < 500
    started = client.get("/sign-in/oidc")
    state = parse_qs(urlsplit(started.location).query)["state"][0]
    for query in (
        {"code": value, "state": value, "error": value},
        {"code": value, "state": state},  # a sign-in this browser started, a bad code
        {"error": value, "error_description": value, "state": state},
    ):
        assert client.get("/sign-in/oidc/callback", query_string=query).status_code < 500


def test_a_next_page_too_long_for_the_cookie_is_dropped(oidc_app, client, borough):
    landed = through_provider(client, "/sign-in/oidc?next=/cases/" + "x" * 5000)
    assert landed.status_code == 302 and landed.location == "/"


def test_an_answer_after_ten_minutes_is_refused(oidc_app, client, borough, provider, monkeypatch):
    started = client.get("/sign-in/oidc")
    answer = requests.get(started.location, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    later = time.time() + 601
    monkeypatch.setattr("core.oidc.provider._now", lambda: later)
    page = refused(client.get(f"{back.path}?{back.query}"), 400)
    assert "Your sign-in has expired" in page
    assert provider.token_requests == []

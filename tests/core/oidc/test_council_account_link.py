"""A council account is found by email once, then by the provider's subject (``sub``)."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from core.extensions import db
from core.models import OidcIdentity, TrailEntry
from tests.core.oidc.provider import TestProvider, through_provider
from tests.factories import Borough


def links() -> list[OidcIdentity]:
    db.session.expire_all()
    return list(db.session.scalars(select(OidcIdentity).order_by(OidcIdentity.id)))


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(TrailEntry.action).order_by(TrailEntry.id)))


def sign_in(client, provider: TestProvider, **identity: object) -> int:
    """Sign in through the provider as ``identity``; the status of careaudit's answer."""
    provider.behaviour.identity = dict(identity)
    status = through_provider(client).status_code
    g.pop("_login_user", None)
    return status


def account_email(client) -> str | None:
    page = client.get("/account")
    if page.status_code != 200:
        return None
    g.pop("_login_user", None)
    text = page.get_data(as_text=True)
    return next((e for e in ("worker@test.example", "iro@test.example") if e in text), None)


def test_the_first_sign_in_links_the_council_account(oidc_app, client, borough, provider):
    worker = borough.user("worker")
    assert sign_in(client, provider, sub="entra-77", email=worker.email) == 302
    [link] = links()
    assert (link.user_id, link.subject, link.issuer) == (worker.id, "entra-77", provider.issuer)
    assert "user.oidc_linked" in actions()


def test_a_linked_account_signs_in_even_when_its_email_changes(oidc_app, client, borough, provider):
    """A name change at the council: the subject, not the address, says who it is."""
    worker = borough.user("worker")
    sign_in(client, provider, sub="entra-77", email=worker.email)
    client.post("/sign-out")
    assert sign_in(client, provider, sub="entra-77", email="worker.newname@test.example") == 302
    assert account_email(client) == "worker@test.example"
    assert len(links()) == 1


def test_an_address_reused_for_someone_else_does_not_open_the_account(
    oidc_app, client, borough: Borough, provider
):
    """The council gave a leaver's address to a new starter; careaudit still had the leaver."""
    worker = borough.user("worker")
    sign_in(client, provider, sub="entra-leaver", email=worker.email)
    client.post("/sign-out")
    status = sign_in(client, provider, sub="entra-new-starter", email=worker.email)
    assert status == 403
    assert client.get("/").status_code == 302
    failed = db.session.scalars(
        select(TrailEntry).where(TrailEntry.action == "sign_in.failed")
    ).all()
    assert len(failed) == 1 and worker.email in failed[0].summary


def test_a_deactivated_user_is_refused_by_their_linked_account(
    oidc_app, client, borough: Borough, provider
):
    worker = borough.user("worker")
    sign_in(client, provider, sub="entra-77", email=worker.email)
    client.post("/sign-out")
    worker.active = False
    db.session.commit()
    assert sign_in(client, provider, sub="entra-77", email=worker.email) == 403


def test_an_administrator_unlinks_the_account_and_the_next_sign_in_links_again(
    oidc_app, app, client, borough: Borough, provider
):
    worker = borough.user("worker")
    sign_in(client, provider, sub="entra-leaver", email=worker.email)
    client.post("/sign-out")
    admin = app.test_client()
    assert sign_in(admin, provider, email="admin@test.example") == 302
    page = admin.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    assert "first signed in with their council account" in page
    g.pop("_login_user", None)
    unlinked = admin.post(f"/admin/users/{worker.id}/council-account/unlink")
    assert unlinked.status_code == 302
    assert [link.user_id for link in links()] == [borough.user("admin").id]
    assert "user.oidc_unlinked" in actions()
    g.pop("_login_user", None)
    assert sign_in(client, provider, sub="entra-new-starter", email=worker.email) == 302
    assert account_email(client) == "worker@test.example"


def test_only_administrators_may_unlink(oidc_app, client, auth, borough: Borough, provider):
    worker = borough.user("worker")
    sign_in(client, provider, sub="entra-77", email=worker.email)
    client.post("/sign-out")
    g.pop("_login_user", None)
    auth.login("senior@test.example")
    assert client.post(f"/admin/users/{worker.id}/council-account/unlink").status_code == 403
    assert len(links()) == 1


def test_a_new_app_registration_links_by_email_again(oidc_app, client, borough, provider):
    """Entra ID's subjects differ per app registration: a new one must not lock everyone out."""
    worker = borough.user("worker")
    sign_in(client, provider, sub="entra-77", email=worker.email)
    client.post("/sign-out")
    db.session.execute(OidcIdentity.__table__.update().values(client_id="the-old-registration"))
    db.session.commit()
    assert sign_in(client, provider, sub="entra-other-app", email=worker.email) == 302
    assert len(links()) == 2

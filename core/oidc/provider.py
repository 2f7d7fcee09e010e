"""The identity provider, through authlib: where to send people, and what its answer proves.

authlib does the protocol (discovery, the authorisation URL with state, nonce and a
PKCE challenge, the token request, the id token's signature against the provider's
published keys, and its claims); this module keeps what careaudit adds: the
pending sign-in in the session, which claims must hold, and which user it is.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import Flask, current_app, session
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import trail
from core.extensions import db
from core.models import OidcIdentity, User

#: Scopes asked for: ``email`` and ``profile`` carry the claims the user is found by.
SCOPE = "openid email profile"
#: Only signatures by the provider's published (asymmetric) keys are accepted, whatever
#: its discovery document offers: never "none", never a shared secret.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
#: Seconds to wait for the provider before telling the user it is not answering.
TIMEOUT = 10
#: Seconds allowed for clocks that differ between careaudit and the provider.
LEEWAY = 60
#: A sign-in started but not finished within this many seconds must start again.
PENDING_SECONDS = 600
#: The claims that may name the user, in order. Entra ID leaves out ``email`` when the
#: account has no mailbox address and sends ``preferred_username`` (v2) or ``upn`` (v1).
IDENTITY_CLAIMS = ("email", "preferred_username", "upn")

_NAME = "oidc"
_EXTENSION = "careaudit_oidc"


class SignInProblem(Exception):
    """The sign-in cannot finish; ``kind`` says which page the user sees. ``email`` and
    ``user_id`` say which account it was about, when known, for the trail."""

    def __init__(
        self, kind: str, detail: str, *, email: str = "", user_id: int | None = None
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.email = email
        self.user_id = user_id


@dataclass(frozen=True)
class ProvenIdentity:
    """What a valid id token says about the person who signed in."""

    issuer: str
    subject: str
    email: str | None
    next_url: str | None


def _now() -> float:
    """Seconds since the epoch, as authlib stamps the pending sign-in (tests move it)."""
    return time.time()


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def client(app: Flask | None = None) -> FlaskOAuth2App:
    """The app's authlib client; one per app, so the discovery document and the
    provider's keys are fetched once and kept (keys again when one is not found)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    existing = app.extensions.get(_EXTENSION)
    if existing is not None:
        return existing
    config = app.config
    integration = FlaskIntegration(_NAME)
    integration.expires_in = PENDING_SECONDS
    # Made directly rather than through authlib's OAuth registry, which would also read
    # OIDC_CLIENT_ID-style keys from the app's config by the client's name.
    made = FlaskOAuth2App(
        integration,
        name=_NAME,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config.get("OIDC_CLIENT_SECRET") or None,
        server_metadata_url=discovery_url(config["OIDC_ISSUER"]),
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )
    app.extensions[_EXTENSION] = made
    return made


def _metadata(provider: FlaskOAuth2App) -> Mapping[str, Any]:
    """The provider's discovery document, checked and narrowed to what careaudit accepts."""
    metadata = provider.load_server_metadata()
    issuer = current_app.config["OIDC_ISSUER"]
    if str(metadata.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        # OpenID Connect Discovery 4.3: a document for another issuer is not this provider's.
        raise SignInProblem("provider", f"discovery names issuer {metadata.get('issuer')!r}")
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    accepted = [name for name in offered if name in SIGNING_ALGORITHMS]
    if not accepted:
        raise SignInProblem("provider", f"no acceptable id token signature in {offered!r}")
    # authlib takes the algorithms it allows from this list when it checks the signature.
    metadata["id_token_signing_alg_values_supported"] = accepted
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if provider.client_secret and "client_secret_basic" not in methods:
        provider.client_kwargs["token_endpoint_auth_method"] = "client_secret_post"
    return metadata


def _drop_pending() -> None:
    """Forget sign-ins this browser started and did not finish: one at a time, and the
    session cookie does not grow with every abandoned attempt."""
    for key in [key for key in session if key.startswith(f"_state_{_NAME}_")]:
        session.pop(key, None)


def authorisation_url(redirect_uri: str, next_url: str | None) -> str:
    """Where to send the browser to sign in; the state, nonce, PKCE verifier and the page
    to land on afterwards wait in this browser's session for the callback."""
    provider = client()
    _metadata(provider)
    made = provider.create_authorization_url(redirect_uri)
    _drop_pending()
    provider.framework.set_state_data(
        session,
        made["state"],
        {
            "redirect_uri": redirect_uri,
            "nonce": made["nonce"],
            "code_verifier": made["code_verifier"],
            "next": next_url,
        },
    )
    return str(made["url"])


def finish(args: Mapping[str, str]) -> ProvenIdentity:
    """Check the provider's answer (the callback's query) and what its id token proves.

    Raises :class:`SignInProblem` with kind ``"denied"`` (the provider said no),
    ``"state"`` (not a sign-in this browser started, or too late), ``"token"`` (the id
    token failed a check) or ``"provider"`` (the provider misbehaved or is unreachable).
    """
    provider = client()
    state = args.get("state") or ""
    pending = provider.framework.get_state_data(session, state) if state else None
    # authlib stores an expiry with the state but does not check it when reading.
    stored = session.get(f"_state_{_NAME}_{state}")
    if not isinstance(stored, dict) or not stored.get("exp", 0) > _now():
        pending = None
    _drop_pending()  # a state is good for one answer only
    if args.get("error"):
        raise SignInProblem("denied", f"provider error {args.get('error', '')[:100]!r}")
    if not pending:
        raise SignInProblem("state", "state does not match a sign-in started here")
    code = args.get("code")
    if not code:
        raise SignInProblem("provider", "no code in the provider's answer")
    metadata = _metadata(provider)
    token = provider.fetch_access_token(
        redirect_uri=pending["redirect_uri"], code=code, code_verifier=pending["code_verifier"]
    )
    if "id_token" not in token:
        raise SignInProblem("provider", "the token endpoint sent no id token")
    # authlib checks the signature against the provider's keys, the nonce, expiry and
    # issue time; the options make it also insist on this issuer and on this client
    # being the audience (on its own it would accept a token naming only a party "azp").
    claims = provider.parse_id_token(
        token,
        nonce=pending["nonce"],
        claims_options={
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": provider.client_id},
            "exp": {"essential": True},
        },
        leeway=LEEWAY,
    )
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= 255 or "\x00" in subject:
        raise SignInProblem("token", "the subject is missing or not a usable string")
    return ProvenIdentity(
        issuer=str(metadata["issuer"]),
        subject=subject,
        email=identity_email(claims),
        next_url=pending.get("next"),
    )


def identity_email(claims: Mapping[str, Any]) -> str | None:
    """The email address the claims name, lower-cased: ``email``, else Entra's
    ``preferred_username`` or ``upn`` when they are an address."""
    for name in IDENTITY_CLAIMS:
        value = claims.get(name)
        if not isinstance(value, str):
            continue
        value = value.strip().lower()
        # PostgreSQL cannot compare text holding NUL; nothing longer fits the column.
        if "@" in value and "\x00" not in value and len(value) <= 254:
            return value
    return None


def user_for(email: str) -> User | None:
    """The careaudit user with this email address (any case), active or not."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _link_for(identity: ProvenIdentity) -> OidcIdentity | None:
    return db.session.scalar(
        select(OidcIdentity).where(
            OidcIdentity.issuer == identity.issuer,
            OidcIdentity.client_id == current_app.config["OIDC_CLIENT_ID"],
            OidcIdentity.subject == identity.subject,
        )
    )


def _link_of(user: User, issuer: str) -> OidcIdentity | None:
    return db.session.scalar(
        select(OidcIdentity).where(
            OidcIdentity.user_id == user.id,
            OidcIdentity.issuer == issuer,
            OidcIdentity.client_id == current_app.config["OIDC_CLIENT_ID"],
        )
    )


def _active(user: User | None, email: str) -> User:
    if user is None or not user.active:
        detail = "no such account" if user is None else "account is not active"
        raise SignInProblem("account", detail, email=email, user_id=user and user.id)
    return user


def user_signing_in(identity: ProvenIdentity) -> User:
    """The active careaudit user this council account is, linking them at the first sign-in.

    A council account seen before is its user, whatever email it now sends. A new one is
    found by email, and is refused if that user is already linked to a different council
    account (an address reused for someone else). Raises :class:`SignInProblem`.
    """
    link = _link_for(identity)
    if link is not None:
        user = db.session.get(User, link.user_id)
        return _active(user, user.email if user else identity.email or "")
    if identity.email is None:
        raise SignInProblem("no_email", f"no email claim for subject {identity.subject[:100]!r}")
    user = _active(user_for(identity.email), identity.email)
    if _link_of(user, identity.issuer) is not None:
        raise SignInProblem(
            "linked", "the account is linked to another subject", email=user.email, user_id=user.id
        )
    link = OidcIdentity(
        user_id=user.id,
        issuer=identity.issuer,
        client_id=current_app.config["OIDC_CLIENT_ID"],
        subject=identity.subject,
    )
    try:
        with db.session.begin_nested():
            db.session.add(link)
    except IntegrityError:
        # The same person finishing two sign-ins at once: the other request linked them.
        return user_signing_in(identity)
    trail.record(
        "user.oidc_linked",
        user,
        summary=f"{user.email} linked to their council account at the identity provider",
        after={"issuer": identity.issuer, "subject": identity.subject},
        actor=user,
    )
    return user


def unlink(user: User) -> int:
    """Forget the user's council accounts (an administrator's fix when the council reuses
    an address or replaces an account); the next sign-in links by email again."""
    links = db.session.scalars(select(OidcIdentity).where(OidcIdentity.user_id == user.id)).all()
    for link in links:
        db.session.delete(link)
    if links:
        trail.record(
            "user.oidc_unlinked",
            user,
            summary=f"{user.email} unlinked from their council account",
            before={"subjects": [link.subject for link in links]},
        )
    return len(links)


def linked_at(user: User) -> datetime | None:
    """When the user was first seen through the identity provider, if ever."""
    return db.session.scalar(
        select(func.min(OidcIdentity.linked_at)).where(OidcIdentity.user_id == user.id)
    )

"""Signing in through the council's identity provider (OpenID Connect, e.g. Microsoft Entra ID).

* ``views``: ``/sign-in/oidc`` sends the browser to the provider (authorisation code flow
  with state, nonce and PKCE); ``/sign-in/oidc/callback`` takes the answer, checks the id
  token and signs the matching careaudit user in through ``core.auth.views.complete_sign_in``.
* ``provider``: the authlib client, the checks on the id token, and which careaudit user
  an identity is.

Optional: on when ``OIDC_ISSUER`` and ``OIDC_CLIENT_ID`` are set. Accounts are never
created here; the provider only proves who someone is, and careaudit's own user list
(email, role, active) still decides whether they may use it and what they see. With
``LOCAL_PASSWORDS`` off, this is the only way in.
"""

from __future__ import annotations

from flask import Flask, current_app


class OidcSettingsError(RuntimeError):
    """The settings would leave nobody able to sign in."""


def enabled(app: Flask | None = None) -> bool:
    """Whether sign-in through the identity provider is configured."""
    config = (app or current_app).config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def local_passwords(app: Flask | None = None) -> bool:
    """Whether careaudit's own passwords may be used to sign in."""
    return bool((app or current_app).config.get("LOCAL_PASSWORDS", True))


def check_settings(app: Flask) -> None:
    """Refuse to start with passwords off and no identity provider: nobody could sign in."""
    if not local_passwords(app) and not enabled(app):
        raise OidcSettingsError(
            "CAREAUDIT_LOCAL_PASSWORDS is off but sign-in through the identity provider is "
            "not configured, so nobody could sign in. Set CAREAUDIT_OIDC_ISSUER and "
            "CAREAUDIT_OIDC_CLIENT_ID (and CAREAUDIT_OIDC_CLIENT_SECRET), or turn "
            "CAREAUDIT_LOCAL_PASSWORDS back on."
        )

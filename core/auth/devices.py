"""Device cookies (OWASP): a browser that has signed in to an account before is trusted.

Without them, throttling per account lets an attacker who knows someone's email keep
the account held for ever, trying once each time the hold lapses. With them, a browser
that has completed a sign-in to an account keeps a signed cookie naming the account
(its email hash) and a random device id; its attempts are counted on their own, so the
owner's usual browser is never held by failures made elsewhere, while an attacker's
browser (which has no such cookie) shares the untrusted count.
"""

from __future__ import annotations

import secrets

from flask import Request, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from core.auth.throttle import email_hash

COOKIE = "careaudit_device"
#: How long a browser stays trusted after its last sign-in.
LIFETIME_DAYS = 180


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="careaudit-device")


def issue(response: Response, email: str) -> None:
    """Trust this browser for this account (after a complete sign-in)."""
    value = _serializer().dumps({"e": email_hash(email), "d": secrets.token_hex(16)})
    response.set_cookie(
        COOKIE,
        value,
        max_age=LIFETIME_DAYS * 24 * 3600,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def device_for(request: Request, email: str) -> str | None:
    """This browser's device id, if it is trusted for the account ``email``."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=LIFETIME_DAYS * 24 * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != email_hash(email):
        return None
    device = data.get("d")
    return device if isinstance(device, str) and len(device) == 32 else None

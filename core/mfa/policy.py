"""Who must use two-step verification, and remembering a device.

Administrators always must (when ``MFA_ENFORCED``, which only tests switch off); the
council adds roles with CAREAUDIT_MFA_ROLES. Anyone else may turn it on for themselves.

"Remember this device": after a correct code the browser may keep a signed cookie
that skips the second step for the same user for ``MFA_REMEMBER_HOURS`` (at most 12). The
cookie names the user and a fingerprint of their secret, so a reset or a new enrolment
makes every remembered device ask again; the password is still needed every time.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Request, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from core.models import Role, User

COOKIE = "careaudit_mfa_device"
MAX_REMEMBER_HOURS = 12


def check_settings(app: Flask) -> None:
    """Refuse to start with a role name that does not exist (a typo would leave a role
    without the second step it was meant to have)."""
    known = {role.value for role in Role}
    unknown = [name for name in app.config.get("MFA_ROLES", ()) if name not in known]
    if unknown:
        raise ValueError(
            "CAREAUDIT_MFA_ROLES names unknown roles: "
            + ", ".join(unknown)
            + ". Use any of: "
            + ", ".join(sorted(known))
        )


def is_required(user: User) -> bool:
    if not current_app.config.get("MFA_ENFORCED", True):
        return False
    if user.role is Role.ADMINISTRATOR:
        return True
    return user.role.value in set(current_app.config.get("MFA_ROLES", ()))


def needs_second_step(user: User) -> bool:
    return user.has_mfa or is_required(user)


def remember_seconds() -> int:
    hours = min(float(current_app.config.get("MFA_REMEMBER_HOURS", 12)), MAX_REMEMBER_HOURS)
    return max(0, int(hours * 3600))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="careaudit-mfa-device")


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.mfa_secret or "").encode()).hexdigest()[:16]


def remember(response: Response, user: User) -> None:
    seconds = remember_seconds()
    if not seconds or not user.has_mfa:
        return
    value = _serializer().dumps({"u": user.id, "f": _fingerprint(user)})
    response.set_cookie(
        COOKIE,
        value,
        max_age=seconds,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def is_remembered(request: Request, user: User) -> bool:
    value = request.cookies.get(COOKIE)
    if not value or not user.has_mfa or not remember_seconds():
        return False
    try:
        data = _serializer().loads(value, max_age=remember_seconds())
    except BadSignature:
        return False
    return (
        isinstance(data, dict) and data.get("u") == user.id and data.get("f") == _fingerprint(user)
    )

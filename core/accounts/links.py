"""One-time set-up links: signed, expiring, and spent once the password is set.

The token carries the user's id and a fingerprint of their current password
hash. Setting a password changes the hash, so the link cannot be used twice,
and an older link stops working the moment a newer password is set. No table
is needed, and every server that shares ``SECRET_KEY`` accepts the link.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from core.extensions import db
from core.models import User

SALT = "careaudit.set-password"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    text = f"{user.id}:{user.email}:{user.password_hash}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def setup_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "state": _fingerprint(user)})


def link_hours() -> int:
    return int(current_app.config["SETUP_LINK_HOURS"])


def user_for_token(token: str) -> User | None:
    """The active user the link is for, or None if it is forged, expired or spent."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer().loads(token, max_age=link_hours() * 3600)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.active or data.get("state") != _fingerprint(user):
        return None
    return user


def has_no_password(user: User) -> bool:
    """True for staff created by the staff import who have not set a password yet."""
    return user.password_hash.startswith("!")

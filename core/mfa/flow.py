"""From a correct password to the second step.

Between the two, the browser is not signed in: its (signed, anonymous) cookie session
holds who got the password right, when, and where to go after. The pending state lasts
``PENDING_MINUTES``; a wrong code counts as a failed sign-in for the account's
throttling (core.auth.throttle), so codes cannot be guessed faster than passwords, and
after ``MAX_WRONG_CODES`` the user starts again from the password.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from core.auth import throttle
from core.extensions import db
from core.mfa import policy
from core.mfa.totp import timestamp
from core.models import User
from core.sessions import clock

PENDING = "mfa_pending"
PENDING_MINUTES = 10
MAX_WRONG_CODES = 5


@dataclass
class Pending:
    user: User
    next_url: str | None
    wrong: int
    #: The secret being set up, during enrolment at sign-in (not stored until confirmed).
    new_secret: str | None


def after_password(user: User, next_url: str | None) -> Response:
    """The password was right: sign in, or ask for the second step."""
    from core.auth.views import complete_sign_in

    if not policy.needs_second_step(user) or policy.is_remembered(request, user):
        throttle.record(user.email.lower(), request.remote_addr or "", success=True)
        return complete_sign_in(user, method="password", next_url=next_url)
    db.session.commit()  # a rehashed password
    session[PENDING] = {
        "u": user.id,
        "t": timestamp(clock.now()),
        "n": next_url,
        "w": 0,
    }
    return redirect(url_for("mfa.verify" if user.has_mfa else "mfa.enrol"))


def pending() -> Pending | None:
    """The sign-in waiting for its second step, if it is still fresh."""
    data = session.get(PENDING)
    if not isinstance(data, dict):
        return None
    started = data.get("t")
    if not isinstance(started, int) or timestamp(clock.now()) - started > PENDING_MINUTES * 60:
        session.pop(PENDING, None)
        return None
    user_id = data.get("u")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active:
        session.pop(PENDING, None)
        return None
    next_url = data.get("n")
    secret = data.get("s")
    return Pending(
        user=user,
        next_url=next_url if isinstance(next_url, str) else None,
        wrong=int(data.get("w") or 0),
        new_secret=secret if isinstance(secret, str) else None,
    )


def keep_secret(secret: str) -> None:
    data = dict(session.get(PENDING) or {})
    data["s"] = secret
    session[PENDING] = data


def count_wrong() -> int:
    """Count a wrong code; returns how many so far. Past the limit the attempt ends."""
    data = dict(session.get(PENDING) or {})
    data["w"] = int(data.get("w") or 0) + 1
    if data["w"] >= MAX_WRONG_CODES:
        session.pop(PENDING, None)
    else:
        session[PENDING] = data
    return data["w"]


def finish() -> None:
    session.pop(PENDING, None)

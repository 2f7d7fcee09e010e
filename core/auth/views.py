"""Signing in and out."""

from __future__ import annotations

import math
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core import sessions
from core.access import Permission, requires
from core.auth import devices, throttle
from core.auth.forms import SignInForm
from core.auth.signals import sign_in_failed, signed_in
from core.extensions import db, limiter, login_manager
from core.mfa import flow as mfa_flow
from core.models import User
from core.models._types import utcnow
from core.passwords import hash_password, needs_rehash, verify_password
from core.sessions import clock
from core.sessions.store import USER_LOADS

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # Usually already loaded with the session's record (core.sessions.store.find).
    user = db.session.get(User, int(user_id), options=USER_LOADS) if user_id.isdigit() else None
    # A deactivated account is signed out on its next request.
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str:
    """Only ever redirect within this site after signing in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("home.index")


_dummy_hashes: dict[bool, str] = {}


def _dummy_hash() -> str:
    """A real Argon2 hash of a random password, made with the app's current settings, so
    checking a password for an unknown or inactive account costs what a real one does."""
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    if fast not in _dummy_hashes:
        _dummy_hashes[fast] = hash_password(secrets.token_urlsafe(16))
    return _dummy_hashes[fast]


def _check(user: User | None, password: str) -> bool:
    """Verify the password with exactly one Argon2 verification, whoever the account is."""
    # The staff import's "no password yet" marker is not a hash: checked as it is, it would
    # be refused at once, and the quick answer would tell such accounts apart.
    if user is not None and user.active and user.password_hash.startswith("$argon2"):
        return verify_password(user.password_hash, password)
    verify_password(_dummy_hash(), password)
    return False


def complete_sign_in(user: User, *, method: str, next_url: str | None = None) -> Response:
    """Sign ``user`` in once they have proved who they are (password, or the council's
    identity provider) and send them on. Every way of signing in ends here, so each gets
    a fresh session id and CSRF secret and the same trail entry."""
    user.last_login_at = utcnow()
    db.session.commit()
    sessions.renew()  # a new session id and CSRF secret (session fixation)
    login_user(user)
    signed_in.send(current_app._get_current_object(), user=user, method=method)  # type: ignore[attr-defined]
    response = redirect(_safe_next(next_url))
    devices.issue(response, user.email)  # this browser is now trusted for the account
    return response


def _held_message(until: datetime) -> str:
    seconds = (until - clock.now()).total_seconds()
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"You have tried to sign in too many times. Wait {minutes} {unit}, then try again"


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@requires(Permission.PUBLIC)
def sign_in() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if request.method == "POST" and not current_app.config["LOCAL_PASSWORDS"]:
        # Passwords are switched off (core.oidc): refused before any check, so none is tried.
        return render_template("auth/sign_in.html", form=form, passwords_refused=True), 403
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        address = request.remote_addr or ""
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        device = devices.device_for(request, email)
        held = throttle.held_until(email, address, device)
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if held is not None:
            # Refused before any password check, and not counted: the hold cannot be
            # lengthened by an attacker who keeps trying, so the owner gets back in.
            sign_in_failed.send(app, email=email, user_id=user.id if user else None, reason="held")
            form.email.errors = [_held_message(held)]
            return render_template("auth/sign_in.html", form=form), 429
        password = form.password.data or ""
        if _check(user, password) and user is not None:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            # The second step, where the user has or needs one; else signed in now. Only a
            # complete sign-in counts as a success for throttling: a right password alone
            # must not clear the count of wrong codes.
            return mfa_flow.after_password(user, request.args.get("next"))
        throttle.record(email, address, success=False, device=device)
        db.session.commit()
        sign_in_failed.send(app, email=email, user_id=user.id if user else None, reason="wrong")
        # One message for every failure, so the page does not reveal who has an account.
        form.email.errors = ["Enter a correct email address and password"]
    timed_out = request.method == "GET" and request.args.get("timed_out") == "1"
    return render_template("auth/sign_in.html", form=form, timed_out=timed_out)


@bp.route("/sign-out", methods=["POST"])
@requires(Permission.SIGNED_IN)
def sign_out() -> Response:
    # Removing the user from the session ends its server record at the end of this
    # request (core.sessions), so the old cookie opens nothing afterwards.
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account")
@requires(Permission.SIGNED_IN)
def account() -> str:
    """The user's own account: where they are signed in, and "sign out everywhere"."""
    live = sessions.live_sessions(current_user.id)
    return render_template("auth/account.html", sessions=live)


@bp.route("/sign-out-everywhere", methods=["POST"])
@requires(Permission.SIGNED_IN)
def sign_out_everywhere() -> Response:
    sessions.end_sessions(current_user.id, "signed out everywhere")
    db.session.commit()
    logout_user()
    flash("You have signed out on every device.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/session/keep-alive", methods=["POST"])
@requires(Permission.SIGNED_IN)
def keep_alive() -> Response:
    """ "Stay signed in" in the timeout warning: this request counts as activity."""
    g.session_touch = True
    return jsonify(seconds_left=sessions.seconds_left(touched=True) or 0)


@bp.route("/session/status")
@requires(Permission.PUBLIC)
def session_status() -> Response:
    """How long this browser has left, for the timeout warning. Asking is not activity,
    or a forgotten tab would keep its session alive for ever."""
    g.session_no_touch = True
    return jsonify(seconds_left=sessions.seconds_left() or 0)

"""Setting a password from a set-up link, and changing one's own password."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user

from core import trail
from core.access import Permission, requires
from core.accounts.forms import ChangePasswordForm, NewPasswordForm
from core.accounts.links import link_hours, user_for_token
from core.extensions import db
from core.models import User
from core.oidc import local_passwords
from core.oidc.views import passwords_not_used
from core.password_policy import password_problem
from core.passwords import hash_password, verify_password

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _check_new(form: NewPasswordForm, user: User) -> bool:
    """The form's own checks, then the password policy and the confirmation."""
    valid = form.validate_on_submit()
    if not form.password.errors and form.password.data:
        problem = password_problem(form.password.data, email=user.email, name=user.name)
        if problem:
            form.password.errors = [*form.password.errors, problem]
            valid = False
        elif form.confirm.data and form.confirm.data != form.password.data:
            form.confirm.errors = [*form.confirm.errors, "The passwords do not match"]
            valid = False
    return valid and not form.password.errors and not form.confirm.errors


def _set(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    trail.record("user.password_changed", user, summary=f"Password set for {user.email}")
    db.session.commit()
    _end_sessions(user)
    # Commit the ends (and their trail entry) now: the sign-out that follows records
    # itself in a transaction of its own, which must not wait for this one.
    db.session.commit()


def _end_sessions(user: User) -> None:
    """A new password ends every session of the account (where sessions are server-side)."""
    try:
        from core.sessions import end_sessions
    except ImportError:  # pragma: no cover - sessions are part of the same release
        return
    end_sessions(user.id, "password changed")


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@requires(Permission.PUBLIC)
def set_password(token: str) -> Any:
    if not local_passwords():
        return passwords_not_used()  # the link is left unspent, in case passwords return
    user = user_for_token(token)
    if user is None:
        return render_template("accounts/link_invalid.html", hours=link_hours()), 404
    if current_user.is_authenticated and current_user.id != user.id:
        logout_user()  # someone else's browser: the link is for the person it names
    form = NewPasswordForm()
    if _check_new(form, user):
        _set(user, form.password.data or "")
        if current_user.is_authenticated:
            logout_user()
        flash("Your password is set. Sign in with your email address and new password.", "success")
        return redirect(url_for("auth.sign_in"))
    status = 400 if form.errors else 200
    return render_template("accounts/set_password.html", form=form, user=user), status


@bp.route("/password", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def change_password() -> Any:
    if not local_passwords():
        return passwords_not_used()
    form = ChangePasswordForm()
    user: User = current_user  # type: ignore[assignment]
    valid = _check_new(form, user)
    if form.is_submitted() and form.current.data:
        if not verify_password(user.password_hash, form.current.data):
            form.current.errors = [*form.current.errors, "Your current password is not correct"]
            valid = False
        elif form.password.data == form.current.data:
            form.password.errors = [*form.password.errors, "Choose a password you have not used"]
            valid = False
    if valid:
        _set(user, form.password.data or "")
        flash("Your password has been changed. Sign in again with the new password.", "success")
        logout_user()
        return redirect(url_for("auth.sign_in"))
    status = 400 if form.errors else 200
    return render_template("accounts/change_password.html", form=form), status

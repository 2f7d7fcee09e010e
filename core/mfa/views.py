"""The two-step verification pages.

At sign-in (not signed in yet; core.mfa.flow holds the pending sign-in):

- ``/sign-in/two-step``: the code from the app, or a recovery code;
- ``/sign-in/two-step/set-up``: enrolment for someone who must use it and has not
  yet: the QR code, then the first code, then the recovery codes, shown once.

Signed in: ``/account/two-step`` (turn it on, new recovery codes, turn it off where it is
not required). Administrators: reset a user's two-step verification (a lost phone).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from core import trail
from core.access import Permission, requires
from core.auth import devices, throttle
from core.auth.signals import sign_in_failed
from core.extensions import db
from core.mfa import flow, policy, recovery, totp, vault
from core.mfa.forms import CodeForm, ConfirmForm, SignInCodeForm
from core.models import User
from core.sessions import clock

bp = Blueprint("mfa", __name__)

#: The account page's enrolment keeps its new secret here (server-side session).
ACCOUNT_SECRET = "mfa_new_secret"

WRONG_CODE = "The code is not right. Check your authenticator app and enter the code it shows now"


def _issuer() -> str:
    return str(current_app.config.get("SERVICE_NAME") or "careaudit")


def _setup_page(form: CodeForm, secret: str, email: str, status: int = 200, **extra: Any) -> Any:
    uri = totp.provisioning_uri(secret, email, _issuer())
    return (
        render_template(
            "mfa/set_up.html",
            form=form,
            qr=totp.qr_svg(uri, f"QR code to add {_issuer()} to your authenticator app"),
            key=totp.grouped(secret),
            **extra,
        ),
        status,
    )


def _accept(user: User, code: str) -> str | None:
    """Check a sign-in code: "app", "recovery" or None. Spends what it accepts."""
    secret = vault.unseal(user.mfa_secret or "")
    if secret is not None:
        step = totp.matching_step(secret, code, clock.now(), user.mfa_last_step)
        if step is not None:
            user.mfa_last_step = step
            return "app"
    if recovery.use_code(user, code):
        return "recovery"
    return None


def _refuse(user: User, form: CodeForm, address: str) -> Any:
    """A wrong code: counted like a wrong password, and after a few, start again."""
    device = devices.device_for(request, user.email)
    throttle.record(user.email.lower(), address, success=False, device=device)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sign_in_failed.send(app, email=user.email.lower(), user_id=user.id, reason="code")
    if flow.count_wrong() >= flow.MAX_WRONG_CODES:
        flash("You entered a wrong code too many times. Sign in again.", "error")
        return redirect(url_for("auth.sign_in"))
    form.code.errors = [WRONG_CODE]
    return None


def _held(user: User, address: str) -> str | None:
    device = devices.device_for(request, user.email)
    held = throttle.held_until(user.email.lower(), address, device)
    if held is None:
        return None
    from core.auth.views import _held_message

    return _held_message(held)


@bp.route("/sign-in/two-step", methods=["GET", "POST"])
@requires(Permission.PUBLIC)
def verify() -> Any:
    from core.auth.views import complete_sign_in

    pending = flow.pending()
    if pending is None:
        return redirect(url_for("auth.sign_in"))
    user = pending.user
    if not user.has_mfa:
        return redirect(url_for("mfa.enrol"))
    form = SignInCodeForm()
    hours = policy.remember_seconds() // 3600
    form.remember.label.text = f"Do not ask for a code on this device for {hours} hours"
    address = request.remote_addr or ""
    if form.validate_on_submit():
        held = _held(user, address)
        if held:
            form.code.errors = [held]
            return render_template("mfa/verify.html", form=form, hours=hours), 429
        how = _accept(user, form.code.data or "")
        if how is None:
            refused = _refuse(user, form, address)
            if refused is not None:
                return refused
            return render_template("mfa/verify.html", form=form, hours=hours), 400
        throttle.record(user.email.lower(), address, success=True)
        if how == "recovery":
            left = recovery.remaining(user)
            trail.record(
                "mfa.recovery_code_used",
                user,
                summary=f"{user.email} signed in with a recovery code ({left} left)",
                actor=user,
            )
            flash(
                f"You signed in with a recovery code. You have {left} left. "
                "If you have lost your phone, set up two-step verification again "
                "from your account page.",
                "info",
            )
        flow.finish()
        response = complete_sign_in(user, method="password", next_url=pending.next_url)
        if form.remember.data and how == "app":
            policy.remember(response, user)
        return response
    status = 400 if form.errors else 200
    return render_template("mfa/verify.html", form=form, hours=hours), status


@bp.route("/sign-in/two-step/set-up", methods=["GET", "POST"])
@requires(Permission.PUBLIC)
def enrol() -> Any:
    """First sign-in of someone who must use two-step verification: set it up now."""
    from core.auth.views import complete_sign_in

    pending = flow.pending()
    if pending is None:
        return redirect(url_for("auth.sign_in"))
    user = pending.user
    if user.has_mfa:
        return redirect(url_for("mfa.verify"))
    secret = pending.new_secret
    if secret is None:
        secret = totp.new_secret()
        flow.keep_secret(secret)
    form = CodeForm()
    address = request.remote_addr or ""
    if form.validate_on_submit():
        held = _held(user, address)
        if held:
            form.code.errors = [held]
            return _setup_page(form, secret, user.email, 429, signing_in=True)
        step = totp.matching_step(secret, form.code.data or "", clock.now(), None)
        if step is None:
            refused = _refuse(user, form, address)
            if refused is not None:
                return refused
            return _setup_page(form, secret, user.email, 400, signing_in=True)
        codes = _enrolled(user, secret, step)
        flow.finish()
        complete_sign_in(user, method="password", next_url=pending.next_url)
        return render_template("mfa/recovery_codes.html", codes=codes, next_url=pending.next_url)
    status = 400 if form.errors else 200
    return _setup_page(form, secret, user.email, status, signing_in=True)


def _enrolled(user: User, secret: str, step: int) -> list[str]:
    """Store a confirmed secret and make recovery codes (in the caller's transaction)."""
    user.mfa_secret = vault.seal(secret)
    user.mfa_last_step = step
    user.mfa_enrolled_at = clock.now()
    codes = recovery.make_codes(user)
    trail.record(
        "mfa.enrolled",
        user,
        summary=f"Two-step verification set up for {user.email}",
        after={"mfa": True},
        actor=user,
    )
    db.session.commit()
    return codes


# -- the signed-in user's own settings ------------------------------------------------


@bp.route("/account/two-step")
@requires(Permission.SIGNED_IN)
def settings() -> str:
    return render_template(
        "mfa/settings.html",
        required=policy.is_required(current_user),
        remaining=recovery.remaining(current_user) if current_user.has_mfa else 0,
        form=CodeForm(),
    )


@bp.route("/account/two-step/set-up", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def set_up() -> Any:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if user.has_mfa:
        return redirect(url_for("mfa.settings"))
    secret = session.get(ACCOUNT_SECRET)
    if not isinstance(secret, str):
        secret = totp.new_secret()
        session[ACCOUNT_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        step = totp.matching_step(secret, form.code.data or "", clock.now(), None)
        if step is None:
            form.code.errors = [WRONG_CODE]
            return _setup_page(form, secret, user.email, 400)
        codes = _enrolled(user, secret, step)
        session.pop(ACCOUNT_SECRET, None)
        return render_template("mfa/recovery_codes.html", codes=codes, next_url=None)
    return _setup_page(form, secret, user.email, 400 if form.errors else 200)


def _code_checked(user: User, form: CodeForm) -> bool:
    """A current app code, for changes to the user's own two-step settings."""
    if not form.validate_on_submit():
        return False
    secret = vault.unseal(user.mfa_secret or "")
    step = (
        totp.matching_step(secret, form.code.data or "", clock.now(), user.mfa_last_step)
        if secret
        else None
    )
    if step is None:
        form.code.errors = [WRONG_CODE]
        return False
    user.mfa_last_step = step
    return True


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@requires(Permission.SIGNED_IN)
def new_codes() -> Any:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.has_mfa:
        return redirect(url_for("mfa.settings"))
    form = CodeForm()
    if not _code_checked(user, form):
        db.session.rollback()
        return _settings_with_errors(form, user)
    codes = recovery.make_codes(user)
    trail.record("mfa.recovery_codes_renewed", user, summary=f"New recovery codes for {user.email}")
    db.session.commit()
    return render_template("mfa/recovery_codes.html", codes=codes, next_url=None)


@bp.route("/account/two-step/turn-off", methods=["POST"])
@requires(Permission.SIGNED_IN)
def turn_off() -> Any:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.has_mfa:
        return redirect(url_for("mfa.settings"))
    if policy.is_required(user):
        flash("Your role must use two-step verification, so it cannot be turned off.", "error")
        return redirect(url_for("mfa.settings"))
    form = CodeForm()
    if not _code_checked(user, form):
        db.session.rollback()
        return _settings_with_errors(form, user)
    _forget(user)
    trail.record(
        "mfa.turned_off",
        user,
        summary=f"Two-step verification turned off by {user.email}",
        before={"mfa": True},
        after={"mfa": False},
    )
    db.session.commit()
    flash("Two-step verification is off.", "success")
    return redirect(url_for("mfa.settings"))


def _settings_with_errors(form: CodeForm, user: User) -> tuple[str, int]:
    return (
        render_template(
            "mfa/settings.html",
            required=policy.is_required(user),
            remaining=recovery.remaining(user),
            form=form,
        ),
        400,
    )


def _forget(user: User) -> None:
    user.mfa_secret = None
    user.mfa_enrolled_at = None
    user.mfa_last_step = None
    recovery.forget(user)


# -- administrators ------------------------------------------------------------------


@bp.route("/admin/users/<int:user_id>/two-step/reset", methods=["POST"])
@requires(Permission.ADMINISTER)
def reset(user_id: int) -> Response:
    """A lost phone: the user sets two-step verification up again at their next sign-in."""
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit() and user.has_mfa:
        _forget(user)
        trail.record(
            "mfa.reset",
            user,
            summary=f"Two-step verification reset for {user.email}",
            before={"mfa": True},
            after={"mfa": False},
        )
        db.session.commit()
        flash(
            f"{user.name} will set up two-step verification again the next time they sign in.",
            "success",
        )
    return redirect(url_for("admin.edit_user", user_id=user.id))

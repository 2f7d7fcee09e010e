"""``/sign-in/oidc`` and its callback: signing in through the council's identity provider."""

from __future__ import annotations

from typing import Any

from authlib.common.errors import AuthlibBaseError
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from core import oidc
from core.access import Permission, requires
from core.auth.signals import sign_in_failed
from core.auth.views import _safe_next, complete_sign_in
from core.extensions import db, limiter
from core.models import User
from core.oidc.provider import (
    SignInProblem,
    authorisation_url,
    finish,
    linked_at,
    unlink,
    user_signing_in,
)

bp = Blueprint("oidc", __name__, url_prefix="/sign-in/oidc")
#: An administrator's side: the council account linked to a user.
admin_bp = Blueprint("oidc_admin", __name__, url_prefix="/admin/users")


@bp.record_once
def _on_register(state: BlueprintSetupState) -> None:
    # Registered inside create_app, so wrong settings stop the app from starting at all.
    oidc.check_settings(state.app)


@bp.app_context_processor
def _sign_in_choices() -> dict[str, Any]:
    # The sign-in page and the account pages show what is on without asking the views.
    return {
        "oidc_sign_in": oidc.enabled(),
        "local_passwords": oidc.local_passwords(),
        "oidc_linked_at": linked_at,
    }


#: The page to land on waits in the session cookie, which browsers cap at 4 KB.
MAX_NEXT_LENGTH = 1000

#: What each kind of problem tells the person, and the status it answers with.
PROBLEMS: dict[str, tuple[str, str, int]] = {
    "account": (
        "You cannot use this service yet",
        "Your council account signed you in, but it is not set up to use this service, "
        "or its access has ended. Ask your system administrator to add you.",
        403,
    ),
    "no_email": (
        "You cannot use this service yet",
        "Your council account did not tell us your email address, so we cannot tell "
        "who you are here. Ask your system administrator to add you, and tell them "
        "this message.",
        403,
    ),
    "linked": (
        "You cannot use this service with this account",
        "Your email address belongs to a user of this service who signs in with a "
        "different council account. Ask your system administrator to check your account.",
        403,
    ),
    "denied": (
        "You were not signed in",
        "Your council account did not sign you in. Try again. If it keeps happening, "
        "ask your system administrator for help.",
        400,
    ),
    "state": (
        "Your sign-in has expired",
        "The sign-in was started too long ago, in another window, or not from this "
        "service. Start signing in again.",
        400,
    ),
    "token": (
        "You were not signed in",
        "We could not confirm the answer from your council account. Try again. If it "
        "keeps happening, ask your system administrator for help.",
        400,
    ),
    "provider": (
        "Signing in with your council account is not working",
        "We could not reach your council's sign-in service, or it gave an answer we "
        "could not use. Try again in a few minutes. If it keeps happening, tell your "
        "system administrator.",
        400,
    ),
}


def passwords_not_used() -> tuple[str, int]:
    """The page for password pages (set-up links, changing one's own) when passwords are
    off: it says so and changes nothing. A POST is refused; a GET is an honest answer."""
    page = render_template("oidc/passwords_off.html")
    return page, 403 if request.method == "POST" else 200


def _problem(kind: str, detail: str, email: str = "", user_id: int | None = None) -> Response:
    """Record the failed sign-in and show a page saying what to do (never a 500)."""
    current_app.logger.warning("OpenID Connect sign-in refused (%s): %s", kind, detail)
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    sign_in_failed.send(app, email=email, user_id=user_id, reason="oidc", detail=kind)
    title, message, status = PROBLEMS[kind]
    page = render_template("oidc/problem.html", title=title, message=message)
    return Response(page, status=status)


def _callback_url() -> str:
    # The address registered with the provider: built from CAREAUDIT_BASE_URL, not from
    # the request's Host header, so it is always the one the provider expects.
    return current_app.config["BASE_URL"] + url_for("oidc.callback")


@bp.route("")
@requires(Permission.PUBLIC)
def start() -> Response:
    """Send the browser to the identity provider to sign in."""
    if not oidc.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    next_url = _safe_next(request.args.get("next"))
    if len(next_url) > MAX_NEXT_LENGTH:
        next_url = url_for("home.index")
    try:
        return redirect(authorisation_url(_callback_url(), next_url))
    except SignInProblem as problem:
        return _problem(problem.kind, problem.detail)
    except Exception as error:  # the provider's discovery document is outside our control
        current_app.logger.exception("could not start an OpenID Connect sign-in")
        return _problem("provider", f"{type(error).__name__}: {error}")


@bp.route("/callback")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@requires(Permission.PUBLIC)
def callback() -> Response:
    """The provider sends the browser back here with a code to exchange for an id token."""
    if not oidc.enabled():
        abort(404)
    if current_user.is_authenticated:
        # A second answer to a sign-in already finished (a double click, the back button).
        return redirect(url_for("home.index"))
    try:
        identity = finish(request.args)
    except SignInProblem as problem:
        return _problem(problem.kind, problem.detail)
    except Exception as error:
        # The provider's answers are input from outside: a forged or damaged token, an
        # error response or an unreachable server each raise something different from
        # authlib, joserfc or requests. Whatever it is, nobody is signed in, and the
        # person gets a page saying what to do rather than a 500.
        kind = "token" if isinstance(error, JoseError) else "provider"
        if not isinstance(error, JoseError | AuthlibBaseError):
            current_app.logger.exception("OpenID Connect callback failed")
        return _problem(kind, f"{type(error).__name__}: {error}")
    try:
        user = user_signing_in(identity)
    except SignInProblem as problem:
        return _problem(problem.kind, problem.detail, problem.email, problem.user_id)
    return complete_sign_in(user, method="oidc", next_url=identity.next_url)


@admin_bp.route("/<int:user_id>/council-account/unlink", methods=["POST"])
@requires(Permission.ADMINISTER)
def unlink_council_account(user_id: int) -> Response:
    """Forget which council account signs in as this user; the next sign-in links by email."""
    user = db.get_or_404(User, user_id)
    if unlink(user):
        db.session.commit()
        flash(
            f"{user.name}'s council account is unlinked. The next person to sign in with "
            f"the council account for {user.email} will be linked to {user.name}.",
            "success",
        )
    else:
        flash(f"{user.name} has no council account linked.", "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))

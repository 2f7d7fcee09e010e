"""Sign-ins, sign-outs and ended sessions, recorded from the signals their code sends.

The sign-in code (``core.auth``) and the sessions (``core.sessions``) only send
signals; this module turns them into trail entries, so neither needs to know the
trail exists.

Where each entry is written:

* a sign-in, a failed sign-in and a sign-out are sent when nothing is left to
  commit, so they get a short transaction of their own;
* sessions ended by ``end_sessions`` (deactivation, a role or password change,
  "sign out everywhere", an administrator) are sent inside the caller's
  transaction, so the entry joins it and stands or falls with the change.
"""

from __future__ import annotations

from typing import Any

from flask_login import user_logged_out

from core.auth.signals import sign_in_failed, signed_in
from core.sessions import session_ended
from core.trail import record, record_view

#: Sessions ended by the request itself after signing out or in: the sign-out and
#: sign-in entries already say so.
_OWN_ENDINGS = {"signed out", "renewed at sign-in"}


def _on_signed_in(sender: Any, user: Any, method: str = "password", **extra: Any) -> None:
    how = "" if method == "password" else f" through {method.upper()}"
    record_view("sign_in.succeeded", user, summary=f"Signed in as {user.email}{how}", actor=user)


#: Why the identity provider's answer was refused (``detail`` of an "oidc" failure).
_OIDC_REFUSALS = {
    "account": "no active account has that email address",
    "linked": "the account is linked to another council account",
    "no_email": "the identity provider sent no email address",
    "denied": "the identity provider did not sign them in",
    "state": "not started in this browser, or answered too late",
    "token": "the identity token failed a check",
    "provider": "the identity provider could not be reached or used",
}


def _on_sign_in_failed(
    sender: Any, email: str = "", user_id: int | None = None, reason: str = "", **extra: Any
) -> None:
    typed = email.replace("\x00", "")[:120]
    held = reason == "held"
    if held:
        what = f"Sign-in as {typed} refused: too many failed attempts"
    elif reason == "code":
        what = f"Failed sign-in as {typed}: wrong two-step verification code"
    elif reason == "oidc":
        why = _OIDC_REFUSALS.get(str(extra.get("detail", "")), "refused")
        what = f"Failed sign-in through OIDC{' as ' + typed if typed else ''}: {why}"
    else:
        what = f"Failed sign-in as {typed}"
    record_view(
        "sign_in.refused" if held else "sign_in.failed",
        summary=what + ("" if user_id is not None else " (no such account)"),
        actor_label="not signed in",
    )


def _on_signed_out(sender: Any, user: Any, **extra: Any) -> None:
    record_view("sign_out", user, summary=f"Signed out ({user.email})", actor=user)


def _on_session_ended(
    sender: Any, user_id: int, reason: str = "", count: int = 0, **extra: Any
) -> None:
    if reason in _OWN_ENDINGS or not count:
        # Nothing ended (a leaver with no session, as most are in a staff import): no entry.
        return
    from core.extensions import db
    from core.models import User

    user = db.session.get(User, user_id)
    who = user.email if user is not None else f"user {user_id}"
    noun = "session" if count == 1 else "sessions"
    record(
        "sessions.ended",
        user,
        summary=f"Ended {count} {noun} of {who}: {reason}",
        after={"reason": reason, "count": count},
    )


def connect() -> None:
    """Connect the receivers (blinker keeps one connection per receiver, so repeats are no-ops)."""
    signed_in.connect(_on_signed_in)
    sign_in_failed.connect(_on_sign_in_failed)
    user_logged_out.connect(_on_signed_out)
    session_ended.connect(_on_session_ended)

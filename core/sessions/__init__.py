"""Server-side sessions: revocable, with an idle timeout and an absolute lifetime.

A signed-in browser's cookie carries only an opaque random token (``s1.`` and 43
characters); everything else (Flask-Login's user id, the CSRF secret, flashed
messages) is kept in the ``user_session`` table, which every app server shares.
Ending a row (sign-out, deactivation, a role or password change, "sign out
everywhere", an administrator) ends that browser's sign-in on every server at once.

Visitors who are not signed in keep Flask's signed cookie (it holds only the CSRF
secret for the sign-in form and flashed messages), so anonymous requests never
write to the database.

Hooks for other parts (the audit trail): the ``session_ended`` signal is sent with
``user_id``, ``reason`` and ``count`` whenever sessions are ended.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import Flask, Request, Response, current_app, g, has_request_context, request
from flask import session as flask_session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from sqlalchemy.exc import SQLAlchemyError

from core.extensions import db
from core.sessions import clock, store

__all__ = [
    "end_sessions",
    "init_app",
    "live_sessions",
    "renew",
    "seconds_left",
    "session_ended",
]

TOKEN_PREFIX = "s1."
#: last_seen_at is written at most this often (seconds), not on every request.
TOUCH_EVERY = 60

_signals = Namespace()
#: Sent as ``session_ended.send(current_app._get_current_object(), user_id=..., reason=...,
#: count=...)`` after sessions are ended (count may be 0).
session_ended = _signals.signal("careaudit-session-ended")

_serializer = TaggedJSONSerializer()


class ServerSession(SecureCookieSession):
    """Flask's session dict, plus the server record it came from (if any)."""

    def __init__(self, initial: Any = None) -> None:
        super().__init__(initial)
        self.token: str | None = None
        self.live: store.LiveSession | None = None
        #: A cookie named a session that has ended: tell the browser to forget it.
        self.stale_cookie = False
        #: Static files neither read nor write sessions.
        self.skip = False
        self.end_reason = "signed out"
        #: Set at sign-in: whatever this browser had, it gets a new token.
        self.renewing = False


class ServerSessionInterface(SecureCookieSessionInterface):
    session_class = ServerSession

    def open_session(self, app: Flask, request: Request) -> ServerSession | None:
        if app.static_url_path and request.path.startswith(app.static_url_path + "/"):
            session = ServerSession()
            session.skip = True
            return session
        value = request.cookies.get(self.get_cookie_name(app), "")
        if not value.startswith(TOKEN_PREFIX):
            anonymous = super().open_session(app, request)
            return ServerSession(dict(anonymous)) if anonymous is not None else None
        token = value[len(TOKEN_PREFIX) :]
        live = _backend().find(token, _announce_timeout) if token else None
        if live is None:
            db.session.commit()  # keep the reason a session ended, found just now
            session = ServerSession()
            session.stale_cookie = True
            return session
        session = ServerSession(_serializer.loads(live.data))
        session.token = token
        session.live = live
        return session

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if not isinstance(session, ServerSession) or session.skip:
            return
        pending = g.pop("sessions_to_end", None)
        if pending:
            _settle(pending, response)
        timed_out = g.pop("sessions_timed_out", None)
        if timed_out:
            db.session.rollback()
            for user_id, reason in timed_out:
                _announce(user_id, reason, 1)
            db.session.commit()
        user_id = session.get("_user_id")
        live = session.live
        if live is not None and (
            user_id is None or session.renewing or str(live.user_id) != str(user_id)
        ):
            # Signed out (or renewed at sign-in): the old token stops working everywhere.
            _write(lambda: _backend().end_one(live.id, session.end_reason))
            _announce(live.user_id, session.end_reason, 1)
            session.live = live = None
            session.token = None
        if user_id is not None:
            response.vary.add("Cookie")
            if live is None:
                self._start(app, session, response, int(user_id))
            else:
                touch = bool(g.get("session_touch")) or (
                    not g.get("session_no_touch")
                    and (clock.now() - live.last_seen_at).total_seconds() >= TOUCH_EVERY
                )
                data = _serializer.dumps(dict(session)) if session.modified else None
                if data is not None or touch:
                    _write(lambda: _backend().save(live.id, data=data, touch=touch))
            return
        if session.stale_cookie:
            session.modified = True  # so Flask deletes the cookie when nothing replaces it
        super().save_session(app, session, response)

    def _start(self, app: Flask, session: ServerSession, response: Response, user_id: int) -> None:
        data = _serializer.dumps(dict(session))
        tokens: list[str] = []
        _write(
            lambda: tokens.append(
                _backend().create(
                    user_id, data, request.remote_addr, request.headers.get("User-Agent")
                )
            )
        )
        response.set_cookie(
            self.get_cookie_name(app),
            TOKEN_PREFIX + tokens[0],
            # No Expires: a browser-session cookie; the server enforces the lifetimes.
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            httponly=self.get_cookie_httponly(app),
            samesite=self.get_cookie_samesite(app),
            partitioned=self.get_cookie_partitioned(app),
        )


def _backend() -> Any:
    """The database store, or Redis where CAREAUDIT_SESSION_REDIS_URL is set."""
    if current_app.config.get("SESSION_REDIS_URL"):
        from core.sessions import redis_store

        return redis_store
    return store


def live_sessions(user_id: int) -> list[store.SessionSummary]:
    """The user's sessions that can still be used, most recently used first."""
    return _backend().live_for_user(user_id)  # type: ignore[no-any-return]


def _write(action: Any) -> None:
    """Run a session write in a transaction of its own.

    Whatever the view left uncommitted would be rolled back at the end of the
    request anyway (and must be after an error, or PostgreSQL refuses the write),
    so roll it back first rather than commit it by accident.
    """
    if _backend() is not store:
        action()  # Redis writes at once, outside the database transaction
        return
    db.session.rollback()
    action()
    db.session.commit()


def _settle(pending: list[tuple[int, str, Any]], response: Response) -> None:
    """Make the ends asked for during a request stick, even if the caller forgot to commit.

    After a successful request, commit its transaction: it holds the ends and the audit
    trail's record of them. After a failed one, roll back and end the sessions again on
    their own (ending is safe either way: only live sessions are touched).
    """
    if response.status_code < 400:
        try:
            db.session.commit()
            return
        except SQLAlchemyError:
            db.session.rollback()
    _write(lambda: [_backend().end_for_user(*args) for args in pending])


def _announce_timeout(user_id: int, reason: str) -> None:
    # Told at the end of the request: while the session is being opened, nobody (the audit
    # trail included) can ask who the current user is.
    g.setdefault("sessions_timed_out", []).append((user_id, reason))


def _announce(user_id: int, reason: str, count: int) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    session_ended.send(app, user_id=user_id, reason=reason, count=count)


def end_sessions(user_id: int, reason: str, *, keep_current: bool = False) -> int:
    """End every session of a user, on every server, e.g. on deactivation, a role or
    password change, or "sign out everywhere". Runs in the caller's transaction (commit
    it; within a request it is also made again, and committed, at the end of the
    request); with ``keep_current`` the browser making this request stays signed in.
    Returns how many sessions were ended."""
    keep = None
    current = _current()
    if keep_current and current is not None and current.live is not None:
        keep = current.live.id
    count = _backend().end_for_user(user_id, reason, keep=keep)
    if has_request_context():
        g.setdefault("sessions_to_end", []).append((user_id, reason, keep))
    if (
        current is not None
        and current.live is not None
        and current.live.user_id == user_id
        and (keep is None)
    ):
        # This browser's own row has gone: do not write it again at the end of the request.
        current.live = None
        current.token = None
        current.clear()
        current.stale_cookie = True
    _announce(user_id, reason, count)
    return count


def _current() -> ServerSession | None:
    try:
        session = flask_session._get_current_object()  # type: ignore[attr-defined]
    except RuntimeError:  # outside a request (a command, the staff import in a job)
        return None
    return session if isinstance(session, ServerSession) else None


def renew() -> None:
    """Start afresh at sign-in: a new session id and a new CSRF secret, so a token or
    secret planted before sign-in (session fixation) is worth nothing after it."""
    session = _current()
    if session is None:
        return
    flashes = session.get("_flashes")
    session.clear()
    if flashes:
        session["_flashes"] = flashes
    g.pop("csrf_token", None)  # Flask-WTF caches the secret's token per request
    session.renewing = True
    if session.live is not None:
        session.end_reason = "renewed at sign-in"


def seconds_left(*, touched: bool = False) -> int | None:
    """Seconds until this browser's session times out, or None when not signed in.
    With ``touched``, as it will be once this request has counted as activity."""
    session = _current()
    if session is None or session.live is None:
        return None
    now = clock.now()
    if touched:
        end = min(now + store.idle_limit(), session.live.expires_at)
        return max(0, int((end - now).total_seconds()))
    return session.live.seconds_left(now)


def init_app(app: Flask) -> None:
    from core.sessions.cli import sessions_group

    app.session_interface = ServerSessionInterface()
    app.cli.add_command(sessions_group)

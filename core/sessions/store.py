"""Session records in the database: create, find, save, end.

Tokens are 256-bit random strings; the database keeps only their SHA-256, so a
copy of the table cannot be replayed as cookies, and looking one up needs no
constant-time comparison (the hash is the index key).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import joinedload

from core import versions
from core.extensions import db
from core.models.sessions import UserSession
from core.models.users import User
from core.sessions import clock

USER_AGENT_LENGTH = 255

#: What every signed-in page shows of its user (the team or service beside their name),
#: loaded with the user (also by Flask-Login's user loader, ``core.auth.views``).
USER_LOADS = (joinedload(User.team), joinedload(User.own_service))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config.get("SESSION_IDLE_MINUTES", 30))


def absolute_limit() -> timedelta:
    return timedelta(minutes=current_app.config.get("SESSION_ABSOLUTE_MINUTES", 12 * 60))


@dataclass
class SessionSummary:
    """What the user's "Your account" page shows of each live session."""

    created_at: datetime
    last_seen_at: datetime
    ip_address: str | None
    user_agent: str | None


def live_for_user(user_id: int) -> list[SessionSummary]:
    now = clock.now()
    rows = db.session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
            UserSession.expires_at > now,
            UserSession.last_seen_at > now - idle_limit(),
        )
        .order_by(UserSession.last_seen_at.desc())
    )
    return [SessionSummary(r.created_at, r.last_seen_at, r.ip_address, r.user_agent) for r in rows]


@dataclass
class LiveSession:
    """What a request needs of its session record (plain values, not an ORM object that a
    view's rollback could expire)."""

    id: int  # the row's id; in Redis, the token's hash
    user_id: int
    data: str
    last_seen_at: datetime
    expires_at: datetime
    #: The signed-in user, when found with the record: held only so that the ORM's
    #: identity map (which holds objects weakly) still has it when Flask-Login asks.
    user: User | None = field(default=None, repr=False, compare=False)

    def seconds_left(self, now: datetime) -> int:
        """Seconds until the idle timeout or the absolute end, whichever comes first."""
        end = min(self.last_seen_at + idle_limit(), self.expires_at)
        return max(0, int((end - now).total_seconds()))


#: The lookup every signed-in request makes, built once (see ``find``).
_FIND = (
    select(UserSession, User, *versions.columns())
    .join(User, User.id == UserSession.user_id)
    .options(*USER_LOADS)
    .where(UserSession.token_hash == bindparam("token_hash"))
)


def find(token: str, on_end: Callable[[int, str], None] | None = None) -> LiveSession | None:
    """The live session for a cookie's token, or None. A session found past its idle or
    absolute limit is ended here, so the record says why it stopped (``on_end`` is told)."""
    # The user comes in the same statement: Flask-Login's user loader then finds them
    # in the session's identity map instead of asking again (issue 12).
    # So do the version tokens under which each worker keeps the council's set-up and
    # the report tally, so a page that uses what is kept asks nothing more (issue 12).
    found = db.session.execute(_FIND, {"token_hash": token_hash(token)}).first()
    if found is not None:
        versions.note(found[2:])
    record = found[0] if found is not None else None
    if record is None or record.ended_at is not None:
        return None
    now = clock.now()
    reason = None
    if now >= record.expires_at:
        reason = "expired"
    elif now >= record.last_seen_at + idle_limit():
        reason = "idle timeout"
    if reason is not None:
        _end(UserSession.id == record.id, reason)
        if on_end is not None:
            on_end(record.user_id, reason)
        return None
    return LiveSession(
        record.id, record.user_id, record.data, record.last_seen_at, record.expires_at, found[1]
    )


def create(user_id: int, data: str, ip_address: str | None, user_agent: str | None) -> str:
    """Store a new session and return its token (the only time the token exists in full)."""
    token = new_token()
    now = clock.now()
    db.session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + absolute_limit(),
            ip_address=(ip_address or "")[:45] or None,
            user_agent=(user_agent or "")[:USER_AGENT_LENGTH] or None,
            data=data,
        )
    )
    return token


def save(session_id: int, *, data: str | None, touch: bool) -> None:
    """Write changed data and/or the time of this request. Never revives an ended session."""
    values: dict[str, object] = {}
    if data is not None:
        values["data"] = data
    if touch:
        values["last_seen_at"] = clock.now()
    if values:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
            .values(**values)
        )


def end_one(session_id: int, reason: str) -> int:
    return _end(UserSession.id == session_id, reason)


def end_for_user(user_id: int, reason: str, keep: int | None = None) -> int:
    condition = UserSession.user_id == user_id
    if keep is not None:
        condition = condition & (UserSession.id != keep)
    return _end(condition, reason)


def _end(condition: object, reason: str) -> int:
    result = db.session.execute(
        update(UserSession)
        .where(condition, UserSession.ended_at.is_(None))  # type: ignore[arg-type]
        .values(ended_at=clock.now(), ended_reason=reason[:60], data="{}")
    )
    return int(result.rowcount or 0)


def prune(before: datetime) -> int:
    """Delete sessions that ended, or could no longer be used, before ``before``."""
    result = db.session.execute(
        UserSession.__table__.delete().where(
            or_(UserSession.ended_at < before, UserSession.expires_at < before)
        )
    )
    return int(result.rowcount or 0)

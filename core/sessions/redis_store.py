"""Session records in Redis, for councils that run Redis already (CAREAUDIT_SESSION_REDIS_URL).

The same operations as ``core.sessions.store``. One hash per session, keyed by the
token's SHA-256, and one set per user naming their sessions so they can all be ended
at once. Redis expires a key at the session's absolute end; the idle timeout is
checked on every request against ``last_seen_at``, as in the database. An ended
session is deleted (the audit trail records the ending through ``session_ended``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app

from core.sessions import clock
from core.sessions.store import (
    USER_AGENT_LENGTH,
    LiveSession,
    SessionSummary,
    absolute_limit,
    idle_limit,
    new_token,
    token_hash,
)

PREFIX = "careaudit:session:"
USER_PREFIX = "careaudit:user-sessions:"
EXTENSION = "careaudit_session_redis"
_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def client() -> Any:
    """One Redis connection pool per app, made on first use."""
    import redis

    app = current_app
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = redis.Redis.from_url(
            app.config["SESSION_REDIS_URL"], decode_responses=True
        )
    return app.extensions[EXTENSION]


def _when(text: str) -> datetime:
    return datetime.strptime(text, _FORMAT)


def _text(moment: datetime) -> str:
    return moment.strftime(_FORMAT)


def find(token: str, on_end: Callable[[int, str], None] | None = None) -> LiveSession | None:
    key = token_hash(token)
    record = client().hgetall(PREFIX + key)
    if not record:
        return None
    now = clock.now()
    last_seen, expires = _when(record["last_seen_at"]), _when(record["expires_at"])
    if now >= expires or now >= last_seen + idle_limit():
        reason = "expired" if now >= expires else "idle timeout"
        end_one(key, reason)
        if on_end is not None:
            on_end(int(record["user_id"]), reason)
        return None
    return LiveSession(key, int(record["user_id"]), record["data"], last_seen, expires)  # type: ignore[arg-type]


def create(user_id: int, data: str, ip_address: str | None, user_agent: str | None) -> str:
    token = new_token()
    key = token_hash(token)
    now = clock.now()
    redis = client()
    with redis.pipeline() as pipe:
        pipe.hset(
            PREFIX + key,
            mapping={
                "user_id": str(user_id),
                "created_at": _text(now),
                "last_seen_at": _text(now),
                "expires_at": _text(now + absolute_limit()),
                "ip_address": (ip_address or "")[:45],
                "user_agent": (user_agent or "")[:USER_AGENT_LENGTH],
                "data": data,
            },
        )
        # Redis forgets the session at its absolute end, whatever happens to careaudit.
        pipe.expire(PREFIX + key, int(absolute_limit().total_seconds()) + 60)
        pipe.sadd(USER_PREFIX + str(user_id), key)
        pipe.expire(USER_PREFIX + str(user_id), int(absolute_limit().total_seconds()) + 60)
        pipe.execute()
    return token


def save(session_id: Any, *, data: str | None, touch: bool) -> None:
    values: dict[str, str] = {}
    if data is not None:
        values["data"] = data
    if touch:
        values["last_seen_at"] = _text(clock.now())
    redis = client()
    # Only a session that still exists is written: an ended one is never revived.
    if values and redis.exists(PREFIX + str(session_id)):
        redis.hset(PREFIX + str(session_id), mapping=values)


def end_one(session_id: Any, reason: str) -> int:
    redis = client()
    user_id = redis.hget(PREFIX + str(session_id), "user_id")
    removed = int(redis.delete(PREFIX + str(session_id)))
    if user_id is not None:
        redis.srem(USER_PREFIX + user_id, str(session_id))
    return removed


def end_for_user(user_id: int, reason: str, keep: Any = None) -> int:
    redis = client()
    keys = [k for k in redis.smembers(USER_PREFIX + str(user_id)) if k != keep]
    if not keys:
        return 0
    removed = int(redis.delete(*(PREFIX + k for k in keys)))
    redis.srem(USER_PREFIX + str(user_id), *keys)
    return removed


def live_for_user(user_id: int) -> list[SessionSummary]:
    redis = client()
    now = clock.now()
    found = []
    for key in redis.smembers(USER_PREFIX + str(user_id)):
        record = redis.hgetall(PREFIX + key)
        if not record:
            redis.srem(USER_PREFIX + str(user_id), key)  # expired by Redis
            continue
        last_seen, expires = _when(record["last_seen_at"]), _when(record["expires_at"])
        if now < expires and now < last_seen + idle_limit():
            found.append(
                SessionSummary(
                    _when(record["created_at"]),
                    last_seen,
                    record["ip_address"] or None,
                    record["user_agent"] or None,
                )
            )
    return sorted(found, key=lambda s: s.last_seen_at, reverse=True)

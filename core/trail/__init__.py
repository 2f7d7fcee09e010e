"""The audit trail: record who viewed or changed what, when and from where.

Views and services call :func:`record` for a change (in the same transaction as
the change, so a rolled-back change leaves no entry) and :func:`record_view`
for a view of personal data or a download (in its own short transaction, so
the entry stands whatever the page does next). Every entry carries the actor,
the request's address and request id (see :func:`init_app`).
"""

from __future__ import annotations

import getpass
import json
import re
import socket
import uuid
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask, Response, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from core.extensions import db
from core.models._types import utcnow
from core.trail import chain

#: Keys never written to before/after, whatever a caller passes.
SECRET_KEYS = re.compile(r"password|token|secret|hash|otp|recovery|totp", re.IGNORECASE)
#: A request id sent by a proxy is kept only if it looks like one.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

#: Set in a session's ``info`` while its transaction holds the append lock.
_HOLDS_LOCK = "careaudit.trail_lock"

#: Table names shown by their domain name in the trail.
_OBJECT_TYPES = {"case_file": "case", "user_account": "user"}


@event.listens_for(Session, "after_transaction_end")
def _lock_released(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: commit or rollback
        session.info.pop(_HOLDS_LOCK, None)


def init_app(app: Flask) -> None:
    """Give every request an id (the proxy's ``X-Request-Id`` if sane) and echo it back."""

    @app.before_request
    def assign_request_id() -> None:
        sent = request.headers.get("X-Request-Id", "")
        g.request_id = sent if REQUEST_ID.match(sent) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-Id"] = request_id
        return response

    from core.trail import events
    from core.trail.cli import trail_group

    app.cli.add_command(trail_group)
    events.connect()


def _actor(actor: Any = None, actor_label: str | None = None) -> tuple[int | None, str]:
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if actor is not None:
        label = actor_label or f"{actor.name} <{actor.email}>"
        return actor.id, label[:300]
    if actor_label:
        return None, actor_label[:300]
    context = click.get_current_context(silent=True)
    if context is not None:
        return None, f"{context.command_path} ({command_user()})"[:300]
    if has_request_context():
        return None, "not signed in"
    return None, f"careaudit ({command_user()})"


def command_user() -> str:
    """The account and server running a command, for records of who ran it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid, e.g. in a bare container
        user = "unknown user"
    return f"{user} on {socket.gethostname()}"


def clean(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """JSON-safe copy without secrets (what is stored is exactly what is hashed)."""
    if values is None:
        return None
    kept = {str(k): v for k, v in values.items() if not SECRET_KEYS.search(str(k))}
    return json.loads(json.dumps(kept, default=str))


def changes(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    keys += [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def snapshot(obj: Any, *names: str) -> dict[str, Any]:
    """The named attributes of ``obj`` (enums by value), for before/after."""
    out = {}
    for name in names:
        value = getattr(obj, name, None)
        out[name] = getattr(value, "value", value)
    return out


def _describe(obj: Any, case_id: int | None) -> tuple[str | None, str | None, int | None]:
    if obj is None:
        return None, None, case_id
    table = getattr(obj, "__tablename__", type(obj).__name__.lower())
    object_type = _OBJECT_TYPES.get(table, table)
    object_id = getattr(obj, "id", None)
    if case_id is None:
        case_id = object_id if object_type == "case" else getattr(obj, "case_id", None)
    return object_type, None if object_id is None else str(object_id), case_id


def _text(value: str) -> str:
    # PostgreSQL refuses NUL in text; it can only come from something typed.
    return value.replace("\x00", "")


def _values(
    action: str,
    obj: Any,
    case_id: int | None,
    summary: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    actor: Any,
    actor_label: str | None,
) -> dict[str, Any]:
    object_type, object_id, case_id = _describe(obj, case_id)
    actor_id, label = _actor(actor, actor_label)
    in_request = has_request_context()
    return {
        "at": utcnow(),
        "actor_id": actor_id,
        "actor_label": _text(label),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "case_id": case_id,
        "summary": _text(summary),
        "before": clean(before),
        "after": clean(after),
        "ip_address": (request.remote_addr or None) if in_request else None,
        "request_id": g.get("request_id") if in_request else None,
    }


def record(
    action: str,
    obj: Any = None,
    *,
    case_id: int | None = None,
    summary: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor: Any = None,
    actor_label: str | None = None,
) -> int:
    """Record a change in the current transaction (it commits or rolls back with it).

    ``obj`` is the model changed (its table and id are recorded, and its case);
    ``before``/``after`` hold only what changed. ``actor`` defaults to the
    signed-in user, else the command being run.
    """
    db.session.flush()  # the change first (so a new obj has its id); on SQLite, the lock
    values = _values(action, obj, case_id, summary, before, after, actor, actor_label)
    entry_id = chain.append(db.session.connection(), values)
    # This transaction now holds the append lock until it ends: see record_view.
    db.session.info[_HOLDS_LOCK] = True
    return entry_id


def record_view(
    action: str,
    obj: Any = None,
    *,
    case_id: int | None = None,
    summary: str = "",
    actor: Any = None,
    actor_label: str | None = None,
) -> int:
    """Record a view of personal data or a download, in its own short transaction."""
    values = _values(action, obj, case_id, summary, None, None, actor, actor_label)
    if db.session.info.get(_HOLDS_LOCK):
        # A change recorded in this request is not committed yet and holds the append
        # lock: a second connection would wait for it for ever. Join it instead.
        return chain.append(db.session.connection(), values)
    if db.engine.dialect.name == "postgresql":
        # One statement (chain.append calls a function that locks, reads and inserts),
        # so it needs no transaction of its own around it: run alone, it commits as it
        # ends, its lock with it, without a BEGIN and a COMMIT each a round trip.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as alone:
            return chain.append(alone, values)
    with db.engine.begin() as connection:
        return chain.append(connection, values)


def audit_label(audit: Any) -> str:
    """An audit in words for a summary: what tool, about what."""
    if audit.case is not None:
        about = f"case {audit.case.reference}"
    elif audit.subject_user is not None:
        about = audit.subject_user.name
    else:
        about = "a sampled item"
    return f"audit {audit.id} ({audit.tool}) of {about}"

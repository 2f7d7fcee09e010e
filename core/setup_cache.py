"""The council's set-up, kept by each worker between requests until it changes.

Nearly every page reads some of the set-up: whether a tool is switched on for a
service, the tool's settings there, the council's grade scale, the council's
directorates, services, teams and case categories (the report's choices). It changes a few
times a year, from the admin pages, yet reading it afresh cost a statement or three
on every page. So each process keeps what it read under the set-up's version token
(``SetupVersion``): a transaction that changes the set-up gives the token a new
random value as it commits, so the new set-up and the new token become visible
together, to every worker on every server, and no worker can keep old values under
a new token.

The token comes with the request's first statement, the session's lookup
(``core.versions``); where sessions are in Redis it is read on first use. Outside a
request (commands, jobs), while this transaction has changed the set-up, or when
there is no token (the table emptied), nothing is kept across requests: values are
read once per transaction, as :func:`core.memo.remember` does.

    settings = setup_cache.kept(("tool settings", slug, service_id), read_settings)

What is kept is shared by every later request of the process: callers treat it as
read-only (copy before changing).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import has_app_context, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, object_session

from core import memo, versions
from core.extensions import db
from core.models import (
    Category,
    CouncilGradeScale,
    Directorate,
    Service,
    ServiceTool,
    SetupVersion,
    Team,
)

__all__ = ["kept", "version"]

T = TypeVar("T")

#: Session ``info`` keys: this transaction changed the set-up / deleted the token itself.
CHANGED = "careaudit.setup.changed"
_TOKEN_DELETED = "careaudit.setup.token_deleted"
#: The models whose rows are the set-up.
_MODELS = (ServiceTool, CouncilGradeScale, Directorate, Service, Team, Category)
#: Their tables, and the token's own.
_TABLES = {model.__tablename__ for model in (*_MODELS, SetupVersion)}

#: Per database: the token the values were read at, and the values by key.
_kept: dict[str, tuple[str, dict[Hashable, Any]]] = {}


def kept(key: tuple[Hashable, ...], read: Callable[[], T]) -> T:
    """``read()``, or what this process read for ``key`` at the current set-up token."""
    if not has_app_context():
        return read()  # a tool's own tests use the registry with no database
    token = _token()
    if token is None:
        return memo.remember(("setup", *key), read)
    database = db.engine.url.render_as_string(hide_password=True)
    held = _kept.get(database)
    if held is None or held[0] != token:
        held = (token, {})
        _kept[database] = held  # a new token: everything read at the old one goes
    values = held[1]
    if key not in values:
        values[key] = read()
    return values[key]  # type: ignore[no-any-return]


def version() -> str | None:
    """The set-up's token for keys of values kept elsewhere that depend on the set-up
    (``core.reports.kept``); None when nothing may be kept across requests."""
    return _token() if has_app_context() else None


def _token() -> str | None:
    if not has_request_context():
        return None
    session = db.session()
    memo.flush_pending(session)  # a pending change to the set-up is noticed
    if session.info.get(CHANGED):
        return None
    token = versions.noted(versions.SETUP)
    if token is versions.UNREAD:
        token = db.session.scalar(select(SetupVersion.token).where(SetupVersion.id == 1))
        versions.keep(versions.SETUP, token)
    return token  # type: ignore[return-value]


# -- knowing when the set-up changed ------------------------------------------------------


def _changed(_mapper: object, _connection: object, target: object) -> None:
    session = object_session(target)
    if session is not None:
        session.info[CHANGED] = True


for _model in _MODELS:
    for _name in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _name, _changed)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    # Changes made by statements rather than objects (bulk updates, tests' deletes).
    if state.is_select:
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name == SetupVersion.__tablename__ and state.is_delete:
        state.session.info[_TOKEN_DELETED] = True
    elif name in _TABLES:
        state.session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _new_token(session: Session) -> None:
    session.flush()  # the last changes may be to the set-up
    if not session.info.get(CHANGED):
        return
    if session.info.get(_TOKEN_DELETED):
        versions.forget(versions.SETUP)
        return  # emptied: no token, so nothing is kept until the set-up changes again
    versions.renew(session, versions.SETUP)


@event.listens_for(Session, "after_transaction_end")
def _transaction_over(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(CHANGED, None)
        session.info.pop(_TOKEN_DELETED, None)

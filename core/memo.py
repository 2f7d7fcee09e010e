"""What a request has already read, kept until anything could have changed it.

A page asks the same small questions many times: a tool's settings for a service
(once per hook that takes ``settings``), the report tally for a scope (once per
table). :func:`remember` keeps an answer in the database session's ``info`` for the
rest of its transaction and forgets every answer at the first flush, any statement
that is not a SELECT, or the end of the transaction (commit or rollback), so a
remembered answer is never older than what the same transaction would read again
(pending changes are flushed first, as a query would autoflush them).

    settings = memo.remember(("settings", slug, service_id), lambda: read(slug, service_id))
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from core.extensions import db

__all__ = ["flush_pending", "forget", "remember", "remembered"]

T = TypeVar("T")
#: ``Session.info`` key of the answers kept in the session's transaction.
KEY = "careaudit.memo"


def remembered(session: Session | None = None) -> dict[Hashable, Any]:
    """The session's memo (created empty when needed): callers may keep parts of an
    answer under keys of their own, as the tally keeps each axis."""
    session = session if session is not None else db.session()
    if not session.in_transaction():
        # The memo lives as long as a transaction, so there must be one (as a query's
        # autobegin would start) before anything is kept.
        session.begin()
    flush_pending(session)  # (and the flush forgets the memo)
    return session.info.setdefault(KEY, {})  # type: ignore[no-any-return]


def flush_pending(session: Session) -> None:
    """Flush what a query would have flushed first, so an answer read now sees it."""
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()


def remember(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, or what it gave earlier in this transaction for the same ``key``."""
    memo = remembered()
    if key not in memo:
        memo[key] = read()
    return memo[key]  # type: ignore[no-any-return]


def forget(session: Session, *_: object) -> None:
    """Forget every answer kept in ``session`` (the events below call it)."""
    session.info.pop(KEY, None)


event.listen(Session, "after_flush", forget)
event.listen(Session, "after_transaction_end", forget)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        forget(state.session)

"""PostgreSQL through psycopg, with the statements it prepares kept across transactions.

psycopg prepares a statement on the server once the same connection has run it five
times (``prepare_threshold``), so PostgreSQL stops parsing and planning it again. But
psycopg forgets every prepared statement at each ``ROLLBACK``, to be safe should the
transaction have dropped or changed a table a statement uses. Every request that
changes nothing ends in a rollback, so in careaudit no statement was ever prepared, and
each page paid PostgreSQL's planning for each of its 10-20 statements on every view
(the audit page's first read alone: 2.4 ms of planning for 0.25 ms of work; issue 12).

careaudit's transactions never change the schema (migrations run as their own command),
so :class:`Dialect` rolls back without forgetting: the same ``ROLLBACK``, sent straight
to the server. It is SQLAlchemy's own psycopg dialect otherwise, registered under the
same name, so ``postgresql://`` and ``postgresql+psycopg://`` URLs use it unchanged.

Its check of a pooled connection looks at the socket instead of asking the server
(:meth:`Dialect.do_ping`), saving a round trip on every request.

``CAREAUDIT_PREPARED_STATEMENTS=0`` turns preparing off altogether (psycopg's
``prepare_threshold=None``), as a connection pooler in transaction mode needs
(``core.config``).
"""

from __future__ import annotations

import os
import select
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import text
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.orm import Session

__all__ = ["Dialect", "generic_plan", "prepared_statements", "register"]


def prepared_statements() -> bool:
    """Whether psycopg may prepare statements (``CAREAUDIT_PREPARED_STATEMENTS``, on)."""
    return os.environ.get("CAREAUDIT_PREPARED_STATEMENTS", "1").strip() != "0"


class Dialect(PGDialect_psycopg):
    """SQLAlchemy's psycopg dialect, rolling back without discarding prepared statements."""

    supports_statement_cache = True  # compiles as its parent: its cached SQL holds

    def on_connect(self) -> Callable[[Any], None] | None:
        inherited = super().on_connect()
        prepare = prepared_statements()

        def connect(dbapi_connection: Any) -> None:
            if inherited is not None:
                inherited(dbapi_connection)
            if not prepare:
                dbapi_connection.prepare_threshold = None

        return connect

    def do_ping(self, dbapi_connection: Any) -> bool:
        """Whether a pooled connection still works, asking the server only if in doubt.

        The pool checks every connection it hands out (``pool_pre_ping``), and
        SQLAlchemy's check is a ``SELECT 1``: a round trip on every request. A server
        that ends a connection (a restart, ``idle_session_timeout``, an administrator's
        ``pg_terminate_backend``) says so on the socket, which then has something to
        read, while a healthy idle connection has nothing to say. So look first, and
        ask only when the socket has something waiting (a notice, or the goodbye).
        """
        pgconn = dbapi_connection.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        try:
            waiting, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError, psycopg.OperationalError):
            return False
        if not waiting:
            return True
        return bool(super().do_ping(dbapi_connection))

    def do_rollback(self, dbapi_connection: Any) -> None:
        pgconn = dbapi_connection.pgconn
        if pgconn.transaction_status == pq.TransactionStatus.IDLE:
            return  # nothing to roll back (psycopg's own rollback does the same)
        result = pgconn.exec_(b"ROLLBACK")
        if result.status != pq.ExecStatus.COMMAND_OK:
            message = (result.error_message or pgconn.error_message).decode(errors="replace")
            # As psycopg would raise it: SQLAlchemy sees a broken connection and drops it.
            raise psycopg.OperationalError(f"ROLLBACK failed: {message.strip()}")


def register() -> None:
    """Use :class:`Dialect` for every ``postgresql+psycopg`` engine in this process."""
    registry.register("postgresql.psycopg", __name__, "Dialect")


@contextmanager
def generic_plan(session: Session) -> Iterator[None]:
    """Within the block, PostgreSQL runs a prepared statement with its generic plan, the
    one made once without the parameters' values, and plans nothing afresh.

    For a statement measured to run as fast on its generic plan whose estimates PostgreSQL
    nevertheless judges worse, so that it would plan it again on every run (the social
    worker's "audits of your work", issue 12). Only for single statements: the setting is
    put back as the block ends, and other databases ignore it.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    try:
        yield
    finally:
        session.execute(text("SET LOCAL plan_cache_mode = DEFAULT"))

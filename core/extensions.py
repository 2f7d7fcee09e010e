"""Flask extensions, created unbound and attached in ``create_app``.

They hold no application state; anything per app lives in ``app.extensions``.
"""

import contextlib
import sqlite3
from typing import Any

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from core import postgres


class Base(DeclarativeBase):
    # Named constraints let Alembic alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


# PostgreSQL engines keep the statements psycopg prepares across transactions.
postgres.register()

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
mail = Mail()


@event.listens_for(Engine, "connect")
def _sqlite_write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    """SQLite databases in write-ahead-log mode: pages are read while a draft is saved.

    In SQLite's default (rollback journal) mode a commit waits for every reader to
    finish, and readers wait for the commit, so several gunicorn workers queue behind
    each other's autosaves and session writes. In WAL mode readers never block the
    writer nor the writer readers. The mode is kept in the database file; asking again
    on each new connection is cheap. An in-memory database has no log (it answers
    "memory") and a database another process holds locked keeps its mode until next time.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    mode = None
    with contextlib.suppress(sqlite3.OperationalError):
        mode = dbapi_connection.execute("PRAGMA journal_mode = WAL").fetchone()
    if mode and str(mode[0]).lower() == "wal":
        # SQLite's advice for WAL: commits no longer wait for the disk (the log is synced
        # at checkpoints), and the database stays consistent after any crash; only a power
        # cut can lose the last commits. Per connection, so set every time.
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")

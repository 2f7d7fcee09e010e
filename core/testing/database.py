"""Test databases: configuration, a schema built by the real migrations, empty tables.

Shared by careaudit's own tests (tests/conftest.py) and the published pytest plugin
(:mod:`core.testing.fixtures`), so an outside package tests on the same database set-up.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.extensions import db

#: The environment variable naming a PostgreSQL server database for tests.
DATABASE_URL_VARIABLE = "CAREAUDIT_TEST_DATABASE_URL"


def test_config(database_url: str) -> dict[str, object]:
    """The configuration of an app under test: CSRF off, fast password hashes, mail kept
    in memory, tools only from core (a test registers its own), no second sign-in step.

    Jobs run at once under ``TESTING`` (``JOBS_IMMEDIATE``)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "tests-only",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_FAST": True,
        "RATELIMIT_ENABLED": False,
        "LOAD_ENTRY_POINT_TOOLS": False,
        "MAIL_BACKEND": "locmem",
        # Most tests sign in as an administrator without an authenticator app;
        # tests/core/mfa switch the requirement back on.
        "MFA_ENFORCED": False,
    }


test_config.__test__ = False  # type: ignore[attr-defined]  # not a test


def xdist_worker() -> str:
    """The pytest-xdist worker running this process ("gw0", "gw1"...), or "" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def per_worker(url: str | None) -> str | None:
    """Each xdist worker empties and fills its own PostgreSQL database."""
    worker = xdist_worker()
    if not url or not worker:
        return url
    target = make_url(url)
    return target.set(database=f"{target.database}_{worker}").render_as_string(hide_password=False)


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'careaudit.sqlite3'}"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL test database if it does not exist yet."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def reset_schema(url: str) -> None:
    """Drop everything in a PostgreSQL test database so migrations start clean."""
    from core import create_app

    app = create_app(test_config(url))
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
        db.engine.dispose()


def empty_tables() -> None:
    """Delete every row (in the current app's database), keeping the schema; on
    PostgreSQL every id sequence starts again at 1, as after ``TRUNCATE ... RESTART
    IDENTITY``."""
    if db.engine.dialect.name == "postgresql":
        _empty_postgresql_tables()
    else:
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()


def _empty_postgresql_tables() -> None:
    """Delete the rows of the tables that have any, in one transaction.

    ``TRUNCATE`` of the whole schema gives every table and index new files and syncs
    them at commit: about a second per test, most of the PostgreSQL run's time. A test
    leaves a few rows in a few tables, and deleting those costs milliseconds. The
    deletes run as replication (superuser only), which skips row triggers for this
    transaction: the append-only guards of the trail and of concerns, and the foreign
    key checks, so the order does not matter. Without superuser rights the tables
    that hold rows are truncated instead."""
    tables = db.metadata.sorted_tables
    probe = " UNION ALL ".join(
        f'SELECT {index} WHERE EXISTS (SELECT 1 FROM "{table.name}")'
        for index, table in enumerate(tables)
    )
    filled = [tables[index] for index in db.session.execute(text(probe)).scalars()]
    if filled:
        if db.session.execute(text("SHOW is_superuser")).scalar() == "on":
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(filled):
                db.session.execute(text(f'DELETE FROM "{table.name}"'))
        else:
            names = ", ".join(f'"{table.name}"' for table in filled)
            db.session.execute(text(f"TRUNCATE {names} CASCADE"))
    # Sequences move on even when a test's inserts were rolled back: restart them all.
    db.session.execute(
        text(
            "SELECT setval(oid, 1, false) FROM pg_class "
            "WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace"
        )
    )


def migrated_database(url: str) -> str:
    """Build ``url``'s schema with careaudit's migrations and leave its tables empty.

    A PostgreSQL database is created if missing and emptied of everything first."""
    from flask_migrate import upgrade

    from core import create_app
    from core.config import normalise_database_url

    url = normalise_database_url(url)
    if make_url(url).get_backend_name() == "postgresql":
        ensure_database(url)
        reset_schema(url)
    app = create_app(test_config(url))
    with app.app_context():
        upgrade()
        # The migrations seed reference data; each test builds its own.
        empty_tables()
        db.engine.dispose()
    return url

"""Fixtures in the style of Flask's tutorial: ``app``, ``client``, ``runner``, ``auth``.

Every test that uses ``app`` runs on SQLite, and also on PostgreSQL when
``CAREAUDIT_TEST_DATABASE_URL`` is set (CI sets it). The schema is built by
the real migrations once per database; each test then starts from empty tables.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import text

# Keep generated secrets and default databases out of the working tree.
os.environ.setdefault("CAREAUDIT_INSTANCE_PATH", tempfile.mkdtemp(prefix="careaudit-test-"))

from core import create_app
from core.config import normalise_database_url
from core.extensions import db
from tests.factories import Borough, build_borough

#: The pytest-xdist worker running this process ("gw0", "gw1"...), or "" without xdist.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _per_worker(url: str | None) -> str | None:
    """Each xdist worker empties and fills its own PostgreSQL database."""
    if not url or not WORKER:
        return url
    from sqlalchemy.engine import make_url

    target = make_url(url)
    return target.set(database=f"{target.database}_{WORKER}").render_as_string(hide_password=False)


POSTGRES_URL = _per_worker(os.environ.get("CAREAUDIT_TEST_DATABASE_URL"))
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def redis_db(base: int) -> int:
    """A Redis database number of this xdist worker's own (16 databases: 8 to 15 used)."""
    index = int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdigit() else 0
    return base + index % 4


def test_config(database_url: str) -> dict[str, object]:
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


def _ensure_database(url: str) -> None:
    """Create the PostgreSQL test database if it does not exist yet."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def _reset_schema(url: str) -> None:
    """Drop everything in a PostgreSQL test database so migrations start clean."""
    app = create_app(test_config(url))
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for the session, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'careaudit.sqlite3'}"
    else:
        assert POSTGRES_URL
        url = normalise_database_url(POSTGRES_URL)
        _ensure_database(url)
        _reset_schema(url)
    app = create_app(test_config(url))
    with app.app_context():
        upgrade()
        # The migrations seed reference data; each test builds its own.
        _empty_tables()
        db.engine.dispose()
    return url


def _empty_tables() -> None:
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(test_config(database_url))
    with app.app_context():
        try:
            yield app
        finally:
            db.session.rollback()
            _empty_tables()
            db.session.remove()
            db.engine.dispose()


#: The demo borough's rows, per database, kept after its first load in this process.
_DEMO_ROWS: dict[str, list[tuple[object, list[dict[str, object]]]]] = {}


@pytest.fixture
def demo_borough(app: Flask, database_url: str) -> Flask:
    """The demo borough (`careaudit demo`, seed 2011, today), for tests that read it.

    Loading it takes most of a minute on PostgreSQL, so it is loaded once per database
    in each test process, and later tests get the same rows copied back in. Tests of the
    demo command itself run the command instead."""
    from datetime import date

    from core.demo import load

    rows = _DEMO_ROWS.get(database_url)
    if rows is None:
        load(seed=2011, today=date.today())
        _DEMO_ROWS[database_url] = [
            (table, [dict(row._mapping) for row in db.session.execute(table.select())])
            for table in db.metadata.sorted_tables
        ]
        return app
    for table, data in rows:
        if data:
            db.session.execute(table.insert(), data)  # type: ignore[attr-defined]
    if db.engine.dialect.name == "postgresql":
        # Rows came with their ids: move each id sequence past them.
        for table, data in rows:
            if data and "id" in table.c and table.c.id.autoincrement is not False:  # type: ignore[attr-defined]
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # type: ignore[attr-defined]
                        f'(SELECT max(id) FROM "{table.name}"))'  # type: ignore[attr-defined]
                    )
                )
    db.session.commit()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def borough(app: Flask) -> Borough:
    """A small council: two directorates, services, teams, one user per role, cases."""
    return build_borough()


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = "correct horse battery") -> object:
        return self._client.post("/sign-in", data={"email": email, "password": password})

    def logout(self) -> object:
        return self._client.post("/sign-out")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


class Clock:
    """The time sessions and sign-in throttling see, moved by tests instead of sleeping."""

    def __init__(self) -> None:
        from core.models._types import utcnow

        self.now = utcnow()

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from core.sessions import clock as session_clock

    frozen = Clock()
    monkeypatch.setattr(session_clock, "now", lambda: frozen.now)
    return frozen

"""Fixtures in the style of Flask's tutorial: ``app``, ``client``, ``runner``, ``auth``.

Every test that uses ``app`` runs on SQLite, and also on PostgreSQL when
``CAREAUDIT_TEST_DATABASE_URL`` is set (CI sets it). The schema is built by
the real migrations once per database; each test then starts from empty tables.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

# Keep generated secrets and default databases out of the working tree.
os.environ.setdefault("CAREAUDIT_INSTANCE_PATH", tempfile.mkdtemp(prefix="careaudit-test-"))
# The apps a test run builds by the hundred are not frozen in memory (core.heap); its own
# test builds one with it on.
os.environ.setdefault("CAREAUDIT_FREEZE_STARTUP_OBJECTS", "0")

from core.testing.database import (
    DATABASE_URL_VARIABLE,
    migrated_database,
    per_worker,
    sqlite_url,
    test_config,
    xdist_worker,
)
from core.testing.database import empty_tables as _empty_tables
from tests.demo_rows import load_demo, shared_folder
from tests.factories import Borough

__all__ = ["_empty_tables", "test_config"]  # imported by tests

# careaudit's own fixtures are the published plugin's (core/testing/fixtures.py) under
# the short names of Flask's tutorial; only the database differs: every backend in turn.

#: tests/fixtures holds outside packages, tested by their own pytest run
#: (tests/core/testing/test_fixtures.py), not collected with careaudit's tests.
collect_ignore = ["fixtures"]

#: The pytest-xdist worker running this process ("gw0", "gw1"...), or "" without xdist.
WORKER = xdist_worker()

POSTGRES_URL = per_worker(os.environ.get(DATABASE_URL_VARIABLE))
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def redis_db(base: int) -> int:
    """A Redis database number of this xdist worker's own (16 databases: 8 to 15 used)."""
    index = int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdigit() else 0
    return base + index % 4


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for the session, one per backend."""
    if request.param == "sqlite":
        return migrated_database(sqlite_url(tmp_path_factory.mktemp("db")))
    assert POSTGRES_URL
    return migrated_database(POSTGRES_URL)


@pytest.fixture(scope="session")
def careaudit_database_url(database_url: str) -> str:
    """The plugin's app runs on each backend of careaudit's own run."""
    return database_url


@pytest.fixture
def app(careaudit_app: Flask) -> Flask:
    return careaudit_app


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: half as many workers again as there are cores. Tests spend part of
    their time waiting for PostgreSQL, Chromium and the servers they start; on two cores
    three workers ran the suite in 18.5 minutes where two took 23."""
    cores = os.cpu_count() or 1
    return max(1, cores + cores // 2)


@pytest.fixture
def demo_borough(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The demo borough (`careaudit demo`, seed 2011, today), for tests that read it:
    loaded once per database backend in the whole run, then copied (tests/demo_rows.py)."""
    load_demo(shared_folder(tmp_path_factory))
    return app


@pytest.fixture
def client(careaudit_client: FlaskClient) -> FlaskClient:
    return careaudit_client


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def borough(careaudit_borough: Borough) -> Borough:
    """A small council: two directorates, services, teams, one user per role, cases."""
    return careaudit_borough


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

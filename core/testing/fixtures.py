"""careaudit's pytest plugin: fixtures for testing a package that plugs into careaudit.

Installed with careaudit (the ``pytest11`` entry point ``careaudit``), so any package
tested in an environment where careaudit is installed can ask for these fixtures. Every
name starts with ``careaudit_`` so it never clashes with the package's own fixtures.
See docs/writing-a-themed-audit.md, "Testing your package".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

    from core.models import Service
    from core.testing.borough import Borough
    from core.testing.helpers import RegisteredTool


@pytest.fixture(scope="session")
def careaudit_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with careaudit's schema built by its real migrations, tables empty.

    PostgreSQL when ``CAREAUDIT_TEST_DATABASE_URL`` is set (emptied of everything first;
    one database per pytest-xdist worker), otherwise a fresh SQLite file."""
    from core.testing.database import DATABASE_URL_VARIABLE, migrated_database, per_worker
    from core.testing.database import sqlite_url as sqlite

    _keep_instance_folder_out_of_the_way(tmp_path_factory)
    url = per_worker(os.environ.get(DATABASE_URL_VARIABLE))
    return migrated_database(url or sqlite(tmp_path_factory.mktemp("careaudit-db")))


@pytest.fixture
def careaudit_config() -> dict[str, Any]:
    """Configuration added to the test app's; override it to change a setting, e.g.
    ``{"LOAD_ENTRY_POINT_TOOLS": True}`` to load tools from entry points as production does."""
    return {}


@pytest.fixture
def careaudit_app(careaudit_database_url: str, careaudit_config: dict[str, Any]) -> Iterator[Flask]:
    """The careaudit app, inside an app context, on empty tables that are emptied again
    after the test. CSRF is off, jobs run at once, mail is kept in memory
    (``flask_mailman``'s outbox), and only core's tools are loaded."""
    from core import create_app
    from core.extensions import db
    from core.testing.database import empty_tables, test_config

    app = create_app({**test_config(careaudit_database_url), **careaudit_config})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.rollback()
            empty_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def careaudit_client(careaudit_app: Flask) -> FlaskClient:
    """A test client of :func:`careaudit_app`, signed out."""
    return careaudit_app.test_client()


@pytest.fixture
def careaudit_borough(careaudit_app: Flask) -> Borough:
    """A small council (``core.testing.borough.Borough``): two directorates, three
    services, four teams, a user of every role (password ``core.testing.PASSWORD``),
    six cases of known categories; the children's audit on in children's services."""
    from core.testing.borough import build_borough

    return build_borough()


@pytest.fixture
def careaudit_sign_in(careaudit_app: Flask) -> Callable[..., TestResponse]:
    """``careaudit_sign_in(client, who)``: sign a client in as a user, an email, a role
    (``"independent_reviewer"``: the first user of it) or a borough key (``"iro"``)."""
    from core.testing.helpers import sign_in

    return sign_in


@pytest.fixture
def careaudit_tool(careaudit_app: Flask) -> Iterator[Callable[..., RegisteredTool]]:
    """``careaudit_tool(plugin, services=[...])``: register a tool's plugin object with the
    app's registry (switched on for ``services``) until the end of the test, or of a
    ``with careaudit_tool(plugin):`` block."""
    from core.testing.helpers import RegisteredTool
    from core.tools.registry import get_registry

    registered: list[RegisteredTool] = []

    def register(
        plugin: object, *, name: str | None = None, services: Iterable[Service] = ()
    ) -> RegisteredTool:
        tool = RegisteredTool(get_registry(careaudit_app), plugin, name, services)
        registered.append(tool)
        return tool

    try:
        yield register
    finally:
        for tool in reversed(registered):
            tool.unregister()


def _keep_instance_folder_out_of_the_way(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Generated secrets and the jobs database go to a folder of the test run's own,
    # never into careaudit's installed instance folder.
    if "CAREAUDIT_INSTANCE_PATH" not in os.environ:
        folder = tmp_path_factory.mktemp("careaudit-instance")
        os.environ["CAREAUDIT_INSTANCE_PATH"] = str(folder)


__all__ = [
    "careaudit_app",
    "careaudit_borough",
    "careaudit_client",
    "careaudit_config",
    "careaudit_database_url",
    "careaudit_sign_in",
    "careaudit_tool",
]

"""Fixtures for browser tests: the app served from a thread, and Debian's Chromium.

Outside CI the browser tests skip when Chromium or Playwright is missing. In CI
(``CI=true``) they fail instead, so a broken CI image cannot hide them.

They run on SQLite only: they check what the browser does with careaudit's pages (keys,
focus, scripts, layout), which does not depend on the database, while everything the
server does with each database is checked by the rest of the suite on both.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from flask import Flask
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # A closed network: no update checks, safe-browsing lists or sync.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000  # for each wait: generous, but a hang still fails quickly
#: For each page load: the first visit to a page of many charts (the trend view, a
#: committee pack) draws them all on the server, seconds on a loaded machine.
NAVIGATION_TIMEOUT_MS = 60_000


def _unavailable(message: str) -> NoReturn:
    """Skip on a developer's machine; fail in CI, which must run the browser tests."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true, so this is a failure, not a skip)")
    pytest.skip(message)


def chromium_path() -> str | None:
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def careaudit_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty SQLite database for the browser tests' app (see the module's
    docstring). It replaces the app's database, not ``database_url``: a session fixture
    of that name would be cached and handed to the other tests in the same process."""
    from core.testing.database import migrated_database, sqlite_url

    return migrated_database(sqlite_url(tmp_path_factory.mktemp("browser-db")))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium, launched once per test module and closed after it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright not installed: pip install -e '.[test]' to run the browser test")
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium not installed: apt-get install chromium to run the browser test")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served over HTTP from a thread, with CSRF protection switched on.

    The other tests switch CSRF off for the test client; here the real forms
    must carry their tokens. Yields the base URL.
    """
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT_MS / 1000)


@pytest.fixture
def page(chromium: Browser, live_server: str) -> Iterator[Page]:
    """A fresh browser tab (own cookies) on the live server; paths are relative to it."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = chromium.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    tab.on("response", lambda response: _note_broken_asset(response, problems))
    try:
        yield tab
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _note_broken_asset(response: Any, problems: list[str]) -> None:
    """A stylesheet, script, font or image that does not load (pages may answer 4xx)."""
    if response.status >= 400 and response.request.resource_type != "document":
        problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

"""careaudit's test kit, published for packages that plug into careaudit.

careaudit installs a pytest plugin (:mod:`core.testing.fixtures`, entry point
``pytest11: careaudit``), so a themed audit or a tool tested in an environment where
careaudit is installed gets these fixtures with no conftest of its own:

``careaudit_app``
    The app on a fresh database built by careaudit's migrations (SQLite, or PostgreSQL
    from ``CAREAUDIT_TEST_DATABASE_URL``), inside an app context, tables emptied after
    each test. CSRF off, jobs run at once, mail kept in memory, only core's tools loaded.
``careaudit_config``
    A dict of settings added to the app's: override it to change one.
``careaudit_client``
    A test client of the app.
``careaudit_borough``
    A small council (:class:`Borough`): directorates, services, teams, a user of every
    role with the password :data:`PASSWORD`, cases of known categories.
``careaudit_sign_in``
    ``careaudit_sign_in(client, who)``: sign in as a user, an email, a role or a
    borough key ("iro", "team_manager").
``careaudit_tool``
    ``careaudit_tool(plugin, services=[...])``: register a plugin object (a ``Theme``
    instance, a tool's hooks) for one test, or for a ``with`` block.

Example (a theme's own ``tests/test_theme.py``)::

    from my_theme import theme

    def test_a_qa_officer_can_start_the_theme(
        careaudit_client, careaudit_borough, careaudit_sign_in, careaudit_tool
    ):
        careaudit_tool(theme, services=[careaudit_borough.cin])
        careaudit_sign_in(careaudit_client, "independent_reviewer")
        assert theme.title in careaudit_client.get("/themed-audits/new").text

``complete_audit(client, audit_id, data)`` answers a draft through its pages, section by
section, and submits it from *Check your answers*; ``save_section`` saves one section.

The same helpers are importable for code outside fixtures.
"""

from __future__ import annotations

from core.testing.borough import PASSWORD, Borough, build_borough, make_case, make_user
from core.testing.database import test_config
from core.testing.helpers import RegisteredTool, complete_audit, find_user, save_section, sign_in

__all__ = [
    "PASSWORD",
    "Borough",
    "RegisteredTool",
    "build_borough",
    "complete_audit",
    "find_user",
    "make_case",
    "make_user",
    "save_section",
    "sign_in",
    "test_config",
]

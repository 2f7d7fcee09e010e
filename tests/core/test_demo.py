"""The demo borough shows every part of the follow-up loop in realistic numbers.

Loading the demo takes half a minute, so each feature's checks (in its own tests
package, ``demo_checks.py``) run against one copy of it (the ``demo_borough`` fixture)."""

from __future__ import annotations

from flask.testing import FlaskClient, FlaskCliRunner

from tests.core.actions.demo_checks import check_demo_actions
from tests.core.concerns.demo_checks import check_demo_concerns
from tests.core.moderation.demo_checks import check_demo_moderation
from tests.core.reports.demo_checks import check_demo_report


def test_the_demo_borough_shows_actions_moderation_concerns_and_reports(
    demo_borough, runner: FlaskCliRunner, client: FlaskClient, auth
):
    check_demo_actions(client, auth)
    check_demo_moderation(client)
    check_demo_concerns(runner)
    check_demo_report(client, auth)

"""The demo borough shows every part of the follow-up loop in realistic numbers.

Loading the demo takes half a minute, so it is loaded once here and each feature's
checks (in its own tests package, ``demo_checks.py``) run against it."""

from __future__ import annotations

from flask.testing import FlaskClient, FlaskCliRunner

from tests.core.actions.demo_checks import check_demo_actions
from tests.core.concerns.demo_checks import check_demo_concerns
from tests.core.moderation.demo_checks import check_demo_moderation


def test_the_demo_borough_shows_actions_moderation_and_concerns(
    runner: FlaskCliRunner, client: FlaskClient, auth, app
):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    check_demo_actions(client, auth)
    check_demo_moderation(client)
    check_demo_concerns(runner)

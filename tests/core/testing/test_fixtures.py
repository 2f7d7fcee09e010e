"""careaudit's published pytest plugin: the fixtures an outside package tests with."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.models import Role
from core.testing import fixtures
from core.testing.borough import Borough
from core.tools.registry import get_registry
from tests.core.test_hookspecs import VisitsChecklist
from tests.outside_packages import run_its_tests

EXTERNAL_THEME = Path(__file__).resolve().parents[2] / "fixtures" / "external_theme"


def test_the_plugin_is_installed_for_pytest(pytestconfig: pytest.Config):
    """The pytest11 entry point loads it in any test run where careaudit is installed."""
    assert pytestconfig.pluginmanager.get_plugin("careaudit") is fixtures


def test_every_fixture_is_named_for_careaudit():
    """An outside package's own fixtures (app, client...) never clash with careaudit's."""
    assert fixtures.__all__
    assert all(name.startswith("careaudit_") for name in fixtures.__all__)


def test_careaudits_own_fixtures_are_the_plugins(
    app: Flask,
    careaudit_app: Flask,
    client: FlaskClient,
    careaudit_client: FlaskClient,
    borough: Borough,
    careaudit_borough: Borough,
):
    assert app is careaudit_app and client is careaudit_client and borough is careaudit_borough


def test_the_borough_has_a_user_of_every_role(careaudit_borough: Borough):
    assert {user.role for user in careaudit_borough.users.values()} == set(Role)


@pytest.mark.parametrize(
    "who", ["iro", "independent_reviewer", Role.INDEPENDENT_REVIEWER, "iro@test.example"]
)
def test_sign_in_by_key_role_or_email(careaudit_client, careaudit_borough, careaudit_sign_in, who):
    careaudit_sign_in(careaudit_client, who)
    page = careaudit_client.get("/account")
    assert page.status_code == 200 and "Iro" in page.get_data(as_text=True)


def test_sign_in_says_who_it_cannot_find_or_sign_in(
    careaudit_client, careaudit_borough, careaudit_sign_in
):
    with pytest.raises(LookupError, match="no user 'auditor': give an email, a user, a role"):
        careaudit_sign_in(careaudit_client, "auditor")
    with pytest.raises(AssertionError, match=re.escape("could not sign in as iro@test.example")):
        careaudit_sign_in(careaudit_client, "iro", password="wrong horse")


def test_sign_in_before_a_borough_says_to_build_one(careaudit_client, careaudit_sign_in):
    with pytest.raises(LookupError, match="build a borough first"):
        careaudit_sign_in(careaudit_client, Role.ADMINISTRATOR)


def test_a_tool_is_registered_switched_on_and_unregistered(
    careaudit_app, careaudit_borough, careaudit_tool
):
    registry = get_registry(careaudit_app)
    with careaudit_tool(VisitsChecklist(), services=[careaudit_borough.cin]) as checklist:
        assert registry.plugin_of("test_checklist") is checklist
        assert registry.is_enabled("test_checklist", careaudit_borough.cin.id)
    assert "test_checklist" not in registry

    kept = careaudit_tool(VisitsChecklist())  # until the end of the test
    assert "test_checklist" in registry
    kept.unregister()
    assert "test_checklist" not in registry


def test_a_plugin_without_a_slug_is_named_by_the_test(careaudit_tool):
    with pytest.raises(TypeError, match="pass name='your_slug'"):
        careaudit_tool(object())


def test_an_outside_package_tests_itself_with_the_published_fixtures(tmp_path: Path):
    """The example theme's own tests (tests/fixtures/external_theme/tests) pass in a pytest
    run of their own, with no conftest: only the fixtures careaudit installs."""
    package = tmp_path / "external_theme"
    shutil.copytree(EXTERNAL_THEME, package, ignore=shutil.ignore_patterns("__pycache__"))
    run = run_its_tests(package)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout

"""`careaudit tools enable|disable`: switching a tool per service from a script, and what
every command says when the database has no tables yet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from core import create_app
from core.cli import is_missing_table, main
from core.extensions import db
from core.models import TrailEntry
from core.tools.registry import get_registry
from tests.conftest import test_config
from tests.factories import Borough


def services_on(runner: FlaskCliRunner, slug: str) -> list[str]:
    """The services `careaudit tools --json` lists for one tool."""
    listed = json.loads(runner.invoke(args=["tools", "--json"]).output)
    return next(tool["services"] for tool in listed if tool["slug"] == slug)


def trail(action: str = "tools.updated") -> list[TrailEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(TrailEntry).where(TrailEntry.action == action).order_by(TrailEntry.id)
        )
    )


# -- enable and disable ------------------------------------------------------------


def test_enable_switches_a_tool_on_for_a_service_named_in_any_case(
    runner: FlaskCliRunner, borough: Borough
):
    """`tools enable SLUG --service NAME` matches the name in any case and says what it did."""
    result = runner.invoke(
        args=["tools", "enable", "supervision_audit", "--service", "CHILDREN IN NEED"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Switched supervision_audit (Supervision audit) on for Children in Need.\n"
    )
    assert get_registry().is_enabled("supervision_audit", borough.cin.id)
    assert services_on(runner, "supervision_audit") == ["Children in Need"]


def test_a_switch_is_recorded_in_the_audit_trail_as_the_admin_page_records_it(
    runner: FlaskCliRunner, borough: Borough
):
    """One `tools.updated` entry on the service, before and after, by the command."""
    runner.invoke(args=["tools", "disable", "children_audit", "--service", "Children in Care"])
    (entry,) = trail()
    assert entry.object_type == "service" and entry.object_id == str(borough.cic.id)
    assert entry.summary == "Changed audit tools for Children in Care: children_audit"
    assert entry.before["children_audit"]["on"] is True
    assert entry.after["children_audit"]["on"] is False
    assert "tools disable" in entry.actor_label


def test_enabling_an_enabled_tool_says_so_and_succeeds(runner: FlaskCliRunner, borough: Borough):
    """Idempotent: running the set-up script twice changes and records nothing the second time."""
    result = runner.invoke(
        args=["tools", "enable", "children_audit", "--service", "Children in Need"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "children_audit is already on for Children in Need; nothing changed.\n"
    assert trail() == []
    off = ["tools", "disable", "adult_audit", "--service", "Older People's Social Work"]
    assert runner.invoke(args=off).output.endswith(
        "is already off for Older People’s Social Work; nothing changed.\n"
    )


def test_disable_finds_a_service_by_id_and_leaves_the_others_on(
    runner: FlaskCliRunner, borough: Borough
):
    """`--service` also takes the id the admin pages show; other services keep the tool."""
    result = runner.invoke(
        args=["tools", "disable", "children_audit", "--service", str(borough.cin.id)]
    )
    assert result.exit_code == 0, result.output
    assert services_on(runner, "children_audit") == ["Children in Care"]


def test_all_services_switches_every_service_the_tool_audits(
    runner: FlaskCliRunner, borough: Borough
):
    """`--all-services`: every service in the tool's directorates, and no other."""
    result = runner.invoke(args=["tools", "enable", "rereferral_theme", "--all-services"])
    assert result.exit_code == 0, result.output
    assert services_on(runner, "rereferral_theme") == ["Children in Care", "Children in Need"]
    assert len(trail()) == 2


def test_several_services_can_be_named_at_once(runner: FlaskCliRunner, borough: Borough):
    args = ["tools", "disable", "children_audit", "--service", "children in need"]
    result = runner.invoke(args=[*args, "--service", "children in care"])
    assert result.exit_code == 0, result.output
    assert services_on(runner, "children_audit") == []


def test_an_unknown_tool_is_one_line_naming_the_installed_tools(
    runner: FlaskCliRunner, borough: Borough
):
    result = runner.invoke(
        args=["tools", "enable", "childrens_audit", "--service", "Children in Need"]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: no tool 'childrens_audit' is installed (installed: adult_audit, "
        "children_audit, rereferral_theme, supervision_audit)\n"
    )


def test_an_unknown_service_is_one_line_naming_the_services(
    runner: FlaskCliRunner, borough: Borough
):
    result = runner.invoke(args=["tools", "enable", "children_audit", "--service", "Fostering"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert result.output.startswith("Error: no service is named 'Fostering' (services: ")
    assert f"Children in Need (id {borough.cin.id})" in result.output
    assert trail() == []


def test_a_tool_is_refused_for_a_directorate_it_does_not_audit(
    runner: FlaskCliRunner, borough: Borough
):
    """The adults' audit is not switched on for a children's service, as on the admin page."""
    result = runner.invoke(args=["tools", "enable", "adult_audit", "--service", "Children in Need"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: adult_audit audits Adults’ social care only, so it cannot be switched on "
        "for Children in Need (Children’s social care)\n"
    )
    assert services_on(runner, "adult_audit") == []


def test_a_service_or_all_services_must_be_given(runner: FlaskCliRunner, borough: Borough):
    for extra in ([], ["--service", "Children in Need", "--all-services"]):
        result = runner.invoke(args=["tools", "enable", "children_audit", *extra])
        assert result.exit_code == 2
        assert "give either --service NAME (one or more) or --all-services" in result.output


# -- before `careaudit db upgrade` ---------------------------------------------------


@pytest.fixture
def fresh_app(tmp_path: Path) -> Flask:
    """An app on a new SQLite file that no migration has run on."""
    return create_app(test_config(f"sqlite:///{tmp_path / 'new.db'}"))


@pytest.mark.parametrize(
    "args",
    [
        ["tools"],
        ["tools", "--json"],
        ["tools", "enable", "children_audit", "--all-services"],
        ["demo"],
        ["default-rules"],
    ],
)
def test_a_command_before_db_upgrade_says_what_to_run(fresh_app: Flask, args: list[str]):
    """No traceback: one line saying to run `careaudit db upgrade`, and exit status 1."""
    result = fresh_app.test_cli_runner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output == (
        "Error: The database has no tables yet: run `careaudit db upgrade` first.\n"
    )


def test_a_database_behind_the_code_is_told_to_upgrade(fresh_app: Flask):
    """Migrated once, then missing a table (code newer than the schema): upgrade, in words."""
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
    result = fresh_app.test_cli_runner().invoke(main, ["tools"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: The database is not up to date (a table is missing): run `careaudit db upgrade`.\n"
    )


def test_a_missing_table_is_recognised_on_each_database(app: Flask):
    """SQLite's "no such table" and PostgreSQL's "relation does not exist" alike."""
    with pytest.raises(DBAPIError) as raised:
        db.session.execute(text("SELECT * FROM no_such_table"))
    db.session.rollback()
    assert is_missing_table(raised.value)
    with pytest.raises(DBAPIError) as other:
        db.session.execute(text("SELECT no_such_column FROM service"))
    db.session.rollback()
    assert not is_missing_table(other.value)

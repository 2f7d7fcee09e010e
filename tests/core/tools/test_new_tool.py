"""`careaudit new-tool NAME` writes a case-file tool package that works, reads like
careaudit's code and tests itself."""

from __future__ import annotations

import importlib.util
import random
import subprocess
import sys
import tomllib
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from flask import Flask, render_template

from core.extensions import db
from core.tools import SCALE, ReportScope
from core.tools.registry import get_registry
from core.tools.skeleton import MAX_NAME_LENGTH, write_skeleton
from tests.factories import Borough
from tests.helpers import submitted_audit

ROOT = Path(__file__).resolve().parents[3]
NAME = "Care leavers audit"
SLUG = "care_leavers_audit"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_skeleton(NAME, tmp_path_factory.mktemp("new_tool"))


@pytest.fixture
def hooks(package: Path) -> ModuleType:
    """The package's hooks module, loaded by path (as pip would make it importable)."""
    name = f"careaudit_tool_{SLUG}.hooks"
    path = package / f"careaudit_tool_{SLUG}" / "hooks.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_has_an_entry_point_a_hooks_module_a_template_and_tests(package: Path):
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert project["project"]["name"] == "careaudit-tool-care-leavers-audit"
    assert project["project"]["entry-points"]["careaudit.tools"] == {
        SLUG: f"careaudit_tool_{SLUG}.hooks"
    }
    inside = package / f"careaudit_tool_{SLUG}"
    assert (inside / "hooks.py").is_file()
    assert (inside / "templates" / SLUG / "report_section.html").is_file()
    assert (package / "tests" / "test_tool.py").is_file()
    assert f"careaudit tools enable {SLUG}" in (package / "README.md").read_text()


@pytest.mark.parametrize("name", [NAME, "x" * MAX_NAME_LENGTH])
def test_the_package_passes_careaudits_ruff_check_and_format(tmp_path: Path, name: str):
    """Checked with careaudit's pyproject.toml and with the package's own, as its author would."""
    package = write_skeleton(name, tmp_path)
    for config in (["--config", str(ROOT / "pyproject.toml")], []):
        checked = run("ruff", "check", "--no-cache", *config, ".", cwd=package)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        formatted = run("ruff", "format", "--check", "--no-cache", *config, ".", cwd=package)
        assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_the_packages_ruff_rules_are_careaudits(package: Path):
    ours = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    theirs = tomllib.loads((package / "pyproject.toml").read_text())["tool"]["ruff"]
    assert theirs["line-length"] == ours["line-length"]
    assert theirs["target-version"] == ours["target-version"]
    assert theirs["lint"]["select"] == ours["lint"]["select"]
    assert theirs["lint"]["ignore"] == ours["lint"]["ignore"]


def test_the_packages_own_tests_pass(package: Path):
    result = run("pytest", "-q", "-p", "no:cacheprovider", cwd=package)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tool_registers_and_its_form_scores_and_reports(
    app: Flask, borough: Borough, hooks: ModuleType
):
    """Registered like an installed tool: a form of standards and an overall judgement,
    an audit submitted with its demo answers, and its section in the report."""
    registry = get_registry(app)
    registry.register(hooks, name=SLUG)
    try:
        assert registry.get(SLUG).title == "Care leavers audit"
        form = registry.form(SLUG, None, None)
        assert [s.label for s in form.sections] == [
            "Standard 1",
            "Standard 2",
            "Standard 3",
            "Overall judgement",
        ]
        case = borough.cases["cin"]
        registry.set_switch(SLUG, case.service_id, True)
        db.session.commit()
        answers = registry.demo_answers(SLUG, case, random.Random(3), case.service_id)
        submitted_audit(case, borough.user("team_manager"), answers, tool=SLUG)

        scope = ReportScope(tool=SLUG, start=date.today() - timedelta(days=30), end=date.today())
        section = registry.report_section(scope)
        assert section is not None and section.audit_count == 1
        with app.test_request_context():
            html = render_template(
                section.template, section=section, scope=scope, scale=SCALE, **section.context
            )
        assert "Standards 1 to 3" in html and "Risks are identified" in html
    finally:
        registry.unregister(hooks)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("9 lives", "start with a letter and use only letters, digits"),
        ("Café audit", "start with a letter and use only letters, digits"),
        ("x" * (MAX_NAME_LENGTH + 1), f"use a name of 2 to {MAX_NAME_LENGTH} characters"),
        ("Children audit", "careaudit already has a tool called 'children_audit'"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_written(tmp_path: Path, runner, name, message):
    result = runner.invoke(args=["new-tool", name, "--directory", str(tmp_path)])
    assert result.exit_code != 0
    assert message in result.output
    assert not any(tmp_path.iterdir())


def test_an_existing_directory_is_refused_and_left_alone(tmp_path: Path, runner):
    first = runner.invoke(args=["new-tool", NAME, "--directory", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert f"careaudit tools enable {SLUG} --service NAME" in first.output
    again = runner.invoke(args=["new-tool", NAME, "--directory", str(tmp_path)])
    assert again.exit_code != 0
    assert "already exists: choose another name" in again.output

"""A themed audit written outside careaudit, installed with pip, found by its entry point."""

from __future__ import annotations

import importlib
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from core import create_app
from core.extensions import db
from core.models import Audit, AuditStatus
from core.testing import complete_audit
from core.tools.registry import get_registry
from tests.conftest import _empty_tables, test_config
from tests.factories import build_borough
from tests.outside_packages import run_its_tests

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "external_theme"


def pip_install(source: Path, target: Path) -> None:
    """Install like a council would (pip), but into a folder of the test's own."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def installed_theme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("external")
    source = work / "source"
    shutil.copytree(FIXTURE, source)  # building writes into the source tree
    target = work / "site"
    pip_install(source, target)
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    try:
        yield target
    finally:
        sys.path.remove(str(target))
        sys.modules.pop("careaudit_theme_private_fostering", None)
        importlib.invalidate_caches()


@pytest.fixture
def external_app(installed_theme: Path, database_url: str) -> Iterator[Flask]:
    """An app that loads tools from entry points, as production does."""
    app = create_app({**test_config(database_url), "LOAD_ENTRY_POINT_TOOLS": True})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.rollback()
            _empty_tables()
            db.session.remove()
            db.engine.dispose()


def test_external_theme_is_listed_switched_on_audited_and_reported(
    external_app: Flask, installed_theme: Path
):
    """Listed by `careaudit tools`, switched on for one service, audited, in the report."""
    borough = build_borough()
    plugin = get_registry(external_app).pm.get_plugin("private_fostering_theme")
    # Loaded from where pip put it, through the entry point, not from tests/.
    module_file = Path(sys.modules[type(plugin).__module__].__file__)
    assert module_file.is_relative_to(installed_theme)

    runner = external_app.test_cli_runner()
    listed = json.loads(runner.invoke(args=["tools", "--json"]).output)
    mine = next(t for t in listed if t["slug"] == "private_fostering_theme")
    assert mine["version"] == "0.3" and mine["services"] == []

    # An administrator switches it on for one service, through the web page.
    client = external_app.test_client()
    client.post(
        "/sign-in", data={"email": "admin@test.example", "password": "correct horse battery"}
    )
    switched = client.post(
        f"/admin/tools/{borough.cin.id}",
        data={"tool-children_audit": "on", "tool-private_fostering_theme": "on"},
    )
    assert switched.status_code == 302
    listed = json.loads(runner.invoke(args=["tools", "--json"]).output)
    mine = next(t for t in listed if t["slug"] == "private_fostering_theme")
    assert mine["services"] == ["Children in Need"]
    client.post("/sign-out")

    # The quality assurance lead runs the themed audit end to end.
    client.post("/sign-in", data={"email": "iro@test.example", "password": "correct horse battery"})
    created = client.post(
        "/themed-audits/new",
        data={
            "theme": "private_fostering_theme",
            "title": "Private fostering 2026",
            "rationale": "Low notification rates.",
            "commissioned_by": "LSCB",
            "start_day": "1",
            "start_month": "1",
            "start_year": "2026",
            "end_day": "31",
            "end_month": "12",
            "end_year": "2026",
        },
    )
    assert created.status_code == 302
    themed = created.location
    csv = (
        "referral_reference,case_reference,referral_date,team,arrangement_start\n"
        "PF1,C700001,2026-03-01,CIN North,2026-01-01\n"
        "PF2,C700002,2026-03-01,CIN North,2026-02-25\n"
    )
    uploaded = client.post(
        f"{themed}/population",
        content_type="multipart/form-data",
        data={"population": (io.BytesIO(csv.encode()), "pf.csv")},
    )
    assert uploaded.status_code == 302
    assert client.post(f"{themed}/sample", data={"size": "2", "seed": "5"}).status_code == 302
    allocated = client.post(
        f"{themed}/allocate", data={"auditor": borough.user("iro").id, "count": "2"}
    )
    assert allocated.status_code == 302
    audits = db.session.scalars(
        select(Audit).where(Audit.tool == "private_fostering_theme").order_by(Audit.id)
    ).all()
    assert len(audits) == 2
    for audit, visited in zip(audits, ("yes", "no"), strict=True):
        data = {
            "visited_in_7_days": visited,
            "carer_checks": "yes",
            "notes": "Visited on day 10." if visited == "no" else "",
        }
        done = complete_audit(client, audit.id, data)
        assert done.status_code == 302 and done.location == f"/audits/{audit.id}/submitted"
    db.session.expire_all()
    assert all(a.status is AuditStatus.SUBMITTED for a in audits)

    report = client.get(f"/reports/?scope=service-{borough.cin.id}").get_data(as_text=True)
    assert "Themed audit: Private fostering themed audit" in report
    visited_row = re.search(
        r'data-finding="Visited within 7 days">.*?data-count>(\d+)<.*?'
        r"data-percent>(\d+)%",
        report,
        re.S,
    )
    assert visited_row.groups() == ("1", "50")
    late = re.search(
        r'data-finding="Notified 6 weeks or more after the arrangement began">'
        r".*?data-count>(\d+)<",
        report,
        re.S,
    )
    assert late.group(1) == "1"  # PF1: 59 days; PF2: 4 days


def test_new_theme_skeleton_passes_its_own_test(tmp_path: Path, runner):
    """`careaudit new-theme` writes a package whose own tests pass as written."""
    result = runner.invoke(args=["new-theme", "Missing education", "--directory", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "careaudit-theme-missing-education"
    assert (root / "pyproject.toml").exists()
    run = run_its_tests(root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 passed" in run.stdout  # one on careaudit's fixtures


def test_new_theme_skeleton_installs_and_is_found_by_entry_point(tmp_path: Path, runner):
    """The skeleton, installed with pip, is a tool careaudit finds."""
    runner.invoke(args=["new-theme", "Missing education", "--directory", str(tmp_path)])
    target = tmp_path / "site"
    pip_install(tmp_path / "careaudit-theme-missing-education", target)
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib.metadata as m;"
            "print([e.name for e in m.entry_points(group='careaudit.tools')])",
        ],
        env={"PYTHONPATH": str(target), "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert "missing_education_theme" in found.stdout, found.stderr


def test_new_theme_refuses_a_name_it_cannot_use(tmp_path: Path, runner):
    result = runner.invoke(args=["new-theme", "2nd go", "--directory", str(tmp_path)])
    assert result.exit_code != 0 and "start the name with a letter" in result.output

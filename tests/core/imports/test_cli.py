"""`careaudit import staff|cases`: what cron sees: a counts line, the problems, the exit code."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from core.extensions import db
from core.imports.mapping import save_mapping
from core.models import Case, ImportRun, ImportStatus, User
from tests.core.imports import csv_bytes, xlsx_bytes
from tests.factories import Borough

STAFF = ["Email", "Name", "Role", "Team", "Service", "Active", "Staff ID"]
MOSAIC = ["Person ID", "Team Name", "Service Area", "Worker Email", "Primary Category"]
MOSAIC += ["Case Status", "Start Date"]
CASES = ["Case reference", "Team", "Worker", "Category", "Status", "Opened"]


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def last_run() -> ImportRun:
    return db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()


def test_import_staff_prints_the_counts_and_exits_zero(
    runner: FlaskCliRunner, borough: Borough, tmp_path: Path
):
    path = write(
        tmp_path,
        "staff.csv",
        csv_bytes(
            [
                STAFF,
                ["new@test.example", "New Person", "Social worker", "CIN North", "", "", "E1"],
                ["worker@test.example", "Worker", "Social worker", "CIN North", "", "", ""],
            ]
        ),
    )
    result = runner.invoke(args=["import", "staff", path, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Changed: 1 created, 0 updated, 0 closed, 1 unchanged, 0 rejected." in result.output
    assert f"Imported (run {last_run().id})." in result.output
    assert db.session.scalar(select(User).where(User.email == "new@test.example")) is not None
    # The record says which command ran it, as whom and where.
    assert last_run().started_by.startswith("careaudit import staff (")
    assert " on " in last_run().started_by


def test_a_refused_file_lists_its_problems_and_exits_non_zero(
    runner: FlaskCliRunner, borough: Borough, tmp_path: Path
):
    """Cron notices: exit code 1, every problem with row and column, nothing written."""
    path = write(
        tmp_path,
        "staff.csv",
        csv_bytes(
            [
                STAFF,
                ["a@test.example", "A", "Wizard", "", "", "", ""],
                ["b@test.example", "B", "Social worker", "Nowhere", "", "", ""],
            ]
        ),
    )
    result = runner.invoke(args=["import", "staff", path, "--quiet"])
    assert result.exit_code == 1
    assert "  row 2, Role: “Wizard” is not a careaudit role." in result.output
    assert "  row 3, Team: Team “Nowhere” is not in careaudit" in result.output
    assert (
        "2 problems; nothing was imported. Fix the file, or run again with --skip-invalid"
        in result.output
    )
    assert last_run().status is ImportStatus.REJECTED
    assert db.session.scalar(select(User).where(User.email == "a@test.example")) is None


def test_skip_invalid_and_full_from_the_command_line(
    runner: FlaskCliRunner, borough: Borough, tmp_path: Path
):
    path = write(
        tmp_path,
        "staff.csv",
        csv_bytes(
            [
                STAFF,
                ["a@test.example", "A", "Wizard", "", "", "", ""],
                ["worker@test.example", "Worker", "Social worker", "CIN North", "", "", ""],
            ]
        ),
    )
    result = runner.invoke(args=["import", "staff", path, "--skip-invalid", "--full", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Changed: 0 created, 0 updated, 9 closed, 1 unchanged, 1 rejected." in result.output
    assert "  row 2, Role:" in result.output


def test_a_dry_run_says_what_would_change(runner: FlaskCliRunner, borough: Borough, tmp_path: Path):
    path = write(
        tmp_path,
        "cases.csv",
        csv_bytes([CASES, ["N1", "CIN North", "worker@test.example", "Child in need", "", ""]]),
    )
    result = runner.invoke(args=["import", "cases", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would change: 1 created, 0 updated, 0 closed, 0 unchanged, 0 rejected." in result.output
    assert f"Dry run: nothing was written (run {last_run().id})." in result.output
    assert db.session.scalar(select(Case).where(Case.reference == "N1")) is None


def test_import_cases_with_a_saved_mapping_full_and_create_teams(
    runner: FlaskCliRunner, borough: Borough, tmp_path: Path
):
    save_mapping(
        "Nightly",
        {
            "reference": "Person ID",
            "team": "Team Name",
            "service": "Service Area",
            "worker": "Worker Email",
            "category": "Primary Category",
            "status": "Case Status",
            "opened_on": "Start Date",
        },
        {"category": {"CIN": "child_in_need"}, "status": {"Current": "open"}},
    )
    db.session.commit()
    rows = [
        [*MOSAIC],
        ["C100001", "CIN North", "", "worker@test.example", "CIN", "Current", "01/04/2025"],
        ["N2", "CIN East", "Children in Need", "", "CIN", "Current", "2025-04-01"],
    ]
    path = write(tmp_path, "mosaic.xlsx", xlsx_bytes(rows, title="Mosaic case list"))
    result = runner.invoke(
        args=["import", "cases", path, "--mapping", "Nightly", "--full", "--create-teams"]
    )
    assert result.exit_code == 0, result.output
    # C100001 gains its opened date; the other open children's cases close.
    assert "Changed: 1 created, 1 updated, 3 closed, 0 unchanged, 0 rejected." in result.output
    assert last_run().details["created_teams"] == ["CIN East (Children in Need)"]
    assert last_run().mapping_name == "Nightly"


def test_a_file_over_the_size_limit_is_refused_before_reading(
    app: Flask, runner: FlaskCliRunner, borough: Borough, tmp_path: Path
):
    app.config["IMPORT_MAX_BYTES"] = 10
    path = write(tmp_path, "cases.csv", csv_bytes([CASES, ["N1", "CIN North", "", "CIN"]]))
    result = runner.invoke(args=["import", "cases", path])
    assert result.exit_code == 1
    assert "the limit is" in result.output


def test_a_file_that_cannot_be_read_exits_non_zero_with_the_reason(
    runner: FlaskCliRunner, borough: Borough, tmp_path: Path
):
    path = write(tmp_path, "cases.csv", csv_bytes([["Something", "Else"], ["1", "2"]]))
    result = runner.invoke(args=["import", "cases", path])
    assert result.exit_code == 1
    assert "The file has no column headed “Case reference”" in result.output
    assert last_run().status is ImportStatus.REJECTED

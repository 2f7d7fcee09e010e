"""`careaudit import audits FILE --tool SLUG`: counts, every problem, the exit code."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from core.extensions import db
from core.models import Audit, ImportRun, ImportStatus
from tests.core.imports import xlsx_bytes
from tests.core.imports.test_audits_import import HEADINGS, VALID, audits_file, row
from tests.factories import Borough


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def audits() -> int:
    return db.session.scalar(select(func.count(Audit.id))) or 0


def last_run() -> ImportRun:
    return db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()


def test_import_audits_prints_the_counts_and_a_second_run_adds_nothing(
    runner: FlaskCliRunner, borough: Borough, tmp_path: Path
):
    path = write(tmp_path, "audits.csv", audits_file(*VALID))
    result = runner.invoke(args=["import", "audits", path, "--tool", "children_audit", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Changed: 3 created, 0 updated, 0 closed, 0 unchanged, 0 rejected." in result.output
    assert f"Imported (run {last_run().id})." in result.output
    assert last_run().started_by.startswith("careaudit import audits (")
    assert audits() == 3

    again = runner.invoke(args=["import", "audits", path, "--tool", "children_audit", "--quiet"])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 0 closed, 3 unchanged" in again.output
    assert "The same file was imported before" in again.output
    assert audits() == 3


def test_an_excel_file_and_a_dry_run(runner: FlaskCliRunner, borough: Borough, tmp_path: Path):
    path = write(tmp_path, "audits.xlsx", xlsx_bytes([HEADINGS, *VALID], title="Audits"))
    args = ["import", "audits", path, "--tool", "children_audit", "--dry-run", "--quiet"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert (
        "Would change: 3 created" in result.output
        and "Dry run: nothing was written" in result.output
    )
    assert audits() == 0


def test_a_refused_file_lists_its_problems_and_exits_non_zero(
    runner: FlaskCliRunner, borough: Borough, tmp_path: Path
):
    path = write(
        tmp_path, "audits.csv", audits_file(row(), row("C999999"), row(kind="?", day="2025-01-02"))
    )
    result = runner.invoke(args=["import", "audits", path, "--tool", "children_audit", "--quiet"])
    assert result.exit_code == 1
    assert "row 3, Case reference: Case C999999 is not in careaudit" in result.output
    assert "row 4, Kind: “?” is not a kind of audit" in result.output
    assert "2 problems; nothing was imported" in result.output
    assert last_run().status is ImportStatus.REJECTED
    assert audits() == 0

    skipped = runner.invoke(
        args=["import", "audits", path, "--tool", "children_audit", "--skip-invalid", "--quiet"]
    )
    assert skipped.exit_code == 0, skipped.output
    assert audits() == 1


def test_the_tool_is_required_and_must_exist(
    runner: FlaskCliRunner, borough: Borough, tmp_path: Path
):
    path = write(tmp_path, "audits.csv", audits_file(*VALID))
    missing = runner.invoke(args=["import", "audits", path])
    assert missing.exit_code == 2 and "--tool" in missing.output
    unknown = runner.invoke(args=["import", "audits", path, "--tool", "nope", "--quiet"])
    assert unknown.exit_code == 1
    assert "There is no audit tool “nope” in careaudit" in unknown.output

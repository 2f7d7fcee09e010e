"""Every import is recorded: who, when, which file (name, size, SHA-256), counts, problems."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from core.extensions import db
from core.imports.plan import ImportFileData
from core.imports.runner import execute, start_run
from core.models import Case, ImportFile, ImportKind, ImportRun, ImportStatus
from core.models.imports import MAX_STORED_PROBLEMS
from tests.core.imports import csv_bytes, run
from tests.factories import Borough

HEADINGS = ["Case reference", "Team", "Category"]


def test_a_run_records_the_file_its_counts_and_its_problems(borough: Borough):
    content = csv_bytes(
        [HEADINGS, ["R1", "CIN North", "Child in need"], ["R2", "Nowhere", "Child in need"]]
    )
    result = run(ImportKind.CASES, content, "nightly.csv", skip_invalid=True)
    record = db.session.get(ImportRun, result.id)
    assert (record.kind, record.status, record.dry_run) == (
        ImportKind.CASES,
        ImportStatus.IMPORTED,
        False,
    )
    assert record.started_by == "tests" and record.finished_at is not None
    assert record.options["skip_invalid"] is True
    [file] = record.files
    assert (file.role, file.filename, file.size) == ("file", "nightly.csv", len(content))
    assert file.sha256 == hashlib.sha256(content).hexdigest()
    assert file.content is None  # careaudit keeps no copy of the extract
    assert record.counts == {"created": 1, "updated": 0, "closed": 0, "unchanged": 0, "rejected": 1}
    assert record.problem_count == 1
    assert record.problems == [
        {
            "row": 3,
            "column": "Team",
            "reason": "Team “Nowhere” is not in careaudit: add it under Administration, "
            "or import with the option to create teams",
        }
    ]


def test_a_dry_run_is_recorded_and_writes_nothing_else(borough: Borough):
    content = csv_bytes([HEADINGS, ["R1", "CIN North", "Child in need"]])
    result = run(ImportKind.CASES, content, dry_run=True)
    assert (result.status, result.dry_run, result.counts["created"]) == (
        ImportStatus.CHECKED,
        True,
        1,
    )
    assert db.session.scalar(select(Case).where(Case.reference == "R1")) is None


def test_the_web_journey_checks_then_imports_the_kept_upload(borough: Borough):
    """The upload is kept until the user decides, then emptied once imported."""
    content = csv_bytes([HEADINGS, ["R1", "CIN North", "Child in need"]])
    record = start_run(
        ImportKind.CASES,
        [ImportFileData("file", "upload.csv", content)],
        {},
        started_by="Admin",
        user=borough.user("admin"),
        keep_content=True,
    )
    checked = execute(record, dry_run=True)
    assert checked.status is ImportStatus.CHECKED
    assert db.session.scalar(select(ImportFile.content)) == content
    imported = execute(checked, dry_run=False)
    assert imported.status is ImportStatus.IMPORTED
    assert imported.user == borough.user("admin")
    assert db.session.scalar(select(ImportFile.content)) is None
    assert db.session.scalar(select(Case).where(Case.reference == "R1")) is not None


def test_a_file_that_cannot_be_read_is_recorded_as_rejected(borough: Borough):
    result = run(ImportKind.STAFF, b"", "staff.csv")
    assert result.status is ImportStatus.REJECTED
    assert result.error == "The file is empty"
    assert result.files[0].size == 0


def test_problems_beyond_the_limit_are_counted_not_stored(borough: Borough):
    rows = [[f"R{n}", "Nowhere", "Child in need"] for n in range(MAX_STORED_PROBLEMS + 5)]
    result = run(ImportKind.CASES, csv_bytes([HEADINGS, *rows]))
    assert result.status is ImportStatus.REJECTED
    assert result.problem_count == MAX_STORED_PROBLEMS + 5
    assert len(result.problems) == MAX_STORED_PROBLEMS
    assert result.counts["rejected"] == MAX_STORED_PROBLEMS + 5
    assert db.session.scalar(select(func.count()).select_from(Case)) == len(borough.cases)

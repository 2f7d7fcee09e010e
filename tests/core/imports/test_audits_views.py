"""The past audits upload page: choose the tool, upload, check first, then import."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.extensions import db
from core.models import Audit, ImportKind, ImportStatus, Job, JobStatus
from tests.core.imports import csv_bytes
from tests.core.imports.test_audits_import import VALID, audits_file, row
from tests.core.imports.test_views import latest_run, page_text, run_of, upload
from tests.factories import Borough


@pytest.fixture
def admin(client: FlaskClient, auth: Any, borough: Borough) -> FlaskClient:
    auth.login("admin@test.example")
    return client


def audits() -> int:
    return db.session.scalar(select(func.count(Audit.id))) or 0


def test_the_upload_page_explains_the_columns_for_each_tool(admin: FlaskClient):
    page = admin.get("/imports/upload/audits")
    assert page.status_code == 200
    text = page_text(page)
    assert "Import past audits" in text and "What the file holds" in text
    assert "Standard 3 evidence" in text and "Overall grade" in text
    # Each case or staff tool is offered, with its own columns; themed audits are not.
    assert 'value="children_audit"' in page.get_data(as_text=True)
    assert 'value="supervision_audit"' in page.get_data(as_text=True)
    assert 'value="rereferral_theme"' not in page.get_data(as_text=True)
    assert "Supervision agreement" in text
    assert "/imports/upload/audits/example/children_audit.csv" in page.get_data(as_text=True)
    assert "Import past audits" in page_text(admin.get("/imports/"))


def test_the_example_file_has_the_tool_s_headings_and_imports_as_its_help_says(
    admin: FlaskClient,
):
    response = admin.get("/imports/upload/audits/example/children_audit.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    headings, example = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert headings[:4] == ["Case reference", "Audit date", "Auditor", "Kind"]
    assert "Standard 13" in headings and "Standard 13 evidence" in headings
    assert headings[-2:] == ["Overall rating", "Overall grade"]
    assert example[:4] == ["C000001", "15/04/2024", "manager@council.example", "Line management"]
    assert admin.get("/imports/upload/audits/example/rereferral_theme.csv").status_code == 404
    assert admin.get("/imports/upload/audits/example/nope.csv").status_code == 404


def test_no_tool_chosen_is_an_error_that_keeps_the_page(admin: FlaskClient):
    response = upload(admin, "audits", {"file": (audits_file(*VALID), "audits.csv")})
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert "Select the audit tool the audits were done with" in text
    assert 'href="#tool"' in response.get_data(as_text=True)
    forged = upload(admin, "audits", {"file": (audits_file(*VALID), "a.csv")}, tool="nope")
    assert forged.status_code == 400
    assert audits() == 0


def test_upload_checks_in_the_job_queue_then_imports_on_confirmation(admin: FlaskClient):
    """The check runs as a job with progress; nothing is written until Import."""
    run = run_of(
        upload(
            admin, "audits", {"file": (audits_file(*VALID), "audits.csv")}, tool="children_audit"
        )
    )
    assert run.kind is ImportKind.AUDITS and run.status is ImportStatus.CHECKED
    assert run.options["tool"] == "children_audit"
    job = db.session.get(Job, run.job_id)
    assert job is not None and job.status is JobStatus.DONE and job.total == 3
    assert audits() == 0
    page = page_text(admin.get(f"/imports/{run.id}"))
    assert "What would change" in page and "Already in careaudit" in page
    assert "audits of children_audit" in page and "Earliest audit" in page

    admin.post(f"/imports/{run.id}/import")
    assert latest_run().status is ImportStatus.IMPORTED
    assert audits() == 3


def test_a_file_with_problems_lists_each_by_row_and_column_and_cannot_be_imported(
    admin: FlaskClient,
):
    content = audits_file(row(), row("C999999"), row(kind="Peer review", day="2025-01-02"))
    run = run_of(upload(admin, "audits", {"file": (content, "audits.csv")}, tool="children_audit"))
    assert run.problem_count == 2
    text = page_text(admin.get(f"/imports/{run.id}"))
    assert "2 problems" in text
    assert "3 Case reference Case C999999 is not in careaudit" in text
    assert "4 Kind “Peer review” is not a kind of audit" in text
    refused = admin.post(f"/imports/{run.id}/import")
    assert refused.status_code == 302
    assert latest_run().status is ImportStatus.CHECKED
    assert audits() == 0


def test_qa_imports_past_audits_but_no_other_kind(client: FlaskClient, auth: Any, borough: Borough):
    """Independent reviewers (QA) hold the audit history: they import past audits, see
    only those runs, and never reach the staff or case imports or their runs."""
    auth.login("admin@test.example")
    staff = run_of(
        upload(client, "staff", {"file": (csv_bytes([["Email"], ["x@test.example"]]), "s.csv")})
    )
    auth.logout()
    auth.login("iro@test.example")
    assert "Imports" in page_text(client.get("/"))
    index = page_text(client.get("/imports/"))
    assert "Import past audits" in index and "Case list mappings" not in index
    assert f"import {staff.id}" not in index.lower()
    assert client.get("/imports/upload/staff").status_code == 404
    assert client.get(f"/imports/{staff.id}").status_code == 404
    assert client.post(f"/imports/{staff.id}/import").status_code == 404
    assert client.get("/imports/mappings").status_code == 403
    run = run_of(
        upload(client, "audits", {"file": (audits_file(*VALID), "a.csv")}, tool="children_audit")
    )
    client.post(f"/imports/{run.id}/import")
    assert latest_run().status is ImportStatus.IMPORTED and audits() == 3
    auth.logout()
    auth.login("team_manager@test.example")
    assert client.get("/imports/upload/audits").status_code == 403
    content = csv_bytes([["Case reference"], ["C100001"]])
    assert upload(client, "audits", {"file": (content, "a.csv")}).status_code == 403


def test_an_imported_audit_says_so_and_asks_for_no_action(
    client: FlaskClient, auth: Any, borough: Borough
):
    """Its page marks it imported; a Not met from years ago needs no action now."""
    from tests.core.imports import run

    result = run(ImportKind.AUDITS, audits_file(*VALID), tool="children_audit")
    audit = db.session.scalar(select(Audit).where(Audit.audit_date == date(2025, 6, 30)))
    assert result.status is ImportStatus.IMPORTED and audit is not None
    auth.login("iro@test.example")
    page = client.get(f"/audits/{audit.id}")
    assert page.status_code == 200
    text = page_text(page)
    assert f"Imported from the council's records of past audits (import {result.id})" in text
    assert "These need an action" not in text
    assert 'id="needs-action"' not in page.get_data(as_text=True)

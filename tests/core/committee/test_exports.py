"""Exports of a committee report: made by a background job, kept in the database, recorded."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import CommitteeExport, CommitteeReport, Job, JobStatus, Reminder, TrailEntry
from tests.core.committee.conftest import Known
from tests.core.committee.test_reports import build, issue


def export(client, report: CommitteeReport, fmt: str) -> CommitteeExport:
    response = client.post(f"/committee/{report.id}/exports", data={"format": fmt})
    assert response.status_code == 302, response.get_data(as_text=True)
    export_id = int(re.search(r"/committee/exports/(\d+)$", response.headers["Location"])[1])
    return db.session.get(CommitteeExport, export_id)


def issued_report(client, known: Known) -> CommitteeReport:
    report = build(client, scope=f"team-{known.borough.north.id}")
    client.post(
        f"/committee/{report.id}",
        data={
            "title": "Board report",
            "sections": ["summary", "results-children_audit"],
            "narrative-results-children_audit": "Chronologies need work.",
        },
    )
    issue(client, report)
    return report


def read_pdf(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def read_docx(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def read_xlsx(content: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def read_csv_zip(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


READERS = {
    "pdf": ("application/pdf", read_pdf),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        read_docx,
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", read_xlsx),
    "csv": ("application/zip", read_csv_zip),
}


@pytest.mark.parametrize("fmt", list(READERS))
def test_an_issued_report_exports_through_a_job_and_downloads(client, auth, known: Known, fmt):
    auth.login("iro@test.example")
    report = issued_report(client, known)
    made = export(client, report, fmt)
    job = db.session.get(Job, made.job_id)
    assert job.status is JobStatus.DONE, job.error
    status = client.get(f"/committee/exports/{made.id}").get_data(as_text=True)
    assert "Your file is ready" in status
    assert 'http-equiv="refresh"' not in status  # done: the page stops refreshing

    response = client.get(f"/committee/exports/{made.id}/download")
    content_type, reader = READERS[fmt]
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert made.filename in response.headers["Content-Disposition"]
    assert made.filename.startswith("board-report-v1.")
    text = reader(response.data)
    if fmt in ("pdf", "docx"):
        assert "Board report" in text
        assert "Chronologies need work." in text
    assert "Standard 3" in text
    assert known.borough.cases["cin"].reference not in text

    actions = list(db.session.scalars(select(TrailEntry.action)))
    assert {"committee.export_requested", "committee.exported", "committee.downloaded"} <= set(
        actions
    )
    # The user is told the file is ready (their Messages page, and an email).
    told = db.session.scalars(select(Reminder).where(Reminder.kind == "export")).one()
    assert told.user_id == known.borough.user("iro").id
    assert f"/committee/exports/{made.id}" in told.body


def test_a_draft_exports_its_live_figures_marked_draft(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client, scope=f"team-{known.borough.north.id}")
    made = export(client, report, "docx")
    assert made.filename.endswith("-v1-draft.docx")
    text = read_docx(client.get(f"/committee/exports/{made.id}/download").data)
    assert "Draft" in text


def test_a_failed_export_says_so_and_offers_no_download(client, auth, known: Known, monkeypatch):
    from core.committee import exports

    def broken(export_format, document):
        raise RuntimeError("the PDF renderer is not installed")

    monkeypatch.setattr(exports, "render", broken)
    auth.login("iro@test.example")
    report = build(client)
    made = export(client, report, "pdf")
    page = client.get(f"/committee/exports/{made.id}")
    assert page.status_code == 200
    assert "The file could not be made" in page.get_data(as_text=True)
    assert "the PDF renderer is not installed" in page.get_data(as_text=True)
    download = client.get(f"/committee/exports/{made.id}/download")
    assert download.status_code == 302


def test_a_waiting_export_page_refreshes_itself(client, auth, known: Known, app):
    from core.committee import exports
    from core.models import CommitteeExport as Export

    auth.login("iro@test.example")
    report = build(client)
    app.config["JOBS_IMMEDIATE"] = False
    sent: list[int] = []
    monkey = pytest.MonkeyPatch()
    monkey.setattr("core.jobs.queue.JobQueue.send", lambda self, job_id: sent.append(job_id))
    try:
        made = exports.start(report, exports.FORMATS["pdf"], known.borough.user("iro"))
        db.session.commit()
    finally:
        monkey.undo()
    assert sent and db.session.get(Export, made.id).size is None
    page = client.get(f"/committee/exports/{made.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page
    assert "Waiting to start" in page


def test_only_the_user_who_asked_downloads_the_file(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client, scope=f"team-{known.borough.north.id}")
    made = export(client, report, "csv")
    auth.logout()
    auth.login("senior@test.example")
    assert client.get(f"/committee/exports/{made.id}/download").status_code == 404
    assert client.get(f"/committee/exports/{made.id}").status_code == 404


def test_an_unknown_format_is_a_message(client, auth, known: Known):
    auth.login("iro@test.example")
    report = build(client)
    response = client.post(f"/committee/{report.id}/exports", data={"format": "odt"})
    assert response.status_code == 302
    assert db.session.scalars(select(CommitteeExport)).first() is None

"""A committee report as a PDF, Word, Excel or CSV file, made by a background job.

A request only records a ``committee_export`` row and queues a job; the job
builds the document (a draft's from today's figures, marked draft; an issued
report's from its frozen JSON), renders it, stores the bytes in the row (so any
web server can serve what any worker made), tells the user it is ready and
records the export in the audit trail. The download is recorded too.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from core import jobs, notify, trail
from core.committee import drafts
from core.exports.document import Document
from core.extensions import db
from core.models import CommitteeExport, CommitteeReport, User

EXPORT_JOB = "committee.export"


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    content_type: str
    extension: str
    #: ``module:function`` rendering a Document to bytes.
    renderer: str


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("pdf", "PDF", "application/pdf", "pdf", "core.exports.pdf:document_pdf"),
        ExportFormat(
            "docx",
            "Word",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            "core.exports.docx:document_docx",
        ),
        ExportFormat(
            "xlsx",
            "Excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            "core.exports.xlsx:document_xlsx",
        ),
        ExportFormat(
            "csv", "CSV (zip)", "application/zip", "zip", "core.exports.csv:document_csv_zip"
        ),
    )
}


def render(export_format: ExportFormat, document: Document) -> bytes:
    """The document in ``export_format``, by the renderer ``core.exports`` provides."""
    module_name, function_name = export_format.renderer.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    return bytes(function(document))


def filename(report: CommitteeReport, export_format: ExportFormat) -> str:
    """A plain file name: the title's letters and digits, the version or "draft"."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", report.title).strip("-").lower()[:80] or "report"
    state = f"v{report.version}" if report.is_issued else f"v{report.version}-draft"
    return f"{stem}-{state}.{export_format.extension}"


def start(report: CommitteeReport, export_format: ExportFormat, user: User) -> CommitteeExport:
    """Record the export and queue its job (under ``JOBS_IMMEDIATE`` it has run on return)."""
    export = CommitteeExport(
        report_id=report.id,
        format=export_format.key,
        filename=filename(report, export_format),
        created_by_id=user.id,
    )
    db.session.add(export)
    db.session.flush()
    job = jobs.create(EXPORT_JOB, {"export_id": export.id}, user)
    export.job_id = job.id
    trail.record(
        "committee.export_requested",
        report,
        summary=f"Asked for committee report {report.id} (version {report.version}, "
        f"{report.status.value}) as {export_format.label}",
        after={"export_id": export.id, "format": export_format.key},
    )
    jobs.send(job)
    return db.session.get(CommitteeExport, export.id)  # type: ignore[return-value]


@jobs.job(EXPORT_JOB)
def run_export(arguments: dict[str, Any], progress: jobs.JobProgress) -> None:
    """Build, render and store one export; tell its user it is ready."""
    export = db.session.get(CommitteeExport, arguments["export_id"])
    if export is None:
        raise LookupError(f"Export {arguments['export_id']} no longer exists")
    report = export.report
    user = db.session.get(User, export.created_by_id)
    if user is None:
        raise LookupError("The user who asked for this export no longer exists")
    export_format = FORMATS[export.format]
    progress.stage("Building the report", total=2)
    document = drafts.document(report, user)
    progress.advance()
    progress.stage(f"Writing the {export_format.label} file", total=1)
    content = render(export_format, document)
    export.content = content
    export.size = len(content)
    progress.advance()
    trail.record(
        "committee.exported",
        report,
        summary=f"Exported committee report {report.id} (version {report.version}, "
        f"{report.status.value}) as {export_format.label}: {export.filename}",
        after={"export_id": export.id, "format": export.format, "bytes": export.size},
        actor=user,
    )
    notify.notify(
        user,
        kind="export",
        topic=f"committee-export:{export.id}",
        subject=f"Your {export_format.label} file of “{report.title[:80]}” is ready",
        template="committee/export_ready.txt",
        export=export,
        report=report,
        export_format=export_format,
    )
    db.session.commit()
    notify.deliver()


def record_download(export: CommitteeExport) -> None:
    report = export.report
    trail.record_view(
        "committee.downloaded",
        report,
        summary=f"Downloaded {export.filename} (committee report {report.id}, "
        f"version {report.version})",
    )

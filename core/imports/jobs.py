"""Imports as background jobs: the web's check (dry run) and import run here.

A request only stores the upload and queues a job; the job runs
``runner.execute`` with progress on the job's row. If the job fails or its
worker dies, the run is marked failed with the reason, so its page never
waits for ever.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, update

from core import jobs
from core.extensions import db
from core.imports.runner import execute
from core.models import ImportFile, ImportRun, ImportStatus, User
from core.models._types import utcnow

IMPORT_JOB = "imports.run"

UNFINISHED = (ImportStatus.WAITING, ImportStatus.CHECKING, ImportStatus.IMPORTING)


def _mark_run_failed(connection: Connection, arguments: dict[str, Any], message: str) -> None:
    run_id = arguments.get("run_id")
    marked = connection.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id, ImportRun.status.in_(UNFINISHED))
        .values(status=ImportStatus.FAILED, error=message[:2000], finished_at=utcnow())
    )
    if marked.rowcount:
        # As the runner does when a run ends: the upload is not kept.
        connection.execute(
            update(ImportFile).where(ImportFile.run_id == run_id).values(content=None)
        )


@jobs.job(IMPORT_JOB, on_failure=_mark_run_failed)
def run_import_job(arguments: dict[str, Any], progress: jobs.JobProgress) -> None:
    """Check (``dry_run``) or import the run's stored files."""
    run = db.session.get(ImportRun, arguments["run_id"])
    if run is None:
        raise LookupError(f"Import run {arguments['run_id']} no longer exists")
    if run.status.finished:
        return  # cancelled while it waited in the queue
    execute(run, dry_run=bool(arguments.get("dry_run")), progress=progress)


def queue_run(run: ImportRun, user: User | None, *, dry_run: bool) -> None:
    """Queue the run's check or import, linked to the run, and commit."""
    job = jobs.create(IMPORT_JOB, {"run_id": run.id, "dry_run": dry_run}, user)
    run.job_id = job.id
    run.dry_run = dry_run  # so its page says "check" or "import" before the job starts
    jobs.send(job)

"""Running one job: mark it running, keep its heartbeat, record how it ended.

The ``job`` row is the truth pages read. A job is never lost silently: if its
worker dies, the heartbeat stops, and :func:`fail_stale_jobs` (run when a
worker starts, every minute by the worker, and whenever a job's page is
viewed) reports it failed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from core.extensions import db
from core.jobs import registry
from core.jobs.progress import Heartbeat, JobProgress, own_connection
from core.models import Job, JobStatus
from core.models._types import utcnow

log = logging.getLogger(__name__)

STALE_MESSAGE = (
    "The worker stopped while this job was running; nothing was changed. Start it again."
)
#: Seconds between heartbeats, unless JOBS_HEARTBEAT_SECONDS says otherwise.
DEFAULT_HEARTBEAT_SECONDS = 5


def run_job(job_id: int) -> JobStatus | None:
    """Run a queued job to the end (inside an app context). Returns its final status.

    A job that is no longer queued (a message delivered twice, a job already
    failed as stale) is left alone.
    """
    started = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            started_at=utcnow(),
            heartbeat_at=utcnow(),
            attempts=Job.attempts + 1,
            stage="Starting",
        )
    )
    db.session.commit()
    if started.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("job %s is not waiting to run; not run again", job_id)
        return None
    job = db.session.get(Job, job_id)
    assert job is not None
    name, arguments = job.name, dict(job.arguments or {})
    spec = registry.get(name)
    engine = db.engine
    progress = JobProgress(engine, job_id)
    interval = float(current_app.config.get("JOBS_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS))
    try:
        with Heartbeat(engine, job_id, interval, progress):
            if spec is None:
                raise LookupError(f"No job called {name} is known to this worker")
            spec.function(arguments, progress)
    except Exception as error:  # the job's failure is recorded, never re-raised to the queue
        log.exception("job %s (%s) failed", job_id, name)
        db.session.rollback()
        _record_failure(job_id, spec, arguments, _message(error))
        return JobStatus.FAILED
    # Unconditional: a job that really finished says so, even if a sweep thought it dead.
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status=JobStatus.DONE,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
            error=None,
            **{**progress.values(), "stage": "Finished"},
        )
    )
    db.session.commit()
    return JobStatus.DONE


def _message(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text[:2000]


def _record_failure(
    job_id: int, spec: registry.JobSpec | None, arguments: dict[str, Any], message: str
) -> None:
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=JobStatus.FAILED, error=message, finished_at=utcnow(), stage="Failed")
    )
    if spec is not None and spec.on_failure is not None:
        try:
            spec.on_failure(db.session.connection(), arguments, message)
        except Exception:
            log.exception("job %s: recording the failure in its own records failed", job_id)
            db.session.rollback()
            db.session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(status=JobStatus.FAILED, error=message, finished_at=utcnow())
            )
    db.session.commit()


def stale_before() -> Any:
    seconds = int(current_app.config.get("JOBS_STALE_SECONDS", 120))
    return utcnow() - timedelta(seconds=seconds)


def fail_stale_jobs() -> list[int]:
    """Report as failed every running job whose heartbeat stopped. Returns their ids.

    Written on a connection of its own that never waits for SQLite's lock (a
    page view must not hang behind an import): if the database is busy, the
    sweep is skipped and the next one catches up.
    """
    cutoff = stale_before()
    last_sign_of_life = func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
    is_stale = (Job.status == JobStatus.RUNNING) & (last_sign_of_life < cutoff)
    failed: list[int] = []
    try:
        with own_connection(db.engine) as connection:
            stale = connection.execute(select(Job.id, Job.name, Job.arguments).where(is_stale))
            for job_id, name, arguments in stale.all():
                marked = connection.execute(
                    update(Job)
                    .where(Job.id == job_id, is_stale)  # unless its heartbeat came back
                    .values(
                        status=JobStatus.FAILED,
                        error=STALE_MESSAGE,
                        finished_at=utcnow(),
                        stage="Stopped",
                    )
                )
                if marked.rowcount != 1:
                    continue
                spec = registry.get(name)
                if spec is not None and spec.on_failure is not None:
                    spec.on_failure(connection, dict(arguments or {}), STALE_MESSAGE)
                failed.append(job_id)
            connection.commit()
    except Exception as error:  # never break the page that asked; the next sweep catches up
        log.warning("stale job sweep skipped: %s", error)
        return []
    for job_id in failed:
        log.warning("job %s stopped with its worker; reported failed", job_id)
    if failed:
        db.session.expire_all()  # the session must not show what it read before the sweep
    return failed

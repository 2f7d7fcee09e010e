"""Progress and heartbeats: written apart from the job's own transaction, never waited for."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from sqlalchemy import select, text

from core import jobs
from core.extensions import db
from core.jobs.progress import Heartbeat, JobProgress, write_now
from core.models import Job, JobStatus
from core.models._types import utcnow


def a_running_job() -> Job:
    job = Job(name="tests.progress", arguments={}, status=JobStatus.RUNNING, started_at=utcnow())
    db.session.add(job)
    db.session.commit()
    return job


def stored(job_id: int) -> tuple[str, int | None, int]:
    db.session.expire_all()
    row = db.session.execute(select(Job.stage, Job.total, Job.done).where(Job.id == job_id)).one()
    return row.stage, row.total, row.done


def test_progress_is_visible_while_the_jobs_transaction_is_open(app: Flask):
    """Pages see the stage and count even though the job has not committed its work."""
    job = a_running_job()
    progress = JobProgress(db.engine, job.id)
    db.session.execute(text("SELECT 1"))  # the job's session is busy with its own work
    progress.stage("Checking rows", total=200)
    with db.engine.connect() as other_request:
        row = other_request.execute(select(Job.stage, Job.total).where(Job.id == job.id)).one()
    assert tuple(row) == ("Checking rows", 200)


def test_progress_is_written_at_most_once_an_interval(app: Flask):
    """Advancing row by row does not write row by row; the heartbeat takes what is left."""
    job = a_running_job()
    progress = JobProgress(db.engine, job.id, interval=3600)
    progress.stage("Checking rows", total=1000)
    for _ in range(999):
        progress.advance()
    assert stored(job.id) == ("Checking rows", 1000, 0)  # only the stage was written
    assert progress.pending() == {"stage": "Checking rows", "total": 1000, "done": 999}
    assert progress.pending() is None  # handed over once
    progress.stage("Writing the changes")
    assert stored(job.id) == ("Writing the changes", None, 0)  # a new stage shows at once


def test_done_never_passes_the_total(app: Flask):
    """An importer that advances once too often still shows 100%, not 101%."""
    progress = JobProgress(db.engine, a_running_job().id)
    progress.stage("Writing", total=2)
    progress.advance(3)
    assert progress.values()["done"] == 2


def test_the_heartbeat_stamps_the_job_and_writes_pending_progress(app: Flask):
    """Every beat moves heartbeat_at on and writes progress the throttle held back."""
    job = a_running_job()
    progress = JobProgress(db.engine, job.id, interval=3600)
    progress.stage("Reading", total=10)
    progress.advance(4)
    with Heartbeat(db.engine, job.id, interval=0.05, progress=progress):
        deadline = time.monotonic() + 20
        while stored(job.id)[2] != 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert stored(job.id) == ("Reading", 10, 4)
    assert db.session.get(Job, job.id).heartbeat_at is not None


def test_on_sqlite_a_locked_database_skips_the_update_instead_of_waiting(app: Flask):
    """While another connection holds SQLite's write lock, progress gives up at once."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    job = a_running_job()
    with db.engine.connect() as importer:
        importer.exec_driver_sql("BEGIN IMMEDIATE")  # the import's write transaction
        started = time.monotonic()
        written = write_now(db.engine, Job.__table__.update().values(stage="x"))
        waited = time.monotonic() - started
        importer.rollback()
    assert written is False
    assert waited < 2  # the connection's normal busy timeout is 5 seconds
    assert stored(job.id)[0] != "x"
    # The connection went back to the pool with its usual patience.
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_a_stale_sweep_on_a_locked_sqlite_database_is_skipped(app: Flask):
    """A page that asks for the sweep never hangs behind an import's write."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    job = Job(name="tests.x", arguments={}, status=JobStatus.RUNNING, heartbeat_at=None)
    db.session.add(job)
    db.session.commit()
    with db.engine.connect() as importer:
        importer.exec_driver_sql("BEGIN IMMEDIATE")
        app.config["JOBS_STALE_SECONDS"] = -60
        assert jobs.fail_stale_jobs() == []
        importer.rollback()
    assert jobs.fail_stale_jobs() == [job.id]


def test_on_postgresql_a_locked_job_row_is_skipped_not_waited_for(app: Flask):
    """A row held by a stuck transaction does not hang the page or the worker."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has its own test above")
    job = a_running_job()
    with db.engine.connect() as stuck:
        stuck.execute(Job.__table__.update().where(Job.id == job.id).values(stage="held"))
        written = write_now(
            db.engine, Job.__table__.update().where(Job.id == job.id).values(stage="x")
        )
        stuck.rollback()
    assert written is False
    assert stored(job.id)[0] != "x"

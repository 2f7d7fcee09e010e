"""Running a job: its row says queued, running, done or failed, and why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import Connection, text

from core import jobs
from core.extensions import db
from core.jobs import registry
from core.jobs.runner import STALE_MESSAGE
from core.models import Job, JobStatus
from core.models._types import utcnow
from tests.factories import Borough


def fresh(job_id: int) -> Job:
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job is not None
    return job


def test_a_job_runs_and_records_done_with_its_progress(app: Flask, borough: Borough):
    """Enqueued (run at once under tests), the job is done with its last stage counted."""
    seen: list[dict[str, Any]] = []

    def count_rows(arguments: dict[str, Any], progress: jobs.JobProgress) -> None:
        seen.append(arguments)
        progress.stage("Counting rows", total=3)
        progress.advance(3)

    with registry.registered("tests.count", count_rows):
        job = jobs.enqueue("tests.count", {"rows": 3}, borough.user("admin"))

    assert seen == [{"rows": 3}]
    job = fresh(job.id)
    assert job.status is JobStatus.DONE
    assert job.created_by_id == borough.user("admin").id
    assert job.started_at is not None and job.finished_at is not None
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.stage == "Finished"
    assert job.error is None
    assert job.attempts == 1


def test_an_exception_records_failed_with_its_message(app: Flask):
    """A job that raises is failed with the error's words; its own records are told."""
    told: list[tuple[dict[str, Any], str]] = []

    def explode(arguments: dict[str, Any], progress: jobs.JobProgress) -> None:
        raise RuntimeError("The export has no audits in December")

    def on_failure(connection: Connection, arguments: dict[str, Any], message: str) -> None:
        told.append((arguments, message))

    with registry.registered("tests.explode", explode, on_failure):
        job = jobs.enqueue("tests.explode", {"period": "2026-12"})

    job = fresh(job.id)
    assert job.status is JobStatus.FAILED
    assert job.error == "The export has no audits in December"
    assert job.finished_at is not None
    assert told == [({"period": "2026-12"}, "The export has no audits in December")]


def test_the_failing_jobs_writes_are_rolled_back(app: Flask, borough: Borough):
    """Whatever a failing job wrote without committing is not kept."""
    admin_id = borough.user("admin").id

    def rename_then_fail(arguments: dict[str, Any], progress: jobs.JobProgress) -> None:
        db.session.execute(
            text("UPDATE user_account SET name = 'Changed' WHERE id = :id"), {"id": admin_id}
        )
        raise ValueError("stop half-way")

    with registry.registered("tests.half", rename_then_fail):
        jobs.enqueue("tests.half", {})
    db.session.expire_all()
    assert (
        db.session.scalar(text("SELECT name FROM user_account WHERE id = :id"), {"id": admin_id})
        != "Changed"
    )


def test_a_job_nobody_registered_fails_with_a_reason(app: Flask):
    """A worker running older code says which job it does not know."""
    job = fresh(jobs.enqueue("tests.nobody", {}).id)
    assert job.status is JobStatus.FAILED
    assert "No job called tests.nobody" in (job.error or "")


def test_a_job_is_run_once_only(app: Flask):
    """A message delivered twice does not run the job again."""
    runs: list[int] = []
    with registry.registered("tests.once", lambda arguments, progress: runs.append(1)):
        job = jobs.enqueue("tests.once", {})
        assert jobs.run_job(job.id) is None
    assert runs == [1]
    assert fresh(job.id).status is JobStatus.DONE


def stale_job(name: str, minutes_ago: int, arguments: dict[str, Any] | None = None) -> Job:
    beat = utcnow() - timedelta(minutes=minutes_ago)
    job = Job(
        name=name,
        arguments=arguments or {},
        status=JobStatus.RUNNING,
        started_at=beat,
        heartbeat_at=beat,
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_a_running_job_whose_heartbeat_stopped_is_reported_failed(app: Flask):
    """A job left running by a dead worker is failed, with the reason and its records told."""
    told: list[tuple[dict[str, Any], str]] = []

    def on_failure(connection: Connection, arguments: dict[str, Any], message: str) -> None:
        told.append((arguments, message))

    with registry.registered("tests.long", lambda arguments, progress: None, on_failure):
        dead = stale_job("tests.long", minutes_ago=10, arguments={"run_id": 7})
        alive = stale_job("tests.long", minutes_ago=0)
        failed = jobs.fail_stale_jobs()

    assert failed == [dead.id]
    assert fresh(dead.id).status is JobStatus.FAILED
    assert fresh(dead.id).error == STALE_MESSAGE
    assert fresh(alive.id).status is JobStatus.RUNNING
    assert told == [({"run_id": 7}, STALE_MESSAGE)]
    assert jobs.fail_stale_jobs() == []  # reported once


def test_stale_seconds_come_from_the_configuration(app: Flask):
    """JOBS_STALE_SECONDS decides how long a silent job is given."""
    job = stale_job("tests.slow", minutes_ago=3)
    app.config["JOBS_STALE_SECONDS"] = 600
    assert jobs.fail_stale_jobs() == []
    app.config["JOBS_STALE_SECONDS"] = 60
    assert jobs.fail_stale_jobs() == [job.id]

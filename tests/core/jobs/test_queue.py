"""The queue: Huey on SQLite inside the web process, or on Redis shared between servers."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app
from sqlalchemy import select

from core import create_app, jobs
from core.extensions import db
from core.jobs import registry
from core.jobs.queue import get_queue
from core.models import Job, JobStatus
from tests.conftest import redis_db, test_config

#: Bounded waits for a job a worker thread runs: generous, never a timing assertion.
WAIT_SECONDS = 30

ran_in: list[str] = []


def record_app(arguments: dict[str, Any], progress: jobs.JobProgress) -> None:
    """A job that says which app instance ran it."""
    ran_in.append(current_app.config["SERVER_LABEL"])


@pytest.fixture
def record_job() -> Iterator[None]:
    ran_in.clear()
    with registry.registered("tests.record_app", record_app):
        yield


@contextmanager
def server(database_url: str, label: str, **config: Any) -> Iterator[Flask]:
    """Another careaudit app instance on the same database (another server)."""
    other = create_app(
        {
            **test_config(database_url),
            "JOBS_IMMEDIATE": False,
            "JOBS_IN_PROCESS": False,
            "SERVER_LABEL": label,
            **config,
        }
    )
    try:
        yield other
    finally:
        get_queue(other).stop_in_process()
        with other.app_context():
            db.engine.dispose()


def wait_for_job(job_id: int) -> Job:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job is not None
        if job.status in (JobStatus.DONE, JobStatus.FAILED) or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_jobs_run_at_once_under_tests(app: Flask, record_job: None):
    """TESTING makes the queue immediate: enqueue returns with the job done."""
    app.config["SERVER_LABEL"] = "test app"
    job = jobs.enqueue("tests.record_app", {})
    assert job.status is JobStatus.DONE
    assert ran_in == ["test app"]


def test_the_in_process_sqlite_worker_runs_a_job(
    app: Flask, database_url: str, tmp_path: Path, record_job: None
):
    """`make run`'s set-up: a SQLite queue worked by threads in the web process."""
    with (
        server(
            database_url,
            "web",
            JOBS_SQLITE_PATH=str(tmp_path / "jobs.sqlite3"),
            JOBS_IN_PROCESS=True,
        ) as web,
        web.app_context(),
    ):
        job = jobs.enqueue("tests.record_app", {})
        assert job.status is JobStatus.QUEUED  # queued, not run in the request
        get_queue(web).start_in_process(workers=1)
        job = wait_for_job(job.id)
    assert job.status is JobStatus.DONE, job.error
    assert ran_in == ["web"]
    assert (tmp_path / "jobs.sqlite3").exists()


def test_the_in_process_worker_starts_with_the_first_request_once(
    database_url: str, tmp_path: Path, app: Flask
):
    """Serving pages starts one worker per process; commands like `db upgrade` start none."""
    with server(
        database_url, "web", JOBS_SQLITE_PATH=str(tmp_path / "jobs.sqlite3"), JOBS_IN_PROCESS=True
    ) as web:
        queue = get_queue(web)
        result = web.test_cli_runner().invoke(args=["tools"])
        assert result.exit_code == 0, result.output
        assert queue.consumer is None
        client = web.test_client()
        client.get("/sign-in")
        first = queue.consumer
        assert first is not None
        client.get("/sign-in")
        assert queue.consumer is first


def test_no_in_process_worker_when_switched_off(database_url: str, tmp_path: Path, app: Flask):
    """Production runs `careaudit worker` instead: the web process works no jobs."""
    with server(
        database_url, "web", JOBS_SQLITE_PATH=str(tmp_path / "jobs.sqlite3"), JOBS_IN_PROCESS=False
    ) as web:
        web.test_client().get("/sign-in")
        assert get_queue(web).consumer is None


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_a_job_queued_by_one_server_is_run_by_a_worker_on_another(
    app: Flask, database_url: str, record_job: None
):
    """Production: a web server queues on Redis, a worker of another app instance runs it."""
    redis = {
        "JOBS_REDIS_URL": f"redis://127.0.0.1:6379/{redis_db(8)}",
        "JOBS_QUEUE_NAME": f"careaudit-test-{uuid.uuid4().hex[:8]}",
    }
    with (
        server(database_url, "web server", **redis) as web,
        server(database_url, "worker server", **redis) as worker,
    ):
        try:
            with web.app_context():
                job = jobs.enqueue("tests.record_app", {"from": "web"})
                assert job.status is JobStatus.QUEUED
                assert get_queue(web).huey.pending_count() == 1
            with worker.app_context():
                get_queue(worker).start_in_process(workers=1)
                job = wait_for_job(job.id)
        finally:
            get_queue(web).huey.flush()
    assert job.status is JobStatus.DONE, job.error
    assert ran_in == ["worker server"]


def test_a_queue_that_cannot_be_reached_fails_the_job_with_a_reason(app: Flask, database_url: str):
    """If Redis is down the job says so; the page that queued it does not break."""
    unreachable = "redis://127.0.0.1:9/0"
    with server(database_url, "web", JOBS_REDIS_URL=unreachable) as web, web.app_context():
        job = jobs.enqueue("tests.record_app", {})
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status is JobStatus.FAILED
    assert "could not be queued" in (job.error or "")


def test_the_worker_command_refuses_when_jobs_run_at_once(runner):
    """`careaudit worker` explains that a test set-up has no queue to work."""
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0
    assert "no queue to work" in result.output


def test_the_worker_command_reports_dead_jobs_then_works_the_queue(
    database_url: str, tmp_path: Path, app: Flask, monkeypatch: pytest.MonkeyPatch
):
    """`careaudit worker` first fails jobs a dead worker left running, then runs Huey's consumer."""
    from datetime import timedelta

    from core.jobs.queue import JobQueue
    from core.models._types import utcnow

    long_ago = utcnow() - timedelta(hours=1)
    db.session.add(
        Job(name="tests.x", arguments={}, status=JobStatus.RUNNING, heartbeat_at=long_ago)
    )
    db.session.commit()
    consumers: list[dict[str, Any]] = []

    class Consumer:
        def __init__(self, workers: int) -> None:
            consumers.append({"workers": workers, "ran": False})

        def run(self) -> None:
            consumers[-1]["ran"] = True

    monkeypatch.setattr(JobQueue, "create_consumer", lambda self, workers: Consumer(workers))
    queue_file = str(tmp_path / "jobs.sqlite3")
    with (
        server(database_url, "worker", JOBS_SQLITE_PATH=queue_file) as worker,
        worker.app_context(),
    ):
        result = worker.test_cli_runner().invoke(args=["worker", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert "Reported 1 jobs as failed" in result.output
    assert consumers == [{"workers": 3, "ran": True}]
    db.session.expire_all()
    assert db.session.scalar(select(Job.status)) is JobStatus.FAILED

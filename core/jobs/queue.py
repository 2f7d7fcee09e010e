"""The queue: one Huey per app, on Redis in production and SQLite embedded.

Only a job's id travels through the queue; everything else is in the ``job``
row, so a worker on another server (sharing the database and the Redis) runs
the same job, and pages never need to ask Huey anything.

* ``JOBS_REDIS_URL`` set: ``RedisHuey``, shared by every web server and every
  ``careaudit worker``.
* not set: ``SqliteHuey`` in ``JOBS_SQLITE_PATH``.
* ``JOBS_IN_PROCESS``: threads inside the web process work the queue, so
  ``make run`` is one command. They start with the first request the process
  serves: never in ``careaudit db upgrade`` or other commands, once per
  process (the reloader's watching parent serves nothing; a forked server
  process starts its own).
* ``JOBS_IMMEDIATE`` (the default under ``TESTING``): a job runs at once, inside
  ``enqueue``, so tests are deterministic.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from typing import Any

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.consumer import Consumer

from core.extensions import db
from core.jobs import runner
from core.models import Job, JobStatus, User

log = logging.getLogger(__name__)

EXTENSION = "careaudit.jobs"
RUN_TASK = "careaudit.run_job"
SWEEP_TASK = "careaudit.fail_stale_jobs"


class EmbeddedConsumer(Consumer):
    """Huey's thread consumer, minus signal handlers: the web server owns the process."""

    def _set_signal_handlers(self) -> None:
        pass


class JobQueue:
    """The app's Huey (made on first use) and its in-process consumer, if any."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._huey: Huey | None = None
        self._run_task: Any = None
        self._lock = threading.RLock()
        self.consumer: Consumer | None = None
        self._consumer_pid: int | None = None

    @property
    def immediate(self) -> bool:
        return bool(self.app.config.get("JOBS_IMMEDIATE", self.app.testing))

    @property
    def huey(self) -> Huey:
        if self._huey is None:
            with self._lock:
                if self._huey is None:
                    self._huey, self._run_task = self._make_huey()
        return self._huey

    def _make_huey(self) -> tuple[Huey, Any]:
        config = self.app.config
        name = config.get("JOBS_QUEUE_NAME", "careaudit")
        # Results are not kept: the job row says how a job ended.
        options: dict[str, Any] = {"results": False, "immediate": self.immediate, "utc": True}
        if config.get("JOBS_REDIS_URL"):
            huey: Huey = RedisHuey(name, url=config["JOBS_REDIS_URL"], **options)
        else:
            huey = SqliteHuey(name, filename=config["JOBS_SQLITE_PATH"], **options)
        app = self.app

        @huey.task(name=RUN_TASK)
        def run_job_task(job_id: int) -> None:
            # A context of its own (and so a session of its own), even when run
            # at once inside a request.
            with app.app_context():
                runner.run_job(job_id)

        @huey.periodic_task(crontab(minute="*"), name=SWEEP_TASK)
        def sweep_task() -> None:
            with app.app_context():
                runner.fail_stale_jobs()

        return huey, run_job_task

    def send(self, job_id: int) -> None:
        """Queue a job's id (at once: run it, under ``JOBS_IMMEDIATE``)."""
        if self._run_task is None:
            self.huey  # noqa: B018  (made on first use, with its tasks)
        self._run_task(job_id)

    # -- working the queue -----------------------------------------------------------

    def create_consumer(self, workers: int, embedded: bool = False) -> Consumer:
        consumer_class = EmbeddedConsumer if embedded else Consumer
        return consumer_class(self.huey, workers=workers, worker_type="thread", periodic=True)

    def start_in_process(self, workers: int | None = None) -> Consumer | None:
        """Start worker threads in this process, once (again after a fork)."""
        if self.immediate:
            return None
        with self._lock:
            if self.consumer is not None and self._consumer_pid == os.getpid():
                return self.consumer
            count = workers or int(self.app.config.get("JOBS_WORKERS", 2))
            with self.app.app_context():
                runner.fail_stale_jobs()
            consumer = self.create_consumer(count, embedded=True)
            consumer.start()
            self.consumer, self._consumer_pid = consumer, os.getpid()
            atexit.register(consumer.stop)
            log.info("background jobs: %d worker threads in process %d", count, os.getpid())
            return consumer

    def stop_in_process(self) -> None:
        with self._lock:
            if self.consumer is not None:
                self.consumer.stop(graceful=True)
                self.consumer = None
                self._consumer_pid = None


def init_app(app: Flask) -> None:
    queue = JobQueue(app)
    app.extensions[EXTENSION] = queue
    if app.config.get("JOBS_IN_PROCESS") and not queue.immediate:

        @app.before_request
        def start_jobs_worker() -> None:
            if queue._consumer_pid != os.getpid():
                queue.start_in_process()


def get_queue(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions[EXTENSION]  # type: ignore[no-any-return]


def create(name: str, arguments: dict[str, Any], user: User | None = None) -> Job:
    """Add a queued job to the session and flush (so it has an id); nothing is sent yet.

    For a caller that links the job to its own records before :func:`send`.
    """
    job = Job(
        name=name,
        arguments=dict(arguments),
        status=JobStatus.QUEUED,
        stage="Waiting to start",
        done=0,
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    return job


def send(job: Job) -> Job:
    """Commit (the job and whatever the caller added with it), then queue the job's id.

    Under ``JOBS_IMMEDIATE`` the job has run when this returns.
    """
    job_id = job.id
    db.session.commit()
    try:
        get_queue().send(job_id)
    except Exception as error:  # the queue cannot be reached: say so on the job, not a 500
        log.exception("job %s could not be queued", job_id)
        db.session.rollback()
        stored = db.session.get(Job, job_id)
        if stored is not None and stored.status is JobStatus.QUEUED:
            runner._record_failure(
                job_id,
                runner.registry.get(stored.name),
                dict(stored.arguments or {}),
                f"The job could not be queued ({error}). Try again, or ask your administrator "
                "to check the job queue.",
            )
    db.session.expire_all()
    return db.session.get(Job, job_id)  # type: ignore[return-value]


def enqueue(name: str, arguments: dict[str, Any], user: User | None = None) -> Job:
    """Record a job, commit, and queue it to run in the background."""
    return send(create(name, arguments, user))

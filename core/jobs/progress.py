"""How far a job has got, written to its ``job`` row for pages to show.

The job's own work runs in ``db.session``, in a transaction that may last the
whole import. Progress and heartbeats must be seen by other requests while it
runs, so they are written on a connection of their own and committed at once.

On SQLite one writer holds the whole database: while the import's write
transaction is open, another connection cannot write. Progress and heartbeats
then wait for nobody (the connection's busy timeout is set to zero) and the
update is skipped; the next one, after the import commits, catches up. So on
SQLite the progress page may stand still while the rows are being written.
PostgreSQL locks rows, not the database, so there every update lands.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Executable, update
from sqlalchemy.exc import DBAPIError

from core.models import Job
from core.models._types import utcnow

log = logging.getLogger(__name__)

#: Progress is written at most this often (seconds), however often it advances.
PROGRESS_INTERVAL = 1.0


@contextmanager
def own_connection(engine: Engine) -> Iterator[Connection]:
    """A connection apart from ``db.session``'s that never waits long for a lock.

    Whatever is not committed when the block ends is rolled back. Commit once:
    on PostgreSQL the lock timeout lasts for the first transaction only.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        previous = 0
        if sqlite:
            previous = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0)
            connection.exec_driver_sql("PRAGMA busy_timeout = 0")
        elif engine.dialect.name == "postgresql":
            # Row locks are held only by a transaction that is alive; still, never hang a
            # page on one. LOCAL: it ends with this connection's transaction.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        try:
            yield connection
        finally:
            connection.rollback()
            if sqlite:  # the connection goes back to the pool as it came
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {previous}")


def write_now(engine: Engine, statement: Executable) -> bool:
    """Run one statement on a connection of its own and commit; False if it was skipped.

    Skipped (never waited for) when SQLite is locked by another writer, or when
    the database cannot be reached: progress is a courtesy, never a reason to fail.
    """
    try:
        with own_connection(engine) as connection:
            connection.execute(statement)
            connection.commit()
    except DBAPIError as error:
        log.debug("job bookkeeping skipped: %s", error)
        return False
    return True


class JobProgress:
    """A :class:`core.imports.plan.Progress` that records progress on a job's row.

    A new stage is written at once; advances at most about once a second
    (``interval``), however often they come. :meth:`pending` hands whatever
    is not written yet to the heartbeat, which writes it with its next beat, so a
    new stage shows even when nothing advances for a while.
    """

    def __init__(self, engine: Engine, job_id: int, interval: float = PROGRESS_INTERVAL) -> None:
        self.engine = engine
        self.job_id = job_id
        self.interval = interval
        self.text = "Starting"
        self.total: int | None = None
        self.done = 0
        self._last_write = float("-inf")
        self._dirty = False
        self._lock = threading.Lock()

    # -- the Progress protocol ---------------------------------------------------

    def stage(self, text: str, total: int | None = None) -> None:
        """A new stage is written at once: there are a handful per job, and the page
        should say "Writing the changes" before the (long) writing starts."""
        with self._lock:
            self.text = text[:120]
            self.total = total
            self.done = 0
            self._dirty = True
        self._write_if_due(force=True)

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            self._dirty = True
        self._write_if_due()

    # -- writing -------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The progress as ``job`` columns."""
        with self._lock:
            done = self.done if self.total is None else min(self.done, self.total)
            return {"stage": self.text, "total": self.total, "done": done}

    def pending(self) -> dict[str, Any] | None:
        """The values not written yet (and forget them), or None."""
        with self._lock:
            if not self._dirty:
                return None
            self._dirty = False
        return self.values()

    def _write_if_due(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.interval:
            return
        self._last_write = now
        values = self.pending()
        if values is None:
            return
        if not write_now(self.engine, update(Job).where(Job.id == self.job_id).values(**values)):
            with self._lock:
                self._dirty = True  # try again with the next advance or beat


class Heartbeat:
    """A thread that stamps ``job.heartbeat_at`` every few seconds while the job runs.

    A job whose heartbeat stops (its worker was killed, the server restarted)
    is found by :func:`core.jobs.runner.fail_stale_jobs` and reported failed.
    """

    def __init__(
        self, engine: Engine, job_id: int, interval: float, progress: JobProgress | None = None
    ) -> None:
        self.engine = engine
        self.job_id = job_id
        self.interval = interval
        self.progress = progress
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"careaudit-job-{job_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            values: dict[str, Any] = {"heartbeat_at": utcnow()}
            pending = self.progress.pending() if self.progress else None
            if pending:
                values.update(pending)
            written = write_now(
                self.engine, update(Job).where(Job.id == self.job_id).values(**values)
            )
            if not written and pending and self.progress is not None:
                with self.progress._lock:
                    self.progress._dirty = True

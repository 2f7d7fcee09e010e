"""Background jobs: work that outlives a request (imports today; exports, allocation later).

Usage::

    from core import jobs

    @jobs.job("exports.committee")
    def build_export(arguments: dict, progress: jobs.JobProgress) -> None:
        progress.stage("Counting audits", total=n)
        ...                      # commit your own work; raise to fail

    job = jobs.enqueue("exports.committee", {"period": "2026-12"}, current_user)
    # the page then reads the Job row: status, stage, done/total, error

The ``Job`` row (``core.models.jobs``) is the truth; the queue (Huey, see
``queue.py``) only carries job ids. Nothing here knows what a job does.
"""

from core.jobs.progress import JobProgress
from core.jobs.queue import create, enqueue, get_queue, init_app, send
from core.jobs.registry import job
from core.jobs.runner import STALE_MESSAGE, fail_stale_jobs, run_job

__all__ = [
    "STALE_MESSAGE",
    "JobProgress",
    "create",
    "enqueue",
    "fail_stale_jobs",
    "get_queue",
    "init_app",
    "job",
    "run_job",
    "send",
]

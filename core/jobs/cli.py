"""``careaudit worker``: work the background job queue (production)."""

from __future__ import annotations

import logging

import click
from flask import current_app

from core.jobs.queue import get_queue
from core.jobs.runner import fail_stale_jobs


@click.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="How many jobs to run at once (threads).",
)
def worker_command(workers: int) -> None:
    """Run background jobs (imports ...) until stopped. Ctrl+C or SIGTERM waits for running jobs.

    With CAREAUDIT_JOBS_REDIS_URL set, run one or more on any server that shares the
    database; set CAREAUDIT_JOBS_IN_PROCESS=false on the web servers. Without Redis
    the web process works the queue itself and this command is not needed.
    """
    queue = get_queue()
    if queue.immediate:
        raise click.ClickException(
            "Jobs run at once in this configuration (JOBS_IMMEDIATE); there is no queue to work."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    failed = fail_stale_jobs()
    if failed:
        click.echo(f"Reported {len(failed)} jobs as failed: their worker had stopped.")
    where = current_app.config.get("JOBS_REDIS_URL") or current_app.config["JOBS_SQLITE_PATH"]
    click.echo(f"careaudit worker: {workers} threads on {_without_password(where)}")
    queue.create_consumer(workers).run()


def _without_password(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.rsplit('@', 1)[1]}"
    return url

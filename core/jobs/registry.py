"""The job functions the app can run in the background, by name.

A job function is ordinary code registered with ``@job("imports.run")``: it
takes the job's ``arguments`` (plain JSON) and a :class:`~core.jobs.progress.JobProgress`,
commits its own work, and raises to fail. Names, not functions, travel through
the queue, so any server or worker that has loaded the same code can run it.

``on_failure`` tidies up the job's own records when the job fails or its worker
dies (e.g. marks an import run failed). It receives a database connection in
an open transaction, so it works the same from the runner and from the stale-job
sweep; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

if TYPE_CHECKING:
    from core.jobs.progress import JobProgress

JobFunction = Callable[[dict[str, Any], "JobProgress"], None]
FailureHandler = Callable[[Connection, dict[str, Any], str], None]


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: JobFunction
    on_failure: FailureHandler | None = None


# Code, not app state: a job function is defined once per process, like a
# Huey task or a view function, and every app built in the process may run it.
_JOBS: dict[str, JobSpec] = {}


def job(
    name: str, *, on_failure: FailureHandler | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Register a job function under ``name`` (e.g. ``"imports.run"``)."""

    def decorate(function: JobFunction) -> JobFunction:
        existing = _JOBS.get(name)
        # Re-importing the same module (a reloader) is fine; two functions are not.
        if existing is not None and _where(existing.function) != _where(function):
            raise ValueError(f"a job named {name!r} is already registered")
        _JOBS[name] = JobSpec(name, function, on_failure)
        return function

    return decorate


def _where(function: JobFunction) -> tuple[str, str]:
    return function.__module__, function.__qualname__


def get(name: str) -> JobSpec | None:
    return _JOBS.get(name)


def unregister(name: str) -> None:
    _JOBS.pop(name, None)


@contextmanager
def registered(
    name: str, function: JobFunction, on_failure: FailureHandler | None = None
) -> Iterator[JobSpec]:
    """Register a job for the length of a ``with`` block (tests' one-off jobs)."""
    job(name, on_failure=on_failure)(function)
    try:
        yield _JOBS[name]
    finally:
        unregister(name)

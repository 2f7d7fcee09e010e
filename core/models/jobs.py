"""Background jobs as the app sees them: what runs, how far it has got, how it ended.

The queue itself is Huey's (Redis in production, SQLite embedded); this row is
what pages show and what survives a worker that died: a job whose heartbeat
stops is reported as failed, never left "running" for ever.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models._types import enum_column, utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Job(db.Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The registered job function's name, e.g. "imports.run".
    name: Mapped[str] = mapped_column(String(80))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    #: What the job is doing now, in words ("Checking rows", "Writing cases").
    stage: Mapped[str] = mapped_column(String(120), default="Waiting to start")
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

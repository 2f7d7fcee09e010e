"""Imports of staff and case data, the files they read, and saved column mappings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from core.extensions import db
from core.models._types import enum_column, utcnow
from core.models.jobs import Job
from core.models.users import User


class ImportKind(StrEnum):
    STAFF = "staff"
    CASES = "cases"
    CIN_CENSUS = "cin_census"
    SSDA903 = "ssda903"
    #: Historic audits of one tool, from a council's spreadsheets.
    AUDITS = "audits"

    @property
    def label(self) -> str:
        return {
            "staff": "Staff",
            "cases": "Case list",
            "cin_census": "CIN census",
            "ssda903": "SSDA903 looked-after children return",
            "audits": "Historic audits",
        }[self.value]


class ImportStatus(StrEnum):
    #: Uploaded; waiting for its check (dry run) to run.
    WAITING = "waiting"
    CHECKING = "checking"
    #: Checked: the dry run's counts and problems wait for the user's decision.
    CHECKED = "checked"
    IMPORTING = "importing"
    IMPORTED = "imported"
    #: Nothing written: the file had problems and invalid rows were not to be skipped.
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def finished(self) -> bool:
        return self in {
            ImportStatus.IMPORTED,
            ImportStatus.REJECTED,
            ImportStatus.FAILED,
            ImportStatus.CANCELLED,
        }


class ImportRun(db.Model):
    """One import: who ran it, which files, what it changed and what was wrong.

    ``counts`` has ``created``, ``updated``, ``closed``, ``unchanged`` and
    ``rejected``. ``problems`` lists ``{"row", "column", "reason"}`` (row may be an
    XML element path); at most ``MAX_STORED_PROBLEMS`` are kept, ``problem_count``
    says how many there were.
    """

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind))
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus), default=ImportStatus.WAITING
    )
    dry_run: Mapped[bool] = mapped_column(default=False)
    #: The options chosen: full, skip_invalid, create_teams, mapping ...
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mapping_name: Mapped[str | None] = mapped_column(String(80))
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    problem_count: Mapped[int] = mapped_column(default=0)
    #: Extra facts the importer reports (e.g. unknown teams, the census date).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: "careaudit import ..." or the user's name.
    started_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))

    user: Mapped[User | None] = relationship()
    job: Mapped[Job | None] = relationship()
    files: Mapped[list[ImportFile]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ImportFile.id"
    )


MAX_STORED_PROBLEMS = 1000


class ImportFile(db.Model):
    """A file read by an import: name, size and SHA-256 are kept for the record.

    ``content`` holds the uploaded bytes only while the import waits for the
    user's decision or for a worker (the web journey); it is emptied once the
    import has finished, since an extract can hold more than careaudit keeps.
    """

    __tablename__ = "import_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id", ondelete="CASCADE"), index=True)
    #: What the file is to the import: "file", or "header" / "episodes" for SSDA903.
    role: Mapped[str] = mapped_column(String(20), default="file")
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    run: Mapped[ImportRun] = relationship(back_populates="files")


class ColumnMapping(db.Model):
    """How a council's case list maps to careaudit's fields, saved under a name.

    ``columns`` maps careaudit's field (``reference``, ``team`` ...) to the
    file's column heading; ``values`` maps, per field, the file's values to
    careaudit's (e.g. ``{"category": {"LAC": "looked_after"}}``).
    """

    __tablename__ = "column_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind), default=ImportKind.CASES)
    columns: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    values: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

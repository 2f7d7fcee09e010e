"""Committee reports: drafts, issued versions, pinned comments and their exports.

A committee report is what a lead sends to managers or councillors: a report
request (period, scope, filters, sections), an officer's narrative per section
and evidence comments pinned into it. A draft can change; issuing freezes it:
the built :class:`core.exports.document.Document` is stored as JSON, so an
issued report reads the same whatever happens to the audits later. A change
after that is a new version in the same ``series``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from core.extensions import db
from core.models._types import enum_column, utcnow
from core.models.users import User


class CommitteeReportStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CommitteeReport(db.Model):
    """One version of a committee report.

    ``series_id`` groups the versions of one report: the first version's id,
    copied into every later version. ``(series_id, version)`` is unique, so two
    leads starting "a new version" at once cannot both make version N+1.
    """

    __tablename__ = "committee_report"
    __table_args__ = (UniqueConstraint("series_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[CommitteeReportStatus] = mapped_column(
        enum_column(CommitteeReportStatus), default=CommitteeReportStatus.DRAFT
    )
    # The report request (core.reports.content.ReportRequest), as its URL keys.
    period_key: Mapped[str] = mapped_column(String(40))
    scope_key: Mapped[str] = mapped_column(String(40))
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    tools: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Section keys chosen; empty means every section available.
    sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    trend_unit: Mapped[str] = mapped_column(String(10), default="quarter")
    trend_length: Mapped[int] = mapped_column(default=8)
    #: The officer's narrative per section key.
    narratives: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: The built document (``Document.to_json()``), set when issued and never again.
    document: Mapped[dict[str, Any] | None] = deferred(mapped_column(JSON))
    issued_on: Mapped[date | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    pins: Mapped[list[PinnedComment]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="PinnedComment.id"
    )

    @property
    def is_issued(self) -> bool:
        return self.status is CommitteeReportStatus.ISSUED

    def __repr__(self) -> str:
        return f"<CommitteeReport {self.id} v{self.version} {self.status.value}>"


class PinnedComment(db.Model):
    """An evidence comment a lead pinned into a report's section.

    ``text`` and ``source`` are copied when pinned: the report quotes what the
    lead chose, and the anonymous source, even if the answer is edited later.
    ``answer_id`` (no foreign key: the quote outlives the answer) stops the
    same comment being pinned twice into one section.
    """

    __tablename__ = "pinned_comment"
    __table_args__ = (UniqueConstraint("report_id", "section_key", "answer_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("committee_report.id", ondelete="CASCADE"), index=True
    )
    section_key: Mapped[str] = mapped_column(String(80))
    answer_id: Mapped[int]
    #: Which part of the answer: its evidence ``comment`` or its text ``value``.
    part: Mapped[str] = mapped_column(String(10), default="comment")
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    pinned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    pinned_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[CommitteeReport] = relationship(back_populates="pins")


class CommitteeExport(db.Model):
    """A file made from a committee report by a background job, kept for download.

    Stored in the database, not on a disk, so any web server can serve what any
    worker made. ``content`` is empty until the job has finished.
    """

    __tablename__ = "committee_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("committee_report.id", ondelete="CASCADE"), index=True
    )
    format: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    size: Mapped[int | None]
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[CommitteeReport] = relationship()

"""Audits and their answers.

Answers are stored one row per question so that reports aggregate in SQL
(``GROUP BY question, rating``) instead of loading audits into Python.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models._types import enum_column, utcnow
from core.models.cases import Case
from core.models.organisation import Service, Team
from core.models.users import User


class Rating(StrEnum):
    """The framework's three-point scale, plus Not applicable."""

    MET = "met"
    PARTIALLY_MET = "partially_met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return RATING_LABELS[self]


RATING_LABELS = {
    Rating.MET: "Met",
    Rating.PARTIALLY_MET: "Partially met",
    Rating.NOT_MET: "Not met",
    Rating.NOT_APPLICABLE: "Not applicable",
}
#: The three points of the scale, best first (Not applicable is not a point).
SCALE = (Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET)


class Grade(StrEnum):
    """An overall grade, stored as its code on ``Audit.grade``.

    Every grade of every scale is here, so an audit keeps the grade it was given
    when the council changes scale. Which grades a form offers, in what order and
    under what words, is the council's grade scale (``core.grading``).
    """

    INADEQUATE = "inadequate"
    ADEQUATE = "adequate"
    #: Ofsted's "Requires improvement to be good" (its four-point scale since 2014).
    REQUIRES_IMPROVEMENT = "requires_improvement"
    GOOD = "good"
    OUTSTANDING = "outstanding"

    @property
    def label(self) -> str:
        """The grade's own words (a council may relabel it: ``core.grading``)."""
        return GRADE_LABELS[self]

    @property
    def rank(self) -> int:
        """How good the grade is: 0 for Inadequate up to 3 for Outstanding.

        Adequate and Requires improvement share a rank: the middle point of the
        framework report's scale and of Ofsted's, so a grade on one scale compares
        with a grade on the other (grade drift, a re-audit's change).
        """
        return GRADE_RANKS[self]


GRADE_LABELS = {
    Grade.INADEQUATE: "Inadequate",
    Grade.ADEQUATE: "Adequate",
    Grade.REQUIRES_IMPROVEMENT: "Requires improvement to be good",
    Grade.GOOD: "Good",
    Grade.OUTSTANDING: "Outstanding",
}
GRADE_RANKS = {
    Grade.INADEQUATE: 0,
    Grade.ADEQUATE: 1,
    Grade.REQUIRES_IMPROVEMENT: 1,
    Grade.GOOD: 2,
    Grade.OUTSTANDING: 3,
}


class AuditKind(StrEnum):
    LINE_MANAGEMENT = "line_management"
    INDEPENDENT = "independent"
    SELF_AUDIT = "self_audit"
    SENIOR_SAMPLE = "senior_sample"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    AuditKind.LINE_MANAGEMENT: "Line management",
    AuditKind.INDEPENDENT: "Independent",
    AuditKind.SELF_AUDIT: "Self-audit",
    AuditKind.SENIOR_SAMPLE: "Senior management sample",
}


class AuditStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Audit(db.Model):
    """One audit of one case file with one tool, at one version of its form.

    ``service_id`` and ``team_id`` are copied from the case when the audit
    starts, so reports count an audit where the file was when it was audited,
    even if the case later moves team.
    """

    __tablename__ = "audit"
    __table_args__ = (
        Index("ix_audit_report", "tool", "status", "audit_date"),
        # Home pages: an auditor's drafts (newest change first) and latest submitted audits.
        Index("ix_audit_auditor_status_submitted", "auditor_id", "status", "submitted_at"),
        Index("ix_audit_auditor_status_updated", "auditor_id", "status", "updated_at"),
        # Compliance: whether each worker had a submitted audit of their work since a date.
        Index("ix_audit_worker_status_date", "worker_id", "status", "audit_date"),
        # A social worker's home: the recent audits of each of their cases.
        Index("ix_audit_case_submitted", "case_id", "submitted_at"),
        UniqueConstraint("request_token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool: Mapped[str] = mapped_column(String(60))
    form_version: Mapped[str] = mapped_column(String(20))
    #: What is audited: a case file, a member of staff (supervision), or neither
    #: (a themed audit's sampled item, described by ``facts``).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: Facts about the subject shown in the form's header (label -> value), e.g. a
    #: sampled referral's reference and dates. ``label`` names the subject in lists.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The worker who held the case when it was audited, copied from the case when
    #: the audit starts and again when it is submitted; compliance credits them.
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[AuditKind] = mapped_column(enum_column(AuditKind))
    status: Mapped[AuditStatus] = mapped_column(enum_column(AuditStatus), default=AuditStatus.DRAFT)
    audit_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    # Optimistic locking: every save bumps it; a form loaded at an older
    # version cannot overwrite newer answers.
    version: Mapped[int] = mapped_column(default=1)
    # The start form's one-off token: a resent "start" finds the same audit.
    request_token: Mapped[str | None] = mapped_column(String(64))
    #: The case's category (``case_file.category``) as at the audit: copied when the
    #: audit starts and again when it is submitted, so a report filtered by category
    #: keeps counting an audit where it was even after the case changes category.
    category: Mapped[str | None] = mapped_column(String(40))
    # Written at submission from the tool's scoring, so core reports and the
    # audit list can show outcomes without asking the tool again.
    suggested_rating: Mapped[str | None] = mapped_column(String(40))
    suggested_grade: Mapped[str | None] = mapped_column(String(40))
    overall_rating: Mapped[str | None] = mapped_column(String(40))
    grade: Mapped[str | None] = mapped_column(String(40))
    #: Historic audits loaded from a council's spreadsheet (``careaudit import audits``):
    #: the run that imported it, and the row's key (tool, subject, date, auditor), unique,
    #: so importing the same file again adds nothing. Both empty for audits done here.
    imported_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id"), index=True)
    import_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    case: Mapped[Case | None] = relationship()
    service: Mapped[Service] = relationship()
    team: Mapped[Team | None] = relationship()
    auditor: Mapped[User] = relationship(foreign_keys=[auditor_id])
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", order_by="Answer.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_submitted(self) -> bool:
        return self.status is AuditStatus.SUBMITTED

    @property
    def subject_label(self) -> str:
        """How lists name what was audited: case reference, staff member, or sample item."""
        if self.case is not None:
            return self.case.reference
        if self.subject_user is not None:
            return self.subject_user.name
        return str((self.facts or {}).get("label") or f"Audit {self.id}")

    def __repr__(self) -> str:
        return f"<Audit {self.id} {self.tool} {self.status.value}>"


class Answer(db.Model):
    """One question's answer: a rating, a value, or both, and a comment."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("audit_id", "question"),
        Index("ix_answer_question_rating", "question", "rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(60))
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating))
    value: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)

    audit: Mapped[Audit] = relationship(back_populates="answers")

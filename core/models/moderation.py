"""Moderation of line-management audits: the rule, each month's draw, and each moderation.

A moderation is an independent audit of the same case file (an ``Audit`` of kind
independent, by a QA officer or IRO) linked to the line manager's audit it checks. The
moderator does it blind, then compares the two and records agreement per standard and
overall (``ModerationJudgement``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models._types import enum_column, utcnow
from core.models.audits import Audit
from core.models.cases import Case
from core.models.users import User

#: The share of a month's line-management audits drawn when no rule has been saved yet.
DEFAULT_SHARE_PERCENT = 10


class ModerationStatus(StrEnum):
    #: Drawn and allocated to a moderator, whose own audit is not submitted yet (blind).
    DRAWN = "drawn"
    #: The moderator's audit is submitted: they compare the two and record agreement.
    AUDITED = "audited"
    #: Agreement recorded; the line auditor and their managers have been told.
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {
            "drawn": "To moderate",
            "audited": "To compare",
            "completed": "Completed",
        }[self.value]


class ModerationRule(db.Model):
    """The council's moderation rule: what share of each month's line audits is drawn.

    One row (council-wide); when none has been saved the default applies.
    """

    __tablename__ = "moderation_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_percent: Mapped[int] = mapped_column(default=DEFAULT_SHARE_PERCENT)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ModerationRun(db.Model):
    """One run of ``careaudit moderate``: its seed, and what it drew and why."""

    __tablename__ = "moderation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by: Mapped[str] = mapped_column(String(120))
    drawn: Mapped[int] = mapped_column(default=0)
    log: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Moderation(db.Model):
    """A line-management audit drawn for moderation, and the moderator's audit of the file.

    ``line_audit_id`` is unique: an audit is drawn once, so running the draw again
    for a month never doubles it.
    """

    __tablename__ = "moderation"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The month whose submitted line audits this was drawn from (``2026-11``).
    period: Mapped[str] = mapped_column(String(7), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_run.id"))
    line_audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), unique=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    tool: Mapped[str] = mapped_column(String(60))
    due_date: Mapped[date]
    status: Mapped[ModerationStatus] = mapped_column(
        enum_column(ModerationStatus), default=ModerationStatus.DRAWN, index=True
    )
    #: The moderator's own audit of the file, once started.
    moderation_audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    audited_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    #: The moderator's overall note to the line auditor, if any.
    comment: Mapped[str | None] = mapped_column(Text)

    line_audit: Mapped[Audit] = relationship(foreign_keys=[line_audit_id])
    moderation_audit: Mapped[Audit | None] = relationship(foreign_keys=[moderation_audit_id])
    moderator: Mapped[User] = relationship()
    case: Mapped[Case] = relationship()
    judgements: Mapped[list[ModerationJudgement]] = relationship(
        back_populates="moderation",
        cascade="all, delete-orphan",
        order_by="ModerationJudgement.id",
    )

    @property
    def is_blind(self) -> bool:
        """The moderator may not see the line audit until their own is submitted."""
        return self.status is ModerationStatus.DRAWN

    def is_overdue(self, today: date) -> bool:
        return self.status is not ModerationStatus.COMPLETED and self.due_date < today


class ModerationJudgement(db.Model):
    """The moderator's agreement with the line audit on one standard, or overall.

    ``question`` is the standard's question key, or ``overall`` for the overall
    rating and grade. A disagreement carries its reason.
    """

    __tablename__ = "moderation_judgement"
    __table_args__ = (UniqueConstraint("moderation_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation_id: Mapped[int] = mapped_column(ForeignKey("moderation.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(60))
    agrees: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text)

    moderation: Mapped[Moderation] = relationship(back_populates="judgements")

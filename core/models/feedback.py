"""Feedback on an audit to the worker whose work was audited, and their reply.

One :class:`Feedback` per submitted audit that has someone to feed back to (the
worker who held the case, or the member of staff whose record was audited). It
records the steps of closing the loop: read and acknowledged, the worker's reply
(agree, or disagree with reasons per standard in :class:`Disagreement` rows), and
the date it was discussed in supervision. The audit itself is never changed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models._types import enum_column, utcnow
from core.models.audits import Audit
from core.models.organisation import Team
from core.models.users import User


class Agreement(StrEnum):
    """The worker's answer to the audit as a whole."""

    AGREE = "agree"
    DISAGREE = "disagree"

    @property
    def label(self) -> str:
        return AGREEMENT_LABELS[self]


AGREEMENT_LABELS = {
    Agreement.AGREE: "Agrees with the audit",
    Agreement.DISAGREE: "Disagrees with part of the audit",
}


class Feedback(db.Model):
    """An audit fed back to one worker: acknowledgement, reply and supervision."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("audit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The worker's team when the audit was submitted: its managers discuss it in
    #: supervision, and compliance and the digest count it there.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The last day of the reply period (``REPLY_DAYS`` after submission).
    due_on: Mapped[date] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    agreement: Mapped[Agreement | None] = mapped_column(enum_column(Agreement))
    #: The worker's general comment on the audit.
    comment: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    discussed_on: Mapped[date | None]
    discussed_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    discussed_recorded_at: Mapped[datetime | None]

    audit: Mapped[Audit] = relationship()
    worker: Mapped[User] = relationship(foreign_keys=[worker_id])
    team: Mapped[Team | None] = relationship()
    discussed_recorded_by: Mapped[User | None] = relationship(
        foreign_keys=[discussed_recorded_by_id]
    )
    disagreements: Mapped[list[Disagreement]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="Disagreement.id"
    )

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def has_reply(self) -> bool:
        return self.replied_at is not None

    def is_overdue(self, today: date) -> bool:
        """Not acknowledged by the end of the reply period."""
        return self.acknowledged_at is None and self.due_on < today

    def reply_open(self, today: date) -> bool:
        """The worker may still reply: no reply yet and the period has not ended."""
        return self.replied_at is None and today <= self.due_on

    def status(self, today: date) -> str:
        """Where the feedback has got to, in words for lists."""
        if self.discussed_on is not None:
            return "Discussed in supervision"
        if self.agreement is Agreement.DISAGREE:
            return "Replied: disagrees"
        if self.agreement is Agreement.AGREE:
            return "Replied: agrees"
        if self.acknowledged_at is not None:
            return "Acknowledged"
        return "Overdue" if self.is_overdue(today) else "Not yet acknowledged"

    def __repr__(self) -> str:
        return f"<Feedback {self.id} audit {self.audit_id}>"


class Disagreement(db.Model):
    """The worker's reason for disagreeing with one standard's rating."""

    __tablename__ = "feedback_disagreement"
    __table_args__ = (UniqueConstraint("feedback_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    #: The question key of the rated standard, as on the audit's answers.
    question: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)

    feedback: Mapped[Feedback] = relationship(back_populates="disagreements")

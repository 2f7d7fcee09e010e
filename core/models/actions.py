"""Remedial actions set from an audit, the follow-up's sign-off, and re-audits.

An action belongs to one submitted audit and, usually, to one of its rated standards
(``question``; None for the whole file). Its life: open -> done (the owner's evidence)
-> confirmed by a manager, or reopened (back to open, with the reason kept).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models._types import enum_column, utcnow
from core.models.audits import Audit
from core.models.programme import Allocation
from core.models.users import User


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CONFIRMED = "confirmed"

    @property
    def label(self) -> str:
        return {"open": "Open", "done": "Done, to confirm", "confirmed": "Confirmed"}[self.value]


class RemedialAction(db.Model):
    """What must be done after an audit, by whom and by when."""

    __tablename__ = "remedial_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    #: The rated question (standard) it answers, or None for the whole file.
    question: Mapped[str | None] = mapped_column(String(60))
    #: The standard's name when the action was set, so lists need not ask the tool.
    question_label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_date: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus), default=ActionStatus.OPEN, index=True
    )
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    #: The owner's note of the evidence, from the latest time it was marked done.
    evidence: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reopened: Mapped[int] = mapped_column(default=0)
    #: Every step, oldest first: {"at", "by", "step", "text"}; shown on the action's page.
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)

    audit: Mapped[Audit] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    set_by: Mapped[User] = relationship(foreign_keys=[set_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    def is_overdue(self, today: date) -> bool:
        return self.status is ActionStatus.OPEN and self.due_date < today


class FollowUp(db.Model):
    """An audit's follow-up signed off: the actions it needs are set."""

    __tablename__ = "audit_follow_up"

    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), primary_key=True)
    signed_off_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_off_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    signed_off_by: Mapped[User] = relationship()


class ReAudit(db.Model):
    """A request to audit the file again, after the actions close or on a date.

    It becomes an :class:`~core.models.Allocation` (``allocation_id``) when it is due;
    the allocation's audit is the re-audit compared with ``audit``.
    """

    __tablename__ = "re_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), unique=True)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Due when every action of the audit is confirmed ...
    after_actions: Mapped[bool] = mapped_column(default=False)
    #: ... or on this day.
    on_date: Mapped[date | None]
    became_due_on: Mapped[date | None]
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocation.id"), unique=True)

    audit: Mapped[Audit] = relationship()
    auditor: Mapped[User] = relationship(foreign_keys=[auditor_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    allocation: Mapped[Allocation | None] = relationship()

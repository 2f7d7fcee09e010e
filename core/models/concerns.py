"""Safeguarding concerns raised during an audit: a child or adult may be at risk now.

Permanent by design: a concern, each response to it and its escalation are rows
that are added and never changed or deleted. A later response is a new row, not
an edit of the first. The ORM refuses updates and deletes of these rows (see
:func:`_refuse_update`), and on PostgreSQL a trigger does the same for any SQL
(migration 0012), except in a transaction that has set ``careaudit.trail_prune``
(only ``careaudit demo --reset`` deletes everything).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models._types import utcnow
from core.models.audits import Audit
from core.models.cases import Case
from core.models.organisation import Service, Team
from core.models.users import User

#: The longest description and response a person may type (a short account, not a report).
DESCRIPTION_LENGTH = 1000
RESPONSE_LENGTH = 2000
DONE_BY_LENGTH = 200


class ConcernIsPermanent(Exception):
    """A concern, its responses and its escalation are never changed or deleted."""


class Concern(db.Model):
    """ "A child (or adult) may be at risk now", raised from an audit.

    ``service_id``, ``team_id`` and ``worker_id`` say whose managers were told:
    the case's team, service and allocated worker when the concern was raised
    (the audit's team and service for an audit without a case). ``due_on`` is the
    working day by the end of which a manager must record a response, worked out
    once when it is raised, so changing the setting later moves no deadline.
    """

    __tablename__ = "concern"
    __table_args__ = (UniqueConstraint("request_token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    description: Mapped[str] = mapped_column(Text)
    #: The setting when it was raised (working days to respond), kept for the record.
    response_days: Mapped[int]
    due_on: Mapped[date] = mapped_column(index=True)
    # The raise form's one-off token: a resent form finds the same concern.
    request_token: Mapped[str | None] = mapped_column(String(64))

    audit: Mapped[Audit] = relationship()
    case: Mapped[Case | None] = relationship()
    service: Mapped[Service] = relationship()
    team: Mapped[Team | None] = relationship()
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    responses: Mapped[list[ConcernResponse]] = relationship(
        back_populates="concern", order_by="ConcernResponse.id"
    )
    escalation: Mapped[ConcernEscalation | None] = relationship(back_populates="concern")

    @property
    def is_answered(self) -> bool:
        return bool(self.responses)

    def is_overdue(self, today: date) -> bool:
        """Not answered, and ``today`` (the council's date) is past the day it was due."""
        return not self.is_answered and today > self.due_on

    def status(self, today: date) -> str:
        """``answered``, ``overdue`` or ``open``: what the escalation page counts."""
        if self.is_answered:
            return "answered"
        return "overdue" if self.is_overdue(today) else "open"

    @property
    def subject_label(self) -> str:
        return self.case.reference if self.case is not None else self.audit.subject_label

    def __repr__(self) -> str:
        return f"<Concern {self.id} audit {self.audit_id}>"


class ConcernResponse(db.Model):
    """What a manager did about a concern, who did it and when. One row per response."""

    __tablename__ = "concern_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"), index=True)
    action_taken: Mapped[str] = mapped_column(Text)
    #: Who did it, as typed: often someone outside careaudit (the duty team, the police).
    done_by: Mapped[str] = mapped_column(String(DONE_BY_LENGTH))
    done_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    concern: Mapped[Concern] = relationship(back_populates="responses")
    recorded_by: Mapped[User] = relationship()


class ConcernEscalation(db.Model):
    """An unanswered concern passed to senior managers. At most one per concern: the
    unique ``concern_id`` makes ``careaudit concerns escalate`` safe to run twice, or on
    two servers at once."""

    __tablename__ = "concern_escalation"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"), unique=True)
    escalated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: How many members of staff were told (names are in the audit trail).
    told: Mapped[int] = mapped_column(default=0)

    concern: Mapped[Concern] = relationship(back_populates="escalation")


def _refuse_update(mapper: Any, connection: Any, target: Any) -> None:
    # Adding a response marks the concern "dirty" too; only its own columns count.
    state = inspect(target)
    changed = [c.key for c in mapper.column_attrs if state.attrs[c.key].history.has_changes()]
    if changed:
        raise ConcernIsPermanent(
            f"{type(target).__name__} {target.id} cannot be changed once saved ({changed})"
        )


def _refuse_delete(mapper: Any, connection: Any, target: Any) -> None:
    raise ConcernIsPermanent(f"{type(target).__name__} {target.id} cannot be deleted")


for _model in (Concern, ConcernResponse, ConcernEscalation):
    event.listen(_model, "before_update", _refuse_update)
    event.listen(_model, "before_delete", _refuse_delete)

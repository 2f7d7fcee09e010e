"""The audit programme: rules, allocations and the reminders sent about them.

Schedules belong to core: any case tool can be scheduled by a rule.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models._types import enum_column, utcnow
from core.models.audits import Audit, AuditKind
from core.models.cases import Case
from core.models.organisation import Service
from core.models.users import Role, User


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six_monthly"

    @property
    def label(self) -> str:
        return {
            "monthly": "Every month",
            "quarterly": "Every quarter",
            "six_monthly": "Every six months",
        }[self.value]

    def runs_in(self, month: int) -> bool:
        """Quarters and half-years follow the financial year (April)."""
        if self is Frequency.MONTHLY:
            return True
        step = 3 if self is Frequency.QUARTERLY else 6
        return (month - 4) % step == 0


class CasePool(StrEnum):
    OWN = "own"
    TEAM = "team"
    SERVICE = "service"
    ALL_SERVICES = "all_services"

    @property
    def label(self) -> str:
        return {
            "own": "The auditor's own cases",
            "team": "The auditor's team",
            "service": "The service",
            "all_services": "All services where the tool is switched on",
        }[self.value]


class AllocationStatus(StrEnum):
    ALLOCATED = "allocated"
    COMPLETED = "completed"
    WAIVED = "waived"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AuditRule(db.Model):
    """Who audits how many files with which tool, how often, from which cases.

    ``service_id`` None is a council-wide rule (independent reviewers, senior
    managers); otherwise the rule belongs to that service and its service
    manager may change it.
    """

    __tablename__ = "audit_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    auditor_role: Mapped[Role] = mapped_column(enum_column(Role))
    tool: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[int]
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    pool: Mapped[CasePool] = mapped_column(enum_column(CasePool))
    #: Independent rules never give an auditor a case they hold or manage directly.
    independent: Mapped[bool] = mapped_column(default=False)
    #: Retired and unused: the draw's weights belong to the case categories now
    #: (``Category.risk_weight``, Administration -> Case categories). Kept so the
    #: schema needs no migration; nothing reads or writes it.
    high_risk_weight: Mapped[float] = mapped_column(default=2.0)
    #: No case is chosen again within this many months.
    months_between: Mapped[int] = mapped_column(default=12)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    service: Mapped[Service | None] = relationship()

    @property
    def kind(self) -> AuditKind:
        if self.auditor_role is Role.SOCIAL_WORKER:
            return AuditKind.SELF_AUDIT
        if self.auditor_role is Role.SENIOR_MANAGER:
            return AuditKind.SENIOR_SAMPLE
        return AuditKind.INDEPENDENT if self.independent else AuditKind.LINE_MANAGEMENT


class AllocationRun(db.Model):
    """One run of ``careaudit allocate``: its seed and what it drew, and why."""

    __tablename__ = "allocation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by: Mapped[str] = mapped_column(String(120))
    allocated: Mapped[int] = mapped_column(default=0)
    log: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Allocation(db.Model):
    """A case file allocated to an auditor for a period.

    The unique constraints are what make allocation idempotent and safe when
    two servers run it at once: a slot, or a case, is allocated once a period.
    """

    __tablename__ = "allocation"
    __table_args__ = (
        UniqueConstraint("period", "rule_id", "auditor_id", "slot", name="uq_allocation_slot"),
        UniqueConstraint("period", "tool", "case_id", name="uq_allocation_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    #: None for an allocation no rule made (a re-audit asked for after an audit).
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("audit_rule.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_run.id"))
    auditor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    slot: Mapped[int]
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    tool: Mapped[str] = mapped_column(String(60))
    kind: Mapped[AuditKind] = mapped_column(enum_column(AuditKind))
    due_date: Mapped[date]
    status: Mapped[AllocationStatus] = mapped_column(
        enum_column(AllocationStatus), default=AllocationStatus.ALLOCATED
    )
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    #: Why it was waived or reassigned, and by whom; kept for the record.
    note: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    rule: Mapped[AuditRule | None] = relationship()
    auditor: Mapped[User] = relationship(foreign_keys=[auditor_id])
    case: Mapped[Case] = relationship()
    audit: Mapped[Audit | None] = relationship()

    def is_overdue(self, today: date) -> bool:
        return self.status is AllocationStatus.ALLOCATED and self.due_date < today


class Reminder(db.Model):
    """An email sent to a user, kept so users can see it and nothing is sent twice."""

    __tablename__ = "reminder"
    # ``topic`` names what the email is about ("allocated:12", "digest"); the
    # constraint means a second run on the same day cannot send it again.
    __table_args__ = (UniqueConstraint("user_id", "topic", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(60))
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocation.id"))
    sent_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)

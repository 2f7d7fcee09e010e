"""Who is keeping up: allocated, completed and overdue audits, and six-month coverage.

Counted in SQL. Allocations are grouped where the case file is (directorate,
service, team), and by auditor at the bottom level, so independent reviewers'
audits count in the services they looked at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, case, exists, func, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.models import (
    Allocation,
    AllocationStatus,
    Audit,
    AuditStatus,
    Case,
    Directorate,
    Feedback,
    Role,
    Service,
    Team,
    User,
)

LEVELS = ("directorate", "service", "team", "auditor")


@dataclass(frozen=True)
class ComplianceRow:
    key: int
    label: str
    allocated: int
    completed: int
    overdue: int
    waived: int

    @property
    def outstanding(self) -> int:
        return self.allocated - self.completed - self.overdue

    @property
    def completion(self) -> int | None:
        return round(100 * self.completed / self.allocated) if self.allocated else None


@dataclass(frozen=True)
class Coverage:
    """Social workers whose work was audited in the last six months, in one team."""

    team: str
    workers: int
    audited: int
    not_audited: list[str] = field(default_factory=list)

    @property
    def share(self) -> int | None:
        return round(100 * self.audited / self.workers) if self.workers else None


def compliance_rows(
    level: str,
    periods: list[str],
    today: date,
    directorate_id: int | None = None,
    service_id: int | None = None,
    team_id: int | None = None,
) -> list[ComplianceRow]:
    """Allocations in ``periods``, grouped at ``level`` within the given parent."""
    if level == "directorate":
        key, label = Directorate.id, Directorate.name
    elif level == "service":
        key, label = Service.id, Service.name
    elif level == "team":
        key, label = Team.id, Team.name
    else:
        key, label = User.id, User.name
    counts = _counts(today)
    statement = (
        select(key, label, *counts)
        .select_from(Allocation)
        .join(Case, Case.id == Allocation.case_id)
        .join(Team, Team.id == Case.team_id)
        .join(Service, Service.id == Case.service_id)
        .join(Directorate, Directorate.id == Service.directorate_id)
        .join(User, User.id == Allocation.auditor_id)
        .where(Allocation.period.in_(periods))
        .group_by(key, label)
        .order_by(label)
    )
    if directorate_id is not None:
        statement = statement.where(Directorate.id == directorate_id)
    if service_id is not None:
        statement = statement.where(Service.id == service_id)
    if team_id is not None:
        statement = statement.where(Team.id == team_id)
    rows = db.session.execute(statement).all()
    return [
        ComplianceRow(r[0], r[1], int(r[2] or 0), int(r[3] or 0), int(r[4] or 0), int(r[5] or 0))
        for r in rows
    ]


def _counts(today: date) -> list[ColumnElement[int]]:
    """Allocated (not waived), completed, overdue (on ``today``) and waived."""
    status = Allocation.status
    overdue = (status == AllocationStatus.ALLOCATED) & (Allocation.due_date < today)
    return [
        func.sum(case((status != AllocationStatus.WAIVED, 1), else_=0)),
        func.sum(case((status == AllocationStatus.COMPLETED, 1), else_=0)),
        func.sum(case((overdue, 1), else_=0)),
        func.sum(case((status == AllocationStatus.WAIVED, 1), else_=0)),
    ]


def coverage(
    today: date,
    months: int = 6,
    directorate_id: int | None = None,
    service_id: int | None = None,
    team_id: int | None = None,
) -> list[Coverage]:
    """Per team: social workers with a submitted audit of their work in the last ``months``."""
    since = today - timedelta(days=round(months * 30.44))
    in_scope = [User.role == Role.SOCIAL_WORKER, User.active.is_(True)]
    if directorate_id is not None:
        in_scope.append(Service.directorate_id == directorate_id)
    if service_id is not None:
        in_scope.append(Team.service_id == service_id)
    if team_id is not None:
        in_scope.append(Team.id == team_id)
    # The worker who held the case when it was audited, not whoever holds it now. One
    # probe of the index on (worker, status, date) per worker listed: a service's page
    # reads neither the whole council's audits nor each worker's six months of them.
    audited = exists().where(
        Audit.worker_id == User.id,
        Audit.status == AuditStatus.SUBMITTED,
        Audit.audit_date >= since,
    )
    # Columns, not objects: a service lists a hundred workers and shows their names.
    statement = (
        select(Team.id, Team.name, Service.name, User.id, User.name, audited)
        .join(User, User.team_id == Team.id)
        .join(Service, Service.id == Team.service_id)
        .where(*in_scope)
        .order_by(Service.name, Team.name, User.name)
    )
    teams: dict[int, tuple[str, list[tuple[str, bool]]]] = {}
    for team_id, team_name, service_name, _, name, was_audited in db.session.execute(statement):
        label = f"{team_name} ({service_name})"
        teams.setdefault(team_id, (label, []))[1].append((name, bool(was_audited)))
    return [
        Coverage(
            label,
            len(workers),
            sum(1 for _, was_audited in workers if was_audited),
            [name for name, was_audited in workers if not was_audited],
        )
        for label, workers in teams.values()
    ]


def overdue_acknowledgements(
    today: date,
    directorate_id: int | None = None,
    service_id: int | None = None,
    team_id: int | None = None,
) -> list[Feedback]:
    """Audits fed back to a worker and not acknowledged by the end of the reply period.

    Counted where the worker was when the audit was fed back (``Feedback.team_id``,
    ``service_id``): their managers are the ones to follow it up. Oldest due first.
    """
    statement = (
        select(Feedback)
        .join(Service, Service.id == Feedback.service_id)
        .options(
            joinedload(Feedback.audit).joinedload(Audit.case),
            joinedload(Feedback.audit).joinedload(Audit.subject_user),
            joinedload(Feedback.worker),
            joinedload(Feedback.team),
        )
        .where(Feedback.acknowledged_at.is_(None), Feedback.due_on < today)
        .order_by(Feedback.due_on, Feedback.id)
    )
    if directorate_id is not None:
        statement = statement.where(Service.directorate_id == directorate_id)
    if service_id is not None:
        statement = statement.where(Feedback.service_id == service_id)
    if team_id is not None:
        statement = statement.where(Feedback.team_id == team_id)
    return list(db.session.scalars(statement).unique())

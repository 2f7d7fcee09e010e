"""Compliance coverage for one team, service or directorate reads only that part (issue 12).

The page of a service manager asks who in their service was audited lately; the
answer must be the whole council's answer for those teams, however many audits the
rest of the council has (the scoped query reads only the listed workers' audits).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.extensions import db
from core.models import Audit, AuditStatus, Directorate, Role, Service, Team, User
from core.programme.compliance import coverage

TODAY = date.today()


def _by_team(rows):
    return {row.team: (row.workers, row.audited, sorted(row.not_audited)) for row in rows}


def test_each_scope_gives_the_whole_councils_rows_for_its_teams(demo_borough):
    everyone = _by_team(coverage(TODAY))
    assert any(audited for _, audited, _ in everyone.values())  # something to compare
    for service in db.session.scalars(select(Service)):
        expected = {k: v for k, v in everyone.items() if k.endswith(f"({service.name})")}
        assert _by_team(coverage(TODAY, service_id=service.id)) == expected, service.name
    for directorate in db.session.scalars(select(Directorate)):
        names = {f"({s.name})" for s in directorate.services}
        expected = {k: v for k, v in everyone.items() if any(k.endswith(n) for n in names)}
        assert _by_team(coverage(TODAY, directorate_id=directorate.id)) == expected
    team = db.session.scalars(select(Team).order_by(Team.id)).first()
    label = f"{team.name} ({team.service.name})"
    assert _by_team(coverage(TODAY, team_id=team.id)) == {label: everyone[label]}


def test_a_workers_audit_counts_in_their_own_team_only(demo_borough):
    """An audit of a worker's case counts for the worker's team even when the case (and the
    audit) belong to another team: scoping is by the worker, not by the audit's team."""
    worker = db.session.scalars(
        select(User).where(User.role == Role.SOCIAL_WORKER, User.active.is_(True))
    ).first()
    recent = TODAY - timedelta(days=200)
    for audit in db.session.scalars(select(Audit).where(Audit.worker_id == worker.id)):
        audit.audit_date = recent  # none of theirs in the last six months
    db.session.commit()
    label = f"{worker.team.name} ({worker.team.service.name})"
    before = _by_team(coverage(TODAY, team_id=worker.team_id))[label]
    assert worker.name in before[2]
    audit = db.session.scalars(
        select(Audit).where(
            Audit.status == AuditStatus.SUBMITTED,
            Audit.worker_id.is_not(None),
            Audit.team_id != worker.team_id,
        )
    ).first()
    audit.worker_id, audit.audit_date = worker.id, TODAY
    db.session.commit()
    after = _by_team(coverage(TODAY, team_id=worker.team_id))[label]
    assert worker.name not in after[2] and after[1] == before[1] + 1

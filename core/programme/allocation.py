"""``careaudit allocate``: give each auditor their period's case files, by the rules.

Idempotent and safe to run on two servers at once: on PostgreSQL the run takes
a transaction-level advisory lock for the period, and unique constraints on
``allocation`` are the guarantee behind it (a slot, or a case, once a period).
"""

from __future__ import annotations

import random
import zlib
from datetime import date

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError

from core import trail
from core.cases.categories import risk_weights
from core.extensions import db
from core.models import (
    Allocation,
    AllocationRun,
    AllocationStatus,
    Audit,
    AuditRule,
    AuditStatus,
    Case,
    CasePool,
    Team,
    User,
)
from core.programme.periods import Month
from core.programme.selection import Auditor, Candidate, select_cases
from core.tools.registry import ToolRegistry

SEED_LIMIT = 2**31


def auditors_for(rule: AuditRule) -> list[User]:
    """Active users the rule applies to: its role, in its service (if it has one)."""
    statement = select(User).where(User.active.is_(True), User.role == rule.auditor_role)
    if rule.service_id is not None:
        in_service = select(Team.id).where(Team.service_id == rule.service_id)
        statement = statement.where(
            or_(User.team_id.in_(in_service), User.service_id == rule.service_id)
        )
    return list(db.session.scalars(statement.order_by(User.id)))


def _pool(registry: ToolRegistry, rule: AuditRule, auditor: User) -> list[Case]:
    """Open cases the rule draws from, in services where its tool is switched on."""
    on = [s.id for s in registry.enabled_services(rule.tool)]
    statement = select(Case).where(Case.is_open.is_(True), Case.service_id.in_(on))
    if rule.pool is CasePool.OWN:
        statement = statement.where(Case.allocated_worker_id == auditor.id)
    elif rule.pool is CasePool.TEAM:
        statement = statement.where(Case.team_id == (auditor.team_id or -1))
    elif rule.pool is CasePool.SERVICE:
        service_id = rule.service_id or (auditor.service.id if auditor.service else -1)
        statement = statement.where(Case.service_id == service_id)
    return list(db.session.scalars(statement.order_by(Case.id)))


def _case_history(case_ids: list[int]) -> dict[int, date]:
    """When each case was last audited, or allocated and not waived."""
    history: dict[int, date] = {}
    audited = db.session.execute(
        select(Audit.case_id, func.max(Audit.audit_date))
        .where(Audit.case_id.in_(case_ids), Audit.status == AuditStatus.SUBMITTED)
        .group_by(Audit.case_id)
    )
    allocated = db.session.execute(
        select(Allocation.case_id, func.max(Allocation.due_date))
        .where(Allocation.case_id.in_(case_ids), Allocation.status != AllocationStatus.WAIVED)
        .group_by(Allocation.case_id)
    )
    for case_id, day in [*audited, *allocated]:
        if day is not None and (case_id not in history or day > history[case_id]):
            history[case_id] = day
    return history


def _worker_history() -> dict[int, date | None]:
    """When each social worker's work was last audited (the worker at the time of the audit)."""
    rows = db.session.execute(
        select(Audit.worker_id, func.max(Audit.audit_date))
        .where(Audit.status == AuditStatus.SUBMITTED, Audit.worker_id.is_not(None))
        .group_by(Audit.worker_id)
    )
    return {worker: day for worker, day in rows}


def _lock(period: Month) -> None:
    if db.engine.dialect.name == "postgresql":
        key = zlib.crc32(f"careaudit-allocate-{period.key}".encode())
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def allocate(
    registry: ToolRegistry, period: Month, *, seed: int | None = None, started_by: str = "cli"
) -> AllocationRun:
    """Allocate ``period``'s audits by the active rules; returns the run with its log."""
    _lock(period)
    run = AllocationRun(
        period=period.key,
        started_by=started_by,
        seed=seed if seed is not None else random.SystemRandom().randrange(SEED_LIMIT),
        log=[],
    )
    db.session.add(run)
    db.session.flush()
    log: list[str] = [f"Allocation for {period.label}, seed {run.seed}"]
    workers = _worker_history()
    # Read once per run, so every auditor's draw uses the same weights.
    weights = risk_weights()
    rules = db.session.scalars(
        select(AuditRule).where(AuditRule.active.is_(True)).order_by(AuditRule.id)
    ).all()
    allocated = 0
    for rule in rules:
        where = rule.service.name if rule.service else "all services"
        if not rule.frequency.runs_in(period.start.month):
            log.append(
                f"Rule {rule.id} ({rule.auditor_role.label}, {where}): "
                f"{rule.frequency.label.lower()}, not due in {period.label}"
            )
            continue
        if rule.tool not in registry:
            log.append(f"Rule {rule.id}: tool {rule.tool} is not installed; skipped")
            continue
        for auditor in auditors_for(rule):
            allocated += _allocate_one(registry, rule, auditor, period, run, workers, weights, log)
    run.allocated = allocated
    log.append(f"{allocated} audits allocated")
    run.log = log
    trail.record(
        "allocation.run",
        run,
        summary=f"Allocated {allocated} audits for {period.label} (seed {run.seed})",
        after={"period": period.key, "allocated": allocated, "seed": run.seed},
    )
    db.session.commit()
    return run


def _allocate_one(
    registry: ToolRegistry,
    rule: AuditRule,
    auditor: User,
    period: Month,
    run: AllocationRun,
    workers: dict[int, date | None],
    weights: dict[str, float],
    log: list[str],
) -> int:
    head = f"{auditor.name} ({rule.auditor_role.label}, rule {rule.id}, {rule.tool})"
    filled = db.session.scalars(
        select(Allocation.slot).where(
            Allocation.period == period.key,
            Allocation.rule_id == rule.id,
            Allocation.auditor_id == auditor.id,
        )
    ).all()
    wanted = rule.quantity - len(filled)
    if wanted <= 0:
        log.append(f"{head}: already allocated ({len(filled)} of {rule.quantity})")
        return 0
    cases = _pool(registry, rule, auditor)
    history = _case_history([c.id for c in cases])
    taken = db.session.scalars(
        select(Allocation.case_id).where(
            Allocation.period == period.key, Allocation.tool == rule.tool
        )
    ).all()
    candidates = [
        Candidate(
            c.id, c.reference, c.allocated_worker_id, c.team_id, c.category, history.get(c.id)
        )
        for c in cases
    ]
    auditor_team = auditor.team_id
    selection = select_cases(
        candidates,
        wanted,
        auditor=Auditor(auditor.id, auditor_team),
        independent=rule.independent,
        period_start=period.start,
        rng=random.Random(f"{run.seed}:{rule.id}:{auditor.id}"),
        worker_last_audited=workers,
        taken=taken,
        months_between=rule.months_between,
        weights=weights,
    )
    log.append(f"{head}: " + "; ".join(selection.log))
    free_slots = [s for s in range(1, rule.quantity + 1) if s not in set(filled)]
    made = 0
    for slot, candidate in zip(free_slots, selection.chosen, strict=False):
        allocation = Allocation(
            period=period.key,
            rule_id=rule.id,
            run_id=run.id,
            auditor_id=auditor.id,
            slot=slot,
            case_id=candidate.case_id,
            tool=rule.tool,
            kind=rule.kind,
            due_date=period.end,
        )
        try:
            with db.session.begin_nested():
                db.session.add(allocation)
        except IntegrityError:
            # Another run got there first: the database keeps one of each.
            log.append(f"{head}: slot {slot} or {candidate.reference} already allocated")
            continue
        made += 1
    return made


def link_audit(audit: Audit) -> None:
    """Tie a newly started audit to the auditor's open allocation of that case, if any."""
    if audit.case_id is None:
        return
    allocation = db.session.scalar(
        select(Allocation)
        .where(
            Allocation.auditor_id == audit.auditor_id,
            Allocation.case_id == audit.case_id,
            Allocation.tool == audit.tool,
            Allocation.status == AllocationStatus.ALLOCATED,
            Allocation.audit_id.is_(None),
        )
        .order_by(Allocation.due_date)
    )
    if allocation is not None:
        allocation.audit_id = audit.id


def complete_for(audit: Audit) -> None:
    """Mark the allocation an audit was started from as completed."""
    allocation = db.session.scalar(select(Allocation).where(Allocation.audit_id == audit.id))
    if allocation is not None and allocation.status is AllocationStatus.ALLOCATED:
        allocation.status = AllocationStatus.COMPLETED
        allocation.completed_at = audit.submitted_at

"""``careaudit allocate``: give each auditor their period's case files, by the rules.

Idempotent and safe to run on two servers at once: on PostgreSQL the run takes
a transaction-level advisory lock for the period, and unique constraints on
``allocation`` are the guarantee behind it (a slot, or a case, once a period).

Set-based, so a borough of 150 teams and 30,000 open cases allocates in
seconds (issue 12): the open cases are read once as columns, each case's
history by one ``GROUP BY``, and the period's allocations so far once per rule
and tool; the draws then run in memory, each seeing the cases the ones before
it took, exactly as if each allocation had been written as it was drawn; and
the allocations are written at the end in a few multi-row inserts that skip a
row a unique constraint already holds. The number of statements depends on
the rules and tools, never on the number of cases, and no statement lists
case ids (PostgreSQL takes at most 65,535 bind parameters in one).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

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
#: Allocations per insert statement: well inside any driver's limit on bind parameters.
INSERT_CHUNK = 500


def auditors_for(rule: AuditRule) -> list[User]:
    """Active users the rule applies to: its role, in its service (if it has one)."""
    statement = select(User).where(User.active.is_(True), User.role == rule.auditor_role)
    if rule.service_id is not None:
        in_service = select(Team.id).where(Team.service_id == rule.service_id)
        statement = statement.where(
            or_(User.team_id.in_(in_service), User.service_id == rule.service_id)
        )
    return list(db.session.scalars(statement.order_by(User.id)))


@dataclass
class _OpenCases:
    """Every open case, read once, with its history kept up to date as the run draws.

    ``candidates`` holds each case as the selection sees it; a case drawn in
    this run is replaced by one whose ``last_audited`` is the period's due date,
    as a written allocation would make it in the database.
    """

    candidates: dict[int, Candidate] = field(default_factory=dict)
    service_of: dict[int, int] = field(default_factory=dict)
    by_service: dict[int, list[int]] = field(default_factory=dict)
    by_team: dict[int, list[int]] = field(default_factory=dict)
    by_worker: dict[int, list[int]] = field(default_factory=dict)
    all_ids: list[int] = field(default_factory=list)

    @classmethod
    def load(cls) -> _OpenCases:
        cases = cls()
        history = _case_history()
        rows = db.session.execute(
            select(
                Case.id,
                Case.reference,
                Case.allocated_worker_id,
                Case.team_id,
                Case.service_id,
                Case.category,
            )
            .where(Case.is_open.is_(True))
            .order_by(Case.id)
        )
        for case_id, reference, worker_id, team_id, service_id, category in rows:
            cases.candidates[case_id] = Candidate(
                case_id, reference, worker_id, team_id, category, history.get(case_id)
            )
            cases.service_of[case_id] = service_id
            cases.all_ids.append(case_id)
            cases.by_service.setdefault(service_id, []).append(case_id)
            cases.by_team.setdefault(team_id, []).append(case_id)
            if worker_id is not None:
                cases.by_worker.setdefault(worker_id, []).append(case_id)
        return cases

    def pool(self, ids: list[int]) -> list[Candidate]:
        """The cases of ``ids`` as they stand now (a case drawn already has its due date)."""
        return list(map(self.candidates.__getitem__, ids))

    def drawn(self, case_id: int, due: date) -> None:
        candidate = self.candidates[case_id]
        if candidate.last_audited is None or due > candidate.last_audited:
            self.candidates[case_id] = replace(candidate, last_audited=due)


def _case_history() -> dict[int, date]:
    """When each open case was last audited, or allocated and not waived.

    One ``GROUP BY`` over each table, joined to the open cases: no list of case
    ids is sent, so it works at any number of cases.
    """
    history: dict[int, date] = {}
    audited = db.session.execute(
        select(Audit.case_id, func.max(Audit.audit_date))
        .join(Case, Case.id == Audit.case_id)
        .where(Case.is_open.is_(True), Audit.status == AuditStatus.SUBMITTED)
        .group_by(Audit.case_id)
    )
    allocated = db.session.execute(
        select(Allocation.case_id, func.max(Allocation.due_date))
        .join(Case, Case.id == Allocation.case_id)
        .where(Case.is_open.is_(True), Allocation.status != AllocationStatus.WAIVED)
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


@dataclass
class _Run:
    """What one run has read and drawn so far, shared by every auditor's draw."""

    registry: ToolRegistry
    period: Month
    run: AllocationRun
    workers: dict[int, date | None]
    weights: dict[str, float]
    log: list[str]
    cases: _OpenCases | None = None
    #: Services where each tool is switched on.
    services: dict[str, frozenset[int]] = field(default_factory=dict)
    #: Cases allocated this period, by tool (before this run, and drawn in it).
    taken: dict[str, set[int]] = field(default_factory=dict)
    team_service: dict[int, int] | None = None
    #: The ids in each pool, by (tool, pool, auditor, team or service).
    pools: dict[tuple[str, CasePool, int], list[int]] = field(default_factory=dict)
    #: The allocations drawn, to write at the end, and where each auditor's log line is.
    rows: list[dict[str, Any]] = field(default_factory=list)
    heads: list[tuple[int, str, list[dict[str, Any]], list[str]]] = field(default_factory=list)

    def open_cases(self) -> _OpenCases:
        if self.cases is None:
            self.cases = _OpenCases.load()
        return self.cases

    def services_for(self, tool: str) -> frozenset[int]:
        if tool not in self.services:
            self.services[tool] = frozenset(s.id for s in self.registry.enabled_services(tool))
        return self.services[tool]

    def taken_for(self, tool: str) -> set[int]:
        if tool not in self.taken:
            self.taken[tool] = set(
                db.session.scalars(
                    select(Allocation.case_id).where(
                        Allocation.period == self.period.key, Allocation.tool == tool
                    )
                )
            )
        return self.taken[tool]

    def service_of_team(self, team_id: int | None) -> int:
        if self.team_service is None:
            self.team_service = dict(db.session.execute(select(Team.id, Team.service_id)).all())
        return self.team_service.get(team_id, -1) if team_id is not None else -1


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
    state = _Run(
        registry=registry,
        period=period,
        run=run,
        workers=_worker_history(),
        # Read once per run, so every auditor's draw uses the same weights.
        weights=risk_weights(),
        log=log,
    )
    rules = db.session.scalars(
        select(AuditRule).where(AuditRule.active.is_(True)).order_by(AuditRule.id)
    ).all()
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
        filled: dict[int, set[int]] = {}
        for auditor_id, slot in db.session.execute(
            select(Allocation.auditor_id, Allocation.slot).where(
                Allocation.period == period.key, Allocation.rule_id == rule.id
            )
        ):
            filled.setdefault(auditor_id, set()).add(slot)
        for auditor in auditors_for(rule):
            _allocate_one(state, rule, auditor, filled.get(auditor.id, set()))
    allocated = _write(state)
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


def _pool_ids(state: _Run, rule: AuditRule, auditor: User) -> list[int]:
    """The ids of the open cases the rule draws from for ``auditor``, in id order:
    in services where its tool is switched on."""
    cases = state.open_cases()
    if rule.pool is CasePool.OWN:
        key, ids = auditor.id, cases.by_worker.get(auditor.id, [])
    elif rule.pool is CasePool.TEAM:
        key = auditor.team_id or -1
        ids = cases.by_team.get(key, [])
    elif rule.pool is CasePool.SERVICE:
        key = rule.service_id or (
            state.service_of_team(auditor.team_id)
            if auditor.team_id is not None
            else auditor.service_id or -1
        )
        ids = cases.by_service.get(key, [])
    else:
        key, ids = 0, cases.all_ids
    # Every reviewer of a council-wide rule shares one pool: filtered once per tool.
    cached = (rule.tool, rule.pool, key)
    if cached not in state.pools:
        on = state.services_for(rule.tool)
        state.pools[cached] = [i for i in ids if cases.service_of[i] in on]
    return state.pools[cached]


def _allocate_one(state: _Run, rule: AuditRule, auditor: User, filled: set[int]) -> None:
    head = f"{auditor.name} ({rule.auditor_role.label}, rule {rule.id}, {rule.tool})"
    wanted = rule.quantity - len(filled)
    if wanted <= 0:
        state.log.append(f"{head}: already allocated ({len(filled)} of {rule.quantity})")
        return
    cases = state.open_cases()
    candidates = cases.pool(_pool_ids(state, rule, auditor))
    taken = state.taken_for(rule.tool)
    selection = select_cases(
        candidates,
        wanted,
        auditor=Auditor(auditor.id, auditor.team_id),
        independent=rule.independent,
        period_start=state.period.start,
        rng=random.Random(f"{state.run.seed}:{rule.id}:{auditor.id}"),
        worker_last_audited=state.workers,
        taken=taken,
        months_between=rule.months_between,
        weights=state.weights,
    )
    state.log.append(f"{head}: " + "; ".join(selection.log))
    free_slots = [s for s in range(1, rule.quantity + 1) if s not in filled]
    rows: list[dict[str, Any]] = []
    references: list[str] = []
    for slot, candidate in zip(free_slots, selection.chosen, strict=False):
        rows.append(
            {
                "period": state.period.key,
                "rule_id": rule.id,
                "run_id": state.run.id,
                "auditor_id": auditor.id,
                "slot": slot,
                "case_id": candidate.case_id,
                "tool": rule.tool,
                "kind": rule.kind,
                "due_date": state.period.end,
            }
        )
        references.append(candidate.reference)
        # The draws after this one see the case as taken and recently allocated.
        taken.add(candidate.case_id)
        cases.drawn(candidate.case_id, state.period.end)
    state.rows.extend(rows)
    state.heads.append((len(state.log) - 1, head, rows, references))


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), INSERT_CHUNK):
        yield rows[start : start + INSERT_CHUNK]


def _write(state: _Run) -> int:
    """Write the run's allocations; a row a unique constraint already holds is skipped.

    Another server's run of the same period waits for the advisory lock (on
    SQLite, for the database's write lock), so a skipped row means something
    else allocated that slot or case meanwhile: the log says so, as it did when
    each allocation was written on its own.
    """
    if not state.rows:
        return 0
    table = Allocation.__table__
    dialect = db.engine.dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = insert.on_conflict_do_nothing()
    for chunk in _chunks(state.rows):
        db.session.execute(statement, chunk)
    written = {
        tuple(row)
        for row in db.session.execute(
            select(
                Allocation.rule_id, Allocation.auditor_id, Allocation.slot, Allocation.case_id
            ).where(Allocation.run_id == state.run.id)
        )
    }
    # Each auditor's skipped rows are said right after their line, last first so the
    # positions of the earlier lines stay where they were.
    for index, head, rows, references in reversed(state.heads):
        missing = [
            f"{head}: slot {row['slot']} or {reference} already allocated"
            for row, reference in zip(rows, references, strict=True)
            if (row["rule_id"], row["auditor_id"], row["slot"], row["case_id"]) not in written
        ]
        state.log[index + 1 : index + 1] = missing
    return len(written)


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

"""Who held a case when: the case's allocation history (``CaseAssignment`` rows).

Every change of team, worker or category closes the open row and opens a new
one, so "who was allocated on this day" has one answer.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.extensions import db
from core.models import Case, CaseAssignment


def current(case: Case) -> CaseAssignment | None:
    return db.session.scalar(
        select(CaseAssignment)
        .where(CaseAssignment.case_id == case.id, CaseAssignment.ended_on.is_(None))
        .order_by(CaseAssignment.started_on.desc(), CaseAssignment.id.desc())
        .limit(1)
    )


def record(case: Case, day: date, import_run_id: int | None = None) -> CaseAssignment | None:
    """Record the case's team, worker and category from ``day`` if they changed.

    Call after changing the case (and after it has an id). Returns the new row,
    or ``None`` when nothing changed.
    """
    open_row = current(case)
    if open_row is not None and (
        open_row.team_id,
        open_row.worker_id,
        open_row.category,
    ) == (case.team_id, case.allocated_worker_id, case.category):
        return None
    if open_row is not None:
        open_row.ended_on = day
    row = CaseAssignment(
        case_id=case.id,
        team_id=case.team_id,
        worker_id=case.allocated_worker_id,
        category=case.category,
        started_on=day,
        import_run_id=import_run_id,
    )
    db.session.add(row)
    return row


def worker_on(case_id: int, day: date) -> int | None:
    """The worker who held the case on ``day``, from its history (``None`` if unknown)."""
    return db.session.scalar(
        select(CaseAssignment.worker_id)
        .where(
            CaseAssignment.case_id == case_id,
            CaseAssignment.started_on <= day,
            (CaseAssignment.ended_on.is_(None)) | (CaseAssignment.ended_on > day),
        )
        .order_by(CaseAssignment.started_on.desc(), CaseAssignment.id.desc())
        .limit(1)
    )

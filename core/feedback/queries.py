"""The feedback lists on home pages: the worker's to read, the manager's to discuss."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.access import audit_visibility
from core.extensions import db
from core.feedback.workflow import TEAM_MANAGERS
from core.models import Audit, Feedback, User

#: The most rows a home page section lists.
LIMIT = 50


def _with_audit() -> tuple[object, ...]:
    # Loaded by a second statement only when there are rows: most home pages have none,
    # and joining five more tables into the list's own query cost PostgreSQL more to
    # plan than to run (issue 12).
    return (
        selectinload(Feedback.audit).options(
            joinedload(Audit.case), joinedload(Audit.subject_user), joinedload(Audit.auditor)
        ),
        selectinload(Feedback.worker),
    )


def to_acknowledge(worker: User) -> list[Feedback]:
    """Audits of the worker's work they have not acknowledged yet, the most urgent first."""
    return list(
        db.session.scalars(
            select(Feedback)
            .join(Audit, Audit.id == Feedback.audit_id)
            .options(*_with_audit())
            .where(
                Feedback.worker_id == worker.id,
                Feedback.acknowledged_at.is_(None),
                audit_visibility(worker),
            )
            .order_by(Feedback.due_on, Feedback.id)
            .limit(LIMIT)
        ).unique()
    )


def to_discuss(manager: User) -> list[Feedback]:
    """Feedback in a team manager's or deputy's team not yet discussed in supervision.

    Service managers see their service's on the compliance page and in the digest
    instead: a whole service's list would crowd out their home page.
    """
    if manager.role not in TEAM_MANAGERS or manager.team_id is None:
        return []
    return list(
        db.session.scalars(
            select(Feedback)
            .join(Audit, Audit.id == Feedback.audit_id)
            .options(*_with_audit())
            .where(
                Feedback.team_id == manager.team_id,
                Feedback.worker_id != manager.id,
                Feedback.discussed_on.is_(None),
                audit_visibility(manager),
            )
            .order_by(Feedback.due_on, Feedback.id)
            .limit(LIMIT)
        ).unique()
    )

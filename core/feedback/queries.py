"""The feedback lists on home pages: the worker's to read, the manager's to discuss."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select
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


def _waiting_acknowledgement(worker: User) -> Select[tuple[Feedback]]:
    return (
        select(Feedback)
        .join(Audit, Audit.id == Feedback.audit_id)
        .where(
            Feedback.worker_id == worker.id,
            Feedback.acknowledged_at.is_(None),
            audit_visibility(worker),
        )
    )


def _waiting_discussion(manager: User) -> Select[tuple[Feedback]] | None:
    """Service managers see their service's on the compliance page and in the digest
    instead: a whole service's list would crowd out their home page."""
    if manager.role not in TEAM_MANAGERS or manager.team_id is None:
        return None
    return (
        select(Feedback)
        .join(Audit, Audit.id == Feedback.audit_id)
        .where(
            Feedback.team_id == manager.team_id,
            Feedback.worker_id != manager.id,
            Feedback.discussed_on.is_(None),
            audit_visibility(manager),
        )
    )


def _listed(waiting: Select[tuple[Feedback]]) -> list[Feedback]:
    return list(
        db.session.scalars(
            waiting.options(*_with_audit()).order_by(Feedback.due_on, Feedback.id).limit(LIMIT)
        ).unique()
    )


def to_acknowledge(worker: User) -> list[Feedback]:
    """Audits of the worker's work they have not acknowledged yet, the most urgent first."""
    return _listed(_waiting_acknowledgement(worker))


def any_to_acknowledge(worker: User) -> ColumnElement[bool]:
    """Whether :func:`to_acknowledge` has anything (SQL, for the home page's probe)."""
    return _waiting_acknowledgement(worker).with_only_columns(Feedback.id).exists()


def to_discuss(manager: User) -> list[Feedback]:
    """Feedback in a team manager's or deputy's team not yet discussed in supervision."""
    waiting = _waiting_discussion(manager)
    return [] if waiting is None else _listed(waiting)


def any_to_discuss(manager: User) -> ColumnElement[bool] | bool:
    """Whether :func:`to_discuss` has anything (SQL, or False when it never has)."""
    waiting = _waiting_discussion(manager)
    return False if waiting is None else waiting.with_only_columns(Feedback.id).exists()

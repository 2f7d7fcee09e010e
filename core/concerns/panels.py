"""Concerns on the audit's page and on the home pages of those who must answer them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from core.audits import panels
from core.concerns import workflow
from core.concerns.scope import RESPONDER_ROLES, concern_visibility, responsibility
from core.extensions import db
from core.models import Audit, Concern, ConcernResponse, User

#: How many waiting concerns the home page lists before "see all".
HOME_LIMIT = 10


def _loaded() -> list:  # type: ignore[type-arg]
    return [selectinload(Concern.responses), selectinload(Concern.escalation)]


def _any_on(audit: Audit, user: User) -> ColumnElement[bool]:
    return exists().where(Concern.audit_id == audit.id, concern_visibility(user))


@panels.audit_panel(order=5, probe=_any_on)
def audit_concerns(audit: Audit, user: User) -> panels.Panel | None:
    """The concerns raised on this audit that this user may read."""
    concerns = db.session.scalars(
        select(Concern)
        .where(Concern.audit_id == audit.id, concern_visibility(user))
        .options(*_loaded())
        .order_by(Concern.id)
    ).all()
    if not concerns:
        return None
    context = {"concerns": concerns, "today": workflow.today()}
    return panels.Panel("concerns/_audit_panel.html", context)


def _waiting(user: User) -> Select[tuple[Concern]]:
    """The concerns ``user`` may read that nobody has answered yet."""
    answered = exists().where(ConcernResponse.concern_id == Concern.id)
    return select(Concern).where(concern_visibility(user), ~answered)


def _anything_waiting(user: User) -> ColumnElement[bool] | bool:
    waiting = _waiting(user).with_only_columns(Concern.id).exists()
    if user.role not in RESPONDER_ROLES:
        return waiting
    return or_(waiting, select(Concern.id).where(responsibility(user)).exists())


@panels.home_section(order=5, probe=_anything_waiting)
def waiting_concerns(user: User) -> panels.Panel | None:
    """Managers: the concerns they must answer. Anyone: those they raised, until answered."""
    waiting = _waiting(user)
    concerns = db.session.scalars(
        waiting.options(*_loaded()).order_by(Concern.due_on, Concern.id).limit(HOME_LIMIT)
    ).all()
    responder = user.role in RESPONDER_ROLES
    in_scope = 0
    if responder:
        in_scope = (
            db.session.scalar(select(func.count(Concern.id)).where(responsibility(user))) or 0
        )
    if not concerns and not in_scope:
        return None
    total = db.session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    return panels.Panel(
        "concerns/_home.html",
        {
            "concerns": concerns,
            "total": total,
            "responder": responder,
            "today": workflow.today(),
        },
    )

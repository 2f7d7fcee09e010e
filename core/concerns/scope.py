"""Who sees a safeguarding concern, who answers it, and who is told about it.

A concern belongs to the team and service of the case it is about (see
:class:`~core.models.Concern`). Its managers, the Safeguarding and Quality
Assurance service (independent reviewers) and senior managers see it and may
record a response; whoever raised it sees it too, to know it was acted on.
Everyone else gets a 404, as for any other record out of their scope.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from core.access import SEES_EVERYTHING, Permission, has_permission
from core.extensions import db
from core.models import Concern, Role, Service, User

#: The roles that answer concerns and see the escalation page (within their scope).
RESPONDER_ROLES = {
    Role.TEAM_MANAGER,
    Role.DEPUTY_TEAM_MANAGER,
    Role.SERVICE_MANAGER,
    Role.INDEPENDENT_REVIEWER,
    Role.SENIOR_MANAGER,
}
TEAM_ROLES = {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER}


def responsibility(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Concern``: the concerns ``user`` is responsible for answering."""
    if user.role in SEES_EVERYTHING:
        return true()
    if user.role is Role.SERVICE_MANAGER and user.service_id is not None:
        return Concern.service_id == user.service_id
    if user.role in TEAM_ROLES and user.team_id is not None:
        return Concern.team_id == user.team_id
    return false()


def concern_visibility(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Concern``: the concerns ``user`` may read."""
    if not has_permission(user, Permission.VIEW_CASES):
        return false()
    return or_(Concern.raised_by_id == user.id, responsibility(user))


def can_view_concern(user: User, concern: Concern) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(Concern.id == concern.id, concern_visibility(user)))
        )
    )


def can_respond(user: User, concern: Concern) -> bool:
    """Managers, QA and senior managers responsible for the concern record responses."""
    if user.role not in RESPONDER_ROLES or not has_permission(user, Permission.VIEW_CASES):
        return False
    return bool(
        db.session.scalar(select(exists().where(Concern.id == concern.id, responsibility(user))))
    )


def managers_of(concern: Concern) -> list[User]:
    """Told when a concern is raised: the team's managers and deputies (a deputy covers an
    absent manager, and the response is due within a working day) and the service's
    service managers. Active staff only."""
    team_managers = (User.role.in_(TEAM_ROLES)) & (User.team_id == concern.team_id)
    service_managers = (User.role == Role.SERVICE_MANAGER) & (User.service_id == concern.service_id)
    condition = or_(team_managers, service_managers) if concern.team_id else service_managers
    return list(
        db.session.scalars(select(User).where(User.active.is_(True), condition).order_by(User.id))
    )


def senior_managers_of(concern: Concern) -> list[User]:
    """Told when a concern is escalated: there is no head-of-service role, so the senior
    managers of the concern's directorate, that is, every active senior manager not tied
    to a service in another directorate."""
    directorate_id = db.session.scalar(
        select(Service.directorate_id).where(Service.id == concern.service_id)
    )
    in_directorate = select(Service.id).where(Service.directorate_id == directorate_id)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.role == Role.SENIOR_MANAGER,
                or_(User.service_id.is_(None), User.service_id.in_(in_directorate)),
            )
            .order_by(User.id)
        )
    )

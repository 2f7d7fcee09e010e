"""Which parts of the council a user may report on.

Keys are ``all``, ``directorate-<id>``, ``service-<id>`` and ``team-<id>``.
Managers report on what they manage; independent reviewers, senior managers
and analysts on any part of the council.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core import setup_cache
from core.extensions import db
from core.models import Directorate, Role, Service, Team, User

WHOLE_COUNCIL_ROLES = {Role.SENIOR_MANAGER, Role.INDEPENDENT_REVIEWER, Role.PERFORMANCE_ANALYST}


@dataclass(frozen=True)
class Scope:
    key: str
    label: str
    directorate_id: int | None = None
    service_id: int | None = None
    team_id: int | None = None
    #: Services whose tool switches decide which sections appear.
    service_ids: tuple[int, ...] = ()


def _service_scope(service_id: int, name: str) -> Scope:
    return Scope(f"service-{service_id}", name, service_id=service_id, service_ids=(service_id,))


def _team_scope(team_id: int, name: str, service_id: int, service_name: str) -> Scope:
    return Scope(
        f"team-{team_id}",
        f"{name} ({service_name})",
        team_id=team_id,
        service_ids=(service_id,),
    )


def scopes_for(user: User) -> list[Scope]:
    """Every scope ``user`` may choose, broadest first.

    They are read from the council's organisation, part of its set-up: each worker keeps
    them until it changes (``core.setup_cache``), for every user who may choose the same."""
    if user.role in WHOLE_COUNCIL_ROLES:
        key: tuple[object, ...] = ("whole council",)
    elif user.role is Role.SERVICE_MANAGER:
        key = ("service", user.service_id)
    elif user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER}:
        key = ("team", user.team_id)
    else:
        return []
    return list(setup_cache.kept(("report scopes", *key), lambda: _scopes_for(user)))


def _scopes_for(user: User) -> tuple[Scope, ...]:
    # Columns, not objects: a council has a hundred and more teams, and the page only
    # needs their ids and names.
    if user.role in WHOLE_COUNCIL_ROLES:
        services = db.session.execute(
            select(Service.id, Service.name, Service.directorate_id).order_by(Service.name)
        ).all()
        scopes = [Scope("all", "Whole council", service_ids=tuple(s.id for s in services))]
        directorates = db.session.execute(
            select(Directorate.id, Directorate.name).order_by(Directorate.name)
        )
        for directorate_id, name in directorates:
            scopes.append(
                Scope(
                    f"directorate-{directorate_id}",
                    name,
                    directorate_id=directorate_id,
                    service_ids=tuple(s.id for s in services if s.directorate_id == directorate_id),
                )
            )
        scopes += [_service_scope(s.id, s.name) for s in services]
        return (*scopes, *_team_scopes(None))
    if user.role is Role.SERVICE_MANAGER and user.own_service is not None:
        service = user.own_service
        return (_service_scope(service.id, service.name), *_team_scopes(service.id))
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER} and user.team is not None:
        team = user.team
        return (_team_scope(team.id, team.name, team.service_id, team.service.name),)
    return ()


def _team_scopes(service_id: int | None) -> list[Scope]:
    """Every team's scope (``service_id``: of that service only), by service and name."""
    statement = (
        select(Team.id, Team.name, Team.service_id, Service.name)
        .join(Service, Service.id == Team.service_id)
        .order_by(Service.name, Team.name)
    )
    if service_id is not None:
        statement = statement.where(Team.service_id == service_id)
    return [_team_scope(*row) for row in db.session.execute(statement)]

"""Which parts of the council a user may report on.

Keys are ``all``, ``directorate-<id>``, ``service-<id>`` and ``team-<id>``.
Managers report on what they manage; independent reviewers, senior managers
and analysts on any part of the council.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core import memo
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


def _service_scope(service: Service) -> Scope:
    return Scope(
        f"service-{service.id}", service.name, service_id=service.id, service_ids=(service.id,)
    )


def _team_scope(team: Team) -> Scope:
    return Scope(
        f"team-{team.id}",
        f"{team.name} ({team.service.name})",
        team_id=team.id,
        service_ids=(team.service_id,),
    )


def scopes_for(user: User) -> list[Scope]:
    """Every scope ``user`` may choose, broadest first.

    A report page asks twice (the form's choices, the chosen scope): the answer is kept
    for the rest of the transaction (``core.memo``)."""
    return list(memo.remember(("report scopes", user.id), lambda: _scopes_for(user)))


def _scopes_for(user: User) -> tuple[Scope, ...]:
    if user.role in WHOLE_COUNCIL_ROLES:
        services = db.session.scalars(select(Service).order_by(Service.name)).all()
        scopes = [Scope("all", "Whole council", service_ids=tuple(s.id for s in services))]
        for directorate in db.session.scalars(select(Directorate).order_by(Directorate.name)):
            scopes.append(
                Scope(
                    f"directorate-{directorate.id}",
                    directorate.name,
                    directorate_id=directorate.id,
                    # From the list above, not one query per directorate.
                    service_ids=tuple(
                        s.id for s in services if s.directorate_id == directorate.id
                    ),
                )
            )
        scopes += [_service_scope(s) for s in services]
        teams = db.session.scalars(select(Team).join(Service).order_by(Service.name, Team.name))
        scopes += [_team_scope(t) for t in teams]
        return tuple(scopes)
    if user.role is Role.SERVICE_MANAGER and user.own_service is not None:
        service = user.own_service
        return (_service_scope(service), *(_team_scope(t) for t in service.teams))
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER} and user.team is not None:
        return (_team_scope(user.team),)
    return ()

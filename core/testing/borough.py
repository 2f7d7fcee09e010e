"""A small council for tests: directorates, services, teams, a user of every role, cases.

All data is synthetic. Every user's password is :data:`PASSWORD`; each user's email is
``<key>@test.example`` for the keys of :attr:`Borough.users`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.cases.categories import ensure_defaults
from core.extensions import db
from core.models import Case, CaseCategory, Directorate, Role, Service, Team, User
from core.passwords import hash_password
from core.tools.registry import get_registry

#: Every borough user's password.
PASSWORD = "correct horse battery"


@dataclass
class Borough:
    """What :func:`build_borough` made, by name (``borough.cin``, ``borough.user("iro")``).

    Users by key: admin, senior, service_manager (Children in Need), team_manager and
    deputy (CIN North), south_manager, care_manager, iro (the independent reviewer / QA
    officer), worker (CIN North), other_worker (CIN South), analyst. Cases by key: cin,
    cp, south, lac, closed (Children in Need, closed) and adult."""

    children: Directorate
    adults: Directorate
    cin: Service  # Children in Need
    cic: Service  # Children in Care
    older: Service  # Older People's Social Work (adults)
    north: Team  # in Children in Need
    south: Team  # in Children in Need
    care: Team  # in Children in Care
    older_team: Team
    users: dict[str, User] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)

    def user(self, key: str) -> User:
        """The user called ``key`` (see the class docstring)."""
        return self.users[key]


def make_user(
    key: str, role: Role, team: Team | None = None, service: Service | None = None
) -> User:
    """Add a user called ``key`` (email ``<key>@test.example``, password PASSWORD)."""
    user = User(
        name=key.replace("_", " ").title(),
        email=f"{key}@test.example",
        role=role,
        team=team,
        own_service=service,
        password_hash=hash_password(PASSWORD),
    )
    db.session.add(user)
    return user


def make_case(
    reference: str,
    team: Team,
    category: CaseCategory,
    worker: User | None = None,
    is_open: bool = True,
) -> Case:
    """Add a case in ``team`` (initials AB)."""
    case = Case(
        reference=reference,
        initials="AB",
        service_id=team.service_id,
        team_id=team.id,
        allocated_worker=worker,
        category=category,
        is_open=is_open,
    )
    db.session.add(case)
    return case


def build_borough(children_audit_on: bool = True) -> Borough:
    """Build and commit the council (see :class:`Borough`); the children's audit is
    switched on for both children's services unless ``children_audit_on`` is False."""
    directorates = ensure_defaults()
    children, adults = directorates["children"], directorates["adults"]
    cin = Service(name="Children in Need", directorate=children)
    cic = Service(name="Children in Care", directorate=children)
    older = Service(name="Older People’s Social Work", directorate=adults)
    north = Team(name="CIN North", service=cin)
    south = Team(name="CIN South", service=cin)
    care = Team(name="CIC Team A", service=cic)
    older_team = Team(name="Older People North", service=older)
    db.session.add_all([cin, cic, older, north, south, care, older_team])
    db.session.flush()
    b = Borough(children, adults, cin, cic, older, north, south, care, older_team)
    b.users = {
        "admin": make_user("admin", Role.ADMINISTRATOR),
        "senior": make_user("senior", Role.SENIOR_MANAGER),
        "service_manager": make_user("service_manager", Role.SERVICE_MANAGER, service=cin),
        "team_manager": make_user("team_manager", Role.TEAM_MANAGER, team=north),
        "deputy": make_user("deputy", Role.DEPUTY_TEAM_MANAGER, team=north),
        "south_manager": make_user("south_manager", Role.TEAM_MANAGER, team=south),
        "care_manager": make_user("care_manager", Role.TEAM_MANAGER, team=care),
        "iro": make_user("iro", Role.INDEPENDENT_REVIEWER),
        "worker": make_user("worker", Role.SOCIAL_WORKER, team=north),
        "other_worker": make_user("other_worker", Role.SOCIAL_WORKER, team=south),
        "analyst": make_user("analyst", Role.PERFORMANCE_ANALYST),
    }
    db.session.flush()
    b.cases = {
        "cin": make_case("C100001", north, CaseCategory.CHILD_IN_NEED, b.users["worker"]),
        "cp": make_case("C100002", north, CaseCategory.CHILD_PROTECTION, b.users["worker"]),
        "south": make_case("C200001", south, CaseCategory.CHILD_IN_NEED, b.users["other_worker"]),
        "lac": make_case("C300001", care, CaseCategory.LOOKED_AFTER),
        "closed": make_case(
            "C100009", north, CaseCategory.CHILD_IN_NEED, b.users["worker"], is_open=False
        ),
        "adult": make_case("A400001", older_team, CaseCategory.ADULT_CARE_AND_SUPPORT),
    }
    if children_audit_on:
        registry = get_registry()
        for service in (cin, cic):
            registry.set_switch("children_audit", service.id, True)
    db.session.commit()
    return b

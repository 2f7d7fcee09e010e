"""Who may do what: permissions per role, and which rows each user may see.

Deny by default, twice over:

* every view declares the permission it needs with :func:`requires`; a
  ``before_request`` guard refuses any endpoint that declares none, and a test
  walks ``app.url_map`` to make sure none is missed;
* case-level data is filtered by :func:`case_visibility` and
  :func:`audit_visibility`, SQL conditions that each role's pages use.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm.interfaces import ORMOption

from core import memo
from core.extensions import db, login_manager
from core.models import Audit, AuditKind, AuditStatus, Case, Role, User
from core.models._types import constant
from core.moderation.blind import hidden_from

F = TypeVar("F", bound=Callable[..., object])


class Permission(StrEnum):
    #: Anyone, signed in or not (the sign-in page, static files).
    PUBLIC = "public"
    #: Any signed-in user (home page, sign out).
    SIGNED_IN = "signed_in"
    #: Pages about individual cases and audits (never analysts or administrators).
    VIEW_CASES = "view_cases"
    #: Starting and completing audits.
    CONDUCT_AUDITS = "conduct_audits"
    #: Aggregate reports.
    VIEW_REPORTS = "view_reports"
    #: Users, services, teams and tool switches.
    ADMINISTER = "administer"
    #: Running the audit programme: compliance, themed audits (population, sample, allocation).
    MANAGE_PROGRAMME = "manage_programme"
    #: Changing the audit rules (administrators; service managers for their service).
    EDIT_RULES = "edit_rules"
    #: Reading the evidence comments of audits in a report's scope (the narrative page):
    #: managers and leads, never analysts, who see aggregates only.
    VIEW_EVIDENCE_COMMENTS = "view_evidence_comments"
    #: Building, issuing and exporting committee reports (the leads: QA, service and
    #: senior managers).
    BUILD_COMMITTEE_REPORTS = "build_committee_reports"
    #: The Imports pages: administrators import everything; QA (independent reviewers)
    #: only past audits (``core.imports.views`` narrows the kinds).
    IMPORT_DATA = "import_data"


_AUDITOR = {Permission.SIGNED_IN, Permission.VIEW_CASES, Permission.CONDUCT_AUDITS}
_LEAD = {
    Permission.VIEW_REPORTS,
    Permission.MANAGE_PROGRAMME,
    Permission.VIEW_EVIDENCE_COMMENTS,
    Permission.BUILD_COMMITTEE_REPORTS,
}
#: Team managers read their team's comments on the narrative page, but build no pack.
_TEAM_LEAD = {Permission.VIEW_REPORTS, Permission.VIEW_EVIDENCE_COMMENTS}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(
        {Permission.SIGNED_IN, Permission.ADMINISTER, Permission.EDIT_RULES, Permission.IMPORT_DATA}
    ),
    Role.SENIOR_MANAGER: frozenset(_AUDITOR | _LEAD),
    Role.SERVICE_MANAGER: frozenset(_AUDITOR | _LEAD | {Permission.EDIT_RULES}),
    Role.TEAM_MANAGER: frozenset(_AUDITOR | _TEAM_LEAD),
    Role.DEPUTY_TEAM_MANAGER: frozenset(_AUDITOR | _TEAM_LEAD),
    # The Safeguarding and Quality Assurance service leads the audit system.
    Role.INDEPENDENT_REVIEWER: frozenset(_AUDITOR | _LEAD | {Permission.IMPORT_DATA}),
    # Social workers audit their own work (self-audit) and see audits of their cases.
    Role.SOCIAL_WORKER: frozenset(_AUDITOR),
    # Analysts see reports only, never a case-level page.
    Role.PERFORMANCE_ANALYST: frozenset({Permission.SIGNED_IN, Permission.VIEW_REPORTS}),
}

#: The kind of audit each role carries out.
ROLE_AUDIT_KIND: dict[Role, AuditKind] = {
    Role.TEAM_MANAGER: AuditKind.LINE_MANAGEMENT,
    Role.DEPUTY_TEAM_MANAGER: AuditKind.LINE_MANAGEMENT,
    Role.SERVICE_MANAGER: AuditKind.LINE_MANAGEMENT,
    Role.INDEPENDENT_REVIEWER: AuditKind.INDEPENDENT,
    Role.SENIOR_MANAGER: AuditKind.SENIOR_SAMPLE,
    Role.SOCIAL_WORKER: AuditKind.SELF_AUDIT,
}

SEES_EVERYTHING = {Role.INDEPENDENT_REVIEWER, Role.SENIOR_MANAGER}


def requires(permission: Permission) -> Callable[[F], F]:
    """Declare the permission a view needs. Enforced by :func:`enforce_permissions`."""

    def decorate(view: F) -> F:
        view.required_permission = permission  # type: ignore[attr-defined]
        return view

    return decorate


def has_permission(user: User, permission: Permission) -> bool:
    if permission is Permission.PUBLIC:
        return True
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def enforce_permissions() -> object | None:
    """``before_request``: refuse endpoints that declare no permission, or the wrong one."""
    if request.endpoint is None:  # no route matched: let Flask answer 404/405
        return None
    view = current_app.view_functions.get(request.endpoint)
    permission = getattr(view, "required_permission", None)
    if permission is None:
        current_app.logger.error("endpoint %s declares no permission", request.endpoint)
        abort(403)
    if permission is Permission.PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not has_permission(current_user, permission):
        abort(403)
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce_permissions)
    # Static files are public; declared here because Flask adds the view itself.
    static_view = app.view_functions.get("static")
    if static_view is not None:
        requires(Permission.PUBLIC)(static_view)


# -- row-level visibility -----------------------------------------------------


def case_visibility(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Case``: the case files ``user`` may see."""
    if user.role in SEES_EVERYTHING:
        return true()
    if user.role is Role.SERVICE_MANAGER and user.service_id is not None:
        return Case.service_id == user.service_id
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER} and user.team_id is not None:
        return Case.team_id == user.team_id
    if user.role is Role.SOCIAL_WORKER:
        return Case.allocated_worker_id == user.id
    return false()


def audit_visibility(user: User | Who) -> ColumnElement[bool]:
    """SQL condition on ``Audit``: the audits ``user`` may read.

    A draft is visible to its auditor only: it is work in progress. A moderator does
    not see the line audit they moderate until their own audit of the file is
    submitted (blind moderation, ``core.moderation.blind``).
    """
    return _audit_visibility(*(user if isinstance(user, Who) else who(user)))


# SQL expressions are immutable, so one built for a user's id, role and place serves every
# request of theirs (building it costs more than running the query it filters).
@lru_cache(maxsize=4096)
def _audit_visibility(
    user_id: int, role: Role, team_id: int | None, service_id: int | None
) -> ColumnElement[bool]:
    user = Who(user_id, role, team_id, service_id)
    return and_(_audit_visibility_by_role(user), Audit.id.not_in(hidden_from(user)))  # type: ignore[arg-type]


class Who(NamedTuple):
    """What the visibility rules read of a user: the key under which SQL built for a
    user's rules is kept across requests (here, and the home page's probes)."""

    id: int
    role: Role
    team_id: int | None
    service_id: int | None


def who(user: User) -> Who:
    return Who(user.id, user.role, user.team_id, user.service_id)


#: Written into the SQL, so PostgreSQL can plan the statements that filter on it once per
#: connection for every user (``core.models._types.constant``).
_SUBMITTED = constant(AuditStatus.SUBMITTED)


def _audit_visibility_by_role(user: User | Who) -> ColumnElement[bool]:
    own = or_(
        Audit.auditor_id == user.id,
        # The member of staff whose work was audited (e.g. supervision) sees the result.
        (Audit.subject_user_id == user.id) & (Audit.status == _SUBMITTED),
        # So does the worker who held the case when it was audited, after it has moved
        # on: the audit is fed back to them to read and reply to (core.feedback).
        (Audit.worker_id == user.id) & (Audit.status == _SUBMITTED),
    )
    submitted = Audit.status == _SUBMITTED
    if user.role in SEES_EVERYTHING:
        return or_(own, submitted)
    if user.role is Role.SERVICE_MANAGER and user.service_id is not None:
        return or_(own, submitted & (Audit.service_id == user.service_id))
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER} and user.team_id is not None:
        return or_(own, submitted & (Audit.team_id == user.team_id))
    if user.role is Role.SOCIAL_WORKER:
        own_cases = select(Case.id).where(Case.allocated_worker_id == user.id)
        return or_(own, submitted & Audit.case_id.in_(own_cases))
    return false()


def visible_case(user: User, case_id: int, *options: ORMOption) -> Case | None:
    """The case, if it exists and ``user`` may see it: the row and the rule in one
    statement (a page's first question, so a round trip saved on every case page)."""
    if not has_permission(user, Permission.VIEW_CASES):
        return None
    return db.session.scalar(
        select(Case).where(Case.id == case_id, case_visibility(user)).options(*options)
    )


def visible_audit(user: User, audit_id: int, *options: ORMOption) -> Audit | None:
    """The audit, if it exists and ``user`` may see it, in one statement."""
    if not has_permission(user, Permission.VIEW_CASES):
        return None
    statement = _visible_audit_statement(who(user), options)
    audit = db.session.scalar(statement, {"audit_id": audit_id})
    if audit is not None:
        # The page's panels ask again (may this user follow it up?): already answered.
        memo.remembered()[_visible_key(user, audit.id)] = True
    return audit


# The statement too, for each user and set of loader options (the callers' constants):
# built afresh, its construction and cache key cost a third of its time (issue 12).
@lru_cache(maxsize=4096)
def _visible_audit_statement(user: Who, options: tuple[ORMOption, ...]) -> Select[tuple[Audit]]:
    return (
        select(Audit)
        .where(Audit.id == bindparam("audit_id"), _audit_visibility(*user))
        .options(*options)
    )


def can_view_audit(user: User, audit: Audit) -> bool:
    if not has_permission(user, Permission.VIEW_CASES):
        return False
    return memo.remember(
        _visible_key(user, audit.id),
        lambda: bool(
            db.session.scalar(select(exists().where(Audit.id == audit.id, audit_visibility(user))))
        ),
    )


def _visible_key(user: User, audit_id: int) -> tuple[str, int, int]:
    return ("audit visible", user.id, audit_id)


#: Staff whose supervision record a service manager audits: team managers' supervisees.
SUPERVISEE_ROLES = {Role.SOCIAL_WORKER, Role.DEPUTY_TEAM_MANAGER}


def staff_visibility(user: User) -> ColumnElement[bool]:
    """SQL condition on ``User``: staff whose records ``user`` may audit or look up."""
    from core.models import Team

    if user.role in SEES_EVERYTHING:
        return true()
    if user.role is Role.SERVICE_MANAGER and user.service_id is not None:
        return User.team_id.in_(select(Team.id).where(Team.service_id == user.service_id))
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER} and user.team_id is not None:
        return User.team_id == user.team_id
    return User.id == user.id


def staff_audit_kind_for(user: User, staff: User) -> AuditKind | None:
    """The kind of audit ``user`` may start on ``staff``'s record, or None.

    Service managers audit the supervision of team managers' supervisees in
    their service; senior managers may sample anyone's.
    """
    if staff.id == user.id or staff.role not in SUPERVISEE_ROLES or not staff.active:
        return None
    if user.role is Role.SERVICE_MANAGER:
        service = staff.service
        if service is not None and service.id == user.service_id:
            return AuditKind.LINE_MANAGEMENT
        return None
    if user.role is Role.SENIOR_MANAGER:
        return AuditKind.SENIOR_SAMPLE
    return None


def audit_kind_for(user: User, case: Case) -> AuditKind | None:
    """The kind of audit ``user`` may start on ``case``, or None if they may not.

    Line managers audit within their own team or service; independent
    reviewers and senior managers anywhere; social workers their own cases.
    """
    if not has_permission(user, Permission.CONDUCT_AUDITS):
        return None
    kind = ROLE_AUDIT_KIND.get(user.role)
    if kind is None:
        return None
    if user.role in SEES_EVERYTHING:
        return kind
    if user.role is Role.SERVICE_MANAGER:
        return kind if case.service_id == user.service_id else None
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER}:
        return kind if case.team_id == user.team_id else None
    if user.role is Role.SOCIAL_WORKER:
        return kind if case.allocated_worker_id == user.id else None
    return None

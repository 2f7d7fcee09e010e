"""Finding a case file and seeing its audits."""

from __future__ import annotations

import secrets
from functools import lru_cache

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from core.access import (
    SEES_EVERYTHING,
    Permission,
    Who,
    audit_kind_for,
    audit_visibility,
    case_visibility,
    requires,
    visible_case,
    who,
)
from core.extensions import db
from core.models import Audit, Case, CaseAssignment, Category, Referral, Service, Team, User
from core.models.users import USER_SHOWN
from core.moderation.blind import moderating_blind
from core.tools.info import Subject
from core.tools.registry import get_registry
from core.trail import record_view
from core.trail.search import CASE_HISTORY_LIMIT, case_history

bp = Blueprint("cases", __name__, url_prefix="/cases")

PAGE_SIZE = 25


#: What the case page shows of the case, loaded with it rather than a statement each.
SHOWN = (
    joinedload(Case.service).joinedload(Service.directorate),
    joinedload(Case.allocated_worker).load_only(*USER_SHOWN),  # named on the page
)
#: The case page lists this many of the case's latest audits, and links to all of them.
CASE_AUDITS_SHOWN = 10

#: Who held the case when (the case list import records each change), latest first.
_HISTORY = (
    select(CaseAssignment, Category.label)
    .outerjoin(Category, Category.code == CaseAssignment.category)
    .where(CaseAssignment.case_id == bindparam("case_id"))
    .options(
        joinedload(CaseAssignment.team),
        joinedload(CaseAssignment.worker).load_only(*USER_SHOWN),
    )
    .order_by(CaseAssignment.started_on.desc(), CaseAssignment.id.desc())
)
#: The child's referrals (the re-referral themed audit's data), latest first.
_REFERRALS = (
    select(Referral)
    .where(Referral.case_id == bindparam("case_id"))
    .order_by(Referral.referral_date.desc())
)


@bp.route("/")
@requires(Permission.VIEW_CASES)
def find() -> str:
    """Search the case files this user may see, by reference or team."""
    query = (request.args.get("q") or "").strip()
    team_id = request.args.get("team", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    statement = select(Case).where(case_visibility(current_user))
    if query:
        statement = statement.where(func.upper(Case.reference).contains(query.upper()))
    if team_id:
        statement = statement.where(Case.team_id == team_id)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    cases = db.session.scalars(
        statement.options(joinedload(Case.allocated_worker))  # shown on each row
        .order_by(Case.is_open.desc(), Case.reference)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    teams = db.session.scalars(
        select(Team)
        .where(Team.id.in_(select(Case.team_id).where(case_visibility(current_user))))
        .order_by(Team.name)
    ).all()
    return render_template(
        "cases/find.html",
        cases=cases,
        query=query,
        team_id=team_id,
        teams=teams,
        page=page,
        total=total,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
    )


@bp.route("/<int:case_id>")
@requires(Permission.VIEW_CASES)
def show(case_id: int) -> str:
    # Not found and not allowed look the same, so references cannot be probed.
    case = visible_case(current_user, case_id, *SHOWN) or abort(404)
    record_view("case.viewed", case, summary=f"Viewed case {case.reference}")
    audits, audits_in_all = _audits_of(case, every=request.args.get("audits") == "all")
    registry = get_registry()
    kind = audit_kind_for(current_user, case) if case.is_open else None
    directorate_tools = [
        tool
        for tool in registry.for_directorate(case.service.directorate.code)
        if tool.subject == Subject.CASE
    ]
    enabled = {tool.slug for tool in registry.enabled_for(case.service_id)}
    # Who held the case when: the case list import records each change.
    history = db.session.execute(_HISTORY, {"case_id": case.id}).all()
    referrals = db.session.scalars(_REFERRALS, {"case_id": case.id}).all()
    return render_template(
        "cases/show.html",
        case=case,
        audits=audits,
        audits_in_all=audits_in_all,
        history=history,
        referrals=referrals,
        kind=kind,
        tools=[(tool, tool.slug in enabled) for tool in directorate_tools],
        token=secrets.token_urlsafe(24),
        # Who has looked at this case: for senior managers and QA (independent reviewers),
        # but not to a moderator while they moderate an audit of it blind (its entries
        # would tell them about the line audit).
        case_history=case_history(case.id)
        if current_user.role in SEES_EVERYTHING and not moderating_blind(current_user, case.id)
        else None,
        case_history_limit=CASE_HISTORY_LIMIT,
    )


def _audits_of(case: Case, every: bool) -> tuple[list[Audit], int]:
    """The case's audits the user may read, latest first: the latest ``CASE_AUDITS_SHOWN``
    unless ``every``, and how many there are in all.

    A case audited every month for years lists them all only when asked, so the page does
    not slow down as the council's history grows (issue 12). The count comes with the rows
    (a window over every row before the limit), not from a second statement.
    """
    rows = db.session.execute(_case_audits(who(current_user), every), {"case_id": case.id}).all()
    return [audit for audit, _ in rows], rows[0][1] if rows else 0


# Built once for each user's rules and kept: building it cost more than running it.
@lru_cache(maxsize=4096)
def _case_audits(user: Who, every: bool) -> Select[tuple[Audit, int]]:
    # The case's audits are found first, by the case alone: given the user's visibility
    # rule with them, PostgreSQL read every audit of the user's team to intersect them,
    # more as the team's history grew. (MATERIALIZED keeps it from merging the two.)
    of_case = (
        select(Audit.id)
        .where(Audit.case_id == bindparam("case_id"))
        .cte("of_case")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return (
        select(Audit, func.count().over())
        .where(Audit.id.in_(select(of_case.c.id)), audit_visibility(user))
        .options(joinedload(Audit.auditor).load_only(User.id, User.name))  # its name, listed
        .order_by(Audit.created_at.desc(), Audit.id.desc())
        .limit(None if every else CASE_AUDITS_SHOWN)
    )

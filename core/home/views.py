"""The home page: what this user has to do, by role."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Subquery,
    bindparam,
    select,
    union_all,
)
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from core import postgres
from core.access import Permission, Who, audit_visibility, has_permission, requires, who
from core.audits import panels
from core.extensions import db
from core.models import Allocation, AllocationStatus, Audit, AuditStatus, Case, Role, User
from core.models._types import constant, utcnow

bp = Blueprint("home", __name__)

RECENT = 20
#: How far back the "audits of your work" list looks first (``_own_and_about_my_work``).
RECENT_WINDOW = timedelta(days=365)

#: What an audit list shows of each audit (``_macros.audit_table``): its case's reference
#: and the names of its subject and auditor, loaded with it rather than one row at a time,
#: and no more of them (a user's row is wide, and PostgreSQL read every user to join them).
_CASE = joinedload(Audit.case).load_only(Case.id, Case.reference).lazyload(Case.category_record)
_SUBJECT = joinedload(Audit.subject_user).load_only(User.id, User.name)
LISTED = (_CASE, _SUBJECT, joinedload(Audit.auditor).load_only(User.id, User.name))
#: The user's own drafts and submissions: the same without the auditor, whom the lists do
#: not show (one table fewer for PostgreSQL to plan the join of, on every view).
OWN_LISTED = (_CASE, _SUBJECT)


# Constants written into the SQL rather than bound: PostgreSQL then plans these statements
# once per connection (a generic plan knows the status and the limit), where with them
# bound it planned them afresh on every view.
_RECENT_INLINE = constant(RECENT)
_DRAFT = constant(AuditStatus.DRAFT)
_SUBMITTED_STATUS = constant(AuditStatus.SUBMITTED)

# The page's statements, built once and run with the user's values bound: built afresh,
# a statement and its cache key cost as much as running it (issue 12).
_DRAFTS = (
    select(Audit)
    .where(Audit.auditor_id == bindparam("user_id"), Audit.status == _DRAFT)
    .options(*OWN_LISTED)
    .order_by(Audit.updated_at.desc())
)
_SUBMITTED = (
    select(Audit)
    .where(Audit.auditor_id == bindparam("user_id"), Audit.status == _SUBMITTED_STATUS)
    .options(*OWN_LISTED)
    .order_by(Audit.submitted_at.desc())
    .limit(_RECENT_INLINE)
)
_ALLOCATED = (
    select(Allocation)
    .where(
        Allocation.auditor_id == bindparam("user_id"),
        Allocation.status == AllocationStatus.ALLOCATED,
    )
    .options(joinedload(Allocation.case))
    .order_by(Allocation.due_date, Allocation.id)
)
_LISTED_BY_ID = (
    select(Audit)
    .where(Audit.id.in_(bindparam("ids", expanding=True)))
    .options(*LISTED)
    .order_by(Audit.submitted_at.desc(), Audit.id.desc())
)


@bp.route("/")
@requires(Permission.SIGNED_IN)
def index() -> str | Response:
    user = current_user
    if user.role is Role.ADMINISTRATOR:
        return redirect(url_for("admin.index"))
    if not has_permission(user, Permission.VIEW_CASES):
        return redirect(url_for("reports.report"))
    mine = {"user_id": user.id}
    about_my_cases: list[Audit] = []
    if user.role is Role.SOCIAL_WORKER:
        drafts, submitted, about_my_cases = _own_and_about_my_work(user)
    else:
        drafts = db.session.scalars(_DRAFTS, mine).all()
        submitted = db.session.scalars(_SUBMITTED, mine).all()
    allocated = db.session.scalars(_ALLOCATED, mine).all()
    return render_template(
        "home/index.html",
        drafts=drafts,
        submitted=submitted,
        about_my_cases=about_my_cases,
        allocated=allocated,
        today=date.today(),
        token=secrets.token_urlsafe(16),
        panels=panels.for_home(user),
    )


#: What each id the social worker's first statement finds is listed under.
_DRAFT_LIST, _SUBMITTED_LIST, _ABOUT_LIST = 0, 1, 2
#: How many of each list the page shows, in the page's order (every draft).
_SHOWN = {_DRAFT_LIST: None, _SUBMITTED_LIST: RECENT, _ABOUT_LIST: RECENT}


def _own_and_about_my_work(worker: User) -> tuple[list[Audit], list[Audit], list[Audit]]:
    """A social worker's drafts, latest submissions, and others' latest audits of their
    cases or of them (feedback on their work): the ids of all three found in one
    statement, then the audits in one more (four statements before, issue 12).

    Others' audits are found apart and then merged: asked as one OR, PostgreSQL read
    every audit the council had ever submitted to find them (issue 12). They are looked
    for among the last ``RECENT_WINDOW`` of submissions first, a short range of each
    case's audits (migration 0025), and in all of them only when that finds fewer than
    ``RECENT``: if it finds ``RECENT``, no older audit could be among the latest.
    """
    # From the start of the day, as submitted_at is stored (UTC): a date written into the
    # SQL, so PostgreSQL can plan the statement once a day rather than on every view.
    since = (utcnow() - RECENT_WINDOW).date()
    # The statement's generic plan runs as fast as a plan made for the values, and
    # PostgreSQL would otherwise plan it afresh on every view: 0.4-0.8 ms of planning
    # at each (issue 12).
    with postgres.generic_plan(db.session):
        rows = db.session.execute(_own_and_about_statement(who(worker), since)).all()
        found: dict[int, list[tuple[int, datetime | None]]] = {listed: [] for listed in _SHOWN}
        for audit_id, at, listed in rows:
            found[listed].append((audit_id, at))
        if len(found[_ABOUT_LIST]) < RECENT:
            found[_ABOUT_LIST] = list(db.session.execute(_about_statement(who(worker), None)))
        lists = [
            [audit_id for audit_id, _ in _newest(found[listed])[:shown]]
            for listed, shown in _SHOWN.items()
        ]
        wanted = {audit_id for ids in lists for audit_id in ids}
        loaded = (
            {a.id: a for a in db.session.scalars(_LISTED_BY_ID, {"ids": sorted(wanted)})}
            if wanted
            else {}
        )
    drafts, submitted, about = ([loaded[i] for i in ids if i in loaded] for ids in lists)
    return drafts, submitted, about


def _newest(found: list[tuple[int, datetime | None]]) -> list[tuple[int, datetime | None]]:
    """Latest first (an audit found twice, once), undated ones last."""
    return sorted(set(found), key=lambda row: (row[1] is not None, row[1], row[0]), reverse=True)


@lru_cache(maxsize=4096)
def _own_and_about_statement(worker: Who, since: date) -> CompoundSelect:
    """The ids of the worker's drafts (with when each was last saved), of their latest
    ``RECENT`` submissions, and of others' latest audits of their work submitted on or
    after ``since`` (with when each was submitted), each with the list it belongs in."""
    drafts = select(Audit.id, Audit.updated_at, constant(_DRAFT_LIST).label("listed")).where(
        Audit.auditor_id == worker.id, Audit.status == _DRAFT
    )
    submitted = (
        select(Audit.id, Audit.submitted_at, constant(_SUBMITTED_LIST).label("listed"))
        .where(Audit.auditor_id == worker.id, Audit.status == _SUBMITTED_STATUS)
        .order_by(Audit.submitted_at.desc())
        .limit(_RECENT_INLINE)
        .subquery()
    )
    about = _about_statement(worker, since).subquery()
    return union_all(
        drafts,
        select(submitted.c.id, submitted.c.submitted_at, submitted.c.listed),
        select(about.c.id, about.c.submitted_at, constant(_ABOUT_LIST).label("listed")),
    )


@lru_cache(maxsize=4096)
def _about_statement(worker: Who, since: date | None) -> CompoundSelect:
    """The ids and submission times of the latest ``RECENT`` audits by others of the
    worker's cases, then of the worker (submitted on or after ``since``, if given)."""

    def latest(about: ColumnElement[bool]) -> Subquery:
        query = select(Audit.id, Audit.submitted_at).where(
            about, Audit.auditor_id != worker.id, audit_visibility(worker)
        )
        if since is not None:
            query = query.where(Audit.submitted_at >= constant(since))
        return query.order_by(Audit.submitted_at.desc()).limit(_RECENT_INLINE).subquery()

    my_cases = select(Case.id).where(Case.allocated_worker_id == worker.id)
    of_my_cases = latest(Audit.case_id.in_(my_cases))
    of_me = latest(Audit.subject_user_id == worker.id)
    return union_all(of_my_cases.select(), of_me.select())

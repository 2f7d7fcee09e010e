"""The home page: what this user has to do, by role."""

from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from core.access import Permission, audit_visibility, has_permission, requires
from core.audits import panels
from core.extensions import db
from core.models import Allocation, AllocationStatus, Audit, AuditStatus, Case, Role

bp = Blueprint("home", __name__)

RECENT = 20

#: What an audit list shows of each audit (``_macros.audit_table``), loaded with it rather
#: than one row at a time.
LISTED = (joinedload(Audit.case), joinedload(Audit.subject_user), joinedload(Audit.auditor))


@bp.route("/")
@requires(Permission.SIGNED_IN)
def index() -> str | Response:
    user = current_user
    if user.role is Role.ADMINISTRATOR:
        return redirect(url_for("admin.index"))
    if not has_permission(user, Permission.VIEW_CASES):
        return redirect(url_for("reports.report"))
    drafts = db.session.scalars(
        select(Audit)
        .where(Audit.auditor_id == user.id, Audit.status == AuditStatus.DRAFT)
        .options(*LISTED)
        .order_by(Audit.updated_at.desc())
    ).all()
    submitted = db.session.scalars(
        select(Audit)
        .where(Audit.auditor_id == user.id, Audit.status == AuditStatus.SUBMITTED)
        .options(*LISTED)
        .order_by(Audit.submitted_at.desc())
        .limit(RECENT)
    ).all()
    about_my_cases: list[Audit] = []
    if user.role is Role.SOCIAL_WORKER:
        # Feedback on their own work from managers and independent reviewers.
        my_cases = select(Case.id).where(Case.allocated_worker_id == user.id)
        about_my_cases = list(
            db.session.scalars(
                select(Audit)
                .where(
                    or_(Audit.case_id.in_(my_cases), Audit.subject_user_id == user.id),
                    Audit.auditor_id != user.id,
                    audit_visibility(user),
                )
                .options(*LISTED)
                .order_by(Audit.submitted_at.desc())
                .limit(RECENT)
            )
        )
    allocated = db.session.scalars(
        select(Allocation)
        .where(Allocation.auditor_id == user.id, Allocation.status == AllocationStatus.ALLOCATED)
        .options(joinedload(Allocation.case))
        .order_by(Allocation.due_date, Allocation.id)
    ).all()
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

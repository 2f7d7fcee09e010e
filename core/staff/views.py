"""Staff records: audits about a member of staff, such as their supervision."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import exists, func, select
from werkzeug.wrappers import Response

from core.access import (
    SUPERVISEE_ROLES,
    Permission,
    audit_visibility,
    requires,
    staff_audit_kind_for,
    staff_visibility,
)
from core.audits import workflow
from core.extensions import db
from core.models import Audit, Team, User
from core.tools.info import Subject
from core.tools.registry import get_registry
from core.trail import record_view

bp = Blueprint("staff", __name__, url_prefix="/staff")


def _visible(user: User) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(User.id == user.id, staff_visibility(current_user)))
        )
    )


@bp.route("/")
@requires(Permission.CONDUCT_AUDITS)
def index() -> str:
    """Staff whose records this user may audit, e.g. a service manager's supervisees."""
    query = (request.args.get("q") or "").strip()
    statement = (
        select(User)
        .where(
            staff_visibility(current_user), User.active.is_(True), User.role.in_(SUPERVISEE_ROLES)
        )
        .join(Team, User.team_id == Team.id)
        .order_by(Team.name, User.name)
    )
    if query:
        statement = statement.where(func.lower(User.name).contains(query.lower()))
    return render_template(
        "staff/index.html", staff=db.session.scalars(statement).all(), query=query
    )


@bp.route("/<int:user_id>")
@requires(Permission.VIEW_CASES)
def show(user_id: int) -> str:
    staff = db.session.get(User, user_id)
    if staff is None or not _visible(staff):
        abort(404)
    record_view("staff.viewed", staff, summary=f"Viewed the staff record of {staff.name}")
    audits = db.session.scalars(
        select(Audit)
        .where(Audit.subject_user_id == staff.id, audit_visibility(current_user))
        .order_by(Audit.created_at.desc())
    ).all()
    registry = get_registry()
    kind = staff_audit_kind_for(current_user, staff)
    tools = []
    if kind is not None and staff.service is not None:
        enabled = {t.slug for t in registry.enabled_for(staff.service.id)}
        tools = [
            (tool, tool.slug in enabled)
            for tool in registry.for_directorate(staff.service.directorate.code)
            if tool.subject == Subject.STAFF
        ]
    return render_template(
        "staff/show.html",
        staff=staff,
        audits=audits,
        kind=kind,
        tools=tools,
        token=secrets.token_urlsafe(24),
    )


@bp.route("/<int:user_id>/audits", methods=["POST"])
@requires(Permission.CONDUCT_AUDITS)
def start(user_id: int) -> Response:
    staff = db.session.get(User, user_id)
    if staff is None or not _visible(staff):
        abort(404)
    try:
        audit = workflow.start_staff_audit(
            get_registry(),
            staff,
            current_user,
            request.form.get("tool", ""),
            request.form.get("token"),
        )
    except workflow.AuditRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("staff.show", user_id=staff.id))
    return redirect(url_for("audits.edit", audit_id=audit.id))

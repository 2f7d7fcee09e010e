"""Pages: raise a concern from an audit, read and answer it, and the escalation page.

Also ``careaudit concerns escalate`` (for cron, daily) and the concern panels.
No page or command changes or deletes a concern: responses are added.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.access import Permission, can_view_audit, requires, visible_audit
from core.audits import views as audit_views
from core.concerns import panels, workflow  # noqa: F401  (panels register themselves)
from core.concerns.forms import RaiseConcernForm, ResponseForm
from core.concerns.scope import (
    RESPONDER_ROLES,
    can_respond,
    can_view_concern,
    managers_of,
    responsibility,
)
from core.concerns.working_days import to_local
from core.extensions import db
from core.models import Audit, Concern, ConcernEscalation, ConcernResponse
from core.trail import audit_label, record_view

bp = Blueprint("concerns", __name__, url_prefix="/concerns", cli_group="concerns")

#: The audit form's button that saves the draft, then opens the concern page.
SAVE_AND_RAISE = "raise_concern"
#: Answered concerns listed on the escalation page (the counts cover all).
ANSWERED_LIMIT = 50


@bp.app_template_filter("local_time")
def local_time(value: datetime | None) -> str:
    """A stored UTC time in the council's time: 5 January 2026, 2:05pm."""
    if value is None:
        return ""
    moment = to_local(value)
    hour = moment.hour % 12 or 12
    return f"{moment.day} {moment:%B %Y}, {hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def _audit_or_404(audit_id: int) -> Audit:
    return visible_audit(current_user, audit_id) or abort(404)


def _concern_or_404(concern_id: int) -> Concern:
    concern = db.session.get(Concern, concern_id)
    if concern is None or not can_view_concern(current_user, concern):
        abort(404)
    return concern


def _back_to(audit: Audit) -> str:
    if not audit.is_submitted and audit.auditor_id == current_user.id:
        return url_for("audits.edit", audit_id=audit.id)
    return url_for("audits.show", audit_id=audit.id)


def _who_was_told(concern: Concern) -> str:
    told = [m.name for m in managers_of(concern) if m.id != current_user.id]
    if current_app.config.get("SAFEGUARDING_EMAIL"):
        told.append("the Safeguarding and Quality Assurance service")
    if not told:
        return (
            "Your safeguarding concern has been raised, but careaudit found nobody to tell "
            "for this team. Tell your manager and the safeguarding service yourself, now."
        )
    names = told[0] if len(told) == 1 else ", ".join(told[:-1]) + " and " + told[-1]
    verb = "has" if len(told) == 1 else "have"
    return f"Your safeguarding concern has been raised. {names} {verb} been told."


@bp.route("/audits/<int:audit_id>/save-and-raise", methods=["POST"])
@requires(Permission.CONDUCT_AUDITS)
def save_and_raise(audit_id: int) -> str | Response | tuple[str, int]:
    """The audit form's "Save draft and raise a concern": save exactly as "Save and continue"
    does (the audit's own view, same checks), then open the concern page."""
    audit = _audit_or_404(audit_id)
    if audit.is_submitted or audit.auditor_id != current_user.id:
        return redirect(url_for(".raise_concern", audit_id=audit.id))
    if request.form.get("action") == "submit":
        abort(400)  # this button never submits an audit
    # If the answers cannot be saved, the audit form comes back with them and says the
    # concern is not raised yet (and how to raise it without waiting).
    if not request.form.get("section"):
        return redirect(url_for(".raise_concern", audit_id=audit.id))  # nothing typed to keep
    g.concern_not_raised = True
    result = audit_views.section(audit_id, request.form["section"])
    if isinstance(result, Response) and result.status_code in (302, 303):
        flash("Your draft has been saved. Now describe the concern.", "success")
        return redirect(url_for(".raise_concern", audit_id=audit.id))
    return result


@bp.route("/audits/<int:audit_id>/raise", methods=["GET", "POST"])
@requires(Permission.VIEW_CASES)
def raise_concern(audit_id: int) -> str | Response | tuple[str, int]:
    """Anyone who may read an audit may raise a concern from it, draft or submitted."""
    audit = _audit_or_404(audit_id)
    form = RaiseConcernForm()
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(16)
    elif form.validate_on_submit():
        concern = workflow.raise_concern(
            audit, current_user, form.description.data or "", form.token.data or None
        )
        db.session.commit()
        flash(_who_was_told(concern), "success")
        return redirect(url_for(".show", concern_id=concern.id))
    page = render_template(
        "concerns/raise.html",
        audit=audit,
        form=form,
        back=_back_to(audit),
        days=int(current_app.config.get("CONCERN_RESPONSE_DAYS", 1)),
        mailbox=bool(current_app.config.get("SAFEGUARDING_EMAIL")),
        error_list=[{"text": form.description.errors[0], "href": f"#{form.description.id}"}]
        if form.description.errors
        else None,
    )
    return (page, 400) if form.errors else page


@bp.route("/<int:concern_id>", methods=["GET", "POST"])
@requires(Permission.VIEW_CASES)
def show(concern_id: int) -> str | Response | tuple[str, int]:
    concern = _concern_or_404(concern_id)
    responder = can_respond(current_user, concern)
    day = workflow.today()
    form = ResponseForm(today=day) if responder else None
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit() and form.done_on is not None:
            workflow.add_response(
                concern,
                current_user,
                form.action_taken.data or "",
                form.done_by.data or "",
                form.done_on,
            )
            db.session.commit()
            flash("The response has been recorded.", "success")
            return redirect(url_for(".show", concern_id=concern.id))
    else:
        record_view(
            "concern.viewed",
            concern,
            summary=f"Viewed safeguarding concern {concern.id} on {audit_label(concern.audit)}",
        )
    errors = form.error_list() if form is not None and request.method == "POST" else None
    page = render_template(
        "concerns/show.html",
        concern=concern,
        form=form,
        today=day,
        audit_visible=can_view_audit(current_user, concern.audit),
        error_list=errors,
    )
    return (page, 400) if errors else page


@bp.route("/")
@requires(Permission.VIEW_CASES)
def index() -> str:
    """The escalation page: open, overdue and answered concerns in the user's scope."""
    if current_user.role not in RESPONDER_ROLES:
        abort(403)
    scope = responsibility(current_user)
    day = workflow.today()
    answered = exists().where(ConcernResponse.concern_id == Concern.id)
    escalated = exists().where(ConcernEscalation.concern_id == Concern.id)

    def count(*conditions: object) -> int:
        return db.session.scalar(select(func.count(Concern.id)).where(scope, *conditions)) or 0

    counts = {
        "open": count(~answered, Concern.due_on >= day),
        "overdue": count(~answered, Concern.due_on < day),
        "answered": count(answered),
        "escalated": count(escalated),
    }
    loaded = (selectinload(Concern.responses), selectinload(Concern.escalation))
    waiting = db.session.scalars(
        select(Concern).where(scope, ~answered).options(*loaded).order_by(Concern.due_on)
    ).all()
    done = db.session.scalars(
        select(Concern)
        .where(scope, answered)
        .options(*loaded)
        .order_by(Concern.raised_at.desc())
        .limit(ANSWERED_LIMIT)
    ).all()
    return render_template(
        "concerns/index.html", counts=counts, waiting=waiting, done=done, today=day
    )


@bp.cli.command("escalate")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Escalate what is overdue on this day (YYYY-MM-DD) instead of today.",
)
def escalate_command(today: datetime | None) -> None:
    """Escalate unanswered safeguarding concerns past their due day (for cron, daily:
    each concern is escalated once)."""
    result = workflow.escalate_overdue(today.date() if today is not None else None)
    click.echo(f"Escalated {len(result.concerns)} safeguarding concerns; told {result.told} staff.")

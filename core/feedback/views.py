"""Feedback pages: acknowledge, reply, record supervision; the panels that show it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, exists
from werkzeug.wrappers import Response

from core.access import Permission, requires, visible_audit
from core.audits import panels
from core.audits.answering import stored_answers
from core.audits.views import definition_of
from core.extensions import db
from core.feedback import queries, workflow
from core.feedback.forms import (
    SupervisionForm,
    rated_standards,
    read_reply,
    reply_form_class,
)
from core.models import Audit, Feedback, User
from core.trail import audit_label, record_view

bp = Blueprint("feedback", __name__, url_prefix="/feedback")


def _feedback_or_404(audit_id: int) -> Feedback:
    """The feedback on an audit the user may read; 404 otherwise, as for the audit."""
    audit = visible_audit(current_user, audit_id) or abort(404)
    feedback = workflow.feedback_for(audit)
    if feedback is None:
        abort(404)
    return feedback


def _back(feedback: Feedback) -> Response:
    return redirect(url_for("audits.show", audit_id=feedback.audit_id) + "#feedback")


def _standards(audit: Audit) -> list[Any]:
    return rated_standards(definition_of(audit))


@bp.route("/<int:audit_id>/acknowledge", methods=["POST"])
@requires(Permission.VIEW_CASES)
def acknowledge(audit_id: int) -> Response:
    feedback = _feedback_or_404(audit_id)
    if not workflow.is_worker(current_user, feedback):
        abort(403)
    if workflow.acknowledge(feedback, current_user, date.today()):
        db.session.commit()
        flash("Thank you. You have acknowledged the audit.", "success")
    return _back(feedback)


@bp.route("/<int:audit_id>/reply", methods=["GET", "POST"])
@requires(Permission.VIEW_CASES)
def reply(audit_id: int) -> str | Response | tuple[str, int]:
    feedback = _feedback_or_404(audit_id)
    if not workflow.is_worker(current_user, feedback):
        abort(403)
    today = date.today()
    if not feedback.reply_open(today):
        flash(
            "You have already replied to this audit."
            if feedback.has_reply
            else "The time to reply has ended. You can still talk about the audit in supervision.",
            "info",
        )
        return _back(feedback)
    audit = feedback.audit
    standards = _standards(audit)
    form = reply_form_class(standards)()
    errors: dict[str, str] = {}
    if request.method == "GET":
        # The page shows the audit's ratings and the auditor's evidence.
        record_view("audit.viewed", audit, summary=f"Opened {audit_label(audit)} to reply")
    else:
        form.validate()  # CSRF is checked globally; this only fills in field data
        answer, errors = read_reply(form, standards)
        if answer is not None:
            try:
                workflow.reply(feedback, current_user, answer, today)
            except workflow.FeedbackRefused as refusal:
                db.session.rollback()
                flash(str(refusal), "info")
                return _back(feedback)
            db.session.commit()
            flash("Your reply has been sent. It is shown beside the audit.", "success")
            return _back(feedback)
    order = ["agreement", *(s.field for s in standards), "comment"]
    page = render_template(
        "feedback/reply.html",
        audit=audit,
        feedback=feedback,
        form=form,
        standards=standards,
        answers=stored_answers(audit),
        errors=errors,
        error_list=[{"text": errors[k], "href": f"#{k}"} for k in order if k in errors],
    )
    return (page, 400) if errors else page


@bp.route("/<int:audit_id>/supervision", methods=["GET", "POST"])
@requires(Permission.VIEW_CASES)
def supervision(audit_id: int) -> str | Response | tuple[str, int]:
    feedback = _feedback_or_404(audit_id)
    if not workflow.manages(current_user, feedback):
        abort(403)
    today = date.today()
    audit = feedback.audit
    submitted_on = (audit.submitted_at or feedback.created_at).date()
    form = SupervisionForm()
    error = None
    if request.method == "GET" and feedback.discussed_on is not None:
        form.discussed_day.data = str(feedback.discussed_on.day)
        form.discussed_month.data = str(feedback.discussed_on.month)
        form.discussed_year.data = str(feedback.discussed_on.year)
    if request.method == "POST":
        form.validate()
        discussed_on, error = form.discussed_on(submitted_on, today)
        if discussed_on is not None:
            workflow.record_supervision(feedback, current_user, discussed_on)
            db.session.commit()
            flash("The supervision discussion has been recorded.", "success")
            return _back(feedback)
    page = render_template(
        "feedback/supervision.html", audit=audit, feedback=feedback, form=form, error=error
    )
    return (page, 400) if error else page


# -- panels ---------------------------------------------------------------------


def _any_feedback(audit: Audit, _user: User) -> ColumnElement[bool] | bool:
    return audit.is_submitted and exists().where(Feedback.audit_id == audit.id)


@panels.audit_panel(order=10, probe=_any_feedback)
def _feedback_panel(audit: Audit, user: User) -> panels.Panel | None:
    """Beside the audit: who it was fed back to, their reply and the supervision date."""
    if not audit.is_submitted:
        return None
    feedback = workflow.feedback_for(audit)
    if feedback is None:
        return None
    reasons = {d.question: d.reason for d in feedback.disagreements}
    disagreed = [s for s in _standards(audit) if s.question.key in reasons] if reasons else []
    return panels.Panel(
        "feedback/_panel.html",
        {
            "audit": audit,
            "feedback": feedback,
            "today": date.today(),
            "is_worker": workflow.is_worker(user, feedback),
            "manages": workflow.manages(user, feedback),
            "disagreed": disagreed,
            "reasons": reasons,
            "answers": stored_answers(audit) if disagreed else {},
        },
    )


@panels.home_section(order=10, probe=queries.any_to_acknowledge)
def _to_acknowledge(user: User) -> panels.Panel | None:
    waiting = queries.to_acknowledge(user)
    if not waiting:
        return None
    return panels.Panel("feedback/_home_worker.html", {"items": waiting, "today": date.today()})


@panels.home_section(order=11, probe=queries.any_to_discuss)
def _to_discuss(user: User) -> panels.Panel | None:
    waiting = queries.to_discuss(user)
    if not waiting:
        return None
    return panels.Panel("feedback/_home_manager.html", {"items": waiting, "today": date.today()})

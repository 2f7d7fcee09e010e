"""Starting, completing, submitting and reading audits."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from core.access import Permission, can_view_audit, can_view_case, requires
from core.audits import panels, workflow
from core.audits.answering import (
    build_form_class,
    completeness_problems,
    field_name,
    form_data,
    order_problems,
    read_answers,
    stored_answers,
)
from core.extensions import db
from core.models import Audit, Case
from core.tools.info import Subject
from core.tools.questions import AuditSubject, FormDefinition
from core.tools.registry import get_registry
from core.tools.results import AnswerProblem
from core.trail import audit_label, record_view

bp = Blueprint("audits", __name__, url_prefix="/audits")


@bp.route("/start/<int:case_id>", methods=["POST"])
@requires(Permission.CONDUCT_AUDITS)
def start(case_id: int) -> Response:
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(current_user, case):
        abort(404)
    try:
        audit = workflow.start_audit(
            get_registry(),
            case,
            current_user,
            request.form.get("tool", ""),
            request.form.get("token"),
        )
    except workflow.AuditRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    return redirect(url_for("audits.edit", audit_id=audit.id))


def _audit_or_404(audit_id: int) -> Audit:
    audit = db.session.get(Audit, audit_id)
    if audit is None or not can_view_audit(current_user, audit):
        abort(404)
    return audit


def subject_of(audit: Audit) -> AuditSubject:
    """What the audit is about, for the tool's form hook."""
    if audit.case is not None:
        return AuditSubject(kind=Subject.CASE, case=audit.case, facts=audit.facts or {})
    if audit.subject_user is not None:
        return AuditSubject(kind=Subject.STAFF, staff=audit.subject_user, facts=audit.facts or {})
    return AuditSubject(kind=Subject.SAMPLE, facts=audit.facts or {})


def _definition(audit: Audit) -> FormDefinition:
    return get_registry().form(audit.tool, audit.case, audit.service_id, subject_of(audit))


@bp.route("/<int:audit_id>")
@requires(Permission.VIEW_CASES)
def show(audit_id: int) -> str:
    audit = _audit_or_404(audit_id)
    record_view("audit.viewed", audit, summary=f"Viewed {audit_label(audit)}")
    registry = get_registry()
    definition = _definition(audit)
    answers = stored_answers(audit)
    score = registry.score(audit.tool, answers, audit.service_id)
    return render_template(
        "audits/show.html",
        audit=audit,
        definition=definition,
        answers=answers,
        score=score,
        tool=registry.get(audit.tool),
        panels=panels.for_audit(audit, current_user),
    )


@bp.route("/<int:audit_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONDUCT_AUDITS)
def edit(audit_id: int) -> str | Response:
    audit = _audit_or_404(audit_id)
    if audit.auditor_id != current_user.id:
        abort(403)
    if audit.is_submitted:
        if request.method == "POST":
            # A second click on "Submit", or a resend: nothing more to do.
            flash("This audit has already been submitted.", "info")
        return redirect(url_for("audits.show", audit_id=audit.id))

    registry = get_registry()
    definition = _definition(audit)
    form_class = build_form_class(definition)

    if request.method == "GET":
        record_view("audit.viewed", audit, summary=f"Opened {audit_label(audit)} to edit")
        form = form_class(
            data={**form_data(definition, stored_answers(audit)), "version": audit.version}
        )
        return _render_edit(audit, definition, form)

    form = form_class()
    form.validate()  # CSRF is checked globally; this only fills in field data
    # Only the "Submit audit" button submits. Anything else (Enter in a box, which the
    # browser sends as "Save and continue", or a post with no action at all) saves a draft.
    submitting = request.form.get("action") == "submit"
    if str(form.version.data) != str(audit.version):
        return _conflict(audit, definition, form)

    answers, problems = read_answers(definition, form, stored_answers(audit))
    if problems:
        # Values that cannot be stored: save nothing, show everything typed.
        return _render_edit(audit, definition, form, problems, status=400)

    score = registry.score(audit.tool, answers, audit.service_id)
    if score is not None and score.derived:
        # Checks and storage see the answers the tool works out, fresh.
        answers = {**answers, **score.derived}
    if not submitting:
        try:
            workflow.save_draft(audit, answers, score)
        except workflow.AuditConflict:
            return _conflict(audit, definition, form)
        flash("Your draft has been saved. You can come back to it from your home page.", "success")
        return redirect(url_for("audits.edit", audit_id=audit.id))

    problems = completeness_problems(definition, answers)
    problems += registry.check(audit.tool, answers, score, audit.service_id)
    try:
        if problems:
            workflow.save_draft(audit, answers, score)
        else:
            workflow.submit(audit, answers, score)
    except workflow.AuditConflict:
        return _conflict(audit, definition, form)
    if problems:
        form.version.data = audit.version
        return _render_edit(audit, definition, form, problems, status=400, saved=True)
    flash("Audit submitted. It can no longer be changed.", "success")
    return redirect(url_for("audits.show", audit_id=audit.id))


def _conflict(audit: Audit, definition: FormDefinition, form: Any) -> tuple[str, int]:
    db.session.refresh(audit)
    # Carry the latest version: saving again, after checking, is a deliberate overwrite.
    form.version.data = audit.version
    return _render_edit(audit, definition, form, conflict=True, status=409)


def _render_edit(
    audit: Audit,
    definition: FormDefinition,
    form: Any,
    problems: list[AnswerProblem] | None = None,
    status: int = 200,
    saved: bool = False,
    conflict: bool = False,
) -> Any:
    ordered = order_problems(definition, problems or [])
    errors = {field_name(p): p.message for p in ordered}
    registry = get_registry()
    stored = stored_answers(audit)
    score = registry.score(audit.tool, stored, audit.service_id)
    page = render_template(
        "audits/edit.html",
        answers=stored,
        audit=audit,
        definition=definition,
        form=form,
        errors=errors,
        error_list=[{"text": p.message, "href": "#" + field_name(p)} for p in ordered],
        error_description="Your answers have been saved as a draft, but the audit has not "
        "been submitted. Fix these problems to submit it."
        if saved
        else None,
        conflict=conflict,
        score=score,
        tool=registry.get(audit.tool),
    )
    return (page, status) if status != 200 else page

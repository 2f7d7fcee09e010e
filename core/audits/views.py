"""Starting, completing, submitting and reading audits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.wrappers import Response

from core import memo
from core.access import Permission, requires, visible_audit, visible_case
from core.audits import confirmation, panels, sections, workflow
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
from core.history import local_time
from core.models import Audit, Case
from core.models.users import USER_SHOWN
from core.tools.info import Subject
from core.tools.questions import AnswerValue, AuditSubject, FormDefinition, Section
from core.tools.registry import get_registry
from core.tools.results import AnswerProblem, Score
from core.trail import audit_label, record_view

bp = Blueprint("audits", __name__, url_prefix="/audits")

#: What the audit's page shows of it: its case, team, service and people.
SHOWN = (
    joinedload(Audit.case).joinedload(Case.allocated_worker).load_only(*USER_SHOWN),
    joinedload(Audit.team),
    joinedload(Audit.service),
    joinedload(Audit.auditor).load_only(*USER_SHOWN),
    joinedload(Audit.subject_user).load_only(*USER_SHOWN),
)


@bp.route("/start/<int:case_id>", methods=["POST"])
@requires(Permission.CONDUCT_AUDITS)
def start(case_id: int) -> Response:
    case = visible_case(current_user, case_id) or abort(404)
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


def _audit_or_404(audit_id: int, *options: ORMOption) -> Audit:
    return visible_audit(current_user, audit_id, *options) or abort(404)


def subject_of(audit: Audit) -> AuditSubject:
    """What the audit is about, for the tool's form hook."""
    if audit.case is not None:
        return AuditSubject(kind=Subject.CASE, case=audit.case, facts=audit.facts or {})
    if audit.subject_user is not None:
        return AuditSubject(kind=Subject.STAFF, staff=audit.subject_user, facts=audit.facts or {})
    return AuditSubject(kind=Subject.SAMPLE, facts=audit.facts or {})


def definition_of(audit: Audit) -> FormDefinition:
    """The audit's form, built once per transaction: the audit page, its follow-up panel
    and its feedback each need it, and building it asks the tool's hook again."""

    def build() -> FormDefinition:
        return get_registry().form(audit.tool, audit.case, audit.service_id, subject_of(audit))

    if audit.id is None:
        return build()
    return memo.remember(("audit form", audit.id), build)


@bp.route("/<int:audit_id>")
@requires(Permission.VIEW_CASES)
def show(audit_id: int) -> str:
    # What the page shows of the audit, with it rather than a statement each.
    audit = _audit_or_404(audit_id, *SHOWN)
    record_view("audit.viewed", audit, summary=f"Viewed {audit_label(audit)}")
    # The outcome shown is the one stored at submission: the page scores nothing again
    # (scoring read the previous audit's answers on every view).
    return render_template(
        "audits/show.html",
        audit=audit,
        definition=definition_of(audit),
        answers=stored_answers(audit),
        tool=get_registry().get(audit.tool),
        panels=panels.for_audit(audit, current_user),
    )


# -- completing a draft: task list -> sections -> check your answers -> submit ---------------


def _my_draft(audit_id: int) -> Audit | Response:
    """The signed-in auditor's draft, or where to go instead once it is submitted."""
    audit = _audit_or_404(audit_id, *SHOWN)
    if audit.auditor_id != current_user.id:
        abort(403)
    if audit.is_submitted:
        if request.method == "POST":
            # A second click on "Submit", or a resend: nothing more to do.
            flash("This audit has already been submitted.", "info")
        return redirect(url_for("audits.show", audit_id=audit.id))
    return audit


def _score(audit: Audit, answers: Mapping[str, AnswerValue]) -> Score | None:
    # ``audit``: a tool whose rules look back (standard 3 "persistently" not met) gets
    # the previous audit of the same subject.
    return get_registry().score(audit.tool, answers, audit.service_id, audit=audit)


def _blocking(
    audit: Audit,
    definition: FormDefinition,
    answers: Mapping[str, AnswerValue],
    score: Score | None,
) -> list[AnswerProblem]:
    """Everything that stops the audit being submitted now: the form's rules, then the tool's."""
    problems = completeness_problems(definition, answers)
    problems += get_registry().check(audit.tool, answers, score, audit.service_id)
    return order_problems(definition, problems)


@bp.route("/<int:audit_id>/edit")
@requires(Permission.CONDUCT_AUDITS)
def edit(audit_id: int) -> str | Response:
    """The task list: every section with its status, then check your answers."""
    audit = _my_draft(audit_id)
    if isinstance(audit, Response):
        return audit
    record_view("audit.viewed", audit, summary=f"Opened {audit_label(audit)} to edit")
    definition = definition_of(audit)
    answers = stored_answers(audit)
    score = _score(audit, answers)
    states = sections.section_states(
        definition, answers, _blocking(audit, definition, answers, score)
    )
    return render_template(
        "audits/tasks.html",
        audit=audit,
        definition=definition,
        states=states,
        completed=sections.completed_count(states),
        score=score,
        tool=get_registry().get(audit.tool),
    )


@bp.route("/<int:audit_id>/sections/<key>", methods=["GET", "POST"])
@requires(Permission.CONDUCT_AUDITS)
def section(audit_id: int, key: str) -> Any:
    """One section of the form, saved on its own ("Save and continue" or autosave)."""
    audit = _my_draft(audit_id)
    if isinstance(audit, Response):
        return _autosave_refused() if _autosaving() else audit
    definition = definition_of(audit)
    current = sections.find_section(definition, key)
    if current is None:
        abort(404)
    form_class = build_form_class(definition)
    if request.method == "GET":
        form = form_class(
            data={**form_data(definition, stored_answers(audit)), "version": audit.version}
        )
        return _render_section(audit, definition, current, form)
    return save_section(audit, definition, current, form_class())


def save_section(audit: Audit, definition: FormDefinition, current: Section, form: Any) -> Any:
    """Save one section's answers as a draft; every other section keeps what was stored.

    Used by the section page, its autosave, and the safeguarding concern's
    "save draft and raise a concern". A version older than the stored one is a
    conflict: nothing is saved, so a newer save is never overwritten.
    """
    form.validate()  # CSRF is checked globally; this only fills in field data
    stored = stored_answers(audit)
    typed, problems = read_answers(definition, form, stored)
    answers = sections.merge_section(definition, current, stored, typed)
    mine = {q.key for q in current.questions}
    problems = [p for p in problems if p.question in mine]
    score = _score(audit, answers)
    autosave = _autosaving()
    if str(form.version.data) != str(audit.version):
        if autosave:
            return _autosave_reply(audit, definition, answers, score, status=409)
        return _conflict(audit, definition, current, form)
    if problems:
        # Values that cannot be stored: save nothing, show everything typed.
        if autosave:
            return _autosave_reply(audit, definition, answers, score, problems, status=400)
        return _render_section(audit, definition, current, form, problems, status=400)
    answers = workflow.with_derived(answers, score)  # checks see them too
    try:
        workflow.save_draft(audit, answers, score)
    except workflow.AuditConflict:
        if autosave:
            return _autosave_reply(audit, definition, answers, score, status=409)
        return _conflict(audit, definition, current, form)
    if autosave:
        return _autosave_reply(audit, definition, answers, score)
    following = sections.next_section(definition, current.key)
    if request.form.get("action") == "tasks":
        flash(
            f"{sections.SectionState(current, sections.SectionStatus.COMPLETED).name}: "
            "your answers have been saved.",
            "success",
        )
        return redirect(url_for("audits.edit", audit_id=audit.id))
    if following is None:
        return redirect(url_for("audits.check", audit_id=audit.id))
    return redirect(url_for("audits.section", audit_id=audit.id, key=following.key))


def _autosaving() -> bool:
    """True for the page script's background save (the form works without it)."""
    return request.method == "POST" and request.form.get("autosave") == "1"


def _autosave_refused() -> tuple[dict[str, Any], int]:
    return {"saved": False, "message": "This audit has been submitted: it cannot be changed."}, 409


def _autosave_reply(
    audit: Audit,
    definition: FormDefinition,
    answers: Mapping[str, AnswerValue],
    score: Score | None,
    problems: list[AnswerProblem] | None = None,
    status: int = 200,
) -> tuple[dict[str, Any], int]:
    """What the page script needs: the new version, a status line and the fresh suggestion.

    The suggestion is worked out by the server's rules from the answers as typed, saved
    or not, so it is never stale and no copy of a tool's rules lives in the browser.
    """
    if status == 409:
        message = (
            "Not saved automatically: this audit was changed in another window or tab. "
            "Your answers are still on this page. Choose “Save and continue” to see "
            "what to do."
        )
    elif problems:
        message = f"Not saved automatically: {problems[0].message}."
    else:
        message = f"Saved at {local_time(audit.updated_at)}"
    return {
        "saved": status == 200,
        "version": audit.version if status == 200 else None,
        "message": message,
        "suggestion": render_template(
            "audits/_score.html", audit=audit, definition=definition, score=score
        ),
    }, status


def _conflict(audit: Audit, definition: FormDefinition, current: Section, form: Any) -> Any:
    db.session.refresh(audit)
    # Carry the latest version: saving again, after checking, is a deliberate overwrite.
    form.version.data = audit.version
    return _render_section(audit, definition, current, form, conflict=True, status=409)


def _render_section(
    audit: Audit,
    definition: FormDefinition,
    current: Section,
    form: Any,
    problems: list[AnswerProblem] | None = None,
    status: int = 200,
    conflict: bool = False,
) -> Any:
    ordered = order_problems(definition, problems or [])
    stored = stored_answers(audit)
    following = sections.next_section(definition, current.key)
    page = render_template(
        "audits/section.html",
        answers=stored,
        audit=audit,
        definition=definition,
        section=current,
        position=[s.key for s in definition.sections].index(current.key) + 1,
        following=following,
        form=form,
        errors={field_name(p): p.message for p in ordered},
        error_list=[{"text": p.message, "href": "#" + field_name(p)} for p in ordered],
        conflict=conflict,
        score=_score(audit, stored),
        tool=get_registry().get(audit.tool),
    )
    return (page, status) if status != 200 else page


@bp.route("/<int:audit_id>/check", methods=["GET", "POST"])
@requires(Permission.CONDUCT_AUDITS)
def check(audit_id: int) -> Any:
    """Check your answers, then submit: the one place an audit is submitted."""
    audit = _my_draft(audit_id)
    if isinstance(audit, Response):
        return audit
    definition = definition_of(audit)
    answers = stored_answers(audit)
    score = _score(audit, answers)
    answers = workflow.with_derived(answers, score)  # checks see them too
    problems = _blocking(audit, definition, answers, score)
    if request.method == "GET":
        record_view("audit.viewed", audit, summary=f"Checked the answers of {audit_label(audit)}")
        return _render_check(audit, definition, answers, score, problems)
    if request.form.get("version") != str(audit.version):
        # Saved from another window since this page was drawn: what was checked is not
        # what would be submitted.
        return _render_check(audit, definition, answers, score, problems, changed=True, status=409)
    if problems:
        return _render_check(audit, definition, answers, score, problems, status=400)
    try:
        workflow.submit(audit, answers, score)
    except workflow.AuditConflict:
        db.session.refresh(audit)
        answers = stored_answers(audit)
        score = _score(audit, answers)
        problems = _blocking(audit, definition, answers, score)
        return _render_check(audit, definition, answers, score, problems, changed=True, status=409)
    return redirect(url_for("audits.submitted", audit_id=audit.id))


def _render_check(
    audit: Audit,
    definition: FormDefinition,
    answers: Mapping[str, AnswerValue],
    score: Score | None,
    problems: list[AnswerProblem],
    changed: bool = False,
    status: int = 200,
) -> Any:
    where = sections.section_of(definition)

    def change_link(problem: AnswerProblem) -> str:
        return (
            url_for("audits.section", audit_id=audit.id, key=where.get(problem.question, ""))
            + "#"
            + field_name(problem)
        )

    page = render_template(
        "audits/check.html",
        audit=audit,
        definition=definition,
        answers=answers,
        score=score,
        problems=problems,
        error_list=[{"text": p.message, "href": change_link(p)} for p in problems]
        if status != 200 or changed
        else None,
        changed=changed,
        tool=get_registry().get(audit.tool),
        blocking=[{"text": p.message, "href": change_link(p)} for p in problems],
    )
    return (page, status) if status != 200 else page


@bp.route("/<int:audit_id>/submitted")
@requires(Permission.CONDUCT_AUDITS)
def submitted(audit_id: int) -> str | Response:
    """The confirmation: the audit is in, and what happens next."""
    audit = _audit_or_404(audit_id)
    if audit.auditor_id != current_user.id:
        abort(403)
    if not audit.is_submitted:
        return redirect(url_for("audits.edit", audit_id=audit.id))
    return render_template(
        "audits/submitted.html",
        audit=audit,
        next_steps=confirmation.next_steps(audit),
        tool=get_registry().get(audit.tool),
    )

"""Pages of the follow-up: set and review actions, sign off, re-audit, the Actions page.

Also registers the audit page's follow-up panel and the home page's actions section.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core import trail
from core.access import (
    SEES_EVERYTHING,
    Permission,
    audit_visibility,
    can_view_audit,
    requires,
    visible_audit,
)
from core.actions import followup, rules
from core.actions.comparison import compare, summary
from core.actions.forms import DoneForm, ReAuditForm, ReviewForm, SetActionForm, read_date
from core.audits import panels
from core.exports import csv_download
from core.extensions import db
from core.inputs import whole_number
from core.models import (
    ActionStatus,
    Allocation,
    Audit,
    AuditStatus,
    FollowUp,
    ReAudit,
    RemedialAction,
    Role,
    Service,
    Team,
    User,
)
from core.trail import audit_label, record_view

bp = Blueprint("actions", __name__, url_prefix="/actions")

STATUSES = ("open", "overdue", "done", "confirmed")
LIST_LIMIT = 500
HOME_LIMIT = 20


def _audit_or_404(audit_id: int) -> Audit:
    return visible_audit(current_user, audit_id) or abort(404)


def _may_see(user: User, action: RemedialAction) -> bool:
    return action.owner_id == user.id or can_view_audit(user, action.audit)


def _actions_of(audit: Audit) -> list[RemedialAction]:
    return list(
        db.session.scalars(
            select(RemedialAction)
            .where(RemedialAction.audit_id == audit.id)
            .options(joinedload(RemedialAction.owner))
            .order_by(RemedialAction.id)
        )
    )


def _reaudit_of(audit: Audit) -> ReAudit | None:
    """The re-audit asked for after ``audit``."""
    return db.session.scalar(select(ReAudit).where(ReAudit.audit_id == audit.id))


def _carried_out_by(audit: Audit) -> Select[tuple[int]]:
    """The re-audit ``audit`` carries out, if it is one (through its allocation)."""
    return (
        select(ReAudit.id)
        .join(Allocation, Allocation.id == ReAudit.allocation_id)
        .where(Allocation.audit_id == audit.id)
    )


def _reaudits(audit: Audit) -> tuple[ReAudit | None, ReAudit | None]:
    """The re-audit asked for after ``audit``, and the one ``audit`` carries out if it is
    one: in one statement, each found by its own unique key (an OR across the join
    would read every re-audit)."""
    asked_after = select(ReAudit.id).where(ReAudit.audit_id == audit.id)
    found = db.session.scalars(
        select(ReAudit).where(ReAudit.id.in_(union_all(asked_after, _carried_out_by(audit))))
    ).all()
    after = next((r for r in found if r.audit_id == audit.id), None)
    of = next((r for r in found if r.audit_id != audit.id), None)
    return after, of


# -- the audit page's panel and the home page's section ---------------------------------


def _follow_up_asked(
    audit: Audit, user: User
) -> bool | tuple[ColumnElement[bool] | bool, ...]:
    """The panel is shown to whoever may follow the audit up, and to others once there is
    something. What it holds (actions, a re-audit either way, a sign-off) is asked with
    the other panels' probes: most audits have none of them until someone follows them
    up, and then the panel asks nothing more."""
    if not audit.is_submitted:
        return False
    return (
        rules.may_follow_up(user, audit),
        exists().where(RemedialAction.audit_id == audit.id),
        or_(exists().where(ReAudit.audit_id == audit.id), _carried_out_by(audit).exists()),
        exists().where(FollowUp.audit_id == audit.id),
    )


def _signed_off(audit: Audit) -> FollowUp | None:
    return db.session.scalar(
        select(FollowUp)
        .where(FollowUp.audit_id == audit.id)
        .options(joinedload(FollowUp.signed_off_by))  # named on the panel
    )


@panels.audit_panel(order=20, probe=_follow_up_asked, answers=True)
def _follow_up_panel(
    audit: Audit, user: User, answers: tuple[bool, ...]
) -> panels.Panel | None:
    may, has_actions, has_reaudits, signed_off = answers
    actions = _actions_of(audit) if has_actions else []
    reaudit, of = _reaudits(audit) if has_reaudits else (None, None)
    if not (actions or may or reaudit or of):
        return None
    readiness = rules.readiness(audit, actions)
    return panels.Panel(
        "actions/_panel.html",
        {
            "audit": audit,
            "actions": actions,
            "may_follow_up": may,
            "readiness": readiness,
            "follow_up": _signed_off(audit) if signed_off else None,
            "reaudit": reaudit,
            "reaudit_of": of,
            "today": date.today(),
        },
    )


def _to_confirm(user: User) -> ColumnElement[bool]:
    """Done actions a manager is asked to confirm (QA and seniors: their own audits')."""
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER} and user.team_id:
        return Audit.team_id == user.team_id
    if user.role is Role.SERVICE_MANAGER and user.service_id:
        return Audit.service_id == user.service_id
    if user.role in SEES_EVERYTHING:
        return or_(Audit.auditor_id == user.id, RemedialAction.set_by_id == user.id)
    return false()


def _mine(user: User) -> Select[tuple[RemedialAction]]:
    """Open actions the user owns."""
    return select(RemedialAction).where(
        RemedialAction.owner_id == user.id, RemedialAction.status == ActionStatus.OPEN
    )


def _confirming(user: User) -> Select[tuple[RemedialAction]]:
    """Done actions the user is asked to confirm."""
    return (
        select(RemedialAction)
        .join(Audit, Audit.id == RemedialAction.audit_id)
        .where(RemedialAction.status == ActionStatus.DONE, _to_confirm(user))
    )


def _any_actions(user: User) -> ColumnElement[bool]:
    return or_(
        _mine(user).with_only_columns(RemedialAction.id).exists(),
        _confirming(user).with_only_columns(RemedialAction.id).exists(),
    )


@panels.home_section(order=20, probe=_any_actions)
def _home_actions(user: User) -> panels.Panel | None:
    mine = db.session.scalars(
        _mine(user)
        .options(joinedload(RemedialAction.audit))
        .order_by(RemedialAction.due_date, RemedialAction.id)
        .limit(HOME_LIMIT)
    ).all()
    confirm = db.session.scalars(
        _confirming(user)
        .options(joinedload(RemedialAction.owner))
        .order_by(RemedialAction.done_at, RemedialAction.id)
        .limit(HOME_LIMIT)
    ).all()
    if not mine and not confirm:
        return None
    return panels.Panel(
        "actions/_home.html", {"mine": mine, "confirm": confirm, "today": date.today()}
    )


# -- setting an action --------------------------------------------------------------


def _question_choices(audit: Audit) -> list[tuple[str, str]]:
    return [("", rules.WHOLE_FILE), *rules.rated_questions(audit)]


def _dated(form: Any, name: str, today: date) -> tuple[date | None, str | None]:
    return read_date(form.due_day.data, form.due_month.data, form.due_year.data, name, today)


@bp.route("/audit/<int:audit_id>/new", methods=["GET", "POST"])
@requires(Permission.CONDUCT_AUDITS)
def new(audit_id: int) -> Any:
    audit = _audit_or_404(audit_id)
    if not rules.may_follow_up(current_user, audit):
        abort(404)
    today = date.today()
    form = SetActionForm()
    questions = _question_choices(audit)
    owners = rules.owner_choices(audit)
    form.question.choices = questions
    form.owner.choices = [(str(u.id), f"{u.name} ({u.role.label})") for u in owners]
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.question.data = request.args.get("question", "")
        # Usually the worker whose case it was (or whose record, for a staff audit).
        usual = audit.worker_id or audit.subject_user_id
        if usual and any(u.id == usual for u in owners):
            form.owner.data = str(usual)
    else:
        form.validate()
        errors = {name: messages[0] for name, messages in form.errors.items()}
        labels = dict(questions)
        if (form.question.data or "") not in labels:
            errors["question"] = "Choose a standard from the list, or the whole file"
        owner = next((u for u in owners if str(u.id) == form.owner.data), None)
        if owner is None:
            errors["owner"] = "Choose who will do it from the list"
        due, problem = _dated(form, "due date", today)
        if problem:
            errors["due_day"] = problem
        if not errors and owner is not None and due is not None:
            key = form.question.data or None
            description = form.description.data.strip()
            if not description:
                errors["description"] = "Enter what must be done"
            else:
                followup.set_action(
                    audit,
                    question=key,
                    label=labels[form.question.data or ""],
                    description=description,
                    owner=owner,
                    due=due,
                    by=current_user,
                )
                db.session.commit()
                flash(f"The action has been set and {owner.name} has been told.", "success")
                return redirect(url_for("audits.show", audit_id=audit.id))
    page = render_template("actions/new.html", audit=audit, form=form, errors=errors)
    return (page, 400) if errors else page


# -- one action: done, confirm, reopen -----------------------------------------------


def _action_or_404(action_id: int) -> RemedialAction:
    # A change locks the row, so two managers confirming at once change it once.
    action = db.session.get(RemedialAction, action_id, with_for_update=request.method == "POST")
    if action is None or not _may_see(current_user, action):
        abort(404)
    return action


@bp.route("/<int:action_id>", methods=["GET", "POST"])
@requires(Permission.VIEW_CASES)
def show(action_id: int) -> Any:
    action = _action_or_404(action_id)
    today = date.today()
    done_form = DoneForm(prefix="done")
    review_form = ReviewForm(prefix="review")
    may_review = rules.may_confirm(current_user, action)
    errors: dict[str, str] = {}
    if request.method == "POST":
        step = request.form.get("step", "")
        try:
            if step == "done" and action.owner_id == current_user.id:
                done_form.validate()
                errors = {f"done-{n}": m[0] for n, m in done_form.errors.items()}
                evidence = (done_form.evidence.data or "").strip()
                if not errors and not evidence:
                    errors["done-evidence"] = "Enter what was done and where the evidence is"
                if not errors:
                    followup.mark_done(action, evidence, current_user)
                    db.session.commit()
                    flash("The action is marked done. A manager will confirm it.", "success")
                    return redirect(url_for("actions.show", action_id=action.id))
            elif step == "review" and may_review:
                review_form.validate()
                errors = {f"review-{n}": m[0] for n, m in review_form.errors.items()}
                decision = review_form.decision.data
                reason = (review_form.reason.data or "").strip()
                if decision not in {"confirm", "reopen"}:
                    errors["review-decision"] = "Choose whether to confirm or reopen the action"
                due = None
                if decision == "reopen":
                    if not reason:
                        errors.setdefault("review-reason", "Enter why the action is reopened")
                    if any(
                        (
                            review_form.due_day.data,
                            review_form.due_month.data,
                            review_form.due_year.data,
                        )
                    ):
                        due, problem = _dated(review_form, "new due date", today)
                        if problem:
                            errors["review-due_day"] = problem
                if not errors and decision == "confirm":
                    reaudit = followup.confirm(action, current_user, today)
                    db.session.commit()
                    message = "The action is confirmed."
                    if reaudit is not None:
                        message += (
                            " Every action is confirmed: the re-audit is now allocated to "
                            f"{reaudit.auditor.name}."
                        )
                    flash(message, "success")
                    return redirect(url_for("actions.show", action_id=action.id))
                if not errors:
                    followup.reopen(action, reason, current_user, due)
                    db.session.commit()
                    flash(
                        f"The action is reopened and {action.owner.name} has been told.", "success"
                    )
                    return redirect(url_for("actions.show", action_id=action.id))
            else:
                errors["step"] = "This action cannot be changed by you now"
        except followup.FollowUpRefused as refusal:
            db.session.rollback()
            errors["step"] = str(refusal)
    else:
        # Against the action (with its case), so the audit's history lists changes only.
        record_view(
            "action.viewed",
            action,
            case_id=action.audit.case_id,
            summary=f"Viewed action {action.id} of {audit_label(action.audit)}",
        )
    page = render_template(
        "actions/show.html",
        action=action,
        done_form=done_form,
        review_form=review_form,
        may_review=may_review,
        can_see_audit=can_view_audit(current_user, action.audit),
        errors=errors,
        today=today,
    )
    return (page, 400) if errors else page


# -- sign-off and re-audit ---------------------------------------------------------------


@bp.route("/audit/<int:audit_id>/sign-off", methods=["POST"])
@requires(Permission.CONDUCT_AUDITS)
def sign_off(audit_id: int) -> Response:
    audit = _audit_or_404(audit_id)
    if not rules.may_follow_up(current_user, audit):
        abort(404)
    readiness = rules.readiness(audit, _actions_of(audit))
    if not readiness.ready:
        reasons = "; ".join(need.reason for need in readiness.unmet)
        flash(f"The follow-up cannot be signed off yet: set an action first ({reasons}).", "error")
        return redirect(url_for("audits.show", audit_id=audit.id))
    try:
        followup.sign_off(audit, current_user)
        db.session.commit()
        flash("The follow-up has been signed off.", "success")
    except followup.FollowUpRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "info")
    except IntegrityError:
        # Signed off by someone else at the same moment.
        db.session.rollback()
        flash("This audit's follow-up has already been signed off.", "info")
    return redirect(url_for("audits.show", audit_id=audit.id))


@bp.route("/audit/<int:audit_id>/reaudit", methods=["GET", "POST"])
@requires(Permission.CONDUCT_AUDITS)
def reaudit(audit_id: int) -> Any:
    audit = _audit_or_404(audit_id)
    if not rules.may_follow_up(current_user, audit) or audit.case is None:
        abort(404)
    existing = _reaudit_of(audit)
    if existing is not None:
        return redirect(url_for("actions.comparison", reaudit_id=existing.id))
    today = date.today()
    form = ReAuditForm()
    auditors = rules.reaudit_auditors(audit)
    form.auditor.choices = [(str(u.id), f"{u.name} ({u.role.label})") for u in auditors]
    has_actions = bool(_actions_of(audit))
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.auditor.data = str(audit.auditor_id)
        form.when.data = "after_actions" if has_actions else "on_date"
    else:
        form.validate()
        errors = {name: messages[0] for name, messages in form.errors.items()}
        auditor = next((u for u in auditors if str(u.id) == form.auditor.data), None)
        if auditor is None:
            errors["auditor"] = "Choose who will audit the file again from the list"
        on_date = None
        if form.when.data == "on_date":
            on_date, problem = _dated(form, "date of the re-audit", today)
            if problem:
                errors["due_day"] = problem
        elif form.when.data == "after_actions":
            if not has_actions:
                errors["when"] = "This audit has no actions yet: choose a date instead"
        else:
            errors["when"] = "Choose when the file is audited again"
        if not errors and auditor is not None:
            try:
                made = followup.request_reaudit(
                    audit,
                    auditor=auditor,
                    after_actions=form.when.data == "after_actions",
                    on_date=on_date,
                    by=current_user,
                    today=today,
                )
                db.session.commit()
            except (followup.FollowUpRefused, IntegrityError):
                # Already asked for (perhaps by someone else at the same moment).
                db.session.rollback()
                flash("A re-audit has already been asked for.", "info")
                return redirect(url_for("audits.show", audit_id=audit.id))
            if made.allocation_id is not None:
                flash(f"The re-audit is allocated to {auditor.name} now.", "success")
            else:
                flash("The re-audit has been asked for.", "success")
            return redirect(url_for("audits.show", audit_id=audit.id))
    page = render_template("actions/reaudit.html", audit=audit, form=form, errors=errors)
    return (page, 400) if errors else page


@bp.route("/reaudits/<int:reaudit_id>")
@requires(Permission.VIEW_CASES)
def comparison(reaudit_id: int) -> str:
    record = db.session.get(ReAudit, reaudit_id)
    if record is None or not can_view_audit(current_user, record.audit):
        abort(404)
    second = None
    allocation = record.allocation
    if allocation is not None and allocation.audit is not None:
        candidate = allocation.audit
        if candidate.status is AuditStatus.SUBMITTED and can_view_audit(current_user, candidate):
            second = candidate
    standards = rules.rated_questions(record.audit)
    rows, overall = compare(record.audit, second, standards)
    record_view(
        "reaudit.viewed",
        record,
        case_id=record.audit.case_id,
        summary=f"Compared {audit_label(record.audit)} with its re-audit",
    )
    return render_template(
        "actions/comparison.html",
        reaudit=record,
        first=record.audit,
        second=second,
        rows=rows,
        overall=overall,
        counts=summary(rows),
    )


# -- the Actions page and its CSV ----------------------------------------------------


def _scope(user: User) -> ColumnElement[bool]:
    """Actions a user sees on the Actions page, by role (like reports and compliance).

    Never an action on an audit the user may not open (an action names the standard and
    what was wrong, so it would unblind a moderator), unless the action is their own."""
    visible = or_(audit_visibility(user), RemedialAction.owner_id == user.id)
    if user.role in SEES_EVERYTHING:
        return visible
    if user.role is Role.SERVICE_MANAGER and user.service_id:
        return and_(visible, Audit.service_id == user.service_id)
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER} and user.team_id:
        return and_(visible, Audit.team_id == user.team_id)
    return or_(RemedialAction.owner_id == user.id, RemedialAction.set_by_id == user.id)


def _status_condition(status: str, today: date) -> ColumnElement[bool]:
    if status == "overdue":
        return and_(RemedialAction.status == ActionStatus.OPEN, RemedialAction.due_date < today)
    if status in {"open", "done", "confirmed"}:
        return RemedialAction.status == ActionStatus(status)
    return true()


def _filters(user: User) -> dict[str, Any]:
    """The page's filters as typed, and the teams and services the user may choose."""
    teams_statement = (
        select(Team).join(Service, Service.id == Team.service_id).order_by(Service.name, Team.name)
    )
    services: list[Service] = []
    if user.role in SEES_EVERYTHING:
        services = list(db.session.scalars(select(Service).order_by(Service.name)))
    elif user.role is Role.SERVICE_MANAGER and user.service_id:
        teams_statement = teams_statement.where(Team.service_id == user.service_id)
    else:
        teams_statement = teams_statement.where(false())
    teams = list(db.session.scalars(teams_statement))
    team_id = whole_number(request.args.get("team", ""))
    service_id = whole_number(request.args.get("service", ""))
    status = request.args.get("status", "")
    return {
        "teams": teams,
        "services": services,
        "team": team_id if any(t.id == team_id for t in teams) else None,
        "service": service_id if any(s.id == service_id for s in services) else None,
        "status": status if status in STATUSES else "",
    }


def _selected(user: User, chosen: dict[str, Any], today: date) -> Any:
    statement = (
        select(RemedialAction).join(Audit, Audit.id == RemedialAction.audit_id).where(_scope(user))
    )
    if chosen["team"] is not None:
        statement = statement.where(Audit.team_id == chosen["team"])
    if chosen["service"] is not None:
        statement = statement.where(Audit.service_id == chosen["service"])
    return statement


def _counts(actions: list[RemedialAction], today: date) -> dict[str, int]:
    counts = dict.fromkeys(("total", *STATUSES), 0)
    for action in actions:
        counts["total"] += 1
        counts[action.status.value] += 1
        if action.is_overdue(today):
            counts["overdue"] += 1
    return counts


def _grouped(
    actions: list[RemedialAction], key: Any, today: date
) -> list[tuple[str, dict[str, int]]]:
    groups: dict[str, list[RemedialAction]] = {}
    for action in actions:
        groups.setdefault(key(action), []).append(action)
    return [(name, _counts(items, today)) for name, items in sorted(groups.items())]


def _team_name(action: RemedialAction) -> str:
    audit = action.audit
    return audit.team.name if audit.team else audit.service.name


@bp.route("/")
@requires(Permission.VIEW_CASES)
def index() -> str:
    today = date.today()
    chosen = _filters(current_user)
    statement = _selected(current_user, chosen, today).options(
        joinedload(RemedialAction.audit), joinedload(RemedialAction.owner)
    )
    everything = list(
        db.session.scalars(statement.order_by(RemedialAction.due_date, RemedialAction.id)).unique()
    )
    shown = [a for a in everything if not chosen["status"] or _matches(a, chosen["status"], today)]
    return render_template(
        "actions/index.html",
        counts=_counts(everything, today),
        by_team=_grouped(everything, _team_name, today),
        by_standard=_grouped(everything, lambda a: a.question_label, today),
        actions=shown[:LIST_LIMIT],
        more=max(0, len(shown) - LIST_LIMIT),
        today=today,
        **chosen,
    )


def _matches(action: RemedialAction, status: str, today: date) -> bool:
    if status == "overdue":
        return action.is_overdue(today)
    return action.status.value == status


@bp.route("/actions.csv")
@requires(Permission.VIEW_CASES)
def export() -> Response:
    today = date.today()
    chosen = _filters(current_user)
    statement = _selected(current_user, chosen, today).options(
        joinedload(RemedialAction.audit), joinedload(RemedialAction.owner)
    )
    if chosen["status"]:
        statement = statement.where(_status_condition(chosen["status"], today))
    actions = list(db.session.scalars(statement.order_by(RemedialAction.id)).unique())
    trail.record_view(
        "export.downloaded",
        summary=f"Downloaded the actions CSV ({len(actions)} actions"
        + (f", {chosen['status']}" if chosen["status"] else "")
        + ")",
    )
    header = [
        "Action",
        "Audit",
        "Case or subject",
        "Tool",
        "Service",
        "Team",
        "Standard",
        "What must be done",
        "Owner",
        "Due",
        "Status",
        "Overdue",
        "Reopened",
        "Set by",
        "Set on",
        "Done on",
        "Evidence",
        "Confirmed on",
    ]
    rows = [
        [
            a.id,
            a.audit_id,
            a.audit.subject_label,
            a.audit.tool,
            a.audit.service.name,
            a.audit.team.name if a.audit.team else "",
            a.question_label,
            a.description,
            a.owner.name,
            a.due_date.isoformat(),
            a.status.label,
            "Yes" if a.is_overdue(today) else "No",
            a.reopened,
            a.set_by.name,
            a.set_at.date().isoformat(),
            a.done_at.date().isoformat() if a.done_at else "",
            a.evidence or "",
            a.confirmed_at.date().isoformat() if a.confirmed_at else "",
        ]
        for a in actions
    ]
    return csv_download(f"actions-{today.isoformat()}.csv", header, rows)

"""Moderation pages: the moderator's blind audit and comparison, the programme's list and
draw log, the rule, and the agreement page; plus the audit panel and home section."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, exists, or_, select
from werkzeug.wrappers import Response

from core import trail
from core.access import SEES_EVERYTHING, Permission, can_view_audit, requires
from core.audits import panels, workflow
from core.audits.views import definition_of
from core.extensions import db
from core.inputs import whole_number
from core.models import (
    Audit,
    Moderation,
    ModerationRun,
    ModerationStatus,
    Service,
    Team,
    User,
)
from core.moderation import analytics, comparison
from core.moderation import workflow as moderating
from core.moderation.rule import MAX_SHARE, current_rule, save_rule
from core.moderation.statistics import MIN_PAIRS, TOO_FEW, strength
from core.programme import periods
from core.tools.registry import get_registry

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

RANGES = {"last-3-months": 3, "last-6-months": 6, "last-12-months": 12}
DEFAULT_RANGE = "last-12-months"
COMMENT_LENGTH = 4000


def _moderation_or_404(moderation_id: int) -> Moderation:
    moderation = db.session.get(Moderation, moderation_id)
    if moderation is None:
        abort(404)
    return moderation


def _may_open(moderation: Moderation) -> bool:
    """The moderator always; others once it is completed, if they may see the outcome and
    the line audit."""
    if moderation.moderator_id == current_user.id:
        return True
    return (
        moderation.status is ModerationStatus.COMPLETED
        and comparison.may_see_result(current_user, moderation)
        and can_view_audit(current_user, moderation.line_audit)
    )


def _link(moderation: Moderation) -> str:
    return url_for("moderation.show", moderation_id=moderation.id)


@bp.route("/<int:moderation_id>", methods=["GET", "POST"])
@requires(Permission.VIEW_CASES)
def show(moderation_id: int) -> Any:
    """Blind: what to moderate. Then: both audits side by side, and the agreement."""
    moderation = _moderation_or_404(moderation_id)
    if not _may_open(moderation):
        abort(404)
    line = moderation.line_audit
    if moderation.is_blind:
        if request.method == "POST":
            abort(405)
        return render_template("moderation/blind.html", moderation=moderation, today=date.today())
    second = moderation.moderation_audit
    assert second is not None  # audited or completed: the moderator's audit exists
    definition = definition_of(line)
    compared = comparison.compare(line, second, definition)
    recording = (
        moderation.status is ModerationStatus.AUDITED and moderation.moderator_id == current_user.id
    )
    errors: dict[str, str] = {}
    typed = comparison.initial_choices(compared)
    comment = ""
    if request.method == "POST":
        if not recording:
            flash("The agreement for this moderation has already been recorded.", "info")
            return redirect(_link(moderation))
        judgements, errors, typed = comparison.read_judgements(request.form, compared)
        comment = (request.form.get("comment") or "").strip()
        if len(comment) > COMMENT_LENGTH:
            errors["comment"] = f"The note must be {COMMENT_LENGTH} characters or fewer"
        if not errors:
            comparison.record_agreement(moderation, judgements, comment, _link(moderation))
            db.session.commit()
            flash(
                "Your agreement is recorded. The line auditor and their managers have been told.",
                "success",
            )
            return redirect(_link(moderation))
    # The moderation is the object, not the line audit: viewing is not a step in the
    # audit's history (which lists the line audit's trail entries).
    trail.record_view(
        "moderation.viewed",
        moderation,
        summary=f"Viewed the moderation of {trail.audit_label(line)}",
    )
    judgements_by_key = {j.question: j for j in moderation.judgements}
    page = render_template(
        "moderation/show.html",
        moderation=moderation,
        line=line,
        second=second,
        compared=compared,
        recording=recording,
        errors=errors,
        typed=typed,
        comment=comment,
        judgements=judgements_by_key,
        overall_key=comparison.OVERALL,
        result=comparison.summary(moderation),
    )
    return (page, 400) if errors else page


@bp.route("/<int:moderation_id>/start", methods=["POST"])
@requires(Permission.CONDUCT_AUDITS)
def start(moderation_id: int) -> Response:
    moderation = _moderation_or_404(moderation_id)
    if moderation.moderator_id != current_user.id:
        abort(404)
    if not moderation.is_blind:
        return redirect(_link(moderation))
    try:
        audit = moderating.start(get_registry(), moderation, current_user)
    except workflow.AuditRefused as refusal:
        flash(str(refusal), "error")
        return redirect(_link(moderation))
    return redirect(url_for("audits.edit", audit_id=audit.id))


# -- the programme's view: moderations, the draw log, the rule ------------------------


def _in_scope() -> list[ColumnElement[bool]]:
    """Service managers see their own service's line audits; QA and seniors all."""
    if current_user.role in SEES_EVERYTHING:
        return []
    own = current_user.own_service
    if own is None:
        abort(403)
    return [Audit.service_id == own.id]


@bp.route("/")
@requires(Permission.MANAGE_PROGRAMME)
def index() -> str:
    """Recent moderations and their state, the draw log and the rule."""
    recent = db.session.scalars(
        select(Moderation)
        .join(Audit, Audit.id == Moderation.line_audit_id)
        .where(*_in_scope())
        .order_by(Moderation.period.desc(), Moderation.id)
        .limit(200)
    ).all()
    runs = db.session.scalars(
        select(ModerationRun).order_by(ModerationRun.started_at.desc()).limit(12)
    ).all()
    return render_template(
        "moderation/index.html",
        moderations=recent,
        runs=runs if current_user.role in SEES_EVERYTHING else [],
        rule=current_rule(),
        today=date.today(),
        # Who is moderating what stays from view until it is done: only QA and seniors
        # see the moderator of an open moderation.
        sees_moderators=current_user.role in SEES_EVERYTHING,
    )


@bp.route("/rule", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def rule() -> Any:
    current = current_rule()
    values = {"share": str(current.share_percent), "active": current.active}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {
            "share": (request.form.get("share") or "").strip().removesuffix("%").strip(),
            "active": request.form.get("active") == "y",
        }
        share = whole_number(values["share"], maximum=MAX_SHARE)
        if share is None or share < 1:
            errors["share"] = f"Enter the share as a whole number from 1 to {MAX_SHARE}, like 10"
        else:
            save_rule(share, bool(values["active"]), current_user)
            db.session.commit()
            flash("The moderation rule has been saved. It applies from the next draw.", "success")
            return redirect(url_for("moderation.rule"))
    page = render_template("moderation/rule.html", values=values, errors=errors, rule=current)
    return (page, 400) if errors else page


# -- agreement ----------------------------------------------------------------------


def _period_choices(today: date) -> list[tuple[str, str]]:
    this = periods.month_of(today)
    return [
        ("last-12-months", "Last 12 months"),
        ("last-6-months", "Last 6 months"),
        ("last-3-months", "Last 3 months"),
    ] + [(m.key, m.label) for m in (periods.previous(this, n) for n in range(12))]


def _period_keys(choice: str, today: date) -> list[str] | None:
    this = periods.month_of(today)
    if choice in RANGES:
        return [periods.previous(this, n).key for n in range(RANGES[choice])]
    try:
        return [periods.month(choice).key]
    except ValueError:
        return None


def _chosen(model: type[Any], name: str) -> Any:
    """The object a filter names, or None for a blank or unknown id."""
    number = whole_number(request.args.get(name) or "")
    return db.session.get(model, number) if number else None


@bp.route("/agreement")
@requires(Permission.MANAGE_PROGRAMME)
def agreement() -> Any:
    """How far line auditors and moderators agree, by service, team, auditor and period."""
    today = date.today()
    errors: dict[str, str] = {}
    choice = request.args.get("period") or DEFAULT_RANGE
    keys = _period_keys(choice, today)
    if keys is None:
        errors["period"] = "Choose a period from the list"
        choice, keys = DEFAULT_RANGE, _period_keys(DEFAULT_RANGE, today) or []
    service: Service | None = _chosen(Service, "service")
    team: Team | None = _chosen(Team, "team")
    auditor: User | None = _chosen(User, "auditor")
    if current_user.role not in SEES_EVERYTHING:
        service = current_user.own_service
        if service is None:
            abort(403)
    if team is not None and service is not None and team.service_id != service.id:
        team = None
    conditions: list[ColumnElement[bool]] = [Moderation.period.in_(keys)]
    if service is not None:
        conditions.append(Audit.service_id == service.id)
    if team is not None:
        conditions.append(Audit.team_id == team.id)
    in_scope = analytics.pairs(conditions)
    # Only line auditors with moderated audits here can be chosen (an id typed in the
    # address names nobody else).
    auditor_ids = {p.auditor_id for p in in_scope}
    if auditor is not None and auditor.id not in auditor_ids:
        auditor = None
    found = [p for p in in_scope if auditor is None or p.auditor_id == auditor.id]
    registry = get_registry()
    # Drill down where no narrower filter is chosen: by service, then team, then auditor.
    if service is None:
        level, key = "service", (lambda p: p.service_id)
        names = {s.id: s.name for s in db.session.scalars(select(Service))}
    elif team is None:
        level, key = "team", (lambda p: p.team_id)
        names = {t.id: t.name for t in db.session.scalars(select(Team))}
    else:
        level, key = "auditor", (lambda p: p.auditor_id)
        names = {}
    auditors = (
        db.session.scalars(select(User).where(User.id.in_(auditor_ids)).order_by(User.name)).all()
        if auditor_ids
        else []
    )
    if level == "auditor":
        names = {u.id: u.name for u in auditors}
    trail.record_view(
        "moderation.agreement_viewed",
        summary=f"Viewed moderation agreement ({choice}"
        + (f", {service.name}" if service else "")
        + (f", {team.name}" if team else "")
        + (f", {auditor.name}" if auditor else "")
        + ")",
    )
    page = render_template(
        "moderation/agreement.html",
        tools=analytics.by_tool(registry, found),
        breakdown=analytics.breakdown(found, key, names),  # type: ignore[arg-type]
        level=level,
        audits=len(found),
        errors=errors,
        period=choice,
        period_choices=_period_choices(today),
        service=service,
        team=team,
        auditor=auditor,
        services=db.session.scalars(select(Service).order_by(Service.name)).all()
        if current_user.role in SEES_EVERYTHING
        else [],
        teams=db.session.scalars(
            select(Team)
            .where(Team.service_id == service.id if service else Team.id.is_not(None))
            .order_by(Team.name)
        ).all(),
        auditors=auditors,
        min_pairs=MIN_PAIRS,
        too_few=TOO_FEW,
    )
    return (page, 400) if errors else page


# -- panels ------------------------------------------------------------------------------


def _any_moderation(audit: Audit, _user: User) -> ColumnElement[bool]:
    return exists().where(
        or_(Moderation.line_audit_id == audit.id, Moderation.moderation_audit_id == audit.id)
    )


@panels.audit_panel(order=40, probe=_any_moderation)
def _audit_panel(audit: Audit, user: User) -> panels.Panel | None:
    """On the line audit: drawn, and once done the outcome. On the moderator's audit:
    what it moderates, and the way to the comparison."""
    found = db.session.scalars(
        select(Moderation).where(
            or_(Moderation.line_audit_id == audit.id, Moderation.moderation_audit_id == audit.id)
        )
    ).all()
    as_line = next((m for m in found if m.line_audit_id == audit.id), None)
    as_second = next((m for m in found if m.moderation_audit_id == audit.id), None)
    moderation = as_line or as_second
    if moderation is None or not comparison.may_see_result(user, moderation):
        return None
    return panels.Panel(
        "moderation/_audit_panel.html",
        {
            "moderation": moderation,
            "is_line": as_line is not None,
            "is_moderator": moderation.moderator_id == user.id,
            "result": comparison.summary(moderation),
            "overall_key": comparison.OVERALL,
        },
    )


def _to_moderate(user: User) -> Select[tuple[Moderation]]:
    return select(Moderation).where(
        Moderation.moderator_id == user.id, Moderation.status != ModerationStatus.COMPLETED
    )


@panels.home_section(
    order=15, probe=lambda user: _to_moderate(user).with_only_columns(Moderation.id).exists()
)
def _home_section(user: User) -> panels.Panel | None:
    """Moderations to do, for the moderator."""
    waiting = db.session.scalars(
        _to_moderate(user).order_by(Moderation.due_date, Moderation.id)
    ).all()
    if not waiting:
        return None
    return panels.Panel("moderation/_home.html", {"moderations": waiting, "today": date.today()})


@bp.app_template_filter("kappa_strength")
def _kappa_strength(value: float) -> str:
    return strength(value)


@bp.app_template_global("moderation_rule")
def _moderation_rule() -> Any:
    """The moderation rule, for the audit rules page (which lists it beside the others)."""
    return current_rule()

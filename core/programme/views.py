"""Pages of the audit programme: compliance, allocations and the rules."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core import trail
from core.access import SEES_EVERYTHING, Permission, audit_kind_for, requires
from core.exports import csv_download
from core.extensions import db
from core.inputs import whole_number
from core.models import (
    Allocation,
    AllocationRun,
    AllocationStatus,
    AuditRule,
    CasePool,
    Category,
    Directorate,
    Frequency,
    Role,
    Service,
    Team,
    User,
)
from core.programme import periods
from core.programme.compliance import compliance_rows, coverage, overdue_acknowledgements
from core.programme.rules import default_rules
from core.programme.schedule import upcoming
from core.programme.selection import ORDINARY_WEIGHT
from core.tools.info import Subject
from core.tools.registry import get_registry

bp = Blueprint("programme", __name__, url_prefix="/programme")

RANGES = {"last-6-months": 6, "last-12-months": 12}
#: What the trail records of a rule's change.
RULE_FIELDS = ("quantity", "frequency", "pool", "tool", "months_between", "active", "independent")


# -- compliance ---------------------------------------------------------------


def _period_choices(today: date) -> list[tuple[str, str]]:
    this = periods.month_of(today)
    months = [periods.previous(this, n) for n in range(12)]
    return [(m.key, m.label) for m in months] + [
        ("last-6-months", "Last 6 months"),
        ("last-12-months", "Last 12 months"),
    ]


def _period_keys(choice: str, today: date) -> list[str] | None:
    this = periods.month_of(today)
    if choice in RANGES:
        return [periods.previous(this, n).key for n in range(RANGES[choice])]
    try:
        return [periods.month(choice).key]
    except ValueError:
        return None


T = TypeVar("T")


def _chosen(model: type[T], chosen: int | None) -> T | None:
    # Nothing asked, nothing to look up (the usual first view asked three times for id 0).
    return db.session.get(model, chosen) if chosen else None


def _scope(args: Any) -> tuple[str, dict[str, int | None], list[tuple[str, str]]]:
    """The level to show, its parent, and the breadcrumbs above it.

    Service managers see their own service and below, whatever is asked.
    """
    team = _chosen(Team, args.get("team", type=int))
    service = _chosen(Service, args.get("service", type=int))
    directorate = _chosen(Directorate, args.get("directorate", type=int))
    if current_user.role not in SEES_EVERYTHING:
        own = current_user.own_service
        if own is None:
            abort(403)
        directorate = None
        if team is None or team.service_id != own.id:
            team = None
        service = own
    if team is not None:
        return "auditor", {"team_id": team.id}, _crumbs(team.service, team)
    if service is not None:
        return "team", {"service_id": service.id}, _crumbs(service)
    if directorate is not None:
        return (
            "service",
            {"directorate_id": directorate.id},
            [("Whole council", url_for("programme.compliance"))],
        )
    return "directorate", {}, []


def _crumbs(service: Service, team: Team | None = None) -> list[tuple[str, str]]:
    crumbs = []
    if current_user.role in SEES_EVERYTHING:
        crumbs += [
            ("Whole council", url_for("programme.compliance")),
            (
                service.directorate.name,
                url_for("programme.compliance", directorate=service.directorate_id),
            ),
        ]
    if team is not None:
        crumbs.append((service.name, url_for("programme.compliance", service=service.id)))
    return crumbs


def _compliance_data() -> dict[str, Any]:
    today = date.today()
    choice = request.args.get("period", periods.month_of(today).key)
    keys = _period_keys(choice, today)
    errors = {}
    if keys is None:
        errors["period"] = "Choose a period from the list"
        choice, keys = periods.month_of(today).key, [periods.month_of(today).key]
    level, parent, crumbs = _scope(request.args)
    rows = compliance_rows(level, keys, today, **parent)
    return {
        "level": level,
        "parent": parent,
        "crumbs": crumbs,
        "rows": rows,
        "today": today,
        "period": choice,
        "period_choices": _period_choices(today),
        "errors": errors,
        "coverage": coverage(today, **parent),
        "overdue_acknowledgements": overdue_acknowledgements(today, **parent),
        # The same scope as URL parameters (directorate=, service=, team=).
        "scope_args": {name.removesuffix("_id"): value for name, value in parent.items()},
    }


CHILD_PARAM = {"directorate": "directorate", "service": "service", "team": "team"}


@bp.route("/compliance")
@requires(Permission.MANAGE_PROGRAMME)
def compliance() -> Any:
    data = _compliance_data()
    page = render_template(
        "programme/compliance.html",
        child_param=CHILD_PARAM,
        schedule=upcoming(data["today"]),
        **data,
    )
    return (page, 400) if data["errors"] else page


@bp.route("/compliance.csv")
@requires(Permission.MANAGE_PROGRAMME)
def compliance_csv() -> Response:
    data = _compliance_data()
    trail.record_view(
        "export.downloaded",
        summary=f"Downloaded the compliance CSV ({data['level']}, {data['period']})",
    )
    header = [
        data["level"].capitalize(),
        "Allocated",
        "Completed",
        "Overdue",
        "Not yet due",
        "Waived",
        "Completion %",
    ]
    # Names (of teams, services, auditors) are text typed by people: csv_download
    # neutralises any that could run as a formula. The counts are the app's own numbers.
    rows = [
        [
            row.label,
            row.allocated,
            row.completed,
            row.overdue,
            row.outstanding,
            row.waived,
            "" if row.completion is None else row.completion,
        ]
        for row in data["rows"]
    ]
    return csv_download(f"compliance-{data['level']}-{data['period']}.csv", header, rows)


@bp.route("/runs")
@requires(Permission.MANAGE_PROGRAMME)
def runs() -> str:
    """The allocation log: each run's seed, and what was drawn from which pool and why."""
    recent = db.session.scalars(
        select(AllocationRun).order_by(AllocationRun.started_at.desc()).limit(24)
    ).all()
    return render_template("programme/runs.html", runs=recent)


# -- one allocation: reassign or waive ------------------------------------------


#: Whose allocations a line manager may change: the staff they manage, by role.
_LINE_REPORTS: dict[Role, frozenset[Role]] = {
    Role.TEAM_MANAGER: frozenset({Role.DEPUTY_TEAM_MANAGER, Role.SOCIAL_WORKER}),
    Role.DEPUTY_TEAM_MANAGER: frozenset({Role.SOCIAL_WORKER}),
    Role.SERVICE_MANAGER: frozenset(
        {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER, Role.SOCIAL_WORKER}
    ),
}


def _may_manage(allocation: Allocation) -> bool:
    """Who may reassign or waive (docs/decisions.md): the auditor, the auditor's own line
    manager, an independent reviewer or a senior manager.

    It follows the auditor's line, not the case's team: a team manager must not change
    work given to an independent reviewer or to their own service manager.
    """
    user = current_user
    if user.role in SEES_EVERYTHING or user.id == allocation.auditor_id:
        return True
    auditor = allocation.auditor
    if auditor.role not in _LINE_REPORTS.get(user.role, frozenset()):
        return False
    if user.role is Role.SERVICE_MANAGER:
        service = auditor.service
        return service is not None and service.id == user.service_id
    return auditor.team_id is not None and auditor.team_id == user.team_id


def _reassign_choices(allocation: Allocation) -> list[User]:
    """Everyone else who may carry out this audit of this case: the same kind of audit
    (line management, independent, ...) on a case in their scope, so the new auditor can
    open it."""
    candidates = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.id != allocation.auditor_id)
        .order_by(User.name)
    )
    case = allocation.case
    return [user for user in candidates if audit_kind_for(user, case) is allocation.kind]


@bp.route("/allocations/<int:allocation_id>", methods=["GET", "POST"])
@requires(Permission.CONDUCT_AUDITS)
def allocation(allocation_id: int) -> Any:
    record = db.session.get(Allocation, allocation_id)
    if record is None or not _may_manage(record):
        abort(404)
    errors: dict[str, str] = {}
    typed = {"action": request.form.get("action", ""), "reason": "", "auditor": ""}
    if request.method == "POST":
        reason = (request.form.get("reason") or "").strip()
        typed.update(reason=reason, auditor=request.form.get("auditor", ""))
        if record.status is not AllocationStatus.ALLOCATED or record.audit_id is not None:
            errors["action"] = "Only an allocation that has not been started can be changed"
        if typed["action"] not in {"reassign", "waive"}:
            errors["action"] = "Choose whether to reassign or waive this allocation"
        if not reason:
            errors["reason"] = "Enter the reason: it is kept with the allocation"
        new_auditor = None
        if typed["action"] == "reassign":
            new_auditor = next(
                (u for u in _reassign_choices(record) if str(u.id) == typed["auditor"]), None
            )
            if new_auditor is None and typed["auditor"]:
                errors["auditor"] = "Choose someone who can audit this case"
            elif new_auditor is None:
                errors["auditor"] = "Choose who the audit goes to"
        if not errors:
            stamp = f"{date.today():%d/%m/%Y} {current_user.name}"
            was = trail.snapshot(record, "auditor_id", "status")
            if new_auditor is not None:
                note = f"{stamp}: reassigned from {record.auditor.name} to {new_auditor.name}"
                record.auditor_id = new_auditor.id
            else:
                note = f"{stamp}: waived"
                record.status = AllocationStatus.WAIVED
            record.note = "\n".join(filter(None, [record.note, f"{note}. {reason}"]))
            record.changed_by_id = current_user.id
            before, after = trail.changes(was, trail.snapshot(record, "auditor_id", "status"))
            trail.record(
                f"allocation.{typed['action']}d",
                record,
                summary=f"Allocation {record.id}: {note}. {reason}",
                before=before,
                after=after,
            )
            db.session.commit()
            flash("The allocation has been changed; the reason is kept with it.", "success")
            return redirect(url_for("programme.allocation", allocation_id=record.id))
    page = render_template(
        "programme/allocation.html",
        allocation=record,
        errors=errors,
        typed=typed,
        auditors=_reassign_choices(record),
        today=date.today(),
    )
    return (page, 400) if errors else page


# -- rules ------------------------------------------------------------------------


def _rules_statement():  # type: ignore[no-untyped-def]
    statement = select(AuditRule).order_by(AuditRule.service_id.is_(None), AuditRule.id)
    if current_user.role is Role.SERVICE_MANAGER:
        statement = statement.where(AuditRule.service_id == current_user.service_id)
    return statement


@bp.route("/rules")
@requires(Permission.EDIT_RULES)
def rules() -> str:
    return render_template(
        "programme/rules.html", rules=db.session.scalars(_rules_statement()).all()
    )


@bp.route("/rules/defaults", methods=["POST"])
@requires(Permission.ADMINISTER)
def add_default_rules() -> Any:
    made = default_rules(get_registry())
    trail.record("rule.created", summary=f"Added {len(made)} rules from the report's defaults")
    db.session.commit()
    flash(f"Added {len(made)} rules from the report's defaults.", "success")
    return redirect(url_for("programme.rules"))


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@requires(Permission.EDIT_RULES)
def rule(rule_id: int) -> Any:
    record = db.session.scalar(_rules_statement().where(AuditRule.id == rule_id))
    if record is None:
        abort(404)
    tools = [
        t
        for t in get_registry().all()
        if t.subject == Subject.CASE
        and (record.service is None or record.service.directorate.code in t.directorates)
    ]
    errors: dict[str, str] = {}
    values = {
        "quantity": str(record.quantity),
        "frequency": record.frequency.value,
        "pool": record.pool.value,
        "tool": record.tool,
        "months": str(record.months_between),
        "active": record.active,
        "independent": record.independent,
    }
    if request.method == "POST":
        form = request.form
        values = {
            key: (form.get(key) or "").strip()
            for key in ("quantity", "frequency", "pool", "tool", "months")
        }
        values["active"] = form.get("active") == "y"
        values["independent"] = form.get("independent") == "y"
        if not 0 < (whole_number(values["quantity"]) or 0) <= 50:
            errors["quantity"] = "Enter how many files, a whole number from 1 to 50"
        if values["frequency"] not in {f.value for f in Frequency}:
            errors["frequency"] = "Choose how often"
        if values["pool"] not in {p.value for p in CasePool}:
            errors["pool"] = "Choose which cases to draw from"
        if values["tool"] not in {t.slug for t in tools}:
            errors["tool"] = "Choose the audit tool"
        if whole_number(values["months"], maximum=36) is None:
            errors["months"] = "Enter a number of months from 0 to 36, like 12"
        if not errors:
            was = trail.snapshot(record, *RULE_FIELDS)
            record.quantity = int(values["quantity"])
            record.frequency = Frequency(values["frequency"])
            record.pool = CasePool(values["pool"])
            record.tool = values["tool"]
            record.months_between = int(values["months"])
            record.active = bool(values["active"])
            record.independent = bool(values["independent"])
            record.updated_by_id = current_user.id
            before, after = trail.changes(was, trail.snapshot(record, *RULE_FIELDS))
            trail.record(
                "rule.updated",
                record,
                summary=f"Changed audit rule {record.id}",
                before=before,
                after=after,
            )
            db.session.commit()
            flash("The rule has been saved. It applies from the next allocation.", "success")
            return redirect(url_for("programme.rules"))
    page = render_template(
        "programme/rule.html",
        rule=record,
        tools=tools,
        values=values,
        errors=errors,
        frequencies=list(Frequency),
        pools=list(CasePool),
        weighted=_weighted_categories(record),
    )
    return (page, 400) if errors else page


def _weighted_categories(rule: AuditRule) -> list[Category]:
    """The active categories the rule's draw weighs other than ordinary (1), heaviest first.

    The weights belong to the categories (Administration -> Case categories),
    not to rules: the rule page only says what they are where it draws.
    """
    if rule.service is not None:
        codes = [rule.service.directorate.code]
    else:
        tool = get_registry().get(rule.tool)
        codes = list(tool.directorates) if tool else []
    statement = (
        select(Category)
        .join(Directorate)
        .where(
            Directorate.code.in_(codes),
            Category.active.is_(True),
            Category.risk_weight != ORDINARY_WEIGHT,
        )
        .order_by(Category.risk_weight.desc(), Category.label)
    )
    return list(db.session.scalars(statement))

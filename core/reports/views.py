"""The report page, assembled from the report sections of the tools in scope."""

from __future__ import annotations

import dataclasses
from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from core.access import Permission, requires
from core.extensions import db
from core.models import Audit, AuditStatus, ServiceTool
from core.models.audits import SCALE
from core.reports import periods
from core.reports.scopes import Scope, scopes_for
from core.tools.registry import get_registry
from core.tools.reporting import ReportScope, ReportSection

bp = Blueprint("reports", __name__, url_prefix="/reports")


def tools_in_scope(scope: Scope, period: periods.Period, report: ReportScope) -> list[str]:
    """Tools switched on in the scope, plus any with audits there in the period.

    A tool switched off later still reports the audits done while it was on.
    """
    registry = get_registry()
    switched_on = set(
        db.session.scalars(
            select(ServiceTool.tool).where(
                ServiceTool.service_id.in_(scope.service_ids), ServiceTool.enabled.is_(True)
            )
        )
    )
    with_audits = set(
        db.session.scalars(select(Audit.tool).where(*report.conditions(any_tool=True)).distinct())
    )
    return [tool.slug for tool in registry.all() if tool.slug in switched_on | with_audits]


@bp.route("/")
@requires(Permission.VIEW_REPORTS)
def report() -> tuple[str, int] | str:
    today = date.today()
    scopes = scopes_for(current_user)
    if not scopes:
        abort(403)
    errors: dict[str, str] = {}
    period_key = request.args.get("period", periods.DEFAULT_PERIOD)
    period = periods.parse(period_key, today)
    if period is None:
        errors["period"] = "Choose a reporting period from the list"
        period = periods.parse(periods.DEFAULT_PERIOD, today)
        assert period is not None
    scope_key = request.args.get("scope", scopes[0].key)
    scope = next((s for s in scopes if s.key == scope_key), None)
    if scope is None:
        errors["scope"] = "Choose a part of the council you can report on"
        scope = scopes[0]

    sections: list[tuple[ReportSection, Markup]] = []
    registry = get_registry()
    probe = ReportScope(
        tool="",
        start=period.start,
        end=period.end,
        label=scope.label,
        period_label=period.label,
        directorate_id=scope.directorate_id,
        service_id=scope.service_id,
        team_id=scope.team_id,
    )
    for slug in tools_in_scope(scope, period, probe):
        section = registry.report_section(dataclasses.replace(probe, tool=slug))
        if section is not None:
            html = render_template(
                section.template, section=section, scope=probe, scale=SCALE, **section.context
            )
            sections.append((section, Markup(html)))

    period_choices = periods.choices(today)
    if all(p.key != period.key for p in period_choices):
        period_choices.insert(0, period)
    page = render_template(
        "reports/report.html",
        scopes=scopes,
        scope=scope,
        period=period,
        period_choices=period_choices,
        sections=sections,
        errors=errors,
        submitted_status=AuditStatus.SUBMITTED,
    )
    return (page, 400) if errors else page

"""The report page: results, line against independent, trend and follow-up.

Four views of one period and scope, chosen by ``view`` in the address so each
can be bookmarked and sent. "Results" shows each tool's own section (the
``careaudit_report_section`` hook); the other views render document sections
built by :mod:`core.reports.content`, the same ones the committee pack exports.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from functools import partial

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Row, select

from core import setup_cache
from core.access import Permission, has_permission, requires
from core.extensions import db
from core.models import AuditKind, AuditStatus, Category
from core.models.audits import SCALE
from core.reports import content, kept, periods
from core.reports.scopes import scopes_for
from core.tools.registry import ToolRegistry, get_registry
from core.tools.reporting import ReportScope, ReportSection

bp = Blueprint("reports", __name__, url_prefix="/reports")

VIEWS = {
    "results": "Results",
    "compare": "Line management against independent",
    "trend": "Trend",
    "followup": "Actions, moderation and concerns",
}
RANGE = "range"
#: Months offered as the start and end of a range.
RANGE_MONTHS = 48


def month_choices(today: date) -> list[periods.Period]:
    """The last few years' months, newest first, for a range's From and To."""
    year, number = today.year, today.month
    out = []
    for _ in range(RANGE_MONTHS):
        out.append(periods.month(year, number))
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return out


def read_request(args, today: date, default_scope: str) -> tuple[content.ReportRequest, dict]:
    """The report the query string asks for, and a message per field that was wrong.

    A wrong value never fails the page: the field falls back to its default and
    says why, keeping everything else the user chose.
    """
    errors: dict[str, str] = {}
    period_key = args.get("period") or periods.DEFAULT_PERIOD
    if period_key == RANGE:
        first, last = args.get("from", ""), args.get("to", "")
        period_key = periods.range_key(first, last)
        if periods.parse(period_key, today) is None:
            errors["from"] = (
                "Choose the first and last month of the range, the first no later than the last"
            )
    elif periods.parse(period_key, today) is None:
        errors["period"] = "Choose a reporting period from the list"
    if errors:
        period_key = periods.DEFAULT_PERIOD
    kinds = tuple(k for k in args.getlist("kind") if k in {kind.value for kind in AuditKind})
    if len(kinds) != len(args.getlist("kind")):
        errors["kind"] = "Choose kinds of audit from the list"
    category = args.get("category", "")
    categories = (category,) if category else ()
    tool = args.get("tool", "")
    tools = (tool,) if tool and tool in get_registry() else ()
    if tool and not tools:
        errors["tool"] = "Choose an audit tool from the list"
    unit = args.get("unit", "quarter")
    if unit not in ("quarter", "month"):
        unit = "quarter"
    try:
        length = int(args.get("length", "8"))
    except ValueError:
        length = 8
    if length not in content.TREND_LENGTHS:
        errors["length"] = "Choose between 4 and 8 periods"
        length = 8
    report = content.ReportRequest(
        period=period_key,
        scope=args.get("scope") or default_scope,
        kinds=kinds,
        categories=categories,
        tools=tools,
        trend_unit=unit,  # type: ignore[arg-type]
        trend_length=length,
    )
    return report, errors


@bp.route("/")
@requires(Permission.VIEW_REPORTS)
def report() -> tuple[str, int] | str:
    today = date.today()
    scopes = scopes_for(current_user)
    if not scopes:
        abort(403)
    wanted, errors = read_request(request.args, today, scopes[0].key)
    if all(s.key != wanted.scope for s in scopes):
        errors["scope"] = "Choose a part of the council you can report on"
        wanted = dataclasses.replace(wanted, scope=scopes[0].key)
    if wanted.categories and not db.session.scalar(
        select(Category.id).where(Category.code == wanted.categories[0])
    ):
        errors["category"] = "Choose a case category from the list"
        wanted = dataclasses.replace(wanted, categories=())
    view = request.args.get("view", "results")
    if view not in VIEWS:
        view = "results"
    resolved = content.resolve(wanted, current_user, today)

    tool_sections: list[tuple[ReportSection, Markup]] = []
    document_sections = []
    if view == "results":
        registry = get_registry()
        for slug in resolved.tools:
            scope = resolved.for_tool(slug)
            rendered = kept.section(scope, partial(_tool_section, registry, scope))
            if rendered is not None:
                tool_sections.append(rendered)
    else:
        keys = _section_keys(view, resolved)
        headings = dict(content.available_sections(resolved.request, current_user))
        document_sections = [
            content.build_section(resolved, key, headings[key]) for key in keys if key in headings
        ]

    period_choices = periods.choices(today)
    # A period from a bookmark that the list no longer offers (an old quarter) stays chosen.
    known = {p.key for p in period_choices}
    if resolved.period.key not in known and ".." not in resolved.period.key:
        period_choices.insert(0, resolved.period)
    page = render_template(
        "reports/report.html",
        narrative_url=_narrative_url(),
        scopes=scopes,
        scope=resolved.scope,
        period=resolved.period,
        period_choices=period_choices,
        is_range=".." in resolved.period.key,
        months=month_choices(today),
        kinds=list(AuditKind),
        categories=_categories(),
        tools=get_registry().all(),
        wanted=resolved.request,
        view=view,
        views=VIEWS,
        sections=tool_sections,
        document_sections=document_sections,
        errors=errors,
        args=request.args,
        submitted_status=AuditStatus.SUBMITTED,
        trend_lengths=content.TREND_LENGTHS,
    )
    return (page, 400) if errors else page


def _tool_section(registry: ToolRegistry, scope: ReportScope) -> kept.Rendered | None:
    """A tool's section of the results view, and its markup."""
    section = registry.report_section(scope)
    if section is None:
        return None
    html = render_template(
        section.template, section=section, scope=scope, scale=SCALE, **section.context
    )
    return section, Markup(html)


def _categories() -> list[Row[tuple[str, str]]]:
    """The case categories to filter on (code and label), kept with the set-up."""
    return setup_cache.kept(
        ("report categories",),
        lambda: db.session.execute(
            select(Category.code, Category.label).order_by(Category.label)
        ).all(),
    )


def _narrative_url() -> str | None:
    """The evidence comments page for the same report, for those who may read comments."""
    if not has_permission(current_user, Permission.VIEW_EVIDENCE_COMMENTS):
        return None
    query = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "view"}
    return url_for("narrative.page", **query)


def _section_keys(view: str, resolved: content.Resolved) -> list[str]:
    if view == "compare":
        return [f"compare-{slug}" for slug in resolved.tools]
    if view == "trend":
        return [f"trend-{slug}" for slug in resolved.tools]
    return [f"tool-{slug}" for slug in resolved.tools] + ["actions", "moderation", "concerns"]

"""A report request from a page's parameters, and back again.

The narrative page and the "Build a committee report" button read exactly what
the report page reads (``core.reports.views.read_request``), so a link or a form
carries the same period, scope and filters from one page to the other.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from core.models import CommitteeReport, User
from core.reports.content import ReportRequest, Resolved, resolve
from core.reports.scopes import scopes_for


def read(args: MultiDict[str, str], user: User) -> tuple[ReportRequest, dict[str, str]]:
    """The request ``args`` describe, and a message per field that was wrong.

    A wrong value falls back to its default (and says so); a scope the user may
    not report on is an error too.
    """
    from core.reports.views import read_request

    scopes = scopes_for(user)
    default_scope = scopes[0].key if scopes else ""
    wanted, errors = read_request(args, date.today(), default_scope)
    if all(s.key != wanted.scope for s in scopes):
        errors["scope"] = "Choose a part of the council you can report on"
    return wanted, errors


def query(request: ReportRequest) -> dict[str, Any]:
    """The report page's parameters for ``request`` (for ``url_for``)."""
    params: dict[str, Any] = {"period": request.period, "scope": request.scope}
    if request.kinds:
        params["kind"] = list(request.kinds)
    if request.categories:
        params["category"] = request.categories[0]
    if request.tools:
        params["tool"] = request.tools[0]
    params["unit"] = request.trend_unit
    params["length"] = request.trend_length
    return params


def of_report(report: CommitteeReport, *, with_content: bool = True) -> ReportRequest:
    """The request a committee report stands for, with its narratives and pins."""
    from core.exports.document import Quote

    pins: dict[str, list[Quote]] = {}
    narratives: dict[str, str] = {}
    if with_content:
        for pin in report.pins:
            pins.setdefault(pin.section_key, []).append(Quote(pin.text, pin.source))
        narratives = dict(report.narratives or {})
    return ReportRequest(
        period=report.period_key,
        scope=report.scope_key,
        kinds=tuple(report.kinds or ()),
        categories=tuple(report.categories or ()),
        tools=tuple(report.tools or ()),
        sections=tuple(report.sections or ()),
        trend_unit=report.trend_unit,  # type: ignore[arg-type]
        trend_length=report.trend_length,
        narratives=narratives,
        pins=pins,
    )


def resolved(report: CommitteeReport, user: User) -> Resolved:
    """The report's period, scope and tools as ``user`` may see them; ``ValueError`` if not."""
    return resolve(of_report(report, with_content=False), user)

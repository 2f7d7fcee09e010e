"""The adults' audit section of the report, counted in SQL."""

from __future__ import annotations

from core.tools import ReportScope, ReportSection, standards_report_context
from plugins.adult_audit import SLUG
from plugins.adult_audit.standards import STANDARDS

TITLE = "Adults’ case file audits"


def report_section(scope: ReportScope) -> ReportSection:
    questions = [(s.key, f"Standard {s.number}", s.question) for s in STANDARDS]
    context = standards_report_context(scope, questions)
    return ReportSection(
        tool=SLUG,
        title=TITLE,
        template="adult_audit/report_section.html",
        audit_count=context["audit_count"],
        context=context,
    )

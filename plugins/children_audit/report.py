"""The children's audit section of the report, counted in SQL."""

from __future__ import annotations

from core.tools import ReportScope, ReportSection, standards_report_context
from core.tools.reporting import value_tables
from plugins.children_audit import SLUG
from plugins.children_audit.standards import STANDARD_6_ITEMS, STANDARDS

TITLE = "Children’s case file audits"


def report_section(scope: ReportScope) -> ReportSection:
    questions = [(s.key, f"Standard {s.number}", s.question) for s in STANDARDS]
    context = standards_report_context(scope, questions)
    return ReportSection(
        tool=SLUG,
        title=TITLE,
        template="children_audit/report_section.html",
        audit_count=context["audit_count"],
        context={
            **context,
            "standard_6_items": STANDARD_6_ITEMS,
            "standard_6_counts": value_tables(scope, [key for key, _, _ in STANDARD_6_ITEMS]),
        },
    )

"""The children's audit section of the report, counted in SQL."""

from __future__ import annotations

from core.tools import ReportScope, ReportSection
from core.tools.reporting import (
    ALL_KINDS,
    audit_counts_by_kind,
    kind_tabs,
    outcome_distributions,
    rating_tables,
    value_tables,
)
from plugins.children_audit import SLUG
from plugins.children_audit.standards import STANDARD_6_ITEMS, STANDARDS

TITLE = "Children’s case file audits"


def report_section(scope: ReportScope) -> ReportSection:
    counts = audit_counts_by_kind(scope)
    questions = [(s.key, f"Standard {s.number}", s.question) for s in STANDARDS]
    items = value_tables(scope, [key for key, _, _ in STANDARD_6_ITEMS])
    return ReportSection(
        tool=SLUG,
        title=TITLE,
        template="children_audit/report_section.html",
        audit_count=counts[ALL_KINDS],
        context={
            "tabs": kind_tabs(counts),
            "tables": rating_tables(scope, questions),
            "outcomes": outcome_distributions(scope),
            "standard_6_items": STANDARD_6_ITEMS,
            "standard_6_counts": items,
        },
    )

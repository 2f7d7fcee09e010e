"""The adults' audit section of the report, counted in SQL."""

from __future__ import annotations

from core.tools import ReportScope, ReportSection
from core.tools.reporting import (
    ALL_KINDS,
    audit_counts_by_kind,
    kind_tabs,
    outcome_distributions,
    rating_tables,
)
from plugins.adult_audit import SLUG
from plugins.adult_audit.standards import STANDARDS

TITLE = "Adults’ case file audits"


def report_section(scope: ReportScope) -> ReportSection:
    counts = audit_counts_by_kind(scope)
    questions = [(s.key, f"Standard {s.number}", s.question) for s in STANDARDS]
    return ReportSection(
        tool=SLUG,
        title=TITLE,
        template="adult_audit/report_section.html",
        audit_count=counts[ALL_KINDS],
        context={
            "tabs": kind_tabs(counts),
            "tables": rating_tables(scope, questions),
            "outcomes": outcome_distributions(scope),
        },
    )

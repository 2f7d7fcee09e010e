"""The children's audit section of the report, counted in SQL."""

from __future__ import annotations

from core.exports.document import Table
from core.models import AuditKind
from core.tools import ReportScope, ReportSection, standards_report_context
from core.tools.reporting import ALL_KINDS, value_tables
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


#: The kinds always given their own columns: the committee reads line management
#: audits and independent audits side by side and never blended.
COMPARED_KINDS = (AuditKind.LINE_MANAGEMENT, AuditKind.INDEPENDENT)
ITEM_FIGURES = ("Yes", "No", "Not applicable", "N", "Yes (%)")


def report_tables(scope: ReportScope) -> list[Table] | None:
    """Standard 6's three items (PEP, health assessment, SDQ) for the committee pack.

    The figures of the report section's Standard 6 table, one group of columns
    per kind of audit: line management and independent always, a self-audit or
    senior management sample only where there are any. N is the number of files
    where the item applied (yes or no); the share is of N. ``None`` when no
    audit in scope answered the items.
    """
    keys = [key for key, _, _ in STANDARD_6_ITEMS]
    counts = value_tables(scope, keys)
    if not counts.get(ALL_KINDS):
        return None
    # A report filtered to some kinds of audit shows only those (getattr: older scopes
    # have no kind filter).
    chosen = set(getattr(scope, "kinds", ()) or ())
    kinds = [
        *(k for k in COMPARED_KINDS if not chosen or k.value in chosen),
        *(k for k in AuditKind if k not in COMPARED_KINDS and counts.get(k.value)),
    ]
    rows = []
    for key, text, _ in STANDARD_6_ITEMS:
        row: list[str | int | None] = [text]
        for kind in kinds:
            c = counts.get(kind.value, {}).get(key, {})
            yes, no = c.get("yes", 0), c.get("no", 0)
            applied = yes + no
            share = round(100 * yes / applied) if applied else None
            row += [yes, no, c.get("not_applicable", 0), applied, share]
        rows.append(tuple(row))
    columns = ["Item"] + [f"{kind.label}: {figure}" for kind in kinds for figure in ITEM_FIGURES]
    return [
        Table(
            caption="Standard 6, looked after children: PEP, health assessment and SDQ",
            columns=tuple(columns),
            rows=tuple(rows),
            numeric=(False, *([True] * (len(columns) - 1))),
            note="Number of files answering each item, by kind of audit (never added "
            "together). N is the number of files where the item applied (yes or no); "
            "Yes (%) is the share of N.",
            key=f"{SLUG}-standard-6",
        )
    ]

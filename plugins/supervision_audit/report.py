"""The supervision audit section of the report, counted in SQL."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.models import Rating
from core.tools import ReportScope, ReportSection, standards_report_context
from core.tools.reporting import ALL_KINDS, RatingRow, value_tables
from plugins.supervision_audit import SLUG
from plugins.supervision_audit.questions import (
    FREQUENCY_COMPLIANCE,
    FREQUENCY_RATING,
    QUALITY_QUESTIONS,
    SESSIONS_RECORDED,
)

TITLE = "Supervision audits"


def _whole(value: Any) -> int | None:
    """An average from the database (float on SQLite, Decimal on PostgreSQL), halves up."""
    if value is None:
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def average_compliance(scope: ReportScope) -> dict[str, int | None]:
    """Average frequency compliance (%) over the audits in scope, per kind and for all.

    Worked out from how many audits gave each whole-number compliance (``value_tables``,
    which core counts as audits are submitted), so a council-wide year reads a few rows
    instead of every supervision audit's answers. The sum is exact (``Decimal``) and the
    average rounds halves up, as the database's ``AVG`` did.
    """
    averages: dict[str, int | None] = {ALL_KINDS: None}
    for kind, by_question in value_tables(scope, [FREQUENCY_COMPLIANCE]).items():
        values = by_question.get(FREQUENCY_COMPLIANCE, {})
        total = sum(values.values())
        if total:
            weighted = sum(Decimal(int(value)) * n for value, n in values.items())
            averages[kind] = _whole(weighted / total)
    return averages


def report_section(scope: ReportScope) -> ReportSection:
    questions = [(q.key, q.label, q.question()) for q in QUALITY_QUESTIONS]
    context = standards_report_context(
        scope, [*questions, (FREQUENCY_RATING, "Frequency", "Frequency of supervision")]
    )
    # The frequency rating is shown as a distribution of its own, not among the quality rows.
    frequency: dict[str, RatingRow] = {}
    quality: dict[str, list[RatingRow]] = {}
    for kind, rows in context["tables"].items():
        frequency[kind] = next(r for r in rows if r.key == FREQUENCY_RATING)
        quality[kind] = [r for r in rows if r.key != FREQUENCY_RATING]
    recorded = value_tables(scope, [SESSIONS_RECORDED])
    none_recorded = {
        kind: values.get(SESSIONS_RECORDED, {}).get("0", 0) for kind, values in recorded.items()
    }
    return ReportSection(
        tool=SLUG,
        title=TITLE,
        template="supervision_audit/report_section.html",
        audit_count=context["audit_count"],
        context={
            **context,
            "frequency": frequency,
            # Frequency is Not met exactly when the record is flagged (scoring rule 1).
            "flagged": {kind: row.counts[Rating.NOT_MET] for kind, row in frequency.items()},
            "flagged_share": {kind: row.percent(Rating.NOT_MET) for kind, row in frequency.items()},
            "average_compliance": average_compliance(scope),
            "none_recorded": none_recorded,
            "tables": quality,
        },
    )

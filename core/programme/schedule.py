"""The schedule of reports (report, lines 457-470) as upcoming items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.tools.registry import get_registry


@dataclass(frozen=True)
class ReportDue:
    due: date
    what: str
    to: str
    by: str


def _next_month_start(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _next_quarter_start(day: date) -> date:
    """The council's quarters start in April, July, October and January."""
    candidate = _next_month_start(day)
    while candidate.month not in (1, 4, 7, 10):
        candidate = _next_month_start(candidate)
    return candidate


def upcoming(today: date) -> list[ReportDue]:
    """What is due to whom next: SMT monthly, CMT and committee quarterly, themed audits."""
    month, quarter = _next_month_start(today), _next_quarter_start(today)
    items = [
        ReportDue(
            month,
            "Case file audits, standard by standard (line management)",
            "Senior management team (SMT)",
            "Team and service managers",
        ),
        ReportDue(
            month,
            "Independent audits by IROs and quality assurance",
            "Senior management team (SMT)",
            "Safeguarding and quality assurance",
        ),
        ReportDue(
            quarter,
            "Independent audits and the SC&QA report",
            "Corporate management team (CMT) and Policy Overview Committee",
            "Safeguarding and quality assurance",
        ),
        ReportDue(
            quarter,
            "Children in need, child protection and looked after reports",
            "SMT, CMT and Policy Overview Committee",
            "Performance analysts and service managers",
        ),
    ]
    six_monthly = quarter
    while six_monthly.month not in (4, 10):
        six_monthly = _next_quarter_start(six_monthly)
    items.append(
        ReportDue(
            six_monthly,
            "Random selection of cases audited by senior managers",
            "CMT and Policy Overview Committee",
            "CMT / Chief Executive",
        )
    )
    # Plugins add their own, e.g. each themed audit's report.
    for result in get_registry().pm.hook.careaudit_upcoming_reports(today=today):
        items.extend(result or [])
    return sorted(items, key=lambda item: item.due)


def next_month_start(day: date) -> date:
    return _next_month_start(day)

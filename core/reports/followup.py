"""The report's follow-up sections: actions, moderation agreement, safeguarding concerns.

Each counts what followed the audits in scope (the audits' dates, part of the
council, kinds and categories), in SQL, and returns document blocks. Only
counts leave here: never a case, a worker or the words of a concern.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, exists, func, select

from core.exports.document import Block, Paragraph, Table
from core.extensions import db
from core.models import (
    ActionStatus,
    Audit,
    Concern,
    ConcernEscalation,
    ConcernResponse,
    RemedialAction,
)
from core.moderation import analytics
from core.moderation.statistics import MIN_PAIRS
from core.tools.registry import get_registry
from core.tools.reporting import ReportScope

WHOLE_FILE = "The whole file"


def _audits_in(scope: ReportScope):
    return select(Audit.id).where(*scope.conditions(any_tool=True))


def action_blocks(scope: ReportScope, today: date | None = None) -> list[Block]:
    """Actions set on the audits in scope: set, open, overdue, done, confirmed, by standard."""
    today = today or date.today()
    status = RemedialAction.status
    rows = db.session.execute(
        select(
            RemedialAction.question_label,
            func.count(RemedialAction.id),
            func.sum(case((status == ActionStatus.OPEN, 1), else_=0)),
            func.sum(
                case(
                    ((status == ActionStatus.OPEN) & (RemedialAction.due_date < today), 1), else_=0
                )
            ),
            func.sum(case((status == ActionStatus.DONE, 1), else_=0)),
            func.sum(case((status == ActionStatus.CONFIRMED, 1), else_=0)),
            func.sum(case((RemedialAction.reopened > 0, 1), else_=0)),
        )
        .where(RemedialAction.audit_id.in_(_audits_in(scope)))
        .group_by(RemedialAction.question_label)
        .order_by(RemedialAction.question_label)
    ).all()
    if not rows:
        return [Paragraph("No actions were set on the audits in this report.")]
    body = [tuple([label or WHOLE_FILE, *(int(n or 0) for n in counts)]) for label, *counts in rows]
    totals = tuple(["All standards", *(sum(row[i] for row in body) for i in range(1, 7))])
    columns = ("Standard", "Set", "Open", "Overdue", "Done, to confirm", "Confirmed", "Reopened")
    set_, _, overdue, _, confirmed, _ = totals[1:]
    return [
        Paragraph(
            f"{set_} action{'s' if set_ != 1 else ''} were set on the audits in this report; "
            f"{confirmed} {'has' if confirmed == 1 else 'have'} been confirmed as done and "
            f"{overdue} {'is' if overdue == 1 else 'are'} overdue (counted on {today:%-d %B %Y})."
        ),
        Table(
            "Actions by standard",
            columns,
            (*body, totals),
            (False, True, True, True, True, True, True),
            note="Overdue: open and past the date it was due. Reopened: sent back at least once.",
            key="actions",
        ),
    ]


def _share(value: float | None) -> int | None:
    return None if value is None else round(100 * value)


def moderation_blocks(scope: ReportScope) -> list[Block]:
    """Agreement between line auditors and moderators, per tool, for audits in scope."""
    pairs = analytics.pairs(scope.conditions(any_tool=True))
    if not pairs:
        return [Paragraph("No line-management audits in this report were moderated.")]
    registry = get_registry()
    blocks: list[Block] = [
        Paragraph(
            f"{len(pairs)} line-management audit{'s' if len(pairs) != 1 else ''} in this report "
            "were audited again by a moderator. Exact agreement is the share of standards rated "
            "the same; weighted kappa allows for chance. Figures are shown from "
            f"{MIN_PAIRS} pairs up."
        )
    ]
    for figures in analytics.by_tool(registry, pairs):
        tool = registry.get(figures.tool)
        rows = []
        for standard in [*figures.standards]:
            rows.append(_agreement_row(standard.label, standard.figures))
        rows.append(_agreement_row("All standards together", figures.pooled))
        rows.append(_agreement_row("Overall rating", figures.overall))
        blocks.append(
            Table(
                f"{tool.title if tool else figures.tool}: {figures.audits} moderated audits",
                ("Standard", "Pairs", "Exact agreement (%)", "Weighted kappa"),
                tuple(rows),
                (False, True, True, True),
                key=f"moderation-{figures.tool}",
            )
        )
    return blocks


def _agreement_row(label: str, figures: analytics.Figures) -> tuple:
    if not figures.enough:
        return (label, figures.n, None, None)
    kappa = figures.kappa
    return (
        label,
        figures.n,
        _share(figures.exact.share),
        None if kappa is None else round(kappa.kappa, 2),
    )


def concern_blocks(scope: ReportScope, today: date | None = None) -> list[Block]:
    """How many safeguarding concerns auditors raised, and what became of them: counts only."""
    today = today or date.today()
    answered = exists().where(ConcernResponse.concern_id == Concern.id)
    escalated = exists().where(ConcernEscalation.concern_id == Concern.id)
    raised, responded, overdue, was_escalated = db.session.execute(
        select(
            func.count(Concern.id),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((~answered & (Concern.due_on < today), 1), else_=0)),
            func.sum(case((escalated, 1), else_=0)),
        ).where(Concern.audit_id.in_(_audits_in(scope)))
    ).one()
    raised = int(raised or 0)
    if not raised:
        return [Paragraph("No safeguarding concerns were raised from the audits in this report.")]
    responded, overdue, was_escalated = (int(n or 0) for n in (responded, overdue, was_escalated))
    return [
        Paragraph(
            "An auditor raises a safeguarding concern when a file shows a child or adult may be "
            "at risk now. Only counts are reported here."
        ),
        Table(
            "Safeguarding concerns",
            ("Concerns", "Number"),
            (
                ("Raised", raised),
                ("Responded to", responded),
                ("Awaiting a response, past the day it was due", overdue),
                ("Escalated to the safeguarding lead", was_escalated),
            ),
            (False, True),
            key="concerns",
        ),
    ]

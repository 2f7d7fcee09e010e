"""A theme's findings: the count and share of audited items for every answer.

Counted in SQL over the submitted audits in scope. Multiple-choice answers are
stored comma-separated, so an option counts where ``,value,`` appears in
``,answer,``; that one test serves single and multiple choices alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, case, cast, func, literal, or_, select

from core.extensions import db
from core.models import Answer, Audit
from core.tools import QuestionKind, ReportScope, ReportSection
from core.tools.reporting import ALL_KINDS, audit_counts_by_kind
from plugins.themed_audits.theme import Finding, Theme


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.total) if self.total else None


@dataclass(frozen=True)
class QuestionFindings:
    key: str
    text: str
    shares: tuple[Share, ...] = ()
    #: For numbers: how many answered, the average and the largest.
    answered: int = 0
    average: float | None = None
    largest: int | None = None


def _has_value(values: tuple[str, ...]) -> ColumnElement[bool]:
    wrapped = literal(",") + Answer.value + literal(",")
    return or_(*[wrapped.like(f"%,{value},%") for value in values])


def _answers(scope: ReportScope, key: str) -> Select[Any]:
    return (
        select(Answer)
        .join(Audit, Audit.id == Answer.audit_id)
        .where(*scope.conditions(), Answer.question == key, Answer.value.is_not(None))
    )


def finding_count(scope: ReportScope, finding: Finding) -> int:
    """Audited items whose answer to the finding's question matches it."""
    condition = (
        cast(Answer.value, Integer) >= finding.at_least
        if finding.at_least is not None
        else _has_value(finding.values)
    )
    statement = (
        select(func.count(func.distinct(Answer.audit_id)))
        .join(Audit, Audit.id == Answer.audit_id)
        .where(*scope.conditions(), Answer.question == finding.question, condition)
    )
    return db.session.scalar(statement) or 0


def option_counts(scope: ReportScope, key: str, options: list[str]) -> dict[str, int]:
    """How many audited items chose each option of one question (one query)."""
    if not options:
        return {}
    sub = _answers(scope, key).subquery()
    wrapped = literal(",") + sub.c.value + literal(",")
    columns = [
        func.coalesce(func.sum(case((wrapped.like(f"%,{option},%"), 1), else_=0)), 0)
        for option in options
    ]
    row = db.session.execute(select(*columns).select_from(sub)).one()
    return dict(zip(options, (int(n) for n in row), strict=True))


def number_summary(scope: ReportScope, key: str) -> tuple[int, float | None, int | None]:
    sub = _answers(scope, key).subquery()
    number = cast(sub.c.value, Integer)
    answered, average, largest = db.session.execute(
        select(func.count(), func.avg(number), func.max(number)).select_from(sub)
    ).one()
    return answered, (round(float(average), 1) if average is not None else None), largest


def analyse(theme: Theme, scope: ReportScope) -> dict[str, object]:
    total = audit_counts_by_kind(scope)[ALL_KINDS]
    headline = [Share(f.label, finding_count(scope, f), total) for f in theme.findings]
    questions = []
    for question in theme.questions():
        if question.kind in (QuestionKind.CHOICE, QuestionKind.MULTI_CHOICE) and question.options:
            counts = option_counts(scope, question.key, [o.value for o in question.options])
            shares = tuple(Share(o.label, counts[o.value], total) for o in question.options)
            questions.append(QuestionFindings(question.key, question.text, shares))
        elif question.kind is QuestionKind.NUMBER:
            answered, average, largest = number_summary(scope, question.key)
            questions.append(
                QuestionFindings(
                    question.key, question.text, answered=answered, average=average, largest=largest
                )
            )
    return {"total": total, "headline": headline, "questions": questions, "theme": theme}


def report_section(theme: Theme, scope: ReportScope) -> ReportSection:
    context = analyse(theme, scope)
    return ReportSection(
        tool=theme.slug,
        title=f"Themed audit: {theme.title}",
        template="themed_audits/findings_section.html",
        context=context,
        audit_count=int(context["total"]),  # type: ignore[call-overload]
    )

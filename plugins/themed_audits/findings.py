"""A theme's findings: the count and share of audited items for every answer.

Counted in SQL over the submitted audits in scope. Multiple-choice answers are
stored comma-separated, so an option counts where ``,value,`` appears in
``,answer,``; that one test serves single and multiple choices alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import aliased

from core.exports.document import Table
from core.extensions import db
from core.models import Answer, Audit
from core.tools import QuestionKind, ReportScope, ReportSection
from core.tools.reporting import ALL_KINDS, audit_counts_by_kind
from plugins.themed_audits.theme import CrossTab, Finding, Theme


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.total) if self.total else None


@dataclass(frozen=True)
class CrossTabShare(Share):
    """A cross-tabulation's figures: ``count`` of the ``total`` items where ``given`` holds."""

    given: str = ""
    then: str = ""


@dataclass(frozen=True)
class QuestionFindings:
    key: str
    text: str
    shares: tuple[Share, ...] = ()
    #: For numbers: how many answered, the average and the largest.
    answered: int = 0
    average: float | None = None
    largest: int | None = None


def _answers(scope: ReportScope, key: str) -> Select[Any]:
    return (
        select(Answer)
        .join(Audit, Audit.id == Answer.audit_id)
        .where(*scope.conditions(), Answer.question == key, Answer.value.is_not(None))
    )


def _matches(answer: Any, finding: Finding) -> ColumnElement[bool]:
    """``answer`` (``Answer`` or an alias of it) answers the finding's question and matches it.

    The number is cast only inside a CASE on the question: a database may test
    a WHERE or ON clause's conditions in any order, and casting another
    question's answer (``"domestic_violence"``) to an integer fails on PostgreSQL.
    """
    if finding.at_least is not None:
        number = case(
            (answer.question == finding.question, cast(answer.value, Integer)), else_=None
        )
        return and_(answer.question == finding.question, number >= finding.at_least)
    wrapped = literal(",") + answer.value + literal(",")
    return and_(
        answer.question == finding.question,
        or_(*[wrapped.like(f"%,{value},%") for value in finding.values]),
    )


def finding_count(scope: ReportScope, finding: Finding) -> int:
    """Audited items whose answer to the finding's question matches it."""
    statement = (
        select(func.count(func.distinct(Answer.audit_id)))
        .join(Audit, Audit.id == Answer.audit_id)
        .where(*scope.conditions(), _matches(Answer, finding))
    )
    return db.session.scalar(statement) or 0


def cross_tab_count(scope: ReportScope, cross_tab: CrossTab) -> tuple[int, int]:
    """``(count, total)``: of the items in scope where ``given`` holds, how many have ``then``.

    One query: the ``given`` answers in scope, each left-joined to the same
    audit's ``then`` answer where that matches. An audit has one answer per
    question, so each item counts once on each side.
    """
    given, then = aliased(Answer), aliased(Answer)
    statement = (
        select(func.count(func.distinct(then.audit_id)), func.count(func.distinct(given.audit_id)))
        .select_from(given)
        .join(Audit, Audit.id == given.audit_id)
        .outerjoin(then, and_(then.audit_id == given.audit_id, _matches(then, cross_tab.then)))
        .where(*scope.conditions(), _matches(given, cross_tab.given))
    )
    count, total = db.session.execute(statement).one()
    return int(count or 0), int(total or 0)


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


def cross_tab_shares(theme: Theme, scope: ReportScope, total: int) -> list[CrossTabShare]:
    """The theme's cross-tabulations; no query when it declares none or nothing is in scope."""
    if not theme.cross_tabs or not total:
        return []
    shares = []
    for cross_tab in theme.cross_tabs:
        count, given = cross_tab_count(scope, cross_tab)
        shares.append(
            CrossTabShare(
                cross_tab.label, count, given, cross_tab.given.label, cross_tab.then.label
            )
        )
    return shares


def analyse(theme: Theme, scope: ReportScope) -> dict[str, object]:
    """The findings section's figures for ``scope``.

    When nothing in scope was audited with the theme (most reports: a themed audit
    covers a few teams for a few months), every count is 0 and nothing more is asked
    of the database: the section costs one query, not one per finding and question.
    """
    total = audit_counts_by_kind(scope)[ALL_KINDS]
    nothing = not total
    headline = [
        Share(f.label, 0 if nothing else finding_count(scope, f), total) for f in theme.findings
    ]
    cross_tabs = cross_tab_shares(theme, scope, total)
    questions = []
    for question in theme.questions():
        if question.kind in (QuestionKind.CHOICE, QuestionKind.MULTI_CHOICE) and question.options:
            values = [o.value for o in question.options]
            counts = (
                dict.fromkeys(values, 0) if nothing else option_counts(scope, question.key, values)
            )
            shares = tuple(Share(o.label, counts[o.value], total) for o in question.options)
            questions.append(QuestionFindings(question.key, question.text, shares))
        elif question.kind is QuestionKind.NUMBER:
            answered, average, largest = (
                (0, None, None) if nothing else number_summary(scope, question.key)
            )
            questions.append(
                QuestionFindings(
                    question.key, question.text, answered=answered, average=average, largest=largest
                )
            )
    return {
        "total": total,
        "headline": headline,
        "cross_tabs": cross_tabs,
        "questions": questions,
        "theme": theme,
    }


def report_section(theme: Theme, scope: ReportScope) -> ReportSection:
    context = analyse(theme, scope)
    return ReportSection(
        tool=theme.slug,
        title=f"Themed audit: {theme.title}",
        template="themed_audits/findings_section.html",
        context=context,
        audit_count=int(context["total"]),  # type: ignore[call-overload]
    )


def report_tables(theme: Theme, scope: ReportScope) -> list[Table] | None:
    """The theme's findings as plain tables, for the committee pack and its exports.

    The same figures as the findings section: headline findings, the declared
    cross-tabulations, every choice question's answers and the numbers
    answered. Counts and shares only: free-text answers (learning points)
    never go in a table. ``None`` when no item in scope was audited.
    """
    context = analyse(theme, scope)
    total: int = context["total"]  # type: ignore[assignment]
    if not total:
        return None
    items = theme.item_label_for(2).capitalize()
    audited = f"{total} audited {theme.item_label_for(total)}"
    share = "Share (%)"
    tables: list[Table] = []
    headline: list[Share] = context["headline"]  # type: ignore[assignment]
    if headline:
        tables.append(
            Table(
                caption="Headline findings",
                columns=("Finding", items, share),
                rows=tuple((s.label, s.count, s.percent) for s in headline),
                numeric=(False, True, True),
                note=f"Shares are of the {audited}.",
                key=f"{theme.slug}-headline",
            )
        )
    cross_tabs: list[CrossTabShare] = context["cross_tabs"]  # type: ignore[assignment]
    if cross_tabs:
        tables.append(
            Table(
                caption="Cross-tabulations",
                columns=("Cross-tabulation", f"{items} (N)", "Of which", share),
                rows=tuple((c.label, c.total, c.count, c.percent) for c in cross_tabs),
                numeric=(False, True, True, True),
                note=(
                    f"N is the number of the {audited} the first part of the question "
                    "describes; “Of which” is how many of them the second part describes "
                    "too, and the share is of N."
                ),
                key=f"{theme.slug}-cross-tabs",
            )
        )
    questions: list[QuestionFindings] = context["questions"]  # type: ignore[assignment]
    kinds = {q.key: q.kind for q in theme.questions()}
    numbers = []
    for q in questions:
        if not q.shares:
            numbers.append((q.text, q.answered, q.average, q.largest))
            continue
        several = kinds.get(q.key) is QuestionKind.MULTI_CHOICE
        tables.append(
            Table(
                caption=q.text,
                columns=("Answer", items, share),
                rows=tuple((s.label, s.count, s.percent) for s in q.shares),
                numeric=(False, True, True),
                note=f"Shares are of the {audited}."
                + (" More than one answer could be chosen." if several else ""),
                key=f"{theme.slug}-{q.key}",
            )
        )
    if numbers:
        tables.append(
            Table(
                caption="Numbers",
                columns=("Question", "Answered", "Average", "Largest"),
                rows=tuple(numbers),
                numeric=(False, True, True, True),
                note="The average is of the items where the question was answered.",
                key=f"{theme.slug}-numbers",
            )
        )
    return tables

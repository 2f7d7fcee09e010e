"""Report scopes, report sections, and the SQL aggregations tools share.

Everything here counts in the database (``GROUP BY``); only the aggregated
rows, a handful per question, come back to Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from core.extensions import db
from core.models import Answer, Audit, AuditKind, AuditStatus, Grade, Rating, Service
from core.models.audits import SCALE

#: Key for "all kinds of audit together" in per-kind tables.
ALL_KINDS = "all"


@dataclass(frozen=True)
class ReportScope:
    """Which submitted audits a report covers: one tool, a period, a part of the council.

    At most one of ``directorate_id``, ``service_id`` and ``team_id`` is set;
    none means the whole council. ``end`` is inclusive.
    """

    tool: str
    start: date
    end: date
    label: str = "All services"
    period_label: str = ""
    directorate_id: int | None = None
    service_id: int | None = None
    team_id: int | None = None
    #: Optionally, only these audits (a ``SELECT audit.id``), e.g. one themed audit's sample.
    only_audits: Any = None

    def conditions(self, any_tool: bool = False) -> list[ColumnElement[bool]]:
        """WHERE conditions on ``Audit`` selecting the audits in scope.

        ``any_tool`` drops the tool condition (core uses it to find which
        tools have audits in scope).
        """
        conditions: list[ColumnElement[bool]] = [
            Audit.status == AuditStatus.SUBMITTED,
            Audit.audit_date >= self.start,
            Audit.audit_date <= self.end,
        ]
        if not any_tool:
            conditions.append(Audit.tool == self.tool)
        if self.only_audits is not None:
            conditions.append(Audit.id.in_(self.only_audits))
        if self.team_id is not None:
            conditions.append(Audit.team_id == self.team_id)
        elif self.service_id is not None:
            conditions.append(Audit.service_id == self.service_id)
        elif self.directorate_id is not None:
            in_directorate = select(Service.id).where(Service.directorate_id == self.directorate_id)
            conditions.append(Audit.service_id.in_(in_directorate))
        return conditions

    def audits(self) -> Select[Any]:
        """``SELECT audit.id`` for the audits in scope, to join or filter on."""
        return select(Audit.id).where(*self.conditions())


@dataclass(frozen=True)
class ReportSection:
    """A tool's contribution to the report page.

    ``template`` is rendered with ``context`` plus ``section`` and ``scope``.
    """

    tool: str
    title: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    #: Number of audits the section counts; 0 shows an empty-state message.
    audit_count: int = 0


@dataclass
class RatingRow:
    """One question's counts: Met / Partially met / Not met, Not applicable apart."""

    key: str
    label: str
    text: str
    counts: dict[Rating, int] = field(default_factory=lambda: {r: 0 for r in SCALE})
    not_applicable: int = 0

    @property
    def applicable(self) -> int:
        """N: answers rated on the three-point scale."""
        return sum(self.counts.values())

    def percent(self, rating: Rating) -> int | None:
        """Share of applicable answers, rounded to a whole per cent."""
        if not self.applicable:
            return None
        return round(100 * self.counts[rating] / self.applicable)


@dataclass
class Distribution:
    """How many audits fall in each category (e.g. overall rating or grade)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, key: str) -> int | None:
        if not self.total:
            return None
        return round(100 * self.counts.get(key, 0) / self.total)


def audit_counts_by_kind(scope: ReportScope) -> dict[str, int]:
    """Number of audits in scope per kind, plus ``ALL_KINDS``."""
    rows = db.session.execute(
        select(Audit.kind, func.count(Audit.id)).where(*scope.conditions()).group_by(Audit.kind)
    ).all()
    counts = {kind.value: n for kind, n in rows}
    counts[ALL_KINDS] = sum(counts.values())
    return counts


def rating_tables(
    scope: ReportScope, questions: Sequence[tuple[str, str, str]]
) -> dict[str, list[RatingRow]]:
    """Per-question rating counts, for all audits and for each kind of audit.

    ``questions`` is ``(key, label, text)`` in display order. Returns
    ``{ALL_KINDS | kind: [RatingRow, ...]}`` with a table for every kind that
    has audits in scope.
    """
    keys = [key for key, _, _ in questions]
    statement = (
        select(Audit.kind, Answer.question, Answer.rating, func.count(Answer.id))
        .join(Answer, Answer.audit_id == Audit.id)
        .where(*scope.conditions(), Answer.question.in_(keys), Answer.rating.is_not(None))
        .group_by(Audit.kind, Answer.question, Answer.rating)
    )
    tables: dict[str, dict[str, RatingRow]] = {}

    def table(kind: str) -> dict[str, RatingRow]:
        if kind not in tables:
            tables[kind] = {key: RatingRow(key, label, text) for key, label, text in questions}
        return tables[kind]

    table(ALL_KINDS)
    for kind, question, rating, n in db.session.execute(statement):
        for name in (ALL_KINDS, kind.value):
            row = table(name)[question]
            if rating is Rating.NOT_APPLICABLE:
                row.not_applicable += n
            else:
                row.counts[rating] += n
    return {kind: list(rows.values()) for kind, rows in tables.items()}


def value_tables(scope: ReportScope, keys: Iterable[str]) -> dict[str, dict[str, dict[str, int]]]:
    """Counts of each stored value per question: ``{kind: {key: {value: n}}}``."""
    statement = (
        select(Audit.kind, Answer.question, Answer.value, func.count(Answer.id))
        .join(Answer, Answer.audit_id == Audit.id)
        .where(*scope.conditions(), Answer.question.in_(list(keys)), Answer.value.is_not(None))
        .group_by(Audit.kind, Answer.question, Answer.value)
    )
    result: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for kind, question, value, n in db.session.execute(statement):
        for name in (ALL_KINDS, kind.value):
            bucket = result[name][question]
            bucket[value] = bucket.get(value, 0) + n
    return result


def outcome_distributions(scope: ReportScope) -> dict[str, dict[str, Distribution]]:
    """Overall ratings and grades per kind: ``{kind: {"rating": .., "grade": ..}}``."""
    statement = (
        select(Audit.kind, Audit.overall_rating, Audit.grade, func.count(Audit.id))
        .where(*scope.conditions())
        .group_by(Audit.kind, Audit.overall_rating, Audit.grade)
    )
    result: dict[str, dict[str, Distribution]] = {}

    def bucket(kind: str) -> dict[str, Distribution]:
        if kind not in result:
            result[kind] = {
                "rating": Distribution({r.value: 0 for r in SCALE}),
                "grade": Distribution({g.value: 0 for g in Grade}),
            }
        return result[kind]

    bucket(ALL_KINDS)
    for kind, rating, grade, n in db.session.execute(statement):
        for name in (ALL_KINDS, kind.value):
            bucket(name)  # every kind with audits gets a table, even without outcomes
            if rating:
                counts = bucket(name)["rating"].counts
                counts[rating] = counts.get(rating, 0) + n
            if grade:
                counts = bucket(name)["grade"].counts
                counts[grade] = counts.get(grade, 0) + n
    return result


def kind_tabs(counts: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """``(key, label, audits)`` for the "all" tab and each kind with audits."""
    tabs = [(ALL_KINDS, "All audits", counts.get(ALL_KINDS, 0))]
    tabs += [(k.value, k.label, counts[k.value]) for k in AuditKind if counts.get(k.value)]
    return tabs


def standards_report_context(
    scope: ReportScope, questions: Sequence[tuple[str, str, str]]
) -> dict[str, Any]:
    """What a standards tool's report section needs, for the ``standards_report`` macro.

    ``questions`` is ``(key, label, text)`` in display order, as for
    :func:`rating_tables`. Returns ``audit_count`` (every kind together, for
    ``ReportSection.audit_count``), ``tabs`` (:func:`kind_tabs`), ``tables``
    (:func:`rating_tables` over ``questions``) and ``outcomes``
    (:func:`outcome_distributions`).
    """
    counts = audit_counts_by_kind(scope)
    return {
        "audit_count": counts[ALL_KINDS],
        "tabs": kind_tabs(counts),
        "tables": rating_tables(scope, questions),
        "outcomes": outcome_distributions(scope),
    }

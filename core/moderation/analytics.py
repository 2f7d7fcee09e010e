"""The agreement page's figures: moderated pairs gathered in SQL, measured in ``statistics``.

A *pair* is a line-management audit and the moderator's submitted audit of the same
file. Figures are per tool (each tool has its own standards): per standard, all
standards together, the overall rating, and the grade. Not applicable (or a blank) on
either side leaves that standard's pair out.

Too few to say: a figure is shown only from ``MIN_PAIRS`` moderated audits (and
pairs) up. Standards pooled over audits are not independent (thirteen ratings of one
file by the same two people), so the pooled interval is narrower than it should be;
the per-standard figures have one pair per audit and no such problem.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import aliased

from core.extensions import db
from core.models import Answer, Audit, AuditStatus, Moderation, ModerationStatus, Rating
from core.moderation.comparison import standard_questions
from core.moderation.statistics import (
    ExactAgreement,
    GradeDrift,
    Kappa,
    enough,
    exact_agreement,
    grade_drift,
    rating_pairs,
    weighted_kappa,
)
from core.tools.registry import ToolRegistry


@dataclass
class Pair:
    moderation_id: int
    tool: str
    service_id: int
    team_id: int | None
    auditor_id: int
    line_overall: str | None
    moderator_overall: str | None
    line_grade: str | None
    moderator_grade: str | None
    line: dict[str, Rating] = field(default_factory=dict)
    moderator: dict[str, Rating] = field(default_factory=dict)


@dataclass(frozen=True)
class Figures:
    """Exact agreement and weighted kappa for one set of rating pairs."""

    audits: int
    exact: ExactAgreement
    kappa: Kappa | None

    @property
    def n(self) -> int:
        return self.exact.n

    @property
    def enough(self) -> bool:
        return enough(self.audits) and enough(self.n)


@dataclass(frozen=True)
class StandardFigures:
    key: str
    label: str
    text: str
    figures: Figures


@dataclass(frozen=True)
class ToolFigures:
    tool: str
    audits: int
    standards: list[StandardFigures]
    pooled: Figures
    overall: Figures
    drift: GradeDrift

    @property
    def drift_enough(self) -> bool:
        return enough(self.audits) and enough(self.drift.n)


def pairs(conditions: Sequence[ColumnElement[bool]]) -> list[Pair]:
    """The moderated pairs whose line audit meets ``conditions`` (on ``Audit``)."""
    moderator_audit = aliased(Audit)
    rows = db.session.execute(
        select(Moderation, Audit, moderator_audit)
        .join(Audit, Audit.id == Moderation.line_audit_id)
        .join(moderator_audit, moderator_audit.id == Moderation.moderation_audit_id)
        .where(
            Moderation.status.in_([ModerationStatus.AUDITED, ModerationStatus.COMPLETED]),
            moderator_audit.status == AuditStatus.SUBMITTED,
            *conditions,
        )
        .order_by(Moderation.id)
    ).all()
    found = {}
    owners: dict[int, tuple[int, str]] = {}
    for moderation, line, second in rows:
        found[moderation.id] = Pair(
            moderation_id=moderation.id,
            tool=line.tool,
            service_id=line.service_id,
            team_id=line.team_id,
            auditor_id=line.auditor_id,
            line_overall=line.overall_rating,
            moderator_overall=second.overall_rating,
            line_grade=line.grade,
            moderator_grade=second.grade,
        )
        owners[line.id] = (moderation.id, "line")
        owners[second.id] = (moderation.id, "moderator")
    if owners:
        answers = db.session.execute(
            select(Answer.audit_id, Answer.question, Answer.rating).where(
                Answer.audit_id.in_(list(owners)), Answer.rating.is_not(None)
            )
        )
        for audit_id, question, rating in answers:
            moderation_id, side = owners[audit_id]
            getattr(found[moderation_id], side)[question] = rating
    return list(found.values())


def figures(rating_pairs_: Iterable[tuple[Rating | str | None, Rating | str | None]]) -> Figures:
    """Exact agreement and kappa over pairs, Not applicable and blanks left out."""
    kept = rating_pairs(list(rating_pairs_))
    return Figures(
        audits=0,
        exact=exact_agreement(kept),
        kappa=weighted_kappa(kept),
    )


def _with_audits(result: Figures, audits: int) -> Figures:
    return Figures(audits=audits, exact=result.exact, kappa=result.kappa)


def tool_figures(registry: ToolRegistry, tool: str, group: list[Pair]) -> ToolFigures:
    """Every figure for one tool's pairs."""
    try:
        questions = standard_questions(registry.form(tool, None, None))
    except Exception:  # a tool that needs a case to build its form: name standards by key
        keys = sorted({k for p in group for k in p.line} - {"overall_rating"})
        questions = [(k, k.replace("_", " ").capitalize(), "") for k in keys]
    standards = []
    pooled: list[tuple[Rating | None, Rating | None]] = []
    for key, label, text in questions:
        both = [(p.line.get(key), p.moderator.get(key)) for p in group]
        result = figures(both)
        standards.append(StandardFigures(key, label, text, _with_audits(result, result.n)))
        pooled += both
    overall = figures((p.line_overall, p.moderator_overall) for p in group)
    return ToolFigures(
        tool=tool,
        audits=len(group),
        standards=standards,
        pooled=_with_audits(figures(pooled), len(group)),
        overall=_with_audits(overall, overall.n),
        drift=grade_drift((p.line_grade, p.moderator_grade) for p in group),
    )


def by_tool(registry: ToolRegistry, found: list[Pair]) -> list[ToolFigures]:
    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in found:
        groups[pair.tool].append(pair)
    return [tool_figures(registry, tool, groups[tool]) for tool in sorted(groups)]


@dataclass(frozen=True)
class BreakdownRow:
    key: int | None
    label: str
    audits: int
    pooled: Figures
    overall: Figures
    drift: GradeDrift

    @property
    def enough(self) -> bool:
        return enough(self.audits)


def breakdown(
    found: list[Pair], key: Callable[[Pair], int | None], names: dict[int | None, str]
) -> list[BreakdownRow]:
    """Figures per group (service, team or line auditor), all tools' standards together."""
    groups: dict[int | None, list[Pair]] = defaultdict(list)
    for pair in found:
        groups[key(pair)].append(pair)
    rows = []
    for group_key, group in groups.items():
        standards = [
            (p.line.get(q), p.moderator.get(q))
            for p in group
            for q in p.line.keys() | p.moderator.keys()
            if q != "overall_rating"
        ]
        overall = figures((p.line_overall, p.moderator_overall) for p in group)
        rows.append(
            BreakdownRow(
                key=group_key,
                label=names.get(group_key, "Unknown"),
                audits=len(group),
                pooled=_with_audits(figures(standards), len(group)),
                overall=_with_audits(overall, overall.n),
                drift=grade_drift((p.line_grade, p.moderator_grade) for p in group),
            )
        )
    return sorted(rows, key=lambda r: r.label)

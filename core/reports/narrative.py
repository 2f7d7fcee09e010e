"""The narrative: what auditors wrote, per standard, for the audits in a report's scope.

For each rated question of each tool in scope, the evidence comments of the
submitted audits, and the tools' free-text answers (areas of strength, areas
for development). Filterable by standard and rating, searchable, a page at a
time: everything is selected, filtered, ordered and counted in SQL.

A comment is shown as the auditor wrote it. Its source says where it comes from
without naming anyone: "Standard 3, rated Not met, line management audit, March
2026". The case reference, initials, auditor and worker are never selected, so
no page or export built from here can show them. The text itself may still
name someone: the page warns the lead to check before publishing.
"""

from __future__ import annotations

import calendar
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, select

from core.access import audit_visibility
from core.extensions import db
from core.models import Answer, Audit, AuditKind, Rating, User
from core.models.audits import KIND_LABELS, RATING_LABELS
from core.tools.questions import QuestionKind
from core.tools.registry import get_registry
from core.tools.reporting import ReportScope
from core.tools.standards import OVERALL_RATING

log = logging.getLogger(__name__)

PER_PAGE = 50
#: What a search may be: longer is refused by the page, not silently cut.
SEARCH_LENGTH = 100
#: A text question's label is its wording when that is short, else its name.
SHORT_LABEL = 60

#: ``part`` of a comment: an evidence comment on a rated answer, or a text answer.
COMMENT = "comment"
VALUE = "value"


@dataclass(frozen=True)
class NarrativeQuestion:
    """A question whose words the narrative shows."""

    tool: str
    key: str
    label: str
    #: ``comment`` (a rated question's evidence) or ``value`` (a free-text answer).
    part: str

    @property
    def ref(self) -> str:
        """The filter's value for this question: ``tool:key``."""
        return f"{self.tool}:{self.key}"


@dataclass(frozen=True)
class NarrativeFilters:
    #: ``tool:key`` of one question, or "" for all.
    question: str = ""
    #: A :class:`Rating` value, or "" for all. Free-text answers have no rating.
    rating: str = ""
    search: str = ""
    page: int = 1


@dataclass(frozen=True)
class Comment:
    answer_id: int
    part: str
    tool: str
    question: str
    label: str
    rating: Rating | None
    text: str
    source: str


@dataclass(frozen=True)
class NarrativePage:
    comments: list[Comment]
    total: int
    page: int
    pages: int
    questions: list[NarrativeQuestion]


def questions_for(tools: Sequence[str], service_id: int | None) -> list[NarrativeQuestion]:
    """Every tool's rated questions (not the overall rating) and free-text questions, in
    the form's order, found from the tool's form definition alone."""
    registry = get_registry()
    out: list[NarrativeQuestion] = []
    for slug in tools:
        if slug not in registry:
            continue
        try:
            definition = registry.form(slug, None, service_id, None)
        except Exception:  # a tool whose form needs a subject: nothing to list, never a 500
            log.warning("narrative: tool %s gave no form without a subject", slug, exc_info=True)
            continue
        for section in definition.sections:
            rated = [
                q
                for q in section.questions
                if q.kind is QuestionKind.RATING and not q.computed and q.key != OVERALL_RATING
            ]
            for index, question in enumerate(rated):
                # As the actions' rules name them: "Standard 3", or "Standard 3: the PEP".
                name = section.label or question.display_name.capitalize()
                label = (
                    name if index == 0 or not section.label else f"{name}: {question.display_name}"
                )
                out.append(NarrativeQuestion(slug, question.key, label[:200], COMMENT))
            for question in section.questions:
                if question.kind is QuestionKind.TEXT and not question.computed:
                    text = question.text.strip()
                    label = text if len(text) <= SHORT_LABEL else question.display_name.capitalize()
                    out.append(NarrativeQuestion(slug, question.key, label, VALUE))
    return out


def kind_phrase(kind: AuditKind) -> str:
    """ "line management audit", "self-audit"."""
    words = KIND_LABELS[kind].lower()
    return words if words.endswith("audit") else f"{words} audit"


def source_label(label: str, rating: Rating | None, kind: AuditKind, on: date) -> str:
    """Where a comment comes from, naming no one: question, rating, kind of audit, month."""
    parts = [label]
    if rating is not None:
        parts.append(f"rated {RATING_LABELS[rating]}")
    parts += [kind_phrase(kind), f"{calendar.month_name[on.month]} {on.year}"]
    return ", ".join(parts)


def _scope_conditions(scope: ReportScope, tools: Sequence[str], user: User) -> list[Any]:
    return [
        *scope.conditions(any_tool=True),
        Audit.tool.in_(list(tools)),
        # Never a comment from an audit the user could not open: keeps moderation blind.
        audit_visibility(user),
    ]


def _text_column(questions: Sequence[NarrativeQuestion]) -> ColumnElement[Any]:
    value_questions = [
        and_(Audit.tool == q.tool, Answer.question == q.key) for q in questions if q.part == VALUE
    ]
    if not value_questions:
        return Answer.comment
    return case((or_(*value_questions), Answer.value), else_=Answer.comment)


def _question_match(questions: Sequence[NarrativeQuestion]) -> ColumnElement[bool]:
    """Answers that belong on the page: a rated answer's comment, a text answer's value."""
    clauses = []
    for tool in dict.fromkeys(q.tool for q in questions):
        for part, column in ((COMMENT, Answer.comment), (VALUE, Answer.value)):
            keys = [q.key for q in questions if q.tool == tool and q.part == part]
            if keys:
                clauses.append(
                    and_(
                        Audit.tool == tool,
                        Answer.question.in_(keys),
                        column.is_not(None),
                        func.trim(column) != "",
                    )
                )
    return or_(*clauses) if clauses else false()


def _order(questions: Sequence[NarrativeQuestion]) -> ColumnElement[Any]:
    whens = [
        (and_(Audit.tool == q.tool, Answer.question == q.key), literal(index))
        for index, q in enumerate(questions)
    ]
    return case(*whens, else_=literal(len(questions)))


def escape_like(term: str) -> str:
    """``term`` with LIKE's wildcards and the escape character itself escaped (``\\``)."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def comments(
    scope: ReportScope,
    tools: Sequence[str],
    user: User,
    filters: NarrativeFilters,
    service_id: int | None = None,
    per_page: int | None = None,
) -> NarrativePage:
    """One page of the comments in scope that match ``filters``, in form order, newest first."""
    per_page = per_page or PER_PAGE
    questions = questions_for(tools, service_id)
    shown = questions
    if filters.question:
        shown = [q for q in questions if q.ref == filters.question]
    text = _text_column(questions)
    conditions = [*_scope_conditions(scope, tools, user), _question_match(shown)]
    if filters.rating:
        conditions.append(Answer.rating == Rating(filters.rating))
    if filters.search:
        # Case-insensitive substring: lower() both sides (SQLite's LIKE folds ASCII only,
        # PostgreSQL's is case-sensitive), with the wildcards the user typed escaped.
        pattern = f"%{escape_like(filters.search.lower())}%"
        conditions.append(func.lower(text).like(pattern, escape="\\"))
    total = db.session.scalar(
        select(func.count(Answer.id)).join(Audit, Answer.audit_id == Audit.id).where(*conditions)
    )
    total = int(total or 0)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, filters.page), pages)
    rows = db.session.execute(
        select(*_columns(questions))
        .join(Audit, Answer.audit_id == Audit.id)
        .where(*conditions)
        .order_by(_order(questions), Audit.audit_date.desc(), Answer.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    by_ref = {q.ref: q for q in questions}
    out = [_comment(row, by_ref) for row in rows]
    return NarrativePage(out, total, page, pages, questions)


def comment(
    answer_id: int,
    scope: ReportScope,
    tools: Sequence[str],
    user: User,
    service_id: int | None = None,
) -> Comment | None:
    """One comment, if it is in scope and the user may read it (for pinning); else None."""
    questions = questions_for(tools, service_id)
    row = db.session.execute(
        select(*_columns(questions))
        .join(Audit, Answer.audit_id == Audit.id)
        .where(
            Answer.id == answer_id,
            *_scope_conditions(scope, tools, user),
            _question_match(questions),
        )
    ).first()
    if row is None:
        return None
    return _comment(row, {q.ref: q for q in questions})


def _columns(questions: Sequence[NarrativeQuestion]) -> tuple[Any, ...]:
    return (
        Answer.id,
        Answer.question,
        Answer.rating,
        _text_column(questions).label("text"),
        Audit.tool,
        Audit.kind,
        Audit.audit_date,
    )


def _comment(row: Any, by_ref: dict[str, NarrativeQuestion]) -> Comment:
    question = by_ref[f"{row.tool}:{row.question}"]
    rating = row.rating if question.part == COMMENT else None
    return Comment(
        answer_id=row.id,
        part=question.part,
        tool=row.tool,
        question=row.question,
        label=question.label,
        rating=rating,
        text=row.text,
        source=source_label(question.label, rating, row.kind, row.audit_date),
    )

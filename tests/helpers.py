"""Shortcuts for building audits without the browser round trip."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from core.audits import workflow
from core.extensions import db
from core.models import Audit, AuditKind, Case, Rating, User
from core.tools.questions import AnswerValue
from core.tools.registry import get_registry

_tokens = itertools.count(1)


def children_answers(
    ratings: dict[int, str] | None = None,
    default: str = "partially_met",
    overall: str | None = None,
    grade: str | None = None,
    items: str = "yes",
) -> dict[str, AnswerValue]:
    """A complete children's audit as answers; ``ratings`` overrides standards by number."""
    ratings = ratings or {}
    answers: dict[str, AnswerValue] = {}
    for number in range(1, 14):
        rating = Rating(ratings.get(number, default))
        answers[f"standard_{number}"] = AnswerValue(rating, None, "Evidence.")
    for item in ("pep", "health", "sdq"):
        answers[f"standard_6_{item}"] = AnswerValue(None, items)
    if overall:
        answers["overall_rating"] = AnswerValue(Rating(overall))
    if grade:
        answers["overall_grade"] = AnswerValue(None, grade)
    answers["strengths"] = AnswerValue(None, "Good visits.")
    answers["areas_for_development"] = AnswerValue(None, "Chronology.")
    return answers


def submitted_audit(
    case: Case,
    auditor: User,
    answers: dict[str, AnswerValue],
    on: date | None = None,
    kind: AuditKind | None = None,
    tool: str = "children_audit",
) -> Audit:
    """Start and submit an audit the way the web journey does, then date it."""
    registry = get_registry()
    audit = workflow.start_audit(registry, case, auditor, tool, f"helper-{next(_tokens)}")
    score = registry.score(tool, answers, case.service_id, audit=audit)
    workflow.submit(audit, answers, score)
    if on is not None:
        audit.audit_date = on
    if kind is not None:
        audit.kind = kind
    db.session.commit()
    return audit


@contextmanager
def statements_run() -> Iterator[list[str]]:
    """The SQL statements run inside the block, in order (to count or inspect them)."""
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", note)

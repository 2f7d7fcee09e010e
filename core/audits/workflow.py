"""Starting, saving and submitting audits: the rules, free of HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from core.access import audit_kind_for
from core.audits.answering import apply_answers
from core.extensions import db
from core.models import Audit, AuditStatus, Case, User
from core.models._types import utcnow
from core.tools.questions import AnswerValue
from core.tools.registry import ToolRegistry
from core.tools.results import Score


class AuditRefused(Exception):
    """An audit cannot be started; the message is shown to the user."""


class AuditConflict(Exception):
    """The audit changed since the form was loaded; nothing was saved."""


def start_audit(
    registry: ToolRegistry, case: Case, auditor: User, tool: str, token: str | None
) -> Audit:
    """Start a draft audit of ``case`` with ``tool``.

    ``token`` comes from the start form: sending the same form twice (a double
    click, a resend) returns the audit the first one created.
    """
    if token:
        existing = db.session.scalar(select(Audit).where(Audit.request_token == token))
        if existing is not None and existing.auditor_id == auditor.id:
            return existing
    info = registry.get(tool)
    if info is None:
        raise AuditRefused("That audit tool is not installed.")
    kind = audit_kind_for(auditor, case)
    if kind is None:
        raise AuditRefused("You cannot audit this case file.")
    if not case.is_open:
        raise AuditRefused("This case is closed, so new audits cannot be started.")
    if case.service.directorate.code not in info.directorates:
        raise AuditRefused(f"The {info.title} is not used in {case.service.directorate.name}.")
    if not registry.is_enabled(tool, case.service_id):
        raise AuditRefused(
            f"The {info.title} is switched off for {case.service.name}, so new audits "
            "cannot be started there. Ask a system administrator if it should be switched on."
        )
    audit = Audit(
        tool=tool,
        form_version=info.version,
        case=case,
        service_id=case.service_id,
        team_id=case.team_id,
        auditor=auditor,
        kind=kind,
        status=AuditStatus.DRAFT,
        audit_date=date.today(),
        request_token=token or None,
    )
    db.session.add(audit)
    try:
        db.session.commit()
    except IntegrityError:
        # The same start form arrived twice at once: keep the first audit.
        db.session.rollback()
        existing = db.session.scalar(select(Audit).where(Audit.request_token == token))
        if existing is None:
            raise
        return existing
    return audit


def _commit_or_conflict() -> None:
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise AuditConflict from error


def save_draft(audit: Audit, answers: Mapping[str, AnswerValue]) -> None:
    """Store the answers; the audit stays a draft. Bumps the audit's version."""
    apply_answers(audit, answers)
    audit.updated_at = utcnow()
    _commit_or_conflict()


def submit(audit: Audit, answers: Mapping[str, AnswerValue], score: Score | None) -> None:
    """Store the answers and the outcome, and make the audit read-only."""
    apply_answers(audit, answers)
    now = utcnow()
    audit.status = AuditStatus.SUBMITTED
    audit.submitted_at = now
    audit.updated_at = now
    audit.audit_date = now.date()
    record_outcome(audit, score)
    _commit_or_conflict()


def record_outcome(audit: Audit, score: Score | None) -> None:
    """Copy the suggestion and the auditor's judgement onto the audit, for reports."""
    if score is None:
        return

    def value(member: StrEnum | None) -> str | None:
        return member.value if member is not None else None

    audit.suggested_rating = value(score.suggested_rating)
    audit.suggested_grade = value(score.suggested_grade)
    audit.overall_rating = value(score.overall_rating)
    audit.grade = value(score.grade)

"""Starting, saving and submitting audits: the rules, free of HTTP."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Any

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from core import trail
from core.access import audit_kind_for, staff_audit_kind_for
from core.audits.answering import apply_answers
from core.extensions import db
from core.models import Audit, AuditKind, AuditStatus, Case, Service, User
from core.models._types import utcnow
from core.programme.allocation import complete_for, link_audit
from core.tools.info import Subject, ToolInfo
from core.tools.questions import AnswerValue
from core.tools.registry import ToolRegistry
from core.tools.results import Score

_signals = Namespace()
#: Sent as ``audit_submitted.send(audit)`` inside the submitting transaction, after the
#: audit is complete and before the commit: receivers add their own rows (a message to
#: the worker, a moderation draw) and never commit; a conflict rolls all of it back.
audit_submitted = _signals.signal("careaudit-audit-submitted")


class AuditRefused(Exception):
    """An audit cannot be started; the message is shown to the user."""


class AuditConflict(Exception):
    """The audit changed since the form was loaded; nothing was saved."""


def _existing(token: str | None, auditor: User) -> Audit | None:
    if not token:
        return None
    existing = db.session.scalar(select(Audit).where(Audit.request_token == token))
    return existing if existing is not None and existing.auditor_id == auditor.id else None


def _usable_tool(registry: ToolRegistry, tool: str, subject: str, service: Service) -> ToolInfo:
    """The tool, if it may start a new audit of this kind of subject in ``service``."""
    info = registry.get(tool)
    if info is None or info.subject != subject:
        raise AuditRefused("That audit tool is not installed.")
    if service.directorate.code not in info.directorates:
        raise AuditRefused(f"The {info.title} is not used in {service.directorate.name}.")
    if not registry.is_enabled(tool, service.id):
        raise AuditRefused(
            f"The {info.title} is switched off for {service.name}, so new audits "
            "cannot be started there. Ask a system administrator if it should be switched on."
        )
    return info


def new_audit(
    info: ToolInfo,
    auditor: User,
    kind: AuditKind,
    service_id: int,
    team_id: int | None,
    *,
    case: Case | None = None,
    subject_user: User | None = None,
    facts: Mapping[str, Any] | None = None,
    token: str | None = None,
) -> Audit:
    """Create and commit a draft audit. Callers check who may start it first.

    Tools with pages of their own (a themed audit allocating its sample) use
    this too, so every audit is made the same way.
    """
    audit = Audit(
        tool=info.slug,
        form_version=info.version,
        case=case,
        subject_user=subject_user,
        facts=dict(facts or {}),
        service_id=service_id,
        team_id=team_id,
        auditor=auditor,
        worker_id=case.allocated_worker_id if case is not None else None,
        category=case.category if case is not None else None,
        kind=kind,
        status=AuditStatus.DRAFT,
        audit_date=date.today(),
        request_token=token or None,
    )
    db.session.add(audit)
    try:
        db.session.flush()  # a duplicate start fails here or at commit: caught below
        trail.record(
            "audit.created",
            audit,
            summary=f"Started {trail.audit_label(audit)}",
            after=trail.snapshot(audit, "tool", "kind", "auditor_id", "status"),
        )
        db.session.commit()
    except IntegrityError:
        # The same start form arrived twice at once: keep the first audit.
        db.session.rollback()
        existing = _existing(token, auditor)
        if existing is None:
            raise
        return existing
    return audit


def start_audit(
    registry: ToolRegistry, case: Case, auditor: User, tool: str, token: str | None
) -> Audit:
    """Start a draft audit of ``case`` with ``tool``.

    ``token`` comes from the start form: sending the same form twice (a double
    click, a resend) returns the audit the first one created.
    """
    existing = _existing(token, auditor)
    if existing is not None:
        return existing
    kind = audit_kind_for(auditor, case)
    if kind is None:
        raise AuditRefused("You cannot audit this case file.")
    if not case.is_open:
        raise AuditRefused("This case is closed, so new audits cannot be started.")
    info = _usable_tool(registry, tool, Subject.CASE, case.service)
    audit = new_audit(info, auditor, kind, case.service_id, case.team_id, case=case, token=token)
    # An allocated case: the audit counts towards the auditor's programme.
    link_audit(audit)
    db.session.commit()
    return audit


def start_staff_audit(
    registry: ToolRegistry, staff: User, auditor: User, tool: str, token: str | None
) -> Audit:
    """Start a draft audit of a member of staff's record (e.g. their supervision)."""
    existing = _existing(token, auditor)
    if existing is not None:
        return existing
    kind = staff_audit_kind_for(auditor, staff)
    service = staff.service
    if kind is None or service is None:
        raise AuditRefused(f"You cannot audit {staff.name}'s records.")
    info = _usable_tool(registry, tool, Subject.STAFF, service)
    return new_audit(
        info, auditor, kind, service.id, staff.team_id, subject_user=staff, token=token
    )


@contextmanager
def _conflict_checked(keep_loaded: bool = False) -> Iterator[None]:
    """Run the changes and commit; a newer version saved meanwhile is a conflict.

    The whole block is guarded, not only the commit: a query inside it (the allocation
    lookup in ``complete_for``, a lazy load) autoflushes the audit, and that flush is
    where a concurrent save shows up as ``StaleDataError``.

    ``keep_loaded``: the objects keep what this transaction saved instead of being read
    back after the commit (``expire_on_commit``); the caller reports the version it saved,
    not a newer one another tab may have saved since.
    """
    session = db.session()
    expiring = session.expire_on_commit
    try:
        yield
        session.expire_on_commit = expiring and not keep_loaded
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise AuditConflict from error
    finally:
        session.expire_on_commit = expiring


def with_derived(answers: Mapping[str, AnswerValue], score: Score | None) -> dict[str, AnswerValue]:
    """The answers with those the tool works out (``score.derived``), fresh, on top."""
    if score is None or not score.derived:
        return dict(answers)
    return {**answers, **score.derived}


def save_draft(
    audit: Audit, answers: Mapping[str, AnswerValue], score: Score | None = None
) -> None:
    """Store the answers; the audit stays a draft. Bumps the audit's version.

    The audit keeps its saved values in memory after the commit: an autosave's reply
    (the new version, the time saved) needs no statement to read them back."""
    with _conflict_checked(keep_loaded=True):
        apply_answers(audit, with_derived(answers, score))
        audit.updated_at = utcnow()
        trail.record("audit.saved", audit, summary=f"Saved {trail.audit_label(audit)} as a draft")


def submit(
    audit: Audit,
    answers: Mapping[str, AnswerValue],
    score: Score | None,
    *,
    on: date | None = None,
) -> None:
    """Store the answers and the outcome, and make the audit read-only.

    ``on``: the audit's date when it is recorded after the day it was done (demo data);
    today otherwise. Given here rather than changed afterwards, the report tally counts
    the audit once, in its month, instead of counting it and then moving it."""
    with _conflict_checked():
        apply_answers(audit, with_derived(answers, score))
        now = utcnow()
        audit.status = AuditStatus.SUBMITTED
        if audit.case is not None:
            # Credit the worker who holds the case as the audit is completed, and
            # count the audit in the case's category as it is now (reports filter on it).
            audit.worker_id = audit.case.allocated_worker_id
            audit.category = audit.case.category
        audit.submitted_at = now
        audit.updated_at = now
        audit.audit_date = on or now.date()
        record_outcome(audit, score)
        complete_for(audit)
        trail.record(
            "audit.submitted",
            audit,
            summary=f"Submitted {trail.audit_label(audit)}",
            before={"status": AuditStatus.DRAFT.value},
            after=trail.snapshot(audit, "status", "overall_rating", "grade", "worker_id"),
        )
        audit_submitted.send(audit)


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

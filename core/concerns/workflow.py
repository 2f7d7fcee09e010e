"""Raising a safeguarding concern, answering it, and escalating it when unanswered.

Each function adds rows and records the change in the audit trail (with the
*audit* as the trail's object, so the audit's history shows its concerns) in the
caller's transaction; the caller commits, then the emails go (see
:mod:`core.notify` and :mod:`core.concerns.mail`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from core import notify, trail
from core.concerns import mail
from core.concerns.scope import managers_of, senior_managers_of
from core.concerns.working_days import due_by, local_date
from core.extensions import db
from core.models import Audit, Concern, ConcernEscalation, ConcernResponse, User
from core.models._types import utcnow
from core.models.concerns import DESCRIPTION_LENGTH, DONE_BY_LENGTH, RESPONSE_LENGTH

__all__ = ["Escalated", "add_response", "escalate_overdue", "raise_concern", "today"]


def today() -> date:
    """The council's date now (deadlines are in local working days)."""
    return local_date(utcnow())


def _link(concern: Concern) -> str:
    return f"/concerns/{concern.id}"


def raise_concern(
    audit: Audit, raised_by: User, description: str, token: str | None = None
) -> Concern:
    """Record a concern about what ``audit`` is about and tell its managers at once.

    The concern belongs to the case's team and service as they are now (a child at
    risk is helped by whoever holds the case today); an audit without a case (a
    themed audit's sampled item, a member of staff's record) gives its own team and
    service. A resent form (same ``token``) returns the concern it already made.
    """
    token = token[:64] if token else None
    if token:
        existing = db.session.scalar(select(Concern).where(Concern.request_token == token))
        if existing is not None and existing.raised_by_id == raised_by.id:
            return existing
        if existing is not None:  # someone else's token, sent by hand: not a resend
            token = None
    case = audit.case
    raised_at = utcnow()
    days = int(current_app.config.get("CONCERN_RESPONSE_DAYS", 1))
    concern = Concern(
        audit=audit,
        case=case,
        service_id=case.service_id if case is not None else audit.service_id,
        team_id=case.team_id if case is not None else audit.team_id,
        worker_id=(
            case.allocated_worker_id
            if case is not None
            else (audit.worker_id or audit.subject_user_id)
        ),
        raised_by=raised_by,
        raised_at=raised_at,
        description=description.strip()[:DESCRIPTION_LENGTH],
        response_days=days,
        due_on=due_by(raised_at, days),
        request_token=token,
    )
    db.session.add(concern)
    db.session.flush()
    told = [m for m in managers_of(concern) if m.id != raised_by.id]
    trail.record(
        "concern.raised",
        audit,
        summary=f"Raised safeguarding concern {concern.id} on {trail.audit_label(audit)}",
        after={
            "concern": concern.id,
            "due_on": concern.due_on.isoformat(),
            "told": [m.email for m in told],
        },
        actor=raised_by,
    )
    for manager in told:
        notify.notify(
            manager,
            kind="concern",
            topic=f"concern:{concern.id}",
            subject=f"Safeguarding concern raised during an audit of {concern.subject_label}",
            template="emails/concern_raised.txt",
            concern=concern,
            link=_link(concern),
        )
    mail.tell_safeguarding(
        concern,
        subject=f"Safeguarding concern raised during an audit: {concern.subject_label}",
        template="emails/concern_safeguarding.txt",
        event="raised",
        told=told,
    )
    return concern


def add_response(
    concern: Concern, recorded_by: User, action_taken: str, done_by: str, done_on: date
) -> ConcernResponse:
    """Add a response (what was done, by whom, when). Earlier responses stay as they were."""
    response = ConcernResponse(
        concern=concern,
        action_taken=action_taken.strip()[:RESPONSE_LENGTH],
        done_by=done_by.strip()[:DONE_BY_LENGTH],
        done_on=done_on,
        recorded_by=recorded_by,
        recorded_at=utcnow(),
    )
    db.session.add(response)
    db.session.flush()
    trail.record(
        "concern.answered",
        concern.audit,
        summary=f"Recorded a response to safeguarding concern {concern.id}",
        after={"concern": concern.id, "response": response.id, "done_on": done_on.isoformat()},
        actor=recorded_by,
    )
    raiser = concern.raised_by
    if raiser.id != recorded_by.id:
        notify.notify(
            raiser,
            kind="concern",
            topic=f"concern-answered:{concern.id}",
            subject=f"A response to your safeguarding concern: {concern.subject_label}",
            template="emails/notice.txt",
            lines=[
                f"{recorded_by.name} recorded what was done about the safeguarding concern "
                f"you raised about {concern.subject_label}."
            ],
            link=_link(concern),
        )
    return response


@dataclass
class Escalated:
    """What ``careaudit concerns escalate`` did."""

    concerns: list[int] = field(default_factory=list)
    told: int = 0


def overdue_unescalated(day: date) -> list[int]:
    """Ids of concerns unanswered after the end of their due day and not yet escalated."""
    answered = exists().where(ConcernResponse.concern_id == Concern.id)
    escalated = exists().where(ConcernEscalation.concern_id == Concern.id)
    return list(
        db.session.scalars(
            select(Concern.id)
            .where(Concern.due_on < day, ~answered, ~escalated)
            .order_by(Concern.id)
        )
    )


def escalate_overdue(day: date | None = None) -> Escalated:
    """Escalate each concern unanswered past its due day, once, and tell people.

    Each concern commits on its own. The escalation row's unique ``concern_id``
    means a second run (or a second server running at the same moment) escalates
    nothing twice: it skips a concern another run has escalated.
    """
    day = day or today()
    result = Escalated()
    for concern_id in overdue_unescalated(day):
        concern = db.session.get(Concern, concern_id)
        if concern is None or concern.is_answered or concern.escalation is not None:
            continue
        seniors = senior_managers_of(concern)
        managers = managers_of(concern)
        told = seniors + [m for m in managers if m not in seniors]
        try:
            with db.session.begin_nested():
                db.session.add(
                    ConcernEscalation(concern=concern, escalated_at=utcnow(), told=len(told))
                )
        except IntegrityError:  # another run got there first
            db.session.rollback()
            continue
        trail.record(
            "concern.escalated",
            concern.audit,
            summary=f"Escalated safeguarding concern {concern.id}: no response by "
            f"{concern.due_on.isoformat()}",
            after={"concern": concern.id, "told": [u.email for u in told]},
        )
        for user in told:
            notify.notify(
                user,
                kind="concern",
                topic=f"concern-escalated:{concern.id}",
                subject=f"Escalated: no response to a safeguarding concern about "
                f"{concern.subject_label}",
                template="emails/concern_escalated.txt",
                concern=concern,
                link=_link(concern),
                senior=user in seniors,
            )
        mail.tell_safeguarding(
            concern,
            subject=f"Escalated: no response to a safeguarding concern about "
            f"{concern.subject_label}",
            template="emails/concern_safeguarding.txt",
            event="escalated",
            told=told,
        )
        db.session.commit()
        notify.deliver()
        result.concerns.append(concern.id)
        result.told += len(told)
    return result

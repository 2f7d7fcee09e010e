"""The demo borough's safeguarding concerns: a few, as in a real year.

Raised during audits already in the demo: one answered the same day, one answered
late after it was escalated, one overdue and escalated, and one raised today and
waiting. Rows are written directly with their historical times (no emails are sent
and nothing is added to the audit trail, whose entries are stamped with the time
they are written).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from core.concerns.scope import managers_of, senior_managers_of
from core.concerns.working_days import LONDON, due_by, is_working_day
from core.extensions import db
from core.models import (
    Audit,
    AuditStatus,
    Concern,
    ConcernEscalation,
    ConcernResponse,
    Role,
    User,
)
from core.models._types import utcnow

DESCRIPTIONS = [
    "The latest case note (three weeks ago) records bruising to the child's arm seen at "
    "school. There is no record of a strategy discussion, a referral or the child being "
    "seen since.",
    "Mum's new partner has moved in; the police notified us of a domestic incident last "
    "month. The plan has not been reviewed and the child has not been seen alone since.",
    "The young person has been missing from placement three times this month. There is no "
    "return home interview on file and no record of a multi-agency exploitation meeting.",
    "The file records the adult saying their son takes their money and they are frightened "
    "of him. No safeguarding enquiry (section 42) has been started.",
]
RESPONSES = [
    (
        "Strategy discussion held with the police and school; the child was seen at home "
        "and a section 47 enquiry started.",
        "Duty team manager",
    ),
    (
        "Child seen alone at school by the allocated worker; safety plan agreed with mum and "
        "a child protection conference requested.",
        "Allocated social worker and team manager",
    ),
]


def _at(day: date, hour: int, minute: int) -> datetime:
    """A council-time moment, stored as the models store times (UTC, naive)."""
    local = datetime.combine(day, time(hour, minute))
    if LONDON is None:
        return local
    return local.replace(tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def _working_days_before(today: date, count: int) -> date:
    day = today
    while count:
        day -= timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def _responder(concern: Concern) -> User | None:
    managers = managers_of(concern)
    return next((m for m in managers if m.role is Role.TEAM_MANAGER), None) or (
        managers[0] if managers else None
    )


def demo(rng: random.Random, today: date) -> None:
    """Add the demo's concerns to audits already loaded, and commit."""
    audits = db.session.scalars(
        select(Audit)
        .where(Audit.case_id.is_not(None), Audit.status == AuditStatus.SUBMITTED)
        .order_by(Audit.id)
    ).all()
    drafts = db.session.scalars(
        select(Audit)
        .where(Audit.case_id.is_not(None), Audit.status == AuditStatus.DRAFT)
        .order_by(Audit.id)
    ).all()
    if len(audits) < 3:
        return
    # When each was raised, working days before today, and what became of it.
    plans = [
        (rng.randint(40, 80), "answered"),
        (rng.randint(15, 30), "answered late"),
        (4, "overdue"),
        (0, "open"),
    ]
    descriptions = rng.sample(DESCRIPTIONS, len(plans))
    for (ago, fate), description in zip(plans, descriptions, strict=True):
        raised_on = _working_days_before(today, ago) if ago else today
        candidates = [a for a in audits if a.audit_date <= raised_on]
        if fate == "open" and drafts:
            candidates = list(drafts)  # raised from a draft, mid-audit
        if not candidates:
            continue
        audit = rng.choice(candidates[-40:])
        case = audit.case
        assert case is not None
        raised_at = _at(raised_on, rng.randint(9, 15), rng.randint(0, 59))
        if not ago:  # raised today: earlier than now, whenever the demo is loaded
            raised_at = min(raised_at, utcnow() - timedelta(minutes=rng.randint(20, 90)))
        concern = Concern(
            audit=audit,
            case=case,
            service_id=case.service_id,
            team_id=case.team_id,
            worker_id=case.allocated_worker_id,
            raised_by_id=audit.auditor_id,
            raised_at=raised_at,
            description=description,
            response_days=1,
            due_on=due_by(raised_at, 1),
        )
        db.session.add(concern)
        db.session.flush()
        if fate in ("answered late", "overdue"):
            escalated_on = concern.due_on + timedelta(days=1)
            while not is_working_day(escalated_on):
                escalated_on += timedelta(days=1)
            db.session.add(
                ConcernEscalation(
                    concern=concern,
                    escalated_at=_at(escalated_on, 7, 0),
                    told=len(senior_managers_of(concern)) + len(managers_of(concern)),
                )
            )
        responder = _responder(concern)
        if fate.startswith("answered") and responder is not None:
            action, done_by = rng.choice(RESPONSES)
            done_on = raised_on if fate == "answered" else concern.due_on + timedelta(days=3)
            db.session.add(
                ConcernResponse(
                    concern=concern,
                    action_taken=action,
                    done_by=done_by,
                    done_on=done_on,
                    recorded_by=responder,
                    recorded_at=_at(done_on, 17, rng.randint(0, 59)),
                )
            )
    db.session.commit()

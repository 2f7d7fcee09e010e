"""The demo borough's feedback: most read and replied to, a few overdue.

The demo writes its audits straight to the tables (not through
``workflow.submit``), so the submission signal never fires for them: this makes
the feedback of the last three months' submitted audits directly, with the
steps a real team would have taken by ``today``. Each step is written to the
audit trail too, dated when the demo says it happened, so every audit's history
reads as it would in use (the chain's hashes cover those dates as any other).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from core import trail
from core.audits.views import subject_of
from core.extensions import db
from core.feedback.forms import rated_standards
from core.feedback.workflow import managers_of, reply_days, worker_for
from core.models import (
    Agreement,
    Audit,
    AuditStatus,
    Disagreement,
    Feedback,
    Rating,
    User,
)
from core.templating import format_date
from core.tools.registry import get_registry
from core.trail import chain

#: Audits submitted within this many days get feedback in the demo.
DAYS_BACK = 90

REASONS = (
    "The chronology was updated the week before the audit; the audit looked at an "
    "older print of the file.",
    "The child was seen alone at the last two visits; this is recorded in the case "
    "notes rather than the visit form.",
    "The plan was reviewed at the core group on time. The minutes were waiting to be "
    "uploaded by business support.",
    "Management oversight is recorded in my supervision notes, which the audit did not look at.",
    "The assessment was completed within timescale; the delay was in authorisation, "
    "not in my work.",
)
COMMENTS = (
    "Thank you. I will update the chronology this week.",
    "Helpful feedback. I have booked time to bring the case notes up to date.",
    "I agree the plan needs to be more specific and will raise it at the next review.",
    "",
    "",
)
DISAGREE_COMMENTS = (
    "I would like to discuss this audit in supervision.",
    "I accept the other findings, but the ratings above do not reflect the work done.",
)


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(hour=rng.randint(9, 17), minute=rng.randint(0, 59)))


def _record(
    action: str, audit: Audit, actor: User, at: datetime, summary: str, **after: Any
) -> None:
    """A trail entry about ``audit``, dated when the demo says it happened."""
    chain.append(
        db.session.connection(),
        {
            "at": at,
            "actor_id": actor.id,
            "actor_label": f"{actor.name} <{actor.email}>",
            "action": action,
            "object_type": "audit",
            "object_id": str(audit.id),
            "case_id": audit.case_id,
            "summary": summary,
            "before": None,
            "after": trail.clean(after) if after else None,
            "ip_address": None,
            "request_id": None,
        },
    )


def demo(rng: random.Random, today: date) -> None:
    """Feedback on the demo's recently submitted audits, at every stage. Commits."""
    registry = get_registry()
    audits = db.session.scalars(
        select(Audit)
        .where(
            Audit.status == AuditStatus.SUBMITTED,
            Audit.submitted_at >= datetime.combine(today - timedelta(days=DAYS_BACK), time()),
        )
        .order_by(Audit.submitted_at, Audit.id)
    ).all()
    days = reply_days()
    audits = [
        a for a in audits if (w := worker_for(a)) is not None and w.id != a.auditor_id and w.active
    ]
    # The latest audit past its reply period is always left unread, so the demo's
    # compliance page and digest have something overdue to show.
    past = [a for a in audits if a.submitted_at.date() + timedelta(days=days) < today]
    left_unread = past[-1].id if past else None
    disagreements = 0
    made: list[tuple[Feedback, Audit]] = []
    for audit in audits:
        worker = worker_for(audit)
        assert worker is not None and audit.submitted_at is not None
        submitted = audit.submitted_at
        service = worker.service
        feedback = Feedback(
            audit_id=audit.id,
            worker_id=worker.id,
            team_id=worker.team_id if worker.team_id is not None else audit.team_id,
            service_id=service.id if service is not None else audit.service_id,
            created_at=submitted,
            due_on=submitted.date() + timedelta(days=days),
        )
        db.session.add(feedback)
        db.session.flush()
        made.append((feedback, audit))
        _record(
            "feedback.requested",
            audit,
            audit.auditor,
            submitted,
            f"Sent to {worker.name} to read and acknowledge by {format_date(feedback.due_on)}",
        )
        past_due = feedback.due_on < today
        # Most read it in time; some are still within the period; a few let it slip.
        if audit.id == left_unread or rng.random() > (0.9 if past_due else 0.5):
            continue
        latest = min(today, feedback.due_on)
        if past_due and rng.random() < 0.1:
            latest = min(today, feedback.due_on + timedelta(days=10))  # late, but read
        read_on = submitted.date() + timedelta(
            days=rng.randint(0, max(0, (latest - submitted.date()).days))
        )
        feedback.acknowledged_at = max(submitted, _moment(read_on, rng))
        _record(
            "feedback.acknowledged",
            audit,
            worker,
            feedback.acknowledged_at,
            f"{worker.name} read and acknowledged the audit"
            + (f" (due by {format_date(feedback.due_on)})" if read_on > feedback.due_on else ""),
        )
        if read_on <= feedback.due_on and rng.random() < 0.6:
            disagreements += _reply(feedback, audit, worker, rng, registry)
        # Discussed at the next supervision, a week or two after it was read.
        discussed = read_on + timedelta(days=rng.randint(3, 20))
        managers = managers_of(feedback.team_id)
        if discussed <= today and managers and rng.random() < 0.8:
            _discuss(feedback, audit, worker, managers[0], discussed, rng)
    if made and not disagreements:
        # The demo should show what a disagreement looks like: the latest reply open.
        for feedback, audit in reversed(made):
            if feedback.replied_at is None and feedback.reply_open(today):
                worker = db.session.get(User, feedback.worker_id)
                assert worker is not None
                if feedback.acknowledged_at is None:
                    feedback.acknowledged_at = max(
                        audit.submitted_at or feedback.created_at, _moment(today, rng)
                    )
                _reply(feedback, audit, worker, rng, registry, disagree=True)
                break
    db.session.commit()


def _reply(
    feedback: Feedback,
    audit: Audit,
    worker: User,
    rng: random.Random,
    registry: Any,
    disagree: bool | None = None,
) -> int:
    """The worker's reply: mostly agreeing; 1 if it disagrees, else 0."""
    assert feedback.acknowledged_at is not None
    low = {
        a.question: a.rating
        for a in audit.answers
        if a.rating in (Rating.NOT_MET, Rating.PARTIALLY_MET)
    }
    if disagree is None:
        disagree = bool(low) and rng.random() < 0.07
    at = feedback.acknowledged_at + timedelta(minutes=rng.randint(5, 240))
    feedback.replied_at = at
    if not disagree:
        feedback.agreement = Agreement.AGREE
        feedback.comment = rng.choice(COMMENTS) or None
        _record(
            "feedback.replied", audit, worker, at, f"{worker.name} replied: agrees with the audit"
        )
        return 0
    definition = registry.form(audit.tool, audit.case, audit.service_id, subject_of(audit))
    keys = [s.question.key for s in rated_standards(definition) if s.question.key in low]
    if not keys:
        keys = [s.question.key for s in rated_standards(definition)][:1]
    chosen = rng.sample(keys, min(len(keys), rng.randint(1, 2)))
    feedback.agreement = Agreement.DISAGREE
    feedback.comment = rng.choice(DISAGREE_COMMENTS)
    for key in chosen:
        db.session.add(
            Disagreement(feedback_id=feedback.id, question=key, reason=rng.choice(REASONS))
        )
    count = len(chosen)
    _record(
        "feedback.replied",
        audit,
        worker,
        at,
        f"{worker.name} replied: disagrees with {count} standard{'s' if count != 1 else ''}",
    )
    return 1


def _discuss(
    feedback: Feedback,
    audit: Audit,
    worker: User,
    manager: User,
    discussed: date,
    rng: random.Random,
) -> None:
    feedback.discussed_on = discussed
    feedback.discussed_recorded_by_id = manager.id
    feedback.discussed_recorded_at = max(
        _moment(discussed, rng),
        feedback.replied_at or feedback.acknowledged_at or feedback.created_at,
    )
    _record(
        "feedback.discussed",
        audit,
        manager,
        feedback.discussed_recorded_at,
        f"Discussed with {worker.name} in supervision on {format_date(discussed)}",
    )

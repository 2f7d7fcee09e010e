"""Feedback's steps and who may take them, free of HTTP.

Each step records itself in the audit trail with the *audit* as the trail's object,
so the audit's history (``core.history``) lists it. Nothing here commits: callers
commit, so a step and its trail entry stand or fall together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update

from core import notify, trail
from core.access import can_view_audit
from core.audits.workflow import audit_submitted
from core.extensions import db
from core.models import Agreement, Audit, Disagreement, Feedback, Role, User
from core.models._types import utcnow
from core.templating import format_date
from core.tools.registry import get_registry

#: Roles that discuss their team's feedback in supervision.
TEAM_MANAGERS = frozenset({Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER})


class FeedbackRefused(Exception):
    """A step cannot be taken now; the message is shown to the user."""


def worker_for(audit: Audit) -> User | None:
    """Whose work the audit looked at: who held the case, or the staff member audited."""
    if audit.worker is not None:
        return audit.worker
    if audit.case is not None:
        return audit.case.allocated_worker
    return audit.subject_user


def managers_of(team_id: int | None) -> list[User]:
    """The team manager and deputies of a team, who discuss feedback in supervision."""
    if team_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(User.team_id == team_id, User.role.in_(TEAM_MANAGERS), User.active.is_(True))
            .order_by(User.role, User.name)
        )
    )


def reply_days() -> int:
    return int(current_app.config["REPLY_DAYS"])


def give_feedback(audit: Audit) -> Feedback | None:
    """Ask the audited worker to read the submitted audit; tell them and their managers.

    None when there is nobody to feed back to: no worker, a self-audit (the worker
    is the auditor), or a worker who has left; and for a moderator's audit, which checks
    the line auditor rather than the worker: its result goes to the line auditor and
    their manager (core.moderation), and the worker had their feedback from the line audit.
    """
    worker = worker_for(audit)
    if worker is None or worker.id == audit.auditor_id or not worker.active:
        return None
    if _is_moderation(audit):
        return None
    existing = db.session.scalar(select(Feedback).where(Feedback.audit_id == audit.id))
    if existing is not None:
        return existing
    submitted_on = (audit.submitted_at or utcnow()).date()
    service = worker.service
    feedback = Feedback(
        audit=audit,
        worker=worker,
        # The worker's own team discusses it in supervision; a worker with no team
        # (rare) leaves it with the team where the file was audited.
        team_id=worker.team_id if worker.team_id is not None else audit.team_id,
        service_id=service.id if service is not None else audit.service_id,
        due_on=submitted_on + timedelta(days=reply_days()),
    )
    db.session.add(feedback)
    db.session.flush()
    trail.record(
        "feedback.requested",
        audit,
        summary=f"Sent to {worker.name} to read and acknowledge by {format_date(feedback.due_on)}",
        after={"worker_id": worker.id, "due_on": feedback.due_on.isoformat()},
    )
    _tell(feedback, audit, worker)
    return feedback


def _tell(feedback: Feedback, audit: Audit, worker: User) -> None:
    tool = get_registry().get(audit.tool)
    what = tool.title if tool is not None else "audit"
    about = audit.subject_label
    link = f"/audits/{audit.id}"
    due = format_date(feedback.due_on)
    notify.notify(
        worker,
        kind="feedback",
        topic=f"feedback:{audit.id}",
        subject=f"An audit of your work is ready to read: {about}",
        template="emails/notice.txt",
        lines=[
            f"{audit.auditor.name} has completed the {what} of {about}.",
            f"Please read it and acknowledge it by {due}. You can reply by then too: say "
            "that you agree, or which standards you disagree with and why.",
            "Your reply is shown beside the audit; it does not change the audit.",
        ],
        link=link,
    )
    for manager in managers_of(feedback.team_id):
        if manager.id in (worker.id, audit.auditor_id):
            continue  # the auditor knows; the worker has their own email
        notify.notify(
            manager,
            kind="feedback",
            topic=f"feedback:{audit.id}",
            subject=f"Audit feedback to discuss with {worker.name}: {about}",
            template="emails/notice.txt",
            lines=[
                f"{audit.auditor.name} has completed the {what} of {about}. It has been "
                f"sent to {worker.name} to read and acknowledge by {due}.",
                "Please discuss it with them in supervision and record the date on the "
                "audit's page.",
            ],
            link=link,
        )


@audit_submitted.connect
def _on_submitted(audit: Audit, **extra: object) -> None:
    give_feedback(audit)


def _is_moderation(audit: Audit) -> bool:
    from core.models import Moderation

    linked = select(Moderation.id).where(Moderation.moderation_audit_id == audit.id)
    return db.session.scalar(linked) is not None


def feedback_for(audit: Audit) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.audit_id == audit.id))


# -- who may do what ------------------------------------------------------------


def is_worker(user: User, feedback: Feedback) -> bool:
    return user.id == feedback.worker_id


def manages(user: User, feedback: Feedback) -> bool:
    """The worker's team manager or deputy, or the service manager: they record supervision.

    Never the worker themselves (a deputy whose own record was audited), and only
    someone who may read the audit.
    """
    if user.id == feedback.worker_id:
        return False
    if user.role in TEAM_MANAGERS:
        mine = feedback.team_id is not None and user.team_id == feedback.team_id
    elif user.role is Role.SERVICE_MANAGER:
        mine = user.service_id is not None and user.service_id == feedback.service_id
    else:
        mine = False
    return mine and can_view_audit(user, feedback.audit)


# -- the worker's steps -----------------------------------------------------------


def acknowledge(feedback: Feedback, worker: User, today: date) -> bool:
    """Record that the worker has read the audit. False if they had already."""
    if not is_worker(worker, feedback):
        raise FeedbackRefused("Only the worker the audit was sent to can acknowledge it.")
    now = utcnow()
    # A conditional update, so two clicks (or two tabs) record one acknowledgement.
    done = db.session.execute(
        update(Feedback)
        .where(Feedback.id == feedback.id, Feedback.acknowledged_at.is_(None))
        .values(acknowledged_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        return False
    feedback.acknowledged_at = now
    late = today > feedback.due_on
    trail.record(
        "feedback.acknowledged",
        feedback.audit,
        summary=f"{worker.name} read and acknowledged the audit"
        + (f" (due by {format_date(feedback.due_on)})" if late else ""),
        after={"acknowledged_at": now.isoformat(timespec="seconds")},
    )
    return True


@dataclass(frozen=True)
class Reply:
    """What the worker says: agree or disagree, reasons by question key, a comment."""

    agreement: Agreement
    reasons: Mapping[str, str]
    comment: str


def reply(feedback: Feedback, worker: User, answer: Reply, today: date) -> None:
    """Store the worker's reply, once. Acknowledges the audit too if not yet done.

    The reply is final: it cannot be changed or added to later (anything more is
    for supervision), so what the manager and auditor read is what was sent.
    """
    if not is_worker(worker, feedback):
        raise FeedbackRefused("Only the worker the audit was sent to can reply to it.")
    if feedback.has_reply:
        raise FeedbackRefused("You have already replied to this audit.")
    if not feedback.reply_open(today):
        raise FeedbackRefused(
            f"The time to reply ended on {format_date(feedback.due_on)}. "
            "You can still talk about the audit in supervision."
        )
    acknowledge(feedback, worker, today)
    now = utcnow()
    reasons = dict(answer.reasons) if answer.agreement is Agreement.DISAGREE else {}
    comment = answer.comment.strip() or None
    # Conditional again: of two replies sent at once, only the first is kept.
    done = db.session.execute(
        update(Feedback)
        .where(Feedback.id == feedback.id, Feedback.replied_at.is_(None))
        .values(replied_at=now, agreement=answer.agreement, comment=comment)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise FeedbackRefused("You have already replied to this audit.")
    feedback.replied_at, feedback.agreement, feedback.comment = now, answer.agreement, comment
    for question, reason in reasons.items():
        db.session.add(Disagreement(feedback_id=feedback.id, question=question, reason=reason))
    if answer.agreement is Agreement.AGREE:
        summary = f"{worker.name} replied: agrees with the audit"
    else:
        count = len(reasons)
        summary = f"{worker.name} replied: disagrees" + (
            f" with {count} standard{'s' if count != 1 else ''}" if count else ""
        )
    trail.record(
        "feedback.replied",
        feedback.audit,
        summary=summary,
        after={"agreement": answer.agreement.value, "standards": sorted(reasons)},
    )


# -- the manager's step -----------------------------------------------------------


def record_supervision(feedback: Feedback, manager: User, discussed_on: date) -> None:
    """Record (or correct) the date the audit was discussed in supervision."""
    if not manages(manager, feedback):
        raise FeedbackRefused("Only the worker's manager can record the supervision.")
    before = feedback.discussed_on
    if before == discussed_on:
        return
    feedback.discussed_on = discussed_on
    feedback.discussed_recorded_by_id = manager.id
    feedback.discussed_recorded_at = utcnow()
    trail.record(
        "feedback.discussed",
        feedback.audit,
        summary=(
            f"Discussed with {feedback.worker.name} in supervision on {format_date(discussed_on)}"
            + (f" (corrected from {format_date(before)})" if before else "")
        ),
        before={"discussed_on": before.isoformat() if before else None},
        after={"discussed_on": discussed_on.isoformat()},
    )

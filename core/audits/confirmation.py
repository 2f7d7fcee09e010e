"""What the confirmation page tells an auditor happens after they submit."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.models import Audit


def next_steps(audit: Audit) -> list[str]:
    """Plain sentences about what submitting set going, from what was recorded.

    Read back from the database rather than promised, so the page never says
    someone was told when they were not (an audit of an unallocated case has no
    worker to send feedback to).
    """
    # Imported here: the follow-up packages build on core.audits, not the other way round.
    from core.feedback.workflow import feedback_for
    from core.models import Moderation

    steps = []
    feedback = feedback_for(audit)
    if feedback is not None:
        steps.append(
            f"We have sent the audit to {feedback.worker.name} to read. They are asked to "
            f"acknowledge it by {feedback.due_on.day} {feedback.due_on:%B %Y}, and can reply "
            "if they disagree."
        )
        steps.append(
            "Their manager is asked to talk it through with them in supervision and record "
            "when they did."
        )
    moderation = db.session.scalar(
        select(Moderation).where(Moderation.moderation_audit_id == audit.id)
    )
    if moderation is not None:
        steps.append(
            "This was a moderation audit: the line audit of the same file can now be compared "
            "with yours, standard by standard."
        )
    steps.append(
        "Actions to put right anything that needs it are set and followed up from the "
        "audit’s page. Its results are counted in the monthly and quarterly reports."
    )
    steps.append("The audit cannot be changed now. You can read it at any time.")
    return steps

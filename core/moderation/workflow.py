"""The moderator's audit: started from the moderation, noticed when submitted.

The moderator's audit is an ordinary independent audit of the file (``AuditKind``
independent), made with the same tool as the line audit, so it counts wherever
independent audits count; the ``Moderation`` row is what links the two.
"""

from __future__ import annotations

from sqlalchemy import select

from core import trail
from core.audits.workflow import AuditRefused, audit_submitted, new_audit
from core.extensions import db
from core.models import Audit, AuditKind, Moderation, ModerationStatus, User
from core.models._types import utcnow
from core.tools.registry import ToolRegistry


def start(registry: ToolRegistry, moderation: Moderation, moderator: User) -> Audit:
    """The moderator's audit of the file: started now, or the one already started.

    The start token is the moderation's own, so a double click or two tabs find the
    audit the first request made (``audit.request_token`` is unique).
    """
    if moderation.moderation_audit is not None:
        return moderation.moderation_audit
    info = registry.get(moderation.tool)
    if info is None:
        raise AuditRefused("The audit tool of this line audit is not installed any more.")
    case = moderation.case
    # Not start_audit: the file is moderated even if the case has closed since, or the
    # tool was switched off, because the line audit being checked used them.
    audit = new_audit(
        info,
        moderator,
        AuditKind.INDEPENDENT,
        case.service_id,
        case.team_id,
        case=case,
        token=f"moderation-{moderation.id}",
    )
    db.session.refresh(moderation)
    if moderation.moderation_audit_id is None:
        moderation.moderation_audit_id = audit.id
        trail.record(
            "moderation.started",
            moderation.line_audit,
            summary=f"Started moderating {trail.audit_label(moderation.line_audit)} "
            f"(moderator's audit {audit.id})",
            after={"moderation_id": moderation.id, "moderation_audit_id": audit.id},
        )
        db.session.commit()
    return audit


@audit_submitted.connect
def _on_submitted(audit: Audit) -> None:
    """The moderator has submitted: the moderation moves on to the comparison."""
    moderation = db.session.scalar(
        select(Moderation).where(Moderation.moderation_audit_id == audit.id)
    )
    if moderation is None or moderation.status is not ModerationStatus.DRAWN:
        return
    moderation.status = ModerationStatus.AUDITED
    moderation.audited_at = utcnow()
    trail.record(
        "moderation.audited",
        moderation.line_audit,
        summary=f"The moderator submitted their audit {audit.id} of the file of "
        f"{trail.audit_label(moderation.line_audit)}; the two can now be compared",
        before={"status": ModerationStatus.DRAWN.value},
        after={"status": ModerationStatus.AUDITED.value, "moderation_audit_id": audit.id},
    )

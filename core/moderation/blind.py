"""Blind moderation: a moderator does not see the audit they are moderating.

Until the moderator's own audit of the file is submitted, the line audit is hidden
from them everywhere audits are read (``core.access.audit_visibility`` applies this):
its page answers 404 and the case page does not list it, even though independent
reviewers otherwise see every submitted audit. Once they have submitted, they see
both side by side.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from core.models import Moderation, ModerationStatus, User


def hidden_from(user: User) -> Select[tuple[int]]:
    """The ids of the audits ``user`` is moderating blind (a subquery for ``NOT IN``)."""
    return select(Moderation.line_audit_id).where(
        Moderation.moderator_id == user.id, Moderation.status == ModerationStatus.DRAWN
    )

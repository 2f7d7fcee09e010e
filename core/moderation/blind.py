"""Blind moderation: a moderator does not see the audit they are moderating.

Until the moderator's own audit of the file is submitted, the line audit is hidden
from them everywhere audits are read (``core.access.audit_visibility`` applies this):
its page answers 404 and the case page does not list it, even though independent
reviewers otherwise see every submitted audit. Once they have submitted, they see
both side by side.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from core.extensions import db
from core.models import Moderation, ModerationStatus, User
from core.models._types import constant


def hidden_from(user: User) -> Select[tuple[int]]:
    """The ids of the audits ``user`` is moderating blind (a subquery for ``NOT IN``)."""
    return select(Moderation.line_audit_id).where(
        Moderation.moderator_id == user.id,
        Moderation.status == constant(ModerationStatus.DRAWN),  # planned once (issue 12)
    )


def moderating_blind(user: User, case_id: int) -> bool:
    """Whether ``user`` is moderating an audit of this case blind.

    Pages that summarise what was done to a case file (who has looked at it and what
    they changed) would tell them about the line audit, so they hide it meanwhile.
    """
    return (
        db.session.scalar(
            select(Moderation.id)
            .where(
                Moderation.moderator_id == user.id,
                Moderation.case_id == case_id,
                Moderation.status == ModerationStatus.DRAWN,
            )
            .limit(1)
        )
        is not None
    )

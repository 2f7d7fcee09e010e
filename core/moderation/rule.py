"""The moderation rule: what share of each month's line-management audits is moderated.

One council-wide row (``ModerationRule``), edited by administrators beside the audit
rules. Until one is saved, the default (10%, on) applies.
"""

from __future__ import annotations

from sqlalchemy import select

from core import trail
from core.extensions import db
from core.models import ModerationRule, User
from core.models.moderation import DEFAULT_SHARE_PERCENT

#: The share may be set from 1% to every audit.
MAX_SHARE = 100


def current_rule() -> ModerationRule:
    """The saved rule, or the default one (not added to the session) if none is saved."""
    rule = db.session.scalar(select(ModerationRule).order_by(ModerationRule.id))
    if rule is None:
        rule = ModerationRule(share_percent=DEFAULT_SHARE_PERCENT, active=True)
    return rule


def save_rule(share_percent: int, active: bool, user: User | None) -> ModerationRule:
    """Change the rule and record the change in the trail; the caller commits."""
    rule = current_rule()
    was = trail.snapshot(rule, "share_percent", "active")
    rule.share_percent = share_percent
    rule.active = active
    rule.updated_by_id = user.id if user is not None else None
    db.session.add(rule)
    before, after = trail.changes(was, trail.snapshot(rule, "share_percent", "active"))
    trail.record(
        "moderation.rule_updated",
        rule,
        summary=f"Moderation rule: {share_percent}% of line audits, " + ("on" if active else "off"),
        before=before,
        after=after,
    )
    return rule

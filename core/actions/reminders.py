"""Reminders about actions, sent by ``careaudit remind`` through the programme's machinery.

``send_due`` (``core.programme.reminders``) first calls :func:`prepare` (re-audits whose
day has come, or whose actions are all confirmed, become allocations and their auditors
are told), then sends what the :data:`BUILDERS` return with the allocation reminders:

``action_due_soon``
    To the owner, when an open action is due within ``REMINDER_DAYS`` days.
``action_overdue``
    To the owner, when an open action is past its due date.

One email per owner and kind, listing every action it is about. Each action is the
subject of one email of a kind *for its due date*: the topic is
``"<kind>:<action id>:<due date>"``, looked up on any day, so nothing goes twice, and an
action reopened with a new due date is reminded again about the new date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core import notify
from core.actions.followup import make_due_reaudits
from core.extensions import db
from core.models import ActionStatus, RemedialAction, Reminder, User
from core.programme.reminders import SUBJECT_LENGTH, Outgoing
from core.templating import format_date

ACTION_DUE_SOON = "action_due_soon"
ACTION_OVERDUE = "action_overdue"


def prepare(today: date) -> int:
    """Make due the re-audits that are; commit, and queue the auditors' emails."""
    made = make_due_reaudits(today)
    db.session.commit()
    notify.deliver()
    return made


def _topic(kind: str, action: RemedialAction) -> str:
    return f"{kind}:{action.id}:{action.due_date.isoformat()}"


def _open_actions(*conditions: object) -> list[RemedialAction]:
    statement = (
        select(RemedialAction)
        .join(User, User.id == RemedialAction.owner_id)
        .options(joinedload(RemedialAction.owner), joinedload(RemedialAction.audit))
        .where(
            RemedialAction.status == ActionStatus.OPEN,
            User.active.is_(True),
            User.email != "",
            *conditions,
        )
        .order_by(RemedialAction.owner_id, RemedialAction.due_date, RemedialAction.id)
    )
    return list(db.session.scalars(statement).unique())


def _not_yet_told(kind: str, actions: Sequence[RemedialAction]) -> list[RemedialAction]:
    if not actions:
        return []
    topics = {_topic(kind, a): a for a in actions}
    told = set(
        db.session.execute(
            select(Reminder.user_id, Reminder.topic).where(
                Reminder.kind == kind, Reminder.topic.in_(list(topics))
            )
        ).all()
    )
    return [a for t, a in topics.items() if (a.owner_id, t) not in told]


def _emails(
    kind: str,
    actions: Sequence[RemedialAction],
    today: date,
    subject: Callable[[list[RemedialAction]], str],
) -> list[Outgoing]:
    by_owner: dict[User, list[RemedialAction]] = defaultdict(list)
    for action in actions:
        by_owner[action.owner].append(action)
    base = current_app.config["BASE_URL"]
    out = []
    for owner, theirs in by_owner.items():
        body = render_template(
            "emails/actions_reminder.txt",
            user=owner,
            actions=theirs,
            overdue=kind == ACTION_OVERDUE,
            today=today,
            base_url=base,
            home_url=base + "/",
            messages_url=base + "/messages",
        )
        out.append(
            Outgoing(
                user_id=owner.id,
                to=f"{owner.name} <{owner.email}>",
                kind=kind,
                subject=subject(theirs)[:SUBJECT_LENGTH],
                body=body,
                topics=[(_topic(kind, a), None) for a in theirs],
            )
        )
    return out


def _due_soon(today: date) -> list[Outgoing]:
    days = int(current_app.config["REMINDER_DAYS"])
    candidates = _open_actions(
        RemedialAction.due_date >= today, RemedialAction.due_date <= today + timedelta(days=days)
    )

    def subject(actions: list[RemedialAction]) -> str:
        if len(actions) == 1:
            return f"Reminder: your action is due on {format_date(actions[0].due_date)}"
        first = min(a.due_date for a in actions)
        return f"Reminder: {len(actions)} actions due soon, the first on {format_date(first)}"

    return _emails(ACTION_DUE_SOON, _not_yet_told(ACTION_DUE_SOON, candidates), today, subject)


def _overdue(today: date) -> list[Outgoing]:
    candidates = _open_actions(RemedialAction.due_date < today)

    def subject(actions: list[RemedialAction]) -> str:
        if len(actions) == 1:
            return f"Overdue: your action was due on {format_date(actions[0].due_date)}"
        return f"Overdue: {len(actions)} of your actions are past their due date"

    return _emails(ACTION_OVERDUE, _not_yet_told(ACTION_OVERDUE, candidates), today, subject)


#: Called by ``core.programme.reminders.send_due`` after the allocation reminders.
BUILDERS: tuple[Callable[[date], list[Outgoing]], ...] = (_due_soon, _overdue)

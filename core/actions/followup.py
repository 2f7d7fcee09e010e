"""The changes to an audit's follow-up. Each is recorded in the audit trail against the
audit (so the audit's history shows it) and tells the people concerned; callers commit
(and, outside a request, call ``notify.deliver()`` after the commit).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core import notify, trail
from core.access import audit_kind_for
from core.extensions import db
from core.models import (
    ActionStatus,
    Allocation,
    AllocationStatus,
    Audit,
    FollowUp,
    ReAudit,
    RemedialAction,
    User,
)
from core.models._types import utcnow
from core.programme import periods
from core.templating import format_date

#: Days the auditor has to carry out a re-audit once it is due.
REAUDIT_DAYS = 28
NOTICE = "emails/notice.txt"


class FollowUpRefused(Exception):
    """The change cannot be made; the message is shown to the user."""


def _step(step: str, by: User, text: str = "") -> dict[str, str]:
    return {"at": utcnow().isoformat(timespec="minutes"), "by": by.name, "step": step, "text": text}


def _append(action: RemedialAction, step: dict[str, str]) -> None:
    # A new list, so SQLAlchemy sees the JSON column change.
    action.history = [*(action.history or []), step]


def _short(text: str, length: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def action_link(action: RemedialAction) -> str:
    return f"/actions/{action.id}"


def set_action(
    audit: Audit,
    *,
    question: str | None,
    label: str,
    description: str,
    owner: User,
    due: date,
    by: User,
) -> RemedialAction:
    """Set an action on a submitted audit and tell its owner."""
    action = RemedialAction(
        audit_id=audit.id,
        question=question,
        question_label=label[:200],
        description=description,
        owner_id=owner.id,
        due_date=due,
        status=ActionStatus.OPEN,
        set_by_id=by.id,
        history=[_step("set", by, description)],
    )
    db.session.add(action)
    db.session.flush()
    trail.record(
        "action.set",
        audit,
        summary=f"Action {action.id} set for {label}: {_short(description)} "
        f"(owner {owner.name}, due {format_date(due)})",
        after={
            "action": action.id,
            "question": question,
            "owner_id": owner.id,
            "due_date": due.isoformat(),
        },
    )
    if owner.id != by.id:
        notify.notify(
            owner,
            kind="action",
            topic=f"action:{action.id}",
            subject=f"An action for you after the audit of {audit.subject_label}, "
            f"due {format_date(due)}",
            template=NOTICE,
            lines=[
                f"{by.name} has set you an action after the audit of {audit.subject_label} "
                f"({label}):",
                "",
                description,
                "",
                f"It is due by {format_date(due)}. When it is done, mark it done with a note "
                "of the evidence.",
            ],
            link=action_link(action),
        )
    return action


def mark_done(action: RemedialAction, evidence: str, by: User) -> None:
    """The owner has done it: keep their note of the evidence, ask a manager to confirm."""
    if action.status is not ActionStatus.OPEN:
        raise FollowUpRefused("This action is not open, so it cannot be marked done.")
    action.status = ActionStatus.DONE
    action.done_at = utcnow()
    action.evidence = evidence
    _append(action, _step("done", by, evidence))
    trail.record(
        "action.done",
        action.audit,
        summary=f"Action {action.id} ({action.question_label}) marked done by {by.name}: "
        f"{_short(evidence)}",
        before={"action": action.id, "status": ActionStatus.OPEN.value},
        after={"action": action.id, "status": ActionStatus.DONE.value},
    )
    setter = action.set_by
    if setter.id != by.id:
        notify.notify(
            setter,
            kind="action",
            topic=f"action:{action.id}:done:{len(action.history)}",
            subject=f"An action is done and waits for confirmation: {action.audit.subject_label}",
            template=NOTICE,
            lines=[
                f"{by.name} has marked done the action for {action.question_label} after the "
                f"audit of {action.audit.subject_label}. Their evidence:",
                "",
                evidence,
                "",
                "A manager confirms it, or reopens it with a reason.",
            ],
            link=action_link(action),
        )


def confirm(action: RemedialAction, by: User, today: date) -> ReAudit | None:
    """A manager confirms the action; returns a re-audit this made due, if any."""
    if action.status is not ActionStatus.DONE:
        raise FollowUpRefused("Only an action marked done can be confirmed.")
    action.status = ActionStatus.CONFIRMED
    action.confirmed_at = utcnow()
    action.confirmed_by_id = by.id
    _append(action, _step("confirmed", by))
    trail.record(
        "action.confirmed",
        action.audit,
        summary=f"Action {action.id} ({action.question_label}) confirmed by {by.name}",
        before={"action": action.id, "status": ActionStatus.DONE.value},
        after={"action": action.id, "status": ActionStatus.CONFIRMED.value},
    )
    reaudit = db.session.scalar(select(ReAudit).where(ReAudit.audit_id == action.audit_id))
    if reaudit is not None and reaudit.allocation_id is None and is_due(reaudit, today):
        make_due(reaudit, today)
        return reaudit
    return None


def reopen(action: RemedialAction, reason: str, by: User, due: date | None) -> None:
    """A manager sends a done action back to its owner, with the reason (and a new date)."""
    if action.status is not ActionStatus.DONE:
        raise FollowUpRefused("Only an action marked done can be reopened.")
    before = {"action": action.id, "status": action.status.value}
    action.status = ActionStatus.OPEN
    action.reopened += 1
    if due is not None and due != action.due_date:
        before["due_date"] = action.due_date.isoformat()
        action.due_date = due
    _append(action, _step("reopened", by, reason))
    after = {"action": action.id, "status": ActionStatus.OPEN.value}
    if "due_date" in before:
        after["due_date"] = action.due_date.isoformat()
    trail.record(
        "action.reopened",
        action.audit,
        summary=f"Action {action.id} ({action.question_label}) reopened by {by.name}: "
        f"{_short(reason)}",
        before=before,
        after=after,
    )
    notify.notify(
        action.owner,
        kind="action",
        topic=f"action:{action.id}:reopened:{action.reopened}",
        subject=f"Your action has been reopened: {action.audit.subject_label}, "
        f"due {format_date(action.due_date)}",
        template=NOTICE,
        lines=[
            f"{by.name} has reopened your action for {action.question_label} after the audit "
            f"of {action.audit.subject_label}. The reason:",
            "",
            reason,
            "",
            f"It is due by {format_date(action.due_date)}.",
        ],
        link=action_link(action),
    )


def sign_off(audit: Audit, by: User) -> FollowUp:
    if db.session.get(FollowUp, audit.id) is not None:
        raise FollowUpRefused("This audit's follow-up has already been signed off.")
    follow_up = FollowUp(audit_id=audit.id, signed_off_by_id=by.id, signed_off_at=utcnow())
    db.session.add(follow_up)
    count = db.session.scalar(
        select(func.count(RemedialAction.id)).where(RemedialAction.audit_id == audit.id)
    )
    trail.record(
        "followup.signed_off",
        audit,
        summary=f"Follow-up of {trail.audit_label(audit)} signed off by {by.name} "
        f"with {count} action{'s' if count != 1 else ''}",
        after={"signed_off_by_id": by.id, "actions": count},
    )
    return follow_up


# -- re-audit -------------------------------------------------------------------------


def request_reaudit(
    audit: Audit,
    *,
    auditor: User,
    after_actions: bool,
    on_date: date | None,
    by: User,
    today: date,
) -> ReAudit:
    """Ask for the file to be audited again; due at once if it already is."""
    if db.session.scalar(select(ReAudit.id).where(ReAudit.audit_id == audit.id)) is not None:
        raise FollowUpRefused("A re-audit has already been asked for.")
    reaudit = ReAudit(
        audit_id=audit.id,
        auditor_id=auditor.id,
        requested_by_id=by.id,
        after_actions=after_actions,
        on_date=on_date,
    )
    db.session.add(reaudit)
    db.session.flush()
    when = (
        "once every action is confirmed"
        if after_actions
        else f"on {format_date(on_date)}"
        if on_date
        else "now"
    )
    trail.record(
        "reaudit.requested",
        audit,
        summary=f"Re-audit of {trail.audit_label(audit)} asked for by {by.name}, by "
        f"{auditor.name}, {when}",
        after={
            "reaudit": reaudit.id,
            "auditor_id": auditor.id,
            "after_actions": after_actions,
            "on_date": on_date.isoformat() if on_date else None,
        },
    )
    if is_due(reaudit, today):
        make_due(reaudit, today)
    return reaudit


def actions_all_confirmed(audit_id: int) -> bool:
    """True when the audit has actions and every one is confirmed."""
    rows = db.session.execute(
        select(RemedialAction.status, func.count())
        .where(RemedialAction.audit_id == audit_id)
        .group_by(RemedialAction.status)
    ).all()
    counts = {status: n for status, n in rows}
    return bool(counts) and set(counts) == {ActionStatus.CONFIRMED}


def is_due(reaudit: ReAudit, today: date) -> bool:
    if reaudit.allocation_id is not None:
        return False
    if reaudit.on_date is not None and reaudit.on_date <= today:
        return True
    return reaudit.after_actions and actions_all_confirmed(reaudit.audit_id)


def _free_period(tool: str, case_id: int, today: date) -> str:
    """This month, or the first month after it without an allocation of the case."""
    period = periods.month_of(today)
    for _ in range(24):
        taken = db.session.scalar(
            select(Allocation.id).where(
                Allocation.period == period.key,
                Allocation.tool == tool,
                Allocation.case_id == case_id,
            )
        )
        if taken is None:
            return period.key
        period = periods.previous(period, -1)
    return period.key


def make_due(reaudit: ReAudit, today: date) -> Allocation | None:
    """Allocate the re-audit to its auditor, due in ``REAUDIT_DAYS``, and tell them."""
    audit = reaudit.audit
    case = audit.case
    if case is None or reaudit.allocation_id is not None:
        return None
    auditor = reaudit.auditor
    allocation = Allocation(
        period=_free_period(audit.tool, case.id, today),
        rule_id=None,
        run_id=None,
        auditor_id=auditor.id,
        slot=0,
        case_id=case.id,
        tool=audit.tool,
        kind=audit_kind_for(auditor, case) or audit.kind,
        due_date=today + timedelta(days=REAUDIT_DAYS),
        status=AllocationStatus.ALLOCATED,
        note=f"Re-audit of audit {audit.id}",
    )
    db.session.add(allocation)
    db.session.flush()
    reaudit.allocation_id = allocation.id
    reaudit.became_due_on = today
    trail.record(
        "reaudit.due",
        audit,
        summary=f"Re-audit of {trail.audit_label(audit)} allocated to {auditor.name}, due "
        f"{format_date(allocation.due_date)}",
        after={"reaudit": reaudit.id, "allocation": allocation.id},
    )
    message = notify.notify(
        auditor,
        kind="allocated",
        topic=f"allocated:{allocation.id}",
        subject=f"Re-audit allocated to you: {case.reference}, due "
        f"{format_date(allocation.due_date)}",
        template=NOTICE,
        lines=[
            f"The case file {case.reference} is to be audited again, after the audit of "
            f"{format_date(audit.audit_date)} and its actions.",
            f"It is due by {format_date(allocation.due_date)}. Start it from your home page; "
            "once it is submitted the two audits are compared standard by standard.",
        ],
        link="/",
    )
    if message is not None:
        # The programme's reminders then know the auditor was told of this allocation.
        message.allocation_id = allocation.id
    return allocation


def make_due_reaudits(today: date) -> int:
    """Re-audits whose date has come, or whose actions are all confirmed (daily run)."""
    waiting = db.session.scalars(
        select(ReAudit).where(ReAudit.allocation_id.is_(None)).order_by(ReAudit.id)
    ).all()
    made = 0
    for reaudit in waiting:
        if is_due(reaudit, today) and make_due(reaudit, today) is not None:
            made += 1
    return made

"""``careaudit remind``: email auditors and managers about allocated audits.

Run once a day from cron. :func:`send_due` sends what is due *today*:

``allocated``
    To the auditor, about allocations not yet told about (still open, not past due).
``due_soon``
    To the auditor, when an open allocation is due within ``REMINDER_DAYS`` days.
``overdue``
    To the auditor, once, when an open allocation is past its due date.
``digest``
    On ``DIGEST_WEEKDAY`` only, to each team manager and deputy (their team's overdue
    audits, and audits their workers have not acknowledged by the end of the reply
    period) and each service manager (their service's), when there is something overdue.

One email per person and kind, listing every allocation it is about: a team manager
given three case files gets one email, not three. Each email is recorded as
:class:`~core.models.Reminder` rows, one per allocation it covers (topic
``"<kind>:<allocation id>"``), or one row for a digest (topic ``"digest"``); the rows
of one email share their subject, body and ``sent_at`` and the messages page shows
them as one email.

Nothing is sent twice:

* an allocation is never the subject of two emails of the same kind to the same person,
  on any day (the topics are looked up first);
* the unique constraint on (user, topic, day) settles two runs at once: each email's
  rows are inserted and flushed *before* the email goes, so a second run waits for
  the first's transaction and then finds the row taken; the rows are committed once
  the mail server has accepted the email, one email at a time.

If sending fails, that email's rows are rolled back and the next run tries again. The
one way an email could go twice is a crash after the mail server took it and before the
commit, a window of milliseconds; the other order would lose emails instead.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import formataddr

from flask import current_app, render_template
from flask_mailman import EmailMessage
from flask_mailman.backends.base import BaseEmailBackend
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core.extensions import db, mail
from core.models import Allocation, AllocationStatus, Case, Reminder, Role, User
from core.models._types import utcnow
from core.programme.compliance import overdue_acknowledgements
from core.templating import format_date

ALLOCATED = "allocated"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
DIGEST = "digest"
KINDS = (ALLOCATED, DUE_SOON, OVERDUE, DIGEST)

#: Roles that get their team's weekly digest (service managers get their service's).
TEAM_ROLES = {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER}

SUBJECT_LENGTH = 200


class MailServerUnavailable(Exception):
    """The mail server could not be reached (or refused the sign-in)."""


@dataclass
class Outgoing:
    """One email to send, and the reminder rows that record it."""

    user_id: int
    to: str
    kind: str
    subject: str
    body: str
    #: (topic, allocation id) of each row; one row per allocation the email is about.
    topics: list[tuple[str, int | None]] = field(default_factory=list)


def send_due(today: date) -> dict[str, int]:
    """Send the reminders due on ``today``; returns how many emails of each kind went.

    ``failed`` counts emails the mail server did not take; nothing is recorded for them,
    so the next run tries them again. If the server cannot be reached the run stops.
    """
    from core.actions import reminders as follow_up

    counts = dict.fromkeys((*KINDS, "failed"), 0)
    # Re-audits whose day has come become allocations first (their auditors are told
    # then), so the allocation reminders below know about them.
    follow_up.prepare(today)
    connection = mail.get_connection()
    try:
        # In this order: an allocation told about today is not "due soon" as well.
        # The follow-up's builders (actions due soon and overdue) add their own kinds
        # to the counts when they send something.
        for build in (_allocated, _due_soon, _overdue, _digests, *follow_up.BUILDERS):
            for outgoing in build(today):
                try:
                    result = _send(connection, outgoing, today)
                except MailServerUnavailable:
                    # Every other email would fail the same way: stop, and try next run.
                    current_app.logger.exception("could not reach the mail server")
                    counts["failed"] += 1
                    return counts
                if result is not None:
                    key = outgoing.kind if result else "failed"
                    counts[key] = counts.get(key, 0) + 1
    finally:
        connection.close()
    return counts


# -- what is due --------------------------------------------------------------


def _open_allocations(*conditions: object) -> list[Allocation]:
    """Open allocations of active auditors who have an email address."""
    statement = (
        select(Allocation)
        .join(User, User.id == Allocation.auditor_id)
        .options(joinedload(Allocation.case), joinedload(Allocation.auditor))
        .where(
            Allocation.status == AllocationStatus.ALLOCATED,
            User.active.is_(True),
            User.email != "",
            *conditions,
        )
        .order_by(Allocation.auditor_id, Allocation.due_date, Allocation.id)
    )
    return list(db.session.scalars(statement).unique())


def _already_sent(kind: str, allocations: Sequence[Allocation]) -> set[tuple[int, int]]:
    """(user id, allocation id) pairs already emailed about as ``kind``, on any day."""
    if not allocations:
        return set()
    topics = [_topic(kind, a.id) for a in allocations]
    rows = db.session.execute(
        select(Reminder.user_id, Reminder.allocation_id).where(
            Reminder.kind == kind, Reminder.topic.in_(topics)
        )
    )
    return {(user_id, allocation_id) for user_id, allocation_id in rows}


def _topic(kind: str, allocation_id: int) -> str:
    return f"{kind}:{allocation_id}"


def _by_auditor(allocations: Iterable[Allocation]) -> dict[User, list[Allocation]]:
    grouped: dict[User, list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        grouped[allocation.auditor].append(allocation)
    return grouped


def _allocated(today: date) -> list[Outgoing]:
    candidates = _open_allocations(Allocation.due_date >= today)
    sent = _already_sent(ALLOCATED, candidates)
    fresh = [a for a in candidates if (a.auditor_id, a.id) not in sent]
    out = []
    for user, allocations in _by_auditor(fresh).items():
        if len(allocations) == 1:
            only = allocations[0]
            subject = (
                f"Case file audit allocated to you: {only.case.reference}, "
                f"due {format_date(only.due_date)}"
            )
        else:
            count = len(allocations)
            subject = f"{count} case file audits allocated to you, {_due_phrase(allocations)}"
        out.append(_outgoing(user, ALLOCATED, subject, "emails/allocated.txt", allocations, today))
    return out


def _due_soon(today: date) -> list[Outgoing]:
    days = int(current_app.config["REMINDER_DAYS"])
    candidates = _open_allocations(
        Allocation.due_date >= today, Allocation.due_date <= today + timedelta(days=days)
    )
    sent = _already_sent(DUE_SOON, candidates)
    # Someone told about an allocation already inside the window (allocated late in
    # the period) knows its due date: no reminder the next day as well.
    told = _last_told(candidates)
    due = [
        a
        for a in candidates
        if (a.auditor_id, a.id) not in sent
        and told.get((a.auditor_id, a.id), date.min) < a.due_date - timedelta(days=days)
    ]
    out = []
    for user, allocations in _by_auditor(due).items():
        if len(allocations) == 1:
            only = allocations[0]
            subject = (
                f"Reminder: the audit of {only.case.reference} is due on "
                f"{format_date(only.due_date)}"
            )
        else:
            dates = sorted({a.due_date for a in allocations})
            when = (
                f"due by {format_date(dates[0])}"
                if len(dates) == 1
                else f"due soon, the first on {format_date(dates[0])}"
            )
            subject = f"Reminder: {len(allocations)} audits {when}"
        out.append(
            _outgoing(user, DUE_SOON, subject, "emails/due_soon.txt", allocations, today, days=days)
        )
    return out


def _overdue(today: date) -> list[Outgoing]:
    candidates = _open_allocations(Allocation.due_date < today)
    sent = _already_sent(OVERDUE, candidates)
    late = [a for a in candidates if (a.auditor_id, a.id) not in sent]
    out = []
    for user, allocations in _by_auditor(late).items():
        if len(allocations) == 1:
            only = allocations[0]
            subject = (
                f"Overdue: the audit of {only.case.reference} was due on "
                f"{format_date(only.due_date)}"
            )
        else:
            latest = max(a.due_date for a in allocations)
            subject = f"Overdue: {len(allocations)} audits were due by {format_date(latest)}"
        out.append(_outgoing(user, OVERDUE, subject, "emails/overdue.txt", allocations, today))
    return out


def _digests(today: date) -> list[Outgoing]:
    if today.weekday() != int(current_app.config["DIGEST_WEEKDAY"]):
        return []
    overdue = list(
        db.session.scalars(
            select(Allocation)
            .join(Case, Case.id == Allocation.case_id)
            .options(joinedload(Allocation.case), joinedload(Allocation.auditor))
            .where(Allocation.status == AllocationStatus.ALLOCATED, Allocation.due_date < today)
            .order_by(Allocation.due_date, Case.reference, Allocation.id)
        ).unique()
    )
    # Feedback its worker has not acknowledged in time (core.feedback).
    unacknowledged = overdue_acknowledgements(today)
    if not overdue and not unacknowledged:
        return []
    managers = db.session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            User.email != "",
            ((User.role.in_(TEAM_ROLES)) & User.team_id.is_not(None))
            | ((User.role == Role.SERVICE_MANAGER) & User.service_id.is_not(None)),
        )
        .order_by(User.id)
    ).all()
    already = set(
        db.session.scalars(
            select(Reminder.user_id).where(Reminder.topic == DIGEST, Reminder.sent_on == today)
        )
    )
    out = []
    for manager in managers:
        if manager.id in already:
            continue
        if manager.role is Role.SERVICE_MANAGER:
            theirs = [a for a in overdue if a.case.service_id == manager.service_id]
            late = [f for f in unacknowledged if f.service_id == manager.service_id]
            where = manager.own_service.name if manager.own_service else "your service"
        else:
            theirs = [a for a in overdue if a.case.team_id == manager.team_id]
            late = [f for f in unacknowledged if f.team_id == manager.team_id]
            where = manager.team.name if manager.team else "your team"
        if not theirs and not late:
            continue
        count, late_count = len(theirs), len(late)
        parts = [f"{count} overdue audit{'s' if count != 1 else ''}"] if count else []
        if late_count:
            parts.append(f"{late_count} audit{'s' if late_count != 1 else ''} not acknowledged")
        subject = f"Weekly digest: {' and '.join(parts)} in {where}"
        body = _render(
            "emails/digest.txt",
            manager,
            theirs,
            today,
            where=where,
            by_team=_by_team(theirs),
            unacknowledged=late,
        )
        out.append(
            Outgoing(
                user_id=manager.id,
                to=_address(manager),
                kind=DIGEST,
                subject=subject[:SUBJECT_LENGTH],
                body=body,
                topics=[(DIGEST, None)],
            )
        )
    return out


def _by_team(allocations: Sequence[Allocation]) -> list[tuple[str, list[Allocation]]]:
    """Overdue allocations under their team's name (a service manager's digest)."""
    grouped: dict[str, list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        team = allocation.case.team
        grouped[team.name if team else "No team"].append(allocation)
    return sorted(grouped.items())


def _last_told(allocations: Sequence[Allocation]) -> dict[tuple[int, int], date]:
    """The last day each (auditor, allocation) pair was emailed about, by any kind."""
    if not allocations:
        return {}
    rows = db.session.execute(
        select(Reminder.user_id, Reminder.allocation_id, Reminder.sent_on).where(
            Reminder.allocation_id.in_([a.id for a in allocations])
        )
    )
    told: dict[tuple[int, int], date] = {}
    for user_id, allocation_id, sent_on in rows:
        key = (user_id, allocation_id)
        if key not in told or sent_on > told[key]:
            told[key] = sent_on
    return told


def _due_phrase(allocations: Sequence[Allocation]) -> str:
    dates = sorted({a.due_date for a in allocations})
    if len(dates) == 1:
        return f"due by {format_date(dates[0])}"
    return f"the first due on {format_date(dates[0])}"


# -- writing and sending ------------------------------------------------------


def _address(user: User) -> str:
    return formataddr((user.name, user.email))


def _render(
    template: str, user: User, allocations: Sequence[Allocation], today: date, **extra: object
) -> str:
    base = current_app.config["BASE_URL"]
    return render_template(
        template,
        user=user,
        allocations=allocations,
        today=today,
        home_url=base + "/",
        messages_url=base + "/messages",
        **extra,
    )


def _outgoing(
    user: User,
    kind: str,
    subject: str,
    template: str,
    allocations: Sequence[Allocation],
    today: date,
    **extra: object,
) -> Outgoing:
    return Outgoing(
        user_id=user.id,
        to=_address(user),
        kind=kind,
        subject=subject[:SUBJECT_LENGTH],
        body=_render(template, user, allocations, today, **extra),
        topics=[(_topic(kind, a.id), a.id) for a in allocations],
    )


def _send(connection: BaseEmailBackend, outgoing: Outgoing, today: date) -> bool | None:
    """Record, send, commit. True if sent, False if sending failed, None if already sent."""
    sent_at = utcnow()
    rows = [
        Reminder(
            user_id=outgoing.user_id,
            kind=outgoing.kind,
            topic=topic,
            allocation_id=allocation_id,
            sent_on=today,
            sent_at=sent_at,
            subject=outgoing.subject,
            body=outgoing.body,
        )
        for topic, allocation_id in outgoing.topics
    ]
    # Each email is its own transaction: nothing else is pending, so a plain flush and
    # rollback will do (no savepoint: SQLite's driver would commit on releasing one).
    db.session.add_all(rows)
    try:
        db.session.flush()
    except IntegrityError:
        # Another run sent this today (and committed while we waited on its rows).
        db.session.rollback()
        return None
    try:
        connection.open()  # one SMTP connection for the whole run; a no-op once open
    except (OSError, smtplib.SMTPException) as error:
        db.session.rollback()
        raise MailServerUnavailable(str(error)) from error
    message = EmailMessage(
        subject=outgoing.subject, body=outgoing.body, to=[outgoing.to], connection=connection
    )
    try:
        if message.send() != 1:
            raise RuntimeError("the mail backend accepted nothing")
    except Exception:
        db.session.rollback()
        current_app.logger.exception(
            "could not send %s email to user %s; the next run tries again",
            outgoing.kind,
            outgoing.user_id,
        )
        connection.close()  # the next email starts on a fresh connection
        return False
    db.session.commit()
    return True

"""Tell a member of staff about something: a message now, an email straight after.

Used by the follow-up work (feedback, actions, moderation, concerns)::

    from core import notify

    notify.notify(
        worker,
        kind="feedback",
        topic=f"feedback:{audit.id}",
        subject="Your case file audit is ready to read",
        template="emails/feedback.txt",
        audit=audit,              # anything else the template needs
    )
    db.session.commit()           # the message and its email job commit with the change
    notify.deliver()              # queue the emails (views: done for you after the request)

Each message is a :class:`~core.models.Reminder` row, so it is listed on the user's
Messages page with the reminders, and ``topic`` is its identity: the same topic is not
told to the same person twice on one day. The email goes from a background job
(``notify.email``) queued only once the change has committed, so a slow or broken mail
server never delays or fails the user's request, and a change that rolls back sends
nothing. A failed email leaves the message on the Messages page and the job marked
failed with the mail server's error.
"""

from __future__ import annotations

from datetime import date
from email.utils import formataddr
from typing import Any

from flask import Flask, current_app, render_template
from flask_mailman import EmailMessage
from sqlalchemy import select

from core import jobs
from core.extensions import db, mail
from core.jobs.progress import JobProgress
from core.models import Job, Reminder, User
from core.models._types import utcnow

__all__ = ["deliver", "email_mailbox", "init_app", "notify"]

JOB_NAME = "notify.email"
MAILBOX_JOB = "notify.mailbox"
SUBJECT_LENGTH = 200
_PENDING = "careaudit_notify_pending"


def notify(
    user: User,
    *,
    kind: str,
    topic: str,
    subject: str,
    template: str,
    **context: Any,
) -> Reminder | None:
    """Record a message for ``user`` in the current transaction and queue its email.

    Returns the message, or None when the user is inactive or was already told about
    ``topic`` today. ``template`` is a plain-text email template; it gets ``user``,
    ``home_url``, ``messages_url``, ``base_url`` and ``context``.
    """
    if not user.active:
        return None
    today = date.today()
    told = db.session.scalar(
        select(Reminder.id).where(
            Reminder.user_id == user.id, Reminder.topic == topic, Reminder.sent_on == today
        )
    )
    if told is not None:
        return None
    base = current_app.config["BASE_URL"]
    body = render_template(
        template,
        user=user,
        base_url=base,
        home_url=base + "/",
        messages_url=base + "/messages",
        **context,
    )
    message = Reminder(
        user_id=user.id,
        kind=kind[:20],
        topic=topic[:60],
        sent_on=today,
        sent_at=utcnow(),
        subject=subject[:SUBJECT_LENGTH],
        body=body,
    )
    db.session.add(message)
    db.session.flush()
    job = jobs.create(JOB_NAME, {"message_ids": [message.id]})
    db.session.info.setdefault(_PENDING, []).append(job.id)
    return message


def email_mailbox(address: str, *, subject: str, template: str, **context: Any) -> None:
    """Queue an email to a shared mailbox (an address, not a member of staff), in the
    current transaction; it goes after the commit, like :func:`notify`'s emails.

    ``template`` gets ``base_url`` and ``context``. No message is listed anywhere: a
    mailbox has no Messages page."""
    body = render_template(template, base_url=current_app.config["BASE_URL"], **context)
    job = jobs.create(
        MAILBOX_JOB, {"to": address, "subject": subject[:SUBJECT_LENGTH], "body": body}
    )
    db.session.info.setdefault(_PENDING, []).append(job.id)


def deliver() -> int:
    """Queue the emails of messages committed in this session; returns how many jobs.

    Call after committing. Jobs whose rows did not commit (the change rolled back) are
    dropped."""
    pending = db.session.info.pop(_PENDING, [])
    if not pending:
        return 0
    queued = 0
    for job_id in pending:
        job = db.session.get(Job, job_id)
        if job is None:
            continue
        jobs.send(job)
        queued += 1
    return queued


@jobs.job(JOB_NAME)
def _email(arguments: dict[str, Any], progress: JobProgress) -> None:
    ids = [int(i) for i in arguments.get("message_ids", [])]
    messages = db.session.scalars(select(Reminder).where(Reminder.id.in_(ids))).all()
    progress.stage("Sending email", total=len(messages))
    connection = mail.get_connection()
    try:
        for message in messages:
            user = db.session.get(User, message.user_id)
            if user is None or not user.active:
                continue
            email = EmailMessage(
                subject=message.subject,
                body=message.body,
                to=[formataddr((user.name, user.email))],
                connection=connection,
            )
            if email.send() != 1:
                raise RuntimeError("the mail server accepted nothing")
            progress.advance()
    finally:
        connection.close()


@jobs.job(MAILBOX_JOB)
def _email_mailbox(arguments: dict[str, Any], progress: JobProgress) -> None:
    progress.stage("Sending email", total=1)
    email = EmailMessage(
        subject=str(arguments["subject"]),
        body=str(arguments["body"]),
        to=[str(arguments["to"])],
        connection=mail.get_connection(),
    )
    if email.send() != 1:
        raise RuntimeError("the mail server accepted nothing")
    progress.advance()


def init_app(app: Flask) -> None:
    """After each request, queue the emails of what the request committed."""

    @app.after_request
    def _deliver(response: Any) -> Any:
        if db.session.info.get(_PENDING):
            try:
                deliver()
            except Exception:  # never fail a response that has already done its work
                app.logger.exception("could not queue notification emails")
        return response

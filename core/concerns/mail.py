"""Emails to the Safeguarding and Quality Assurance service's shared mailbox.

The mailbox (``SAFEGUARDING_EMAIL``) is an address, not a member of staff, so
:mod:`core.notify` cannot tell it. This follows notify's path: the email is a
background job created in the same transaction as the concern and queued only
after the commit, so a mail server that is down never fails or delays raising a
concern, and a concern that rolls back sends nothing. A failed email leaves its
job marked failed with the mail server's error.

The email names the case and links to the concern; it does not carry the
description, which is read in careaudit, where every view is recorded.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, render_template
from flask_mailman import EmailMessage

from core import jobs
from core.extensions import db, mail
from core.jobs.progress import JobProgress
from core.models import Concern, Job

JOB_NAME = "concerns.safeguarding_email"
_PENDING = "careaudit_concerns_pending"


def tell_safeguarding(concern: Concern, *, subject: str, template: str, **context: Any) -> bool:
    """Queue an email about ``concern`` to the safeguarding mailbox, in this transaction.

    Returns False when no mailbox is set. Call :func:`deliver` after committing
    (views: done after the request)."""
    address = current_app.config.get("SAFEGUARDING_EMAIL", "")
    if not address:
        return False
    base = current_app.config["BASE_URL"]
    body = render_template(template, concern=concern, base_url=base, **context)
    job = jobs.create(
        JOB_NAME, {"to": address, "subject": subject[:200], "body": body, "concern": concern.id}
    )
    db.session.info.setdefault(_PENDING, []).append(job.id)
    return True


def deliver() -> int:
    """Queue the emails of what this session committed; returns how many jobs."""
    queued = 0
    for job_id in db.session.info.pop(_PENDING, []):
        job = db.session.get(Job, job_id)
        if job is None:  # rolled back with the concern
            continue
        jobs.send(job)
        queued += 1
    return queued


@jobs.job(JOB_NAME)
def _email(arguments: dict[str, Any], progress: JobProgress) -> None:
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
    """After each request, queue the safeguarding emails of what the request committed."""

    @app.after_request
    def _deliver(response: Any) -> Any:
        if db.session.info.get(_PENDING):
            try:
                deliver()
            except Exception:  # never fail a response that has already done its work
                app.logger.exception("could not queue safeguarding emails")
        return response

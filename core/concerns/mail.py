"""Emails to the Safeguarding and Quality Assurance service's shared mailbox.

The mailbox (``SAFEGUARDING_EMAIL``) is an address, not a member of staff, so it is
told through :func:`core.notify.email_mailbox`: the email is a background job created in
the same transaction as the concern and queued only after the commit, so a mail server
that is down never fails or delays raising a concern, and a concern that rolls back
sends nothing.

The email names the case and links to the concern; it does not carry the
description, which is read in careaudit, where every view is recorded.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from core import notify
from core.models import Concern


def tell_safeguarding(concern: Concern, *, subject: str, template: str, **context: Any) -> bool:
    """Queue an email about ``concern`` to the safeguarding mailbox, in this transaction.

    Returns False when no mailbox is set. The email goes once the change commits
    (:func:`core.notify.deliver`; views: done after the request)."""
    address = current_app.config.get("SAFEGUARDING_EMAIL", "")
    if not address:
        return False
    notify.email_mailbox(address, subject=subject, template=template, concern=concern, **context)
    return True

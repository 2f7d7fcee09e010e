"""Emailing a set-up link."""

from __future__ import annotations

from flask import current_app, has_request_context, render_template, url_for
from flask_mailman import EmailMessage

from core.accounts.links import link_hours, setup_token
from core.models import User


def _path(endpoint: str, **values: str) -> str:
    """A page's path, also from the command line (no request to build it from)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def send_setup_link(user: User) -> bool:
    """Email ``user`` a link to set their password. Returns False if the email failed."""
    base = current_app.config["BASE_URL"]
    link = base + _path("accounts.set_password", token=setup_token(user))
    body = render_template(
        "emails/setup_link.txt",
        user=user,
        link=link,
        hours=link_hours(),
        sign_in_url=base + _path("auth.sign_in"),
    )
    message = EmailMessage(
        subject=f"Set your password for {current_app.config['SERVICE_NAME']}",
        body=body,
        to=[user.email],
    )
    try:
        return message.send() == 1
    except Exception:  # the mail server refused or could not be reached
        current_app.logger.exception("could not send the set-up link to user %s", user.id)
        return False

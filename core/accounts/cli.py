"""``careaudit send-setup-links``: email new staff a link to set their password."""

from __future__ import annotations

import click
from sqlalchemy import select

from core.accounts.emails import send_setup_link
from core.accounts.links import has_no_password
from core.extensions import db
from core.models import User
from core.oidc import local_passwords


@click.command("send-setup-links")
@click.option("--email", "emails", multiple=True, help="Only these people (repeatable).")
def send_setup_links_command(emails: tuple[str, ...]) -> None:
    """Email a set-up link to active staff who have no password yet (e.g. after an import)."""
    if not local_passwords():
        # Staff sign in through the identity provider; a link would set an unusable password.
        click.echo("Passwords are not used (CAREAUDIT_LOCAL_PASSWORDS is off): no links sent.")
        return
    statement = select(User).where(User.active.is_(True)).order_by(User.email)
    if emails:
        statement = statement.where(User.email.in_([e.strip().lower() for e in emails]))
    users = [u for u in db.session.scalars(statement) if emails or has_no_password(u)]
    sent = failed = 0
    for user in users:
        if send_setup_link(user):
            sent += 1
        else:
            failed += 1
            click.echo(f"  could not email {user.email}", err=True)
    click.echo(f"Set-up links emailed to {sent} people.")
    if failed:
        raise click.ClickException(f"{failed} emails could not be sent; run the command again")

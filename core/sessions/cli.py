"""``careaudit sessions end EMAIL`` and ``careaudit sessions prune``."""

from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import func, select

from core.extensions import db
from core.sessions import clock


@click.group("sessions")
def sessions_group() -> None:
    """Sign a user out everywhere, or remove old session and sign-in records."""


@sessions_group.command("end")
@click.argument("email")
def end_command(email: str) -> None:
    """Sign EMAIL's account out on every device (e.g. when an administrator is locked out)."""
    from core.models import User
    from core.sessions import end_sessions

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account has the email address {email}")
    count = end_sessions(user.id, "ended from the command line")
    db.session.commit()
    click.echo(f"{user.name}: {count} {'session' if count == 1 else 'sessions'} ended")


@sessions_group.command("prune")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Keep ended or expired sessions this many days.",
)
def prune_command(days: int) -> None:
    """Delete sessions that ended more than DAYS ago, and sign-in attempts older than a day
    (throttling looks back 24 hours). Run it daily, e.g. from cron."""
    from core.auth import throttle
    from core.sessions import store

    sessions = store.prune(clock.now() - timedelta(days=days))
    attempts = throttle.prune()
    db.session.commit()
    click.echo(f"Removed {sessions} old sessions and {attempts} old sign-in attempts")

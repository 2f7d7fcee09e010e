"""``careaudit audit-trail verify`` and ``careaudit audit-trail prune``."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app

from core.extensions import db
from core.models._types import utcnow
from core.trail import chain


@click.group("audit-trail")
def trail_group() -> None:
    """Check the audit trail's hash chain, or remove entries past their retention."""


@trail_group.command("verify")
def verify_command() -> None:
    """Walk the chain; name the first altered or removed entry (exit 1), else exit 0."""
    with db.engine.connect() as connection:
        verdict = chain.verify(connection)
    if not verdict.intact:
        click.echo(f"The audit trail has been tampered with. {verdict.problem}", err=True)
        click.echo(f"{verdict.count} entries checked before the problem.", err=True)
        raise SystemExit(1)
    click.echo(f"{verdict.count} entries, chain intact")
    if verdict.head_hash:
        # Noting this elsewhere (a log, a ticket) also detects the newest entries' removal.
        click.echo(f"Last entry's hash: {verdict.head_hash}")


def retention_cutoff(now: datetime, years: int) -> datetime:
    """The same day and time ``years`` ago (28 February for 29 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@trail_group.command("prune")
@click.option(
    "--years",
    type=click.IntRange(min=1),
    default=None,
    help="Keep this many years (default: CAREAUDIT_TRAIL_RETENTION_YEARS, 6).",
)
def prune_command(years: int | None) -> None:
    """Delete entries older than the retention period, leaving a checkpoint entry."""
    from core import trail

    years = years or int(current_app.config.get("TRAIL_RETENTION_YEARS", 6))
    cutoff = retention_cutoff(utcnow(), years)
    values = trail._values(
        chain.PRUNED,
        None,
        None,
        f"Removed entries older than {years} years (before {cutoff:%d %B %Y})",
        None,
        None,
        None,
        None,
    )
    with db.engine.begin() as connection:
        removed = chain.prune(connection, cutoff, values)
    click.echo(f"Removed {removed} entries older than {cutoff:%d %B %Y}.")

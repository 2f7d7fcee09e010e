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


def _anchor(value: str) -> tuple[int, str]:
    entry_id, _, expected = value.partition(":")
    if not (entry_id.isascii() and entry_id.isdigit() and len(entry_id) <= 18 and expected):
        raise click.BadParameter("Give the entry and its hash as ID:HASH, like 1234:9f86d0...")
    return int(entry_id), expected.strip().lower()


@trail_group.command("verify")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    help="ID:HASH as printed by an earlier verify: that entry must still have that hash.",
)
def verify_command(anchors: tuple[str, ...]) -> None:
    """Walk the chain; name the first altered or removed entry (exit 1), else exit 0."""
    expected = [_anchor(value) for value in anchors]
    with db.engine.connect() as connection:
        verdict = chain.verify(connection)
        problem = verdict.problem
        if problem is None:
            problem = chain.check_anchors(connection, expected)
    if problem is not None:
        click.echo(f"The audit trail has been tampered with. {problem}", err=True)
        click.echo(f"{verdict.count} entries checked.", err=True)
        raise SystemExit(1)
    click.echo(f"{verdict.count} entries, chain intact")
    if verdict.head_hash:
        # Kept where the database's users cannot write, it is the next run's --anchor:
        # that finds a chain rewritten from scratch or its newest entries removed.
        click.echo(f"Last entry: {verdict.head_id}:{verdict.head_hash}")


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

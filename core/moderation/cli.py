"""``careaudit moderate --month 2026-11``: draw a month's line audits for moderation."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core import notify
from core.moderation.draw import draw
from core.programme import periods


@click.command("moderate")
@click.option(
    "--month", required=True, help="The month whose submitted line audits to draw, like 2026-11."
)
@click.option("--seed", type=int, default=None, help="Reuse a recorded seed.")
@click.option("--verbose", is_flag=True, help="Print the whole draw log.")
@with_appcontext
def moderate_command(month: str, seed: int | None, verbose: bool) -> None:
    """Draw the moderation rule's share of a month's line-management audits and allocate
    them to independent reviewers (safe to run again: nothing is drawn twice)."""
    try:
        period = periods.month(month)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--month") from error
    if seed is not None and not 0 <= seed < 2**63:
        raise click.BadParameter("the seed must be a whole number from 0", param_hint="--seed")
    run = draw(period, seed=seed, started_by="careaudit moderate")
    notify.deliver()
    for line in run.log if verbose else [run.log[0], run.log[-1]]:
        click.echo(line)

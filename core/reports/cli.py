"""``careaudit reports ...``: the report tally's upkeep."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from core.extensions import db
from core.models import ReportTally


@click.group("reports")
def reports_group() -> None:
    """Reports: the pre-aggregated counts they read."""


@reports_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Recount the report tally from every submitted audit (safe to run at any time)."""
    from core.reports.summary import rebuild

    started = time.perf_counter()
    audits = rebuild()
    rows = db.session.scalar(select(func.count()).select_from(ReportTally)) or 0
    click.echo(
        f"Rebuilt the report tally: {audits} submitted audits counted in {rows} rows "
        f"({time.perf_counter() - started:.1f} s)."
    )

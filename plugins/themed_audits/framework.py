"""The themed audits framework as a plugin: the pages every theme shares.

Not a tool itself (it declares no ``careaudit_tool``); each theme is.
"""

from __future__ import annotations

import random
from datetime import date

from flask import Blueprint

from core.models import User
from core.tools import MenuLink, hookimpl


@hookimpl
def careaudit_blueprints() -> list[Blueprint]:
    from plugins.themed_audits.views import bp

    return [bp]


@hookimpl
def careaudit_menu_links(user: User) -> list[MenuLink]:
    return [MenuLink("Themed audits", "themed_audits.index", "manage_programme")]


@hookimpl
def careaudit_commands() -> list[object]:
    from plugins.themed_audits.skeleton import new_theme_command

    return [new_theme_command]


@hookimpl
def careaudit_demo_data(rng: random.Random, today: date) -> str | None:
    from plugins.themed_audits.demo import load

    return load(rng, today)


@hookimpl
def careaudit_upcoming_reports(today: date) -> list[object]:
    """Each themed audit reports when its period has ended ("as and when")."""
    from sqlalchemy import select

    from core.extensions import db
    from core.programme.schedule import ReportDue, next_month_start
    from plugins.themed_audits.models import ThemedAudit

    running = db.session.scalars(
        select(ThemedAudit).where(ThemedAudit.period_end >= today.replace(day=1))
    )
    return [
        ReportDue(
            next_month_start(themed.period_end),
            f"Themed audit: {themed.title}",
            "SMT, CMT and Policy Overview Committee",
            "Service managers and SC&QA",
        )
        for themed in running
    ]

"""The ``careaudit`` command: Flask's CLI (run, db ...) plus careaudit's own commands."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError, SQLAlchemyError

from core.extensions import db
from core.tools.registry import get_registry


def _create_app() -> Flask:
    from core import create_app

    return create_app()


#: SQLSTATE 42P01, PostgreSQL's "relation ... does not exist".
UNDEFINED_TABLE = "42P01"


def is_missing_table(error: DBAPIError) -> bool:
    """Whether a database error says a table does not exist (SQLite or PostgreSQL)."""
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code == UNDEFINED_TABLE or str(original).startswith("no such table")


def missing_tables_message(app: Flask) -> str:
    """What to run: a database without migrations has no tables; one with them is behind."""
    try:
        with app.app_context():
            migrated = inspect(db.engine).has_table("alembic_version")
    except SQLAlchemyError:
        migrated = False
    if migrated:
        return "The database is not up to date (a table is missing): run `careaudit db upgrade`."
    return "The database has no tables yet: run `careaudit db upgrade` first."


class CareauditGroup(FlaskGroup):
    """Flask's command group, saying what to run when the database has no tables yet.

    Every command that reads the database would otherwise end in a traceback before the
    first ``careaudit db upgrade``; the answer is caught here, once for all of them.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            if not is_missing_table(error):
                raise
            app = ctx.ensure_object(ScriptInfo).load_app()
            raise click.ClickException(missing_tables_message(app)) from error


@click.group(cls=CareauditGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """careaudit: quality-assurance case file audits for social care."""


def register_commands(app: Flask) -> None:
    # Commands of the plugins' own (e.g. ``careaudit new-theme``).
    for command in get_registry(app).commands():
        app.cli.add_command(command)

    from core.accounts.cli import send_setup_links_command
    from core.imports.cli import import_group

    app.cli.add_command(import_group)
    app.cli.add_command(send_setup_links_command)

    from core.jobs.cli import worker_command

    app.cli.add_command(worker_command)

    from core.moderation.cli import moderate_command

    app.cli.add_command(moderate_command)

    from core.reports.cli import reports_group

    app.cli.add_command(reports_group)

    from core.tools.cli import tools_group
    from core.tools.skeleton import new_tool_command

    app.cli.add_command(tools_group)
    app.cli.add_command(new_tool_command)

    @app.cli.command("demo")
    @click.option("--reset", is_flag=True, help="Delete all data first, then load the demo.")
    @click.option(
        "--if-empty",
        is_flag=True,
        help="Load only if the database is empty; otherwise just print the demo sign-ins.",
    )
    @click.option("--seed", default=2011, show_default=True, help="Random seed for the demo.")
    def demo_command(reset: bool, if_empty: bool, seed: int) -> None:
        """Fill an empty database with a fictional borough (synthetic data only)."""
        from core import demo
        from core.models import User

        has_data = bool(db.session.scalar(select(func.count(User.id))))
        if has_data and not reset:
            if if_empty:
                if demo.is_demo_database():
                    click.echo("The database already has data; the demo was not reloaded.")
                    click.echo(demo.sign_in_table())
                else:
                    click.echo("The database already has data; the demo was not loaded.")
                return
            raise click.ClickException(
                "The database already has data. Use --reset to delete everything and load "
                "the demo instead."
            )
        if reset:
            demo.delete_everything()
        summary = demo.load(seed=seed)
        click.echo(summary)
        click.echo(demo.sign_in_table())

    @app.cli.command("allocate")
    @click.option("--period", required=True, help="The month to allocate, like 2026-12.")
    @click.option("--seed", type=int, default=None, help="Reuse a recorded seed.")
    @click.option("--verbose", is_flag=True, help="Print the whole allocation log.")
    def allocate_command(period: str, seed: int | None, verbose: bool) -> None:
        """Allocate a month's audits by the rules (safe to run again, or on two servers)."""
        from core.programme import periods
        from core.programme.allocation import allocate

        try:
            month = periods.month(period)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--period") from error
        run = allocate(get_registry(), month, seed=seed, started_by="careaudit allocate")
        lines = run.log if verbose else [run.log[0], run.log[-1]]
        for line in lines:
            click.echo(line)

    @app.cli.command("remind")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Send what is due on this day (YYYY-MM-DD) instead of today.",
    )
    def remind_command(today: datetime | None) -> None:
        """Email the reminders due today (for cron: running it again sends nothing twice)."""
        from core.programme.reminders import send_due

        day = today.date() if today is not None else date.today()
        counts = send_due(day)
        click.echo(
            f"Reminders for {day.isoformat()}: {counts['allocated']} allocated, "
            f"{counts['due_soon']} due soon, {counts['overdue']} overdue, "
            f"{counts['digest']} digests, {counts.get('action_due_soon', 0)} actions due soon, "
            f"{counts.get('action_overdue', 0)} actions overdue"
        )
        if counts["failed"]:
            raise click.ClickException(
                f"{counts['failed']} emails could not be sent; the next run tries them again"
            )

    @app.cli.command("default-rules")
    def default_rules_command() -> None:
        """Add the report's default audit rules where a service has none yet."""
        from core.programme.rules import default_rules

        made = default_rules(get_registry())
        db.session.commit()
        click.echo(f"Added {len(made)} rules.")

    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.option("--role", default="administrator", show_default=True)
    @click.password_option()
    def create_user_command(email: str, name: str, role: str, password: str) -> None:
        """Create a user (e.g. the first administrator of a new installation)."""
        from core.models import Role, User
        from core.password_policy import password_problem
        from core.passwords import hash_password

        try:
            parsed_role = Role(role)
        except ValueError as error:
            raise click.BadParameter(
                f"choose one of {', '.join(r.value for r in Role)}", param_hint="--role"
            ) from error
        problem = password_problem(password, email=email, name=name)
        if problem:
            raise click.BadParameter(problem, param_hint="--password")
        if parsed_role.needs_team or parsed_role.needs_service:
            raise click.BadParameter(
                "create team and service roles in the web admin pages", param_hint="--role"
            )
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
            raise click.ClickException(f"a user with email {email} already exists")
        db.session.add(
            User(
                email=email.lower(),
                name=name,
                role=parsed_role,
                password_hash=hash_password(password),
            )
        )
        db.session.commit()
        click.echo(f"Created {parsed_role.label.lower()} {email}.")

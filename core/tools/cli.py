"""``careaudit tools``: list the installed tools, and switch them per service from a script.

``careaudit tools enable SLUG --service NAME`` does what an administrator does on
Administration -> Audit tools, with the same rule (a tool is switched only for services
in a directorate it audits) and the same audit trail entry, so a scripted set-up and a
person leave the same record.
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from core import trail
from core.extensions import db
from core.models import Directorate, Service
from core.tools.info import ToolInfo
from core.tools.registry import ToolRegistry, get_registry


@click.group("tools", cls=AppGroup, invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@with_appcontext
def tools_group(ctx: click.Context, as_json: bool) -> None:
    """List installed audit tools and the services where each is switched on.

    With a subcommand (enable, disable), switch a tool on or off for services.
    """
    if ctx.invoked_subcommand is not None:
        return
    registry = get_registry()
    rows = [
        {
            "slug": tool.slug,
            "title": tool.title,
            "version": tool.version,
            "directorates": list(tool.directorates),
            "services": [s.name for s in registry.enabled_services(tool.slug)],
        }
        for tool in registry.all()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        services = ", ".join(row["services"]) or "switched off everywhere"
        click.echo(f"{row['slug']}  {row['title']}  v{row['version']}")
        click.echo(f"    on for: {services}")


def _comparable(name: str) -> str:
    # A script types a straight apostrophe where a service's name may have a curly one.
    return name.replace("’", "'").strip().casefold()


def find_tool(registry: ToolRegistry, slug: str) -> ToolInfo:
    """The installed tool ``slug``, or an error naming the tools that are installed."""
    tool = registry.get(slug)
    if tool is None:
        installed = ", ".join(t.slug for t in registry.all()) or "none"
        raise click.ClickException(f"no tool {slug!r} is installed (installed: {installed})")
    return tool


def find_service(name_or_id: str) -> Service:
    """A service by its name (any case) or its id, or an error naming the services."""
    services = list(db.session.scalars(select(Service).order_by(Service.name)))
    wanted = _comparable(name_or_id)
    for service in services:
        if _comparable(service.name) == wanted:
            return service
    if name_or_id.strip().isdigit():
        for service in services:
            if service.id == int(name_or_id):
                return service
    known = ", ".join(f"{s.name} (id {s.id})" for s in services) or "none yet"
    raise click.ClickException(f"no service is named {name_or_id!r} (services: {known})")


def _directorate_names(tool: ToolInfo) -> str:
    named = db.session.scalars(
        select(Directorate.name).where(Directorate.code.in_(tool.directorates))
    ).all()
    return " and ".join(sorted(named)) or ", ".join(tool.directorates)


def _services_for(
    tool: ToolInfo, names: tuple[str, ...], all_services: bool, state: str
) -> list[Service]:
    if all_services == bool(names):
        raise click.UsageError("give either --service NAME (one or more) or --all-services")
    if all_services:
        return [
            service
            for service in db.session.scalars(select(Service).order_by(Service.name))
            if service.directorate.code in tool.directorates
        ]
    services = [find_service(name) for name in names]
    for service in services:
        if service.directorate.code not in tool.directorates:
            raise click.ClickException(
                f"{tool.slug} audits {_directorate_names(tool)} only, so it cannot be "
                f"switched {state} for {service.name} ({service.directorate.name})"
            )
    return services


def switch_tool(slug: str, names: tuple[str, ...], all_services: bool, enabled: bool) -> None:
    """Switch ``slug`` on or off for services, recording each change as the admin page does."""
    registry = get_registry()
    tool = find_tool(registry, slug)
    state = "on" if enabled else "off"
    services = _services_for(tool, names, all_services, state)
    if not services:
        click.echo(f"No service is in {_directorate_names(tool)}; nothing changed.")
        return
    said: list[str] = []
    for service in services:
        if registry.is_enabled(tool.slug, service.id) == enabled:
            said.append(f"{tool.slug} is already {state} for {service.name}; nothing changed.")
            continue
        settings = registry.settings(tool.slug, service.id)
        registry.set_switch(tool.slug, service.id, enabled)
        # The same entry as Administration -> Audit tools (core.admin.views.service_tools).
        trail.record(
            "tools.updated",
            service,
            summary=f"Changed audit tools for {service.name}: {tool.slug}",
            before={tool.slug: {"on": not enabled} | settings},
            after={tool.slug: {"on": enabled} | settings},
        )
        said.append(f"Switched {tool.slug} ({tool.title}) {state} for {service.name}.")
    db.session.commit()  # every service named, or none
    for line in said:
        click.echo(line)


_service_option = click.option(
    "--service",
    "names",
    multiple=True,
    metavar="NAME",
    help="A service's name (any case) or id; repeat for several.",
)
_all_option = click.option(
    "--all-services",
    is_flag=True,
    help="Every service in a directorate the tool audits.",
)


@tools_group.command("enable")
@click.argument("slug")
@_service_option
@_all_option
def enable_command(slug: str, names: tuple[str, ...], all_services: bool) -> None:
    """Switch a tool on for services (safe to run again)."""
    switch_tool(slug, names, all_services, enabled=True)


@tools_group.command("disable")
@click.argument("slug")
@_service_option
@_all_option
def disable_command(slug: str, names: tuple[str, ...], all_services: bool) -> None:
    """Switch a tool off for services (past audits stay readable)."""
    switch_tool(slug, names, all_services, enabled=False)

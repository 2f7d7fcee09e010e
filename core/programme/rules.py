"""The report's default audit rules (lines 446-475), as a starting point to edit."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.models import AuditRule, CasePool, Frequency, Role, Service
from core.tools.info import Subject
from core.tools.registry import ToolRegistry


def _case_tool(registry: ToolRegistry, service: Service) -> str | None:
    for tool in registry.for_directorate(service.directorate.code):
        if tool.subject == Subject.CASE:
            return tool.slug
    return None


def default_rules(registry: ToolRegistry) -> list[AuditRule]:
    """Rules as the report sets them out, for services and tools without rules yet.

    Team managers and deputies: 3 files a month in their own team. Service
    managers: 3 a month within their service. Social workers: a self-audit a
    month, switched off by default. Independent reviewers: 4 random children's
    files a month across the services in scope. Senior managers: a random sample of 5
    every six months.
    """
    made: list[AuditRule] = []
    existing = {
        (r.service_id, r.auditor_role, r.tool) for r in db.session.scalars(select(AuditRule))
    }

    def add(rule: AuditRule) -> None:
        if (rule.service_id, rule.auditor_role, rule.tool) not in existing:
            db.session.add(rule)
            made.append(rule)
            existing.add((rule.service_id, rule.auditor_role, rule.tool))

    tools = set()
    for service in db.session.scalars(select(Service).order_by(Service.id)):
        tool = _case_tool(registry, service)
        if tool is None:
            continue
        tools.add(tool)
        for role, pool, quantity, active in (
            (Role.TEAM_MANAGER, CasePool.TEAM, 3, True),
            (Role.DEPUTY_TEAM_MANAGER, CasePool.TEAM, 3, True),
            (Role.SERVICE_MANAGER, CasePool.SERVICE, 3, True),
            (Role.SOCIAL_WORKER, CasePool.OWN, 1, False),
        ):
            add(
                AuditRule(
                    service_id=service.id,
                    auditor_role=role,
                    tool=tool,
                    quantity=quantity,
                    frequency=Frequency.MONTHLY,
                    pool=pool,
                    independent=False,
                    active=active,
                )
            )
    for tool in sorted(tools):
        # The report's Independent Reviewing Officers audit children's files;
        # an independent rule for adults' files can be added where wanted.
        if tool == "children_audit":
            add(
                AuditRule(
                    service_id=None,
                    auditor_role=Role.INDEPENDENT_REVIEWER,
                    tool=tool,
                    quantity=4,
                    frequency=Frequency.MONTHLY,
                    pool=CasePool.ALL_SERVICES,
                    independent=True,
                )
            )
        add(
            AuditRule(
                service_id=None,
                auditor_role=Role.SENIOR_MANAGER,
                tool=tool,
                quantity=5,
                frequency=Frequency.SIX_MONTHLY,
                pool=CasePool.ALL_SERVICES,
                independent=True,
            )
        )
    return made

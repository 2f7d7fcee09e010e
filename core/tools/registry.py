"""The app's plugin manager and the index of installed tools.

One ``ToolRegistry`` per app, kept in ``app.extensions["careaudit.tools"]``:
never a module global, so tests and several apps never share plugins.
Whether a tool is switched on for a service is *data* (``ServiceTool``),
read on every request, so switching needs no restart.
"""

from __future__ import annotations

import importlib.metadata
import random
from collections.abc import Iterable, Mapping
from copy import deepcopy
from functools import cache
from types import ModuleType
from typing import Any

import pluggy
from flask import Flask, current_app
from sqlalchemy import Select, and_, bindparam, or_, select

from core import hookspecs, memo, setup_cache
from core.extensions import db
from core.grading.council import council_scale
from core.grading.scales import GRADE_SCALE, OUTSTANDING_GRADE, GradeScale
from core.models import Answer, Audit, AuditStatus, Case, Service, ServiceTool
from core.tools.info import MenuLink, SettingSpec, ToolInfo
from core.tools.questions import AnswerSet, AnswerValue, AuditSubject, FormDefinition
from core.tools.reporting import ReportScope, ReportSection
from core.tools.results import ActionNeed, AnswerProblem, Score

ENTRY_POINT_GROUP = "careaudit.tools"
EXTENSION_KEY = "careaudit.tools"

#: Settings core keeps for every tool, per service, beside the tool's own: they are
#: edited on the same page (Administration -> Audit tools) and stored on the same row.
CORE_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        key="actions_before_sign_off",
        label="An audit's follow-up is signed off only once its outcomes that need one "
        "have an action",
        kind="bool",
        default=True,
        hint="By default a standard rated Not met, or an overall grade of Inadequate, "
        "needs at least one remedial action.",
    ),
)


class ToolError(RuntimeError):
    """A tool is missing, misdeclared or clashes with another."""


def builtin_tools() -> list[object]:
    """The plugins shipped in this repository, registered explicitly.

    Mostly tools (one plugin, one tool); ``plugins.themed_audits.framework``
    is a plugin without a tool that gives themes their pages.
    """
    from plugins.adult_audit import hooks as adult_audit
    from plugins.children_audit import hooks as children_audit
    from plugins.supervision_audit import hooks as supervision_audit
    from plugins.themed_audits import framework as themed_audits
    from plugins.themed_audits.rereferral.theme import theme as rereferral_theme

    return [children_audit, adult_audit, themed_audits, rereferral_theme, supervision_audit]


def plugin_name(plugin: object) -> str:
    """A built-in plugin's name: its slug, or its package's name for a hooks module."""
    if isinstance(plugin, ModuleType):
        parts = plugin.__name__.split(".")
        return parts[-2] if parts[-1] in {"hooks", "framework"} else parts[-1]
    return str(getattr(plugin, "slug", type(plugin).__name__))


class ToolRegistry:
    """Installed tools, by slug, and per-tool hook calls."""

    def __init__(self, plugin_manager: pluggy.PluginManager) -> None:
        self.pm = plugin_manager
        self._tools: dict[str, ToolInfo] = {}
        self._plugins: dict[str, object] = {}
        self._callers: dict[tuple[str, str], Any] = {}
        self.refresh()

    # -- building the index --------------------------------------------------

    def refresh(self) -> None:
        """Re-read every plugin's ``careaudit_tool`` declaration."""
        tools: dict[str, ToolInfo] = {}
        plugins: dict[str, object] = {}
        for impl in self.pm.hook.careaudit_tool.get_hookimpls():
            info = impl.function()
            if not isinstance(info, ToolInfo):
                raise ToolError(f"plugin {impl.plugin_name!r} did not return a ToolInfo")
            try:
                info.check()
            except ValueError as error:
                raise ToolError(str(error)) from error
            if info.slug in tools:
                raise ToolError(
                    f"two tools declare the slug {info.slug!r} "
                    f"(plugins {self.pm.get_name(plugins[info.slug])!r} and "
                    f"{impl.plugin_name!r}); uninstall one"
                )
            tools[info.slug] = info
            plugins[info.slug] = impl.plugin
        self._tools = dict(sorted(tools.items()))
        self._plugins = plugins
        self._callers.clear()

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin after start-up (tests) and re-index."""
        self.pm.register(plugin, name=name)
        self.pm.check_pending()
        self.refresh()

    def unregister(self, plugin: object) -> None:
        self.pm.unregister(plugin)
        self.refresh()

    # -- looking tools up ----------------------------------------------------

    def all(self) -> list[ToolInfo]:
        return list(self._tools.values())

    def get(self, slug: str) -> ToolInfo | None:
        return self._tools.get(slug)

    def plugin_of(self, slug: str) -> object | None:
        """The plugin object that provides a tool (e.g. a themed audit's ``Theme``)."""
        return self._plugins.get(slug)

    def __contains__(self, slug: object) -> bool:
        return slug in self._tools

    def for_directorate(self, code: str) -> list[ToolInfo]:
        return [tool for tool in self._tools.values() if code in tool.directorates]

    # -- per-service switches (data, read per request) -----------------------

    def switches(self, service_ids: Iterable[int] | None = None) -> list[ServiceTool]:
        statement = select(ServiceTool).where(ServiceTool.tool.in_(list(self._tools)))
        if service_ids is not None:
            statement = statement.where(ServiceTool.service_id.in_(list(service_ids)))
        return list(db.session.scalars(statement))

    def switched_on(self, service_ids: Iterable[int]) -> set[str]:
        """The tools (installed or not) switched on for any of these services."""
        on = setup_cache.kept(("switched on",), _read_switched_on)
        return {slug for service_id in service_ids for slug in on.get(service_id, ())}

    def is_enabled(self, slug: str, service_id: int) -> bool:
        return slug in self._tools and slug in self.switched_on([service_id])

    def enabled_for(self, service_id: int) -> list[ToolInfo]:
        """Tools switched on for a service, in slug order."""
        enabled = self.switched_on([service_id])
        return [tool for slug, tool in self._tools.items() if slug in enabled]

    def enabled_services(self, slug: str) -> list[Service]:
        return list(
            db.session.scalars(
                select(Service)
                .join(ServiceTool, ServiceTool.service_id == Service.id)
                .where(ServiceTool.tool == slug, ServiceTool.enabled.is_(True))
                .order_by(Service.name)
            )
        )

    def setting_specs(self, slug: str) -> tuple[SettingSpec, ...]:
        """The tool's own settings, then the ones core keeps for every tool."""
        own = self._tools[slug].settings
        taken = {spec.key for spec in own}
        return (*own, *(spec for spec in CORE_SETTINGS if spec.key not in taken))

    def settings(self, slug: str, service_id: int | None) -> dict[str, Any]:
        """The tool's settings for a service (core's included), defaults merged in."""
        specs = self.setting_specs(slug)
        merged = {spec.key: spec.default for spec in specs}
        if service_id is not None:
            # Several hooks of one page ask for the same settings, and every page of the
            # tool: read them once while the set-up stays the same.
            stored = setup_cache.kept(
                ("tool settings", slug, service_id),
                lambda: db.session.scalar(
                    select(ServiceTool.settings).where(
                        ServiceTool.tool == slug, ServiceTool.service_id == service_id
                    )
                ),
            )
            known = {spec.key for spec in specs}
            # A copy: what is kept is shared by every request of this process.
            merged.update({k: deepcopy(v) for k, v in (stored or {}).items() if k in known})
        return merged

    def set_switch(
        self,
        slug: str,
        service_id: int,
        enabled: bool,
        settings: Mapping[str, Any] | None = None,
        by_user_id: int | None = None,
    ) -> ServiceTool:
        """Switch a tool on or off for a service (the caller commits)."""
        if slug not in self._tools:
            raise ToolError(f"no tool {slug!r} is installed")
        switch = db.session.scalar(
            select(ServiceTool).where(
                ServiceTool.tool == slug, ServiceTool.service_id == service_id
            )
        )
        if switch is None:
            switch = ServiceTool(tool=slug, service_id=service_id, settings={})
            db.session.add(switch)
        switch.enabled = enabled
        if settings is not None:
            switch.settings = dict(settings)
        switch.updated_by_id = by_user_id
        return switch

    def grade_scale(self, slug: str) -> GradeScale:
        """The scale the tool grades on: the council's choice, else the tool's own, in the
        council's words."""
        info = self._tools.get(slug)
        return council_scale(info.grade_scale if info else None)

    def report_grades(self, slug: str, present: Iterable[str] = ()) -> list[str]:
        """The grade codes a report of the tool counts, best first: its scale's grades, and
        any other grade an audit in scope was given (``present``). A grade the scale offers
        only where switched on (Outstanding) counts when the tool has that setting, as the
        framework's tools always reported it, or when an audit has it."""
        scale = self.grade_scale(slug)
        keys = {spec.key for spec in self._tools[slug].settings} if slug in self._tools else set()
        switchable = {g.value for g in scale.optional} if OUTSTANDING_GRADE in keys else set()
        return list(scale.report_columns(set(present) | switchable))

    def hook_settings(
        self, slug: str, service_id: int | None, settings: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """What a tool's hooks get as ``settings``: the service's (or ``settings``), and the
        grade scale under ``GRADE_SCALE``. Never stored: the admin pages use :meth:`settings`."""
        merged = dict(self.settings(slug, service_id) if settings is None else settings)
        if not isinstance(merged.get(GRADE_SCALE), GradeScale):
            merged[GRADE_SCALE] = self.grade_scale(slug)
        return merged

    def accepts(self, slug: str, hook_name: str, argument: str) -> bool:
        """Whether the tool's own implementation of ``hook_name`` takes ``argument``."""
        plugin = self._plugins.get(slug)
        hook = getattr(self.pm.hook, hook_name)
        return any(
            impl.plugin is plugin and argument in impl.argnames for impl in hook.get_hookimpls()
        )

    # -- calling one tool's hooks -------------------------------------------

    def _caller(self, slug: str, hook_name: str) -> Any:
        key = (slug, hook_name)
        if key not in self._callers:
            if slug not in self._plugins:
                raise ToolError(f"no tool {slug!r} is installed")
            keep = self._plugins[slug]
            others = [p for p in self.pm.get_plugins() if p is not keep]
            self._callers[key] = self.pm.subset_hook_caller(hook_name, remove_plugins=others)
        return self._callers[key]

    def form(
        self,
        slug: str,
        case: Case | None,
        service_id: int | None,
        subject: AuditSubject | None = None,
    ) -> FormDefinition:
        if subject is None and case is not None:
            subject = AuditSubject(kind="case", case=case)
        form = self._caller(slug, "careaudit_audit_form")(
            case=case, settings=self.hook_settings(slug, service_id), subject=subject
        )
        if form is None:
            raise ToolError(f"tool {slug!r} returned no form")
        return form

    def score(
        self,
        slug: str,
        answers: AnswerSet,
        service_id: int | None,
        settings: Mapping[str, Any] | None = None,
        *,
        audit: Audit | None = None,
        previous: AnswerSet | None = None,
    ) -> Score | None:
        """The tool's score. ``settings``: the service's, read once by a caller scoring many
        audits (the import of past audits), instead of a query per audit.

        ``audit``: the audit being scored, so that a tool whose rule looks back (a
        standard *persistently* Not met) gets the answers of the previous submitted
        audit of the same case with the same tool as ``previous``; or pass
        ``previous`` yourself. Looked up only for a tool whose hook takes it.
        """
        hook = "careaudit_score_audit"
        if previous is None and audit is not None and self.accepts(slug, hook, "previous"):
            previous = previous_answers(audit)
        return self._caller(slug, hook)(
            answers=answers,
            settings=self.hook_settings(slug, service_id, settings),
            previous=previous,
        )

    def check(
        self, slug: str, answers: AnswerSet, score: Score | None, service_id: int | None
    ) -> list[AnswerProblem]:
        problems = self._caller(slug, "careaudit_check_answers")(
            answers=answers, score=score, settings=self.hook_settings(slug, service_id)
        )
        return list(problems or [])

    def demo_answers(
        self, slug: str, case: Case | None, rng: random.Random, service_id: int | None
    ) -> AnswerSet | None:
        return self._caller(slug, "careaudit_demo_answers")(
            case=case, rng=rng, settings=self.hook_settings(slug, service_id)
        )

    def outcomes_needing_action(
        self, slug: str, answers: AnswerSet, audit: Any, service_id: int | None
    ) -> list[ActionNeed] | None:
        """The tool's answer to ``careaudit_outcomes_needing_action``; None: core's rule."""
        needs = self._caller(slug, "careaudit_outcomes_needing_action")(
            answers=answers, audit=audit, settings=self.hook_settings(slug, service_id)
        )
        return None if needs is None else list(needs)

    # -- hooks every plugin answers --------------------------------------------

    def blueprints(self) -> list[Any]:
        return [bp for result in self.pm.hook.careaudit_blueprints() for bp in result or []]

    def commands(self) -> list[Any]:
        return [cmd for result in self.pm.hook.careaudit_commands() for cmd in result or []]

    def menu_links(self, user: Any) -> list[MenuLink]:
        return [
            link for result in self.pm.hook.careaudit_menu_links(user=user) for link in result or []
        ]

    def report_section(self, scope: ReportScope) -> ReportSection | None:
        return self._caller(scope.tool, "careaudit_report_section")(scope=scope)

    def implements(self, slug: str, hook_name: str) -> bool:
        """Whether the tool has its own implementation of ``hook_name``."""
        plugin = self._plugins.get(slug)
        hook = getattr(self.pm.hook, hook_name)
        return any(impl.plugin is plugin for impl in hook.get_hookimpls())

    def report_tables(self, scope: ReportScope) -> list[Any]:
        """The tool's own tables for the committee pack (none when it declares none)."""
        return list(self._caller(scope.tool, "careaudit_report_tables")(scope=scope) or [])


def _read_switched_on() -> dict[int, frozenset[str]]:
    """Every service's switched-on tools (a few rows a service: read whole)."""
    on: dict[int, set[str]] = {}
    for service_id, slug in db.session.execute(
        select(ServiceTool.service_id, ServiceTool.tool).where(ServiceTool.enabled.is_(True))
    ):
        on.setdefault(service_id, set()).add(slug)
    return {service_id: frozenset(slugs) for service_id, slugs in on.items()}


def previous_audit(audit: Audit) -> Audit | None:
    """The submitted audit of the same case with the same tool that came before ``audit``.

    Before it by audit date (then by id, for two on one day); for a draft, the latest
    submitted one. None for an audit of no case (a member of staff, a sampled item).
    """
    earlier = _previous(audit)
    if earlier is None:
        return None
    (has_id, dated), values = earlier
    return db.session.scalar(_previous_statement(has_id, dated), values)


def _previous(audit: Audit) -> tuple[tuple[bool, bool], dict[str, Any]] | None:
    """Which statement finds the audit before ``audit`` (whether it has an id, and
    whether it is submitted with a date), and its values; None when it has no case."""
    if audit.case_id is None:
        return None
    has_id = audit.id is not None
    dated = audit.is_submitted and audit.audit_date is not None
    values: dict[str, Any] = {"case_id": audit.case_id, "tool": audit.tool}
    if has_id:
        values["audit_id"] = audit.id
    if dated:
        values["audit_date"] = audit.audit_date
    return (has_id, dated), values


# Built once each (four at most), with the audit's values bound when run: the audit
# form's pages and every autosave score the audit against the one before (issue 12).
@cache
def _previous_statement(has_id: bool, dated: bool) -> Select[tuple[Audit]]:
    statement = select(Audit).where(
        Audit.case_id == bindparam("case_id"),
        Audit.tool == bindparam("tool"),
        Audit.status == AuditStatus.SUBMITTED,
    )
    if has_id:
        statement = statement.where(Audit.id != bindparam("audit_id"))
    if dated:
        earlier = Audit.audit_date < bindparam("audit_date")
        if has_id:
            earlier = or_(
                earlier,
                and_(Audit.audit_date == bindparam("audit_date"), Audit.id < bindparam("audit_id")),
            )
        statement = statement.where(earlier)
    return statement.order_by(Audit.audit_date.desc(), Audit.id.desc()).limit(1)


@cache
def _previous_answers_statement(has_id: bool, dated: bool) -> Select[Any]:
    # The earlier audit and its answers in one statement: its id, then its answers (the
    # first row says whether there was an earlier audit at all, answered or not).
    found = _previous_statement(has_id, dated).with_only_columns(Audit.id).subquery()
    return (
        select(found.c.id, Answer.question, Answer.rating, Answer.value, Answer.comment)
        .select_from(found)
        .outerjoin(Answer, Answer.audit_id == found.c.id)
    )


def previous_answers(audit: Audit) -> AnswerSet | None:
    """The answers of :func:`previous_audit`, or None when there is none."""
    if audit.id is None:
        return _previous_answers(audit)
    # The audit page scores the audit more than once (its summary, its follow-up needs).
    return memo.remember(("previous answers", audit.id), lambda: _previous_answers(audit))


def _previous_answers(audit: Audit) -> AnswerSet | None:
    earlier = _previous(audit)
    if earlier is None:
        return None
    (has_id, dated), values = earlier
    rows = db.session.execute(_previous_answers_statement(has_id, dated), values).all()
    if not rows:
        return None
    return {
        row.question: AnswerValue(row.rating, row.value, row.comment)
        for row in rows
        if row.question is not None
    }


def load_entry_point_tools(pm: pluggy.PluginManager) -> None:
    """Register every tool installed under the ``careaudit.tools`` entry-point group.

    Unlike pluggy's ``load_setuptools_entrypoints``, a name that is already
    registered is an error rather than silently skipped: two tools must never
    share a slug.
    """
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if pm.get_plugin(entry_point.name) is not None:
            raise ToolError(
                f"the installed tool {entry_point.name!r} ({entry_point.value}) has the same "
                "name as a tool that is already registered; uninstall one"
            )
        pm.register(entry_point.load(), name=entry_point.name)


def make_plugin_manager(load_entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh plugin manager with the contract, built-in tools and installed tools."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for plugin in builtin_tools():
        pm.register(plugin, name=plugin_name(plugin))
    if load_entry_points:
        load_entry_point_tools(pm)
    # Fails on a misspelt hook name in any tool, instead of silently ignoring it.
    pm.check_pending()
    return pm


def init_app(app: Flask) -> ToolRegistry:
    registry = ToolRegistry(make_plugin_manager(app.config.get("LOAD_ENTRY_POINT_TOOLS", True)))
    app.extensions[EXTENSION_KEY] = registry
    return registry


def get_registry(app: Flask | None = None) -> ToolRegistry:
    """The current app's tool registry."""
    return (app or current_app).extensions[EXTENSION_KEY]

"""The plugin contract: everything an audit tool can tell careaudit.

Read this file top to bottom to learn how a tool plugs in.

An audit tool is a pluggy plugin: a module or object whose functions are
marked with :data:`hookimpl` and named after the specs below. One plugin is
one tool. Built-in tools (``plugins/children_audit`` ...) are registered
explicitly by core; third-party tools are found through the ``careaudit.tools``
entry-point group, so ``pip install`` is all it takes to add one. An
administrator then switches the tool on for the services that should use it.

Rules that keep the contract simple:

* Hooks *return data*; they never reach into the app to change it. Core
  renders forms, stores answers, checks permissions and draws pages.
* Hooks take keyword arguments. An implementation may accept fewer arguments
  than its spec names, so specs can grow without breaking tools.
* Apart from :func:`careaudit_tool`, core calls each hook on one tool at a
  time (pluggy's ``subset_hook_caller``), so an implementation never needs to
  check which tool is being asked.

Grades: every hook given ``settings`` also finds there, under
``core.tools.GRADE_SCALE``, the grade scale the tool grades on: the council's
choice (Administration -> Grade scale), else the one the tool declares in
``ToolInfo.grade_scale``, in the council's words for grades. Read it with
``core.tools.scale_of(settings)``; the shared helpers (``grade_options``,
``summary_section``, ``score_standards``, ``check_judgement``) already do, so a
tool built on them follows the council's scale unchanged. A tool with grades
of its own may ignore it.

The data types used below live in :mod:`core.tools`, which re-exports them
together with ``hookimpl`` for tool authors.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint

    from core.exports.document import Table
    from core.models import Audit, Case, User
    from core.programme.schedule import ReportDue
    from core.tools.info import MenuLink, ToolInfo
    from core.tools.questions import AnswerSet, AuditSubject, FormDefinition
    from core.tools.reporting import ReportScope, ReportSection
    from core.tools.results import ActionNeed, AnswerProblem, Score

PROJECT = "careaudit"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------
# Declaring a tool
# ---------------------------------------------------------------------------


@hookspec
def careaudit_tool() -> ToolInfo:
    """Declare the tool: slug, title, version, directorates and what it audits.

    Called once per plugin at start-up. Two tools with the same slug stop the
    app from starting.

    Example::

        @hookimpl
        def careaudit_tool():
            return ToolInfo(slug="children_audit", title="Children's case file audit",
                            version="1.0", directorates=("children",))
    """


# ---------------------------------------------------------------------------
# The form
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def careaudit_audit_form(
    case: Case | None, settings: Mapping[str, Any], subject: AuditSubject | None
) -> FormDefinition:
    """Return the tool's form for auditing ``case`` (or ``subject``).

    ``settings`` are the tool's settings for the service (defaults merged in).
    Use ``case`` to pre-set answers that cannot apply (set ``Question.initial``
    with an ``initial_reason``); the auditor can change them. ``subject``
    describes what is audited for every kind of tool: the case, the member of
    staff (``ToolInfo.subject == "staff"``) or a sampled item's facts. Must be
    cheap and side-effect free: it is called on every page view. ``case`` and
    ``subject`` are ``None`` when core needs the form without one (reports,
    documentation).

    Asking about the case's category: categories are data an administrator
    manages per directorate (a council adds "Private fostering" without a code
    change), so never compare ``case.category_label`` or a council's own code.
    Ask by the stable codes of :class:`core.models.CaseCategory`, which never
    change::

        if case is not None and case.is_category(CaseCategory.LOOKED_AFTER):
            ...  # looked after, or a council category treated as looked after

    ``case.is_category(code)`` is true for a case of that category or of a
    council category whose *treated as* (``Category.treat_as``) is that code.
    ``case.category_kind`` is the single code to key a table on (the treated-as
    code where set, else the case's own code), e.g.
    ``case.category_kind in not_applicable_for`` with a set of ``CaseCategory``
    members, as ``core.tools.standards.Standard`` does. A category treated as
    nothing is of no kind a tool knows: offer it no pre-sets.
    """


# ---------------------------------------------------------------------------
# Scoring and checking a completed audit
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def careaudit_score_audit(
    answers: AnswerSet, settings: Mapping[str, Any], previous: AnswerSet | None
) -> Score:
    """Score the answers: counts per rating, a suggested overall rating and grade.

    A pure function of its arguments. Also called on drafts, to show the
    auditor the suggestion as they go, so it must cope with missing answers.
    Core stores the suggestion and the auditor's judgement on the audit when it
    is submitted. Suggest grades on the scale in ``settings`` (see the top of
    this file).

    ``previous`` is for rules that look back: the answers of the previous
    submitted audit of the same case with the same tool (before this one by
    audit date), or None when there is none, when the audit is of no case, or
    when the caller scores answers without an audit (an import). Core looks it
    up only for a tool whose implementation names the argument; leave it out
    if the tool does not need it. The children's audit uses it for its
    *persistently unmet* rule::

        @hookimpl
        def careaudit_score_audit(answers, settings, previous):
            return score_standards(answers, KEYS, cap=CAP, settings=settings,
                                   previous=previous)
    """


@hookspec(firstresult=True)
def careaudit_check_answers(
    answers: AnswerSet, score: Score, settings: Mapping[str, Any]
) -> list[AnswerProblem]:
    """Return the tool's own reasons the answers cannot be submitted yet.

    Core has already checked what the form itself says (required questions,
    evidence required for Partially met and Not met, numbers); this hook adds
    rules across questions, such as a grade above the allowed cap or a missing
    reason where the auditor's judgement differs from the suggestion. Return
    an empty list when the answers are fine.
    """


# ---------------------------------------------------------------------------
# Following an audit up
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def careaudit_outcomes_needing_action(
    answers: AnswerSet, audit: Audit, settings: Mapping[str, Any]
) -> list[ActionNeed] | None:
    """Say which outcomes of a submitted audit need a remedial action before sign-off.

    Return one ``ActionNeed(question, reason)`` per outcome: ``question`` is the key
    of a rated question (an action for that standard answers it) or ``None`` for the
    whole file (any action answers it). Return ``[]`` when nothing needs an action,
    or ``None`` (or leave the hook out) for core's rule: every question rated Not met,
    and an overall grade of Inadequate. ``audit`` is submitted; read its ``grade``
    and ``overall_rating`` rather than the answers for the judgement. Core applies
    the result only where the service's *actions before sign-off* setting is on.

    Example::

        @hookimpl
        def careaudit_outcomes_needing_action(answers, audit):
            rating = answers.get("safeguarding", AnswerValue()).rating
            if rating in (Rating.NOT_MET, Rating.PARTIALLY_MET):
                return [ActionNeed("safeguarding", "Safeguarding is not fully met")]
            return []
    """


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def careaudit_report_section(scope: ReportScope) -> ReportSection | None:
    """Return the tool's section of the report for ``scope`` (period and part of the council).

    Count with SQL: ``scope.conditions()`` selects the submitted audits of this
    tool in scope, and :mod:`core.tools.reporting` has the shared
    aggregations. Return ``None`` to leave the section out.

    A section built only from those counts and the council's set-up, whose template
    shows nothing that depends on who is looking, may be kept once rendered: declare
    ``ToolInfo(report_from_counts=True)`` and core renders it again only when an audit
    is submitted or the set-up changes. Undeclared (the default), it is built for every
    view of the report.
    """


@hookspec(firstresult=True)
def careaudit_report_tables(scope: ReportScope) -> list[Table] | None:
    """Return the tool's own tables for the committee pack and its exports.

    Core draws every rated question's results, trend and "line against
    independent" comparison itself from the form definition, for every tool.
    This hook adds what only the tool knows (a themed audit's findings and
    cross-tabulations, a standard's sub-items) as
    :class:`core.exports.document.Table` rows of plain numbers and words, which
    the report page, PDF, Word, Excel and CSV all render. Count with SQL over
    ``scope.conditions()`` as for :func:`careaudit_report_section`. Never put
    a case reference, a name or free text in a table. Return ``None`` (the
    default) for nothing extra.
    """


# ---------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def careaudit_demo_answers(
    case: Case | None, rng: random.Random, settings: Mapping[str, Any]
) -> AnswerSet | None:
    """Return plausible, entirely synthetic answers for a demo audit of ``case``.

    Used by ``careaudit demo`` so the demo borough has realistic audits of
    every tool. Draw all randomness from ``rng`` so a demo can be rebuilt
    exactly. Core scores the answers with :func:`careaudit_score_audit` and
    stores them as a submitted audit. Return ``None`` to have no demo audits.
    """


# ---------------------------------------------------------------------------
# Pages of a tool's own (called on every plugin, tool or not)
# ---------------------------------------------------------------------------


@hookspec
def careaudit_blueprints() -> list[Blueprint]:
    """Return Flask blueprints with pages of the plugin's own.

    For work that is not "audit one subject", such as a themed audit's
    population upload and sampling. Registered once at start-up. Deny by
    default holds: every view must declare its permission with
    ``core.access.requires``, or it answers 403. Name the blueprint after the
    plugin's slug and keep its templates in ``templates/<slug>/``.
    """


@hookspec
def careaudit_menu_links(user: User) -> list[MenuLink]:
    """Return links to add to the service navigation for ``user``.

    Core shows a link only to roles that hold its ``permission``.
    """


@hookspec
def careaudit_commands() -> list[click.Command]:
    """Return click commands to add to the ``careaudit`` command line.

    For example ``careaudit new-theme``, contributed by the themed audits
    framework. Registered once at start-up; name commands so they cannot clash
    with core's (``run``, ``db``, ``demo``, ``tools``, ``new-tool``, ``create-user``).
    """


@hookspec
def careaudit_demo_data(rng: random.Random, today: date) -> str | None:
    """Add the plugin's own records to the demo borough, and say what was added.

    The one hook that writes: called only by ``careaudit demo``, after core has
    built the borough (services, staff, cases, audits), on a database being
    filled with synthetic data. Use ``core.audits.workflow.new_audit`` for any
    audits, so they are made as the web pages make them. Draw all randomness
    from ``rng``. Return a short sentence for the command's summary.
    """


@hookspec
def careaudit_upcoming_reports(today: date) -> list[ReportDue]:
    """Return reports the plugin's work makes due, for the schedule of reports.

    For example, each themed audit's findings to SMT, CMT and the committee.
    ``core.programme.schedule.ReportDue(due, what, to, by)``.
    """

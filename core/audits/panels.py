"""Follow-up panels on an audit's page and work sections on the home page.

The follow-up work (feedback, actions, moderation, concerns, history) lives in its own
core packages. Each registers what it shows, so the audit page and the home page do not
have to know about every one of them, and a newcomer finds each feature in one place::

    from core.audits import panels

    @panels.audit_panel(order=20)
    def _actions(audit, user):
        if not has_actions(audit):
            return None                     # nothing to show: no panel
        return panels.Panel("actions/_panel.html", {"actions": ...})

    @panels.home_section(order=20, probe=lambda user: my_actions(user).exists())
    def _my_actions(user):
        ...                                 # a Panel, or None

Most audit panels are empty on most audits, and the same kind of ``probe`` (given the
audit and the user) lets the audit page ask them all in one statement too. An audit
panel's probe may also give several conditions (a tuple): the panel is called when any
of them holds, and, registered with ``answers=True``, is given what each answered, so
that what the panel would have asked next is asked in the probe's statement instead::

    @panels.audit_panel(order=20, probe=lambda audit, user: (may(user), has_actions(audit)),
                        answers=True)
    def _actions(audit, user, answers):
        may, has = answers                  # asked with every other panel's probe

A panel's template is rendered on its own with its context (and Flask's globals such as
``current_user``, ``url_for``, ``csrf_token``), and the page places the HTML. Panels are
shown in ``order`` (low first); the audit page puts them after its outcome, the home
page after the allocated audits.

Most home sections are empty most of the time. A section may give a ``probe``: the
condition (SQL, usually an ``EXISTS``, or a plain bool) under which it has something
to show. The home page asks every probe in one statement and calls only the sections
whose probe said yes, so an empty home page costs one query instead of one or two per
section (issue 12). A probe must never say no when its section would show something;
a section without one is always called. A home probe may read only the user's id,
role, team and service: the statement asking them is built once for those and kept
(building it cost more than running it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import render_template
from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, select

from core.access import Who, who
from core.extensions import db
from core.models import Audit, User


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    def render(self) -> Markup:
        return Markup(render_template(self.template, **self.context))


AuditPanelFunction = Callable[..., Panel | None]
HomeSectionFunction = Callable[[User], Panel | None]
#: Whether a home section may have anything for a user: a SQL condition or a bool.
HomeProbe = Callable[[User], "ColumnElement[bool] | bool"]
#: Whether an audit panel may have anything for a user: a SQL condition or a bool, or a
#: tuple of them (it may if any holds).
AuditProbe = Callable[
    [Audit, User], "ColumnElement[bool] | bool | tuple[ColumnElement[bool] | bool, ...]"
]


@dataclass(frozen=True)
class _AuditPanel:
    order: int
    function: AuditPanelFunction
    probe: AuditProbe | None
    #: The function is given its probe's answers as a third argument.
    answers: bool = False


@dataclass(frozen=True)
class _HomeSection:
    order: int
    function: HomeSectionFunction
    probe: HomeProbe | None


# Code, not app state: registered once per process when the feature's module is imported.
_AUDIT: dict[str, _AuditPanel] = {}
_HOME: dict[str, _HomeSection] = {}


def _key(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def audit_panel(
    order: int = 50, probe: AuditProbe | None = None, answers: bool = False
) -> Callable[[AuditPanelFunction], AuditPanelFunction]:
    """Register a panel shown on an audit's page to those who may see the audit, with the
    ``probe`` that says whether it may have anything to show (see the module's docstring).
    ``answers``: call the panel as ``function(audit, user, answers)``, with the tuple of
    its probe's answers (one per condition the probe gave)."""

    def decorate(function: AuditPanelFunction) -> AuditPanelFunction:
        _AUDIT[_key(function)] = _AuditPanel(order, function, probe, answers)
        return function

    return decorate


def home_section(
    order: int = 50, probe: HomeProbe | None = None
) -> Callable[[HomeSectionFunction], HomeSectionFunction]:
    """Register a section of the home page ("what you have to do"), with the ``probe``
    that says whether it may have anything to show (see the module's docstring)."""

    def decorate(function: HomeSectionFunction) -> HomeSectionFunction:
        _HOME[_key(function)] = _HomeSection(order, function, probe)
        _HOME_ASKED.clear()
        return function

    return decorate


def for_audit(audit: Audit, user: User) -> list[Markup]:
    """The audit page's follow-up panels for this user, rendered: the probes asked in one
    statement, then the panels that may have something called."""
    shown = sorted(_AUDIT.values(), key=lambda panel: panel.order)
    conditions = [_conditions(panel.probe, audit, user) for panel in shown]
    answered = iter(_asked([condition for each in conditions for condition in each]))
    rendered = []
    for panel, each in zip(shown, conditions, strict=True):
        answers = tuple(next(answered) for _ in each)
        if not any(answers):
            continue
        found = (
            panel.function(audit, user, answers) if panel.answers else panel.function(audit, user)
        )
        if found is not None:
            rendered.append(found.render())
    return rendered


def _conditions(
    probe: AuditProbe | None, audit: Audit, user: User
) -> tuple[ColumnElement[bool] | bool, ...]:
    if probe is None:
        return (True,)
    said = probe(audit, user)
    return said if isinstance(said, tuple) else (said,)


def _asked(answers: list[ColumnElement[bool] | bool]) -> list[bool]:
    """Probes' answers, the SQL ones asked together in one statement."""
    return _answered(_question(answers))


@dataclass(frozen=True)
class _Question:
    """Probes' answers: those known already, and one statement for the SQL ones."""

    known: tuple[bool, ...]
    statement: Select[Any] | None
    asked: tuple[int, ...]  # where each of the statement's columns goes in ``known``


def _question(answers: list[ColumnElement[bool] | bool]) -> _Question:
    asked = {i: answer for i, answer in enumerate(answers) if not isinstance(answer, bool)}
    known = tuple(answer if isinstance(answer, bool) else False for answer in answers)
    statement = (
        select(*(condition.label(f"p{i}") for i, condition in asked.items())) if asked else None
    )
    return _Question(known, statement, tuple(asked))


def _answered(question: _Question) -> list[bool]:
    found = list(question.known)
    if question.statement is not None:
        row = db.session.execute(question.statement).one()
        for i, answer in zip(question.asked, row, strict=True):
            found[i] = bool(answer)
    return found


#: The home page's sections in order, with the statement asking their probes, kept for
#: each user's id, role, team and service (all a home probe may read) until a section
#: is registered; emptied when full.
_HOME_ASKED: dict[Who, tuple[list[_HomeSection], _Question]] = {}
HOME_KEPT = 4096


def for_home(user: User) -> list[Markup]:
    """The home page's extra sections for this user, rendered: the probes asked in one
    statement, then the sections that may have something called."""
    key = who(user)
    kept = _HOME_ASKED.get(key)
    if kept is None:
        sections = sorted(_HOME.values(), key=lambda section: section.order)
        question = _question([True if s.probe is None else s.probe(user) for s in sections])
        if len(_HOME_ASKED) >= HOME_KEPT:
            _HOME_ASKED.clear()
        kept = _HOME_ASKED[key] = (sections, question)
    sections, question = kept
    answers = _answered(question)
    return [
        p.render()
        for section, answer in zip(sections, answers, strict=True)
        if answer and (p := section.function(user)) is not None
    ]

"""The ``Theme`` base class: a themed audit declared as data, wired to the hooks.

A theme author subclasses :class:`Theme`, sets its attributes and, where the
theme works something out from the population (an age band, days between two
referrals), overrides :meth:`Theme.derive`. The hook implementations below
turn the declaration into a careaudit tool, so a theme needs no hook code.

A subclass that does override a hook (a method named after a spec in
:mod:`core.hookspecs`) needs no ``@hookimpl`` either: :meth:`Theme.__init_subclass__`
marks it, because an unmarked override would otherwise hide the base class's
implementation from pluggy and the hook would silently go unanswered.
"""

from __future__ import annotations

import difflib
import inspect
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import hookspecs
from core.models import Case, Rating
from core.tools import (
    AnswerProblem,
    AnswerSet,
    AnswerValue,
    AuditSubject,
    FormDefinition,
    Question,
    QuestionKind,
    ReportScope,
    ReportSection,
    Score,
    Section,
    Subject,
    ToolInfo,
    count_ratings,
    hookimpl,
)

if TYPE_CHECKING:
    from core.exports.document import Table
    from plugins.themed_audits.population import CensusPopulation

TEMPLATES = Path(__file__).parent / "templates"

#: Every method of a plugin whose name starts with this is meant as a hook.
HOOK_PREFIX = f"{hookspecs.PROJECT}_"
#: The attribute pluggy's ``HookimplMarker`` sets on a function it marks.
HOOKIMPL_MARK = f"{hookspecs.PROJECT}_impl"
#: The names of careaudit's hooks (the specs in core/hookspecs.py).
HOOK_NAMES = frozenset(
    name
    for name, spec in vars(hookspecs).items()
    if name.startswith(HOOK_PREFIX) and hasattr(spec, f"{hookspecs.PROJECT}_spec")
)
#: A population column's name, as the first row of the CSV file gives it (read lower-cased).
COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]*")


class RowError(ValueError):
    """A population row that cannot be imported; the message says why."""


@dataclass(frozen=True)
class PopulationColumn:
    """A column the theme needs in the population CSV, beyond the four every theme has.

    ``kind`` is ``"text"``, ``"date"`` or ``"int"``. ``keep=False`` columns are
    read to derive facts and then dropped (data minimisation: a date of birth
    becomes an age band).
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    keep: bool = True
    hint: str = ""


@dataclass(frozen=True)
class Finding:
    """A headline finding: the share of audited items whose answer matches.

    Counts answers to ``question`` whose value is one of ``values`` (for a
    multiple choice, any of them ticked), or at least ``at_least`` for a number.
    """

    label: str
    question: str
    values: tuple[str, ...] = ()
    at_least: int | None = None


@dataclass(frozen=True)
class CrossTab:
    """A cross-tabulation: of the audited items where ``given`` holds, how many also have ``then``.

    Both sides are :class:`Finding`s, matched exactly as headline findings are
    (their labels name the two groups in the report). The report shows the
    count, the total (the items where ``given`` holds) and the share, e.g.
    ``CrossTab("Of the re-referrals with more than four previous referrals, how
    many had contacts migrated from the old system", given=..., then=...)``.
    """

    label: str
    given: Finding
    then: Finding


@dataclass(frozen=True)
class CensusSource:
    """A population careaudit can work out from the statutory returns it has imported.

    A theme that sets :attr:`Theme.census_population` to one of these is
    offered "take the population from the census" beside the CSV upload.
    ``build(start, end)`` returns the population of the themed audit's period
    as the same rows an uploaded file gives; ``available(start, end)`` says how
    many census records are dated in the period (shown before the lead
    chooses).
    """

    label: str
    explanation: str
    build: Callable[[date, date], CensusPopulation]
    available: Callable[[date, date], int]


def _hook_function(attribute: object) -> Callable[..., Any] | None:
    """The function under a class attribute, if pluggy would treat it as a hook."""
    function = getattr(attribute, "__func__", attribute)  # staticmethod, classmethod
    return function if inspect.isfunction(function) else None


def _inherited_hookimpl_options(cls: type, name: str) -> dict[str, Any] | None:
    """The ``@hookimpl`` options of the method ``name`` that ``cls`` overrides, if marked."""
    for base in cls.__mro__[1:]:
        if name in vars(base):
            function = _hook_function(vars(base)[name])
            return getattr(function, HOOKIMPL_MARK, None) if function else None
    return None


class Theme:
    """Subclass and set these attributes; register an instance as the plugin."""

    slug: str = ""
    title: str = ""
    version: str = "1.0"
    description: str = ""
    directorates: tuple[str, ...] = ("children",)
    #: What one population item is, e.g. "re-referral".
    item_label: str = "item"
    #: More than one of them; empty means ``item_label`` + "s" (see :meth:`item_label_for`).
    item_label_plural: str = ""
    #: The CSV column naming each item (stored as the item's reference), and its label
    #: in messages, the audit's header and the list of columns.
    item_reference_column: str = "referral_reference"
    item_reference_label: str = "Referral reference"
    #: The CSV column dating each item (it must fall in the audit's period), and its label.
    item_date_column: str = "referral_date"
    item_date_label: str = "Referral date"
    #: The label of the ``case_reference`` column (e.g. "Adult's case reference").
    case_reference_label: str = "Child's case reference"
    #: Columns beyond the item's reference and date, case_reference and team.
    columns: tuple[PopulationColumn, ...] = ()
    #: The question set. Questions marked ``computed`` are filled from facts.
    sections: tuple[Section, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: Cross-tabulations for the report (none by default).
    cross_tabs: tuple[CrossTab, ...] = ()
    default_on: bool = True
    #: Where the population can also come from the imported census (``None``: CSV only).
    census_population: CensusSource | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Mark the subclass's hook methods, and refuse a misspelt one or bad column names.

        pluggy finds a hook on an instance by looking the name up on its class:
        an override without ``@hookimpl`` hides the base class's marked method,
        so the hook would go unanswered (a score and derived answers dropped)
        with no error. Every method named after a hook is therefore marked here,
        with the options of the method it overrides. A ``careaudit_`` method that
        names no hook is an error, at import, rather than a method never called.
        """
        super().__init_subclass__(**kwargs)
        for name, attribute in vars(cls).items():
            function = _hook_function(attribute)
            if (
                function is None
                or not name.startswith(HOOK_PREFIX)
                or hasattr(function, HOOKIMPL_MARK)
            ):
                continue
            if name not in HOOK_NAMES:
                close = difflib.get_close_matches(name, sorted(HOOK_NAMES), n=1)
                raise TypeError(
                    f"{cls.__qualname__}.{name} is not a careaudit hook"
                    + (f" (did you mean {close[0]}?)" if close else "")
                    + f". Methods named {HOOK_PREFIX}... are hook implementations: rename it "
                    "after a hook in core/hookspecs.py, or give it a name without that prefix."
                )
            options = _inherited_hookimpl_options(cls, name)
            if options:
                setattr(function, HOOKIMPL_MARK, dict(options))
            else:
                hookimpl(function)
        cls._check_population_columns()

    @classmethod
    def _check_population_columns(cls) -> None:
        for name in (cls.item_reference_column, cls.item_date_column):
            if not COLUMN_NAME.fullmatch(name):
                raise TypeError(
                    f"{cls.__qualname__}: the population column name {name!r} must be lower-case "
                    "letters, digits and underscores, starting with a letter (e.g. "
                    "'episode_reference'), as the first row of the CSV file gives it"
                )
        names = [cls.item_reference_column, "case_reference", cls.item_date_column, "team"]
        names += [column.name for column in cls.columns]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise TypeError(
                f"{cls.__qualname__}: the population has more than one column named "
                + ", ".join(repeated)
                + "; give each column its own name"
            )

    # -- what a theme may override --------------------------------------------

    def derive(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """Facts to keep for one population row, from its parsed values.

        ``row`` holds every column by its name in the file, parsed (dates as
        ``date``, numbers as ``int``, blanks as ``None``): the item's date is
        ``row[self.item_date_column]``. Return what should be kept (plain JSON
        values). Raise :class:`RowError` to reject the row with a reason.
        By default keeps the columns marked ``keep``.
        """
        kept = {}
        for column in self.columns:
            value = row.get(column.name)
            if column.keep and value is not None:
                kept[column.name] = value.isoformat() if hasattr(value, "isoformat") else value
        return kept

    def fact_labels(self) -> dict[str, str]:
        """How facts are labelled in the audit's header (fact key -> label)."""
        return {c.name: c.label for c in self.columns if c.keep}

    def check(self, answers: AnswerSet) -> list[AnswerProblem]:
        """Rules across questions (e.g. a reason needed for "no")."""
        return []

    def demo_answers(self, rng: random.Random, facts: Mapping[str, Any]) -> dict[str, AnswerValue]:
        """Synthetic answers for the demo: a random valid option for every question."""
        answers: dict[str, AnswerValue] = {}
        for question in self.questions():
            if question.computed:
                continue
            if question.kind is QuestionKind.RATING:
                answers[question.key] = AnswerValue(rng.choice(list(Rating)[:3]), None, "Demo.")
            elif question.kind in (QuestionKind.CHOICE, QuestionKind.MULTI_CHOICE):
                answers[question.key] = AnswerValue(None, rng.choice(question.options).value)
            elif question.kind is QuestionKind.NUMBER:
                answers[question.key] = AnswerValue(None, str(rng.randint(0, 6)))
            elif question.kind is QuestionKind.TEXT:
                answers[question.key] = AnswerValue(None, "Demo learning point.")
        return answers

    # -- derived from the declaration -------------------------------------------

    def item_label_for(self, count: int = 2) -> str:
        """``item_label`` for one item, else its plural ("re-referral", "re-referrals")."""
        if count == 1:
            return self.item_label
        return self.item_label_plural or f"{self.item_label}s"

    def base_columns(self) -> tuple[PopulationColumn, ...]:
        """The four columns every population has: the item's reference and date, case, team."""
        return (
            PopulationColumn(self.item_reference_column, self.item_reference_label, required=True),
            PopulationColumn("case_reference", self.case_reference_label, required=True),
            PopulationColumn(
                self.item_date_column, self.item_date_label, kind="date", required=True
            ),
            PopulationColumn("team", "Team", required=True),
        )

    def population_columns(self) -> tuple[PopulationColumn, ...]:
        """Every column of the population CSV file: the four base columns, then the theme's."""
        return (*self.base_columns(), *self.columns)

    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in section.questions]

    def computed_answers(self, facts: Mapping[str, Any]) -> dict[str, AnswerValue]:
        """Answers of ``computed`` questions, taken from the item's facts."""
        answers = {}
        for question in self.questions():
            if question.computed and facts.get(question.key) is not None:
                answers[question.key] = AnswerValue(None, str(facts[question.key]))
        return answers

    def form(self) -> FormDefinition:
        return FormDefinition(
            tool=self.slug, version=self.version, title=self.title, sections=self.sections
        )

    # -- the hooks ---------------------------------------------------------------

    @hookimpl
    def careaudit_tool(self) -> ToolInfo:
        return ToolInfo(
            slug=self.slug,
            title=self.title,
            version=self.version,
            directorates=self.directorates,
            description=self.description,
            subject=Subject.SAMPLE,
            template_folder=TEMPLATES,
            default_on=self.default_on,
            extra={
                "theme": True,
                "item_label": self.item_label,
                "item_label_plural": self.item_label_for(2),
            },
        )

    @hookimpl
    def careaudit_audit_form(
        self, case: Case | None, settings: Mapping[str, Any], subject: AuditSubject | None
    ) -> FormDefinition:
        return self.form()

    @hookimpl
    def careaudit_score_audit(self, answers: AnswerSet) -> Score:
        keys = [q.key for q in self.questions() if q.kind is QuestionKind.RATING]
        counts, not_applicable = count_ratings(answers, keys)
        return Score(counts=dict(counts), not_applicable=not_applicable)

    @hookimpl
    def careaudit_check_answers(self, answers: AnswerSet) -> list[AnswerProblem]:
        return self.check(answers)

    @hookimpl
    def careaudit_report_section(self, scope: ReportScope) -> ReportSection:
        from plugins.themed_audits.findings import report_section

        return report_section(self, scope)

    @hookimpl
    def careaudit_report_tables(self, scope: ReportScope) -> list[Table] | None:
        from plugins.themed_audits.findings import report_tables

        return report_tables(self, scope)

    @hookimpl
    def careaudit_demo_answers(
        self, case: Case | None, rng: random.Random, settings: Mapping[str, Any]
    ) -> dict[str, AnswerValue]:
        return self.demo_answers(rng, {})

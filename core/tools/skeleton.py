"""``careaudit new-tool NAME``: write a working skeleton package for a case-file tool.

The package is a standards tool (like the adults' case file audit): a few
numbered standards rated Met / Partially met / Not met / Not applicable, an
overall judgement, one capping standard, a report section and demo answers, all
through :mod:`core.tools.standards`. It installs with pip, registers through the
``careaudit.tools`` entry point, carries careaudit's ruff rules and its own tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

#: careaudit's ruff rules (its pyproject.toml), written into every skeleton.
RUFF_LINE_LENGTH = 100
RUFF_TARGET_VERSION = "py311"
RUFF_SELECT = ("E", "F", "W", "I", "B", "UP", "SIM", "RUF")
RUFF_IGNORE = ("RUF012", "RUF001", "RUF002", "RUF003")
#: Longest name (in snake case) that keeps every generated line within the line length
#: and the slug within a tool slug's 59 characters.
MAX_NAME_LENGTH = 40
#: What a NAME may contain: a letter first, then letters, digits, spaces, hyphens, underscores.
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9 _-]*$")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "careaudit-tool-{dashed}"
version = "0.1.0"
description = "{title}: a case file audit for careaudit"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["careaudit"]

# careaudit finds the tool here: the name is the tool's slug, the value its hooks module.
[project.entry-points."careaudit.tools"]
{slug} = "{package}.hooks"

[tool.setuptools.packages.find]
include = ["{package}*"]

[tool.setuptools.package-data]
{package} = ["templates/*/*.html"]

[tool.pytest.ini_options]
pythonpath = ["."]
testpaths = ["tests"]

# careaudit's own rules (its pyproject.toml), so the tool reads like careaudit's code.
[tool.ruff]
line-length = {line_length}
target-version = "{target_version}"

[tool.ruff.lint]
select = {lint_select}
# RUF001-3: question wording may keep a form's typographic quotes, word for word.
ignore = {lint_ignore}
"""

INIT = '''\
"""{title}: a case file audit for careaudit.

The hooks careaudit calls are in ``hooks.py``.
"""
'''

HOOKS = '''\
"""{title}: a case file audit for careaudit.

Built from core's standards: every rule a standards tool shares (what is
counted, the suggested rating and grade, a reason for a differing judgement,
Outstanding only where the service switched it on) is core's, in
``core.tools.standards``. This module says what is this audit's own: its
standards, its capping standard, its wording and its demo answers. Change them
to fit; see docs/writing-a-case-file-tool.md in careaudit.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.models import Case, CaseCategory, Rating
from core.tools import (
    DEMO_PROFILES,
    AnswerProblem,
    AnswerSet,
    AnswerValue,
    FormDefinition,
    GradeCap,
    ReportScope,
    ReportSection,
    Score,
    Standard,
    Subject,
    ToolInfo,
    check_judgement,
    demo_judgement,
    demo_quality,
    demo_rating,
    demo_summary_answers,
    hookimpl,
    outstanding_setting,
    scale_of,
    score_standards,
    standard_section,
    standards_report_context,
    summary_section,
)

#: The same string everywhere: entry-point name, ToolInfo, templates/<slug>/.
SLUG = "{slug}"
#: Bump whenever the form's questions change: each audit keeps the version it was made with.
VERSION = "0.1"
TITLE = "{title}"

#: The standards in form order, each rated Met / Partially met / Not met / Not applicable.
STANDARDS = (
    Standard(
        1,
        "The reason for the service's involvement is clear and up to date.",
        ("Look for a case summary or chronology that says why the service is involved now.",),
    ),
    Standard(
        2,
        "The person's views and wishes are recorded, in their own words where possible.",
        ("Look in the assessment and the plan, not only in case notes.",),
    ),
    Standard(
        3,
        "Risks are identified and there is a plan to manage them.",
        ("A plan names who will do what, by when.",),
        hint="Not met here caps the grade at Inadequate.",
        # Offered as Not applicable (the auditor can change it) for cases of these categories.
        not_applicable_for=frozenset({{CaseCategory.CARE_LEAVER}}),
        not_applicable_reason="a care leaver's risks are planned in the pathway plan",
    ),
)
#: The answers the counts and the suggestion are taken over.
RATED_STANDARDS = tuple(standard.key for standard in STANDARDS)

#: Standard 3 Not met suggests Not met overall and caps the grade at Inadequate.
RISK_CAP = GradeCap(
    key="standard_3",
    note="Standard 3 (risk) is not met, so the overall rating is suggested as Not met and "
    "the grade cannot be higher than {{lowest}}.",
    message="Risk is not met (standard 3), so the grade must be {{lowest}}",
)

#: The overall judgement's own words (the section is "Overall judgement" unless you name it).
OVERALL_QUESTION = "What is your overall rating of this case file?"
OVERALL_GUIDANCE = (
    "Use the three-point scale. The suggestion comes from the standards above; if your "
    "rating or grade differs from it, say why.",
)

#: Invented wording for demo audits; it says nothing about any real person.
EVIDENCE = (
    "On file but not up to date; the last entry is several months old.",
    "Recorded in case notes rather than in the right place on the system.",
)
STRENGTHS = ("The person's own words run through the assessment and plan.",)
DEVELOPMENTS = ("Bring the case summary up to date and record the plan's timescales.",)


@hookimpl
def careaudit_tool() -> ToolInfo:
    return ToolInfo(
        slug=SLUG,
        title=TITLE,
        version=VERSION,
        directorates=("children",),
        description="Three standards, and an overall rating and grade.",
        subject=Subject.CASE,
        settings=(
            outstanding_setting(
                "Switch Outstanding on once the service's auditors agree what it looks like."
            ),
        ),
        template_folder=Path(__file__).parent / "templates",
        # The report section below is counted from core's tally alone, so core may keep
        # it once rendered. Set False if the section ever reads anything else.
        report_from_counts=True,
        # Switched on per service by an administrator or `careaudit tools enable`.
        default_on=False,
    )


@hookimpl
def careaudit_audit_form(case: Case | None, settings: Mapping[str, Any]) -> FormDefinition:
    """One section per standard (pre-set to Not applicable where it cannot apply), then
    the overall judgement."""
    return FormDefinition(
        tool=SLUG,
        version=VERSION,
        title=TITLE,
        sections=(
            *(standard_section(standard, case) for standard in STANDARDS),
            summary_section(OVERALL_QUESTION, OVERALL_GUIDANCE, settings),
        ),
    )


@hookimpl
def careaudit_score_audit(answers: AnswerSet, settings: Mapping[str, Any] | None = None) -> Score:
    """The counts over the standards, the suggested rating and grade (on the council's
    grade scale, which core passes in ``settings``), and the cap."""
    return score_standards(answers, RATED_STANDARDS, cap=RISK_CAP, settings=settings)


@hookimpl
def careaudit_check_answers(
    answers: AnswerSet, score: Score, settings: Mapping[str, Any]
) -> list[AnswerProblem]:
    """Outstanding only where switched on, the cap, and a reason for a differing judgement."""
    return check_judgement(answers, score, settings, RISK_CAP)


@hookimpl
def careaudit_report_section(scope: ReportScope) -> ReportSection:
    """The standards' results in the report, counted in SQL by core."""
    questions = [(s.key, f"Standard {{s.number}}", s.question) for s in STANDARDS]
    context = standards_report_context(scope, questions)
    return ReportSection(
        tool=SLUG,
        title=TITLE,
        template=f"{{SLUG}}/report_section.html",
        audit_count=context["audit_count"],
        context=context,
    )


@hookimpl
def careaudit_demo_answers(
    case: Case | None, rng: random.Random, settings: Mapping[str, Any]
) -> AnswerSet:
    """Synthetic answers with core's spread: most files partially met, a few good or poor."""
    profile = DEMO_PROFILES[demo_quality(rng)]
    answers: dict[str, AnswerValue] = {{}}
    for standard in STANDARDS:
        if standard.offered_as_not_applicable(case):
            answers[standard.key] = AnswerValue(Rating.NOT_APPLICABLE)
            continue
        rating = demo_rating(rng, profile)
        comment = None if rating is Rating.MET else rng.choice(EVIDENCE)
        answers[standard.key] = AnswerValue(rating, None, comment)
    overall, reason = demo_judgement(rng, careaudit_score_audit(answers, settings))
    answers.update(
        demo_summary_answers(
            rng, overall, STRENGTHS, DEVELOPMENTS, reason, scale=scale_of(settings)
        )
    )
    return answers
'''

REPORT_SECTION = """\
{{% from "reports/_tables.html" import standards_report, rating_table with context %}}
{{% call(key) standards_report("{slug}", "{audits}") %}}
    {{{{ rating_table(
        tables[key], "Standards 1 to 3: number of files (share of applicable files)"
    ) }}}}
{{% endcall %}}
"""

TEST = '''\
"""The tool's own rules, tested without a database."""

from __future__ import annotations

import random

from core.models import Grade, Rating
from core.tools import AnswerValue
from core.tools.registry import ToolRegistry, make_plugin_manager

from {package} import hooks


def test_the_tool_registers_beside_careaudits_own():
    registry = ToolRegistry(make_plugin_manager(load_entry_points=False))
    registry.register(hooks, name=hooks.SLUG)
    assert registry.get(hooks.SLUG).title == hooks.TITLE
    form = registry.form(hooks.SLUG, None, None)
    assert [q.key for q in form.questions()][:3] == ["standard_1", "standard_2", "standard_3"]
    assert form.sections[-1].label == "Overall judgement"


def test_the_suggestion_follows_the_standards():
    answers = {{key: AnswerValue(Rating.MET) for key in hooks.RATED_STANDARDS}}
    score = hooks.careaudit_score_audit(answers)
    assert score.suggested_rating is Rating.MET and score.suggested_grade is Grade.GOOD


def test_risk_not_met_caps_the_grade():
    answers = {{key: AnswerValue(Rating.MET) for key in hooks.RATED_STANDARDS}}
    answers["standard_3"] = AnswerValue(Rating.NOT_MET, None, "No risk plan on file.")
    answers["overall_rating"] = AnswerValue(Rating.NOT_MET)
    answers["overall_grade"] = AnswerValue(None, Grade.GOOD.value)
    score = hooks.careaudit_score_audit(answers)
    assert score.suggested_rating is Rating.NOT_MET and score.highest_grade is Grade.INADEQUATE
    problems = hooks.careaudit_check_answers(answers, score, {{}})
    assert [p.question for p in problems] == ["overall_grade", "judgement_reason"]


def test_demo_answers_answer_every_standard():
    answers = hooks.careaudit_demo_answers(None, random.Random(1), {{}})
    assert set(hooks.RATED_STANDARDS) <= set(answers)
    assert "overall_rating" in answers and "overall_grade" in answers
'''

README = """\
# {title}

A case file audit for careaudit: {count} standards rated Met / Partially met / Not met /
Not applicable, an overall rating and grade, and a section in the report.

    pip install -e .          # in careaudit's virtual environment
    careaudit tools           # lists {slug}
    careaudit tools enable {slug} --service "Service name"
    python -m pytest          # the tool's own tests
    ruff check . && ruff format --check .    # careaudit's own code rules

The standards, the capping standard and the wording are in `{package}/hooks.py`;
the report section's template is `{package}/templates/{slug}/report_section.html`.
Bump `VERSION` whenever the form's questions change. See
docs/writing-a-case-file-tool.md in careaudit.
"""


def names(name: str) -> dict[str, str]:
    """The slug, package, project and title a NAME gives; a clear error for a bad NAME."""
    cleaned = name.strip()
    if not NAME_PATTERN.match(cleaned):
        raise click.BadParameter(
            f"{name!r} cannot name a tool: start with a letter and use only letters, digits, "
            "spaces, hyphens and underscores, e.g. 'care leavers audit'",
            param_hint="NAME",
        )
    words = re.findall(r"[A-Za-z0-9]+", cleaned)
    snake = "_".join(w.lower() for w in words)
    lower = " ".join(words).lower()
    if len(snake) < 2 or len(snake) > MAX_NAME_LENGTH:
        raise click.BadParameter(
            f"use a name of 2 to {MAX_NAME_LENGTH} characters, e.g. 'care leavers audit' "
            "(the title can be longer: change it in the package)",
            param_hint="NAME",
        )
    return {
        "slug": snake,
        "package": f"careaudit_tool_{snake}",
        "dashed": snake.replace("_", "-"),
        "title": " ".join(words).capitalize(),
        # What the report calls the audits, e.g. "care leavers audits".
        "audits": lower + ("s" if lower.endswith("audit") else " audits"),
    }


def builtin_slugs() -> set[str]:
    """The slugs of the tools that ship with careaudit (a new tool cannot take one)."""
    from core.tools.registry import builtin_tools

    return {
        plugin.careaudit_tool().slug
        for plugin in builtin_tools()
        if callable(getattr(plugin, "careaudit_tool", None))
    }


def toml_list(items: tuple[str, ...]) -> str:
    """A TOML array of strings, for the ruff rules written into a skeleton."""
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def write_skeleton(name: str, directory: Path) -> Path:
    """Write the package for NAME under ``directory``; return its folder."""
    values = names(name)
    if values["slug"] in builtin_slugs():
        raise click.BadParameter(
            f"careaudit already has a tool called {values['slug']!r}: choose another name",
            param_hint="NAME",
        )
    root = directory / f"careaudit-tool-{values['dashed']}"
    if root.exists():
        raise click.ClickException(
            f"{root} already exists: choose another name, or another place with --directory"
        )
    package = root / values["package"]
    (package / "templates" / values["slug"]).mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(
            **values,
            line_length=RUFF_LINE_LENGTH,
            target_version=RUFF_TARGET_VERSION,
            lint_select=toml_list(RUFF_SELECT),
            lint_ignore=toml_list(RUFF_IGNORE),
        )
    )
    (package / "__init__.py").write_text(INIT.format(**values))
    (package / "hooks.py").write_text(HOOKS.format(**values))
    (package / "templates" / values["slug"] / "report_section.html").write_text(
        REPORT_SECTION.format(**values)
    )
    (root / "tests" / "test_tool.py").write_text(TEST.format(**values))
    (root / "README.md").write_text(README.format(**values, count="three"))
    return root


@click.command("new-tool")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Where to write the package.",
)
def new_tool_command(name: str, directory: Path) -> None:
    """Write a working skeleton package for a new case-file tool called NAME."""
    root = write_skeleton(name, directory)
    slug = names(name)["slug"]
    click.echo(f"Wrote {root}")
    click.echo(f"  pip install -e {root}    then    careaudit tools   (lists {slug})")
    click.echo(f"  careaudit tools enable {slug} --service NAME   to switch it on for a service")

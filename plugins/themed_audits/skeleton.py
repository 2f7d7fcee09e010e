"""``careaudit new-theme NAME``: write a working skeleton package for a new themed audit."""

from __future__ import annotations

import re
from pathlib import Path

import click

# careaudit's ruff rules are written into every skeleton, the themes' and the tools' alike.
from core.tools.skeleton import RUFF_IGNORE, RUFF_LINE_LENGTH, RUFF_SELECT, toml_list

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "careaudit-theme-{dashed}"
version = "0.1.0"
description = "{title}: a themed audit for careaudit"
requires-python = ">=3.11"
dependencies = ["careaudit"]

[project.entry-points."careaudit.tools"]
{slug} = "{package}:theme"

[tool.setuptools]
packages = ["{package}"]

[tool.pytest.ini_options]
pythonpath = ["."]
testpaths = ["tests"]

# careaudit's own rules (its pyproject.toml), so the theme reads like careaudit's code.
[tool.ruff]
line-length = {line_length}
target-version = "py311"

[tool.ruff.lint]
select = {lint_select}
# RUF001-3: question wording may keep a report's typographic quotes, word for word.
ignore = {lint_ignore}
"""

#: Longest name (in snake case) that keeps every generated line within the line length.
MAX_NAME_LENGTH = 40

PACKAGE = '''\
"""{title}: a themed audit for careaudit.

Change the population columns, the questions and the findings to fit the
theme. See docs/writing-a-themed-audit.md in careaudit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.tools import AnswerProblem, AnswerSet, Option, Question, QuestionKind, Section
from plugins.themed_audits import CrossTab, Finding, PopulationColumn, RowError, Theme

YES_NO = (Option("yes", "Yes"), Option("no", "No"))
PLAN = Finding("A plan was in place", "plan_in_place", ("yes",))


class {classname}(Theme):
    slug = "{slug}"
    title = "{title}"
    version = "0.1"
    description = "A themed audit of {lower_title} on a random sample."
    directorates = ("children",)
    # What one item of the population is, and more than one (e.g. "child", "children").
    item_label = "referral"
    item_label_plural = "referrals"
    # The columns naming and dating each item, and their labels on the pages: rename them
    # to fit the theme (e.g. "episode_reference", "Missing episode reference").
    item_reference_column = "referral_reference"
    item_reference_label = "Referral reference"
    item_date_column = "referral_date"
    item_date_label = "Referral date"
    # Columns beyond the item's reference and date, case_reference and team.
    columns = (PopulationColumn("previous_referral_date", "Previous referral date", kind="date"),)
    sections = (
        Section(
            "findings",
            "What the file shows",
            label="Findings",
            questions=(
                Question(
                    key="days_since_previous",
                    text="Days since the previous referral",
                    kind=QuestionKind.NUMBER,
                    name="the days since the previous referral",
                    computed=True,
                ),
                Question(
                    key="plan_in_place",
                    text="Was there a plan in place?",
                    kind=QuestionKind.CHOICE,
                    name="whether there was a plan",
                    options=YES_NO,
                ),
                Question(
                    key="why_no_plan",
                    text="If not, why not?",
                    kind=QuestionKind.TEXT,
                    name="why there was no plan",
                    required=False,
                ),
                Question(
                    key="learning_points",
                    text="Learning points",
                    kind=QuestionKind.TEXT,
                    name="the learning points",
                ),
            ),
        ),
    )
    findings = (PLAN,)
    # Optional: "of the items where one finding holds, how many also have another".
    cross_tabs = (
        CrossTab(
            "Of the referrals with a plan in place, how many came at least 90 days after "
            "the previous one",
            given=PLAN,
            then=Finding(
                "At least 90 days since the previous referral", "days_since_previous", at_least=90
            ),
        ),
    )

    def derive(self, row: Mapping[str, Any]) -> dict[str, Any]:
        referral_date = row[self.item_date_column]
        previous = row.get("previous_referral_date")
        if previous is None:
            return {{}}
        if previous > referral_date:
            raise RowError("Previous referral date is after the referral date")
        return {{"days_since_previous": (referral_date - previous).days}}

    def check(self, answers: AnswerSet) -> list[AnswerProblem]:
        plan = answers.get("plan_in_place")
        reason = answers.get("why_no_plan")
        if plan and plan.value == "no" and not (reason and reason.value):
            return [AnswerProblem("why_no_plan", "Enter why there was no plan")]
        return []


#: The plugin careaudit loads through the careaudit.tools entry point.
theme = {classname}()
'''

TEST = '''\
"""The theme's own rules, then the theme inside careaudit.

The careaudit_ fixtures are careaudit's own, installed with it as a pytest plugin
(see "Testing your package" in careaudit's docs/writing-a-themed-audit.md).
"""

from __future__ import annotations

from datetime import date

from core.tools import AnswerValue
from plugins.themed_audits.population import parse_population

from {package} import theme


def test_the_theme_declares_a_valid_tool():
    info = theme.careaudit_tool()
    info.check()
    assert info.slug == "{slug}"
    assert theme.questions()[0].key == "days_since_previous"


def test_population_rows_are_checked_and_days_worked_out():
    text = (
        "referral_reference,case_reference,referral_date,team,previous_referral_date\\n"
        "R1,C1,2026-05-10,Team A,2026-05-01\\n"
        "R2,C2,2026-05-10,Team A,2026-06-01\\n"
    )
    result = parse_population(theme, text, {{"team a": 1}}, (date(2026, 4, 1), date(2027, 3, 31)))
    assert result.rows[0].facts == {{"days_since_previous": 9}}
    assert result.errors == [(3, "Previous referral date is after the referral date")]


def test_no_plan_needs_a_reason():
    answers = {{"plan_in_place": AnswerValue(None, "no")}}
    assert [p.question for p in theme.check(answers)] == ["why_no_plan"]
    answers["why_no_plan"] = AnswerValue(None, "Closed before a plan was made.")
    assert theme.check(answers) == []


def test_a_qa_officer_can_start_a_themed_audit_of_this_theme(
    careaudit_client, careaudit_borough, careaudit_sign_in, careaudit_tool
):
    """On a fresh careaudit with a small council, the theme registered for this test."""
    careaudit_tool(theme, services=[careaudit_borough.cin])
    careaudit_sign_in(careaudit_client, "independent_reviewer")
    page = careaudit_client.get("/themed-audits/new")
    assert page.status_code == 200
    assert theme.title in page.get_data(as_text=True)
'''

README = """\
# {title}

A themed audit for careaudit.

    pip install -e .          # in careaudit's virtual environment
    careaudit tools           # lists {slug}
    python -m pytest          # the theme's own tests (with careaudit's fixtures)
    ruff check . && ruff format --check .    # careaudit's own code rules

Then, as an administrator, switch "{title}" on for the services it applies to
(Administration -> Audit tools), and start a themed audit under Themed audits.
"""


def names(name: str) -> dict[str, str]:
    words = re.findall(r"[A-Za-z0-9]+", name)
    if not words or not words[0][0].isalpha():
        raise click.BadParameter("start the name with a letter, e.g. 'missing education'")
    snake = "_".join(w.lower() for w in words)
    if len(snake) > MAX_NAME_LENGTH:
        raise click.BadParameter(
            f"use a name of {MAX_NAME_LENGTH} characters or fewer, e.g. 'missing education' "
            "(the title can be longer: change it in the package)"
        )
    return {
        "slug": f"{snake}_theme",
        "package": f"careaudit_theme_{snake}",
        "dashed": snake.replace("_", "-"),
        "classname": "".join(w.capitalize() for w in words) + "Theme",
        "title": " ".join(words).capitalize() + " themed audit",
        "lower_title": " ".join(words).lower(),
    }


def write_skeleton(name: str, directory: Path) -> Path:
    values = names(name)
    root = directory / f"careaudit-theme-{values['dashed']}"
    if root.exists():
        raise click.ClickException(f"{root} already exists")
    (root / values["package"]).mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(
            **values,
            line_length=RUFF_LINE_LENGTH,
            lint_select=toml_list(RUFF_SELECT),
            lint_ignore=toml_list(RUFF_IGNORE),
        )
    )
    (root / values["package"] / "__init__.py").write_text(PACKAGE.format(**values))
    (root / "tests" / "test_theme.py").write_text(TEST.format(**values))
    (root / "README.md").write_text(README.format(**values))
    return root


@click.command("new-theme")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Where to write the package.",
)
def new_theme_command(name: str, directory: Path) -> None:
    """Write a working skeleton package for a new themed audit called NAME."""
    root = write_skeleton(name, directory)
    values = names(name)
    click.echo(f"Wrote {root}")
    click.echo(f"  pip install -e {root}    then    careaudit tools   (lists {values['slug']})")

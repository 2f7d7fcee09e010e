"""Wiring: the adults' audit's answers to careaudit's hooks.

Thin on purpose: the form, scoring and report live in their own modules.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.models import Case
from core.tools import (
    AnswerProblem,
    AnswerSet,
    FormDefinition,
    ReportScope,
    ReportSection,
    Score,
    Subject,
    ToolInfo,
    hookimpl,
    outstanding_setting,
)
from plugins.adult_audit import SLUG, VERSION, demo, form, report, scoring


@hookimpl
def careaudit_tool() -> ToolInfo:
    return ToolInfo(
        slug=SLUG,
        title="Adults’ case file audit",
        version=VERSION,
        directorates=("adults",),
        description="13 standards from the Care Act 2014, the Mental Capacity Act 2005 and "
        "Making Safeguarding Personal, and an overall rating and grade, for adults with care "
        "and support needs and their carers.",
        subject=Subject.CASE,
        settings=(
            outstanding_setting(
                "Files are graded Inadequate, Adequate or Good at first, as in the "
                "children’s audit; switch Outstanding on once the service’s auditors agree "
                "what it looks like."
            ),
        ),
        template_folder=Path(__file__).parent / "templates",
        # The report section is counted from the tally alone (core.reports.kept).
        report_from_counts=True,
        default_on=True,
    )


@hookimpl
def careaudit_audit_form(case: Case | None, settings: Mapping[str, Any]) -> FormDefinition:
    return form.audit_form(case, settings)


@hookimpl
def careaudit_score_audit(answers: AnswerSet, settings: Mapping[str, Any]) -> Score:
    return scoring.score_audit(answers, settings)


@hookimpl
def careaudit_check_answers(
    answers: AnswerSet, score: Score, settings: Mapping[str, Any]
) -> list[AnswerProblem]:
    return scoring.check_answers(answers, score, settings)


@hookimpl
def careaudit_report_section(scope: ReportScope) -> ReportSection:
    return report.report_section(scope)


@hookimpl
def careaudit_demo_answers(
    case: Case | None, rng: random.Random, settings: Mapping[str, Any]
) -> AnswerSet:
    return demo.demo_answers(case, rng, settings)

"""Wiring: the children's audit's answers to careaudit's hooks.

Thin on purpose: the form, scoring and report live in their own modules.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.exports.document import Table
from core.models import Case
from core.tools import (
    AnswerProblem,
    AnswerSet,
    FormDefinition,
    ReportScope,
    ReportSection,
    Score,
    ToolInfo,
    hookimpl,
    outstanding_setting,
)
from plugins.children_audit import SLUG, VERSION, demo, form, report, scoring


@hookimpl
def careaudit_tool() -> ToolInfo:
    return ToolInfo(
        slug=SLUG,
        title="Children’s case file audit",
        version=VERSION,
        directorates=("children",),
        description="The 14 standards of the children’s social work audit form "
        "(Appendix 1B), for children in need, child protection, looked after children and "
        "care leavers.",
        subject="case",
        settings=(
            outstanding_setting(
                "The framework grades Inadequate, Adequate or Good at first, with "
                "Outstanding to follow once the format is well established."
            ),
            scoring.PERSISTENT_CAP_SETTING,
        ),
        template_folder=Path(__file__).parent / "templates",
        # The report section is counted from the tally alone (core.reports.kept).
        report_from_counts=True,
    )


@hookimpl
def careaudit_audit_form(case: Case | None, settings: Mapping[str, Any]) -> FormDefinition:
    return form.audit_form(case, settings)


@hookimpl
def careaudit_score_audit(
    answers: AnswerSet, settings: Mapping[str, Any], previous: AnswerSet | None
) -> Score:
    return scoring.score_audit(answers, settings, previous)


@hookimpl
def careaudit_check_answers(
    answers: AnswerSet, score: Score, settings: Mapping[str, Any]
) -> list[AnswerProblem]:
    return scoring.check_answers(answers, score, settings)


@hookimpl
def careaudit_report_section(scope: ReportScope) -> ReportSection:
    return report.report_section(scope)


@hookimpl
def careaudit_report_tables(scope: ReportScope) -> list[Table] | None:
    return report.report_tables(scope)


@hookimpl
def careaudit_demo_answers(
    case: Case | None, rng: random.Random, settings: Mapping[str, Any]
) -> AnswerSet:
    return demo.demo_answers(case, rng, settings)

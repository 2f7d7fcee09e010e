"""Wiring: the supervision audit's answers to careaudit's hooks.

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
    AuditSubject,
    FormDefinition,
    ReportScope,
    ReportSection,
    Score,
    SettingSpec,
    Subject,
    ToolInfo,
    hookimpl,
)
from plugins.supervision_audit import SLUG, VERSION, demo, form, report, scoring


@hookimpl
def careaudit_tool() -> ToolInfo:
    return ToolInfo(
        slug=SLUG,
        title="Supervision audit",
        version=VERSION,
        directorates=("children", "adults"),
        description="The regularity and quality of a member of staff’s supervision over a "
        "period, usually the last 12 months: for service managers to audit routinely.",
        subject=Subject.STAFF,
        settings=(
            SettingSpec(
                key="sessions_per_year",
                label="Supervision sessions expected a year",
                kind="int",
                default=scoring.DEFAULT_SESSIONS_PER_YEAR,
                minimum=1,
                hint="The service’s supervision policy: 12 is monthly. Each audit starts with "
                "this many sessions expected for a 12-month period; the auditor can change it.",
            ),
        ),
        template_folder=Path(__file__).parent / "templates",
        # The report section is counted from the tally alone (core.reports.kept).
        report_from_counts=True,
        default_on=True,
    )


@hookimpl
def careaudit_audit_form(
    case: Case | None, settings: Mapping[str, Any], subject: AuditSubject | None
) -> FormDefinition:
    return form.audit_form(subject, settings)


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

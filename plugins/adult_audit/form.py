"""The adults' audit form as a ``FormDefinition``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.models import Case, Grade, Rating
from core.tools import FormDefinition, Option, Question, QuestionKind, Section
from plugins.adult_audit import SLUG, VERSION
from plugins.adult_audit.standards import (
    OVERALL_GUIDANCE,
    OVERALL_QUESTION,
    RECORDING_PRINCIPLE,
    STANDARDS,
    Standard,
)


def grade_options(settings: Mapping[str, Any]) -> tuple[Option, ...]:
    grades = [Grade.INADEQUATE, Grade.ADEQUATE, Grade.GOOD]
    if settings.get("outstanding_grade"):
        grades.append(Grade.OUTSTANDING)
    return tuple(Option(g.value, g.label) for g in grades)


def _standard_section(standard: Standard, case: Case | None) -> Section:
    preset = case is not None and case.category in standard.not_applicable_for
    rating = Question(
        key=standard.key,
        name=f"standard {standard.number}",
        text=standard.question,
        kind=QuestionKind.RATING,
        guidance=standard.guidance,
        hint=standard.hint,
        initial=Rating.NOT_APPLICABLE.value if preset else None,
        initial_reason=(
            f"Offered as Not applicable because {standard.not_applicable_reason}. "
            "Change it if the standard does apply."
            if preset
            else ""
        ),
    )
    return Section(
        key=standard.key,
        label=f"Standard {standard.number}",
        title=standard.question,
        questions=(rating,),
    )


def audit_form(case: Case | None, settings: Mapping[str, Any]) -> FormDefinition:
    """The form, with standards that cannot apply to the case offered as Not applicable."""
    sections = [_standard_section(standard, case) for standard in STANDARDS]
    summary = Section(
        key="standard_14",
        label="Standard 14",
        title=OVERALL_QUESTION,
        questions=(
            Question(
                key="overall_rating",
                name="the overall rating",
                text=OVERALL_QUESTION,
                kind=QuestionKind.RATING,
                guidance=OVERALL_GUIDANCE,
                allow_not_applicable=False,
                has_comment=False,
            ),
            Question(
                key="overall_grade",
                name="the overall grade",
                text="Overall grade",
                kind=QuestionKind.CHOICE,
                options=grade_options(settings),
            ),
            Question(
                key="judgement_reason",
                name="why your judgement differs from the suggested rating or grade",
                text="If your overall rating or grade differs from the suggestion, why?",
                kind=QuestionKind.TEXT,
                required=False,
                guidance=(
                    "Needed only when your judgement differs from the rating or grade "
                    "suggested from the standards.",
                ),
            ),
            Question(
                key="strengths",
                name="the areas of strength",
                text="Areas of strength",
                kind=QuestionKind.TEXT,
            ),
            Question(
                key="areas_for_development",
                name="the areas for development",
                text="Areas for development",
                kind=QuestionKind.TEXT,
            ),
        ),
    )
    return FormDefinition(
        tool=SLUG,
        version=VERSION,
        title="Adult Social Care Case File Audit Form",
        sections=(*sections, summary),
        preamble=(RECORDING_PRINCIPLE,),
    )

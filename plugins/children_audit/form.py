"""The children's audit form as a ``FormDefinition``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.models import Case
from core.tools import (
    FormDefinition,
    Option,
    Question,
    QuestionKind,
    Section,
    Standard,
    standard_section,
    summary_section,
)
from plugins.children_audit import SLUG, VERSION
from plugins.children_audit.standards import (
    OVERALL_GUIDANCE,
    OVERALL_KEY,
    OVERALL_LABEL,
    OVERALL_QUESTION,
    RECORDING_PRINCIPLE,
    STANDARD_6_ITEMS,
    STANDARDS,
)

YES_NO_NA = (
    Option("yes", "Yes"),
    Option("no", "No"),
    Option("not_applicable", "Not applicable"),
)


def _standard_6_items(standard: Standard, case: Case | None) -> tuple[Question, ...]:
    """Yes / no / not applicable for the PEP, health assessment and SDQ."""
    preset = standard.offered_as_not_applicable(case)
    return tuple(
        Question(
            key=key,
            name=f"yes, no or not applicable for {name}",
            text=text,
            kind=QuestionKind.CHOICE,
            options=YES_NO_NA,
            initial="not_applicable" if preset else None,
        )
        for key, text, name in STANDARD_6_ITEMS
    )


def _standard_section(standard: Standard, case: Case | None) -> Section:
    extra = _standard_6_items(standard, case) if standard.number == 6 else ()
    return standard_section(standard, case, extra)


def audit_form(case: Case | None, settings: Mapping[str, Any]) -> FormDefinition:
    """The form, with standards that cannot apply to the case offered as Not applicable."""
    sections = [_standard_section(standard, case) for standard in STANDARDS]
    summary = summary_section(
        OVERALL_QUESTION, OVERALL_GUIDANCE, settings, label=OVERALL_LABEL, key=OVERALL_KEY
    )
    return FormDefinition(
        tool=SLUG,
        version=VERSION,
        title="Children’s Social Work Audit Form",
        sections=(*sections, summary),
        preamble=(RECORDING_PRINCIPLE,),
    )

"""The adults' audit form as a ``FormDefinition``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.models import Case
from core.tools import FormDefinition, standard_section, summary_section
from plugins.adult_audit import SLUG, VERSION
from plugins.adult_audit.standards import (
    OVERALL_GUIDANCE,
    OVERALL_KEY,
    OVERALL_LABEL,
    OVERALL_QUESTION,
    RECORDING_PRINCIPLE,
    STANDARDS,
)


def audit_form(case: Case | None, settings: Mapping[str, Any]) -> FormDefinition:
    """The form, with standards that cannot apply to the case offered as Not applicable."""
    sections = [standard_section(standard, case) for standard in STANDARDS]
    summary = summary_section(
        OVERALL_QUESTION, OVERALL_GUIDANCE, settings, label=OVERALL_LABEL, key=OVERALL_KEY
    )
    return FormDefinition(
        tool=SLUG,
        version=VERSION,
        title="Adult Social Care Case File Audit Form",
        sections=(*sections, summary),
        preamble=(RECORDING_PRINCIPLE,),
    )

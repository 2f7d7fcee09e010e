"""The supervision audit form as a ``FormDefinition``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from core.tools import (
    AuditSubject,
    FormDefinition,
    Question,
    QuestionKind,
    Section,
    summary_section,
)
from plugins.supervision_audit import SLUG, VERSION
from plugins.supervision_audit.questions import (
    EITHER_PERSON,
    FREQUENCY_COMPLIANCE,
    FREQUENCY_RATING,
    PERIOD_END,
    PERIOD_START,
    PERSON_BY_DIRECTORATE,
    QUALITY_QUESTIONS,
    RECORDING_PRINCIPLE,
    SESSIONS_EXPECTED,
    SESSIONS_RECORDED,
    QualityQuestion,
)
from plugins.supervision_audit.scoring import default_period, sessions_per_year

TITLE = "Supervision audit"


def person_for(subject: AuditSubject | None) -> str:
    """ "child’s" or "adult’s" by the audited staff member's directorate, else both."""
    staff = subject.staff if subject is not None else None
    service = staff.service if staff is not None else None
    code = service.directorate.code if service is not None else None
    return PERSON_BY_DIRECTORATE.get(code or "", EITHER_PERSON)


def _period_section(today: date) -> Section:
    start, end = default_period(today)
    return Section(
        key="period",
        label="Period audited",
        title="The period of supervision audited",
        guidance=(
            "Audit the last 12 months of supervision unless there is a reason to look at a "
            "different period, for example a member of staff who started or returned part "
            "way through the year.",
        ),
        questions=(
            Question(
                key=PERIOD_START,
                name="the start of the period",
                text="Start of the period audited",
                kind=QuestionKind.DATE,
                initial=start.isoformat(),
                hint="Set to 12 months before today. Change it to audit a different period.",
            ),
            Question(
                key=PERIOD_END,
                name="the end of the period",
                text="End of the period audited",
                kind=QuestionKind.DATE,
                initial=end.isoformat(),
                hint="Set to today. It cannot be in the future.",
            ),
        ),
    )


def _frequency_section(settings: Mapping[str, Any]) -> Section:
    per_year = sessions_per_year(settings)
    return Section(
        key="frequency",
        label="Frequency of supervision",
        title="How often supervision took place",
        guidance=(
            "Count only sessions recorded on the case recording system or the supervision "
            "record: a session that is not recorded did not happen.",
            "Fewer than 3 sessions in 12 months (pro rata for a shorter or longer period) is "
            "flagged and makes the frequency Not met.",
        ),
        questions=(
            Question(
                key=SESSIONS_RECORDED,
                name="the number of sessions recorded",
                text="Number of supervision sessions recorded in the period",
                kind=QuestionKind.NUMBER,
                minimum=0,
                hint="Enter 0 if no supervision is recorded at all.",
            ),
            Question(
                key=SESSIONS_EXPECTED,
                name="the expected number of sessions",
                text="Expected number under the service’s policy",
                kind=QuestionKind.NUMBER,
                minimum=0,
                initial=str(per_year),
                hint=f"Set from the service’s policy of {per_year} sessions a year, for a "
                "12-month period. Change it if the period is shorter or longer, or the "
                "member of staff was not working for part of it, for example part-year "
                "working or a long absence.",
            ),
            Question(
                key=FREQUENCY_COMPLIANCE,
                name="frequency compliance",
                text="Frequency compliance (sessions recorded as a percentage of those "
                "expected, up to 100)",
                kind=QuestionKind.NUMBER,
                required=False,
                computed=True,
                hint="Worked out from the numbers above when the audit is saved.",
            ),
            Question(
                key=FREQUENCY_RATING,
                name="the frequency of supervision",
                text="Frequency of supervision",
                kind=QuestionKind.RATING,
                required=False,
                computed=True,
                allow_not_applicable=False,
                has_comment=False,
                hint="Worked out when the audit is saved: Not met if fewer than 3 sessions in "
                "12 months, Met if the expected number was recorded, otherwise Partially met.",
            ),
        ),
    )


def _quality_section(question: QualityQuestion, person: str) -> Section:
    return Section(
        key=question.key,
        label=question.label,
        title=question.question(person),
        questions=(
            Question(
                key=question.key,
                name=question.name,
                text=question.question(person),
                kind=QuestionKind.RATING,
                guidance=question.guidance_for(person),
            ),
        ),
    )


def _summary_section(settings: Mapping[str, Any]) -> Section:
    # The settings carry the council's grade scale; the supervision audit has no
    # Outstanding setting of its own, so the framework scale never offers it here.
    return summary_section(
        "Overall rating of the regularity and quality of supervision",
        (
            "The suggestion counts the frequency and the quality questions. Use the "
            "3 point scale; if your judgement differs, say why.",
        ),
        settings,
        key="summary",
        label="Overall",
        title="Overall rating of supervision",
        suggested_from="the frequency and quality of supervision",
    )


def audit_form(
    subject: AuditSubject | None, settings: Mapping[str, Any], today: date | None = None
) -> FormDefinition:
    """The form for auditing a member of staff's supervision record."""
    person = person_for(subject)
    sections = (
        _period_section(today or date.today()),
        _frequency_section(settings),
        *(_quality_section(q, person) for q in QUALITY_QUESTIONS),
        _summary_section(settings),
    )
    return FormDefinition(
        tool=SLUG,
        version=VERSION,
        title=TITLE,
        sections=sections,
        preamble=(RECORDING_PRINCIPLE,),
    )

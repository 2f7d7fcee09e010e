"""The worker's reply form and the manager's supervision date form.

Both read what was typed tolerantly and return GOV.UK error messages keyed by the
field each belongs to, so a mistake is a message with every value kept, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from core.feedback.workflow import Reply
from core.inputs import whole_number
from core.models import Agreement
from core.tools.questions import FormDefinition, Question, QuestionKind

#: Longest reason for one standard, and longest general comment.
REASON_LENGTH = 2000
COMMENT_LENGTH = 5000
REASON_PREFIX = "reason__"


@dataclass(frozen=True)
class Standard:
    """A rated question of the audit, as the reply form lists it."""

    question: Question
    label: str  # the section's short label, e.g. "Standard 3", or ""

    @property
    def field(self) -> str:
        return REASON_PREFIX + self.question.key

    @property
    def name(self) -> str:
        return self.label or self.question.display_name.capitalize()


def rated_standards(definition: FormDefinition) -> list[Standard]:
    """The questions the auditor rated (Met / Partially met / Not met), in form order."""
    return [
        Standard(question, section.label)
        for section in definition.sections
        for question in section.questions
        if question.kind is QuestionKind.RATING and not question.computed
    ]


def _blank_to_none(value: object) -> str | None:
    return None if value in (None, "", "None") else str(value)


def reply_form_class(standards: list[Standard]) -> type[FlaskForm]:
    """A new form class with a reason box for each rated standard."""
    attrs: dict[str, object] = {
        "agreement": RadioField(
            choices=[SelectChoice(a.value, a.label) for a in Agreement],
            coerce=_blank_to_none,
            validate_choice=False,
        ),
        "comment": TextAreaField(),
    }
    for standard in standards:
        attrs[standard.field] = TextAreaField()
    return type("ReplyForm", (FlaskForm,), attrs)


def read_reply(form: FlaskForm, standards: list[Standard]) -> tuple[Reply | None, dict[str, str]]:
    """The reply typed, or the errors keyed by field (in the order shown)."""
    errors: dict[str, str] = {}
    choice = form["agreement"].data
    agreement = Agreement(choice) if choice in {a.value for a in Agreement} else None
    if agreement is None:
        errors["agreement"] = "Select whether you agree with the audit"
    reasons: dict[str, str] = {}
    if agreement is Agreement.DISAGREE:
        for standard in standards:
            reason = (form[standard.field].data or "").strip()
            if len(reason) > REASON_LENGTH:
                errors[standard.field] = (
                    f"Your reason for {standard.name.lower()} must be "
                    f"{REASON_LENGTH:,} characters or fewer"
                )
            elif reason:
                reasons[standard.question.key] = reason
    comment = (form["comment"].data or "").strip()
    if len(comment) > COMMENT_LENGTH:
        errors["comment"] = f"Your comment must be {COMMENT_LENGTH:,} characters or fewer"
    elif agreement is Agreement.DISAGREE and not reasons and not comment and not errors:
        first = standards[0].field if standards else "comment"
        errors[first] = "Say which standards you disagree with and why, or explain in a comment"
    if errors or agreement is None:
        return None, errors
    return Reply(agreement, reasons, comment), {}


class SupervisionForm(FlaskForm):
    discussed_day = StringField()
    discussed_month = StringField()
    discussed_year = StringField()

    def discussed_on(self, submitted_on: date, today: date) -> tuple[date | None, str | None]:
        """The date typed, or the error message for the date boxes."""
        parts = [(f.data or "").strip() for f in (self.discussed_day, self.discussed_month)]
        parts.append((self.discussed_year.data or "").strip())
        if not any(parts):
            return None, "Enter the date it was discussed in supervision"
        if len(parts[2]) != 4:
            return None, "Enter the year it was discussed as 4 numbers, for example 2026"
        day, month = whole_number(parts[0], 31), whole_number(parts[1], 12)
        year = whole_number(parts[2], 9999)
        try:
            typed = date(year or 0, month or 0, day or 0)
        except ValueError:
            return None, "Enter the date it was discussed as a real date, for example 27 3 2026"
        if typed > today:
            return None, "The date it was discussed must be today or in the past"
        if typed < submitted_on:
            return None, (
                "The date it was discussed must be on or after the day the audit was "
                f"submitted, {submitted_on.day} {submitted_on:%B %Y}"
            )
        return typed, None

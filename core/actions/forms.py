"""Forms of the follow-up: set an action, mark it done, review it, ask for a re-audit."""

from __future__ import annotations

from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from core.inputs import whole_number

TEXT_LIMIT = 4000
#: How far ahead a due date may be: further is almost certainly a typing mistake.
YEARS_AHEAD = 5


def read_date(
    day: str | None, month: str | None, year: str | None, name: str, today: date
) -> tuple[date | None, str | None]:
    """A GOV.UK date input's three boxes as a date not in the past, or the message."""
    parts = {
        "day": (day or "").strip(),
        "month": (month or "").strip(),
        "year": (year or "").strip(),
    }
    if not any(parts.values()):
        return None, f"Enter the {name}"
    missing = [p for p, v in parts.items() if not v]
    if missing:
        return None, f"The {name} must include a {' and '.join(missing)}"
    numbers = {p: whole_number(v) for p, v in parts.items()}
    if any(n is None for n in numbers.values()) or len(parts["year"]) != 4:
        return None, f"The {name} must be a real date"
    try:
        value = date(numbers["year"], numbers["month"], numbers["day"])  # type: ignore[arg-type]
    except ValueError:
        return None, f"The {name} must be a real date"
    if value < today:
        return None, f"The {name} must be today or in the future"
    if value > today + timedelta(days=366 * YEARS_AHEAD):
        return None, f"The {name} must be within {YEARS_AHEAD} years"
    return value, None


class DateParts:
    """Mixin: the three boxes of a due date (``due_day``, ``due_month``, ``due_year``)."""

    due_day = StringField("Day", validators=[Length(max=10)])
    due_month = StringField("Month", validators=[Length(max=10)])
    due_year = StringField("Year", validators=[Length(max=10)])


class SetActionForm(FlaskForm, DateParts):  # type: ignore[misc]
    question = SelectField("Standard", validate_choice=False)
    description = TextAreaField(
        "What must be done",
        validators=[
            InputRequired(message="Enter what must be done"),
            Length(
                max=TEXT_LIMIT,
                message=f"What must be done must be {TEXT_LIMIT} characters or fewer",
            ),
        ],
    )
    owner = SelectField("Who will do it", validate_choice=False)


class DoneForm(FlaskForm):
    evidence = TextAreaField(
        "What was done, and where the evidence is",
        validators=[
            InputRequired(message="Enter what was done and where the evidence is"),
            Length(
                max=TEXT_LIMIT, message=f"The evidence must be {TEXT_LIMIT} characters or fewer"
            ),
        ],
    )


class ReviewForm(FlaskForm, DateParts):  # type: ignore[misc]
    #: "confirm" or "reopen" (the view checks; the template draws the radios).
    decision = RadioField("Is the action done?", validate_choice=False)
    reason = TextAreaField(
        "Why it is reopened",
        validators=[
            Length(max=TEXT_LIMIT, message=f"The reason must be {TEXT_LIMIT} characters or fewer")
        ],
    )


class ReAuditForm(FlaskForm, DateParts):  # type: ignore[misc]
    auditor = SelectField("Who will audit the file again", validate_choice=False)
    #: "after_actions" or "on_date" (the view checks; the template draws the radios).
    when = RadioField("When", validate_choice=False)

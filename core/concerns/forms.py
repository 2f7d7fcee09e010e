"""The forms: raising a concern, and recording a response to it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.inputs import whole_number
from core.models.concerns import DESCRIPTION_LENGTH, DONE_BY_LENGTH, RESPONSE_LENGTH


def _strip(text: str | None) -> str | None:
    # A description of spaces is no description.
    return text.strip() if text else text


class RaiseConcernForm(FlaskForm):
    description = TextAreaField(
        "Why may a child or adult be at risk now?",
        widget=GovCharacterCount(),
        description="Say what you found and where on the file, so a manager can act on it "
        "at once. Do not wait to finish the audit.",
        filters=[_strip],
        validators=[
            DataRequired(message="Describe why a child or adult may be at risk now"),
            Length(
                max=DESCRIPTION_LENGTH,
                message=f"The description must be {DESCRIPTION_LENGTH} characters or fewer",
            ),
        ],
    )
    token = HiddenField()
    submit = SubmitField("Raise the concern now", widget=GovSubmitInput())


class ResponseForm(FlaskForm):
    action_taken = TextAreaField(
        "What was done",
        widget=GovCharacterCount(),
        description="For example: a strategy discussion was held, the child was visited, the "
        "case was passed to the duty team.",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter what was done"),
            Length(
                max=RESPONSE_LENGTH,
                message=f"What was done must be {RESPONSE_LENGTH} characters or fewer",
            ),
        ],
    )
    done_by = StringField(
        "Who did it",
        widget=GovTextInput(),
        description="Name and role, or team.",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter who did it"),
            Length(
                max=DONE_BY_LENGTH,
                message=f"Who did it must be {DONE_BY_LENGTH} characters or fewer",
            ),
        ],
    )
    # A GOV.UK date input, read by hand (govuk-frontend-wtf's date widget expects three
    # values under one name, and fails on anything else a client sends).
    done_on_day = StringField("Day")
    done_on_month = StringField("Month")
    done_on_year = StringField("Year")
    submit = SubmitField("Record the response", widget=GovSubmitInput())

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.done_on: date | None = None
        self.done_on_error: str | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        self.done_on, self.done_on_error = self._read_date()
        return valid and self.done_on_error is None

    def _read_date(self) -> tuple[date | None, str | None]:
        parts = {
            "day": (self.done_on_day.data or "").strip(),
            "month": (self.done_on_month.data or "").strip(),
            "year": (self.done_on_year.data or "").strip(),
        }
        missing = [name for name, text in parts.items() if not text]
        if len(missing) == 3:
            return None, "Enter the date it was done"
        if missing:
            return None, f"The date it was done must include a {' and '.join(missing)}"
        day, month, year = (whole_number(parts[p], 9999) for p in ("day", "month", "year"))
        if day is None or month is None or year is None or len(parts["year"]) != 4:
            return None, "The date it was done must be a real date"
        try:
            done_on = date(year, month, day)
        except ValueError:
            return None, "The date it was done must be a real date"
        if done_on > self.today:
            return None, "The date it was done must be today or in the past"
        return done_on, None

    def error_list(self) -> list[dict[str, str]]:
        """The GOV.UK error summary, in the order of the fields on the page."""
        errors = []
        for name in ("action_taken", "done_by"):
            field = self[name]
            if field.errors:
                errors.append({"text": field.errors[0], "href": f"#{field.id}"})
        if self.done_on_error:
            errors.append({"text": self.done_on_error, "href": "#done_on_day"})
        return errors

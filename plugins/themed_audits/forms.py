"""Forms of the themed audit pages."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class ThemedAuditForm(FlaskForm):
    theme = SelectField("Theme", validate_choice=False)
    title = StringField(
        "Title",
        validators=[InputRequired(message="Enter a title for the themed audit"), Length(max=200)],
    )
    rationale = TextAreaField(
        "Why this theme, and why now",
        validators=[InputRequired(message="Enter the rationale for the themed audit")],
    )
    commissioned_by = StringField(
        "Commissioned by",
        validators=[
            InputRequired(message="Enter who commissioned the audit, for example the LSCB"),
            Length(max=200),
        ],
        description="For example, the Local Safeguarding Children Board",
    )
    start_day = StringField()
    start_month = StringField()
    start_year = StringField()
    end_day = StringField()
    end_month = StringField()
    end_year = StringField()

    def period(self) -> tuple[date | None, date | None, dict[str, str]]:
        """The period typed, and errors keyed by the first box of a bad date."""
        errors: dict[str, str] = {}
        start = _date(self.start_day.data, self.start_month.data, self.start_year.data)
        end = _date(self.end_day.data, self.end_month.data, self.end_year.data)
        if start is None:
            errors["start_day"] = "Enter the start of the period as a real date"
        if end is None:
            errors["end_day"] = "Enter the end of the period as a real date"
        if start and end and end < start:
            errors["end_day"] = "The end of the period must be after its start"
        return start, end, errors


def _date(day: str | None, month: str | None, year: str | None) -> date | None:
    try:
        return date(int(year or ""), int(month or ""), int(day or ""))
    except (ValueError, OverflowError):  # OverflowError: a year of 25 digits
        return None

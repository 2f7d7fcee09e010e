"""Administrators' forms: users, services, teams."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, ValidationError

from core.models import Role

MIN_PASSWORD_LENGTH = 12


def _int_or_none(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


class UserForm(FlaskForm):
    name = StringField(
        "Full name",
        validators=[InputRequired(message="Enter the person's full name"), Length(max=120)],
    )
    email = StringField(
        "Email address",
        validators=[
            InputRequired(message="Enter an email address"),
            Email(message="Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice("", "Choose a role")]
        + [SelectChoice(role.value, role.label) for role in Role],
        validators=[InputRequired(message="Choose a role")],
    )
    team = SelectField("Team", coerce=_int_or_none, validate_choice=False)
    service = SelectField("Service", coerce=_int_or_none, validate_choice=False)
    password = PasswordField(
        "Password",
        # No Optional(): it would stop the "Enter a password" check when creating.
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Leave blank to keep the "
        "current password.",
    )
    active = BooleanField("Account is active", default=True)

    def __init__(self, *args: object, creating: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating

    def validate_role(self, field: SelectField) -> None:
        if field.data and field.data not in {r.value for r in Role}:
            raise ValidationError("Choose a role")

    def validate_team(self, field: SelectField) -> None:
        role = Role(self.role.data) if self.role.data in {r.value for r in Role} else None
        if role is not None and role.needs_team and field.data is None:
            raise ValidationError(f"Choose the team of this {role.label.lower()}")

    def validate_service(self, field: SelectField) -> None:
        role = Role(self.role.data) if self.role.data in {r.value for r in Role} else None
        if role is not None and role.needs_service and field.data is None:
            raise ValidationError("Choose the service this service manager manages")

    def validate_password(self, field: PasswordField) -> None:
        if self.creating and not field.data:
            raise ValidationError("Enter a password")
        if field.data and len(field.data) < MIN_PASSWORD_LENGTH:
            raise ValidationError(f"Password must be {MIN_PASSWORD_LENGTH} characters or more")


class ServiceForm(FlaskForm):
    name = StringField(
        "Service name",
        validators=[InputRequired(message="Enter the name of the service"), Length(max=120)],
    )
    directorate = SelectField("Directorate", coerce=_int_or_none, validate_choice=False)
    active = BooleanField("Service is in scope of the audit framework", default=True)

    def validate_directorate(self, field: SelectField) -> None:
        if field.data is None:
            raise ValidationError("Choose the directorate")


class TeamForm(FlaskForm):
    name = StringField(
        "Team name",
        validators=[InputRequired(message="Enter the name of the team"), Length(max=120)],
    )
    active = BooleanField("Team is active", default=True)

"""Administrators' forms: users, services, teams, case categories."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, ValidationError

from core.inputs import whole_number
from core.models import Role
from core.oidc import local_passwords
from core.password_policy import MIN_LENGTH, password_problem

MIN_PASSWORD_LENGTH = MIN_LENGTH


def _int_or_none(value: object) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return whole_number(str(value))


def _offered(field: SelectField) -> bool:
    """Whether the id sent is one the page offered: a tampered id names nothing."""
    offered = {
        str(choice.value if isinstance(choice, SelectChoice) else choice[0])
        for choice in field.choices or []
    }
    return str(field.data) in offered


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
        if field.data is not None and not _offered(field):
            raise ValidationError("Choose a team from the list")

    def validate_service(self, field: SelectField) -> None:
        role = Role(self.role.data) if self.role.data in {r.value for r in Role} else None
        if role is not None and role.needs_service and field.data is None:
            raise ValidationError("Choose the service this service manager manages")
        if field.data is not None and not _offered(field):
            raise ValidationError("Choose a service from the list")

    def validate_password(self, field: PasswordField) -> None:
        if not local_passwords():
            return  # not shown, and never used: people sign in through the identity provider
        if self.creating and not field.data:
            raise ValidationError("Enter a password")
        if field.data:
            problem = password_problem(
                field.data, email=self.email.data or "", name=self.name.data or ""
            )
            if problem:
                raise ValidationError(problem)


class ServiceForm(FlaskForm):
    name = StringField(
        "Service name",
        validators=[InputRequired(message="Enter the name of the service"), Length(max=120)],
    )
    directorate = SelectField("Directorate", coerce=_int_or_none, validate_choice=False)
    active = BooleanField("Service is in scope of the audit framework", default=True)

    def validate_directorate(self, field: SelectField) -> None:
        if field.data is None or not _offered(field):
            raise ValidationError("Choose the directorate")


class TeamForm(FlaskForm):
    name = StringField(
        "Team name",
        validators=[InputRequired(message="Enter the name of the team"), Length(max=120)],
    )
    active = BooleanField("Team is active", default=True)


# -- case categories ------------------------------------------------------------

#: A category code: what imports' value mappings and tools refer to, so plain.
CODE_PATTERN = re.compile(r"[a-z0-9_]+")
CODE_MAX_LENGTH = 40
MIN_RISK_WEIGHT = Decimal("0.1")
MAX_RISK_WEIGHT = Decimal("10")
# ASCII digits only: "²" or other scripts' digits are not a weight anyone means.
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def code_from_label(label: str) -> str:
    """The code suggested for a new category: "Private fostering" -> ``private_fostering``."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:CODE_MAX_LENGTH].strip("_")


def parse_risk_weight(text: str) -> float:
    """A risk weight from what was typed, or :class:`ValidationError` saying what to enter."""
    text = text.strip()
    if not text:
        raise ValidationError("Enter a risk weight, like 1 for an ordinary category")
    if not _DECIMAL.fullmatch(text):
        raise ValidationError("Enter the risk weight as a number, like 2 or 1.5")
    # Decimal, not float: 5,000 typed digits stay exact and never become infinity.
    value = Decimal(text)
    if value < MIN_RISK_WEIGHT:
        raise ValidationError(f"The risk weight must be {MIN_RISK_WEIGHT} or more")
    if value > MAX_RISK_WEIGHT:
        raise ValidationError(f"The risk weight must be {MAX_RISK_WEIGHT} or less")
    return float(value)


class CategoryForm(FlaskForm):
    """A case category of one directorate. ``code`` is only on the form that creates one."""

    label = StringField(
        "Name",
        description="As staff know it, for example Early help.",
        validators=[
            InputRequired(message="Enter the name of the category"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    code = StringField(
        "Code",
        description="Lower-case letters, digits and underscores, for example early_help. "
        "Leave it blank to make one from the name. The code cannot be changed once the "
        "category is created, because imports and audit tools refer to it.",
    )
    treat_as = SelectField("Audit tools treat it as", validate_choice=False)
    risk_weight = StringField(
        "Risk weight",
        description="How likely a case of this category is to be chosen for audit: 1 is "
        "ordinary, 2 twice as likely, 0.5 half as likely. From 0.1 to 10.",
    )
    active = BooleanField("In use: the case import accepts it", default=True)

    def validate_code(self, field: StringField) -> None:
        code = (field.data or "").strip()
        if code and not CODE_PATTERN.fullmatch(code):
            raise ValidationError(
                "The code must contain only lower-case letters, digits and underscores, "
                "like early_help"
            )
        if len(code) > CODE_MAX_LENGTH:
            raise ValidationError(f"The code must be {CODE_MAX_LENGTH} characters or fewer")

    def validate_treat_as(self, field: SelectField) -> None:
        if (field.data or "") not in {str(choice.value) for choice in field.choices or []}:
            raise ValidationError("Choose what the audit tools treat this category as, or None")

    def validate_risk_weight(self, field: StringField) -> None:
        parse_risk_weight(field.data or "")

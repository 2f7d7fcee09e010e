"""The two-step verification forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import InputRequired, Length


class CodeForm(FlaskForm):
    """A code from the app (or, at sign-in, a recovery code)."""

    code = StringField(
        "Code",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the 6-digit code from your authenticator app"),
            Length(max=40, message="Enter the 6-digit code from your authenticator app"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SignInCodeForm(CodeForm):
    remember = BooleanField(
        "Do not ask for a code on this device for 12 hours", widget=GovCheckboxInput()
    )


class ConfirmForm(FlaskForm):
    """A button that needs nothing typed (the CSRF token is the form)."""

    submit = SubmitField("Continue", widget=GovSubmitInput())

"""The log-in, password and language forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from ..forms import ChoiceField
from ..i18n import LANGUAGES
from .passwords import MAX_LENGTH, MIN_LENGTH


class LoginForm(FlaskForm):
    email = StringField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True, "type": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


def new_password_validators():
    """The rules every new password follows."""
    return [
        InputRequired(_l("Enter a new password.")),
        Length(
            min=MIN_LENGTH,
            max=MAX_LENGTH,
            message=_l("The password must be %(min)d to %(max)d characters long."),
        ),
    ]


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=new_password_validators(),
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 12 characters. A few unrelated words make a good one."),
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two new passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_new_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password other than the current one."))


def code_field(label, description, **attributes):
    """A six-digit code from the app (or, at log-in, a recovery code)."""
    return StringField(
        label,
        validators=[InputRequired(_l("Enter the code.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", **attributes},
        description=description,
    )


class SecondStepForm(FlaskForm):
    code = code_field(
        _l("Code"),
        _l("The six digits your authenticator app shows now, or one of your recovery codes."),
        autofocus=True,
    )


class EnrolForm(FlaskForm):
    code = code_field(
        _l("Code from the app"), _l("The six digits the app shows now."), inputmode="numeric"
    )


class TurnOffForm(FlaskForm):
    """Turning the second factor off: a button with its CSRF token."""


class LanguageForm(FlaskForm):
    language = ChoiceField(
        _l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()]
    )
    next = HiddenField()

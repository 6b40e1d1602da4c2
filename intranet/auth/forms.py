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


def enrolment_code_field(**attributes):
    """The one-time code an administrator handed over with the account."""
    return StringField(
        _l("Enrolment code"),
        validators=[InputRequired(_l("Enter the enrolment code.")), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false", **attributes},
        description=_l(
            "Twelve letters and digits from your administrator, given with your password."
        ),
    )


class EnrolmentCodeForm(FlaskForm):
    """At log-in, before setting up a second factor: the administrator's enrolment code."""

    enrolment_code = enrolment_code_field(autofocus=True)


class IdentityForm(FlaskForm):
    """Before a second factor changes (set up anew, turned off): the password, a current
    code where there is a second factor, the enrolment code where one is owed. The view
    leaves out the fields ``services.asks_for`` does not ask for."""

    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    code = code_field(
        _l("Code"),
        _l("The six digits your authenticator app shows now, or one of your recovery codes."),
    )
    enrolment_code = enrolment_code_field()

    def __init__(self, *args, asks_for=frozenset({"password"}), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("password", "code", "enrolment_code"):
            if name not in asks_for:
                del self[name]

    def given(self) -> dict:
        """What the person typed, by the names ``services.prove_identity`` takes."""
        return {
            name: self[name].data for name in ("password", "code", "enrolment_code") if name in self
        }


class EnrolForm(FlaskForm):
    code = code_field(
        _l("Code from the app"), _l("The six digits the app shows now."), inputmode="numeric"
    )


class TurnOffForm(IdentityForm):
    """Turning the second factor off: the password and a current code."""


class LanguageForm(FlaskForm):
    language = ChoiceField(
        _l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()]
    )
    next = HiddenField()

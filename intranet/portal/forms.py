"""The portal's forms: a case, a reply, an offered flat, an invitation and its acceptance."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, TextAreaField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    ValidationError,
)

from .. import clock
from ..auth.forms import new_password_validators
from ..flats.forms import FlatFactsForm, rent_field
from ..forms import ChoiceField, choices, confirm_field, date_field, email_field, name_field
from .labels import CASE_KIND_LABELS

MAX_TEXT = 5000


def _message(label, rows: int) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            DataRequired(_l("Write something.")),
            Length(max=MAX_TEXT, message=_l("Keep it under 5,000 characters.")),
        ],
        render_kw={"rows": rows},
    )


class CaseForm(FlaskForm):
    kind = ChoiceField(_l("What it is about"))
    text = _message(_l("Describe it"), rows=4)
    # Shown to the unit's people when their text seems to hold personal data.
    send_anyway = BooleanField(_l("Send anyway: the landlord may read this"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(CASE_KIND_LABELS)


class ReplyForm(FlaskForm):
    text = _message(_l("Reply"), rows=3)
    send_anyway = BooleanField(_l("Send anyway: the landlord may read this"))


class OfferForm(FlatFactsForm):
    rent = rent_field(_l("Monthly rent"))
    available_from = date_field(_l("Available from"), required=True)

    def validate_available_from(self, field):
        if field.data and field.data < clock.today():
            raise ValidationError(_l("The date cannot be in the past."))


class InviteForm(FlaskForm):
    display_name = name_field()
    email = email_field(required=True)


class AcceptForm(FlaskForm):
    password = PasswordField(
        _l("Choose a password"),
        validators=new_password_validators(),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(_l("Repeat the new password.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class CloseCaseForm(FlaskForm):
    """Closing a case: the landlord sees it closed, so the box says it is meant."""

    confirmed = confirm_field(_l("Yes, the case is dealt with: close it"))

"""The portal's forms: a case, a reply, an offered flat, an invitation and its acceptance,
and the landlord's answer to a request to take over a lease."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, TextAreaField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from .. import clock
from ..auth.forms import new_password_validators
from ..flats.forms import FlatFactsForm, rent_field
from ..forms import ChoiceField, choices, confirm_field, date_field, email_field, name_field
from ..road.labels import ANSWER_LABELS
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


class LeaseAnswerForm(FlaskForm):
    """The landlord's answer to a request to take over a lease. Which answers there are and
    which day each needs are the road's rules (``road.services.answer``): the form offers
    the answers and hands on what was sent."""

    # Nothing is chosen until the landlord chooses; a value that is no answer is refused by
    # the service, beside this field.
    answer = RadioField(
        _l("May the resident take over the lease?"),
        validators=[InputRequired(_l("Choose the answer."))],
        validate_choice=False,
    )
    answer_on = date_field(
        _l("The day"),
        description=_l(
            "For yes: the day the resident takes over the lease. "
            "For later: the day the unit may ask again."
        ),
    )
    note = TextAreaField(
        _l("Note to the unit"),
        validators=[
            Optional(),
            Length(max=MAX_TEXT, message=_l("Keep it under 5,000 characters.")),
        ],
        render_kw={"rows": 3},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer.choices = choices(ANSWER_LABELS)

"""The portal's forms: a case, a reply, an offered flat, an invitation and its acceptance."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from .. import clock
from ..auth.forms import new_password_validators
from ..forms import AmountField, ChoiceField
from .labels import CASE_KIND_LABELS

MAX_TEXT = 5000


class CaseForm(FlaskForm):
    kind = ChoiceField(_l("What it is about"))
    text = TextAreaField(
        _l("Describe it"),
        validators=[
            DataRequired(_l("Write something.")),
            Length(max=MAX_TEXT, message=_l("Keep it under 5,000 characters.")),
        ],
        render_kw={"rows": 4},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(code, label) for code, label in CASE_KIND_LABELS.items()]


class ReplyForm(FlaskForm):
    text = TextAreaField(
        _l("Reply"),
        validators=[
            DataRequired(_l("Write something.")),
            Length(max=MAX_TEXT, message=_l("Keep it under 5,000 characters.")),
        ],
        render_kw={"rows": 3},
    )


class OfferForm(FlaskForm):
    address = StringField(
        _l("Address"), validators=[DataRequired(_l("Enter the address.")), Length(max=200)]
    )
    district = StringField(_l("District"), validators=[Length(max=100)])
    rooms = IntegerField(
        _l("Rooms"),
        validators=[
            InputRequired(_l("Enter the rooms.")),
            NumberRange(min=1, max=10, message=_l("Enter 1 to 10 rooms.")),
        ],
    )
    size_m2 = AmountField(
        _l("Size in m²"),
        places=1,
        validators=[
            InputRequired(_l("Enter the size.")),
            NumberRange(min=10, max=300, message=_l("Enter 10 to 300 m².")),
        ],
    )
    rent = AmountField(
        _l("Monthly rent"),
        places=2,
        validators=[
            InputRequired(_l("Enter the rent.")),
            NumberRange(
                min=0.01, max=50000, message=_l("Enter a rent above 0 and at most 50 000 kr.")
            ),
        ],
    )
    available_from = DateField(
        _l("Available from"),
        validators=[InputRequired(_l("Enter the date."))],
        render_kw={"type": "date"},
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)], render_kw={"rows": 2})

    def validate_available_from(self, field):
        if field.data and field.data < clock.today():
            raise ValidationError(_l("The date cannot be in the past."))


class InviteForm(FlaskForm):
    display_name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)]
    )
    email = StringField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter an email address.")),
            Length(max=254),
            Email(_l("Enter a valid email address."), check_deliverability=False),
        ],
        render_kw={"type": "email"},
    )


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

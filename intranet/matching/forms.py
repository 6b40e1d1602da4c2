"""The matching forms: propose, the match's steps and the move-in."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..forms import (
    AmountField,
    ChoiceField,
    WholeNumberField,
    counter_field,
    date_field,
    id_field,
)
from ..models import Role, User
from .labels import DECLINE_REASON_LABELS, RENT_PAYER_LABELS, SIDE_LABELS


def _choices(labels):
    return [SelectChoice(code, label) for code, label in labels.items()]


class WithinForm(FlaskForm):
    class Meta:
        csrf = False

    within = WholeNumberField(
        _l("Include flats free within (days)"),
        default=14,
        validators=[Optional(), NumberRange(min=0, max=180, message=_l("Enter 0 to 180 days."))],
    )
    flat = id_field(required=False)
    referral = id_field(required=False)
    # How many of the ranking to show: a page at first, more at each "show more".
    shown = IntegerField(validators=[Optional(), NumberRange(min=1, max=2000)])


class ProposeForm(FlaskForm):
    flat_id = id_field()
    referral_id = id_field()
    passed_over_reason = StringField(
        _l("Why not the top-ranked person?"), validators=[Length(max=1000)]
    )


class AdvanceForm(FlaskForm):
    from_status = HiddenField(validators=[InputRequired()])
    move_in_date = DateField(
        _l("Move-in date"), validators=[Optional()], render_kw={"type": "date"}
    )


class DeclineForm(FlaskForm):
    from_status = HiddenField(validators=[InputRequired()])
    side = ChoiceField(_l("Who declined"))
    reason = ChoiceField(_l("Reason"))
    note = StringField(_l("More about it"), validators=[Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.side.choices = _choices(SIDE_LABELS)
        self.reason.choices = _choices(DECLINE_REASON_LABELS)


class MoveInForm(FlaskForm):
    contact_person = ChoiceField(_l("Contact person"), coerce=int)
    rent = AmountField(
        _l("Monthly rent for the resident"),
        places=2,
        validators=[
            InputRequired(_l("Enter the rent.")),
            NumberRange(min=1, max=50000, message=_l("Enter a rent from 1 to 50 000 kr.")),
        ],
    )
    rent_payer = ChoiceField(_l("Who pays the rent"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_person.choices = [
            SelectChoice(u.id, u.display_name)
            for u in User.select()
            .where(User.role.in_([Role.MANAGER, Role.STAFF]) & (User.active == True))  # noqa: E712
            .order_by(User.display_name)
        ]
        self.rent_payer.choices = _choices(RENT_PAYER_LABELS)


class MoveInDateForm(FlaskForm):
    """Change an accepted match's agreed move-in day, with the reason."""

    revision = counter_field()
    move_in_date = date_field(_l("New move-in date"), required=True)
    reason = StringField(
        _l("Why the day changes"),
        validators=[InputRequired(_l("Say why the move-in day changes.")), Length(max=1000)],
    )

"""The road's forms: the step, a condition's mark, consent and harm, the request to the
landlord, the lease handed over, and the unit's settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..forms import (
    ChoiceField,
    RevisionForm,
    WholeNumberField,
    choices,
    confirm_field,
    date_field,
)
from ..models import InventoryLeft, RoadCondition, RoadStep
from ..rent import rules
from .labels import CONDITION_LABELS, INVENTORY_LABELS, STATE_LABELS, STEP_LABELS
from .services import MAX_TEXT, asks_landlord

NOTE = _l("Note")


def _note(form: str, label=NOTE):
    """A note; its id names its form, since the resident's page holds several."""
    return TextAreaField(
        label, validators=[Length(max=MAX_TEXT)], render_kw={"rows": 2}, id=f"{form}-note"
    )


class StepForm(RevisionForm):
    """The next step and the month it is aimed at; nothing is chosen for the person."""

    step = ChoiceField(_l("Next step"), validators=[DataRequired(_l("Choose the next step."))])
    target_month = StringField(
        _l("Target month"),
        validators=[Optional()],
        render_kw={"type": "month", "placeholder": "2027-06"},
        description=_l("Year and month, for example 2027-06."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.step.choices = [SelectChoice("", _l("Choose…"))] + choices(STEP_LABELS)

    note = _note("step", _l("The plan"))

    def validate_target_month(self, field):
        if field.data and rules.parse_month(field.data.strip()) is None:
            raise ValidationError(_l("Write the month as year and month, for example 2027-06."))

    def month(self):
        """The target month as a date (its 1st), or None."""
        text = (self.target_month.data or "").strip()
        return rules.parse_month(text) if text else None


class MarkForm(FlaskForm):
    """A condition people decide, marked with its new state and the day it holds from."""

    condition = ChoiceField(_l("Condition"), validators=[DataRequired(_l("Choose the state."))])
    state = ChoiceField(_l("State"), validators=[DataRequired(_l("Choose the state."))])
    on_date = date_field(_l("From the day"), required=True)
    note = _note("mark")

    def __init__(self, *args, condition: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        codes = [condition] if condition else list(RoadCondition.MARKED)
        self.condition.choices = choices(CONDITION_LABELS, codes)
        states = [s for code in codes for s in RoadCondition.MARKED[code]]
        self.state.choices = [SelectChoice("", _l("Choose…"))] + choices(STATE_LABELS, states)


class ConsentForm(FlaskForm):
    given_on = date_field(_l("The resident gave their consent on"), required=True)
    confirmed = confirm_field(
        _l(
            "The resident agrees that the landlord is told their name, when they moved in, "
            "their months in the flat and paid on time, their rent debt and our recommendation"
        ),
        id="consent-confirmed",
    )


class HarmForm(FlaskForm):
    note = TextAreaField(
        _l("Why telling the landlord does the resident no harm"),
        validators=[DataRequired(_l("Write something.")), Length(max=MAX_TEXT)],
        render_kw={"rows": 3},
        id="harm-note",
    )


class WithdrawForm(FlaskForm):
    note = _note("withdraw")
    confirmed = confirm_field(
        _l("The resident withdraws their consent: take every request out of the portal"),
        id="withdraw-confirmed",
    )


class AskForm(FlaskForm):
    recommendation = TextAreaField(
        _l("The unit's recommendation, as the landlord will read it"),
        validators=[DataRequired(_l("Write something.")), Length(max=MAX_TEXT)],
        render_kw={"rows": 4},
    )
    confirmed = confirm_field(
        _l("Send the request with these facts to the landlord"), id="ask-confirmed"
    )


class TransferForm(FlaskForm):
    """The lease handed over: what became of the inventory, how the money is settled."""

    inventory = ChoiceField(
        _l("The unit's furniture and inventory in the flat"),
        validators=[DataRequired(_l("Say what became of the unit's furniture and inventory."))],
    )
    inventory_note = _note("inventory", _l("What, and for how much if sold"))
    money_note = _note("money", _l("How the rent debt or credit is settled"))
    confirmed = confirm_field(
        _l("The resident has taken over the lease: end the tenancy and let the flat go")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inventory.choices = [SelectChoice("", _l("Choose…"))] + choices(
            INVENTORY_LABELS, InventoryLeft.ALL
        )


class SettingsForm(FlaskForm):
    """The conditions of every step: a box for each, and the months for those in months.
    The fields are made per step and condition (``field_name``)."""


MONTHS_RANGE = _l("Give a number of months from 1 to 120.")


def field_name(step: str, condition: str, months: bool = False) -> str:
    return f"{step}-{condition}{'-months' if months else ''}"


def _settings_fields():
    for step in RoadStep.ON_THE_ROAD:
        for condition in RoadCondition.ALL:
            if condition == RoadCondition.LANDLORD_ANSWER and not asks_landlord(step):
                continue
            setattr(
                SettingsForm, field_name(step, condition), BooleanField(CONDITION_LABELS[condition])
            )
            if condition in RoadCondition.IN_MONTHS:
                setattr(
                    SettingsForm,
                    field_name(step, condition, True),
                    WholeNumberField(
                        _l("Months"),
                        validators=[
                            Optional(),
                            NumberRange(min=1, max=120, message=MONTHS_RANGE),
                        ],
                    ),
                )


_settings_fields()


def settings_chosen(form: SettingsForm) -> dict:
    """What the settings form says: each step's conditions with their months."""
    chosen = {}
    for step in RoadStep.ON_THE_ROAD:
        chosen[step] = {}
        for condition in RoadCondition.ALL:
            box = getattr(form, field_name(step, condition), None)
            if box is not None and box.data:
                months = getattr(form, field_name(step, condition, True), None)
                value = months.data if months is not None else None
                chosen[step][condition] = int(value) if value is not None else None
    return chosen


def settings_form(requirements: dict) -> SettingsForm:
    """The settings form, filled from the unit's settings."""
    data = {}
    for step, conditions in requirements.items():
        for condition in RoadCondition.ALL:
            data[field_name(step, condition)] = condition in conditions
            if condition in RoadCondition.IN_MONTHS:
                data[field_name(step, condition, True)] = conditions.get(condition) or 12
    return SettingsForm(formdata=None, data=data)

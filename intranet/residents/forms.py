"""A resident's forms: the notice, the move-out, and on their rent page a repayment plan,
the notice to the commissioner and rent money."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import MAX_SUM, ChoiceField, choices, confirm_field, sum_field
from .labels import OUTCOME_LABELS


def _date(label):
    return DateField(
        label, validators=[InputRequired(_l("Enter the date."))], render_kw={"type": "date"}
    )


class ResidentFilterForm(FlaskForm):
    """The residents list's filter, read from the address."""

    class Meta:
        csrf = False

    contact = ChoiceField(_l("Contact person"), coerce=int, default=0)

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contact.choices = [SelectChoice(0, _l("Everyone"))] + [
            SelectChoice(u.id, u.display_name) for u in contacts
        ]


class NoticeForm(FlaskForm):
    move_out_date = _date(_l("Planned move-out date"))


class MoveOutForm(FlaskForm):
    """Ending a tenancy: nothing is chosen for the person, and the box says it is meant."""

    end_date = _date(_l("Moved out on"))
    outcome = ChoiceField(_l("Outcome"), validators=[DataRequired(_l("Choose the outcome."))])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)], render_kw={"rows": 2})
    confirmed = confirm_field(_l("Yes, the resident has moved out: end the tenancy"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [SelectChoice("", _l("Choose…"))] + choices(OUTCOME_LABELS)


class PlanForm(FlaskForm):
    months = SelectMultipleField(
        _l("The months whose debt the plan takes over"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Choose the months the plan is for."))],
    )
    instalments = TextAreaField(
        _l("Instalments"),
        validators=[DataRequired(_l("Give at least one instalment.")), Length(max=2000)],
        description=_l("One a line: date and amount, for example 2027-04-25 1000"),
        render_kw={"rows": 4},
    )
    note = StringField(_l("Note"), validators=[Length(max=1000)])

    def parsed(self):
        """The instalments as [(date, amount)], or a ValueError saying which line is wrong."""
        result = []
        for number, line in enumerate((self.instalments.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                day = dt.date.fromisoformat(parts[0])
                amount = Decimal(parts[1].replace(",", "."))
            except (IndexError, ValueError, InvalidOperation) as error:
                raise ValueError(number) from error
            if not amount.is_finite() or abs(amount) > MAX_SUM:
                raise ValueError(number)
            result.append((day, amount))
        return result


class CommissionerNoticeForm(FlaskForm):
    text = TextAreaField(
        _l("The notice"),
        validators=[DataRequired(_l("Write something.")), Length(max=5000)],
        render_kw={"rows": 10},
    )
    sent_on = _date(_l("Sent on"))


class RentMoneyForm(FlaskForm):
    paid_on = _date(_l("Paid on"))
    amount = sum_field(_l("Amount"))


CREDIT = "credit"


class MoveMoneyForm(FlaskForm):
    """The manager moves money between a resident's months, or to and from their credit."""

    from_month = ChoiceField(_l("Move money from"))
    to_month = ChoiceField(_l("to"))
    amount = sum_field(_l("Amount"))
    reason = StringField(
        _l("Why"),
        validators=[DataRequired(_l("Say why the money is moved.")), Length(max=500)],
    )

    def charge_of(self, field) -> int | None:
        """The month chosen in ``field`` as its charge id; None for the credit."""
        return None if field.data == CREDIT else int(field.data)

"""The rent board's forms: month and filters, a payment, a reversal, a checkpoint."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..forms import AmountField, ChoiceField
from ..models import PaymentMethod
from .labels import METHOD_LABELS, STATUS_LABELS


class PaymentForm(FlaskForm):
    paid_on = DateField(
        _l("Paid on"), validators=[InputRequired(_l("Enter the date."))], render_kw={"type": "date"}
    )
    amount = AmountField(
        _l("Amount"), places=2, validators=[InputRequired(_l("Enter the amount."))]
    )
    method = ChoiceField(_l("Method"))
    request_key = HiddenField(validators=[DataRequired(), Length(max=64)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = [
            SelectChoice(code, METHOD_LABELS[code]) for code in PaymentMethod.ALL
        ]


class ReverseForm(FlaskForm):
    reason = StringField(
        _l("Why it is reversed"),
        validators=[DataRequired(_l("Say why the payment is reversed.")), Length(max=500)],
    )


class CheckpointForm(FlaskForm):
    note = TextAreaField(
        _l("How things are, why the rent is unpaid"),
        validators=[Length(max=2000)],
        render_kw={"rows": 2},
    )
    plan = TextAreaField(
        _l("The plan agreed"), validators=[Length(max=2000)], render_kw={"rows": 2}
    )


class BoardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    month = StringField(_l("Month"))
    contact = ChoiceField(_l("Contact person"), coerce=int, default=0)
    status = ChoiceField(_l("Status"), default="")
    action_today = BooleanField(_l("Only those needing action today"))

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contact.choices = [SelectChoice(0, _l("Everyone"))] + [
            SelectChoice(u.id, u.display_name) for u in contacts
        ]
        self.status.choices = [SelectChoice("", _l("All statuses"))] + [
            SelectChoice(code, label) for code, label in STATUS_LABELS.items()
        ]


class PlanForm(FlaskForm):
    debt = AmountField(_l("Debt"), places=2, validators=[InputRequired(_l("Enter the amount."))])
    instalments = TextAreaField(
        _l("Instalments"),
        validators=[DataRequired(_l("Give at least one instalment.")), Length(max=2000)],
        description=_l("One a line: date and amount, for example 2027-04-25 1000"),
        render_kw={"rows": 4},
    )
    note = StringField(_l("Note"), validators=[Length(max=1000)])

    def parsed(self):
        """The instalments as [(date, amount)], or a ValueError saying which line is wrong."""
        import datetime as dt
        from decimal import Decimal, InvalidOperation

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
            result.append((day, amount))
        return result


class NoticeForm(FlaskForm):
    text = TextAreaField(
        _l("The notice"),
        validators=[DataRequired(_l("Write something.")), Length(max=5000)],
        render_kw={"rows": 10},
    )
    sent_on = DateField(
        _l("Sent on"), validators=[InputRequired(_l("Enter the date."))], render_kw={"type": "date"}
    )


class RentMoneyForm(FlaskForm):
    paid_on = DateField(
        _l("Paid on"), validators=[InputRequired(_l("Enter the date."))], render_kw={"type": "date"}
    )
    amount = AmountField(
        _l("Amount"), places=2, validators=[InputRequired(_l("Enter the amount."))]
    )

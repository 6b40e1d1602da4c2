"""A resident's forms: the notice, the move-out, and on their rent page a repayment plan,
the notice to the commissioner and rent money."""

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import MAX_SUM, ChoiceField, ContactPersonFilter, choices, confirm_field, sum_field
from ..numbers import NOT_A_NUMBER, NumberError, parse_number
from .labels import OUTCOME_LABELS, TRANSFER


def _date(label):
    return DateField(
        label, validators=[InputRequired(_l("Enter the date."))], render_kw={"type": "date"}
    )


class ResidentFilterForm(ContactPersonFilter, FlaskForm):
    """The residents list's filter, read from the address."""

    class Meta:
        csrf = False


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
        self.outcome.choices = [SelectChoice("", _l("Choose…"))] + choices(
            {code: label for code, label in OUTCOME_LABELS.items() if code != TRANSFER}
        )


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

    def validate_instalments(self, field):
        try:
            self.parsed()
        except InstalmentLineError as error:
            raise ValidationError(error.message) from None

    def parsed(self):
        """The instalments as [(date, amount)], or an ``InstalmentLineError`` (a ValueError
        whose first argument is the line's number) saying which line is wrong and why.

        The amount is read as every amount field reads one, so "2027-04-25 4 850,50 kr"
        is a date and an amount."""
        result = []
        for number, line in enumerate((self.instalments.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            day_text, *rest = line.split(None, 1)
            try:
                day = dt.date.fromisoformat(day_text)
            except ValueError as error:
                raise InstalmentLineError(number) from error
            if not rest:
                raise InstalmentLineError(number)
            try:
                amount = parse_number(rest[0], places=2, unit="kr")
            except NumberError as error:
                # What is no number at all keeps the plain message; a number written in a
                # way that could be misread gets the reader's own, which shows how to write it.
                problem = None if error.message is NOT_A_NUMBER else error.message
                raise InstalmentLineError(number, problem) from error
            if abs(amount) > MAX_SUM:
                raise InstalmentLineError(number)
            result.append((day, amount))
        return result


class InstalmentLineError(ValueError):
    """A line of a repayment plan that is not a date and an amount; ``args[0]`` is its
    number, and ``message`` says what is wrong on it."""

    def __init__(self, line: int, problem=None):
        super().__init__(line)
        self.message = (
            _l("Line %(line)s: %(problem)s", line=line, problem=problem)
            if problem is not None
            else _l("Line %(line)s is not a date and an amount.", line=line)
        )


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

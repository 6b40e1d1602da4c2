"""The rent board's forms: month and filters, a payment, a reversal, a checkpoint, the
printed notices' and reminders' filters and "Reminders sent"; a bank file, its
confirmation and assigning a payment by hand."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, DateField, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from ..bank.files import MAX_FILE_BYTES
from ..forms import DAMAGED, ChoiceField, ContactPersonFilter, confirm_field, id_field, sum_field
from ..models import PaymentMethod
from .labels import METHOD_LABELS, STATUS_LABELS


class PaymentForm(FlaskForm):
    paid_on = DateField(
        _l("Paid on"), validators=[InputRequired(_l("Enter the date."))], render_kw={"type": "date"}
    )
    amount = sum_field(_l("Amount"))
    method = ChoiceField(_l("Method"))
    request_key = HiddenField(validators=[DataRequired(), Length(max=64)])
    # Ticked when the person has been asked about a payment of more than three months' rent.
    confirmed = BooleanField(_l("Yes, register this amount"))
    asks_to_confirm = False  # set when the service asked

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
    confirmed = confirm_field(_l("Yes, reverse this payment"))


class CheckpointForm(FlaskForm):
    note = TextAreaField(
        _l("How things are, why the rent is unpaid"),
        validators=[Length(max=2000)],
        render_kw={"rows": 2},
    )
    plan = TextAreaField(
        _l("The plan agreed"), validators=[Length(max=2000)], render_kw={"rows": 2}
    )


class OpenMonthForm(FlaskForm):
    """The board's "open the month now" button: a token and nothing else."""


class BoardFilterForm(ContactPersonFilter, FlaskForm):
    class Meta:
        csrf = False

    month = StringField(_l("Month"))
    status = ChoiceField(_l("Status"), default="")
    action_today = BooleanField(_l("Only those needing action today"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice("", _l("All statuses"))] + [
            SelectChoice(code, label) for code, label in STATUS_LABELS.items()
        ]


class PrintFilterForm(FlaskForm):
    """The month and contact person of the printed notices and reminders, from the address."""

    class Meta:
        csrf = False

    month = StringField(_l("Month"))
    contact = ChoiceField(_l("Contact person"), coerce=int, default=0)

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contact.choices = [SelectChoice(0, _l("Everyone"))] + [
            SelectChoice(u.id, u.display_name) for u in contacts
        ]


class RemindersSentForm(FlaskForm):
    """The "Reminders sent" button: the contact person whose residents' letters were printed
    (none for everyone's), and the page to go back to."""

    contact = id_field(required=False)
    back = HiddenField(validators=[Optional(), AnyOf(("board", "reminders"), message=DAMAGED)])


class BankFileForm(FlaskForm):
    """A bank file to read: BgMax or camt.054, at most 10 MB."""

    file = FileField(
        _l("Bank file (BgMax or camt.054)"),
        validators=[
            FileRequired(_l("Choose the bank's file.")),
            FileSize(MAX_FILE_BYTES, message=_l("The file is larger than 10 MB.")),
        ],
    )


class ConfirmImportForm(FlaskForm):
    """The preview's "register the payments" button: a token and nothing else."""


class DiscardImportForm(FlaskForm):
    """Put a preview away, with why: nothing of it is registered."""

    reason = TextAreaField(
        _l("Why discard the file"),
        validators=[DataRequired(_l("Say why the file is discarded.")), Length(max=2000)],
    )


class SetAsideForm(FlaskForm):
    """Set aside an unmatched payment that is not rent, with why."""

    reason = StringField(
        _l("Not rent, because"),
        validators=[DataRequired(_l("Say why this payment is not rent.")), Length(max=500)],
    )


class AssignForm(FlaskForm):
    """Assign an unmatched payment to a resident by hand: one of those suggested, or anyone
    by their payment reference (a list of every resident would not fit a city's page)."""

    tenancy = ChoiceField(_l("Assign to"), coerce=int, default=0)
    reference = StringField(
        _l("or their payment reference (OCR)"),
        validators=[Optional(), Length(max=25)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tenancy.choices = [SelectChoice(0, _l("Choose a resident"))] + [
            SelectChoice(t.id, f"{t.referral.last_name}, {t.referral.first_name}")
            for t in residents
        ]
        self.by_reference = {t.payment_reference: t.id for t in residents}

    def chosen(self) -> int | None:
        """The tenancy chosen in the select or named by its reference, or None."""
        if self.tenancy.data:
            return self.tenancy.data
        reference = (self.reference.data or "").strip()
        return self.by_reference.get(reference) if reference else None

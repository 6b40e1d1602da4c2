"""Form pieces every area shares."""

import re
from decimal import Decimal

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextInput

from .database import MAX_INTEGER
from .i18n import DEFAULT_LANGUAGE
from .numbers import NumberError, parse_number


def for_input(value, places: int | None = 2) -> str:
    """A number as a box shows it for typing: no thousands spaces, the page language's
    decimal mark ("54,5" on a Swedish page), ``places`` decimals (as it is for None); empty
    for None. Every prefilled number box writes its value so (the ``for_input`` filter)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    return f"{number:f}".replace(".", get_decimal_symbol(get_locale() or DEFAULT_LANGUAGE))


def is_number(text) -> bool:
    """Whether ``text`` is a whole number written with the digits 0 to 9 (``str.isdigit``
    also says yes to "²" and other digits ``int`` cannot read)."""
    return bool(re.fullmatch(r"[0-9]+", str(text or "")))


# The largest sum the unit registers in one go (a payment, a debt, rent money), well inside
# what the database's amount columns hold.
MAX_SUM = 1_000_000


def sum_field(label):
    """An amount in kronor up to ``MAX_SUM``; "7 300,50" is read as Swedes write it."""
    return AmountField(
        label,
        places=2,
        validators=[
            InputRequired(_l("Enter the amount.")),
            NumberRange(max=MAX_SUM, message=_l("Enter at most 1 000 000 kr.")),
        ],
    )


class ChoiceField(SelectField):
    """A select whose every wrong value, unknown or malformed, gets one plain message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_choice_message = _l("Choose one of the options.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.invalid_choice_message) from error


class NumberField(Field):
    """A number a person types: a text box (a browser's number box reads the browser's
    language, not the page's, and has spin arrows), read by ``numbers.parse_number``.

    ``places`` is how many decimals it takes, ``unit`` ("kr", "%", "m²") may follow the
    number; ``signed`` keeps the phone's ordinary keyboard, whose minus sign the number pads
    of some phones lack. The data is a Decimal.
    """

    widget = TextInput()
    whole = False

    def __init__(
        self,
        label=None,
        validators=None,
        places: int | None = None,
        unit: str | None = None,
        signed: bool = False,
        invalid=None,
        **kwargs,
    ):
        render_kw = {"autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        if not signed:
            render_kw.setdefault("inputmode", "numeric" if self.whole else "decimal")
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.places = 0 if self.whole else places
        self.unit = unit
        self.invalid = invalid

    def parse(self, text: str):
        """The value ``text`` says; a ``NumberError`` says why not."""
        return parse_number(text, self.places, self.whole, self.unit, self.invalid)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        if not valuelist[0].strip():
            self.raw_data = [""]  # blank is missing: InputRequired or Optional says so
            return
        try:
            self.data = self.parse(valuelist[0])
        except NumberError as error:
            raise ValueError(error.message) from None

    def pre_validate(self, form):
        # What could not be read has its message; a range message beside it would only
        # repeat that it is wrong.
        if self.process_errors:
            raise StopValidation()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]  # what was typed comes back as it was typed
        if self.data is None:
            return ""
        return self.written(self.data)

    def written(self, value) -> str:
        """``value`` as the box shows it (``for_input``), with the field's decimals."""
        return for_input(value, self.places)


class WholeNumberField(NumberField):
    """A whole number a person types (rooms, a floor, keys, months); the data is an int."""

    whole = True

    def parse(self, text: str) -> int | Decimal:
        value = super().parse(text)
        # NumberRange cannot compare an int beyond what a float holds (an OverflowError, so a
        # 500); such a number stays a Decimal, which it compares and refuses.
        return int(value) if abs(value) <= 2**53 else value

    def written(self, value) -> str:
        return str(int(value))


class AmountField(NumberField):
    """An amount in kronor as Swedes write it: "7 300", "7300,50", "4 850 kr" or "54.5"."""

    def __init__(self, label=None, validators=None, places: int = 2, **kwargs):
        super().__init__(label, validators, places=places, unit="kr", **kwargs)


DAMAGED = _l("The form is damaged. Reload the page.")


def choices(labels: dict, codes=None) -> list[SelectChoice]:
    """Select options for ``codes`` (all of ``labels`` when None), each with its label."""
    return [SelectChoice(code, labels[code]) for code in (labels if codes is None else codes)]


def date_field(label, required: bool = False, **kwargs) -> DateField:
    """A date picker; a required one asks for the date when it is left empty."""
    validators = [InputRequired(_l("Enter the date."))] if required else [Optional()]
    return DateField(label, validators=validators, render_kw={"type": "date"}, **kwargs)


def whole_number(label, low: int, high: int, missing, out_of_range, **kwargs) -> WholeNumberField:
    """A required whole number from ``low`` to ``high``, with a message for each way to miss;
    one that may be below 0 (a floor) keeps the phone's ordinary keyboard."""
    return WholeNumberField(
        label,
        validators=[
            InputRequired(missing),
            NumberRange(min=low, max=high, message=out_of_range),
        ],
        signed=low < 0,
        **kwargs,
    )


def counter_field() -> IntegerField:
    """A hidden whole number the page carries back, such as the revision it was shown at;
    anything else, or one past what the database holds, says the form is damaged."""
    return IntegerField(
        validators=[InputRequired(), NumberRange(min=0, max=MAX_INTEGER, message=DAMAGED)]
    )


def id_field(required: bool = True) -> IntegerField:
    """The id of a record the page names; a number no record can have says so."""
    first = InputRequired() if required else Optional()
    return IntegerField(validators=[first, NumberRange(min=1, max=MAX_INTEGER, message=DAMAGED)])


def name_field() -> StringField:
    """A person's or an organisation's name, required."""
    return StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])


def email_field(required: bool = False, **render_kw) -> StringField:
    """An email address, checked for its form only (no look-up of the domain)."""
    first = DataRequired(_l("Enter an email address.")) if required else Optional()
    return StringField(
        _l("Email"),
        validators=[
            first,
            Length(max=254),
            Email(_l("Enter a valid email address."), check_deliverability=False),
        ],
        render_kw={"type": "email", **render_kw},
    )


def phone_field() -> StringField:
    """A phone number as the person writes it."""
    return StringField(_l("Phone"), validators=[Length(max=40)], render_kw={"type": "tel"})


def comma_list(text: str | None) -> str:
    """A comma-separated list tidied: parts trimmed, empty parts dropped."""
    return ", ".join(part.strip() for part in (text or "").split(",") if part.strip())


class ContactPersonForm(FlaskForm):
    """A person to reach at an organisation: a name, and a phone number and email if known."""

    name = name_field()
    phone = phone_field()
    email = email_field()

    def values(self) -> dict:
        """The contact as the form holds it, tidied for saving."""
        return {
            "name": self.name.data.strip(),
            "phone": (self.phone.data or "").strip(),
            "email": (self.email.data or "").strip().lower(),
        }


class RevisionForm(FlaskForm):
    """An edit form that carries the revision it was shown at, so a stale save loses cleanly."""

    revision = HiddenField(validators=[InputRequired()])

    def validate_revision(self, field):
        if not is_number(field.data) or int(field.data) > MAX_INTEGER:
            raise ValidationError(DAMAGED)


def confirm_field(label, **kwargs) -> BooleanField:
    """A box the person ticks to say an action that cannot be undone in one step is meant;
    the browser asks for it before sending, and the server refuses the action without it.
    ``kwargs`` go to the field (an ``id`` where a page has more than one such box)."""
    return BooleanField(label, validators=[DataRequired(_l("Tick the box to confirm."))], **kwargs)


def person_filter(label, suggestions: str) -> tuple[IntegerField, StringField]:
    """A list's filter by a person: the id from a link (0 is everyone) and a box for part
    of the name, whose suggestions (the datalist ``suggestions``) come from the server as
    one types, never a select of every member of staff."""
    chosen = IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, max=MAX_INTEGER, message=DAMAGED)],
        default=0,
    )
    named = StringField(
        label,
        validators=[Optional(), Length(max=100)],
        render_kw={"list": suggestions, "autocomplete": "off"},
    )
    return chosen, named


class ContactPersonFilter:
    """A list's contact person, chosen by part of their name or by id from a link
    (``contact``; 0 is everyone). A name typed wins over the id."""

    contact, contact_name = person_filter(_l("Contact person"), "contact-names")

    def validate_contact(self, field):
        from .models import Tenancy

        if field.data and not Tenancy.is_contact_person(field.data):
            raise ValidationError(_l("Nobody with that number is a contact person now."))

    def chosen_contact(self):
        """The contact person the list is narrowed to by a link (no name typed), for the
        page to name, or None."""
        from .models import User

        contact, _name = self.contact_filter()
        return User.get_or_none(User.id == contact) if contact and not self.errors else None

    def contact_filter(self) -> tuple[int | None, str | None]:
        """(contact person id, part of a name) to filter by; at most one of them."""
        name = (self.contact_name.data or "").strip()
        if name:
            return None, name
        return (self.contact.data or None), None

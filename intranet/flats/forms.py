"""The flat forms: registering an offer, editing, status, the checklists, list filters."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..forms import (
    DAMAGED,
    AmountField,
    ChoiceField,
    NumberField,
    RevisionForm,
    WholeNumberField,
    choices,
    counter_field,
    date_field,
    whole_number,
)
from ..models import FlatKind, FlatStatus, Landlord
from .labels import FLAT_KIND_LABELS, FLAT_STATUS_LABELS
from .move_out import DAMAGE_LENGTH, MAX_KEYS, MoveOutValues, missing_field
from .services import EQUIPMENT, districts, landlords_taking_flats

MAX_RENT = 50000


class LandlordField(ChoiceField):
    """The landlord select: any landlord not offered (or no number at all) gets one message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_choice_message = _l("Choose a landlord in negotiation or with an agreement.")


class _RevisionForm(FlaskForm):
    """A form that carries the revision it was shown at; a broken hidden field is said once."""

    HIDDEN = ("revision",)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if any(self[name].errors for name in self.HIDDEN):
            self.form_errors.append(DAMAGED)
        return valid


def rent_field(label) -> AmountField:
    """A monthly rent in kronor, above 0 and at most ``MAX_RENT``."""
    return AmountField(
        label,
        places=2,
        validators=[
            InputRequired(_l("Enter the rent.")),
            NumberRange(
                min=0.01, max=MAX_RENT, message=_l("Enter a rent above 0 and at most 50 000 kr.")
            ),
        ],
    )


class FlatFactsForm(FlaskForm):
    """What a landlord tells about a flat they offer, whether staff or the landlord types it."""

    address = StringField(
        _l("Address"), validators=[DataRequired(_l("Enter the address.")), Length(max=200)]
    )
    # Optional when the landlord offers a flat; staff registering one must name it.
    district = StringField(_l("District"), validators=[Length(max=100)])
    rooms = whole_number(_l("Rooms"), 1, 10, _l("Enter the rooms."), _l("Enter 1 to 10 rooms."))
    size_m2 = NumberField(
        _l("Size in m²"),
        places=1,
        unit="m²",
        validators=[
            InputRequired(_l("Enter the size.")),
            NumberRange(min=10, max=300, message=_l("Enter 10 to 300 m².")),
        ],
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)], render_kw={"rows": 2})


class FlatForm(FlatFactsForm):
    landlord = LandlordField(_l("Landlord"), coerce=int)
    postcode = StringField(
        _l("Postcode"), validators=[DataRequired(_l("Enter the postcode.")), Length(max=10)]
    )
    postal_town = StringField(
        _l("Postal town"),
        validators=[DataRequired(_l("Enter the postal town.")), Length(max=100)],
        description=_l("As the post writes it, for example Hässelby."),
    )
    district = StringField(
        _l("District"), validators=[DataRequired(_l("Enter the district.")), Length(max=100)]
    )
    floor = whole_number(
        _l("Floor"),
        -2,
        40,
        _l("Enter the floor."),
        _l("Enter a floor from -2 to 40."),
        description=_l("0 is the ground floor."),
    )
    elevator = BooleanField(_l("Elevator"))
    rent_to_landlord = rent_field(_l("Monthly rent to the landlord"))
    rent_to_resident = rent_field(_l("Monthly rent charged to the resident"))
    kind = ChoiceField(_l("Kind"))
    lease_start = date_field(_l("Lease start"))
    lease_end = date_field(_l("Lease end"), description=_l("Empty if open-ended."))
    notice_months = whole_number(
        _l("Notice period in months"),
        0,
        24,
        _l("Enter the notice period."),
        _l("Enter 0 to 24 months."),
        default=3,
    )

    def __init__(self, *args, current_landlord: Landlord | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        landlords = list(landlords_taking_flats())
        if current_landlord is not None and current_landlord.id not in {ll.id for ll in landlords}:
            landlords.append(current_landlord)
        self.landlord.choices = [SelectChoice(ll.id, ll.name) for ll in landlords]
        self.kind.choices = choices(FLAT_KIND_LABELS, FlatKind.ALL)

    def validate_postcode(self, field):
        digits = re.sub(r"\s", "", field.data or "")
        if not re.fullmatch(r"\d{5}", digits):
            raise ValidationError(_l("A postcode has five digits, for example 123 45."))
        field.data = digits

    def validate_lease_end(self, field):
        if field.data and not self.lease_start.data and not self.lease_start.errors:
            raise ValidationError(_l("Enter the lease start too, or leave the end empty."))
        if field.data and self.lease_start.data and field.data <= self.lease_start.data:
            raise ValidationError(_l("The lease must end after it starts."))


class FlatEditForm(_RevisionForm, RevisionForm, FlatForm):
    """The flat's facts with the revision they were shown at."""


class StatusForm(_RevisionForm):
    HIDDEN = ("revision", "from_status")

    revision = counter_field()
    from_status = ChoiceField()
    to_status = ChoiceField(_l("New status"))
    note = StringField(_l("Note"), validators=[Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.from_status.choices = choices(FLAT_STATUS_LABELS, FlatStatus.ALL)
        self.to_status.choices = choices(FLAT_STATUS_LABELS, FlatStatus.ALL)

    def offer(self, statuses) -> None:
        """Show only ``statuses`` in the select (after validation against all of them)."""
        self.to_status.choices = choices(FLAT_STATUS_LABELS, statuses)


class ChecklistForm(_RevisionForm):
    revision = counter_field()
    has_furniture = BooleanField(_l("Furniture"))
    has_kitchenware = BooleanField(_l("Kitchenware"))
    has_bedding = BooleanField(_l("Bedding"))
    keys_handed_over = BooleanField(_l("Keys handed over"))
    key_count = WholeNumberField(
        _l("Number of keys"),
        validators=[Optional(), NumberRange(min=1, max=20, message=_l("Enter 1 to 20 keys."))],
    )
    inspection_done = BooleanField(_l("Move-in inspection done"))


class MoveOutForm(_RevisionForm):
    """The caretaker's move-out checklist; the button pressed says whether to finish it."""

    revision = counter_field()
    keys_returned = BooleanField(_l("Keys returned"))
    key_count = WholeNumberField(
        _l("Number of keys returned"),
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_KEYS, message=_l("Enter 0 to 20 keys.")),
        ],
    )
    inspection_done = BooleanField(_l("Move-out inspection done"))
    damage = TextAreaField(
        _l("Damage found at the inspection"),
        validators=[
            Length(max=DAMAGE_LENGTH, message=_l("Describe the damage in at most 2000 characters."))
        ],
        description=_l("Leave empty if there is none. Write about the flat, not the person."),
        render_kw={"rows": 3},
    )
    cleaned = BooleanField(_l("Cleaned"))
    missing_furniture = BooleanField(_l("Furniture"))
    missing_kitchenware = BooleanField(_l("Kitchenware"))
    missing_bedding = BooleanField(_l("Bedding"))
    finish = BooleanField()

    def missing_fields(self) -> list:
        """The boxes for the equipment found missing or broken, in the checklist's order."""
        return [self[missing_field(item)] for item in EQUIPMENT]

    def values(self) -> MoveOutValues:
        """What the form says, as the service takes it."""
        return MoveOutValues(
            keys_returned=bool(self.keys_returned.data),
            key_count=self.key_count.data,
            inspection_done=bool(self.inspection_done.data),
            damage=self.damage.data or "",
            cleaned=bool(self.cleaned.data),
            missing={item for item in EQUIPMENT if self[missing_field(item)].data},
        )


class LandlordIdField(IntegerField):
    """One landlord by id, as a link or a bookmark names them; one that does not exist, or
    no number at all, is refused beside the others' filters."""

    def pre_validate(self, form):
        if self.raw_data and self.raw_data[0] not in ("", "0") and self.data is None:
            raise ValidationError(_l("Choose a landlord from the list."))

    def post_validate(self, form, validation_stopped):
        if self.data and not Landlord.select().where(Landlord.id == self.data).exists():
            self.errors.append(_l("Choose a landlord from the list."))


class FlatFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = ChoiceField(_l("Status"), default="")
    district = ChoiceField(_l("District"), default="")
    # A landlord is found by part of their name (suggested as one types: ``landlord_names``),
    # not chosen from a list of every landlord, which grows with the unit.
    landlord_name = StringField(
        _l("Landlord"),
        validators=[Length(max=200)],
        render_kw={"list": "landlord-names", "autocomplete": "off"},
        description=_l("Part of the name"),
    )
    landlord = LandlordIdField(_l("Landlord"), validators=[Optional()])
    kind = ChoiceField(_l("Kind"), default="")
    vacant = BooleanField(_l("Vacant only"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice("", _l("All statuses"))] + choices(
            FLAT_STATUS_LABELS, FlatStatus.ALL
        )
        self.district.choices = [SelectChoice("", _l("All districts"))] + [
            SelectChoice(d, d) for d in districts()
        ]
        self.kind.choices = [SelectChoice("", _l("All kinds"))] + choices(
            FLAT_KIND_LABELS, FlatKind.ALL
        )

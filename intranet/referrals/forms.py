"""The referral forms: intake, status, override, commissioner."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
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

from .. import clock
from ..forms import (
    ChoiceField,
    ContactPersonForm,
    RevisionForm,
    WholeNumberField,
    choices,
    date_field,
    name_field,
    whole_number,
)
from ..identity_numbers import normalise_personal_number
from ..models import (
    Commissioner,
    CommissionerContact,
    CommissionerKind,
    Role,
    TargetGroup,
    User,
)
from .labels import (
    COMMISSIONER_KIND_LABELS,
    GENDER_LABELS,
    OCCUPATION_LABELS,
    REFERRAL_STATUS_LABELS,
    RULE_LABELS,
    TARGET_GROUP_LABELS,
)


def _not_in_future(field):
    if field.data and field.data > clock.today():
        raise ValidationError(_l("The date cannot be in the future."))


class ReferralForm(FlaskForm):
    received_on = date_field(_l("Received"), required=True)
    commissioner = ChoiceField(_l("Commissioner"), coerce=int)
    handling_officer = ChoiceField(_l("Handling officer"), coerce=int)
    first_name = StringField(
        _l("First name"), validators=[DataRequired(_l("Enter the first name.")), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), validators=[DataRequired(_l("Enter the last name.")), Length(max=100)]
    )
    birth_date = date_field(_l("Birth date"), required=True)
    gender = ChoiceField(_l("Gender"))
    personal_number = StringField(
        _l("Personal identity number"),
        validators=[Optional(), Length(max=20)],
        description=_l("Optional. Shown masked."),
        render_kw={"autocomplete": "off"},
    )
    protected_identity = BooleanField(_l("Protected personal details"))
    target_group = ChoiceField(_l("Target group"))
    drug_free_since = date_field(_l("Drug-free since"))
    occupation_kind = ChoiceField(_l("Occupation"))
    occupation_percent = WholeNumberField(
        _l("Occupation, percent"),
        unit="%",
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100.")),
        ],
    )
    min_rooms = whole_number(
        _l("Rooms needed at least"),
        1,
        6,
        _l("Enter a number of rooms."),
        _l("Enter 1 to 6 rooms."),
        default=1,
    )
    needs_step_free = BooleanField(_l("Needs an elevator or a ground floor"))
    preferred_districts = StringField(
        _l("Preferred districts"),
        validators=[Length(max=1000)],
        description=_l("Separate with commas."),
    )
    excluded_districts = StringField(
        _l("Districts to avoid"),
        validators=[Length(max=1000)],
        description=_l("Where the person must not live. Separate with commas."),
    )
    wished_move_in = date_field(_l("Wished move-in date"))
    responsible = ChoiceField(_l("Responsible staff member"), coerce=int)
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commissioner.choices = [SelectChoice(0, "—")] + [
            SelectChoice(c.id, c.name) for c in Commissioner.select().order_by(Commissioner.name)
        ]
        self.handling_officer.choices = [SelectChoice(0, _l("Not known"))] + [
            SelectChoice(c.id, f"{c.name} ({c.commissioner.name})")
            for c in CommissionerContact.select(CommissionerContact, Commissioner)
            .join(Commissioner)
            .order_by(Commissioner.name, CommissionerContact.name)
        ]
        self.gender.choices = choices(GENDER_LABELS)
        self.target_group.choices = choices(TARGET_GROUP_LABELS, TargetGroup.ALL)
        self.occupation_kind.choices = [SelectChoice("", "—")] + choices(OCCUPATION_LABELS)
        self.responsible.choices = [SelectChoice(0, _l("Nobody yet"))] + [
            SelectChoice(u.id, u.display_name)
            for u in User.select()
            .where(User.role.in_([Role.MANAGER, Role.STAFF]) & (User.active == True))  # noqa: E712
            .order_by(User.display_name)
        ]

    def validate_commissioner(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the commissioner."))

    def validate_handling_officer(self, field):
        if field.data:
            officer = CommissionerContact.get_or_none(CommissionerContact.id == field.data)
            if officer is None or officer.commissioner_id != self.commissioner.data:
                raise ValidationError(
                    _l("The handling officer must work for the chosen commissioner.")
                )

    def validate_received_on(self, field):
        _not_in_future(field)

    def validate_birth_date(self, field):
        if field.data and (field.data > clock.today() or field.data.year < 1900):
            raise ValidationError(_l("Enter a real birth date."))

    def validate_drug_free_since(self, field):
        _not_in_future(field)
        if field.data and self.birth_date.data and field.data < self.birth_date.data:
            raise ValidationError(_l("The date cannot be before the birth date."))

    def validate_personal_number(self, field):
        if not field.data:
            return
        normalised = normalise_personal_number(field.data, self.birth_date.data)
        if normalised is None:
            raise ValidationError(_l("This is not a valid personal identity number."))
        if (
            self.birth_date.data
            and normalised[:8] != self.birth_date.data.strftime("%Y%m%d")
            and int(normalised[6:8]) <= 60
        ):
            raise ValidationError(_l("The personal identity number does not match the birth date."))
        field.data = normalised

    def validate_occupation_percent(self, field):
        if self.occupation_kind.data == "none" and field.data:
            raise ValidationError(_l("Without an occupation the percentage is 0."))


class ReferralEditForm(RevisionForm, ReferralForm):
    """The referral's facts with the revision they were shown at."""


class StatusForm(FlaskForm):
    """A move by hand: only the moves the referral's status allows, none chosen for the
    person (``services.status_moves``, the table ``set_status`` also reads)."""

    from_status = HiddenField(validators=[InputRequired()])
    to_status = ChoiceField(
        _l("New status"), validators=[DataRequired(_l("Choose the new status."))]
    )
    reason = StringField(_l("Reason"), validators=[Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import status_moves

        moves = status_moves(self.from_status.data or "")
        self.to_status.choices = [SelectChoice("", _l("Choose…"))] + choices(
            REFERRAL_STATUS_LABELS, moves
        )


class OverrideForm(FlaskForm):
    rule = ChoiceField(_l("Rule"))
    reason = TextAreaField(
        _l("Why the rule may be set aside"),
        validators=[DataRequired(_l("Write why the rule is overridden.")), Length(max=2000)],
        render_kw={"rows": 2},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule.choices = choices(RULE_LABELS)


class CommissionerForm(FlaskForm):
    name = name_field()
    kind = ChoiceField(_l("Kind"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(COMMISSIONER_KIND_LABELS, CommissionerKind.ALL)


class CommissionerContactForm(ContactPersonForm):
    """A handling officer or other contact at a commissioner."""


class ReferralFilterForm(FlaskForm):
    """The referrals list's filters, read from the address."""

    class Meta:
        csrf = False

    show = ChoiceField(_l("Show"), default="open")
    status = ChoiceField(_l("Status"), default="")
    responsible = ChoiceField(_l("Responsible"), coerce=int, default=0)
    confirm = BooleanField(_l("Only those to confirm as still current"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show.choices = [
            SelectChoice("open", _l("Open")),
            SelectChoice("closed", _l("Closed")),
        ]
        self.status.choices = [SelectChoice("", _l("All statuses"))] + choices(
            REFERRAL_STATUS_LABELS
        )
        self.responsible.choices = [SelectChoice(0, _l("Everyone"))] + [
            SelectChoice(u.id, u.display_name)
            for u in User.select(User.id, User.display_name)
            .where(User.role.in_([Role.MANAGER, Role.STAFF]))
            .order_by(User.display_name)
        ]

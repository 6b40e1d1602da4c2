"""The pipeline's forms: landlord, contact, activity, stage move, board filters, funnel period."""

import datetime as dt

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
    URL,
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from .. import clock
from ..forms import (
    DAMAGED,
    ChoiceField,
    ContactPersonForm,
    RevisionForm,
    choices,
    comma_list,
    confirm_field,
    date_field,
    person_filter,
    whole_number,
)
from ..identity_numbers import normalise_org_number
from ..models import ActivityKind, DeclineReason, LandlordKind, Stage, User
from . import services
from .labels import ACTIVITY_LABELS, DECLINE_LABELS, KIND_LABELS, STAGE_LABELS
from .services import BoardFilters, staff_who_own_relationships

# The pages a move form is shown on: the board, or the landlord's own page.
BOARD, LANDLORD_PAGE = "board", "landlord"
SHOWN_ON = (BOARD, LANDLORD_PAGE)

# A follow-up further ahead than this is a typing mistake, not a plan.
FOLLOW_UP_HORIZON = dt.timedelta(days=2 * 365)


def check_follow_up(value: dt.date | None, unchanged_from: dt.date | None = None) -> None:
    """A follow-up date is today or later (unless it is the one already saved), within two years."""
    if value is None or value == unchanged_from:
        return
    today = clock.today()
    if value < today:
        raise ValidationError(_l("A follow-up date cannot be in the past."))
    if value > today + FOLLOW_UP_HORIZON:
        raise ValidationError(_l("A follow-up date must be within two years."))


class LandlordForm(FlaskForm):
    name = StringField(
        _l("Organisation name"),
        validators=[DataRequired(_l("Enter the organisation's name.")), Length(max=200)],
    )
    org_number = StringField(
        _l("Organisation number"),
        validators=[Optional(), Length(max=20)],
        description=_l("Optional. Ten digits, for example 556036-0793."),
    )
    kind = ChoiceField(_l("Kind"))
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300), URL(message=_l("Enter a web address."))],
    )
    districts = StringField(
        _l("Districts where they own"),
        validators=[Length(max=1000)],
        description=_l("Separate with commas."),
    )
    # Found by name as one types (``owner_choices``), not chosen from a select of every
    # member of staff.
    owner_name = StringField(
        _l("Relationship owner"),
        validators=[Optional(), Length(max=300)],
        render_kw={"list": "owner-choices", "autocomplete": "off"},
        description=_l(
            "Type part of the name and choose from the suggestions; empty for nobody yet."
        ),
    )
    expected_flats = whole_number(
        _l("Expected number of flats"),
        0,
        500,
        _l("Enter a number, 0 if unknown."),
        _l("Enter a number from 0 to 500."),
        default=0,
    )
    next_follow_up = date_field(_l("Next follow-up"))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])
    confirm_duplicate = BooleanField(_l("Save anyway: it is a different organisation"))

    def __init__(self, *args, saved_follow_up=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_follow_up = saved_follow_up
        self.kind.choices = choices(KIND_LABELS, LandlordKind.ALL)
        self.owner_id = None

    def validate_owner_name(self, field):
        text = (field.data or "").strip()
        if not text:
            return
        try:
            self.owner_id = services.owner_named(text)
        except services.OwnerNotFound as missing:
            if missing.shared:
                raise ValidationError(
                    _l(
                        "More than one person has this name: choose the one with the right "
                        "e-mail address from the suggestions."
                    )
                ) from None
            raise ValidationError(
                _l("Nobody who may own a relationship has this name: choose from the suggestions.")
            ) from None

    def validate_org_number(self, field):
        if field.data:
            normalised = normalise_org_number(field.data)
            if normalised is None:
                raise ValidationError(
                    _l("This is not a valid organisation number (ten digits, check digit last).")
                )
            field.data = normalised

    def validate_next_follow_up(self, field):
        check_follow_up(field.data, self.saved_follow_up)

    def values(self) -> dict:
        """The landlord's facts as the form holds them, tidied for saving."""
        return {
            "name": self.name.data.strip(),
            "org_number": self.org_number.data or None,
            "kind": self.kind.data,
            "website": (self.website.data or "").strip(),
            "districts": comma_list(self.districts.data),
            "owner": self.owner_id,
            "expected_flats": self.expected_flats.data,
            "next_follow_up": self.next_follow_up.data,
            "notes": (self.notes.data or "").strip(),
        }


class LandlordCreateForm(LandlordForm):
    stage = ChoiceField(_l("Stage"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = choices(STAGE_LABELS, Stage.FUNNEL + (Stage.PAUSED,))

    def values(self) -> dict:
        """The new landlord's facts and the stage it enters the pipeline in."""
        return {**super().values(), "stage": self.stage.data}


class LandlordEditForm(RevisionForm, LandlordForm):
    """The landlord's facts with the revision they were shown at."""


class ContactForm(ContactPersonForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])

    def values(self) -> dict:
        """The contact and their title, tidied for saving."""
        return {**super().values(), "title": (self.title.data or "").strip()}


class ActivityForm(FlaskForm):
    kind = ChoiceField(_l("Kind of activity"))
    occurred_on = date_field(_l("Date"), required=True)
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(_l("Write what happened.")), Length(max=2000)],
        render_kw={"rows": 3},
    )
    outcome = TextAreaField(_l("Outcome"), validators=[Length(max=2000)], render_kw={"rows": 2})
    next_step = StringField(_l("Next step"), validators=[Length(max=300)])
    next_step_on = date_field(
        _l("Next step's date"), description=_l("Becomes the landlord's next follow-up.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(ACTIVITY_LABELS, ActivityKind.ALL)
        if not self.is_submitted() and self.occurred_on.data is None:
            self.occurred_on.data = clock.today()

    def validate_occurred_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("An activity cannot be logged for a future date."))

    def validate_next_step_on(self, field):
        check_follow_up(field.data)
        if field.data and not (self.next_step.data or "").strip():
            raise ValidationError(_l("Say what the next step is."))

    def values(self) -> dict:
        """The activity as the form holds it, tidied for saving."""
        return {
            "kind": self.kind.data,
            "occurred_on": self.occurred_on.data,
            "summary": self.summary.data.strip(),
            "outcome": (self.outcome.data or "").strip(),
            "next_step": (self.next_step.data or "").strip(),
            "next_step_on": self.next_step_on.data,
        }


class MoveForm(FlaskForm):
    """Move a landlord on from the stage it was seen in, to one of the stages the pipeline
    allows from there (``services.MOVES``): a decline asks why, a move back asks why and
    for a tick. ``shown_on`` says which page the form was on, to answer with that page."""

    from_stage = HiddenField(validators=[InputRequired(DAMAGED)])
    shown_on = HiddenField(default=BOARD, validators=[AnyOf(SHOWN_ON, message=DAMAGED)])
    to_stage = ChoiceField(
        _l("Move to"), validators=[InputRequired(_l("Choose the stage to move the landlord to."))]
    )
    decline_reason = ChoiceField(_l("Reason for declining"), default="")
    decline_note = StringField(_l("More about the reason"), validators=[Length(max=1000)])
    back_reason = StringField(
        _l("Why is the landlord moved back?"),
        validators=[Length(max=services.MAX_REASON)],
        render_kw={"required": True, "maxlength": services.MAX_REASON},
    )
    confirmed = confirm_field(_l("Yes, move the landlord back"))

    def __init__(self, *args, card_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.to_stage.choices = [SelectChoice("", _l("Choose a stage"))] + [
            SelectChoice(move.stage, STAGE_LABELS[move.stage])
            for move in services.moves_from(self.from_stage.data)
        ]
        self.decline_reason.choices = [SelectChoice("", "—")] + choices(
            DECLINE_LABELS, DeclineReason.ALL
        )
        if card_id is not None:
            # Each card's fields get ids of their own: a board holds many cards.
            for field in (self.decline_reason, self.decline_note, self.back_reason, self.confirmed):
                field.id = field.label.field_id = f"{field.name.replace('_', '-')}-{card_id}"

    def moves_back(self) -> bool:
        """Whether the chosen move is a move back (a demotion), which asks why and a tick."""
        return services.move_kind(self.from_stage.data, self.to_stage.data) == services.BACK

    def declines(self) -> bool:
        """Whether the chosen move is a decline, which asks for its reason."""
        return self.to_stage.data == Stage.DECLINED

    def validate(self, extra_validators=None):
        # Only a move back is confirmed with a tick.
        if not self.moves_back():
            self.confirmed.validators = ()
        valid = super().validate(extra_validators)
        if not self.to_stage.errors and not self.from_stage.errors:
            # The pipeline's own rules, each beside the field it is about.
            for name, message in services.move_problems(
                self.from_stage.data,
                self.to_stage.data,
                self.decline_reason.data or None,
                self.back_reason.data or "",
            ):
                if not self[name].errors:
                    self[name].errors.append(message)
                valid = False
        return valid

    def general_errors(self) -> list:
        """The errors of the fields the card does not show (a damaged form, or a reason sent
        for a move that asks for none), to show above it."""
        hidden = [self.from_stage, self.shown_on]
        if not self.declines():
            hidden += [self.decline_reason, self.decline_note]
        if not self.moves_back():
            hidden += [self.back_reason, self.confirmed]
        return [*self.form_errors, *(error for field in hidden for error in field.errors)]

    def values(self) -> dict:
        """The reasons the move is made with, tidied for ``services.move_stage``."""
        return {
            "decline_reason": self.decline_reason.data or None,
            "decline_note": (self.decline_note.data or "").strip(),
            "back_reason": (self.back_reason.data or "").strip(),
        }


class BoardFilterForm(FlaskForm):
    """The board's filters, read from the URL. The owner is found by part of the name (the
    box suggests names from the server as one types), or by id from a link."""

    class Meta:
        csrf = False

    owner, owner_name = person_filter(_l("Owner"), "owner-names")
    kind = ChoiceField(_l("Kind"), default="")
    overdue = BooleanField(_l("Only overdue follow-ups"))
    q = StringField(_l("Search by name"), validators=[Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice("", _l("All kinds"))] + choices(
            KIND_LABELS, LandlordKind.ALL
        )

    def validate_owner(self, field):
        if field.data and not staff_who_own_relationships().where(User.id == field.data).exists():
            raise ValidationError(_l("Nobody with that number owns landlord relationships."))

    def chosen_owner(self):
        """The owner the board is narrowed to by a link (no name typed), or None."""
        owner = self.filters().owner_id
        return User.get_or_none(User.id == owner) if owner and not self.errors else None

    def filters(self) -> BoardFilters:
        """What the board is narrowed to, as the form holds it (a name typed wins over the
        id)."""
        name = (self.owner_name.data or "").strip()
        return BoardFilters(
            owner_id=None if name else (self.owner.data or None),
            owner_name=name,
            kind=self.kind.data or None,
            overdue_only=bool(self.overdue.data),
            query=(self.q.data or "").strip(),
        )


class PeriodForm(FlaskForm):
    """The funnel report's period, read from the URL."""

    class Meta:
        csrf = False

    start = date_field(_l("From"))
    end = date_field(_l("To"))

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end must not be before the start."))
        if field.data and self.start.data and (field.data - self.start.data).days > 3660:
            raise ValidationError(_l("Choose a period of at most ten years."))

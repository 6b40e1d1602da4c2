"""The road to a home of one's own: each resident's next step and its conditions, the
resident's consent to tell the landlord, and the request to take over the lease."""

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TextField

from .. import clock
from .accounts import User
from .base import BaseModel, MomentField
from .flats import Flat
from .landlords import Landlord
from .referrals import Tenancy


class RoadStep:
    """Where a resident goes next."""

    TAKE_OVER = "take_over"  # take over the lease of the flat they live in
    LEASE_ELSEWHERE = "lease_elsewhere"  # own search, the housing queue
    TRIAL_FLAT = "trial_flat"  # a trial flat in the unit
    OTHER_HOUSING = "other_housing"
    NOT_YET = "not_yet"

    ALL = (TAKE_OVER, LEASE_ELSEWHERE, TRIAL_FLAT, OTHER_HOUSING, NOT_YET)
    # The steps that are a road: "not yet" is the absence of one.
    ON_THE_ROAD = (TAKE_OVER, LEASE_ELSEWHERE, TRIAL_FLAT, OTHER_HOUSING)


class RoadCondition:
    """What must be true before the step. Three are read, never typed: the months paid on
    time in a row and the debt from the rent ledger, the time in the flat from the tenancy;
    the landlord's answer comes from the lease request; the rest are marked by people."""

    RENT_ON_TIME = "rent_on_time"
    NO_DEBT = "no_debt"
    TIME_IN_FLAT = "time_in_flat"
    ASSESSMENT = "assessment"
    HOUSING_QUEUE = "housing_queue"
    RENT_GUARANTEE = "rent_guarantee"
    LANDLORD_ANSWER = "landlord_answer"

    ALL = (
        RENT_ON_TIME,
        NO_DEBT,
        TIME_IN_FLAT,
        ASSESSMENT,
        HOUSING_QUEUE,
        RENT_GUARANTEE,
        LANDLORD_ANSWER,
    )
    # Conditions measured in months, with the number the unit asks for.
    IN_MONTHS = (RENT_ON_TIME, TIME_IN_FLAT)
    # The states a person marks, first the one a road starts in, and the state that meets it.
    MARKED = {
        ASSESSMENT: ("not_assessed", "not_ready", "ready"),
        HOUSING_QUEUE: ("not_registered", "registered"),
        RENT_GUARANTEE: ("not_applied", "applied", "granted", "refused"),
    }
    MET = {ASSESSMENT: "ready", HOUSING_QUEUE: "registered", RENT_GUARANTEE: "granted"}


class LeaseAnswer:
    YES = "yes"
    NO = "no"
    LATER = "later"

    ALL = (YES, NO, LATER)


class InventoryLeft:
    """What became of the unit's furniture and inventory when the lease was handed over."""

    LEFT = "left"
    SOLD = "sold"
    TAKEN_BACK = "taken_back"

    ALL = (LEFT, SOLD, TAKEN_BACK)


class RoadRequirement(BaseModel):
    """The unit's setting: a step needs this condition (with its number of months, for the
    conditions measured in months). A step's conditions are the rows for it."""

    step = CharField(max_length=20)
    condition = CharField(max_length=20)
    months = IntegerField(null=True)
    changed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    changed_at = MomentField(default=clock.now)

    class Meta:
        indexes = ((("step", "condition"), True),)


class Road(BaseModel):
    """A resident's next step and the month it is aimed at, with the plan's note."""

    tenancy = ForeignKeyField(Tenancy, unique=True, backref="roads", on_delete="RESTRICT")
    step = CharField(max_length=20, default=RoadStep.NOT_YET)
    target_month = DateField(null=True)
    note = TextField(default="")
    updated_by = ForeignKeyField(User, on_delete="RESTRICT")
    updated_at = MomentField(default=clock.now)
    revision = IntegerField(default=1)


class RoadMark(BaseModel):
    """One change on a road, kept for good: the step chosen (``subject`` "step", ``state`` the
    step) or a marked condition's new state, with the day it applies from and a note."""

    road = ForeignKeyField(Road, backref="marks", on_delete="RESTRICT")
    subject = CharField(max_length=20)
    state = CharField(max_length=20)
    on_date = DateField(null=True)
    note = TextField(default="")
    marked_by = ForeignKeyField(User, on_delete="RESTRICT")
    marked_at = MomentField(default=clock.now, index=True)


class ShareConsent(BaseModel):
    """The resident's consent that the landlord of their flat is told who they are and how
    their stay has gone, as recorded by the unit; withdrawn, it stops every request."""

    tenancy = ForeignKeyField(Tenancy, backref="consents", on_delete="RESTRICT")
    given_on = DateField()
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = MomentField(default=clock.now)
    # For a person with protected details: the manager's assessment that telling the
    # landlord does no harm, without which no request is sent.
    harm_assessed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    harm_assessed_at = MomentField(null=True)
    harm_note = TextField(default="")
    withdrawn_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    withdrawn_at = MomentField(null=True)
    withdrawal_note = TextField(default="")


class LeaseRequest(BaseModel):
    """The unit asks a landlord whether a resident may take over the lease of the flat; the
    landlord answers yes (with the day), no, or later (with the day to ask again)."""

    tenancy = ForeignKeyField(Tenancy, backref="lease_requests", on_delete="RESTRICT")
    flat = ForeignKeyField(Flat, backref="lease_requests", on_delete="RESTRICT")
    landlord = ForeignKeyField(Landlord, backref="lease_requests", on_delete="RESTRICT")
    consent = ForeignKeyField(ShareConsent, backref="requests", on_delete="RESTRICT")
    asked_by = ForeignKeyField(User, on_delete="RESTRICT")
    asked_at = MomentField(default=clock.now)
    recommendation = TextField()
    # What the landlord was told, as it stood when asked (JSON): the resident's name and
    # the facts. The resident's page lists it, and it stays when consent is withdrawn.
    shared = TextField()
    answer = CharField(max_length=10, null=True)
    answer_on = DateField(null=True)
    answer_note = TextField(default="")
    answered_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    answered_at = MomentField(null=True)
    withdrawn_at = MomentField(null=True)
    transferred_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    transferred_at = MomentField(null=True)
    inventory = CharField(max_length=20, null=True)
    inventory_note = TextField(default="")
    money_note = TextField(default="")
    revision = IntegerField(default=1)


# A tenancy has at most one request waiting for an answer: two managers asking at once
# end in one request and one IntegrityError.
LeaseRequest.add_index(
    LeaseRequest.tenancy,
    unique=True,
    where=LeaseRequest.answer.is_null() & LeaseRequest.withdrawn_at.is_null(),
    name="lease_request_one_open_per_tenancy",
)

"""Landlords and the outreach pipeline: contacts, activities, stage moves."""

import datetime as dt

from peewee import (
    CharField,
    DateField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .. import clock
from .base import BaseModel, MomentField, StateChange


class Stage:
    """The pipeline's stages, in order, and the two beside them."""

    IDENTIFIED = "identified"
    CONTACTED = "contacted"
    MEETING = "meeting_booked"
    NEGOTIATING = "negotiating"
    AGREEMENT = "agreement_signed"
    PAUSED = "paused"
    DECLINED = "declined"

    FUNNEL = (IDENTIFIED, CONTACTED, MEETING, NEGOTIATING, AGREEMENT)
    ALL = FUNNEL + (PAUSED, DECLINED)
    # Stages from which flats may be registered.
    TAKES_FLATS = (NEGOTIATING, AGREEMENT)


class LandlordKind:
    PRIVATE_COMPANY = "private_company"
    MUNICIPAL_COMPANY = "municipal_company"
    HOUSING_AGENCY = "housing_agency"
    PRIVATE_OWNER = "private_owner"
    OTHER = "other"

    ALL = (PRIVATE_COMPANY, MUNICIPAL_COMPANY, HOUSING_AGENCY, PRIVATE_OWNER, OTHER)


class DeclineReason:
    NO_FLATS = "no_flats"
    BAD_EXPERIENCE = "bad_experience"
    WANTS_GUARANTEES = "wants_guarantees"
    NO_ANSWER = "no_answer"
    OTHER = "other"

    ALL = (NO_FLATS, BAD_EXPERIENCE, WANTS_GUARANTEES, NO_ANSWER, OTHER)


class ActivityKind:
    CALL = "call"
    EMAIL = "email"
    LETTER = "letter"
    MEETING = "meeting"
    VIEWING = "viewing"
    NOTE = "note"

    ALL = (CALL, EMAIL, LETTER, MEETING, VIEWING, NOTE)


class Landlord(BaseModel):
    """An organisation that leases, or might lease, flats to the unit."""

    name = CharField(max_length=200)
    created_at = MomentField(default=clock.now)
    org_number = CharField(max_length=11, null=True)
    kind = CharField(max_length=30, default=LandlordKind.OTHER)
    website = CharField(max_length=300, default="")
    districts = TextField(default="")
    notes = TextField(default="")
    owner = DeferredForeignKey("User", null=True, on_delete="RESTRICT")
    expected_flats = IntegerField(default=0)
    stage = CharField(max_length=30, default=Stage.IDENTIFIED, index=True)
    stage_entered_at = MomentField(default=clock.now)
    next_follow_up = DateField(null=True, index=True)
    declined_reason = CharField(max_length=30, null=True)
    declined_note = TextField(default="")
    # Bumped on every change, so a stale form or move loses cleanly.
    revision = IntegerField(default=1)

    def __str__(self):
        return self.name

    def days_in_stage(self, today: dt.date | None = None) -> int:
        """Whole days since the landlord entered the current stage."""
        return ((today or clock.today()) - self.stage_entered_at.date()).days

    def follow_up_overdue(self, today: dt.date | None = None) -> bool:
        """Tell whether the next follow-up date has passed."""
        return self.next_follow_up is not None and self.next_follow_up < (today or clock.today())

    @classmethod
    def with_name(cls, name: str):
        """Landlords whose name equals ``name``, ignoring case and surrounding spaces."""
        from peewee import fn

        return cls.select().where(fn.LOWER(cls.name) == name.strip().lower())


class LandlordContact(BaseModel):
    """A person at a landlord the unit talks to."""

    landlord = ForeignKeyField(Landlord, backref="contacts", on_delete="CASCADE")
    name = CharField(max_length=200)
    title = CharField(max_length=200, default="")
    phone = CharField(max_length=40, default="")
    email = CharField(max_length=254, default="")


class Activity(BaseModel):
    """A call, letter, meeting or note in the relationship with a landlord."""

    landlord = ForeignKeyField(Landlord, backref="activities", on_delete="CASCADE")
    kind = CharField(max_length=20)
    occurred_on = DateField()
    by = DeferredForeignKey("User", on_delete="RESTRICT")
    summary = TextField()
    outcome = TextField(default="")
    next_step = CharField(max_length=300, default="")
    next_step_on = DateField(null=True)
    created_at = MomentField(default=clock.now)


class StageChange(StateChange, BaseModel):
    """One move of a landlord between stages: kept for ever, so the funnel can be measured."""

    COLUMNS = ("landlord", "from_stage", "to_stage")

    landlord = ForeignKeyField(Landlord, backref="stage_changes", on_delete="CASCADE")
    from_stage = CharField(max_length=30, null=True)
    to_stage = CharField(max_length=30)
    changed_at = MomentField(default=clock.now, index=True)
    changed_by = DeferredForeignKey("User", null=True, on_delete="RESTRICT")
    # Why a landlord was moved back (empty for the other moves).
    reason = TextField(default="")

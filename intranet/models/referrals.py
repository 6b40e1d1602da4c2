"""Commissioners, referrals, matches with flats, and the tenancies they become."""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .. import clock, ocr
from .accounts import User
from .base import BaseModel, MomentField, StateChange
from .flats import Flat


class CommissionerKind:
    SOCIAL_SERVICES = "social_services"
    PROBATION_SERVICE = "probation_service"
    OTHER = "other"

    ALL = (SOCIAL_SERVICES, PROBATION_SERVICE, OTHER)


class ReferralStatus:
    RECEIVED = "received"
    ASSESSING = "assessing"
    WAITING = "waiting"
    MATCHED = "matched"
    MOVED_IN = "moved_in"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    FLOW = (RECEIVED, ASSESSING, WAITING, MATCHED, MOVED_IN)
    ALL = FLOW + (DECLINED, WITHDRAWN)


class TargetGroup:
    ADDICTION = "addiction"
    CRIME = "crime"
    THREATS = "threats_violence"
    UNACCOMPANIED = "unaccompanied_youth"
    OTHER = "other"

    ALL = (ADDICTION, CRIME, THREATS, UNACCOMPANIED, OTHER)


class MatchStatus:
    PROPOSED = "proposed"
    OFFERED = "offered"
    VIEWING = "viewing"
    ACCEPTED = "accepted"
    MOVED_IN = "moved_in"
    DECLINED = "declined"

    FLOW = (PROPOSED, OFFERED, VIEWING, ACCEPTED, MOVED_IN)
    OPEN = (PROPOSED, OFFERED, VIEWING, ACCEPTED)


class Commissioner(BaseModel):
    """Who places a resident and pays the daily fee: social services, probation, …"""

    name = CharField(max_length=200, unique=True)
    kind = CharField(max_length=30, default=CommissionerKind.SOCIAL_SERVICES)
    created_at = MomentField(default=clock.now)


class CommissionerContact(BaseModel):
    """A handling officer or other contact at a commissioner."""

    commissioner = ForeignKeyField(Commissioner, backref="contacts", on_delete="CASCADE")
    name = CharField(max_length=200)
    phone = CharField(max_length=40, default="")
    email = CharField(max_length=254, default="")


class Referral(BaseModel):
    """A placement request for one person, from intake to move-in or an end."""

    received_on = DateField(index=True)
    commissioner = ForeignKeyField(Commissioner, backref="referrals", on_delete="RESTRICT")
    handling_officer = ForeignKeyField(
        CommissionerContact, null=True, backref="referrals", on_delete="RESTRICT"
    )
    first_name = CharField(max_length=100)
    last_name = CharField(max_length=100)
    birth_date = DateField()
    gender = CharField(max_length=20)
    personal_number = CharField(max_length=13, null=True)
    protected_identity = BooleanField(default=False)
    target_group = CharField(max_length=30)
    drug_free_since = DateField(null=True)
    occupation_kind = CharField(max_length=30, default="")
    occupation_percent = IntegerField(null=True)
    min_rooms = IntegerField(default=1)
    needs_step_free = BooleanField(default=False)
    preferred_districts = TextField(default="")
    excluded_districts = TextField(default="")
    wished_move_in = DateField(null=True)
    notes = TextField(default="")
    responsible = ForeignKeyField(User, null=True, backref="referrals", on_delete="RESTRICT")
    status = CharField(max_length=20, default=ReferralStatus.RECEIVED, index=True)
    status_changed_at = MomentField(default=clock.now)
    status_reason = TextField(default="")
    last_contact_on = DateField(null=True)
    created_at = MomentField(default=clock.now)
    revision = IntegerField(default=1)
    # When ``flask gdpr anonymise`` removed the person's details; a second run skips them.
    anonymised_at = MomentField(null=True)

    class Meta:
        # The residents list goes by name: the first rows are read in this order, not
        # every current resident sorted (migration 0028).
        indexes = ((("last_name", "first_name", "id"), False),)

    @classmethod
    def record_rule_columns(cls) -> tuple:
        """What ``referrals.services.may_see_person`` reads of a referral besides its id, in
        this order: for the lists that read their rows as plain values."""
        return (cls.protected_identity, cls.responsible, cls.status)

    @classmethod
    def for_record_rule(cls, referral_id, protected, responsible, status) -> "Referral":
        """A referral holding only what the record rule reads (``record_rule_columns``)."""
        return cls(
            id=referral_id, protected_identity=protected, responsible=responsible, status=status
        )


class ReferralStatusChange(StateChange, BaseModel):
    """One change of a referral's status, with who, when and why."""

    COLUMNS = ("referral", "from_status", "to_status")

    referral = ForeignKeyField(Referral, backref="status_changes", on_delete="CASCADE")
    from_status = CharField(max_length=20, null=True)
    to_status = CharField(max_length=20)
    changed_at = MomentField(default=clock.now, index=True)
    changed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    reason = TextField(default="")


class RuleOverride(BaseModel):
    """A manager's written decision to let a failing eligibility rule pass for a person."""

    referral = ForeignKeyField(Referral, backref="overrides", on_delete="CASCADE")
    rule = CharField(max_length=30)
    reason = TextField()
    decided_by = ForeignKeyField(User, on_delete="RESTRICT")
    decided_at = MomentField(default=clock.now)


class Match(BaseModel):
    """A proposed pairing of a referral with a flat, through to move-in or a decline."""

    flat = ForeignKeyField(Flat, backref="matches", on_delete="RESTRICT")
    referral = ForeignKeyField(Referral, backref="matches", on_delete="RESTRICT")
    status = CharField(max_length=20, default=MatchStatus.PROPOSED)
    score = IntegerField(null=True)
    passed_over_reason = TextField(default="")
    move_in_date = DateField(null=True)
    proposed_at = MomentField(default=clock.now)
    proposed_by = ForeignKeyField(User, on_delete="RESTRICT")
    declined_by_side = CharField(max_length=20, null=True)
    decline_reason = CharField(max_length=30, null=True)
    decline_note = TextField(default="")
    closed_at = MomentField(null=True)
    revision = IntegerField(default=1)


class Tenancy(BaseModel):
    """A resident living in a flat: from move-in until the move-out and its outcome."""

    flat = ForeignKeyField(Flat, backref="tenancies", on_delete="RESTRICT")
    referral = ForeignKeyField(Referral, backref="tenancies", on_delete="RESTRICT")
    contact_person = ForeignKeyField(User, backref="tenancies", on_delete="RESTRICT")
    start_date = DateField()
    rent = DecimalField(max_digits=10, decimal_places=2)
    # "resident", or "commissioner" when the daily fee covers it and the unit pays rent money.
    rent_payer = CharField(max_length=20, default="resident")
    notice_given_on = DateField(null=True)
    move_out_date = DateField(null=True)
    end_date = DateField(null=True, index=True)
    outcome = CharField(max_length=30, null=True)
    outcome_note = TextField(default="")
    created_at = MomentField(default=clock.now)
    revision = IntegerField(default=1)
    # The OCR reference the resident pays their rent with (``intranet/ocr.py``).
    payment_reference = CharField(max_length=25, null=True, unique=True)

    @classmethod
    def is_current(cls):
        """The condition of a tenancy whose resident lives in the flat now (not yet moved
        out): the one statement of "who lives where now" that every query reads."""
        return cls.end_date.is_null()

    @classmethod
    def lived_in_since(cls, day):
        """The condition of a tenancy whose resident still lives in the flat or moved out on
        ``day`` or later: who lived somewhere during a period that began on ``day``."""
        return cls.is_current() | (cls.end_date >= day)

    @classmethod
    def current(cls, *fields):
        """The tenancies of the people who live in the flats now."""
        return cls.select(*fields).where(cls.is_current())

    @classmethod
    def occupied_flat_ids(cls):
        """Ids of the flats somebody lives in now, as a subquery."""
        return cls.current(cls.flat)

    @classmethod
    def contact_people(cls):
        """The contact persons of current residents (id and name), by name: for filters."""
        return (
            User.select(User.id, User.display_name)
            .where(User.id.in_(cls.current(cls.contact_person)))
            .order_by(User.display_name)
        )

    @classmethod
    def is_contact_person(cls, user_id: int) -> bool:
        """Tell whether the user is the contact person of someone living in a flat now."""
        return cls.contact_people().where(User.id == user_id).exists()

    @classmethod
    def contact_people_named(cls, text: str, limit: int = 20):
        """The contact persons of current residents whose name holds ``text``, by name, at
        most ``limit``: the filter box's suggestions as one types."""
        found = cls.contact_people()
        if text.strip():
            found = found.where(User.id.in_(cls.of_contact_named(text)))
        return found.limit(limit)

    @classmethod
    def of_contact_named(cls, text: str):
        """Ids of the contact persons whose name holds ``text``, as a query for a filter."""
        return User.select(User.id).where(User.display_name.contains(text.strip()))

    def save(self, *args, **kwargs):
        """Save; a new tenancy gets its payment reference, which is made from its id."""
        created = self.id is None
        result = super().save(*args, **kwargs)
        if created and not self.payment_reference:
            self.payment_reference = ocr.reference_for(self.id)
            Tenancy.update(payment_reference=self.payment_reference).where(
                Tenancy.id == self.id
            ).execute()
        return result

    @classmethod
    def with_people(cls):
        """Tenancies with their flat, resident (referral) and contact person: one query."""
        return (
            cls.select(cls, Flat, Referral, User)
            .join(Flat, on=(cls.flat == Flat.id))
            .switch(cls)
            .join(Referral, on=(cls.referral == Referral.id))
            .switch(cls)
            .join(User, on=(cls.contact_person == User.id))
        )

    @classmethod
    def listed_with_people(cls):
        """``with_people`` for a list of many: of the flat, the person and the contact
        person only what a list draws (the address and district; the name and what the
        record rule reads; the name). Reading every column of four tables for each row
        took a third of the residents list's time."""
        return (
            cls.select(
                cls,
                Flat.id,
                Flat.address,
                Flat.district,
                Referral.id,
                Referral.first_name,
                Referral.last_name,
                *Referral.record_rule_columns(),
                User.id,
                User.display_name,
            )
            .join(Flat, on=(cls.flat == Flat.id))
            .switch(cls)
            .join(Referral, on=(cls.referral == Referral.id))
            .switch(cls)
            .join(User, on=(cls.contact_person == User.id))
        )


class MoveInDateChange(StateChange, BaseModel):
    """The agreed move-in day of an accepted match changed: from, to, who, when and why."""

    COLUMNS = ("match", "from_date", "to_date")

    match = ForeignKeyField(Match, backref="date_changes", on_delete="CASCADE")
    from_date = DateField()
    to_date = DateField()
    changed_at = MomentField(default=clock.now)
    changed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    reason = TextField()


# The database, not only the views, keeps a flat and a referral to one open
# match each, and a flat to one active tenancy: two racing proposals end in
# one match and one IntegrityError.
OPEN_MATCH = Match.status.in_(MatchStatus.OPEN)
Match.add_index(Match.flat, unique=True, where=OPEN_MATCH, name="match_one_open_per_flat")
Match.add_index(Match.referral, unique=True, where=OPEN_MATCH, name="match_one_open_per_referral")
Tenancy.add_index(
    Tenancy.flat, unique=True, where=Tenancy.end_date.is_null(), name="tenancy_one_active_per_flat"
)

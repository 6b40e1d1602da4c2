"""Flats offered by landlords, their acquisition status, equipping and move-out checklists."""

import datetime as dt
from decimal import Decimal

from peewee import (
    JOIN,
    SQL,
    BooleanField,
    Case,
    CharField,
    DateField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from .. import clock
from .accounts import User
from .base import BaseModel, MomentField, StateChange
from .landlords import Landlord


class FlatStatus:
    """Where a flat is on its way from offer to ready, and back after a move-out."""

    OFFERED = "offered"
    VIEWED = "viewed"
    CONTRACTED = "contracted"
    EQUIPPING = "equipping"
    READY = "ready"
    # A resident has moved out: the caretaker's move-out checklist is under way.
    MOVED_OUT = "moved_out"
    REJECTED = "rejected"
    RETURNED = "returned"
    # The resident took over the lease: the flat left the unit's stock.
    TRANSFERRED = "transferred"

    FLOW = (OFFERED, VIEWED, CONTRACTED, EQUIPPING, READY)
    ALL = FLOW + (MOVED_OUT, REJECTED, RETURNED, TRANSFERRED)
    # Statuses in which the unit holds the lease and pays the rent.
    LEASED = (CONTRACTED, EQUIPPING, READY, MOVED_OUT)


class FlatKind:
    TRAINING = "training"
    TRIAL = "trial"
    SUPPORTED = "supported"

    ALL = (TRAINING, TRIAL, SUPPORTED)


class Flat(BaseModel):
    """A flat a landlord offers or leases to the unit."""

    landlord = ForeignKeyField(Landlord, backref="flats", on_delete="RESTRICT")
    address = CharField(max_length=200)
    postcode = CharField(max_length=6)
    # The postal town of the address ("Hässelby"); empty for flats registered before it was
    # asked for, until someone adds it.
    postal_town = CharField(max_length=100, default="")
    district = CharField(max_length=100, index=True)
    rooms = IntegerField()
    size_m2 = DecimalField(max_digits=6, decimal_places=1)
    floor = IntegerField()
    elevator = BooleanField(default=False)
    rent_to_landlord = DecimalField(max_digits=10, decimal_places=2)
    rent_to_resident = DecimalField(max_digits=10, decimal_places=2)
    kind = CharField(max_length=20, default=FlatKind.TRAINING)
    lease_start = DateField(null=True)
    lease_end = DateField(null=True)
    notice_months = IntegerField(default=3)
    status = CharField(max_length=20, default=FlatStatus.OFFERED, index=True)
    status_changed_at = MomentField(default=clock.now)
    ready_since = DateField(null=True)
    # The caretaker's equipping checklist; the first three are the flat's equipment, which a
    # move-out checklist names as missing or broken.
    has_furniture = BooleanField(default=False)
    has_kitchenware = BooleanField(default=False)
    has_bedding = BooleanField(default=False)
    keys_handed_over = BooleanField(default=False)
    key_count = IntegerField(null=True)
    inspection_done = BooleanField(default=False)
    note = TextField(default="")
    created_at = MomentField(default=clock.now)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    revision = IntegerField(default=1)

    def checklist_complete(self) -> bool:
        """Tell whether every item of the equipping checklist is done."""
        return (
            self.has_furniture
            and self.has_kitchenware
            and self.has_bedding
            and self.keys_handed_over
            and bool(self.key_count)
            and self.inspection_done
        )

    def daily_rent(self) -> Decimal:
        """What one day of the flat costs the unit: monthly rent × 12 / 365."""
        return (Decimal(self.rent_to_landlord) * 12 / 365).quantize(Decimal("0.01"))

    def days_vacant(self, today: dt.date | None = None, since: dt.date | None = None):
        """Days a ready flat has stood empty up to ``today``, counted from the day it was
        ready, or from ``since`` when that is later (the days of this month, say); None when
        it is not ready."""
        if self.status != FlatStatus.READY or self.ready_since is None:
            return None
        # The days from ``since`` are the days since ready less those before ``since``, so
        # this month's cost and the cost before it add up to the cost since ready.
        start = self.ready_since if since is None else max(self.ready_since, since)
        return max(0, ((today or clock.today()) - start).days)

    def vacancy_cost(self, today: dt.date | None = None, since: dt.date | None = None):
        """What the empty days have cost: rent to the landlord per day × the days vacant
        (``days_vacant``). Every page's vacancy cost is this, for all the empty days or,
        where the page says so, from ``since``."""
        days = self.days_vacant(today, since)
        return None if days is None else self.daily_rent() * days

    @classmethod
    def vacancy_totals(cls, flats, today: dt.date | None = None, since: dt.date | None = None):
        """How many of ``flats`` (a query of flats) there are, and their ``vacancy_cost``
        summed: read as one row per status, rent and first day counted, each costing what one
        of its flats does by ``vacancy_cost``, so a city's hundreds of empty flats are a few
        dozen rows and the rule stays the one above."""
        first = cls.ready_since
        if since is not None:
            first = Case(None, [(cls.ready_since < since, since)], cls.ready_since)
        groups = flats.select(
            cls.status, cls.rent_to_landlord, first.alias("counted_from"), fn.COUNT(cls.id)
        ).group_by(cls.status, cls.rent_to_landlord, SQL('"counted_from"'))
        count, total = 0, Decimal(0)
        for status, rent, day, n in groups.tuples():
            flat = cls(
                status=status, rent_to_landlord=rent, ready_since=cls.ready_since.python_value(day)
            )
            count += n
            total += (flat.vacancy_cost(today, since) or Decimal(0)) * n
        return count, total


class FlatStatusChange(StateChange, BaseModel):
    """One change of a flat's status, with who made it and why."""

    COLUMNS = ("flat", "from_status", "to_status")

    flat = ForeignKeyField(Flat, backref="status_changes", on_delete="CASCADE")
    from_status = CharField(max_length=20, null=True)
    to_status = CharField(max_length=20)
    changed_at = MomentField(default=clock.now, index=True)
    changed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    note = TextField(default="")


class MoveOutChecklist(BaseModel):
    """The caretaker's checklist after a move-out: keys back, the inspection with any damage,
    cleaning, and which of the flat's equipment is missing or broken. One per move-out; the
    open one (not finished) belongs to a flat waiting in ``FlatStatus.MOVED_OUT``."""

    flat = ForeignKeyField(Flat, backref="move_out_checklists", on_delete="CASCADE")
    opened_at = MomentField(default=clock.now)
    # How many keys the flat had when the resident moved out (its equipping checklist's
    # count), to compare with those returned; None when the flat recorded no count.
    keys_expected = IntegerField(null=True)
    keys_returned = BooleanField(default=False)
    key_count = IntegerField(null=True)
    inspection_done = BooleanField(default=False)
    damage = TextField(default="")
    cleaned = BooleanField(default=False)
    missing_furniture = BooleanField(default=False)
    missing_kitchenware = BooleanField(default=False)
    missing_bedding = BooleanField(default=False)
    finished_at = MomentField(null=True)
    finished_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")

    def keys_missing(self) -> int:
        """How many of the flat's keys did not come back (0 when its count is not known)."""
        if self.keys_expected is None or self.key_count is None:
            return 0
        return max(0, self.keys_expected - self.key_count)

    @classmethod
    def opened(cls, flat: Flat, at) -> "MoveOutChecklist":
        """A new (unsaved) checklist for ``flat`` as it stands at its move-out: the keys to
        expect back are those its equipping checklist counted."""
        expected = flat.key_count if flat.keys_handed_over else None
        return cls(flat=flat.id, opened_at=at, keys_expected=expected)

    @classmethod
    def open_for(cls, flat_id: int):
        """The flat's checklist under way, or None."""
        return cls.select().where((cls.flat == flat_id) & cls.finished_at.is_null()).first()

    @classmethod
    def finished_for(cls, flat_id: int, limit: int = 10):
        """The flat's finished checklists, newest first, with who finished each (one query)."""
        return (
            cls.select(cls, User)
            .join(User, JOIN.LEFT_OUTER, on=(cls.finished_by == User.id))
            .where((cls.flat == flat_id) & cls.finished_at.is_null(False))
            .order_by(cls.finished_at.desc(), cls.id.desc())
            .limit(limit)
        )


# The database, not only the service, keeps a flat to one move-out checklist under way.
MoveOutChecklist.add_index(
    MoveOutChecklist.flat,
    unique=True,
    where=MoveOutChecklist.finished_at.is_null(),
    name="move_out_checklist_one_open_per_flat",
)

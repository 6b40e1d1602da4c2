"""Flats offered by landlords, their acquisition status and equipping checklist."""

import datetime as dt
from decimal import Decimal

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .. import clock
from .accounts import User
from .base import BaseModel, MomentField, StateChange
from .landlords import Landlord


class FlatStatus:
    """Where a flat is on its way from offer to ready."""

    OFFERED = "offered"
    VIEWED = "viewed"
    CONTRACTED = "contracted"
    EQUIPPING = "equipping"
    READY = "ready"
    REJECTED = "rejected"
    RETURNED = "returned"

    FLOW = (OFFERED, VIEWED, CONTRACTED, EQUIPPING, READY)
    ALL = FLOW + (REJECTED, RETURNED)
    # Statuses in which the unit holds the lease and pays the rent.
    LEASED = (CONTRACTED, EQUIPPING, READY)


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
    # The caretaker's equipping checklist.
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

    def days_vacant(self, today: dt.date | None = None) -> int | None:
        """Days a ready flat has stood empty (None when it is not ready)."""
        if self.status != FlatStatus.READY or self.ready_since is None:
            return None
        return max(0, ((today or clock.today()) - self.ready_since).days)

    def vacancy_cost(self, today: dt.date | None = None) -> Decimal | None:
        """What the empty days have cost: rent to the landlord per day × days vacant."""
        days = self.days_vacant(today)
        return None if days is None else self.daily_rent() * days


class FlatStatusChange(StateChange, BaseModel):
    """One change of a flat's status, with who made it and why."""

    COLUMNS = ("flat", "from_status", "to_status")

    flat = ForeignKeyField(Flat, backref="status_changes", on_delete="CASCADE")
    from_status = CharField(max_length=20, null=True)
    to_status = CharField(max_length=20)
    changed_at = MomentField(default=clock.now, index=True)
    changed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    note = TextField(default="")

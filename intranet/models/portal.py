"""Cases between landlords and the unit, and invitations for landlord users."""

from peewee import CharField, ForeignKeyField, TextField

from .. import clock
from .accounts import User
from .base import BaseModel, MomentField
from .flats import Flat
from .landlords import Landlord


class CaseKind:
    FAULT = "fault"
    INSPECTION = "inspection"
    CONTRACT = "contract"
    OTHER = "other"

    ALL = (FAULT, INSPECTION, CONTRACT, OTHER)


class Case(BaseModel):
    """A matter about one unit, raised by the landlord or by the unit, with a thread of replies."""

    landlord = ForeignKeyField(Landlord, backref="cases", on_delete="RESTRICT")
    flat = ForeignKeyField(Flat, backref="cases", on_delete="RESTRICT")
    kind = CharField(max_length=20)
    text = TextField()
    status = CharField(max_length=10, default="open", index=True)
    opened_by = ForeignKeyField(User, on_delete="RESTRICT")
    opened_at = MomentField(default=clock.now)
    closed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    closed_at = MomentField(null=True)


class CaseReply(BaseModel):
    """One message in a case's thread."""

    case = ForeignKeyField(Case, backref="replies", on_delete="CASCADE")
    author = ForeignKeyField(User, on_delete="RESTRICT")
    text = TextField()
    written_at = MomentField(default=clock.now)


class Invitation(BaseModel):
    """A single-use, time-limited link with which a landlord's person sets a password."""

    landlord = ForeignKeyField(Landlord, backref="invitations", on_delete="RESTRICT")
    email = CharField(max_length=254)
    display_name = CharField(max_length=200)
    token_hash = CharField(max_length=64, unique=True)
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = MomentField(default=clock.now)
    expires_at = MomentField()
    used_at = MomentField(null=True)
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT")

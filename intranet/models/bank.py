"""Bank files imported: each file, and each payment or deduction in it with what became of it."""

from peewee import (
    CharField,
    DateField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .. import clock
from .accounts import User
from .base import BaseModel, MomentField
from .referrals import Tenancy
from .rent import Payment


class ImportStatus:
    # Read and shown, nothing registered yet.
    PREVIEW = "preview"
    IMPORTED = "imported"
    # A preview put away with a reason, nothing registered.
    DISCARDED = "discarded"

    ALL = (PREVIEW, IMPORTED, DISCARDED)


class EntryState:
    """What became of one payment or deduction of a file."""

    MATCHED = "matched"  # its reference names a tenancy
    UNMATCHED = "unmatched"  # no tenancy yet: assign it by hand, or leave it for later
    ASSIGNED = "assigned"  # assigned to a tenancy by hand, in the preview
    ALREADY_IMPORTED = "already_imported"  # an earlier file (or this one) had it
    REGISTERED = "registered"  # a payment on the resident's rent
    REVERSED = "reversed"  # a deduction that reversed an earlier imported payment
    REFUSED = "refused"  # the rules refused it; ``note`` says why
    SKIPPED = "skipped"  # not money paid to the unit (a debit, not booked); ``reason`` says
    SET_ASIDE = "set_aside"  # not rent (a supplier's refund, a gift): a person said why

    OPEN = (UNMATCHED,)
    TO_REGISTER = (MATCHED, ASSIGNED)
    ALL = (
        MATCHED,
        UNMATCHED,
        ASSIGNED,
        ALREADY_IMPORTED,
        REGISTERED,
        REVERSED,
        REFUSED,
        SKIPPED,
        SET_ASIDE,
    )


class BankImport(BaseModel):
    """One bank file read: who brought it, when, its totals, and whether it is registered."""

    file_name = CharField(max_length=255)
    sha256 = CharField(max_length=64, index=True)
    format = CharField(max_length=10)
    # None: the nightly ``flask rent import``.
    imported_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    created_at = MomentField(default=clock.now, index=True)
    confirmed_at = MomentField(null=True)
    status = CharField(max_length=20, default=ImportStatus.PREVIEW)
    payment_count = IntegerField(default=0)
    payment_total = DecimalField(max_digits=14, decimal_places=2, default=0)
    deduction_count = IntegerField(default=0)
    deduction_total = DecimalField(max_digits=14, decimal_places=2, default=0)
    matched = IntegerField(default=0)
    unmatched = IntegerField(default=0)
    already_imported = IntegerField(default=0)
    refused = IntegerField(default=0)
    # Not money paid to the unit (skipped), or set aside as not rent by a person.
    skipped = IntegerField(default=0)
    # What the reader read past, one line each (a record type it does not know).
    ignored = TextField(default="")
    # Why a preview was discarded.
    discard_reason = TextField(default="")


class BankEntry(BaseModel):
    """A payment or deduction of an imported file, and the payment it registered or reversed.

    ``bank_key`` (the format and the bank's reference) is set once the file is imported and
    is unique in the database: the same transaction, in the same file or a later one, is
    never registered twice.
    """

    bank_import = ForeignKeyField(BankImport, backref="entries", on_delete="CASCADE")
    line = IntegerField()
    part = IntegerField(default=0)
    format = CharField(max_length=10)
    bank_reference = CharField(max_length=150)
    bank_key = CharField(max_length=160, null=True, unique=True)
    paid_on = DateField()
    amount = DecimalField(max_digits=10, decimal_places=2)
    reference = CharField(max_length=140, default="")
    payer = CharField(max_length=140, default="")
    kind = CharField(max_length=20)
    reason = TextField(default="")
    # A BgMax payment's credit notes taken off it in its deposit: the sum, and each part as
    # "amount:code" (0 whole, 1 partial with a remainder left, 2 the final part).
    deducted = DecimalField(max_digits=10, decimal_places=2, default=0)
    credit_notes = CharField(max_length=200, default="")
    # Further references the bank gave (BgMax record 22), space-separated.
    extra_references = CharField(max_length=300, default="")
    tenancy = ForeignKeyField(Tenancy, null=True, backref="bank_entries", on_delete="RESTRICT")
    payment = ForeignKeyField(Payment, null=True, backref="bank_entries", on_delete="RESTRICT")
    state = CharField(max_length=20)
    note = TextField(default="")

    class Meta:
        indexes = ((("bank_import", "state"), False),)

    @property
    def position(self) -> str:
        """The line as people read it: ``12``, or ``12.2`` for a camt entry's 2nd part."""
        return f"{self.line}.{self.part}" if self.part else str(self.line)

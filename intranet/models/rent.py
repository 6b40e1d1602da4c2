"""Monthly rent charges, payments and their reversals, rent money, the routine's checkpoints."""

from peewee import (
    CharField,
    DateField,
    DecimalField,
    ForeignKeyField,
    TextField,
)

from .. import clock
from .accounts import User
from .base import BaseModel, MomentField
from .referrals import Tenancy


class PaymentMethod:
    BANK = "bank_transfer"
    SWISH = "swish"
    CASH = "cash"
    RENT_MONEY = "rent_money"

    ALL = (BANK, SWISH, CASH, RENT_MONEY)


class RentCharge(BaseModel):
    """One tenancy's rent for one month, created once when the month is opened."""

    tenancy = ForeignKeyField(Tenancy, backref="charges", on_delete="RESTRICT")
    month = DateField()
    amount = DecimalField(max_digits=10, decimal_places=2)
    due_on = DateField()
    created_at = MomentField(default=clock.now)

    class Meta:
        indexes = ((("tenancy", "month"), True), (("month",), False))


class Payment(BaseModel):
    """A resident's payment; a mistaken one is reversed, never deleted. Where its money went
    is in its allocations (``rent/ledger.py``); ``charge`` is the month it was entered on."""

    tenancy = ForeignKeyField(Tenancy, backref="payments", on_delete="RESTRICT")
    charge = ForeignKeyField(RentCharge, backref="payments", on_delete="RESTRICT")
    paid_on = DateField()
    amount = DecimalField(max_digits=10, decimal_places=2)
    method = CharField(max_length=20)
    # None: registered by the nightly ``flask rent import`` of the bank's file.
    registered_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    registered_at = MomentField(default=clock.now)
    # The form's one-time key: a double click registers one payment, not two.
    request_key = CharField(max_length=64, unique=True)
    reversed_at = MomentField(null=True)
    reversed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    reversal_reason = TextField(default="")


class RentMoney(BaseModel):
    """The unit paid the resident rent money, where the commissioner's daily fee covers the rent."""

    charge = ForeignKeyField(RentCharge, backref="rent_money", on_delete="RESTRICT")
    paid_on = DateField()
    amount = DecimalField(max_digits=10, decimal_places=2)
    registered_by = ForeignKeyField(User, on_delete="RESTRICT")
    registered_at = MomentField(default=clock.now)


class Checkpoint(BaseModel):
    """A step of the 1st/5th/15th routine done for a month: reminder, visit or meeting."""

    charge = ForeignKeyField(RentCharge, backref="checkpoints", on_delete="RESTRICT")
    kind = CharField(max_length=20)
    done_at = MomentField(default=clock.now)
    done_by = ForeignKeyField(User, on_delete="RESTRICT")
    note = TextField(default="")
    plan = TextField(default="")

    class Meta:
        indexes = ((("charge", "kind"), True),)


class RepaymentPlan(BaseModel):
    """A debt agreed to be paid back in instalments, made at the 15th's meeting: the debt of
    the months it names (``months``), which payments then pay by its instalments."""

    tenancy = ForeignKeyField(Tenancy, backref="repayment_plans", on_delete="RESTRICT")
    debt = DecimalField(max_digits=10, decimal_places=2)
    note = TextField(default="")
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = MomentField(default=clock.now)


class Instalment(BaseModel):
    """One instalment of a repayment plan. It is kept when the plan's money by its due day
    reaches the instalments due by then; payments, not a tick, say so (``ledger_rules``)."""

    plan = ForeignKeyField(RepaymentPlan, backref="instalments", on_delete="CASCADE")
    due_on = DateField()
    amount = DecimalField(max_digits=10, decimal_places=2)


class PlanMonth(BaseModel):
    """A month whose debt a repayment plan covers; a month is in one plan at most."""

    plan = ForeignKeyField(RepaymentPlan, backref="months", on_delete="RESTRICT")
    charge = ForeignKeyField(RentCharge, unique=True, backref="plan_months", on_delete="RESTRICT")


class CommissionerNotice(BaseModel):
    """The notice to the commissioner about unpaid rent, and when it was sent."""

    tenancy = ForeignKeyField(Tenancy, backref="notices", on_delete="RESTRICT")
    month = DateField()
    text = TextField()
    sent_on = DateField()
    sent_by = ForeignKeyField(User, on_delete="RESTRICT")


class Allocation(BaseModel):
    """So much of a payment held by a month's charge, or (no charge) credit that the next
    month opened takes; dated by the day the money was paid. Written by ``rent/ledger.py``
    only; a reversed payment's allocations are deleted with the reversal recorded."""

    payment = ForeignKeyField(Payment, backref="allocations", on_delete="RESTRICT")
    tenancy = ForeignKeyField(Tenancy, on_delete="RESTRICT")
    charge = ForeignKeyField(RentCharge, null=True, backref="allocations", on_delete="RESTRICT")
    amount = DecimalField(max_digits=10, decimal_places=2)
    day = DateField()
    reason = CharField(max_length=20)

    class Meta:
        indexes = ((("tenancy", "charge"), False), (("charge",), False))


class AllocationMove(BaseModel):
    """The manager moved so much of a payment's money from one month (None: credit) to
    another (None: credit), with a reason; the allocations follow (``rent/ledger.py``)."""

    payment = ForeignKeyField(Payment, backref="moves", on_delete="RESTRICT")
    tenancy = ForeignKeyField(Tenancy, on_delete="RESTRICT")
    from_charge = ForeignKeyField(RentCharge, null=True, backref="moves_out", on_delete="RESTRICT")
    to_charge = ForeignKeyField(RentCharge, null=True, backref="moves_in", on_delete="RESTRICT")
    amount = DecimalField(max_digits=10, decimal_places=2)
    reason = TextField()
    moved_by = ForeignKeyField(User, on_delete="RESTRICT")
    moved_at = MomentField(default=clock.now)


class ChargeChange(BaseModel):
    """A month already opened took a new amount (a move-out makes it pro rata), with when
    and why; the ledger replays it where it happened (``rent/ledger.py``)."""

    charge = ForeignKeyField(RentCharge, backref="changes", on_delete="RESTRICT")
    tenancy = ForeignKeyField(Tenancy, on_delete="RESTRICT")
    old_amount = DecimalField(max_digits=10, decimal_places=2)
    new_amount = DecimalField(max_digits=10, decimal_places=2)
    reason = TextField()
    changed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    changed_at = MomentField(default=clock.now)


class RentMonth(BaseModel):
    """A month's money as every page reads it, rewritten by ``rent/ledger.py`` in the same
    transaction as any write to the month's charge or allocations: charged, paid by the due
    day, paid by the 15th, paid in all, and the day it was paid in full."""

    charge = ForeignKeyField(RentCharge, unique=True, backref="summaries", on_delete="RESTRICT")
    tenancy = ForeignKeyField(Tenancy, on_delete="RESTRICT")
    month = DateField()
    due_on = DateField()
    charged = DecimalField(max_digits=10, decimal_places=2)
    paid_by_due = DecimalField(max_digits=10, decimal_places=2, default=0)
    paid_by_limit = DecimalField(max_digits=10, decimal_places=2, default=0)
    paid_total = DecimalField(max_digits=10, decimal_places=2, default=0)
    settled_on = DateField(null=True)

    class Meta:
        indexes = ((("month",), False), (("tenancy", "month"), False))

"""Where a resident's money goes, and what a month's group is: the ledger's two rules, as
pure functions over amounts and dates (no database), so that a preview, an import, the
board and the tests all ask the same code.

Amounts are ``Decimal`` kronor to the öre; nothing here rounds or uses floats.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from . import rules

ZERO = Decimal(0)

# Why a share of a payment went where it went, as the allocation records it.
OLDEST_UNPAID = "oldest_unpaid"
PLAN_INSTALMENT = "plan_instalment"
CREDIT = "credit"
MOVED = "moved"  # moved to this month by the manager, with a reason
# The money a repayment plan counts as its own: paid to it by the rule, or moved to it.
PLAN_MONEY = (PLAN_INSTALMENT, MOVED)

# What can happen in a tenancy's money, in the order things at the same moment are replayed.
OPEN, PAY, REVERSE, PLAN, MOVE, RECHARGE = 0, 1, 2, 3, 4, 5


@dataclass(frozen=True)
class OpenCharge:
    """A month's charge with what is still owed on it."""

    id: int
    month: dt.date
    owed: Decimal
    plan_id: int | None = None  # its debt is in this repayment plan


@dataclass(frozen=True)
class PlanState:
    """A repayment plan: its instalments [(due_on, amount)] and the money it has kept."""

    id: int
    instalments: tuple
    kept: Decimal = ZERO

    def due_by(self, day: dt.date) -> Decimal:
        """What the plan asks for by ``day``: the instalments due by then, less what it kept."""
        asked = sum((amount for due_on, amount in self.instalments if due_on <= day), ZERO)
        return max(ZERO, asked - self.kept)


@dataclass(frozen=True)
class Share:
    """One part of a payment: the charge (None: credit) and month it pays, and why."""

    charge_id: int | None
    month: dt.date | None
    amount: Decimal
    reason: str


@dataclass
class _Purse:
    left: Decimal
    shares: list = field(default_factory=list)

    def pay(self, charge: OpenCharge, most: Decimal, reason: str) -> Decimal:
        amount = min(self.left, charge.owed, most)
        if amount > 0:
            self.shares.append(Share(charge.id, charge.month, amount, reason))
            self.left -= amount
        return amount


def allocate(charges, plans, amount, paid_on: dt.date) -> list[Share]:
    """Where ``amount`` paid on ``paid_on`` goes, given the tenancy's open ``charges`` and
    repayment ``plans``.

    1. Unpaid months outside any repayment plan, oldest first: Swedish landlords apply a
       payment to the oldest debt, and a month left unpaid behind a newer one would
       otherwise grow into the debt that starts an eviction.
    2. The instalments of each plan that have fallen due by the payment's day, up to what
       the plan still asks for; the plan's money settles its months oldest first. Debt in
       a plan is paid as agreed at the 15th's meeting, not swept up by the month's rent.
    3. What is left is credit, dated by the payment, which the next month's charge takes
       when that month is opened (so rent paid on 28 November for December is on time).
    """
    purse = _Purse(Decimal(amount))
    by_month = sorted(charges, key=lambda c: (c.month, c.id))
    for charge in by_month:
        if charge.plan_id is None:
            purse.pay(charge, charge.owed, OLDEST_UNPAID)
    for plan in sorted(plans, key=lambda p: p.id):
        asked = plan.due_by(paid_on)
        for charge in by_month:
            if charge.plan_id == plan.id and asked > 0:
                asked -= purse.pay(charge, asked, PLAN_INSTALMENT)
    if purse.left > 0:
        purse.shares.append(Share(None, None, purse.left, CREDIT))
    return purse.shares


# More months' rent than this in one payment is asked about (the board) or flagged (a bank file).
LARGE_PAYMENT_MONTHS = 3


def is_large(amount, monthly_rent) -> bool:
    """Whether one payment is more than three months' rent: more often a slip of the keyboard
    (1 000 000 for 6 600) or money meant for someone else than rent paid ahead, so a person
    looks before it is saved as months of credit."""
    return Decimal(amount) > LARGE_PAYMENT_MONTHS * Decimal(monthly_rent)


KEPT, PAID_LATER, MISSED, COMING = "kept", "paid_later", "missed", "coming"


@dataclass(frozen=True)
class InstalmentState:
    """An instalment as the plan's money says: kept (by its due day), paid later, missed
    (its day passed short) or coming; and what is still to pay of it."""

    due_on: dt.date
    amount: Decimal
    left: Decimal
    state: str


def instalment_states(instalments, plan_money, today: dt.date) -> list[InstalmentState]:
    """Each instalment [(due_on, amount)] of a plan, given the plan's money [(day, amount)].

    An instalment is kept when the plan's money paid by its due day reaches the sum of the
    instalments due by then; what a plan has received pays its instalments oldest first.
    """
    total = sum((Decimal(a) for _d, a in plan_money), ZERO)
    asked, states = ZERO, []
    for due_on, amount in sorted(instalments):
        amount = Decimal(amount)
        asked += amount
        by_due = sum((Decimal(a) for d, a in plan_money if d <= due_on), ZERO)
        left = min(amount, max(ZERO, asked - total))
        if by_due >= asked:
            state = KEPT
        elif left == 0:
            state = PAID_LATER
        else:
            state = MISSED if today > due_on else COMING
        states.append(InstalmentState(due_on, amount, left, state))
    return states


def late_limit(month: dt.date, due_on: dt.date) -> dt.date:
    """Paid in full by this day a month is late rather than not paid: the 15th, or the due
    day itself for a first month that falls due after the 15th (a move-in on the 20th)."""
    return max(rules.late_limit(month), due_on)


def month_group(
    charged: Decimal,
    paid_by_due: Decimal,
    paid_by_limit: Decimal,
    paid_total: Decimal,
    month: dt.date,
    due_on: dt.date,
    today: dt.date,
) -> str:
    """A month's group from the money allocated to it, summed by the day it was paid.

    Paid in full by the due day is on time, by the 15th late; short after the 15th it is
    not paid, and money dated later settles the debt without changing that, since the
    routine measures the month on its 15th. Before then a month is partly or not yet paid.
    """
    if charged <= 0 or paid_by_due >= charged:
        return rules.PAID_ON_TIME
    if paid_by_limit >= charged:
        return rules.PAID_LATE
    if today > late_limit(month, due_on):
        return rules.NOT_PAID
    return rules.PARTLY_PAID if paid_total > 0 else rules.NOT_YET_PAID


def plannable(owed, due_on: dt.date, plan_id, today: dt.date) -> bool:
    """Whether a repayment plan may take over a month's debt: it still owes, its due day has
    passed, and no other plan has it."""
    return owed > 0 and due_on < today and plan_id is None


def checkpoint_day(month: dt.date, kind: str) -> dt.date:
    """The day of the month a checkpoint of the routine falls on: the 1st, 5th or 15th."""
    return month.replace(day=rules.CHECKPOINTS[kind])


def owes(sums: "MonthSums", today: dt.date) -> bool:
    """Whether part of the month is still unpaid ``today``."""
    return sums.charged > 0 and (sums.settled_on is None or sums.settled_on > today)


def checkpoint_state(
    sums: "MonthSums", kind: str, moved_out: dt.date | None, today: dt.date, in_plan=False
) -> str:
    """What a checkpoint of the routine asks for a month, not counting one already done:
    'later' before its day; 'not_needed' when the day falls on or before the month's due
    day (a move-in after the 1st), after a move-out, when the month's debt is in a
    repayment plan (agreed already), or when nothing is owed today; otherwise 'due'.
    Paying before staff act takes a resident off the list."""
    day = checkpoint_day(sums.month, kind)
    if today < day:
        return "later"
    if day <= sums.due_on or (moved_out is not None and moved_out < day) or in_plan:
        return "not_needed"
    return "due" if owes(sums, today) else "not_needed"


@dataclass
class Allocation:
    """So much of a payment, paid on ``day``, held by a charge (None: credit)."""

    payment_id: int
    charge_id: int | None
    amount: Decimal
    day: dt.date
    reason: str
    id: int | None = None  # the stored row's, once stored


@dataclass
class Charge:
    """A month's charge as the book keeps it."""

    id: int
    month: dt.date
    amount: Decimal
    due_on: dt.date
    plan_id: int | None = None


class Book:
    """One tenancy's ledger in memory, built by replaying what happened in order: months
    opened, payments, reversals, repayment plans. The stored ledger is checked against it,
    and the tests state the rules through it."""

    def __init__(self):
        self.charges: dict[int, Charge] = {}
        self.allocations: list[Allocation] = []
        self.plans: dict[int, tuple] = {}

    @classmethod
    def replay(cls, events) -> "Book":
        """The book that what happened makes: ``events`` are (moment, kind, key, detail),
        kind ``OPEN`` (key: the charge; detail: month, amount, due_on), ``PAY`` (key: the
        payment; detail: amount, paid_on), ``REVERSE`` (key: the payment), ``PLAN`` (key:
        the plan; detail: its charges and instalments), ``MOVE`` (key: the move; detail:
        payment, from charge, to charge, amount) or ``RECHARGE`` (key: the change; detail:
        the charge, its new amount). Things at the same moment are replayed opened first,
        then paid, reversed, planned, moved and recharged, each by key."""
        book = cls()
        for _when, kind, key, detail in sorted(events, key=lambda e: e[:3]):
            if kind == OPEN:
                book.open(key, *detail)
            elif kind == PAY:
                book.pay(key, *detail)
            elif kind == REVERSE:
                book.reverse(key)
            elif kind == PLAN:
                book.add_plan(key, *detail)
            elif kind == MOVE:
                book.move(*detail)
            else:
                book.recharge(*detail)
        return book

    # ---- what happened -------------------------------------------------------------

    def open(self, charge_id: int, month: dt.date, amount, due_on: dt.date) -> None:
        """A month is opened: its charge takes the credit there is, oldest payment first,
        each krona dated by the day it was paid."""
        self.charges[charge_id] = Charge(charge_id, month, Decimal(amount), due_on)
        self.take_credit(charge_id)

    def take_credit(self, charge_id: int) -> None:
        """The charge takes the credit there is, oldest payment first."""
        for credit in sorted(self._credits(), key=lambda a: (a.day, a.payment_id)):
            owed = self.owed(charge_id)
            if owed <= 0:
                break
            taken = min(owed, credit.amount)
            credit.amount -= taken
            self.allocations.append(
                Allocation(credit.payment_id, charge_id, taken, credit.day, CREDIT)
            )

    def pay(self, payment_id: int, amount, paid_on: dt.date) -> list[Share]:
        """A payment arrives: ``allocate`` says where it goes."""
        shares = allocate(self.open_charges(), self.plan_states(), amount, paid_on)
        for share in shares:
            self.allocations.append(
                Allocation(payment_id, share.charge_id, share.amount, paid_on, share.reason)
            )
        return shares

    def reverse(self, payment_id: int) -> None:
        """A payment is reversed: its allocations go, and the months it paid are owed
        again; later payments keep theirs."""
        self.allocations = [a for a in self.allocations if a.payment_id != payment_id]

    def add_plan(self, plan_id: int, charge_ids, instalments) -> None:
        """A repayment plan takes over the debt of the months ``charge_ids``."""
        self.plans[plan_id] = tuple(sorted((day, Decimal(a)) for day, a in instalments))
        for charge_id in charge_ids:
            self.charges[charge_id].plan_id = plan_id

    def move(self, payment_id: int, from_charge, to_charge, amount) -> Decimal:
        """The manager moves so much of a payment's money from one month (None: credit) to
        another (None: credit), each krona keeping the day it was paid; a month takes no
        more than it still owes. Returns what was moved."""
        left = Decimal(amount)
        if to_charge is not None:
            left = min(left, self.owed(to_charge))
        moved = ZERO
        sources = [
            a for a in self.allocations if a.payment_id == payment_id and a.charge_id == from_charge
        ]
        for source in sorted(sources, key=lambda a: a.day):
            take = min(left - moved, source.amount)
            if take <= 0:
                break
            source.amount -= take
            moved += take
            self.allocations.append(
                Allocation(payment_id, to_charge, take, source.day, MOVED if to_charge else CREDIT)
            )
        return moved

    def recharge(self, charge_id: int, amount) -> None:
        """A month's charge changes (a move-out makes its last month pro rata): money it
        now holds beyond the new amount goes back to credit, the money paid last first,
        each krona keeping its day."""
        self.charges[charge_id].amount = Decimal(amount)
        excess = -self.owed(charge_id)
        if excess > 0:
            self.move_between(charge_id, None, excess)

    def move_between(self, from_charge, to_charge, amount) -> list[tuple[int, Decimal]]:
        """Move up to ``amount`` from one month (None: credit) to another (None: credit),
        the money paid last moving first; a month takes no more than it owes. Returns
        (payment, amount) for each payment whose money moved."""
        left = Decimal(amount)
        if to_charge is not None:
            left = min(left, self.owed(to_charge))
        held = [a for a in self.allocations if a.charge_id == from_charge and a.amount > 0]
        latest_first = sorted(held, key=lambda a: (a.day, a.payment_id), reverse=True)
        payments = list(dict.fromkeys(a.payment_id for a in latest_first))
        moves = []
        for payment_id in payments:
            moved = self.move(payment_id, from_charge, to_charge, left)
            if moved > 0:
                moves.append((payment_id, moved))
                left -= moved
            if left <= 0:
                break
        return moves

    # ---- what it says --------------------------------------------------------------

    def _credits(self) -> list[Allocation]:
        return [a for a in self.allocations if a.charge_id is None and a.amount > 0]

    def credit(self) -> Decimal:
        """Money paid that no month holds yet."""
        return sum((a.amount for a in self._credits()), ZERO)

    def held(self, charge_id: int) -> list[Allocation]:
        return [a for a in self.allocations if a.charge_id == charge_id]

    def owed(self, charge_id: int) -> Decimal:
        held = sum((a.amount for a in self.held(charge_id)), ZERO)
        return self.charges[charge_id].amount - held

    def open_charges(self) -> list[OpenCharge]:
        return [
            OpenCharge(c.id, c.month, self.owed(c.id), c.plan_id)
            for c in self.charges.values()
            if self.owed(c.id) > 0
        ]

    def plan_states(self) -> list[PlanState]:
        states = []
        for plan_id, instalments in self.plans.items():
            months = {c.id for c in self.charges.values() if c.plan_id == plan_id}
            kept = sum(
                (
                    a.amount
                    for a in self.allocations
                    if a.charge_id in months and a.reason in PLAN_MONEY
                ),
                ZERO,
            )
            states.append(PlanState(plan_id, instalments, kept))
        return states

    def summary(self, charge_id: int) -> "MonthSums":
        """The month's sums, as the stored summary keeps them."""
        charge = self.charges[charge_id]
        return MonthSums.of(charge, [(a.day, a.amount) for a in self.held(charge_id)])

    def group(self, charge_id: int, today: dt.date) -> str:
        return self.summary(charge_id).group(today)


@dataclass(frozen=True)
class MonthSums:
    """A month's money by the days that matter: the summary every page reads."""

    month: dt.date
    due_on: dt.date
    charged: Decimal
    paid_by_due: Decimal
    paid_by_limit: Decimal
    paid_total: Decimal
    settled_on: dt.date | None

    @classmethod
    def of(cls, charge, dated) -> "MonthSums":
        """From a charge (month, amount, due_on) and the money it holds [(day, amount)]."""
        limit = late_limit(charge.month, charge.due_on)
        running, settled_on = ZERO, None
        for day, amount in sorted(dated):
            running += amount
            if settled_on is None and running >= charge.amount:
                settled_on = day
        return cls(
            charge.month,
            charge.due_on,
            charge.amount,
            sum((a for d, a in dated if d <= charge.due_on), ZERO),
            sum((a for d, a in dated if d <= limit), ZERO),
            running,
            settled_on,
        )

    @property
    def balance(self) -> Decimal:
        return self.charged - self.paid_total

    def group(self, today: dt.date) -> str:
        return month_group(
            self.charged,
            self.paid_by_due,
            self.paid_by_limit,
            self.paid_total,
            self.month,
            self.due_on,
            today,
        )

"""The rent ledger: the only module that writes payments, their allocations and the month
summaries every page reads. Its rules are ``ledger_rules``; this module loads a tenancy's
money into a ``Book``, lets the rules act, and stores what changed, in the caller's
transaction (or its own).

Every write here ends with ``_refresh`` of the months it touched, so a month's summary
always equals what its charge and allocations say; ``verify`` checks that for every month.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from peewee import JOIN, BigIntegerField, IntegerField, Model, chunked, fn

from .. import cache, clock
from ..database import for_update, write_transaction
from ..extensions import db
from ..models import (
    Allocation,
    AllocationMove,
    ChargeChange,
    Instalment,
    Payment,
    PlanMonth,
    RentCharge,
    RentMonth,
    RepaymentPlan,
    Tenancy,
)
from . import ledger_rules
from .ledger_rules import MOVE, OPEN, PAY, PLAN, RECHARGE, REVERSE, Book, MonthSums, Share

CHUNK = 500


class _LedgerStamp(Model):
    """How many times a tenancy's month summaries have been written, as the database's
    triggers count them (migration 0027)."""

    tenancy_id = IntegerField(primary_key=True)
    stamp = BigIntegerField()

    class Meta:
        database = db
        table_name = "ledger_stamp"


def stamps() -> dict[int, int]:
    """Every tenancy's stamp: a tenancy's moves with every committed write to its months'
    summaries or checkpoints, whatever path wrote them; one never written has none (0).
    Read again only when the database's count of the writes to the stamps has moved, and
    shared: the caller does not change it."""
    # Read as the driver gives the rows: every payment anywhere moves the count, so this is
    # read again often, and peewee's making of 4,700 rows took three times the query's time.
    return cache.remembered(
        "ledger stamps",
        None,
        cache.changes("ledger_stamp"),
        lambda: dict(
            db.execute(_LedgerStamp.select(_LedgerStamp.tenancy_id, _LedgerStamp.stamp)).fetchall()
        ),
    )


@dataclass(frozen=True)
class NewPayment:
    """A payment to register: whose, when, how much, how, and the one-time key."""

    tenancy_id: int
    paid_on: dt.date
    amount: Decimal
    method: str
    request_key: str
    charge_id: int  # the month it was entered on (the board's row, or the bank's match)
    registered_by: int | None = None


@dataclass(frozen=True)
class Receipt:
    """Where a payment's money went, for the screen to say."""

    payment_id: int
    shares: tuple[Share, ...]


def receipts_of(payment_ids) -> dict[int, Receipt]:
    """Where stored payments' money is now, month by month and credit: one query a chunk."""
    shares = defaultdict(list)
    for part in chunked(sorted(set(payment_ids)), CHUNK):
        query = (
            Allocation.select(
                Allocation.payment,
                Allocation.charge,
                RentCharge.month,
                Allocation.amount,
                Allocation.reason,
            )
            .join(RentCharge, JOIN.LEFT_OUTER)
            .where(Allocation.payment.in_(part))
            .order_by(RentCharge.month, Allocation.id)
            .tuples()
        )
        for payment_id, charge_id, month, amount, reason in query:
            shares[payment_id].append(Share(charge_id, month, Decimal(amount), reason))
    return {p: Receipt(p, tuple(shares.get(p, ()))) for p in payment_ids}


def receipt_of(payment_id: int) -> Receipt:
    """Where a stored payment's money is now: one query."""
    return receipts_of([payment_id])[payment_id]


def preview(payments) -> dict:
    """Where payments not yet registered would go, by the same rule and in the order given:
    ``payments`` are (key, tenancy id, amount, paid on); returns key → shares. Nothing is
    written: two queries a chunk of tenancies."""
    payments = list(payments)
    books = _books({tenancy_id for _key, tenancy_id, _amount, _day in payments})
    return {
        key: tuple(books[tenancy_id].pay(None, Decimal(amount), paid_on))
        for key, tenancy_id, amount, paid_on in payments
    }


class PlanRow(NamedTuple):
    """A repayment plan as the ledger reads it."""

    tenancy_id: int
    plan_id: int
    charge_ids: list
    instalments: list  # [(due_on, amount)]
    created_at: dt.datetime


class PlanInstalments(NamedTuple):
    """Whose plan it is, and its instalments as the plan's money says."""

    tenancy_id: int
    instalments: list  # of ledger_rules.InstalmentState


class PlanRefused(ValueError):
    """A plan the rules refuse: ``what`` is "months" (not the resident's, owing nothing, not
    yet due or in another plan) or "sum" (the instalments are not ``owed``)."""

    def __init__(self, what: str, owed: Decimal | None = None):
        super().__init__(what)
        self.what, self.owed = what, owed


def instalments(tenancy_ids, today: dt.date) -> dict[int, PlanInstalments]:
    """Each repayment plan's instalments as its money says (kept, paid later, missed,
    coming, and what is left of each), per plan id, for these tenancies: 3 queries."""
    plans = _plans(sorted(set(tenancy_ids)))
    months = {charge_id: plan.plan_id for plan in plans for charge_id in plan.charge_ids}
    money = defaultdict(list)
    for charge_id, day, amount in (
        Allocation.select(Allocation.charge, Allocation.day, Allocation.amount)
        .where(Allocation.charge.in_(list(months)) & Allocation.reason.in_(ledger_rules.PLAN_MONEY))
        .tuples()
    ):
        money[months[charge_id]].append((day, Decimal(amount)))
    return {
        plan.plan_id: PlanInstalments(
            plan.tenancy_id,
            ledger_rules.instalment_states(plan.instalments, money[plan.plan_id], today),
        )
        for plan in plans
    }


# ---- loading and storing a book ---------------------------------------------------------


def _books(tenancy_ids) -> dict[int, Book]:
    """Each tenancy's charges, repayment plans and live allocations, as books: four queries
    a chunk."""
    books = {tenancy_id: Book() for tenancy_id in tenancy_ids}
    for part in chunked(sorted(books), CHUNK):
        for charge in RentCharge.select().where(RentCharge.tenancy.in_(part)):
            books[charge.tenancy_id].charges[charge.id] = ledger_rules.Charge(
                charge.id, charge.month, Decimal(charge.amount), charge.due_on
            )
        for plan in _plans(part):
            books[plan.tenancy_id].add_plan(plan.plan_id, plan.charge_ids, plan.instalments)
        for row in Allocation.select().where(Allocation.tenancy.in_(part)).order_by(Allocation.id):
            books[row.tenancy_id].allocations.append(
                ledger_rules.Allocation(
                    row.payment_id, row.charge_id, Decimal(row.amount), row.day, row.reason, row.id
                )
            )
    return books


def _plans(tenancy_ids) -> list[PlanRow]:
    """The tenancies' repayment plans, with their months and instalments: 2 queries."""
    plans: dict[int, PlanRow] = {}
    for plan_id, tenancy_id, created_at, charge_id in (
        RepaymentPlan.select(
            RepaymentPlan.id, RepaymentPlan.tenancy, RepaymentPlan.created_at, PlanMonth.charge
        )
        .join(PlanMonth, JOIN.LEFT_OUTER)
        .where(RepaymentPlan.tenancy.in_(tenancy_ids))
        .tuples()
    ):
        plan = plans.setdefault(plan_id, PlanRow(tenancy_id, plan_id, [], [], created_at))
        if charge_id is not None:
            plan.charge_ids.append(charge_id)
    for plan_id, due_on, amount in (
        Instalment.select(Instalment.plan, Instalment.due_on, Instalment.amount)
        .where(Instalment.plan.in_(list(plans)))
        .tuples()
    ):
        plans[plan_id].instalments.append((due_on, Decimal(amount)))
    return list(plans.values())


def _snapshot(book: Book) -> dict[int, tuple]:
    """The book's stored allocations: id → (charge, amount)."""
    return {a.id: (a.charge_id, a.amount) for a in book.allocations if a.id is not None}


def _store(books: dict[int, Book], before: dict[int, dict[int, tuple]]) -> set[int]:
    """Write what the rules changed in ``books`` since ``before`` (their ``_snapshot``): a
    changed allocation is replaced, so the writes are a delete and inserts in chunks however
    many there are. Returns the charges whose money changed."""
    touched: set[int] = set()
    gone, rows = [], []
    for tenancy_id, book in books.items():
        stored = before.get(tenancy_id, {})
        alive = {a.id for a in book.allocations if a.id is not None}
        for a in book.allocations:
            if a.id is not None and (a.charge_id, a.amount) == stored.get(a.id):
                continue
            if a.id is not None:
                gone.append(a.id)
            if a.amount > 0:
                rows.append(
                    {
                        "payment": a.payment_id,
                        "tenancy": tenancy_id,
                        "charge": a.charge_id,
                        "amount": a.amount,
                        "day": a.day,
                        "reason": a.reason,
                    }
                )
            if a.charge_id is not None:
                touched.add(a.charge_id)
        for allocation_id, (charge_id, _amount) in stored.items():
            if allocation_id not in alive:
                gone.append(allocation_id)
                if charge_id is not None:
                    touched.add(charge_id)
    for part in chunked(gone, CHUNK):
        Allocation.delete().where(Allocation.id.in_(part)).execute()
    for part in chunked(rows, CHUNK):
        Allocation.insert_many(part).execute()
    return touched


def _refresh(charge_ids) -> None:
    """Rewrite the summaries of these charges from their charge and allocations."""
    charge_ids = sorted(set(charge_ids))
    for part in chunked(charge_ids, CHUNK):
        charges = list(RentCharge.select().where(RentCharge.id.in_(part)))
        dated = _dated(part)
        RentMonth.delete().where(RentMonth.charge.in_(part)).execute()
        RentMonth.insert_many([_summary_row(c, dated[c.id]) for c in charges]).execute()


def _dated(charge_ids) -> dict[int, list]:
    """The money each of these charges holds, as [(day paid, amount)]: one query."""
    dated = defaultdict(list)
    for charge_id, day, amount in (
        Allocation.select(Allocation.charge, Allocation.day, Allocation.amount)
        .where(Allocation.charge.in_(charge_ids))
        .tuples()
    ):
        dated[charge_id].append((day, Decimal(amount)))
    return dated


def _summary_row(charge: RentCharge, dated: list) -> dict:
    sums = MonthSums.of(charge, dated)
    return {
        "charge": charge.id,
        "tenancy": charge.tenancy_id,
        "month": charge.month,
        "due_on": charge.due_on,
        "charged": sums.charged,
        "paid_by_due": sums.paid_by_due,
        "paid_by_limit": sums.paid_by_limit,
        "paid_total": sums.paid_total,
        "settled_on": sums.settled_on,
    }


# ---- the writes -------------------------------------------------------------------------


def _lock(tenancy_ids) -> None:
    """Hold the tenancies' rows until the transaction ends, so two writes of one resident's
    money run one after the other (SQLite's IMMEDIATE transaction already does)."""
    for part in chunked(sorted(set(tenancy_ids)), CHUNK):
        list(for_update(Tenancy.select(Tenancy.id).where(Tenancy.id.in_(part))))


def unbooked_charges(month: dt.date) -> list[int]:
    """The month's charges that have no summary yet: those just created."""
    booked = RentMonth.select(RentMonth.id).where(RentMonth.charge == RentCharge.id)
    query = RentCharge.select(RentCharge.id).where((RentCharge.month == month) & ~fn.EXISTS(booked))
    return [charge_id for (charge_id,) in query.tuples()]


def register(payments: list[NewPayment]) -> list[Receipt]:
    """Register payments, each allocated by the rule in the order given (date order for a
    bank file); one transaction, and a fixed number of queries however many there are."""
    if not payments:
        return []
    moment = clock.now()
    with write_transaction():
        tenancy_ids = {p.tenancy_id for p in payments}
        _lock(tenancy_ids)
        books = _books(tenancy_ids)
        before = {tenancy_id: _snapshot(book) for tenancy_id, book in books.items()}
        rows = [
            {
                "tenancy": new.tenancy_id,
                "charge": new.charge_id,
                "paid_on": new.paid_on,
                "amount": new.amount,
                "method": new.method,
                "registered_by": new.registered_by,
                "registered_at": moment,
                "request_key": new.request_key,
            }
            for new in payments
        ]
        for part in chunked(rows, CHUNK):
            Payment.insert_many(part).execute()
        ids = {}
        for part in chunked([new.request_key for new in payments], CHUNK):
            query = Payment.select(Payment.request_key, Payment.id).where(
                Payment.request_key.in_(part)
            )
            ids.update(dict(query.tuples()))
        receipts = []
        for new in payments:
            payment_id = ids[new.request_key]
            shares = books[new.tenancy_id].pay(payment_id, new.amount, new.paid_on)
            receipts.append(Receipt(payment_id, tuple(shares)))
        _refresh(_store(books, before))
    return receipts


def reverse(payment_ids, by, reason: str) -> None:
    """Reverse payments: marked with who and why, their allocations gone, so the months
    they paid are owed again; later payments keep theirs."""
    payment_ids = list(payment_ids)
    if not payment_ids:
        return
    with write_transaction():
        _lock(
            tenancy_id
            for (tenancy_id,) in Payment.select(Payment.tenancy)
            .where(Payment.id.in_(payment_ids))
            .tuples()
        )
        Payment.update(reversed_at=clock.now(), reversed_by=by, reversal_reason=reason).where(
            Payment.id.in_(payment_ids)
        ).execute()
        touched = {
            charge_id
            for (charge_id,) in Allocation.select(Allocation.charge)
            .where(Allocation.payment.in_(payment_ids) & Allocation.charge.is_null(False))
            .tuples()
        }
        Allocation.delete().where(Allocation.payment.in_(payment_ids)).execute()
        _refresh(touched)


def opened(charge_ids) -> None:
    """New charges were created: each takes its tenancy's credit, and gets its summary."""
    charge_ids = list(charge_ids)
    if not charge_ids:
        return
    with write_transaction():
        charges = list(RentCharge.select().where(RentCharge.id.in_(charge_ids)))
        _lock({c.tenancy_id for c in charges})
        books = _books({c.tenancy_id for c in charges})
        before = {tenancy_id: _snapshot(book) for tenancy_id, book in books.items()}
        for charge in sorted(charges, key=lambda c: (c.month, c.id)):
            books[charge.tenancy_id].take_credit(charge.id)
        _refresh(set(charge_ids) | _store(books, before))


def add_plan(tenancy_id: int, charge_ids, instalments, note: str, by) -> RepaymentPlan:
    """A repayment plan takes over the debt the months ``charge_ids`` still owe, to be paid
    by ``instalments`` [(due_on, amount)] that add up to it. Payments from now on pay those
    months by the plan's instalments (``ledger_rules.allocate``). Raises ``PlanRefused``:
    a month that is not the tenancy's or that ``ledger_rules.plannable`` refuses, or
    instalments that do not add up to the debt."""
    charge_ids = sorted(set(charge_ids))
    today = clock.today()
    with write_transaction():
        _lock([tenancy_id])
        book = _books([tenancy_id])[tenancy_id]
        charges = [book.charges.get(c) for c in charge_ids]
        if not charges or not all(
            c is not None and ledger_rules.plannable(book.owed(c.id), c.due_on, c.plan_id, today)
            for c in charges
        ):
            raise PlanRefused("months")
        debt = sum((book.owed(c) for c in charge_ids), Decimal(0))
        if sum((Decimal(a) for _d, a in instalments), Decimal(0)) != debt:
            raise PlanRefused("sum", debt)
        plan = RepaymentPlan.create(
            tenancy=tenancy_id, debt=debt, note=note, created_by=by, created_at=clock.now()
        )
        PlanMonth.insert_many([{"plan": plan.id, "charge": c} for c in charge_ids]).execute()
        Instalment.insert_many(
            [{"plan": plan.id, "due_on": d, "amount": Decimal(a)} for d, a in sorted(instalments)]
        ).execute()
    return plan


def move(tenancy_id: int, from_charge, to_charge, amount, reason: str, by) -> Decimal:
    """Move up to ``amount`` of a resident's money from one month (None: their credit) to
    another month (None: credit), recorded with who and why, one move per payment whose
    money moves; each krona keeps the day it was paid, so the groups of both months follow
    the money they now hold. A month takes no more than it owes. Returns what was moved
    (0: nothing could be); a month not the resident's raises ``ValueError``."""
    with write_transaction():
        _lock([tenancy_id])
        books = _books([tenancy_id])
        book = books[tenancy_id]
        for charge in (from_charge, to_charge):
            if charge is not None and charge not in book.charges:
                raise ValueError("month")
        if from_charge == to_charge:
            return Decimal(0)
        before = {tenancy_id: _snapshot(book)}
        moves = book.move_between(from_charge, to_charge, Decimal(amount))
        moment = clock.now()
        rows = [
            {
                "payment": payment_id,
                "tenancy": tenancy_id,
                "from_charge": from_charge,
                "to_charge": to_charge,
                "amount": moved,
                "reason": reason,
                "moved_by": getattr(by, "id", by),
                "moved_at": moment,
            }
            for payment_id, moved in moves
        ]
        if rows:
            AllocationMove.insert_many(rows).execute()
        _refresh(_store(books, before))
    return sum((moved for _p, moved in moves), Decimal(0))


def recharge(tenancy_id: int, amounts: dict, reason: str, by=None) -> None:
    """Charges already opened take new amounts (``amounts``: charge id → amount), as when a
    move-out makes its month pro rata and the months after it nothing; what a month then
    holds beyond its charge goes back to the resident's credit. Each change is recorded
    with its old amount, when and why."""
    if not amounts:
        return
    with write_transaction():
        _lock([tenancy_id])
        books = _books([tenancy_id])
        before = {tenancy_id: _snapshot(books[tenancy_id])}
        old = dict(
            RentCharge.select(RentCharge.id, RentCharge.amount)
            .where(RentCharge.id.in_(list(amounts)))
            .tuples()
        )
        moment = clock.now()
        ChargeChange.insert_many(
            [
                {
                    "charge": charge_id,
                    "tenancy": tenancy_id,
                    "old_amount": old[charge_id],
                    "new_amount": amount,
                    "reason": reason,
                    "changed_by": by,
                    "changed_at": moment,
                }
                for charge_id, amount in amounts.items()
            ]
        ).execute()
        for charge_id, amount in amounts.items():
            RentCharge.update(amount=amount).where(RentCharge.id == charge_id).execute()
            books[tenancy_id].recharge(charge_id, amount)
        _refresh(set(amounts) | _store(books, before))


# ---- checking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A month whose stored summary is not what its charge and allocations say."""

    charge_id: int
    stored: dict | None
    expected: dict


def verify(fix: bool = False) -> list[Difference]:
    """Recompute every month's summary from its charge and allocations and compare with the
    stored one; with ``fix``, rewrite those that differ."""
    differences = []
    charge_ids = [c for (c,) in RentCharge.select(RentCharge.id).order_by(RentCharge.id).tuples()]
    for part in chunked(charge_ids, CHUNK):
        charges = list(RentCharge.select().where(RentCharge.id.in_(part)))
        dated = _dated(part)
        stored = {
            row["charge"]: row
            for row in RentMonth.select().where(RentMonth.charge.in_(part)).dicts()
        }
        for charge in charges:
            expected = _summary_row(charge, dated[charge.id])
            found = stored.get(charge.id)
            if found is None or any(
                _differs(found[k], v) for k, v in expected.items() if k != "charge"
            ):
                differences.append(Difference(charge.id, found, expected))
    if fix and differences:
        with write_transaction():
            _refresh([d.charge_id for d in differences])
    return differences


def _differs(stored, expected) -> bool:
    if isinstance(expected, Decimal):
        return Decimal(str(stored)) != expected
    return stored != expected


def rebuild(tenancy_ids) -> None:
    """Book these tenancies' money anew by replaying, in the order it happened, each month
    opened, payment registered or reversed, repayment plan made, money moved and month
    recharged (for data written in bulk, as the demo writes it)."""
    tenancy_ids = sorted(set(tenancy_ids))
    with write_transaction():
        for part in chunked(tenancy_ids, CHUNK):
            events = defaultdict(list)
            charges = {}
            changes = list(
                ChargeChange.select()
                .where(ChargeChange.tenancy.in_(part))
                .order_by(ChargeChange.changed_at.desc(), ChargeChange.id.desc())
            )
            # A month's first amount is the old amount of its earliest change, if it has one.
            opened_at = {change.charge_id: Decimal(change.old_amount) for change in changes}
            for change in changes:
                detail = (change.charge_id, Decimal(change.new_amount))
                events[change.tenancy_id].append((change.changed_at, RECHARGE, change.id, detail))
            for charge in RentCharge.select().where(RentCharge.tenancy.in_(part)):
                charges[charge.id] = charge
                amount = opened_at.get(charge.id, Decimal(charge.amount))
                detail = (charge.month, amount, charge.due_on)
                events[charge.tenancy_id].append((charge.created_at, OPEN, charge.id, detail))
            for payment in Payment.select().where(Payment.tenancy.in_(part)):
                happened = events[payment.tenancy_id]
                detail = (Decimal(payment.amount), payment.paid_on)
                happened.append((payment.registered_at, PAY, payment.id, detail))
                if payment.reversed_at is not None:
                    happened.append((payment.reversed_at, REVERSE, payment.id, None))
            for plan in _plans(part):
                detail = (plan.charge_ids, plan.instalments)
                events[plan.tenancy_id].append((plan.created_at, PLAN, plan.plan_id, detail))
            for m in AllocationMove.select().where(AllocationMove.tenancy.in_(part)):
                detail = (m.payment_id, m.from_charge_id, m.to_charge_id, Decimal(m.amount))
                events[m.tenancy_id].append((m.moved_at, MOVE, m.id, detail))
            RentMonth.delete().where(RentMonth.tenancy.in_(part)).execute()
            Allocation.delete().where(Allocation.tenancy.in_(part)).execute()
            books = {tenancy_id: Book.replay(happened) for tenancy_id, happened in events.items()}
            _store(books, {})
            _refresh(charges)

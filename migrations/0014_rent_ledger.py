"""The rent ledger: a payment belongs to its tenancy; allocations say which month each
krona of it paid, and on which day; a summary per month keeps what every page reads.

The payments already registered are booked by the ledger's rule, replayed in the order
things happened (months opened, payments registered, payments reversed), and the
summaries are built from what that books.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from peewee import CharField, DateField, DecimalField, ForeignKeyField, Model

from intranet.rent.ledger_rules import OPEN, PAY, REVERSE, Book, Charge, MonthSums


def _tables(db):
    class Tenancy(Model):
        class Meta:
            database = db
            table_name = "tenancy"

    class RentCharge(Model):
        class Meta:
            database = db
            table_name = "rent_charge"

    class Payment(Model):
        class Meta:
            database = db
            table_name = "payment"

    class Allocation(Model):
        payment = ForeignKeyField(Payment, on_delete="RESTRICT")
        tenancy = ForeignKeyField(Tenancy, on_delete="RESTRICT")
        charge = ForeignKeyField(RentCharge, null=True, on_delete="RESTRICT")
        amount = DecimalField(max_digits=10, decimal_places=2)
        day = DateField()
        reason = CharField(max_length=20)

        class Meta:
            database = db
            table_name = "allocation"
            indexes = ((("tenancy", "charge"), False), (("charge",), False))

    class RentMonth(Model):
        charge = ForeignKeyField(RentCharge, unique=True, on_delete="RESTRICT")
        tenancy = ForeignKeyField(Tenancy, on_delete="RESTRICT")
        month = DateField()
        due_on = DateField()
        charged = DecimalField(max_digits=10, decimal_places=2)
        paid_by_due = DecimalField(max_digits=10, decimal_places=2, default=0)
        paid_by_limit = DecimalField(max_digits=10, decimal_places=2, default=0)
        paid_total = DecimalField(max_digits=10, decimal_places=2, default=0)
        settled_on = DateField(null=True)

        class Meta:
            database = db
            table_name = "rent_month"
            indexes = ((("month",), False), (("tenancy", "month"), False))

    return Tenancy, Allocation, RentMonth


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _moment(value) -> str:
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)


def book_everything(db, allocation, rent_month) -> None:
    """Replay every tenancy's months and payments through the ledger's rule and store the
    allocations and summaries it books."""
    charges, events = {}, defaultdict(list)
    for cid, tid, month, amount, due_on, created in db.execute_sql(
        "SELECT id, tenancy_id, month, amount, due_on, created_at FROM rent_charge"
    ):
        charges[cid] = (tid, _date(month), Decimal(str(amount)), _date(due_on))
        events[tid].append((_moment(created), OPEN, cid, charges[cid][1:]))
    for pid, tid, paid_on, amount, registered, reversed_at in db.execute_sql(
        "SELECT id, tenancy_id, paid_on, amount, registered_at, reversed_at FROM payment"
    ):
        detail = (Decimal(str(amount)), _date(paid_on))
        events[tid].append((_moment(registered), PAY, pid, detail))
        if reversed_at is not None:
            events[tid].append((_moment(reversed_at), REVERSE, pid, None))
    allocations, summaries = [], []
    for tid, happened in events.items():
        for a in Book.replay(happened).allocations:
            if a.amount > 0:
                allocations.append(
                    {
                        "payment": a.payment_id,
                        "tenancy": tid,
                        "charge": a.charge_id,
                        "amount": a.amount,
                        "day": a.day,
                        "reason": a.reason,
                    }
                )
    for cid, (tid, month, amount, due_on) in charges.items():
        summaries.append((cid, tid, month, amount, due_on))
    for start in range(0, len(allocations), 500):
        allocation.insert_many(allocations[start : start + 500]).execute()
    dated = defaultdict(list)
    for row in allocations:
        if row["charge"] is not None:
            dated[row["charge"]].append((row["day"], row["amount"]))
    rows = []
    for cid, tid, month, amount, due_on in summaries:
        sums = MonthSums.of(Charge(cid, month, amount, due_on), dated[cid])
        rows.append(
            {
                "charge": cid,
                "tenancy": tid,
                "month": month,
                "due_on": due_on,
                "charged": sums.charged,
                "paid_by_due": sums.paid_by_due,
                "paid_by_limit": sums.paid_by_limit,
                "paid_total": sums.paid_total,
                "settled_on": sums.settled_on,
            }
        )
    for start in range(0, len(rows), 500):
        rent_month.insert_many(rows[start : start + 500]).execute()


def up(migrator, db):
    tenancy, allocation, rent_month = _tables(db)
    migrator.migrate(
        migrator.add_column(
            "payment",
            "tenancy_id",
            ForeignKeyField(tenancy, null=True, on_delete="RESTRICT", field=tenancy.id),
        )
    )
    db.execute_sql(
        "UPDATE payment SET tenancy_id = "
        "(SELECT tenancy_id FROM rent_charge WHERE rent_charge.id = payment.charge_id)"
    )
    db.create_tables([allocation, rent_month])
    book_everything(db, allocation, rent_month)
    migrator.migrate(migrator.add_not_null("payment", "tenancy_id"))


def down(migrator, db):
    _tenancy, allocation, rent_month = _tables(db)
    db.drop_tables([rent_month, allocation])
    migrator.migrate(
        migrator.drop_index("payment", "payment_tenancy_id"),
        migrator.drop_column("payment", "tenancy_id"),
    )

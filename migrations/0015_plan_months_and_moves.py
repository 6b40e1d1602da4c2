"""A repayment plan names the months whose debt it covers, and payments keep its
instalments (nobody ticks them paid any more); the manager's moves of money between months
are recorded.

Plans made before this name no months: each takes the months of its resident that owed rent
when it was made, oldest first, until their debt reaches the plan's. What was registered
before stays booked as it was; payments from now on pay those months by the plan's
instalments. The hand-set "paid" dates of instalments are dropped: payments say it now.
"""

import datetime as dt
from decimal import Decimal

from peewee import DateField, DateTimeField, DecimalField, ForeignKeyField, Model, TextField


def _tables(db):
    def table(name):
        class Meta:
            database = db
            table_name = name

        return type(name, (Model,), {"Meta": Meta})

    user_t, tenancy_t, charge_t, payment_t, plan_t = (
        table(n) for n in ("user", "tenancy", "rent_charge", "payment", "repayment_plan")
    )

    class PlanMonth(Model):
        plan = ForeignKeyField(plan_t, on_delete="RESTRICT")
        charge = ForeignKeyField(charge_t, unique=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "plan_month"

    class AllocationMove(Model):
        payment = ForeignKeyField(payment_t, on_delete="RESTRICT")
        tenancy = ForeignKeyField(tenancy_t, on_delete="RESTRICT")
        from_charge = ForeignKeyField(charge_t, null=True, on_delete="RESTRICT")
        to_charge = ForeignKeyField(charge_t, null=True, on_delete="RESTRICT")
        amount = DecimalField(max_digits=10, decimal_places=2)
        reason = TextField()
        moved_by = ForeignKeyField(user_t, on_delete="RESTRICT")
        moved_at = DateTimeField()

        class Meta:
            database = db
            table_name = "allocation_move"

    return PlanMonth, AllocationMove


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def link_old_plans(db, plan_month) -> None:
    """Each plan without months takes the months that owed when it was made, oldest first."""
    owing: dict = {}
    for charge_id, tenancy_id, _month, due_on, charged, paid in db.execute_sql(
        "SELECT charge_id, tenancy_id, month, due_on, charged, paid_total FROM rent_month"
        " ORDER BY tenancy_id, month"
    ):
        left = Decimal(str(charged)) - Decimal(str(paid))
        if left > 0:
            owing.setdefault(tenancy_id, []).append((_date(due_on), charge_id, left))
    taken: set = set()
    rows = []
    plans = db.execute_sql(
        "SELECT id, tenancy_id, debt, created_at FROM repayment_plan ORDER BY created_at, id"
    ).fetchall()
    for plan_id, tenancy_id, debt, created_at in plans:
        made, covered = _date(created_at), Decimal(0)
        for due_on, charge_id, left in owing.get(tenancy_id, []):
            if covered >= Decimal(str(debt)):
                break
            if charge_id in taken or due_on >= made:
                continue
            taken.add(charge_id)
            covered += left
            rows.append({"plan": plan_id, "charge": charge_id})
    for start in range(0, len(rows), 500):
        plan_month.insert_many(rows[start : start + 500]).execute()


def up(migrator, db):
    plan_month, allocation_move = _tables(db)
    db.create_tables([plan_month, allocation_move])
    link_old_plans(db, plan_month)
    migrator.migrate(migrator.drop_column("instalment", "paid_on"))


def down(migrator, db):
    plan_month, allocation_move = _tables(db)
    migrator.migrate(migrator.add_column("instalment", "paid_on", DateField(null=True)))
    db.drop_tables([allocation_move, plan_month])

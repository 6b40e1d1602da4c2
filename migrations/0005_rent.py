"""Rent: monthly charges, payments with reversals, rent money, the routine's checkpoints."""

import datetime

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    Model,
    TextField,
)


def _tables(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Tenancy(Model):
        class Meta:
            database = db
            table_name = "tenancy"

    class RentCharge(Model):
        tenancy = ForeignKeyField(Tenancy, on_delete="RESTRICT")
        month = DateField()
        amount = DecimalField(max_digits=10, decimal_places=2)
        due_on = DateField()
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            database = db
            table_name = "rent_charge"
            indexes = ((("tenancy", "month"), True),)

    class Payment(Model):
        charge = ForeignKeyField(RentCharge, on_delete="RESTRICT")
        paid_on = DateField()
        amount = DecimalField(max_digits=10, decimal_places=2)
        method = CharField(max_length=20)
        registered_by = ForeignKeyField(User, on_delete="RESTRICT")
        registered_at = DateTimeField(default=datetime.datetime.now)
        request_key = CharField(max_length=64, unique=True)
        reversed_at = DateTimeField(null=True)
        reversed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        reversal_reason = TextField(default="")

        class Meta:
            database = db
            table_name = "payment"

    class RentMoney(Model):
        charge = ForeignKeyField(RentCharge, on_delete="RESTRICT")
        paid_on = DateField()
        amount = DecimalField(max_digits=10, decimal_places=2)
        registered_by = ForeignKeyField(User, on_delete="RESTRICT")
        registered_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            database = db
            table_name = "rent_money"

    class Checkpoint(Model):
        charge = ForeignKeyField(RentCharge, on_delete="RESTRICT")
        kind = CharField(max_length=20)
        done_at = DateTimeField(default=datetime.datetime.now)
        done_by = ForeignKeyField(User, on_delete="RESTRICT")
        note = TextField(default="")
        plan = TextField(default="")

        class Meta:
            database = db
            table_name = "checkpoint"
            indexes = ((("charge", "kind"), True),)

    return [RentCharge, Payment, RentMoney, Checkpoint]


def up(migrator, db):
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))

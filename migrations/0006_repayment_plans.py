"""Repayment plans with instalments, and notices to the commissioner."""

import datetime

from peewee import DateField, DateTimeField, DecimalField, ForeignKeyField, Model, TextField


def _tables(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Tenancy(Model):
        class Meta:
            database = db
            table_name = "tenancy"

    class RepaymentPlan(Model):
        tenancy = ForeignKeyField(Tenancy, on_delete="RESTRICT")
        debt = DecimalField(max_digits=10, decimal_places=2)
        note = TextField(default="")
        created_by = ForeignKeyField(User, on_delete="RESTRICT")
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            database = db
            table_name = "repayment_plan"

    class Instalment(Model):
        plan = ForeignKeyField(RepaymentPlan, on_delete="CASCADE")
        due_on = DateField()
        amount = DecimalField(max_digits=10, decimal_places=2)
        paid_on = DateField(null=True)

        class Meta:
            database = db
            table_name = "instalment"

    class CommissionerNotice(Model):
        tenancy = ForeignKeyField(Tenancy, on_delete="RESTRICT")
        month = DateField()
        text = TextField()
        sent_on = DateField()
        sent_by = ForeignKeyField(User, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "commissioner_notice"

    return [RepaymentPlan, Instalment, CommissionerNotice]


def up(migrator, db):
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))

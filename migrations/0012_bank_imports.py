"""Bank files imported and their payments, unique by the bank's reference; a payment the
nightly import registers has no person as its registrar."""

import datetime

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
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

    class Payment(Model):
        class Meta:
            database = db
            table_name = "payment"

    class BankImport(Model):
        file_name = CharField(max_length=255)
        sha256 = CharField(max_length=64, index=True)
        format = CharField(max_length=10)
        imported_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        created_at = DateTimeField(default=datetime.datetime.now, index=True)
        confirmed_at = DateTimeField(null=True)
        status = CharField(max_length=20, default="preview")
        payment_count = IntegerField(default=0)
        payment_total = DecimalField(max_digits=14, decimal_places=2, default=0)
        deduction_count = IntegerField(default=0)
        deduction_total = DecimalField(max_digits=14, decimal_places=2, default=0)
        matched = IntegerField(default=0)
        unmatched = IntegerField(default=0)
        already_imported = IntegerField(default=0)
        refused = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "bank_import"

    class BankEntry(Model):
        bank_import = ForeignKeyField(BankImport, on_delete="CASCADE")
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
        tenancy = ForeignKeyField(Tenancy, null=True, on_delete="RESTRICT")
        payment = ForeignKeyField(Payment, null=True, on_delete="RESTRICT")
        state = CharField(max_length=20)
        note = TextField(default="")

        class Meta:
            database = db
            table_name = "bank_entry"
            indexes = ((("bank_import", "state"), False),)

    return [BankImport, BankEntry]


def up(migrator, db):
    migrator.migrate(migrator.drop_not_null("payment", "registered_by_id"))
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))
    migrator.migrate(migrator.add_not_null("payment", "registered_by_id"))

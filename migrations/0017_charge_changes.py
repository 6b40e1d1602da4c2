"""A month already opened that takes a new amount (a move-out makes it pro rata) is recorded
with its old and new amount, when and why, so the ledger can replay it where it happened."""

from peewee import DateTimeField, DecimalField, ForeignKeyField, Model, TextField


def _table(db):
    def table(name):
        class Meta:
            database = db
            table_name = name

        return type(name, (Model,), {"Meta": Meta})

    user_t, tenancy_t, charge_t = (table(n) for n in ("user", "tenancy", "rent_charge"))

    class ChargeChange(Model):
        charge = ForeignKeyField(charge_t, on_delete="RESTRICT")
        tenancy = ForeignKeyField(tenancy_t, on_delete="RESTRICT")
        old_amount = DecimalField(max_digits=10, decimal_places=2)
        new_amount = DecimalField(max_digits=10, decimal_places=2)
        reason = TextField()
        changed_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        changed_at = DateTimeField()

        class Meta:
            database = db
            table_name = "charge_change"

    return ChargeChange


def up(migrator, db):
    db.create_tables([_table(db)])


def down(migrator, db):
    db.drop_tables([_table(db)])

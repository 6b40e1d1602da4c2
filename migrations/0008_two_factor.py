"""The second factor: a TOTP secret and its last accepted time step on each user, and the
single-use recovery codes, stored hashed."""

from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, Model

COLUMNS = {
    "totp_secret": CharField(max_length=64, null=True),
    "totp_enrolled_at": DateTimeField(null=True),
    "totp_last_step": BigIntegerField(null=True),
}


def _tables(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class RecoveryCode(Model):
        user = ForeignKeyField(User, on_delete="CASCADE")
        code_hash = CharField(max_length=255)
        used_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "recovery_code"

    return [RecoveryCode]


def up(migrator, db):
    migrator.migrate(*[migrator.add_column("user", name, f) for name, f in COLUMNS.items()])
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(_tables(db))
    migrator.migrate(*[migrator.drop_column("user", name) for name in COLUMNS])

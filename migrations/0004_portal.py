"""The landlords' portal: cases with replies, invitations, and a phone number on users."""

import datetime

from peewee import CharField, DateTimeField, ForeignKeyField, Model, TextField


def _tables(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Landlord(Model):
        class Meta:
            database = db
            table_name = "landlord"

    class Flat(Model):
        class Meta:
            database = db
            table_name = "flat"

    class Case(Model):
        landlord = ForeignKeyField(Landlord, on_delete="RESTRICT")
        flat = ForeignKeyField(Flat, on_delete="RESTRICT")
        kind = CharField(max_length=20)
        text = TextField()
        status = CharField(max_length=10, default="open", index=True)
        opened_by = ForeignKeyField(User, on_delete="RESTRICT")
        opened_at = DateTimeField(default=datetime.datetime.now)
        closed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        closed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "case"

    class CaseReply(Model):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        author = ForeignKeyField(User, on_delete="RESTRICT")
        text = TextField()
        written_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            database = db
            table_name = "case_reply"

    class Invitation(Model):
        landlord = ForeignKeyField(Landlord, on_delete="RESTRICT")
        email = CharField(max_length=254)
        display_name = CharField(max_length=200)
        token_hash = CharField(max_length=64, unique=True)
        created_by = ForeignKeyField(User, on_delete="RESTRICT")
        created_at = DateTimeField(default=datetime.datetime.now)
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        user = ForeignKeyField(User, null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "invitation"

    return [Case, CaseReply, Invitation]


def up(migrator, db):
    migrator.migrate(migrator.add_column("user", "phone", CharField(max_length=40, default="")))
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))
    migrator.migrate(migrator.drop_column("user", "phone"))

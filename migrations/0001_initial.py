"""Accounts, a minimal landlord, login throttling and the audit log."""

import datetime

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def _models(db):
    class Landlord(Model):
        name = CharField(max_length=200)
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            database = db
            table_name = "landlord"

    class User(Model):
        email = CharField(max_length=254, unique=True)
        display_name = CharField(max_length=200)
        role = CharField(max_length=20)
        active = BooleanField(default=True)
        landlord = ForeignKeyField(Landlord, null=True, on_delete="RESTRICT")
        password_hash = CharField(max_length=255)
        session_version = IntegerField(default=1)
        revision = IntegerField(default=1)
        language = CharField(max_length=5, null=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        last_login_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "user"

    class LoginThrottle(Model):
        key = CharField(max_length=300, unique=True)
        failures = IntegerField(default=0)
        window_started_at = DateTimeField()
        locked_until = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "login_throttle"

    class AuditEvent(Model):
        at = DateTimeField(default=datetime.datetime.now, index=True)
        actor = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        action = CharField(max_length=60)
        subject_type = CharField(max_length=60)
        subject_id = IntegerField(null=True)
        detail = TextField(default="")

        class Meta:
            database = db
            table_name = "audit_event"

    return [Landlord, User, LoginThrottle, AuditEvent]


def up(migrator, db):
    db.create_tables(_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_models(db))))

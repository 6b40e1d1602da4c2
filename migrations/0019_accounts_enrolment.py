"""Accounts set up their second factor with a one-time enrolment code from an administrator
(only its hash kept); the set-up in progress waits in a row of its own, not in the session;
an account an administrator hands a role that sees residents waits for a unit manager's
approval."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
)


def _user(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    return User


def _columns(db):
    user = _user(db)
    return {
        "enrolment_code_hash": CharField(max_length=255, null=True),
        "enrolment_code_expires_at": DateTimeField(null=True),
        "approval_requested_at": DateTimeField(null=True),
        "approval_requested_by_id": ForeignKeyField(
            user, null=True, field=user.id, on_delete="RESTRICT"
        ),
        "approval_reasons": CharField(max_length=200, default=""),
    }


def _pending(db):
    class PendingEnrolment(Model):
        id = CharField(primary_key=True, max_length=64)
        user = ForeignKeyField(_user(db), on_delete="CASCADE")
        secret = CharField(max_length=64)
        session_version = IntegerField()
        enrolment_code_hash = CharField(max_length=255, null=True)
        at_login = BooleanField(default=False)
        started_at = DateTimeField()

        class Meta:
            database = db
            table_name = "pending_enrolment"

    return PendingEnrolment


def up(migrator, db):
    migrator.migrate(
        *[migrator.add_column("user", name, field) for name, field in _columns(db).items()]
    )
    db.create_tables([_pending(db)])


def down(migrator, db):
    db.drop_tables([_pending(db)])
    migrator.migrate(
        migrator.drop_index("user", "user_approval_requested_by_id"),
        *[migrator.drop_column("user", name) for name in reversed(_columns(db))],
    )

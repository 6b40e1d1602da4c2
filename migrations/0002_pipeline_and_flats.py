"""The landlord pipeline (stages, contacts, activities, history) and the flats."""

import datetime

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def _stubs(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Landlord(Model):
        class Meta:
            database = db
            table_name = "landlord"

    return User, Landlord


def _new_tables(db):
    User, Landlord = _stubs(db)

    class LandlordContact(Model):
        landlord = ForeignKeyField(Landlord, on_delete="CASCADE")
        name = CharField(max_length=200)
        title = CharField(max_length=200, default="")
        phone = CharField(max_length=40, default="")
        email = CharField(max_length=254, default="")

        class Meta:
            database = db
            table_name = "landlord_contact"

    class Activity(Model):
        landlord = ForeignKeyField(Landlord, on_delete="CASCADE")
        kind = CharField(max_length=20)
        occurred_on = DateField()
        by = ForeignKeyField(User, on_delete="RESTRICT")
        summary = TextField()
        outcome = TextField(default="")
        next_step = CharField(max_length=300, default="")
        next_step_on = DateField(null=True)
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            database = db
            table_name = "activity"

    class StageChange(Model):
        landlord = ForeignKeyField(Landlord, on_delete="CASCADE")
        from_stage = CharField(max_length=30, null=True)
        to_stage = CharField(max_length=30)
        changed_at = DateTimeField(default=datetime.datetime.now, index=True)
        changed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "stage_change"

    class Flat(Model):
        landlord = ForeignKeyField(Landlord, on_delete="RESTRICT")
        address = CharField(max_length=200)
        postcode = CharField(max_length=6)
        district = CharField(max_length=100, index=True)
        rooms = IntegerField()
        size_m2 = DecimalField(max_digits=6, decimal_places=1)
        floor = IntegerField()
        elevator = BooleanField(default=False)
        rent_to_landlord = DecimalField(max_digits=10, decimal_places=2)
        rent_to_resident = DecimalField(max_digits=10, decimal_places=2)
        kind = CharField(max_length=20, default="training")
        lease_start = DateField(null=True)
        lease_end = DateField(null=True)
        notice_months = IntegerField(default=3)
        status = CharField(max_length=20, default="offered", index=True)
        status_changed_at = DateTimeField(default=datetime.datetime.now)
        ready_since = DateField(null=True)
        has_furniture = BooleanField(default=False)
        has_kitchenware = BooleanField(default=False)
        has_bedding = BooleanField(default=False)
        keys_handed_over = BooleanField(default=False)
        key_count = IntegerField(null=True)
        inspection_done = BooleanField(default=False)
        note = TextField(default="")
        created_at = DateTimeField(default=datetime.datetime.now)
        created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        revision = IntegerField(default=1)

        class Meta:
            database = db
            table_name = "flat"

    class FlatStatusChange(Model):
        flat = ForeignKeyField(Flat, on_delete="CASCADE")
        from_status = CharField(max_length=20, null=True)
        to_status = CharField(max_length=20)
        changed_at = DateTimeField(default=datetime.datetime.now, index=True)
        changed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        note = TextField(default="")

        class Meta:
            database = db
            table_name = "flat_status_change"

    return [LandlordContact, Activity, StageChange, Flat, FlatStatusChange]


LANDLORD_COLUMNS = [
    ("org_number", lambda: CharField(max_length=11, null=True)),
    ("kind", lambda: CharField(max_length=30, default="other")),
    ("website", lambda: CharField(max_length=300, default="")),
    ("districts", lambda: TextField(default="")),
    ("notes", lambda: TextField(default="")),
    ("expected_flats", lambda: IntegerField(default=0)),
    ("stage", lambda: CharField(max_length=30, default="identified")),
    ("stage_entered_at", lambda: DateTimeField(default=datetime.datetime.now)),
    ("next_follow_up", lambda: DateField(null=True)),
    ("declined_reason", lambda: CharField(max_length=30, null=True)),
    ("declined_note", lambda: TextField(default="")),
    ("revision", lambda: IntegerField(default=1)),
]


def up(migrator, db):
    User, _ = _stubs(db)
    operations = [migrator.add_column("landlord", name, make()) for name, make in LANDLORD_COLUMNS]
    operations.append(
        migrator.add_column(
            "landlord",
            "owner_id",
            ForeignKeyField(User, null=True, field=User.id, on_delete="RESTRICT"),
        )
    )
    migrator.migrate(*operations)
    migrator.migrate(migrator.add_index("landlord", ("stage",)))
    db.create_tables(_new_tables(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_new_tables(db))))
    migrator.migrate(
        migrator.drop_index("landlord", "landlord_stage"),
        migrator.drop_index("landlord", "landlord_owner_id"),
    )
    migrator.migrate(
        *[migrator.drop_column("landlord", name) for name, _ in LANDLORD_COLUMNS],
        migrator.drop_column("landlord", "owner_id"),
    )

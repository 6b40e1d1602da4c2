"""The road to a home of one's own: the unit's conditions for each next step (a step the
manager has not set keeps the defaults in ``road/facts.py``), each resident's road and its
marks, the resident's consent to tell the landlord, and the requests to take over a lease."""

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def _tables(db):
    def table(name):
        class Meta:
            database = db
            table_name = name

        return type(name, (Model,), {"Meta": Meta})

    user_t, tenancy_t, flat_t, landlord_t = (
        table(n) for n in ("user", "tenancy", "flat", "landlord")
    )

    class RoadRequirement(Model):
        step = CharField(max_length=20)
        condition = CharField(max_length=20)
        months = IntegerField(null=True)
        changed_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        changed_at = DateTimeField()

        class Meta:
            database = db
            table_name = "road_requirement"
            indexes = ((("step", "condition"), True),)

    class Road(Model):
        tenancy = ForeignKeyField(tenancy_t, unique=True, on_delete="RESTRICT")
        step = CharField(max_length=20, default="not_yet")
        target_month = DateField(null=True)
        note = TextField(default="")
        updated_by = ForeignKeyField(user_t, on_delete="RESTRICT")
        updated_at = DateTimeField()
        revision = IntegerField(default=1)

        class Meta:
            database = db
            table_name = "road"

    class RoadMark(Model):
        road = ForeignKeyField(Road, on_delete="RESTRICT")
        subject = CharField(max_length=20)
        state = CharField(max_length=20)
        on_date = DateField(null=True)
        note = TextField(default="")
        marked_by = ForeignKeyField(user_t, on_delete="RESTRICT")
        marked_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "road_mark"

    class ShareConsent(Model):
        tenancy = ForeignKeyField(tenancy_t, on_delete="RESTRICT")
        given_on = DateField()
        recorded_by = ForeignKeyField(user_t, on_delete="RESTRICT")
        recorded_at = DateTimeField()
        harm_assessed_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        harm_assessed_at = DateTimeField(null=True)
        harm_note = TextField(default="")
        withdrawn_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        withdrawn_at = DateTimeField(null=True)
        withdrawal_note = TextField(default="")

        class Meta:
            database = db
            table_name = "share_consent"

    class LeaseRequest(Model):
        tenancy = ForeignKeyField(tenancy_t, on_delete="RESTRICT")
        flat = ForeignKeyField(flat_t, on_delete="RESTRICT")
        landlord = ForeignKeyField(landlord_t, on_delete="RESTRICT")
        consent = ForeignKeyField(ShareConsent, on_delete="RESTRICT")
        asked_by = ForeignKeyField(user_t, on_delete="RESTRICT")
        asked_at = DateTimeField()
        recommendation = TextField()
        shared = TextField()
        answer = CharField(max_length=10, null=True)
        answer_on = DateField(null=True)
        answer_note = TextField(default="")
        answered_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        answered_at = DateTimeField(null=True)
        withdrawn_at = DateTimeField(null=True)
        transferred_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        transferred_at = DateTimeField(null=True)
        inventory = CharField(max_length=20, null=True)
        inventory_note = TextField(default="")
        money_note = TextField(default="")
        revision = IntegerField(default=1)

        class Meta:
            database = db
            table_name = "lease_request"

    LeaseRequest.add_index(
        LeaseRequest.tenancy,
        unique=True,
        where=LeaseRequest.answer.is_null() & LeaseRequest.withdrawn_at.is_null(),
        name="lease_request_one_open_per_tenancy",
    )
    return RoadRequirement, Road, RoadMark, ShareConsent, LeaseRequest


def up(migrator, db):
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))

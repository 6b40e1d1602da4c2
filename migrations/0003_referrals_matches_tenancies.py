"""Commissioners, referrals, eligibility overrides, matches and tenancies."""

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

OPEN_MATCH_STATUSES = ("proposed", "offered", "viewing", "accepted")


def _tables(db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Flat(Model):
        class Meta:
            database = db
            table_name = "flat"

    class Commissioner(Model):
        name = CharField(max_length=200, unique=True)
        kind = CharField(max_length=30, default="social_services")
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            database = db
            table_name = "commissioner"

    class CommissionerContact(Model):
        commissioner = ForeignKeyField(Commissioner, on_delete="CASCADE")
        name = CharField(max_length=200)
        phone = CharField(max_length=40, default="")
        email = CharField(max_length=254, default="")

        class Meta:
            database = db
            table_name = "commissioner_contact"

    class Referral(Model):
        received_on = DateField()
        commissioner = ForeignKeyField(Commissioner, on_delete="RESTRICT")
        handling_officer = ForeignKeyField(CommissionerContact, null=True, on_delete="RESTRICT")
        first_name = CharField(max_length=100)
        last_name = CharField(max_length=100)
        birth_date = DateField()
        gender = CharField(max_length=20)
        personal_number = CharField(max_length=13, null=True)
        protected_identity = BooleanField(default=False)
        target_group = CharField(max_length=30)
        drug_free_since = DateField(null=True)
        occupation_kind = CharField(max_length=30, default="")
        occupation_percent = IntegerField(null=True)
        min_rooms = IntegerField(default=1)
        needs_step_free = BooleanField(default=False)
        preferred_districts = TextField(default="")
        excluded_districts = TextField(default="")
        wished_move_in = DateField(null=True)
        notes = TextField(default="")
        responsible = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        status = CharField(max_length=20, default="received", index=True)
        status_changed_at = DateTimeField(default=datetime.datetime.now)
        status_reason = TextField(default="")
        last_contact_on = DateField(null=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        revision = IntegerField(default=1)

        class Meta:
            database = db
            table_name = "referral"

    class ReferralStatusChange(Model):
        referral = ForeignKeyField(Referral, on_delete="CASCADE")
        from_status = CharField(max_length=20, null=True)
        to_status = CharField(max_length=20)
        changed_at = DateTimeField(default=datetime.datetime.now)
        changed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        reason = TextField(default="")

        class Meta:
            database = db
            table_name = "referral_status_change"

    class RuleOverride(Model):
        referral = ForeignKeyField(Referral, on_delete="CASCADE")
        rule = CharField(max_length=30)
        reason = TextField()
        decided_by = ForeignKeyField(User, on_delete="RESTRICT")
        decided_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            database = db
            table_name = "rule_override"

    class Match(Model):
        flat = ForeignKeyField(Flat, on_delete="RESTRICT")
        referral = ForeignKeyField(Referral, on_delete="RESTRICT")
        status = CharField(max_length=20, default="proposed")
        score = IntegerField(null=True)
        passed_over_reason = TextField(default="")
        move_in_date = DateField(null=True)
        proposed_at = DateTimeField(default=datetime.datetime.now)
        proposed_by = ForeignKeyField(User, on_delete="RESTRICT")
        declined_by_side = CharField(max_length=20, null=True)
        decline_reason = CharField(max_length=30, null=True)
        decline_note = TextField(default="")
        closed_at = DateTimeField(null=True)
        revision = IntegerField(default=1)

        class Meta:
            database = db
            table_name = "match"

    class Tenancy(Model):
        flat = ForeignKeyField(Flat, on_delete="RESTRICT")
        referral = ForeignKeyField(Referral, on_delete="RESTRICT")
        contact_person = ForeignKeyField(User, on_delete="RESTRICT")
        start_date = DateField()
        rent = DecimalField(max_digits=10, decimal_places=2)
        rent_payer = CharField(max_length=20, default="resident")
        notice_given_on = DateField(null=True)
        move_out_date = DateField(null=True)
        end_date = DateField(null=True)
        outcome = CharField(max_length=30, null=True)
        outcome_note = TextField(default="")
        created_at = DateTimeField(default=datetime.datetime.now)
        revision = IntegerField(default=1)

        class Meta:
            database = db
            table_name = "tenancy"

    open_match = Match.status.in_(OPEN_MATCH_STATUSES)
    Match.add_index(Match.flat, unique=True, where=open_match, name="match_one_open_per_flat")
    Match.add_index(
        Match.referral, unique=True, where=open_match, name="match_one_open_per_referral"
    )
    Tenancy.add_index(
        Tenancy.flat,
        unique=True,
        where=Tenancy.end_date.is_null(),
        name="tenancy_one_active_per_flat",
    )
    return [
        Commissioner,
        CommissionerContact,
        Referral,
        ReferralStatusChange,
        RuleOverride,
        Match,
        Tenancy,
    ]


def up(migrator, db):
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_tables(db))))

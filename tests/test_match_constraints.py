"""The database itself keeps a flat and a referral to one open match, a flat to one tenancy."""

import datetime as dt

import pytest
from peewee import IntegrityError

from intranet.extensions import db
from intranet.models import Commissioner, Flat, Match, Referral, Tenancy


@pytest.fixture
def world(app, make_user, make_landlord):
    staff = make_user("staff")
    landlord = make_landlord()
    commissioner = Commissioner.create(name="Socialtjänsten Farsta")

    def flat():
        return Flat.create(
            landlord=landlord,
            address="Storgatan 1",
            postcode="12345",
            district="Farsta",
            rooms=2,
            size_m2=50,
            floor=1,
            rent_to_landlord=7000,
            rent_to_resident=7000,
            status="ready",
        )

    def referral():
        return Referral.create(
            received_on=dt.date(2026, 10, 1),
            commissioner=commissioner,
            first_name="Ali",
            last_name="K",
            birth_date=dt.date(1990, 1, 1),
            gender="male",
            target_group="addiction",
            status="waiting",
        )

    return staff, flat, referral


def _match(staff, flat, referral, status="proposed"):
    return Match.create(flat=flat, referral=referral, proposed_by=staff, status=status)


def test_a_flat_has_at_most_one_open_match(world):
    staff, flat, referral = world
    the_flat = flat()
    _match(staff, the_flat, referral())
    with pytest.raises(IntegrityError), db.atomic():
        _match(staff, the_flat, referral())
    assert Match.select().count() == 1


def test_a_referral_has_at_most_one_open_match(world):
    staff, flat, referral = world
    person = referral()
    _match(staff, flat(), person)
    with pytest.raises(IntegrityError), db.atomic():
        _match(staff, flat(), person)


def test_closed_matches_do_not_block_a_new_one(world):
    staff, flat, referral = world
    the_flat, person = flat(), referral()
    _match(staff, the_flat, person, status="declined")
    _match(staff, the_flat, person, status="declined")
    _match(staff, the_flat, person, status="proposed")
    assert Match.select().count() == 3


def test_a_flat_has_at_most_one_active_tenancy(world):
    staff, flat, referral = world
    the_flat = flat()

    def tenancy(end=None):
        return Tenancy.create(
            flat=the_flat,
            referral=referral(),
            contact_person=staff,
            start_date=dt.date(2026, 1, 1),
            rent=7000,
            end_date=end,
        )

    tenancy(end=dt.date(2026, 6, 30))
    tenancy()
    with pytest.raises(IntegrityError), db.atomic():
        tenancy()

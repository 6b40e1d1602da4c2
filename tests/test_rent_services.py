"""Rent services on SQLite and PostgreSQL: charges once, payments, reversals, credit."""

import datetime as dt
from decimal import Decimal

import pytest

from intranet import clock
from intranet.models import Commissioner, Flat, Payment, Referral, RentCharge, Tenancy
from intranet.rent import board, services
from intranet.rent.rules import NOT_PAID, PAID_LATE, PAID_ON_TIME

MARCH = dt.date(2027, 3, 1)


@pytest.fixture
def tenancy(app, make_user, make_landlord):
    clock.set_clock(dt.date(2027, 3, 10))
    staff = make_user("staff")
    flat = Flat.create(
        landlord=make_landlord(),
        address="Storgatan 1",
        postcode="12345",
        district="Farsta",
        rooms=1,
        size_m2=40,
        floor=0,
        rent_to_landlord=6000,
        rent_to_resident=6200,
        status="ready",
    )
    commissioner = Commissioner.create(name="Socialtjänsten")
    person = Referral.create(
        received_on=dt.date(2026, 1, 1),
        commissioner=commissioner,
        first_name="A",
        last_name="B",
        birth_date=dt.date(1990, 1, 1),
        gender="male",
        target_group="crime",
        status="moved_in",
    )
    made = Tenancy.create(
        flat=flat, referral=person, contact_person=staff, start_date=dt.date(2027, 1, 1), rent=6200
    )
    made.staff = staff
    return made


def test_opening_a_month_charges_each_tenancy_once(tenancy):
    assert services.open_month(MARCH) == 1
    assert services.open_month(MARCH) == 0
    charge = RentCharge.get()
    assert (charge.amount, charge.due_on) == (Decimal(6200), dt.date(2027, 2, 28))


def test_a_tenancy_starting_on_the_20th_is_charged_pro_rata(tenancy):
    Tenancy.update(start_date=dt.date(2027, 3, 20)).where(Tenancy.id == tenancy.id).execute()
    services.open_month(MARCH)
    assert RentCharge.get().amount == Decimal(2400)  # 12 of 31 days of 6 200


def test_a_double_click_registers_one_payment(tenancy):
    services.open_month(MARCH)
    charge = RentCharge.get()
    first = services.register_payment(
        charge.id, tenancy.staff, dt.date(2027, 3, 2), 6200, "swish", "key-1"
    )
    again = services.register_payment(
        charge.id, tenancy.staff, dt.date(2027, 3, 2), 6200, "swish", "key-1"
    )
    assert first.id == again.id and Payment.select().count() == 1


@pytest.mark.parametrize(
    ("paid_on", "amount", "method"),
    [
        (dt.date(2027, 3, 11), 100, "cash"),
        (dt.date(2027, 3, 1), 0, "cash"),
        (dt.date(2027, 3, 1), -5, "cash"),
        (dt.date(2027, 3, 1), 100, "gold"),
    ],
)
def test_bad_payments_are_refused(tenancy, paid_on, amount, method):
    services.open_month(MARCH)
    with pytest.raises(services.RentError):
        services.register_payment(RentCharge.get().id, tenancy.staff, paid_on, amount, method, "k")
    assert Payment.select().count() == 0


def test_a_reversed_payment_stays_but_no_longer_counts(tenancy):
    services.open_month(MARCH)
    charge = RentCharge.get()
    payment = services.register_payment(
        charge.id, tenancy.staff, dt.date(2027, 3, 2), 6200, "cash", "k"
    )
    with pytest.raises(services.RentError):
        services.reverse_payment(payment.id, tenancy.staff, " ")
    reversed_ = services.reverse_payment(payment.id, tenancy.staff, "Fel person")
    assert reversed_.reversed_at is not None and reversed_.reversal_reason == "Fel person"
    assert Payment.select().count() == 1
    services.open_month(dt.date(2027, 4, 1))
    april = board.month_rows(dt.date(2027, 4, 1), clock.today())
    assert april[0].paid == april[0].credit == 0
    (march,) = board.month_rows(MARCH, clock.today())
    assert march.paid == 0 and march.held == []


def test_an_overpayment_is_credit_for_the_next_month(tenancy):
    for month in (dt.date(2027, 2, 1), MARCH):
        services.open_month(month)
    february = RentCharge.get(RentCharge.month == dt.date(2027, 2, 1))
    services.register_payment(
        february.id, tenancy.staff, dt.date(2027, 1, 30), 7200, "bank_transfer", "k"
    )
    (row,) = board.month_rows(MARCH, clock.today())
    assert row.paid == Decimal(1000)  # the rest of the payment, dated 30 January
    assert row.summary.paid_by_due == Decimal(1000)
    assert row.balance == Decimal(5200)
    services.register_payment(
        row.charge.id, tenancy.staff, dt.date(2027, 3, 9), 5200, "swish", "k2"
    )
    (row,) = board.month_rows(MARCH, dt.date(2027, 3, 20))
    assert row.status(dt.date(2027, 3, 20)) == PAID_LATE
    assert board.tenancy_rows(tenancy.id)[1].paid == Decimal(6200)


def test_the_rows_status(tenancy):
    services.open_month(MARCH)
    charge = RentCharge.get()
    (row,) = board.month_rows(MARCH, clock.today())
    assert row.status(dt.date(2027, 3, 16)) == NOT_PAID
    services.register_payment(charge.id, tenancy.staff, dt.date(2027, 2, 28), 6200, "swish", "k")
    (row,) = board.month_rows(MARCH, clock.today())
    assert row.status(dt.date(2027, 3, 16)) == PAID_ON_TIME


def test_a_checkpoint_is_recorded_once(tenancy):
    services.open_month(MARCH)
    charge = RentCharge.get()
    first = services.mark_checkpoint(
        charge.id, "home_visit", tenancy.staff, "Sjuk", "Betalar fredag"
    )
    again = services.mark_checkpoint(charge.id, "home_visit", tenancy.staff, "igen")
    assert first.id == again.id and again.note == "Sjuk"


def test_an_opened_month_is_answered_without_writing_and_still_takes_a_new_tenancy(tenancy):
    from helpers import count_queries

    assert services.open_month(MARCH) == 1
    with count_queries() as log:
        assert services.open_month(MARCH) == 0
    assert not [q for q in log if q.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    second = Tenancy.create(
        flat=Tenancy.get_by_id(tenancy.id).flat_id,
        referral=Tenancy.get_by_id(tenancy.id).referral_id,
        contact_person=tenancy.staff,
        start_date=dt.date(2027, 3, 20),
        end_date=dt.date(2027, 3, 25),
        rent=3100,
    )
    assert services.open_month(MARCH) == 1
    assert RentCharge.get(RentCharge.tenancy == second.id).amount == Decimal(600)

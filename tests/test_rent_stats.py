"""Rent over time: groups per month with credit, risk phases, worsening residents, exports."""

import datetime as dt
import io

import pytest
from conftest import login
from openpyxl import load_workbook

from intranet import clock
from intranet.models import Commissioner, Flat, Referral, RentCharge, Role, Tenancy
from intranet.rent import rules, services, stats


@pytest.fixture
def history(app, make_user, make_landlord):
    """One resident since January: Jan on time, Feb late, Mar not paid, Apr not paid."""
    clock.set_clock(dt.date(2027, 4, 20))
    staff = make_user(Role.STAFF)
    flat = Flat.create(
        landlord=make_landlord(),
        address="Gatan 1",
        postcode="12345",
        district="Farsta",
        rooms=1,
        size_m2=40,
        floor=0,
        rent_to_landlord=6000,
        rent_to_resident=6000,
        status="ready",
    )
    person = Referral.create(
        received_on=dt.date(2026, 1, 1),
        commissioner=Commissioner.create(name="Soc"),
        first_name="Sara",
        last_name="Ek",
        birth_date=dt.date(1990, 1, 1),
        gender="female",
        target_group="crime",
        status="moved_in",
    )
    Tenancy.create(
        flat=flat, referral=person, contact_person=staff, start_date=dt.date(2027, 1, 1), rent=6000
    )
    for month in range(1, 5):
        services.open_month(dt.date(2027, month, 1))
    pay = {1: dt.date(2026, 12, 28), 2: dt.date(2027, 2, 10), 3: dt.date(2027, 3, 25)}
    for month, day in pay.items():
        charge = RentCharge.get(RentCharge.month == dt.date(2027, month, 1))
        services.register_payment(charge.id, staff, day, 6000, "swish", f"k{month}")
    return staff


def test_settled_months_fall_into_the_three_groups(history):
    settled = stats.settled_months(dt.date(2027, 4, 20))
    assert [s.status for s in settled] == [
        rules.PAID_ON_TIME,
        rules.PAID_LATE,
        rules.NOT_PAID,
        rules.NOT_PAID,
    ]


def test_risk_phases_and_getting_worse(history):
    settled = stats.settled_months(dt.date(2027, 4, 20))
    phases = {p["label"]: p for p in stats.risk_phases(settled)}
    assert (phases["1–3"]["months"], phases["1–3"]["troubled"]) == (3, 2)
    assert (phases["4–6"]["months"], phases["4–6"]["troubled"]) == (1, 1)
    assert [t.referral.first_name for t in stats.getting_worse(settled)] == ["Sara"]


def test_the_stats_page_and_its_exports_agree(client, history):
    login(client, history)
    page = client.get("/rent/stats").get_data(as_text=True)
    assert "<svg" in page and "2027-03" in page
    # Each name leads to the person's rent page.
    tenancy = Tenancy.get()
    assert f'<a href="/residents/{tenancy.id}/rent">Sara Ek</a>' in page
    csv_text = client.get("/rent/stats.csv").get_data(as_text=True)
    assert "2027-02;1;0;1;0" in csv_text
    book = load_workbook(io.BytesIO(client.get("/rent/stats.xlsx").data))
    rows = list(book["Per månad"].iter_rows(values_only=True))
    assert rows[2] == ("2027-02", 1, 0, 1, 0)


def test_the_boards_export(client, history):
    login(client, history)
    response = client.get("/rent/export.xlsx?month=2027-03")
    book = load_workbook(io.BytesIO(response.data))
    row = list(book["2027-03"].iter_rows(values_only=True))[1]
    assert row[0] == "Sara Ek" and row[6] == "Ej betald"
    assert "Sara Ek;Farsta" in client.get("/rent/export.csv?month=2027-03").get_data(as_text=True)
    assert client.get("/rent/export.pdf").status_code == 404


def test_the_demo_has_months_of_rent_in_every_group(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    settled = stats.settled_months()
    assert {s.status for s in settled} == {rules.PAID_ON_TIME, rules.PAID_LATE, rules.NOT_PAID}
    assert len({s.charge.month for s in settled}) >= 5


def test_the_demo_spans_years_and_has_repayment_plans(app, runner):
    from intranet.models import RepaymentPlan

    assert runner.invoke(args=["demo"]).exit_code == 0
    months = {c.month for c in RentCharge.select()}
    assert len(months) >= 30
    assert RepaymentPlan.select().count() >= 1


def test_rent_over_time_is_kept_until_the_ledger_or_a_person_changes(history):
    """Worked out once and kept: a payment reversed in a settled month and a new name each
    show on the next reading."""
    from intranet.models import Payment

    today = dt.date(2027, 4, 20)
    first = stats.overview(today)
    assert stats.overview(today) is first  # kept
    january = Payment.get(Payment.request_key == "k1")
    services.reverse_payment(january.id, history, "fel person")
    after = stats.overview(today)
    assert after is not first
    january_group = dict(after.strips[0]["cells"])[dt.date(2027, 1, 1)]
    assert january_group == rules.NOT_PAID  # the month's money is gone
    Referral.update(first_name="Sanna").execute()
    assert stats.overview(today).strips[0]["tenancy"].referral.first_name == "Sanna"

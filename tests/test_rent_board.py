"""The rent board through the test client: rows, in-place updates, bad input, roles, queries."""

import datetime as dt

import pytest
from conftest import csrf_token, login
from helpers import count_queries

from intranet.models import (
    Checkpoint,
    Payment,
    RentCharge,
    Role,
    Tenancy,
)

HX = {"HX-Request": "true"}
TODAY = dt.date(2027, 3, 5)


def test_the_board_opens_the_month_and_says_what_today_asks(rent_client, rent_world):
    _staff, resident = rent_world
    resident("Sara")
    resident("Omar")
    response = rent_client.get("/rent/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert RentCharge.select().count() == 2
    assert "I dag är det den 5:e: 2 hembesök att göra." in page
    assert "Sara Ek" in page and "Omar Ek" in page


@pytest.mark.parametrize("month", ["2024-13", "abc", "2027-3"])
def test_a_bad_month_gets_a_message(rent_client, rent_world, month):
    response = rent_client.get(f"/rent/?month={month}")
    assert response.status_code == 400
    assert "Ange månaden som ÅÅÅÅ-MM" in response.get_data(as_text=True)


def _pay(client, charge, headers=None, key="k1", **fields):
    token = csrf_token(client, "/rent/")
    data = {
        "csrf_token": token,
        "paid_on": "2027-03-04",
        "amount": "6200",
        "method": "swish",
        "request_key": key,
        **fields,
    }
    return client.post(f"/rent/charges/{charge.id}/payments", data=data, headers=headers or {})


def test_a_payment_through_htmx_returns_the_row_and_the_counts(rent_client, rent_world):
    rent_world[1]("Sara")
    rent_client.get("/rent/")
    charge = RentCharge.get()
    response = _pay(rent_client, charge, HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="rent-row-{charge.id}"')
    assert "Betald sent" in body
    assert 'id="rent-counts"' in body and 'hx-swap-oob="true"' in body
    assert Payment.select().count() == 1


def test_a_double_click_registers_one_payment(rent_client, rent_world):
    rent_world[1]("Sara")
    rent_client.get("/rent/")
    charge = RentCharge.get()
    _pay(rent_client, charge, HX, key="same")
    _pay(rent_client, charge, HX, key="same")
    assert Payment.select().count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"paid_on": "2027-03-06"}, "En betalning kan inte dateras i framtiden."),
        ({"amount": "0"}, "Beloppet måste vara mer än 0 kr."),
        ({"amount": "-100"}, "Beloppet måste vara mer än 0 kr."),
        ({"amount": "mycket"}, "Ange ett tal, till exempel 7 300 eller 54,5."),
        ({"amount": "NaN"}, "Ange ett tal, till exempel 7 300 eller 54,5."),
        ({"amount": "Infinity"}, "Ange ett tal, till exempel 7 300 eller 54,5."),
        ({"method": "gold"}, "Välj ett av alternativen."),
        ({"amount": "1000000000000"}, "Ange högst 1 000 000 kr."),
    ],
)
def test_bad_payments_come_back_in_place(rent_client, rent_world, fields, message):
    rent_world[1]("Sara")
    rent_client.get("/rent/")
    response = _pay(rent_client, RentCharge.get(), HX, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Payment.select().count() == 0


def test_a_payment_on_a_month_the_tenancy_is_not_active_is_refused(rent_client, rent_world):
    tenancy = rent_world[1]("Sara")
    rent_client.get("/rent/")
    Tenancy.update(start_date=dt.date(2027, 4, 1)).where(Tenancy.id == tenancy.id).execute()
    response = _pay(rent_client, RentCharge.get(), HX)
    assert response.status_code == 422
    assert Payment.select().count() == 0


def test_a_payment_is_reversed_with_a_reason(rent_client, rent_world):
    rent_world[1]("Sara")
    rent_client.get("/rent/")
    _pay(rent_client, RentCharge.get(), HX)
    payment = Payment.get()
    token = csrf_token(rent_client, "/rent/")
    bad = rent_client.post(
        f"/rent/payments/{payment.id}/reverse", data={"csrf_token": token, "reason": ""}, headers=HX
    )
    assert bad.status_code == 422
    ok = rent_client.post(
        f"/rent/payments/{payment.id}/reverse",
        data={"csrf_token": token, "reason": "Fel rad"},
        headers=HX,
    )
    assert ok.status_code == 200
    assert Payment.get().reversal_reason == "Fel rad"
    assert "Inte betald än" in ok.get_data(as_text=True)


def test_the_home_visit_is_logged_in_place(rent_client, rent_world):
    rent_world[1]("Sara")
    rent_client.get("/rent/")
    charge = RentCharge.get()
    token = csrf_token(rent_client, "/rent/")
    response = rent_client.post(
        f"/rent/charges/{charge.id}/checkpoints/home_visit",
        data={"csrf_token": token, "note": "Sjukskriven", "plan": "Betalar den 10:e"},
        headers=HX,
    )
    assert response.status_code == 200
    assert "Betalar den 10:e" in response.get_data(as_text=True)
    assert Checkpoint.get().kind == "home_visit"
    assert (
        rent_client.post(
            f"/rent/charges/{charge.id}/checkpoints/party", data={"csrf_token": token}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.CARETAKER, 403), (Role.LANDLORD, 403), (Role.ADMIN, 403), (Role.MANAGER, 200)],
)
def test_who_may_see_the_rent_board(client, make_user, rent_world, role, status):
    login(client, make_user(role))
    assert client.get("/rent/").status_code == status


@pytest.mark.parametrize(
    "query", ["", "?status=not_yet_paid", "?action_today=y", "?status=paid_late&contact=1"]
)
def test_the_board_runs_a_fixed_number_of_queries(rent_client, rent_world, query):
    def queries():
        with count_queries() as log:
            assert rent_client.get(f"/rent/{query}").status_code == 200
        return len(log)

    rent_world[1]("A")
    rent_client.get("/rent/")
    small = queries()
    for n in range(12):
        rent_world[1](f"P{n}")
    rent_client.get("/rent/")  # opens the new residents' charges
    assert queries() == small


def test_a_row_is_answered_from_its_own_queries_however_big_the_month(rent_client, rent_world):
    rent_world[1]("A")
    rent_client.get("/rent/")
    charge = RentCharge.get()

    def queries(key):
        with count_queries() as log:
            assert _pay(rent_client, charge, HX, key=key, amount="1").status_code == 200
        return len([q for q in log if q.lstrip().upper().startswith("SELECT")])

    small = queries("a")
    for n in range(12):
        rent_world[1](f"P{n}")
    rent_client.get("/rent/")
    assert queries("b") == small


def test_a_row_updated_in_place_keeps_its_instalment(rent_client, rent_world):
    from intranet.rent import services

    staff, resident = rent_world
    sara = resident("Sara")
    services.create_plan(sara.id, staff, 500, [(dt.date(2027, 3, 25), 500)])
    rent_client.get("/rent/")
    response = _pay(rent_client, RentCharge.get(), HX, amount="100")
    assert "Delbetalning 2027-03-25: 500\u00a0kr" in response.get_data(as_text=True)


def test_the_board_filters(rent_client, rent_world):
    rent_world[1]("Sara")
    other = rent_world[1]("Omar")
    rent_client.get("/rent/")
    from intranet.rent import services

    charge = RentCharge.get(RentCharge.tenancy == other.id)
    services.register_payment(charge.id, rent_world[0], dt.date(2027, 2, 27), 6200, "swish", "x")
    page = rent_client.get("/rent/?status=paid_on_time", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "Omar Ek" in page and "Sara Ek" not in page
    page = rent_client.get("/rent/?action_today=y").get_data(as_text=True)
    assert "Sara Ek" in page and "Omar Ek</a>" not in page
    assert rent_client.get("/rent/?contact=abc").status_code == 400

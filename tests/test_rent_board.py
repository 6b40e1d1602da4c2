"""The rent board through the test client: rows, in-place updates, bad input, roles, queries."""

import datetime as dt

import pytest
from conftest import csrf_token, login, pay_on_board
from helpers import count_queries, open_rent_month

from intranet.models import (
    Checkpoint,
    Payment,
    RentCharge,
    Role,
    Tenancy,
)

HX = {"HX-Request": "true"}
TODAY = dt.date(2027, 3, 5)


def test_the_board_shows_an_unopened_month_without_writing(rent_client, rent_world):
    _staff, resident = rent_world
    resident("Sara")
    resident("Omar")
    response = rent_client.get("/rent/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert RentCharge.select().count() == 0
    assert "Boende utan hyra för månaden ännu: 2" in page
    assert "Sara Ek" in page and "Omar Ek" in page
    assert "6\xa0200,00\xa0kr" in page


def test_the_open_button_opens_the_month_and_the_board_says_what_today_asks(
    rent_client, rent_world
):
    rent_world[1]("Sara")
    rent_world[1]("Omar")
    token = csrf_token(rent_client, "/rent/")
    response = rent_client.post("/rent/months/2027-03/open", data={"csrf_token": token})
    assert response.status_code == 303
    assert RentCharge.select().count() == 2
    page = rent_client.get("/rent/").get_data(as_text=True)
    assert "2027-03 är öppnad: alla boende har månadens hyra." in page
    assert "Boende utan hyra" not in page
    assert "I dag är det den 5:e: 2 hembesök att göra." in page


def test_next_month_can_be_opened_early_for_its_notices(rent_client, rent_world):
    rent_world[1]("Sara")
    token = csrf_token(rent_client, "/rent/?month=2027-04")
    assert "Öppna 2027-04 nu" in rent_client.get("/rent/?month=2027-04").get_data(as_text=True)
    response = rent_client.post("/rent/months/2027-04/open", data={"csrf_token": token})
    assert response.status_code == 303
    assert RentCharge.select().where(RentCharge.month == dt.date(2027, 4, 1)).count() == 1


@pytest.mark.parametrize("month", ["2027-05", "2027-13", "abc"])
def test_a_future_or_bad_month_cannot_be_opened(rent_client, rent_world, month):
    rent_world[1]("Sara")
    token = csrf_token(rent_client, "/rent/")
    response = rent_client.post(f"/rent/months/{month}/open", data={"csrf_token": token})
    assert response.status_code == 404
    assert RentCharge.select().count() == 0


def test_the_open_button_without_a_token_changes_nothing(rent_client, rent_world):
    rent_world[1]("Sara")
    response = rent_client.post("/rent/months/2027-03/open", data={})
    assert response.status_code == 400
    assert RentCharge.select().count() == 0


def test_the_first_write_of_a_month_opens_it(rent_client, rent_world):
    rent_world[1]("Sara")
    rent_client.get("/rent/")
    assert RentCharge.select().count() == 0
    token = csrf_token(rent_client, "/rent/")
    refused = rent_client.post("/rent/months/2027-13/open", data={"csrf_token": token})
    assert refused.status_code == 404
    assert RentCharge.select().count() == 0  # a refused write changes nothing
    rent_client.post("/rent/months/2027-02/open", data={"csrf_token": token})
    assert {c.month for c in RentCharge.select()} == {dt.date(2027, 2, 1), dt.date(2027, 3, 1)}


def test_a_resident_who_moves_into_an_open_month_is_charged_by_the_next_write(
    rent_client, rent_world
):
    """That the month is open is kept between requests; a new tenancy (or a charge) makes
    it asked again, by the board and by the first write after it."""
    rent_world[1]("Sara")
    token = csrf_token(rent_client, "/rent/")
    rent_client.post("/rent/months/2027-03/open", data={"csrf_token": token})
    assert "Boende utan hyra" not in rent_client.get("/rent/").get_data(as_text=True)
    rent_world[1]("Omar", start=dt.date(2027, 3, 4))
    page = rent_client.get("/rent/").get_data(as_text=True)
    assert "Boende utan hyra för månaden ännu: 1" in page and "Omar Ek" in page
    rent_client.post("/rent/months/2027-02/open", data={"csrf_token": token})
    assert RentCharge.select().where(RentCharge.month == dt.date(2027, 3, 1)).count() == 2
    assert "Boende utan hyra" not in rent_client.get("/rent/").get_data(as_text=True)


def test_the_first_log_in_of_a_month_opens_it(client, rent_world):
    rent_world[1]("Sara")
    login(client, rent_world[0])
    assert [c.month for c in RentCharge.select()] == [dt.date(2027, 3, 1)]


def test_the_daily_command_opens_the_month(app, runner, rent_world):
    rent_world[1]("Sara")
    result = runner.invoke(args=["rent", "open-month"])
    assert result.exit_code == 0, result.output
    assert "2027-03: 1 rent charges opened" in result.output
    again = runner.invoke(args=["rent", "open-month", "--month", "2027-02"])
    assert "2027-02: 1 rent charges opened" in again.output
    assert RentCharge.select().count() == 2
    bad = runner.invoke(args=["rent", "open-month", "--month", "2027-3"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    assert RentCharge.select().count() == 2


@pytest.mark.parametrize("month", ["2024-13", "abc", "2027-3"])
def test_a_bad_month_gets_a_message(rent_client, rent_world, month):
    response = rent_client.get(f"/rent/?month={month}")
    assert response.status_code == 400
    assert "Ange månaden som ÅÅÅÅ-MM" in response.get_data(as_text=True)


_pay = pay_on_board


def test_a_payment_through_htmx_returns_the_row_and_the_counts(rent_client, rent_world):
    rent_world[1]("Sara")
    open_rent_month()
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
    open_rent_month()
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
    open_rent_month()
    response = _pay(rent_client, RentCharge.get(), HX, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Payment.select().count() == 0


def test_a_payment_on_a_month_the_tenancy_is_not_active_is_refused(rent_client, rent_world):
    tenancy = rent_world[1]("Sara")
    open_rent_month()
    Tenancy.update(start_date=dt.date(2027, 4, 1)).where(Tenancy.id == tenancy.id).execute()
    response = _pay(rent_client, RentCharge.get(), HX)
    assert response.status_code == 422
    assert Payment.select().count() == 0


def test_a_payment_is_reversed_with_a_reason(rent_client, rent_world):
    rent_world[1]("Sara")
    open_rent_month()
    _pay(rent_client, RentCharge.get(), HX)
    payment = Payment.get()
    token = csrf_token(rent_client, "/rent/")
    bad = rent_client.post(
        f"/rent/payments/{payment.id}/reverse", data={"csrf_token": token, "reason": ""}, headers=HX
    )
    assert bad.status_code == 422
    unconfirmed = rent_client.post(
        f"/rent/payments/{payment.id}/reverse",
        data={"csrf_token": token, "reason": "Fel rad"},
        headers=HX,
    )
    assert unconfirmed.status_code == 422
    assert "Kryssa i rutan för att bekräfta." in unconfirmed.get_data(as_text=True)
    assert Payment.get().reversed_at is None
    ok = rent_client.post(
        f"/rent/payments/{payment.id}/reverse",
        data={"csrf_token": token, "reason": "Fel rad", "confirmed": "y"},
        headers=HX,
    )
    assert ok.status_code == 200
    assert Payment.get().reversal_reason == "Fel rad"
    assert "Inte betald än" in ok.get_data(as_text=True)


def test_the_home_visit_is_logged_in_place(rent_client, rent_world):
    rent_world[1]("Sara")
    open_rent_month()
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
    open_rent_month()
    small = queries()
    for n in range(12):
        rent_world[1](f"P{n}")
    open_rent_month()  # opens the new residents' charges
    assert queries() == small


def test_a_row_is_answered_from_its_own_queries_however_big_the_month(rent_client, rent_world):
    rent_world[1]("A")
    open_rent_month()
    charge = RentCharge.get()

    def queries(key):
        with count_queries() as log:
            assert _pay(rent_client, charge, HX, key=key, amount="1").status_code == 200
        return len([q for q in log if q.lstrip().upper().startswith("SELECT")])

    small = queries("a")
    for n in range(12):
        rent_world[1](f"P{n}")
    open_rent_month()
    assert queries("b") == small


def test_a_row_updated_in_place_keeps_its_instalment(rent_client, rent_world):
    from intranet.rent import services

    staff, resident = rent_world
    sara = resident("Sara")
    open_rent_month()
    services.create_plan(sara.id, staff, [RentCharge.get().id], [(dt.date(2027, 3, 25), 6200)])
    charge = RentCharge.get()
    row = _pay(rent_client, charge, HX, amount="100").get_data(as_text=True)
    # The row says where its money is; opening its details brings the instalment.
    assert f'hx-get="/rent/charges/{charge.id}/money"' in row
    money = rent_client.get(f"/rent/charges/{charge.id}/money", headers=HX)
    assert "<html" not in money.get_data(as_text=True)
    assert "Delbetalning 2027-03-25: 6\u00a0200,00\u00a0kr" in money.get_data(as_text=True)
    page = rent_client.get(f"/rent/charges/{charge.id}/money").get_data(as_text=True)
    assert "<h1>Pengar till den här månaden</h1>" in page and "Sara" in page


def test_the_rows_forms_open_in_place_and_on_pages_of_their_own(rent_client, rent_world):
    """The board carries a link for each row's payment and reversal; the form comes when
    it is opened, in the row with htmx or as a page without JavaScript."""
    resident = rent_world[1]
    resident("Sara")
    open_rent_month()
    charge = RentCharge.get()
    board = rent_client.get("/rent/").get_data(as_text=True)
    assert 'class="pay-form"' not in board
    assert f'href="/rent/charges/{charge.id}/payments"' in board
    form = rent_client.get(f"/rent/charges/{charge.id}/payments", headers=HX)
    text = form.get_data(as_text=True)
    assert text.lstrip().startswith("<form")
    assert f'hx-post="/rent/charges/{charge.id}/payments"' in text
    assert 'value="6200,00"' in text  # the balance is suggested
    page = rent_client.get(f"/rent/charges/{charge.id}/payments").get_data(as_text=True)
    assert "<h1>Registrera en betalning</h1>" in page and "hx-post" not in page.split("<main")[1]
    paid = _pay(rent_client, charge, amount="6200")
    assert paid.status_code == 303
    (payment,) = Payment.select()
    reversal = rent_client.get(f"/rent/payments/{payment.id}/reverse?row={charge.id}", headers=HX)
    assert 'name="reason"' in reversal.get_data(as_text=True)
    assert "<h1>Återför en betalning</h1>" in rent_client.get(
        f"/rent/payments/{payment.id}/reverse"
    ).get_data(as_text=True)
    token = csrf_token(rent_client, "/rent/")
    refused = rent_client.post(
        f"/rent/payments/{payment.id}/reverse",
        data={"csrf_token": token, "reason": "", "row": charge.id},
        headers=HX,
    )
    assert refused.status_code == 422
    assert f'id="reason-{payment.id}"' in refused.get_data(as_text=True)  # open where it was
    reversed_ = rent_client.post(
        f"/rent/payments/{payment.id}/reverse",
        data={"csrf_token": token, "reason": "Fel rad", "confirmed": "y", "row": charge.id},
        headers=HX,
    )
    assert reversed_.status_code == 200
    stale = rent_client.get(f"/rent/payments/{payment.id}/reverse?row={charge.id}", headers=HX)
    assert "Den här betalningen återfördes" in stale.get_data(as_text=True)
    assert 'name="reason"' not in stale.get_data(as_text=True)
    assert rent_client.get("/rent/payments/999999/reverse").status_code == 404
    assert rent_client.get("/rent/charges/999999/payments").status_code == 404


def test_the_home_visit_form_opens_in_place_and_on_a_page_of_its_own(rent_client, rent_world):
    """On the 6th an unpaid row's home visit is due: the board carries a link, not a form
    with two text boxes for each such row; the form comes when the row's "Mark done" is
    opened, and a refused note comes back open in the row with what was typed."""
    from intranet import clock

    rent_world[1]("Sara", start=dt.date(2027, 1, 1))
    clock.set_clock(dt.date(2027, 1, 6))
    open_rent_month()
    charge = RentCharge.get()
    address = f"/rent/charges/{charge.id}/checkpoints/home_visit"
    board = rent_client.get("/rent/").get_data(as_text=True)
    assert f'hx-get="{address}"' in board
    assert "<textarea" not in board
    form = rent_client.get(address, headers=HX).get_data(as_text=True)
    assert form.lstrip().startswith("<form") and f'hx-post="{address}"' in form
    assert f'id="note-home_visit-{charge.id}"' in form
    page = rent_client.get(address).get_data(as_text=True)
    assert "<h1>Hembesök (5:e)</h1>" in page and "hx-post" not in page.split("<main")[1]
    assert rent_client.get(f"/rent/charges/{charge.id}/checkpoints/party").status_code == 404
    token = csrf_token(rent_client, "/rent/")
    refused = rent_client.post(
        address,
        data={"csrf_token": token, "note": "Sjuk", "plan": "x" * 2001},
        headers=HX,
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert f'id="plan-home_visit-{charge.id}"' in text and ">Sjuk</textarea>" in text
    assert Checkpoint.select().count() == 0


def test_the_board_filters(rent_client, rent_world):
    rent_world[1]("Sara")
    other = rent_world[1]("Omar")
    open_rent_month()
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


def test_row_answers_that_show_the_resident_are_in_the_audit_log(rent_client, rent_world):
    """A refused payment and a recorded home visit draw the resident's row: each request
    writes one line naming the person; the refused one changes nothing else."""
    from intranet.models import AuditEvent, Payment

    sara = rent_world[1]("Sara")
    open_rent_month()
    charge = RentCharge.get()
    refused = pay_on_board(rent_client, charge, headers=HX, amount="abc")
    assert refused.status_code == 422 and Payment.select().count() == 0
    token = csrf_token(rent_client, "/rent/")
    rent_client.post(
        f"/rent/charges/{charge.id}/checkpoints/home_visit",
        data={"csrf_token": token, "note": "Hemma", "plan": ""},
        headers=HX,
    )
    opened = AuditEvent.select().where(
        (AuditEvent.action == "opened") & (AuditEvent.subject_id == sara.referral_id)
    )
    details = sorted(e.detail.split(":")[0] for e in opened)
    assert details == ["rent board row, checkpoint", "rent board row, payment"]


def test_the_board_finds_a_contact_person_by_name_and_a_contact_person_sees_their_own_first(
    app, client, rent_world, make_user
):
    staff, resident = rent_world
    lena = make_user(Role.STAFF, display_name="Lena Ek")
    resident("Sara")
    omar = resident("Omar")
    Tenancy.update(contact_person=lena).where(Tenancy.id == omar.id).execute()
    open_rent_month()
    login(client, staff)
    own = client.get("/rent/").get_data(as_text=True)
    assert "Sara Ek" in own and "Omar Ek" not in own  # Johan's own residents first
    assert "Bara de boende som har Johan Berg" in own and "?month=2027-03&amp;contact=0" in own
    filters = own.split('class="board-filters"')[1].split("</form>")[0]
    assert filters.count("<select") == 1 and 'name="contact_name"' in filters  # status only
    everyone = client.get("/rent/?month=2027-03&contact=0").get_data(as_text=True)
    assert "Sara Ek" in everyone and "Omar Ek" in everyone
    assert f"/rent/?month=2027-03&amp;contact={staff.id}" in everyone  # "My residents"
    named = client.get(f"/rent/?month=2027-03&contact={staff.id}&contact_name=lena")
    assert "Omar Ek" in named.get_data(as_text=True)
    assert "Sara Ek" not in named.get_data(as_text=True)
    assert client.get("/rent/?contact=999999").status_code == 400

"""The rent ledger as people meet it: the screen says where money went, a payment of more
than three months' rent is asked about, a bank file's preview shows the months each payment
will pay, the manager moves money between months, and a mid-month move-in is not in arrears
from day one."""

import datetime as dt
import io
import re
from decimal import Decimal

from bankfiles import Paid, bgmax
from conftest import csrf_token, login, pay_on_board, post_form
from helpers import open_rent_month
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from intranet import clock
from intranet.models import AllocationMove, AuditEvent, Payment, RentCharge
from intranet.rent import board, ledger, notices, rules, services

HX = {"HX-Request": "true"}
MARCH, APRIL = dt.date(2027, 3, 1), dt.date(2027, 4, 1)


_pay = pay_on_board


def _upload(client, data):
    token = csrf_token(client, "/rent/imports")
    upload = FileStorage(io.BytesIO(data), filename="bg.txt")
    boundary, body = encode_multipart({"file": upload, "csrf_token": token})
    return client.post(
        "/rent/imports", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_payment_says_which_month_it_paid(rent_client, rent_world):
    """Typed on March's row while February is unpaid: it pays February, and says so."""
    rent_world[1]("Sara")
    open_rent_month(dt.date(2027, 2, 1))
    open_rent_month()
    march = RentCharge.get(RentCharge.month == MARCH)
    body = _text(_pay(rent_client, march, HX, amount="7000"))
    assert "6\xa0200,00\xa0kr betalt för februari 2027, 800,00\xa0kr betalt för mars 2027" in body
    assert "0,00\xa0kr kvar som tillgodohavande." in body
    english = rent_client.post(
        f"/rent/charges/{march.id}/payments",
        data={
            "csrf_token": csrf_token(rent_client, "/rent/"),
            "paid_on": "2027-03-04",
            "amount": "6000",
            "method": "swish",
            "request_key": "k2",
        },
        headers={**HX, "Accept-Language": "en"},
    )
    assert "5,400.00\xa0kr paid March 2027; 600.00\xa0kr left as credit." in _text(english)


def test_a_payment_without_javascript_flashes_where_it_went(rent_client, rent_world):
    rent_world[1]("Sara")
    open_rent_month()
    response = _pay(rent_client, RentCharge.get())
    assert response.status_code == 303
    page = _text(rent_client.get(response.headers["Location"]))
    assert "6\xa0200,00\xa0kr betalt för mars 2027; 0,00\xa0kr kvar som tillgodohavande." in page


def test_more_than_three_months_rent_is_asked_about_in_the_row(rent_client, rent_world):
    rent_world[1]("Sara")
    open_rent_month()
    charge = RentCharge.get()
    asked = _pay(rent_client, charge, HX, amount="1000000")
    body = _text(asked)
    assert asked.status_code == 422
    assert (
        "1\xa0000\xa0000,00\xa0kr är mer än tre månaders hyra (6\xa0200,00\xa0kr i månaden)."
        in body
    )
    assert "Är du säker?" in body and 'name="confirmed"' in body
    assert 'value="1000000"' in body and 'value="k1"' in body  # what was typed stays
    assert Payment.select().count() == 0
    exactly_three = _pay(rent_client, charge, HX, key="k3", amount="18600")
    assert exactly_three.status_code == 200  # three months' rent is not asked about
    meant = _pay(rent_client, charge, HX, amount="20000", confirmed="y")
    assert meant.status_code == 200
    assert Payment.select().count() == 2


def test_more_than_three_months_rent_is_asked_about_without_javascript(rent_client, rent_world):
    rent_world[1]("Sara")
    open_rent_month()
    charge = RentCharge.get()
    asked = _pay(rent_client, charge, amount="1000000")
    page = _text(asked)
    assert asked.status_code == 422
    assert "<h1>Är du säker?</h1>" in page
    assert re.search(r'<input[^>]*name="confirmed"[^>]*required', page)
    assert Payment.select().count() == 0
    meant = _pay(rent_client, charge, amount="1000000", confirmed="y")
    assert meant.status_code == 303
    (payment,) = Payment.select()
    assert payment.amount == 1000000


def test_the_bank_preview_shows_the_months_and_flags_a_large_payment(rent_client, rent_world):
    staff, resident = rent_world
    sara, omar = resident("Sara"), resident("Omar")
    open_rent_month(dt.date(2027, 2, 1))
    open_rent_month()
    services.register_payment(
        RentCharge.get(
            (RentCharge.tenancy == omar.id) & (RentCharge.month == dt.date(2027, 2, 1))
        ).id,
        staff,
        dt.date(2027, 1, 30),
        6200,
        "swish",
        "feb",
    )
    data = bgmax(
        [
            Paid(sara.payment_reference, 6200, dt.date(2027, 3, 2), serial="801"),
            Paid(omar.payment_reference, 100000, dt.date(2027, 3, 2), serial="802"),
        ]
    )
    uploaded = _upload(rent_client, data)
    preview_url = uploaded.headers["Location"]
    preview = _text(rent_client.get(preview_url))
    assert (
        "6\xa0200,00\xa0kr betalt för februari 2027; 0,00\xa0kr kvar som tillgodohavande."
        in preview
    )
    assert (
        "6\xa0200,00\xa0kr betalt för mars 2027; 93\xa0800,00\xa0kr kvar som tillgodohavande."
        in preview
    )
    assert "Mer än tre månaders hyra: titta på den innan du registrerar filen." in preview
    assert preview.count("Mer än tre månaders hyra") == 1
    assert Payment.select().count() == 1  # nothing registered by the preview
    token = csrf_token(rent_client, preview_url)
    rent_client.post(preview_url + "/confirm", data={"csrf_token": token})
    done = _text(rent_client.get(preview_url))
    assert (
        "6\xa0200,00\xa0kr betalt för februari 2027; 0,00\xa0kr kvar som tillgodohavande." in done
    )
    assert "kontrollera att den var menad som hyra" in done
    assert Payment.select().count() == 3  # the money came: registered, and flagged


def test_the_manager_moves_money_between_months_with_a_reason(client, rent_world, make_user):
    staff, resident = rent_world
    sara = resident("Sara")
    open_rent_month(dt.date(2027, 2, 1))
    open_rent_month()
    february, march = (
        RentCharge.get((RentCharge.tenancy == sara.id) & (RentCharge.month == m))
        for m in (dt.date(2027, 2, 1), MARCH)
    )
    # 9 000 kr on 25 January: February in full, 2 800 kr toward March.
    services.register_payment(february.id, staff, dt.date(2027, 1, 25), 9000, "swish", "a")
    manager = make_user("manager")
    login(client, manager)
    page = f"/residents/{sara.id}/rent"
    url = f"{page}/moves"
    assert "Flytta pengar mellan månader" in _text(client.get(page))
    data = {
        "from_month": str(march.id),
        "to_month": "credit",
        "amount": "1000",
        "reason": "Bad om det",
    }
    no_reason = post_form(client, url, {**data, "reason": ""}, page)
    assert no_reason.status_code == 422 and AllocationMove.select().count() == 0
    moved = post_form(client, url, data, page)
    assert moved.status_code == 303
    assert "1\xa0000,00\xa0kr flyttat från 2027-03 till tillgodohavandet." in _text(
        client.get(moved.headers["Location"])
    )
    (row,) = [r for r in board.tenancy_rows(sara.id) if r.charge.id == march.id]
    assert (row.paid, row.credit) == (Decimal(1800), Decimal(1000))
    assert AuditEvent.select().where(AuditEvent.action == "money_moved").count() == 1
    assert ledger.verify() == []
    staff_client = client.application.test_client()
    login(staff_client, staff)
    assert "Flytta pengar" not in _text(staff_client.get(page))
    assert post_form(staff_client, url, data, page).status_code == 403


def test_money_moved_keeps_the_day_it_was_paid(app, rent_world):
    """February's money moved to March: March is paid on time (the money was there on 25
    January), and February is owed again."""
    staff, resident = rent_world
    sara = resident("Sara")
    open_rent_month(dt.date(2027, 2, 1))
    open_rent_month()
    february = RentCharge.get(RentCharge.month == dt.date(2027, 2, 1))
    march = RentCharge.get(RentCharge.month == MARCH)
    services.register_payment(february.id, staff, dt.date(2027, 1, 25), 6200, "swish", "a")
    ledger.move(sara.id, february.id, march.id, 6200, "fel månad", staff)
    today = dt.date(2027, 3, 20)
    rows = {r.charge.month: r for r in board.tenancy_rows(sara.id)}
    assert rows[MARCH].status(today) == rules.PAID_ON_TIME
    assert rows[dt.date(2027, 2, 1)].balance == 6200
    assert rows[dt.date(2027, 2, 1)].status(today) == rules.NOT_PAID


def test_a_mid_month_move_in_paid_on_the_day_is_not_in_arrears(client, rent_world):
    """Moved in on 6 December, the pro-rata first month paid that day: on time, no reminder,
    no home visit, no reminder letter, nothing on the start page."""
    staff, resident = rent_world
    clock.set_clock(dt.date(2026, 12, 6))
    login(client, staff)
    sara = resident("Sara", rent=7000, start=dt.date(2026, 12, 6))
    resident("Omar", rent=6200, start=dt.date(2026, 12, 26))  # moves in later this month
    open_rent_month()
    first = RentCharge.get(RentCharge.tenancy == sara.id)
    assert (first.amount, first.due_on) == (5871, dt.date(2026, 12, 6))
    services.register_payment(first.id, staff, dt.date(2026, 12, 6), 5871, "swish", "day-one")
    today = clock.today()
    counts = board.month_counts(today.replace(day=1), today)
    assert counts["needs_action"] == 0 and counts["due"] == dict.fromkeys(rules.CHECKPOINTS, 0)
    rows = {
        r.charge.tenancy.referral.first_name: r
        for r in board.month_rows(today.replace(day=1), today)
    }
    assert rows["Sara"].status(today) == rules.PAID_ON_TIME
    assert rows["Omar"].status(today) == rules.NOT_YET_PAID
    with client.application.test_request_context():
        letters = notices.letters(today.replace(day=1), today, notices.reminders_due())
    assert letters == []
    start = _text(client.get("/"))
    assert "Sara Ek" not in start and "Omar Ek" not in start

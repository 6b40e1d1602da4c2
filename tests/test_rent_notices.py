"""Rent notices (hyresavier) and the 1st's reminder letters: the amount, the page per
resident, filters and paging, bad input, roles, the audit log and "Reminders sent"."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from conftest import TEST_CONFIG, csrf_token, login
from helpers import count_queries, open_rent_month

from intranet import ROOT, clock, create_app, default_config, ocr
from intranet.extensions import db
from intranet.models import AuditEvent, Checkpoint, Instalment, RentCharge, RepaymentPlan, Role
from intranet.rent import board, notices, services

MARCH = dt.date(2027, 3, 1)
LETTER = re.compile(r'<article class="letter">')


def _page(response) -> str:
    return response.get_data(as_text=True)


def _letters(response) -> int:
    return len(LETTER.findall(_page(response)))


def _pay(charge, staff, amount, day):
    return services.register_payment(
        charge.id, staff, day, Decimal(amount), "swish", f"key-{charge.id}-{amount}-{day}"
    )


def _charge(tenancy, month=MARCH) -> RentCharge:
    return RentCharge.get((RentCharge.tenancy == tenancy.id) & (RentCharge.month == month))


@pytest.mark.parametrize(
    ("charge", "instalments", "credit", "due"),
    [
        (6200, [], 0, 6200),  # the month's rent only
        (6200, [500], 0, 6700),  # with an instalment of a repayment plan
        (6200, [500, 250], 1000, 5950),  # with credit carried in
        (6200, [], 7000, 0),  # credit larger than the rent: nothing to pay, never below 0
        (0, [], 0, 0),
    ],
)
def test_the_amount_due(charge, instalments, credit, due):
    assert notices.amount_due(charge, instalments, credit) == Decimal(due)


def test_a_month_whose_debt_is_in_a_plan_asks_only_for_the_instalments():
    assert notices.amount_due(6200, [500], 1000, in_plan=True) == Decimal(500)


def test_a_notice_asks_for_the_rent_and_the_instalment_less_the_credit(rent_client, rent_world):
    staff, resident = rent_world
    sara = resident("Sara")
    services.open_month(dt.date(2027, 2, 1))
    open_rent_month()
    _pay(_charge(sara, dt.date(2027, 2, 1)), staff, 7200, dt.date(2027, 1, 25))  # 1000 over
    plan = RepaymentPlan.create(tenancy=sara, debt=500, created_by=staff)
    Instalment.create(plan=plan, due_on=dt.date(2027, 3, 20), amount=500)
    Instalment.create(plan=plan, due_on=dt.date(2027, 4, 20), amount=500)  # another month
    response = rent_client.get(f"/residents/{sara.id}/rent/notice?month=2027-03")
    page = _page(response)
    assert response.status_code == 200
    assert _letters(response) == 1
    assert "Sara Ek" in page and "Gatan 1" in page
    assert "6\xa0200,00\xa0kr" in page and "500,00\xa0kr" in page and "−1\xa0000,00\xa0kr" in page
    assert '<td class="amount-due">5\xa0700,00\xa0kr</td>' in page
    assert "2027-02-28" in page  # due on the last day of the month before
    assert "5050-1055" in page and sara.payment_reference in page
    assert "Provhusets träningslägenheter" in page and "123 45 Stockholm" in page
    assert RentCharge.select().count() == 2  # February and March; a page view writes none
    # Each line says when it is due: the rent on 28 February, the instalment on 20 March.
    rows = re.findall(r"<tr><th scope=\"row\">([^<]*)</th><td>([^<]*)</td>", page)
    assert ("Hyra för 2027-03", "2027-02-28") in rows
    assert ("Avbetalningsplan, delbetalning", "2027-03-20") in rows
    assert "Betala varje rad senast den dag som står bredvid." in page
    assert "Att betala senast" not in page


def test_the_notice_writes_the_postcode_and_the_postal_town(rent_client, rent_world):
    from intranet.models import Flat

    sara = rent_world[1]("Sara")
    open_rent_month()
    url = f"/residents/{sara.id}/rent/notice?month=2027-03"
    Flat.update(postcode="16556", postal_town="").where(Flat.id == sara.flat_id).execute()
    assert "<br>165 56</address>" in _page(rent_client.get(url))  # the postcode alone
    Flat.update(postal_town="Hässelby").where(Flat.id == sara.flat_id).execute()
    assert "<br>165 56 Hässelby</address>" in _page(rent_client.get(url))


def test_a_credit_larger_than_the_rent_asks_for_nothing(rent_client, rent_world):
    staff, resident = rent_world
    sara = resident("Sara")
    services.open_month(dt.date(2027, 2, 1))
    open_rent_month()
    _pay(_charge(sara, dt.date(2027, 2, 1)), staff, 14000, dt.date(2027, 1, 25))
    page = _page(rent_client.get(f"/residents/{sara.id}/rent/notice?month=2027-03"))
    assert '<td class="amount-due">0,00\xa0kr</td>' in page
    assert "Inget att betala den här månaden" in page


def test_the_rent_page_links_each_month_to_its_notice(rent_client, rent_world):
    sara = rent_world[1]("Sara")
    open_rent_month()
    page = _page(rent_client.get(f"/residents/{sara.id}/rent"))
    assert f'href="/residents/{sara.id}/rent/notice?month=2027-03"' in page


def test_everyone_s_notices_print_one_page_each_in_english_too(rent_client, rent_world):
    for name in ("Sara", "Omar", "Lena"):
        rent_world[1](name)
    open_rent_month()
    response = rent_client.get("/rent/notices?month=2027-03")
    page = _page(response)
    assert response.status_code == 200
    assert _letters(response) == 3
    assert page.index("Lena") < page.index("Omar") < page.index("Sara")  # by name
    assert "Hyresavi 2027-03" in page and "Att betala senast 2027-02-28." in page
    english = rent_client.get("/rent/notices?month=2027-03", headers={"Accept-Language": "en"})
    assert "Rent notice 2027-03" in _page(english) and "Pay by 2027-02-28" in _page(english)


def test_the_print_stylesheet_breaks_the_page_after_each_letter():
    css = (ROOT / "static" / "print.css").read_text()
    assert "@page { size: A4" in css
    assert ".letter { break-after: page; }" in css


def test_the_board_links_to_the_notices_and_reminders(rent_client, rent_world):
    rent_world[1]("Sara")
    page = _page(rent_client.get("/rent/?month=2027-03"))
    assert 'href="/rent/notices?month=2027-03"' in page
    assert 'href="/rent/reminders?month=2027-03"' in page


def test_the_notices_filter_by_contact_person(rent_client, rent_world, make_user):
    staff, resident = rent_world
    resident("Sara")
    other = make_user(Role.STAFF, display_name="Eva Lund")
    omar = resident("Omar")
    omar.contact_person = other
    omar.save()
    open_rent_month()
    response = rent_client.get(f"/rent/notices?month=2027-03&contact={other.id}")
    assert response.status_code == 200
    assert _letters(response) == 1
    assert "Omar Ek" in _page(response) and "Sara Ek" not in _page(response)


def test_the_notices_show_200_a_page_with_the_count_over_all(rent_client, rent_world):
    with db.atomic():
        for n in range(notices.PRINT_PAGE_SIZE + 1):
            rent_world[1](f"P{n:03d}")
    open_rent_month()
    first = rent_client.get("/rent/notices?month=2027-03")
    assert _letters(first) == 200
    assert "Hyresavier för 2027-03: 201." in _page(first)
    assert 'href="/rent/notices?month=2027-03&amp;page=2"' in _page(first)
    second = rent_client.get("/rent/notices?month=2027-03&page=2")
    assert _letters(second) == 1 and "P200 Ek" in _page(second)


def test_everyone_s_notices_run_a_fixed_number_of_queries(rent_client, rent_world):
    def queries():
        with count_queries() as log:
            assert rent_client.get("/rent/notices?month=2027-03").status_code == 200
        return len(log)

    sara = rent_world[1]("Sara")
    open_rent_month()
    plan = RepaymentPlan.create(tenancy=sara, debt=500, created_by=rent_world[0])
    Instalment.create(plan=plan, due_on=dt.date(2027, 3, 20), amount=500)
    small = queries()
    for n in range(12):
        rent_world[1](f"P{n}")
    open_rent_month()
    assert queries() == small


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/rent/notices?month=2027-13", "Ange månaden som ÅÅÅÅ-MM"),
        ("/rent/notices?month=abc", "Ange månaden som ÅÅÅÅ-MM"),
        ("/rent/notices?contact=abc", "Välj ett av alternativen."),
        ("/rent/reminders?month=03-2027", "Ange månaden som ÅÅÅÅ-MM"),
        ("/rent/notices?month=2027-03&page=x", "Sidan i adressen är inte giltig."),
        ("/residents/{id}/rent/notice?month=2027-3", "Ange månaden som ÅÅÅÅ-MM"),
    ],
)
def test_a_bad_address_gets_400_with_a_message(rent_client, rent_world, url, message):
    sara = rent_world[1]("Sara")
    open_rent_month()
    response = rent_client.get(url.format(id=sara.id))
    assert response.status_code == 400
    assert message in _page(response)
    assert _letters(response) == 0


@pytest.mark.parametrize("url", ["/rent/notices?month=2027-04", "/rent/reminders?month=2027-04"])
def test_a_month_not_opened_says_so(rent_client, rent_world, url):
    rent_world[1]("Sara")
    response = rent_client.get(url)
    assert response.status_code == 200
    assert "2027-04 är inte öppnad ännu" in _page(response)
    assert _letters(response) == 0
    assert not RentCharge.select().where(RentCharge.month == dt.date(2027, 4, 1)).exists()


def test_a_month_the_resident_has_no_rent_in_says_so(rent_client, rent_world):
    sara = rent_world[1]("Sara", start=dt.date(2027, 4, 1))
    rent_world[1]("Omar")
    open_rent_month()
    response = rent_client.get(f"/residents/{sara.id}/rent/notice?month=2027-03")
    assert response.status_code == 200
    assert "Ingen hyra är debiterad den här boende för 2027-03." in _page(response)


def test_without_a_bankgiro_the_pages_say_so(app, rent_client, rent_world):
    app.config["BANKGIRO"] = ""
    sara = rent_world[1]("Sara")
    open_rent_month()
    for url in ["/rent/notices", "/rent/reminders", f"/residents/{sara.id}/rent/notice"]:
        response = rent_client.get(url)
        assert response.status_code == 200
        assert "Enhetens bankgironummer är inte inställt" in _page(response)
        assert _letters(response) == 0


def test_the_bankgiro_and_the_sender_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INTRANET_BANKGIRO", " 5050-1055 ")
    monkeypatch.setenv("INTRANET_UNIT_NAME", "Provhuset")
    monkeypatch.setenv("INTRANET_UNIT_ADDRESS", "Box 1, 123 45 Stockholm")
    config = default_config(str(tmp_path))
    assert (config["BANKGIRO"], config["UNIT_NAME"]) == ("5050-1055", "Provhuset")
    assert config["UNIT_ADDRESS"] == "Box 1, 123 45 Stockholm"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("5050-1055", True),
        ("505-1055", False),  # 7 digits, a wrong check digit
        ("991-2346", True),
        ("50501055", False),  # no dash
        ("5050-1056", False),  # a wrong check digit
        ("5050-105", False),
        ("55-1055", False),
        ("15050-1055", False),
        ("abcd-efgh", False),
        ("５０５０-１０５５", False),  # full-width digits
        ("", False),
    ],
)
def test_a_bankgiro_number_has_its_form_and_check_digit(number, valid):
    assert ocr.is_bankgiro_number(number) is valid


def test_a_wrong_bankgiro_number_stops_the_start(tmp_path):
    config = {**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    with pytest.raises(ValueError, match="INTRANET_BANKGIRO '5050-1056' is not a bankgiro"):
        create_app({**config, "BANKGIRO": "5050-1056"})


@pytest.mark.parametrize("role", [Role.LANDLORD, Role.CARETAKER])
def test_landlords_and_caretakers_may_not_print_or_log(client, rent_world, make_user, role):
    sara = rent_world[1]("Sara")
    open_rent_month()
    login(client, make_user(role))
    for url in ["/rent/notices", "/rent/reminders", f"/residents/{sara.id}/rent/notice"]:
        response = client.get(url)
        assert response.status_code == 403
        assert "Sara" not in _page(response)
    token = csrf_token(client, "/account/password")
    refused = client.post("/rent/months/2027-03/reminders-sent", data={"csrf_token": token})
    assert refused.status_code == 403
    assert Checkpoint.select().count() == 0


def test_printing_is_logged_once_and_names_the_resident(rent_client, rent_world):
    sara = rent_world[1]("Sara")
    open_rent_month()
    before = AuditEvent.select().count()
    rent_client.get("/rent/notices?month=2027-03")
    rent_client.get(f"/residents/{sara.id}/rent/notice?month=2027-03")
    lines = list(AuditEvent.select().order_by(AuditEvent.id).offset(before))
    assert [(e.action, e.subject_type, e.subject_id) for e in lines] == [
        ("viewed", "list", None),
        ("opened", "referral", sara.referral_id),
    ]
    assert lines[0].detail == "rent notices, print: /rent/notices?month=2027-03"


# ---- the 1st's reminders -------------------------------------------------------------


@pytest.fixture
def reminder_month(rent_world):
    """March 2027 on the 2nd: Sara paid on time, Omar nothing, Lena part, Nils paid on the
    1st itself, and Pia was reminded already."""
    staff, resident = rent_world
    clock.set_clock(dt.date(2027, 3, 2))
    people = {name: resident(name) for name in ("Sara", "Omar", "Lena", "Nils", "Pia")}
    open_rent_month()
    _pay(_charge(people["Sara"]), staff, 6200, dt.date(2027, 2, 27))
    _pay(_charge(people["Lena"]), staff, 3000, dt.date(2027, 2, 27))
    _pay(_charge(people["Nils"]), staff, 6200, dt.date(2027, 3, 1))
    services.mark_checkpoint(_charge(people["Pia"]).id, "reminder", staff)
    return people


def _reminded(people) -> set:
    names = {p.id: name for name, p in people.items()}
    return {
        names[c.charge.tenancy_id]
        for c in Checkpoint.select(Checkpoint, RentCharge).join(RentCharge)
        if c.kind == "reminder"
    }


def test_the_reminders_are_exactly_those_the_board_says_need_one(rent_client, reminder_month):
    response = rent_client.get("/rent/reminders?month=2027-03")
    page = _page(response)
    assert response.status_code == 200
    on_board = board.month_rows(MARCH, clock.today(), board.BoardFilters(due="reminder"))
    assert [r.charge.tenancy.referral.first_name for r in on_board] == ["Lena", "Omar"]
    assert _letters(response) == 2
    assert "Lena Ek" in page and "Omar Ek" in page
    assert not any(f"{name} Ek" in page for name in ("Sara", "Nils", "Pia"))
    assert '<td class="amount-due">3\xa0200,00\xa0kr</td>' in page  # what Lena has left
    assert "5050-1055" in page and reminder_month["Omar"].payment_reference in page
    assert "Johan Berg" in page  # whom to call


def test_paying_before_the_reminder_is_sent_takes_the_resident_off(rent_client, reminder_month):
    omar = reminder_month["Omar"]
    assert "Omar Ek" in _page(rent_client.get("/rent/reminders?month=2027-03"))
    _pay(_charge(omar), omar.contact_person, 6199, dt.date(2027, 3, 2))
    page = _page(rent_client.get("/rent/reminders?month=2027-03"))
    assert "Omar Ek" in page and '<td class="amount-due">1,00\xa0kr</td>' in page
    _pay(_charge(omar), omar.contact_person, 1, dt.date(2027, 3, 2))
    assert "Omar Ek" not in _page(rent_client.get("/rent/reminders?month=2027-03"))


def test_reminders_sent_logs_each_once(rent_client, reminder_month):
    token = csrf_token(rent_client, "/rent/reminders?month=2027-03")
    url = "/rent/months/2027-03/reminders-sent"
    first = rent_client.post(url, data={"csrf_token": token, "back": "reminders"})
    assert first.status_code == 303
    assert first.headers["Location"] == "/rent/reminders?month=2027-03"
    assert "Påminnelser loggade som skickade: 2." in _page(
        rent_client.get(first.headers["Location"])
    )
    assert _reminded(reminder_month) == {"Pia", "Lena", "Omar"}
    second = rent_client.post(url, data={"csrf_token": token, "back": "board"})
    assert second.headers["Location"] == "/rent/?month=2027-03"
    assert "Påminnelser loggade som skickade: 0." in _page(rent_client.get("/rent/?month=2027-03"))
    assert Checkpoint.select().where(Checkpoint.kind == "reminder").count() == 3


def test_reminders_sent_twice_at_once_logs_nothing_more(app, reminder_month, rent_world):
    with app.test_request_context():
        assert notices.mark_reminders_sent(MARCH, rent_world[0]) == 2
        assert notices.mark_reminders_sent(MARCH, rent_world[0]) == 0
    # The database's own index is what keeps a racing click out.
    with db.atomic():
        rows = [{"charge": _charge(reminder_month["Omar"]).id, "kind": "reminder"}]
        inserted = (
            Checkpoint.insert_many([{**r, "done_by": rent_world[0].id} for r in rows])
            .on_conflict_ignore()
            .returning(Checkpoint.id)
            .execute()
        )
        assert list(inserted) == []
    assert Checkpoint.select().count() == 3


def test_reminders_sent_for_one_contact_person_logs_only_theirs(
    rent_client, reminder_month, make_user
):
    other = make_user(Role.STAFF)
    omar = reminder_month["Omar"]
    omar.contact_person = other
    omar.save()
    token = csrf_token(rent_client, "/rent/reminders?month=2027-03")
    response = rent_client.post(
        "/rent/months/2027-03/reminders-sent", data={"csrf_token": token, "contact": other.id}
    )
    assert response.headers["Location"] == f"/rent/reminders?month=2027-03&contact={other.id}"
    assert _reminded(reminder_month) == {"Pia", "Omar"}


def test_reminders_sent_without_a_token_is_refused(rent_client, reminder_month):
    response = rent_client.post("/rent/months/2027-03/reminders-sent", data={})
    assert response.status_code == 400
    assert _reminded(reminder_month) == {"Pia"}


@pytest.mark.parametrize(
    ("month", "data", "status", "message"),
    [
        ("2027-04", {}, 400, "2027-04 är inte öppnad ännu."),
        ("2027-03", {"contact": "abc"}, 400, "Formuläret är skadat."),
        ("2027-03", {"back": "elsewhere"}, 400, "Formuläret är skadat."),
        ("2027-13", {}, 404, ""),
    ],
)
def test_reminders_sent_refuses_bad_input_and_changes_nothing(
    rent_client, reminder_month, month, data, status, message
):
    token = csrf_token(rent_client, "/rent/reminders?month=2027-03")
    response = rent_client.post(
        f"/rent/months/{month}/reminders-sent", data={**data, "csrf_token": token}
    )
    assert response.status_code == status
    assert message in _page(response)
    assert _reminded(reminder_month) == {"Pia"}
    assert not RentCharge.select().where(RentCharge.month == dt.date(2027, 4, 1)).exists()


def test_the_board_offers_reminders_sent_on_the_1st(rent_client, rent_world):
    clock.set_clock(dt.date(2027, 3, 1))
    rent_world[1]("Sara")
    open_rent_month()
    page = _page(rent_client.get("/rent/"))
    assert "I dag är det den 1:a: 1 påminnelse att skicka." in page
    assert 'action="/rent/months/2027-03/reminders-sent"' in page
    assert 'href="/rent/reminders?month=2027-03"' in page

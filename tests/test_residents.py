"""Residents: the list, a resident's page, notice and move-out, outcomes, the old addresses."""

import datetime as dt

import pytest
from conftest import login, post_form
from helpers import count_queries

from intranet.models import (
    AuditEvent,
    Flat,
    Instalment,
    Referral,
    RentCharge,
    RepaymentPlan,
    Role,
    Tenancy,
)
from intranet.rent import services as rent_services
from intranet.residents import services


@pytest.fixture
def sara(rent_world):
    return rent_world[1]("Sara")


def test_the_list_shows_who_lives_where_with_links_to_their_pages(rent_client, sara):
    page = rent_client.get("/residents/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Sara Ek" in body and "Johan Berg" in body
    assert f'href="/residents/{sara.id}"' in body


def test_a_residents_page_links_to_their_rent_and_is_audited(rent_client, sara):
    body = rent_client.get(f"/residents/{sara.id}").get_data(as_text=True)
    assert f'href="/residents/{sara.id}/rent"' in body
    rent_body = rent_client.get(f"/residents/{sara.id}/rent").get_data(as_text=True)
    assert f'href="/residents/{sara.id}"' in rent_body
    notes = [e.detail for e in AuditEvent.select().where(AuditEvent.subject_id == sara.referral_id)]
    assert sorted(notes) == ["rent page", "resident page"]


def test_an_unknown_resident_is_404(rent_client):
    assert rent_client.get("/residents/999999").status_code == 404
    assert rent_client.get("/residents/999999/rent").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CARETAKER, 403),
        (Role.LANDLORD, 403),
        (Role.ADMIN, 403),
        (Role.STAFF, 200),
        (Role.MANAGER, 200),
    ],
)
def test_who_may_see_residents(client, make_user, sara, role, status):
    login(client, make_user(role))
    for url in ["/residents/", "/residents/outcomes", f"/residents/{sara.id}"]:
        assert client.get(url).status_code == status, url
    assert client.get(f"/residents/{sara.id}/rent").status_code == status


def test_notice_then_move_out_with_its_outcome(rent_client, sara):
    url = f"/residents/{sara.id}"
    past = post_form(rent_client, f"{url}/notice", {"move_out_date": "2027-03-01"}, url)
    assert past.status_code == 422
    assert Tenancy.get_by_id(sara.id).move_out_date is None
    ok = post_form(rent_client, f"{url}/notice", {"move_out_date": "2027-04-30"}, url)
    assert ok.status_code == 303 and ok.headers["Location"] == url
    assert Tenancy.get_by_id(sara.id).move_out_date == dt.date(2027, 4, 30)
    sure = {"confirmed": "y"}
    future = post_form(
        rent_client,
        f"{url}/move-out",
        {"end_date": "2027-03-06", "outcome": "own_lease", **sure},
        url,
    )
    assert future.status_code == 422
    unknown = post_form(
        rent_client, f"{url}/move-out", {"end_date": "2027-03-05", "outcome": "moon", **sure}, url
    )
    assert unknown.status_code == 422
    assert Tenancy.get_by_id(sara.id).end_date is None
    out = post_form(
        rent_client,
        f"{url}/move-out",
        {"end_date": "2027-03-05", "outcome": "own_lease", **sure},
        url,
    )
    assert out.status_code == 303
    ended = Tenancy.get_by_id(sara.id)
    assert (ended.end_date, ended.outcome) == (dt.date(2027, 3, 5), "own_lease")
    assert Flat.get_by_id(sara.flat_id).status in ("equipping", "moved_out")
    again = post_form(
        rent_client,
        f"{url}/move-out",
        {"end_date": "2027-03-05", "outcome": "evicted", **sure},
        url,
    )
    assert again.status_code == 200 or again.status_code == 422
    assert Tenancy.get_by_id(sara.id).outcome == "own_lease"


def test_a_move_out_makes_the_last_month_pro_rata_and_gives_back_the_rest(app, rent_world):
    """March and April are opened and paid; Sara moves out on 10 March: March charges 10 of
    31 days, April nothing, and what they held beyond that is her credit."""
    from intranet import clock
    from intranet.rent import board, ledger

    staff, resident = rent_world
    sara = resident("Sara", rent=6200)
    for month in (dt.date(2027, 3, 1), dt.date(2027, 4, 1)):
        rent_services.open_month(month)
    march = RentCharge.get(RentCharge.month == dt.date(2027, 3, 1))
    rent_services.register_payment(march.id, staff, dt.date(2027, 2, 27), 12400, "swish", "k")
    clock.set_clock(dt.date(2027, 3, 12))
    services.move_out(sara.id, dt.date(2027, 3, 10), "own_lease", "", staff)
    rows = {r.charge.month.month: r for r in board.tenancy_rows(sara.id)}
    assert (rows[3].charge.amount, rows[3].paid, rows[3].balance) == (2000, 2000, 0)
    assert (rows[4].charge.amount, rows[4].paid) == (0, 0)
    assert rows[3].credit == 10400
    assert rows[3].status(dt.date(2027, 3, 20)) == "paid_on_time"
    assert ledger.verify() == []


def test_the_outcomes_report_counts_ended_tenancies(app, rent_world):
    staff, resident = rent_world
    first, second, _stays = resident("A"), resident("B"), resident("C")
    services.move_out(first.id, dt.date(2027, 3, 1), "own_lease", "", staff)
    services.move_out(second.id, dt.date(2027, 2, 1), "evicted", "", staff)
    report = services.outcome_report()
    assert report["ended"] == 2
    assert (report["moved_on"], report["early"]) == (1, 1)
    # 59 and 31 days from 1 January
    assert report["average_stay"] == 45
    assert report["counts"]["own_lease"] == 1 and report["counts"]["evicted"] == 1


def test_the_list_hides_a_protected_address_from_other_staff(app, rent_world, make_user):
    staff, resident = rent_world
    tenancy = resident("Skyddad")
    Referral.update(protected_identity=True).where(Referral.id == tenancy.referral_id).execute()
    Flat.update(address="Hemliga gatan 1").where(Flat.id == tenancy.flat_id).execute()
    other = app.test_client()
    login(other, make_user(Role.STAFF))
    assert "Hemliga gatan 1" not in other.get("/residents/").get_data(as_text=True)
    assert "Hemliga gatan 1" not in other.get(f"/referrals/{tenancy.referral_id}").get_data(
        as_text=True
    )
    assert "Hemliga gatan 1" not in other.get(f"/residents/{tenancy.id}").get_data(as_text=True)
    own = app.test_client()
    login(own, staff)
    assert "Hemliga gatan 1" in own.get("/residents/").get_data(as_text=True)
    manager = app.test_client()
    login(manager, make_user(Role.MANAGER))
    assert "Hemliga gatan 1" in manager.get(f"/residents/{tenancy.id}").get_data(as_text=True)


def test_the_list_runs_a_fixed_number_of_queries(rent_client, rent_world):
    def queries():
        with count_queries() as log:
            assert rent_client.get("/residents/").status_code == 200
        return len(log)

    rent_world[1]("Sara")
    one = queries()
    for n in range(8):
        rent_world[1](f"P{n}")
    assert queries() == one


def test_an_instalment_is_not_ticked_paid_by_hand(rent_client, rent_world):
    """Payments keep a plan's instalments; the old "paid today" address is gone."""
    staff, resident = rent_world
    sara = resident("Sara")
    rent_services.open_month(dt.date(2027, 3, 1))
    plan = rent_services.create_plan(
        sara.id, staff, [RentCharge.get().id], [(dt.date(2027, 4, 25), 6200)]
    )
    instalment = Instalment.get(Instalment.plan == plan.id)
    url = f"/residents/{sara.id}/rent/instalments/{instalment.id}/paid"
    assert post_form(rent_client, url, {}, f"/residents/{sara.id}/rent").status_code == 404


def test_rent_money_on_another_residents_month_is_404(rent_client, rent_world):
    _staff, resident = rent_world
    sara, omar = resident("Sara"), resident("Omar")
    rent_services.open_month(dt.date(2027, 3, 1))
    omars = RentCharge.get(RentCharge.tenancy == omar.id)
    url = f"/residents/{sara.id}/rent/charges/{omars.id}/rent-money"
    data = {"paid_on": "2027-03-01", "amount": "100"}
    assert post_form(rent_client, url, data, f"/residents/{sara.id}/rent").status_code == 404


def test_a_plan_line_with_nan_gets_a_message(rent_client, sara):
    url = f"/residents/{sara.id}/rent"
    rent_services.open_month(dt.date(2027, 3, 1))
    months = [c.id for c in RentCharge.select().where(RentCharge.tenancy == sara.id)]
    bad = post_form(
        rent_client, f"{url}/plans", {"months": months, "instalments": "2027-04-25 NaN"}, url
    )
    assert bad.status_code == 422
    assert "Rad 1" in bad.get_data(as_text=True)
    assert RepaymentPlan.select().count() == 0


def _old_addresses(tenancy, charge):
    """Every address the residents' pages had before they got their own area, and where
    it leads now."""
    t, c = tenancy.id, charge.id
    pages = [
        ("/matching/residents", "/residents/"),
        ("/matching/outcomes", "/residents/outcomes"),
        (f"/matching/tenancies/{t}", f"/residents/{t}"),
        (f"/rent/residents/{t}", f"/residents/{t}/rent"),
    ]
    actions = [
        (f"/matching/tenancies/{t}/notice", f"/residents/{t}/notice"),
        (f"/matching/tenancies/{t}/move-out", f"/residents/{t}/move-out"),
        (f"/rent/residents/{t}/plans", f"/residents/{t}/rent/plans"),
        (f"/rent/residents/{t}/notices", f"/residents/{t}/rent/notices"),
        (f"/rent/charges/{c}/rent-money", f"/residents/{t}/rent/charges/{c}/rent-money"),
    ]
    return pages, actions


def test_every_old_address_redirects_permanently_to_the_new_one(rent_client, rent_world):
    staff, resident = rent_world
    tenancy = resident("Sara")
    rent_services.open_month(dt.date(2027, 3, 1))
    charge = RentCharge.get()
    pages, actions = _old_addresses(tenancy, charge)
    for old, new in pages:
        response = rent_client.get(old)
        assert (response.status_code, response.headers["Location"]) == (308, new), old
        assert rent_client.get(old, follow_redirects=True).status_code == 200, old
    for old, new in actions:
        response = post_form(rent_client, old, {}, "/residents/")
        assert (response.status_code, response.headers["Location"]) == (308, new), old


def test_a_form_posted_to_an_old_address_lands_when_sent_on(rent_client, sara):
    """A browser sends a form again, body and all, to where a 308 points."""
    data = {"move_out_date": "2027-04-30"}
    old = post_form(rent_client, f"/matching/tenancies/{sara.id}/notice", data, "/residents/")
    assert Tenancy.get_by_id(sara.id).move_out_date is None
    resent = post_form(rent_client, old.headers["Location"], data, "/residents/")
    assert resent.status_code == 303
    assert Tenancy.get_by_id(sara.id).move_out_date == dt.date(2027, 4, 30)


def test_old_addresses_keep_their_access_rules(client, make_user, sara):
    login(client, make_user(Role.CARETAKER))
    assert client.get(f"/matching/tenancies/{sara.id}").status_code == 403
    assert client.get("/rent/residents/999999").status_code == 403


def test_old_addresses_of_unknown_records_are_404(rent_client):
    assert (
        post_form(rent_client, "/rent/charges/999999/rent-money", {}, "/residents/").status_code
        == 404
    )


def test_the_list_filters_by_contact_person_and_downloads_the_same_rows(
    app, rent_client, rent_world, make_user
):
    from io import BytesIO

    from openpyxl import load_workbook

    staff, resident = rent_world
    other = make_user(Role.STAFF, display_name="Lena Ek")
    resident("Sara")
    omar = resident("=Omar")
    Tenancy.update(contact_person=other).where(Tenancy.id == omar.id).execute()
    page = rent_client.get(f"/residents/?contact={other.id}").get_data(as_text=True)
    assert "=Omar Ek" in page and "Sara Ek" not in page
    assert f"/residents/export.csv?contact={other.id}" in page
    csv = rent_client.get(f"/residents/export.csv?contact={other.id}").get_data(as_text=True)
    assert "'=Omar Ek;Gatan 2;Farsta;Lena Ek;2027-01-01;" in csv and "Sara" not in csv
    book = load_workbook(BytesIO(rent_client.get("/residents/export.xlsx").data))
    names = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert names == ["'=Omar Ek", "Sara Ek"]
    exported = AuditEvent.select().where(AuditEvent.action == "exported").count()
    assert exported == 2


@pytest.mark.parametrize("query", ["?contact=abc", "?contact=999999"])
def test_a_bad_filter_is_said_and_not_applied(rent_client, sara, query):
    response = rent_client.get(f"/residents/{query}")
    assert response.status_code == 400
    assert "Sara Ek" in response.get_data(as_text=True)
    assert rent_client.get(f"/residents/export.csv{query}").status_code == 400
    assert rent_client.get("/residents/export.pdf").status_code == 404


def test_a_protected_address_stays_out_of_other_staffs_download(app, rent_world, make_user):
    tenancy = rent_world[1]("Skyddad")
    Referral.update(protected_identity=True).where(Referral.id == tenancy.referral_id).execute()
    Flat.update(address="Hemliga gatan 1").where(Flat.id == tenancy.flat_id).execute()
    other = app.test_client()
    login(other, make_user(Role.STAFF))
    assert "Hemliga gatan 1" not in other.get("/residents/export.csv").get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("plans", {"months": "1", "instalments": "2027-04-25 1000000000000"}),
        ("plans", {"months": "1000000000000", "instalments": "2027-04-25 1000"}),
    ],
)
def test_huge_sums_get_a_message_and_change_nothing(rent_client, sara, path, data):
    url = f"/residents/{sara.id}/rent"
    response = post_form(rent_client, f"{url}/{path}", data, url)
    assert response.status_code == 422
    assert RepaymentPlan.select().count() == 0


def test_huge_rent_money_gets_a_message(rent_client, sara):
    from intranet.models import RentMoney

    Tenancy.update(rent_payer="commissioner").where(Tenancy.id == sara.id).execute()
    rent_services.open_month(dt.date(2027, 3, 1))
    charge = RentCharge.get()
    url = f"/residents/{sara.id}/rent"
    data = {"paid_on": "2027-03-01", "amount": "1000000000000"}
    response = post_form(rent_client, f"{url}/charges/{charge.id}/rent-money", data, url)
    assert response.status_code == 422
    assert "Ange högst 1 000 000 kr." in response.get_data(as_text=True)
    assert RentMoney.select().count() == 0


def test_a_move_out_without_the_box_ticked_is_refused_and_changes_nothing(rent_client, sara):
    url = f"/residents/{sara.id}"
    data = {"end_date": "2027-03-05", "outcome": "own_lease", "note": "Flyttade"}
    refused = post_form(
        rent_client, f"{url}/move-out", data, url, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "Tick the box to confirm." in body
    assert "<details open>" in body  # the form comes back open, the error beside the box
    tenancy = Tenancy.get_by_id(sara.id)
    assert (tenancy.end_date, tenancy.outcome, tenancy.outcome_note) == (None, None, "")
    assert Flat.get_by_id(sara.flat_id).status == "ready"


def test_a_move_out_needs_an_outcome_chosen_and_a_date(rent_client, sara):
    url = f"/residents/{sara.id}"
    data = {"end_date": "", "outcome": "", "confirmed": "y"}
    refused = post_form(
        rent_client, f"{url}/move-out", data, url, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "Choose the outcome." in body and "Enter the date." in body
    assert Tenancy.get_by_id(sara.id).end_date is None


def test_the_move_out_form_chooses_nothing_and_is_not_the_pages_main_button(rent_client, sara):
    import re

    body = rent_client.get(f"/residents/{sara.id}").get_data(as_text=True)
    form = body[body.index('action="/residents/' + str(sara.id) + '/move-out"') :]
    form = form[: form.index("</form>")]
    assert "novalidate" not in form  # the browser asks before sending
    assert re.search(r'<input[^>]*id="confirmed"[^>]*required', form)
    assert re.search(r'<input[^>]*id="end_date"[^>]*value=""', form)
    assert re.search(r'<option (selected )?value="">', form) and "selected" not in form
    assert '<button type="submit" class="secondary outline">' in form
    assert "<details>" in body  # closed until asked for


def test_a_residents_pages_link_to_their_referral_and_flat(rent_client, sara):
    for url in (f"/residents/{sara.id}", f"/residents/{sara.id}/rent"):
        body = rent_client.get(url).get_data(as_text=True)
        assert f'href="/referrals/{sara.referral_id}"' in body, url
        assert f'href="/flats/{sara.flat_id}"' in body, url


def test_a_page_past_the_end_of_the_list_says_so_and_links_to_the_last(rent_client, sara):
    response = rent_client.get("/residents/?page=99999", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page 99999 is past the end of the list." in body
    assert 'href="/residents/"' in body and "Go to the last page (1)" in body
    assert "Nobody lives in the flats yet." not in body and "Sara Ek" not in body


def test_a_page_past_the_end_keeps_the_filter_in_its_link(rent_client, rent_world):
    from intranet.paging import PAGE_SIZE

    for n in range(PAGE_SIZE + 1):
        rent_world[1](f"P{n}")
    contact = rent_world[0].id
    response = rent_client.get(f"/residents/?contact={contact}&page=9")
    assert response.status_code == 404
    assert f'href="/residents/?contact={contact}&amp;page=2"' in response.get_data(as_text=True)


def test_an_empty_list_says_nobody_lives_in_the_flats_yet(rent_client):
    response = rent_client.get("/residents/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Nobody lives in the flats yet." in body and "past the end" not in body


def test_a_contact_person_is_found_by_part_of_the_name_and_never_from_a_list_of_everyone(
    rent_client, rent_world, make_user
):
    staff, resident = rent_world
    lena = make_user(Role.STAFF, display_name="Lena Ek")
    make_user(Role.STAFF, display_name="Lennart Utan Boende")  # is nobody's contact person
    resident("Sara")
    omar = resident("Omar")
    Tenancy.update(contact_person=lena).where(Tenancy.id == omar.id).execute()
    page = rent_client.get("/residents/").get_data(as_text=True)
    # No select of every member of staff: a box that asks the server as one types.
    assert 'name="contact"' not in page and "<select" not in page.split("<main")[1]
    assert 'list="contact-names"' in page and "/residents/contact-names" in page
    names = rent_client.get("/residents/contact-names?contact_name=len").get_data(as_text=True)
    assert names == '<option value="Lena Ek"></option>'  # contact persons only
    everyone = rent_client.get("/residents/contact-names?contact_name=").get_data(as_text=True)
    assert everyone.count("<option") == 2
    found = rent_client.get("/residents/?contact_name=lena").get_data(as_text=True)
    assert "Omar Ek" in found and "Sara Ek" not in found
    assert "/residents/export.csv?contact_name=lena" in found
    csv = rent_client.get("/residents/export.csv?contact_name=lena").get_data(as_text=True)
    assert "Omar Ek" in csv and "Sara" not in csv
    # A link that names the person by id says whose residents are shown, and the way back.
    linked = rent_client.get(f"/residents/?contact={lena.id}").get_data(as_text=True)
    assert "Bara de boende som har Lena Ek" in linked and 'href="/residents/">alla</a>' in linked
    too_long = rent_client.get("/residents/?contact_name=" + "x" * 101)
    assert too_long.status_code == 400 and "Sara Ek" in too_long.get_data(as_text=True)


def test_the_names_suggested_are_at_most_twenty(rent_client, rent_world, make_user):
    staff, resident = rent_world
    for n in range(25):
        person = make_user(Role.STAFF, display_name=f"Kontakt {n:02}")
        tenancy = resident(f"P{n}")
        Tenancy.update(contact_person=person).where(Tenancy.id == tenancy.id).execute()
    names = rent_client.get("/residents/contact-names?contact_name=Kontakt").get_data(as_text=True)
    assert names.count("<option") == 20 and "Kontakt 00" in names and "Kontakt 24" not in names

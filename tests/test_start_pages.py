"""Each role's start page says what today asks, with counts, the first few items and links
to where the work is done, in a fixed number of queries however much data there is."""

import datetime as dt

import pytest
from conftest import login
from helpers import add_person, count_queries

from intranet import cache, clock
from intranet.landlords.services import create_landlord
from intranet.main.blocks import FIRST
from intranet.models import (
    Case,
    Commissioner,
    Flat,
    LoginThrottle,
    Match,
    Referral,
    RentCharge,
    Role,
    Tenancy,
)
from intranet.rent import services as rent_services

FIFTH = dt.date(2027, 3, 5)


@pytest.fixture
def unit(app, rent_world, make_user):
    """On the 5th: staff Johan's residents and another contact person's, flats in every
    state, a waiting referral, an overdue follow-up and a fault report."""
    johan, resident = rent_world
    other = make_user(Role.STAFF, display_name="Lena Ek")
    manager = make_user(Role.MANAGER, display_name="Maria Chef")
    caretaker = make_user(Role.CARETAKER)
    sara = resident("Sara")
    omar = resident("Omar")
    Tenancy.update(contact_person=other).where(Tenancy.id == omar.id).execute()
    rent_services.open_month(dt.date(2027, 3, 1))
    landlord = Flat.get_by_id(sara.flat_id).landlord
    flat_fields = {
        "landlord": landlord,
        "postcode": "12345",
        "rooms": 1,
        "size_m2": 40,
        "floor": 0,
        "rent_to_landlord": 7300,
        "rent_to_resident": 7300,
    }
    Flat.create(
        address="Tomma gatan 1",
        district="Årsta",
        status="ready",
        ready_since=dt.date(2027, 2, 1),
        **flat_fields,
    )
    Flat.create(
        address="Verkstadsgatan 2",
        district="Årsta",
        status="equipping",
        has_furniture=True,
        **flat_fields,
    )
    Referral.create(
        received_on=dt.date(2026, 12, 1),
        commissioner=Commissioner.get(),
        first_name="Väntande",
        last_name="Person",
        birth_date=dt.date(1990, 1, 1),
        gender="male",
        target_group="crime",
        status="waiting",
        responsible=johan,
    )
    create_landlord(
        manager, name="Sen Uppföljning AB", stage="contacted", owner=johan, next_follow_up=FIFTH
    )
    from intranet.models import Landlord

    Landlord.update(next_follow_up=dt.date(2027, 3, 1)).where(
        Landlord.name == "Sen Uppföljning AB"
    ).execute()
    Case.create(
        landlord=landlord, flat=sara.flat_id, kind="fault", text="Droppande kran", opened_by=johan
    )
    Tenancy.update(move_out_date=dt.date(2027, 3, 12), notice_given_on=FIFTH).where(
        Tenancy.id == sara.id
    ).execute()
    clock.set_clock(FIFTH)
    return {"johan": johan, "other": other, "manager": manager, "caretaker": caretaker}


def _page(client, user) -> str:
    login(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_managers_page_on_the_5th(client, unit):
    page = _page(client, unit["manager"])
    assert "I dag är det den 5:e: 2 hembesök att göra." in page
    assert "Sara Ek" in page and "Omar Ek" in page
    assert 'href="/rent/?month=2027-03&amp;action_today=y"' in page
    # Two of the four leased flats are lived in; one stands empty since 1 February and one
    # is being equipped.
    assert "2 av 4 förhyrda lägenheter" in page and "50\u00a0%" in page
    assert "Tomma gatan 1" in page and "ledig 32 dagar" in page
    assert "Sen Uppföljning AB" in page and "uppföljning 2027-03-01" in page
    assert "Väntande Person" in page and "bekräfta att den fortfarande är aktuell" in page
    assert "Median dagar i kö" in page
    assert "Droppande kran" not in page and "Felanmälan" in page
    assert "flyttar ut 2027-03-12" in page
    # The overdue follow-ups open the landlords' block; the landlords per stage come after
    # them under a heading of their own, so the stages are not read as overdue.
    block = page.split('id="block-landlords"')[1].split("</section>")[0]
    assert block.index("Sen Uppföljning AB") < block.index("Hyresvärdar per steg")


def test_a_contact_person_sees_their_own_residents(client, unit):
    page = _page(client, unit["johan"])
    assert "I dag är det den 5:e: 1 hembesök att göra." in page
    assert "Sara Ek" in page and "Omar Ek" not in page
    assert f"contact={unit['johan'].id}" in page
    assert "Väntande Person" in page  # the referral Johan is responsible for
    assert "Sen Uppföljning AB" in page


def test_the_caretakers_page_names_flats_not_people(client, unit):
    page = _page(client, unit["caretaker"])
    assert "Verkstadsgatan 2" in page
    assert "saknas: Köksutrustning, Sängkläder" in page
    assert "utflytt 2027-03-12" in page
    assert "Droppande kran" not in page and "Öppna felanmälningar" in page
    for name in ["Sara", "Omar", "Väntande"]:
        assert name not in page


def test_the_admins_page_shows_locked_accounts(app, client, unit, make_user):
    admin = make_user(Role.ADMIN)
    moment = clock.now()
    LoginThrottle.create(
        key=f"account:{unit['other'].email}",
        failures=5,
        window_started_at=moment,
        locked_until=moment + dt.timedelta(minutes=15),
    )
    page = _page(client, admin)
    assert unit["other"].email in page and "låst till" in page


def test_empty_blocks_say_so_in_one_line(client, make_user):
    page = _page(client, make_user(Role.MANAGER))
    for line in [
        "Ingen klar lägenhet står tom.",
        "Ingen väntar på en lägenhet.",
        "Inga nya erbjudanden.",
    ]:
        assert line in page


def test_a_month_not_yet_opened_is_said(client, rent_world, make_user):
    rent_world[1]("Sara")
    clock.set_clock(dt.datetime(2027, 3, 31, 23, 55))
    login(client, make_user(Role.MANAGER))
    clock.set_clock(dt.datetime(2027, 4, 1, 0, 5))  # the month turns while logged in
    page = client.get("/").get_data(as_text=True)
    assert "Månadens hyror är inte öppnade än" in page
    assert not RentCharge.select().where(RentCharge.month == dt.date(2027, 4, 1)).exists()


def test_a_landlord_still_goes_to_the_portal(client, make_user):
    login(client, make_user(Role.LANDLORD))
    assert client.get("/").headers["Location"] == "/portal/"


@pytest.mark.parametrize("role", ["manager", "johan", "caretaker"])
def test_a_start_page_runs_a_fixed_number_of_queries(client, unit, rent_world, role):
    login(client, unit[role])

    def queries():
        # Read from nothing kept: the most a request can run.
        cache.forget()
        with count_queries() as log:
            assert client.get("/").status_code == 200
        return len(log)

    small = queries()
    for n in range(FIRST + 3):
        tenancy = rent_world[1](f"P{n}")
        Tenancy.update(move_out_date=dt.date(2027, 3, 20)).where(Tenancy.id == tenancy.id).execute()
    rent_services.open_month(dt.date(2027, 3, 1))
    Flat.update(status="equipping").where(Flat.address.startswith("Gatan")).execute()
    assert queries() == small


def test_this_months_vacancy_and_the_days_before_add_up_to_the_days_since_ready():
    def flat(ready):
        return Flat(status="ready", ready_since=ready, rent_to_landlord=7300)

    march = dt.date(2027, 3, 1)
    assert flat(dt.date(2027, 2, 1)).days_vacant(FIFTH, since=march) == 4
    assert flat(dt.date(2027, 3, 3)).days_vacant(FIFTH, since=march) == 2
    assert flat(FIFTH).days_vacant(FIFTH, since=march) == 0
    early = flat(dt.date(2027, 2, 1))
    before = early.vacancy_cost(march)
    assert before + early.vacancy_cost(FIFTH, since=march) == early.vacancy_cost(FIFTH)


def test_matches_under_way_show_their_next_step(client, unit):
    flat = Flat.get(Flat.address == "Tomma gatan 1")
    person = Referral.get(Referral.first_name == "Väntande")
    Match.create(flat=flat, referral=person, proposed_by=unit["johan"], status="offered")
    page = _page(client, unit["johan"])
    assert "Väntande Person · Årsta" in page and "nästa: Visning" in page


def test_on_the_15th_the_manager_sees_the_meetings_to_hold(client, unit):
    clock.set_clock(dt.date(2027, 3, 15))
    page = _page(client, unit["manager"])
    assert "I dag är det den 15:e: 2 möten med enhetschefen" in page
    block = page[page.index('id="block-rent"') : page.index('id="block-vacant"')]
    assert "Sara Ek" in block and "Möte med enhetschefen (15:e)" in block


@pytest.mark.parametrize(
    ("day", "lead"),
    [
        (dt.date(2027, 3, 2), "Nästa kontrollpunkt: hembesöken den 5:e."),
        (dt.date(2027, 3, 10), "Nästa kontrollpunkt: mötena med enhetschefen den 15:e."),
        (dt.date(2027, 3, 20), "Nästa kontrollpunkt: påminnelserna den 1:a."),
        (dt.date(2027, 3, 1), "I dag är det den 1:a: 2 påminnelser att skicka."),
    ],
)
def test_the_rent_block_says_what_today_or_the_next_checkpoint_asks(client, unit, day, lead):
    clock.set_clock(day)
    assert lead in _page(client, unit["manager"])


@pytest.mark.parametrize(("waits", "median"), [([10, 20, 30, 40], "25"), ([5, 9, 100], "9")])
def test_the_median_wait_is_read_from_the_middle(client, make_user, waits, median):
    clock.set_clock(FIFTH)
    commissioner = Commissioner.create(name="Socialtjänsten")
    for n, days in enumerate(waits):
        add_person(
            commissioner,
            f"V{n}",
            received_on=FIFTH - dt.timedelta(days=days),
            status="waiting",
            last_contact_on=FIFTH,
        )
    page = _page(client, make_user(Role.MANAGER))
    assert f"<dt>Median dagar i kö</dt><dd>{median}</dd>" in page

"""Every list that grows with the data shows one page of it, with links to the next and
the previous that keep its filters, and the same queries on the first and a later page."""

import datetime as dt
import re

import pytest
from conftest import login
from helpers import add_flat, add_person, count_queries

from intranet import clock
from intranet.landlords.services import CARDS
from intranet.models import (
    AuditEvent,
    Case,
    Commissioner,
    Flat,
    Landlord,
    Referral,
    Role,
    Tenancy,
)
from intranet.paging import PAGE_SIZE
from intranet.rent.routes import BOARD_PAGE
from intranet.rent.services import open_month

TODAY = dt.date(2027, 3, 5)
MANY = PAGE_SIZE + 3


def _flats(landlord, prefix, count, district="Farsta"):
    ready = TODAY - dt.timedelta(days=5)
    return [
        add_flat(landlord, f"{prefix} {n:03d}", district=district, ready_since=ready)
        for n in range(count)
    ]


@pytest.fixture
def crowd(app, make_user):
    """More than a page of everything: residents, free flats, waiting referrals, cases,
    landlords with overdue follow-ups, and audit events."""
    clock.set_clock(TODAY)
    staff = make_user(Role.STAFF, display_name="Johan Berg")
    manager = make_user(Role.MANAGER)
    landlord = Landlord.create(name="Hus AB", stage="agreement_signed")
    commissioner = Commissioner.create(name="Socialtjänsten")
    lived_in = _flats(landlord, "Boendegatan", MANY)
    _flats(landlord, "Ledigagatan", MANY, "Årsta")
    for n, flat in enumerate(lived_in):
        person = add_person(
            commissioner, f"Boende{n:03d}", received_on=TODAY - dt.timedelta(days=400)
        )
        Tenancy.create(
            flat=flat,
            referral=person,
            contact_person=staff,
            start_date=dt.date(2026, 1, 1),
            rent=6200,
        )
        Case.create(landlord=landlord, flat=flat, kind="fault", text="Kran", opened_by=manager)
    for n in range(MANY):
        add_person(
            commissioner,
            f"Väntar{n:03d}",
            received_on=TODAY - dt.timedelta(days=20),
            status="waiting",
            responsible=staff,
            drug_free_since=dt.date(2025, 1, 1),
            occupation_percent=50,
        )
        Landlord.create(
            name=f"Värd {n:03d}",
            stage="identified",
            owner=staff,
            next_follow_up=TODAY - dt.timedelta(days=1),
        )
        AuditEvent.record(staff, "opened", "referral", 1, "referral page")
    open_month(dt.date(2027, 3, 1))
    return {"staff": staff, "manager": manager}


# (address, a pattern that marks one row of the list, the list's page parameter)
LISTS = [
    ("/flats/?district=Farsta", r'<th scope="row"><a href="/flats/\d+">', "page"),
    ("/referrals/?status=waiting", r"Väntar\d{3} Ek</a>", "page"),
    ("/residents/", r"Boende\d{3} Ek</a>", "page"),
    ("/cases/", r'href="/cases/\d+"', "page"),
    ("/landlords/follow-ups", r"Värd \d{3}</a>", "page"),
    ("/referrals/1/audit", r"<tr><td>", "page"),
    ("/rent/?month=2027-03", r'<tr id="rent-row-\d+"', "page"),
    ("/matching/", r'href="/matching/\?referral=\d+', "referrals_page"),
    ("/matching/", r'href="/matching/\?flat=\d+', "flats_page"),
]


def _rows(body: str, pattern: str) -> int:
    return len(re.findall(pattern, body))


def _distinct(body: str, pattern: str) -> int:
    return len(set(re.findall(pattern, body)))


@pytest.mark.parametrize(("url", "pattern", "name"), LISTS)
def test_a_long_list_shows_a_page_and_links_to_the_next(client, crowd, url, pattern, name):
    login(client, crowd["staff" if "follow-ups" in url else "manager"])
    first = client.get(url)
    assert first.status_code == 200, url
    body = first.get_data(as_text=True)
    # The rent board's rows are bigger than a list's: 40 a page.
    size = BOARD_PAGE if url.startswith("/rent/") else PAGE_SIZE
    assert _rows(body, pattern) == size, url
    assert f"{name}=2" in body and 'rel="next"' in body
    joiner = "&" if "?" in url else "?"
    second = client.get(f"{url}{joiner}{name}=2").get_data(as_text=True)
    assert _rows(second, pattern) == MANY - size, url
    assert 'rel="prev"' in second


@pytest.mark.parametrize(("url", "pattern", "name"), LISTS)
@pytest.mark.parametrize("bad", ["abc", "0", "-1", "999999999", "²", "١"])
def test_a_bad_page_number_is_a_clear_400(client, crowd, url, pattern, name, bad):
    login(client, crowd["manager"])
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}{name}={bad}")
    assert response.status_code == 400
    assert "Sidan i adressen är inte giltig." in response.get_data(as_text=True)


@pytest.mark.parametrize(("url", "pattern", "name"), LISTS)
def test_a_later_page_runs_the_same_queries_as_the_first(client, crowd, url, pattern, name):
    login(client, crowd["staff" if "follow-ups" in url else "manager"])
    joiner = "&" if "?" in url else "?"

    def queries(address):
        with count_queries() as log:
            assert client.get(address).status_code == 200
        return len(log)

    # What a page keeps between requests (``intranet/cache.py``) is kept for both.
    assert client.get(url).status_code == 200
    assert queries(url) == queries(f"{url}{joiner}{name}=2")


def test_a_pipeline_column_shows_its_first_cards_and_more_on_asking(client, crowd):
    login(client, crowd["manager"])
    body = client.get("/landlords/pipeline").get_data(as_text=True)
    assert _distinct(body, r"Värd \d{3}") == CARDS
    assert f"{MANY} hyresvärdar" in body  # the column's count covers every card
    assert f"show_identified={2 * CARDS}" in body
    more = client.get(f"/landlords/pipeline?show_identified={2 * CARDS}").get_data(as_text=True)
    assert _distinct(more, r"Värd \d{3}") == 2 * CARDS
    assert client.get("/landlords/pipeline?show_identified=abc").status_code == 400
    assert client.get("/landlords/pipeline?show_identified=²").status_code == 400


def test_a_contact_persons_rent_board_opens_on_their_own_residents(client, crowd, make_user):
    other = make_user(Role.STAFF, display_name="Lena Ek")
    flat = Flat.get(Flat.address == "Ledigagatan 000")
    person = Referral.get(Referral.first_name == "Väntar000")
    Tenancy.create(flat=flat, referral=person, contact_person=other, start_date=TODAY, rent=6200)
    open_month(dt.date(2027, 3, 1))
    login(client, other)
    own = client.get("/rent/").get_data(as_text=True)
    assert "Väntar000 Ek" in own and "Boende000 Ek" not in own
    everyone = client.get("/rent/?contact=0").get_data(as_text=True)
    assert "Boende000 Ek" in everyone

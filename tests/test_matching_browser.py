"""Matching in a real browser: pick a flat, see the ranked candidates, propose."""

import datetime as dt

import pytest
from conftest import browser_login
from playwright.sync_api import expect

from intranet import clock
from intranet.landlords.services import create_landlord
from intranet.models import Commissioner, Flat, Match, Referral
from intranet.referrals.services import create_referral

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_server):
    landlord = create_landlord(None, name="Svenska Bostäder", stage="agreement_signed")
    flat = Flat.create(
        landlord=landlord,
        address="Farstavägen 3",
        postcode="12345",
        district="Farsta",
        rooms=1,
        size_m2=40,
        floor=0,
        rent_to_landlord=7300,
        rent_to_resident=7300,
        status="ready",
        ready_since=clock.today() - dt.timedelta(days=4),
    )
    commissioner = Commissioner.create(name="Socialtjänsten Farsta")
    for name, waited in [("Lina", 120), ("Omar", 15)]:
        person = create_referral(
            None,
            received_on=clock.today() - dt.timedelta(days=waited),
            commissioner=commissioner,
            first_name=name,
            last_name="Test",
            birth_date=dt.date(1990, 1, 1),
            gender="other",
            target_group="addiction",
            drug_free_since=dt.date(2020, 1, 1),
            occupation_percent=60,
            last_contact_on=clock.today(),
        )
        Referral.update(status="waiting").where(Referral.id == person.id).execute()
    return flat


def test_pick_a_flat_see_the_ranking_propose_and_the_flat_leaves_the_list(
    page, live_server, make_live_user, world
):
    staff = make_live_user("staff")
    browser_login(page, live_server, staff)
    page.goto(f"{live_server.url}/matching/")
    free_list = page.locator("section[aria-labelledby=free-heading]")
    expect(free_list).to_contain_text("Farstavägen 3")
    page.evaluate("window.notReloaded = true")

    free_list.get_by_role("link", name="Farstavägen 3, Farsta").click()
    ranking = page.locator("#ranking")
    expect(ranking).to_contain_text("bästa först")
    items = ranking.locator("li.candidate")
    expect(items.first).to_contain_text("Lina Test")
    expect(items.nth(1)).to_contain_text("Omar Test")
    expect(items.first).to_contain_text("Drogfri sedan")
    assert page.evaluate("window.notReloaded") is True
    assert "flat=" in page.url

    items.first.get_by_role("button", name="Föreslå").click()
    expect(page.get_by_text("Föreslagen: lägenheten är reserverad.")).to_be_visible()
    assert Match.select().count() == 1
    page.goto(f"{live_server.url}/matching/")
    expect(page.locator("section[aria-labelledby=free-heading]")).not_to_contain_text(
        "Farstavägen 3"
    )

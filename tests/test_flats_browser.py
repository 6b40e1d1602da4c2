"""Flats in a real browser: the checklist turns a flat ready in place; filters live in the URL."""

import re

import pytest
from conftest import browser_login
from playwright.sync_api import expect

from intranet.landlords.services import create_landlord
from intranet.models import Flat

pytestmark = pytest.mark.browser


@pytest.fixture
def flats(live_server):
    landlord = create_landlord(None, name="Svenska Bostäder", stage="agreement_signed")
    common = {
        "landlord": landlord,
        "postcode": "12345",
        "rooms": 2,
        "size_m2": 50,
        "floor": 1,
        "rent_to_landlord": 7300,
        "rent_to_resident": 7300,
    }
    equipping = Flat.create(
        address="Farstavägen 3", district="Farsta", status="equipping", **common
    )
    Flat.create(address="Årstavägen 9", district="Årsta", status="offered", **common)
    return equipping


def test_ticking_the_checklist_makes_the_flat_ready_without_a_reload(
    page, live_server, make_live_user, flats
):
    caretaker = make_live_user("caretaker", display_name="Ali Hassan")
    browser_login(page, live_server, caretaker)
    page.goto(f"{live_server.url}/flats/{flats.id}")
    page.evaluate("window.notReloaded = true")
    for label in [
        "Möbler",
        "Köksutrustning",
        "Sängkläder",
        "Nycklar överlämnade",
        "Besiktning vid inflytt gjord",
    ]:
        page.get_by_label(label).check()
    page.get_by_label("Antal nycklar").fill("3")
    page.get_by_role("button", name="Spara checklistan").click()
    expect(page.locator(".flat-status")).to_have_text("Klar")
    expect(page.get_by_text("Ledig i 0 dagar")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert Flat.get_by_id(flats.id).status == "ready"


def test_filtering_the_list_updates_the_table_and_the_url(page, live_server, make_live_user, flats):
    staff = make_live_user("staff")
    browser_login(page, live_server, staff)
    page.goto(f"{live_server.url}/flats/")
    page.evaluate("window.notReloaded = true")
    expect(page.locator("#flats-table")).to_contain_text("Årstavägen 9")
    page.get_by_label("Status").select_option("equipping")
    expect(page).to_have_url(re.compile(r"status=equipping"))
    expect(page.locator("#flats-table")).not_to_contain_text("Årstavägen 9")
    expect(page.locator("#flats-table")).to_contain_text("Farstavägen 3")
    assert page.evaluate("window.notReloaded") is True
    # The address is the state: opening it again shows the same filtered table.
    page.goto(page.url)
    expect(page.get_by_label("Status")).to_have_value("equipping")
    expect(page.locator("#flats-table")).not_to_contain_text("Årstavägen 9")


@pytest.mark.parametrize("path", ["/flats/", "/flats/{id}", "/flats/new"])
def test_the_flats_pages_fit_a_phone(page, live_server, make_live_user, flats, path):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, live_server, make_live_user("manager"))
    page.goto(live_server.url + path.format(id=flats.id))
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

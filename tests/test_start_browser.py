"""The manager's and a contact person's start pages on the 5th, in a real browser."""

import datetime as dt

import pytest
from conftest import browser_login
from helpers import add_resident
from playwright.sync_api import expect

from intranet import clock
from intranet.landlords.services import create_landlord
from intranet.models import Commissioner

pytestmark = pytest.mark.browser


@pytest.fixture
def fifth(live_server, make_live_user):
    """Two residents with unpaid rent on the 5th, one for each contact person."""
    clock.set_clock(dt.datetime(2027, 3, 5, 8, 30))
    johan = make_live_user("staff", display_name="Johan Berg")
    lena = make_live_user("staff", email="lena@example.org", display_name="Lena Ek")
    manager = make_live_user("manager", email="chef@example.org", display_name="Maria Chef")
    landlord = create_landlord(None, name="Hus AB", stage="agreement_signed")
    commissioner = Commissioner.create(name="Socialtjänsten")
    for name, contact in [("Sara", johan), ("Omar", lena)]:
        add_resident(landlord, commissioner, contact.id, name)
    from intranet.rent.services import open_month

    open_month(dt.date(2027, 3, 1))
    return {"johan": johan, "manager": manager}


def test_the_managers_start_page_on_the_5th_leads_to_the_work(page, live_server, fifth):
    browser_login(page, live_server, fifth["manager"])
    rent = page.locator("#block-rent")
    expect(rent).to_contain_text("I dag är det den 5:e: 2 hembesök att göra.")
    expect(rent.get_by_role("link", name="Sara Ek")).to_be_visible()
    expect(rent.get_by_role("link", name="Omar Ek")).to_be_visible()
    rent.get_by_role("link", name="Hyrestavlan: de som behöver åtgärd").click()
    expect(page.get_by_label("Bara de som behöver åtgärd i dag")).to_be_checked()
    expect(page.locator("#rent-rows")).to_contain_text("Sara Ek")


def test_a_contact_persons_start_page_on_the_5th(page, live_server, fifth):
    browser_login(page, live_server, fifth["johan"])
    rent = page.locator("#block-rent")
    expect(rent).to_contain_text("I dag är det den 5:e: 1 hembesök att göra.")
    expect(rent).not_to_contain_text("Omar Ek")
    rent.get_by_role("link", name="Sara Ek").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hyra: Sara Ek")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_start_page_fits_the_screen(page, live_server, fifth, width):
    page.set_viewport_size({"width": width, "height": 800})
    browser_login(page, live_server, fifth["manager"])
    expect(page.locator("#block-rent")).to_be_visible()
    page.wait_for_load_state("load")  # the style sheets, before the page is measured
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

"""The rent board in a real browser, on the 5th: a payment and a home visit, each in place."""

import datetime as dt

import pytest
from conftest import browser_login
from helpers import add_resident
from playwright.sync_api import expect

from intranet import clock
from intranet.landlords.services import create_landlord
from intranet.models import Checkpoint, Commissioner, Payment

pytestmark = pytest.mark.browser
FIFTH = dt.date(2027, 3, 5)


@pytest.fixture
def late_residents(live_server, make_live_user):
    clock.set_clock(dt.datetime(2027, 3, 5, 9, 0))
    staff = make_live_user("staff", display_name="Johan Berg")
    landlord = create_landlord(None, name="Hus AB", stage="agreement_signed")
    commissioner = Commissioner.create(name="Socialtjänsten")
    for name in ["Sara", "Omar"]:
        add_resident(landlord, commissioner, staff.id, name)
    return staff


def test_on_the_5th_a_payment_and_a_home_visit_update_in_place(page, live_server, late_residents):
    browser_login(page, live_server, late_residents)
    page.goto(f"{live_server.url}/rent/")
    counts = page.locator("#rent-counts")
    expect(counts).to_contain_text("I dag är det den 5:e: 2 hembesök att göra.")
    page.evaluate("window.notReloaded = true")

    sara = page.locator("tr", has_text="Sara Ek")
    sara.get_by_role("button", name="Registrera").click()
    expect(page.locator("tr", has_text="Sara Ek")).to_contain_text("Betald sent")
    expect(counts).to_contain_text("I dag är det den 5:e: 1 hembesök att göra.")
    expect(counts).to_contain_text("Betald sent: 1")

    omar = page.locator("tr", has_text="Omar Ek")
    omar.get_by_label("Hur det är, varför hyran är obetald").fill("Sjukskriven, lönen försenad")
    omar.get_by_label("Planen vi kom överens om").first.fill("Betalar den 12:e")
    omar.get_by_role("button", name="Markera som gjort Hembesök (5:e)").click()
    expect(page.locator("tr", has_text="Omar Ek")).to_contain_text("gjort 2027-03-05, Johan Berg")
    expect(counts).to_contain_text("I dag är det den 5:e: 0 hembesök att göra.")
    assert page.evaluate("window.notReloaded") is True
    assert Payment.select().count() == 1 and Checkpoint.select().count() == 1

"""The rent board in a real browser, on the 5th: a payment and a home visit, each in place,
with the mouse and with the keyboard alone."""

import datetime as dt

import pytest
from conftest import browser_login
from helpers import add_resident, tab_to
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
    sara.locator("summary", has_text="Betalning").click()
    sara.get_by_role("button", name="Registrera").click()
    expect(page.locator("tr", has_text="Sara Ek")).to_contain_text("Betald sent")
    expect(counts).to_contain_text("I dag är det den 5:e: 1 hembesök att göra.")
    expect(counts).to_contain_text("Betald sent: 1")

    omar = page.locator("tr", has_text="Omar Ek")
    omar.locator("summary", has_text="Hembesök (5:e)").click()
    omar.get_by_label("Hur det är, varför hyran är obetald").fill("Sjukskriven, lönen försenad")
    omar.get_by_label("Planen vi kom överens om").first.fill("Betalar den 12:e")
    omar.get_by_role("button", name="Markera som gjort Hembesök (5:e)").click()
    expect(page.locator("tr", has_text="Omar Ek")).to_contain_text("gjort 2027-03-05, Johan Berg")
    expect(counts).to_contain_text("I dag är det den 5:e: 0 hembesök att göra.")
    assert page.evaluate("window.notReloaded") is True
    assert Payment.select().count() == 1 and Checkpoint.select().count() == 1


def test_the_board_by_keyboard_alone(page, live_server, late_residents):
    browser_login(page, live_server, late_residents)
    page.goto(f"{live_server.url}/rent/")
    page.bring_to_front()
    counts = page.locator("#rent-counts")

    # Sara's payment: open the row's form, keep the suggested date, amount and method, send.
    tab_to(page, "Betalning: Sara Ek")
    page.keyboard.press("Enter")
    # The form comes from the server as the row opens.
    expect(page.locator("tr", has_text="Sara Ek").locator("form.pay-form")).to_be_visible()
    # (A date field takes a Tab for each of its parts and its calendar button.)
    tab_to(page, "paid-on", limit=1)
    tab_to(page, "amount", limit=5)
    tab_to(page, "method", limit=1)
    tab_to(page, "Registrera", limit=1)
    page.keyboard.press("Enter")
    expect(page.locator("tr", has_text="Sara Ek")).to_contain_text("Betald sent")
    expect(counts).to_contain_text("Betald sent: 1")
    # The keyboard is where it was: on Sara's payment control, closed again.
    expect(page.locator("tr", has_text="Sara Ek").locator("summary.small-button")).to_be_focused()

    # Omar's home visit: open it from the keyboard, write the note and the plan, mark it done.
    tab_to(page, "Markera som gjort Hembesök (5:e)")
    expect(
        page.locator("tr", has_text="Omar Ek").locator("summary", has_text="Hembesök")
    ).to_be_focused()
    page.keyboard.press("Enter")
    # The form comes from the server as the checkpoint opens.
    expect(page.locator("tr", has_text="Omar Ek").locator("textarea[name=note]")).to_be_visible()
    tab_to(page, "note-home_visit", limit=1)
    page.keyboard.type("Sjukskriven, lönen försenad")
    tab_to(page, "plan-home_visit", limit=1)
    page.keyboard.type("Betalar den 12:e")
    tab_to(page, "Markera som gjort", limit=1)
    page.keyboard.press("Enter")
    omar = page.locator("tr", has_text="Omar Ek")
    expect(omar).to_contain_text("gjort 2027-03-05, Johan Berg")
    expect(counts).to_contain_text("I dag är det den 5:e: 0 hembesök att göra.")
    checkpoint = Checkpoint.get()
    assert (checkpoint.kind, checkpoint.note, checkpoint.plan) == (
        "home_visit",
        "Sjukskriven, lönen försenad",
        "Betalar den 12:e",
    )
    assert Payment.get().amount == 6200

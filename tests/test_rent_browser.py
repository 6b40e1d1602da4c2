"""The rent board in a real browser: a payment updates its row and the counts without a reload."""

import datetime as dt

import pytest
from conftest import browser_login
from playwright.sync_api import expect

from intranet.landlords.services import create_landlord
from intranet.models import Commissioner, Flat, Payment, Referral, Tenancy

pytestmark = pytest.mark.browser


def test_registering_a_payment_updates_the_row_and_the_counts(page, live_server, make_live_user):
    staff = make_live_user("staff", display_name="Johan Berg")
    landlord = create_landlord(None, name="Hus AB", stage="agreement_signed")
    commissioner = Commissioner.create(name="Socialtjänsten")
    start = dt.date.today().replace(day=1) - dt.timedelta(days=40)
    for name in ["Sara", "Omar"]:
        flat = Flat.create(
            landlord=landlord,
            address=f"{name}gatan 1",
            postcode="12345",
            district="Farsta",
            rooms=1,
            size_m2=40,
            floor=0,
            rent_to_landlord=6000,
            rent_to_resident=6200,
            status="ready",
        )
        person = Referral.create(
            received_on=start,
            commissioner=commissioner,
            first_name=name,
            last_name="Ek",
            birth_date=dt.date(1990, 1, 1),
            gender="other",
            target_group="crime",
            status="moved_in",
        )
        Tenancy.create(
            flat=flat, referral=person, contact_person=staff.id, start_date=start, rent=6200
        )
    browser_login(page, live_server, staff)
    page.goto(f"{live_server.url}/rent/")
    page.evaluate("window.notReloaded = true")
    counts = page.locator("#rent-counts")
    row = page.locator("tr", has_text="Sara Ek")
    # Paid by the 15th: the month moves from "not paid" to "paid late".
    paid_on = min(dt.date.today(), dt.date.today().replace(day=10))
    row.get_by_label("Betald den").fill(paid_on.isoformat())
    row.get_by_role("button", name="Registrera").click()
    expect(page.locator("tr", has_text="Sara Ek")).not_to_contain_text("Inte betald än")
    expect(counts).to_contain_text("Betald sent: 1")
    assert page.evaluate("window.notReloaded") is True
    assert Payment.select().count() == 1

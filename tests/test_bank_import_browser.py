"""A bank file in a real browser: upload, the preview, one unmatched payment assigned by
hand, confirm, and the rent board shows the months paid."""

import datetime as dt

import pytest
from bankfiles import Paid, bgmax
from conftest import browser_login
from helpers import add_resident
from playwright.sync_api import expect

from intranet import clock
from intranet.landlords.services import create_landlord
from intranet.models import Commissioner, Payment
from intranet.rent.services import open_month

pytestmark = pytest.mark.browser
MARCH = dt.date(2027, 3, 1)


@pytest.fixture
def residents(live_server, make_live_user):
    clock.set_clock(dt.datetime(2027, 3, 5, 9, 0))
    staff = make_live_user("staff", display_name="Johan Berg")
    landlord = create_landlord(None, name="Hus AB", stage="agreement_signed")
    commissioner = Commissioner.create(name="Socialtjänsten")
    sara = add_resident(landlord, commissioner, staff.id, "Sara", start=dt.date(2027, 3, 1))
    omar = add_resident(
        landlord, commissioner, staff.id, "Omar", rent=5000, start=dt.date(2027, 3, 1)
    )
    open_month(MARCH)
    return staff, sara, omar


def test_a_bank_file_read_assigned_and_registered(page, live_server, residents, tmp_path):
    staff, sara, omar = residents
    path = tmp_path / "bgmax-20270305.txt"
    path.write_bytes(
        bgmax(
            [
                Paid(sara.payment_reference, 6200, dt.date(2027, 2, 27), payer="Sara Ek"),
                Paid("55555", 5000, dt.date(2027, 3, 2), payer="O. Ek"),
            ]
        )
    )
    browser_login(page, live_server, staff)
    page.goto(f"{live_server.url}/rent/")
    expect(page.locator("tr", has_text="Sara Ek")).to_contain_text("Inte betald än")
    page.get_by_role("link", name="Bankfiler").click()
    page.get_by_label("Bankfil (BgMax eller camt.054)").set_input_files(str(path))
    page.get_by_role("button", name="Läs in filen").click()

    expect(page.get_by_role("heading", name="Inget är registrerat än")).to_be_visible()
    expect(page.locator("#count-unmatched")).to_have_text("1")
    unmatched = page.locator("tr", has_text="O. Ek")
    expect(unmatched).to_contain_text("Kanske: Omar Ek")
    unmatched.get_by_label("Koppla till").select_option(str(omar.id))
    unmatched.get_by_role("button", name="Koppla").click()
    expect(page.locator("tr", has_text="O. Ek")).to_contain_text("Kopplad för hand")
    assert Payment.select().count() == 0

    page.get_by_role("button", name="Registrera betalningarna").click()
    expect(page.locator("#messages")).to_contain_text("2 betalningar är registrerade.")
    expect(page.locator("#count-matched")).to_have_text("2")
    page.get_by_role("link", name="Hyrestavlan").click()
    expect(page.locator("tr", has_text="Sara Ek")).to_contain_text("Betald i tid")
    expect(page.locator("tr", has_text="Omar Ek")).to_contain_text("Betald sent")
    assert Payment.select().where(Payment.method == "bank_transfer").count() == 2

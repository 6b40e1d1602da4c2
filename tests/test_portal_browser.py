"""The portal in a real browser: a landlord reports a fault, staff reply, the landlord reads it."""

import pytest
from conftest import browser_login
from playwright.sync_api import expect

from intranet import clock
from intranet.landlords.services import create_landlord
from intranet.models import Flat

pytestmark = pytest.mark.browser


def _unit(landlord, address):
    return Flat.create(
        landlord=landlord,
        address=address,
        postcode="12345",
        district="Farsta",
        rooms=2,
        size_m2=50,
        floor=1,
        rent_to_landlord=8000,
        rent_to_resident=8000,
        status="ready",
        ready_since=clock.today(),
    )


def test_fault_report_and_reply(live_server, new_context, make_live_user):
    mine = create_landlord(None, name="Mina Hus AB", stage="agreement_signed")
    theirs = create_landlord(None, name="Andras Hus AB", stage="agreement_signed")
    _unit(mine, "Min gata 1")
    _unit(theirs, "Annans gata 2")
    landlord_user = make_live_user(
        "landlord", email="eva@mina.example", display_name="Eva", landlord=mine
    )
    staff_user = make_live_user("staff", email="johan@unit.example", display_name="Johan Berg")

    landlord = new_context().new_page()
    browser_login(landlord, live_server, landlord_user)
    expect(landlord.get_by_role("heading", level=1)).to_contain_text("Mina Hus AB")
    expect(landlord.locator("main")).to_contain_text("Min gata 1")
    expect(landlord.locator("main")).not_to_contain_text("Annans gata 2")

    landlord.get_by_role("link", name="Min gata 1").click()
    landlord.get_by_role("button", name="Felanmäl eller ställ en fråga").click()
    landlord.get_by_label("Vad det gäller").select_option("fault")
    landlord.get_by_label("Beskriv det").fill("Ytterdörren går inte att låsa")
    landlord.get_by_role("button", name="Skicka").click()
    expect(landlord.get_by_text("Ärendet är skickat till enheten.")).to_be_visible()
    landlord.get_by_role("link", name="Alla era lägenheter").click()
    expect(landlord.locator("section[aria-labelledby=cases-heading]")).to_contain_text("Felanmälan")

    staff = new_context().new_page()
    browser_login(staff, live_server, staff_user)
    staff.goto(f"{live_server.url}/cases/")
    staff.get_by_role("row", name="Ytterdörren").get_by_role("link").click()
    staff.get_by_label("Svar").fill("Låssmeden kommer i morgon kl 9")
    staff.get_by_role("button", name="Skicka svar").click()
    expect(staff.get_by_text("Ditt svar är tillagt.")).to_be_visible()

    landlord.get_by_role("link", name="Felanmälan").click()
    expect(landlord.get_by_role("list", name="Tråden")).to_contain_text(
        "Låssmeden kommer i morgon kl 9"
    )

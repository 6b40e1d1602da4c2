"""The move-out checklist in a real browser on a phone: the caretaker fills it in, finishes
it, and the flat goes to equipping for the missing bedding without a reload."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import browser_login
from playwright.sync_api import expect
from test_layout_browser import _serious

from intranet.database import write_transaction
from intranet.flats import services
from intranet.landlords.services import create_landlord
from intranet.models import Flat, MoveOutChecklist

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def moved_out(live_server, make_live_user):
    """A fully equipped flat with three keys whose resident has moved out."""
    landlord = create_landlord(None, name="Svenska Bostäder", stage="agreement_signed")
    flat = Flat.create(
        landlord=landlord,
        address="Farstavägen 3",
        district="Farsta",
        postcode="12345",
        rooms=2,
        size_m2=50,
        floor=1,
        rent_to_landlord=7300,
        rent_to_resident=7300,
        status="ready",
        has_furniture=True,
        has_kitchenware=True,
        has_bedding=True,
        keys_handed_over=True,
        key_count=3,
        inspection_done=True,
    )
    staff = make_live_user("staff", email="staff@example.org")
    with write_transaction():
        services.start_move_out(flat.id, staff, "move-out inspection")
    return flat


def test_a_caretaker_does_the_move_out_checklist_on_a_phone(
    page, live_server, make_live_user, moved_out
):
    page.set_viewport_size(PHONE)
    caretaker = make_live_user("caretaker", display_name="Ali Hassan", language="en")
    browser_login(page, live_server, caretaker)
    page.goto(f"{live_server.url}/flats/{moved_out.id}")
    page.evaluate("window.notReloaded = true")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Finishing too early names each box left, beside it, in place.
    page.get_by_role("button", name="Finish the move-out checklist").click()
    expect(page.locator("#cleaned-error")).to_have_text(
        "The flat must be cleaned before finishing."
    )
    expect(page.locator("#keys_returned-error")).to_be_visible()
    axe = Axe()
    assert _serious(axe, page) == []

    page.get_by_label("Keys returned", exact=True).check()
    page.get_by_label("Number of keys returned").fill("3")
    page.get_by_label("Move-out inspection done").check()
    page.get_by_label("Damage found at the inspection").fill("Scratches on the kitchen door")
    page.get_by_label("Cleaned", exact=True).check()
    page.get_by_role("group", name="Missing or broken").get_by_label("Bedding").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Finish the move-out checklist").click()

    expect(page.locator(".flat-status")).to_have_text("Being equipped")
    expect(page.get_by_role("status")).to_contain_text("being equipped with what is missing")
    expect(page.get_by_label("Bedding")).not_to_be_checked()
    expect(page.get_by_label("Furniture")).to_be_checked()
    expect(page.get_by_text("Scratches on the kitchen door")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _serious(axe, page) == []
    flat = Flat.get_by_id(moved_out.id)
    assert (flat.status, flat.has_bedding, flat.has_furniture, flat.key_count) == (
        "equipping",
        False,
        True,
        3,
    )
    assert MoveOutChecklist.get().damage == "Scratches on the kitchen door"

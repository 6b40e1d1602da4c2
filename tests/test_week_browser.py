"""The unit's week in a real browser, through the pages only: a landlord won, a flat
registered and equipped, a referral taken in and matched, the move-in, the month's rent
paid, the move-out with its checklist. Every confirmation on the way is asked for and
given, and no page logs an error. Read in English."""

import re

import pytest
from conftest import browser_login
from playwright.sync_api import expect

from intranet import clock
from intranet.models import Commissioner, Flat, Landlord, Payment, Referral, Tenancy

pytestmark = pytest.mark.browser


@pytest.fixture
def console_errors(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _submit(page, name):
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state("networkidle")


def _move_landlord(page, stage):
    section = page.locator("#stage")
    section.get_by_label("Move to").select_option(label=stage)
    section.get_by_role("button", name=re.compile("^Move")).click()
    expect(page.locator("#current-stage")).to_contain_text(stage)


def _flat_status(page, status):
    page.get_by_label("New status").select_option(label=status)
    _submit(page, "Change status")
    expect(page.locator(".flat-status").first).to_contain_text(status)


def test_a_week_of_the_unit_from_landlord_to_move_out(
    page, live_server, make_live_user, console_errors
):
    with live_server.app.app_context():
        Commissioner.create(name="Socialtjänsten Farsta")
    manager = make_live_user("manager", display_name="Maria Lindqvist", language="en")
    browser_login(page, live_server, manager)
    base = live_server.url
    today = clock.today()

    # A landlord is won, one stage at a time.
    page.goto(f"{base}/landlords/new")
    page.get_by_label("Organisation name").fill("Hembla AB")
    _submit(page, "Save")
    for stage in ("Contacted", "Meeting booked", "Negotiating", "Agreement signed"):
        _move_landlord(page, stage)
    with live_server.app.app_context():
        landlord = Landlord.get(Landlord.name == "Hembla AB")

    # Their flat is registered, as a Swede types the numbers, and taken through to ready.
    page.goto(f"{base}/flats/new?landlord={landlord.id}")
    page.get_by_label("Address").fill("Hässelby torg 95")
    page.get_by_label("Postcode").fill("165 56")
    page.get_by_label("Postal town").fill("Hässelby")
    page.get_by_label("District").fill("Hässelby")
    page.get_by_label("Rooms").fill("2")
    page.get_by_label("Size in m²").fill("48,5")
    page.get_by_label("Floor").fill("0")
    page.get_by_label("Monthly rent to the landlord").fill("6 200")
    page.get_by_label("Monthly rent charged to the resident").fill("6 200,00")
    _submit(page, "Save")
    with live_server.app.app_context():
        flat = Flat.get(Flat.address == "Hässelby torg 95")
        assert flat.size_m2 == 48.5 and flat.rent_to_landlord == 6200
    for status in ("Viewed", "Contracted", "Being equipped"):
        _flat_status(page, status)
    for item in ("Furniture", "Kitchenware", "Bedding", "Keys handed over"):
        page.locator("#flat-state").get_by_label(item, exact=True).check()
    page.locator("#flat-state").get_by_label("Number of keys").fill("2")
    page.locator("#flat-state").get_by_label("Move-in inspection done").check()
    _submit(page, "Save the checklist")
    expect(page.locator(".flat-status").first).to_contain_text("Ready")

    # A referral comes in and is assessed as waiting.
    page.goto(f"{base}/referrals/new")
    page.get_by_label("Commissioner").select_option(label="Socialtjänsten Farsta")
    page.get_by_label("First name").fill("Sara")
    page.get_by_label("Last name").fill("Ek")
    page.get_by_label("Birth date").fill("1990-05-04")
    page.get_by_label("Gender").select_option(index=1)
    page.get_by_label("Target group").select_option(index=1)
    page.get_by_label("Drug-free since").fill(f"{today.year - 2}-01-01")
    page.get_by_label("Occupation", exact=True).select_option(index=1)
    page.get_by_label("Occupation, percent").fill("75")
    _submit(page, "Save")
    for status in ("Assessing", "Waiting"):
        page.get_by_label("New status").select_option(label=status)
        _submit(page, "Change status")
    with live_server.app.app_context():
        referral = Referral.get(Referral.first_name == "Sara")
        assert referral.status == "waiting"

    # Matched to the flat, offered, viewed, accepted for today, and moved in.
    page.goto(f"{base}/matching/?flat={flat.id}")
    page.get_by_role("button", name="Propose").first.click()
    page.wait_for_url(re.compile(r"/matching/matches/\d+$"))
    for step in ("Offered to the commissioner", "Viewing"):
        _submit(page, step)
    page.get_by_label("Move-in date").fill(today.isoformat())
    _submit(page, "Accepted")
    _submit(page, "Moved in")
    page.wait_for_url(re.compile(r"/residents/\d+$"))
    with live_server.app.app_context():
        tenancy = Tenancy.get(Tenancy.referral == referral.id)
        assert tenancy.start_date == today

    # The month's rent is opened and paid on the board, in place.
    page.goto(f"{base}/rent/")
    opener = page.get_by_role("button", name=re.compile("^Open .* now$"))
    if opener.count():
        opener.click()
        page.wait_for_load_state("networkidle")
    row = page.locator("tr.rent-row", has_text="Sara Ek")
    row.locator("summary", has_text="Payment").click()
    row.get_by_label("Amount").fill("6 200,00")
    row.get_by_role("button", name="Register").click()
    # The first month is charged for the days she lives there; the rest waits as credit.
    expect(page.locator("#rent-counts")).to_contain_text(re.compile(r"kr paid .*left as credit"))
    with live_server.app.app_context():
        assert Payment.select().where(Payment.tenancy == tenancy.id).count() == 1

    # She moves on: the move-out asks for its tick, then the flat waits for its checklist.
    page.goto(f"{base}/residents/{tenancy.id}")
    page.get_by_text("Record that the resident has moved out").click()
    page.get_by_label("Moved out on").fill(today.isoformat())
    page.get_by_label("Outcome").select_option(index=1)
    _submit(page, "Record the move-out")
    assert page.url.endswith(f"/residents/{tenancy.id}")  # the browser asked for the tick
    with live_server.app.app_context():
        assert Tenancy.get_by_id(tenancy.id).end_date is None
    page.get_by_label("Yes, the resident has moved out: end the tenancy").check()
    _submit(page, "Record the move-out")
    with live_server.app.app_context():
        assert Tenancy.get_by_id(tenancy.id).end_date == today
        assert Flat.get_by_id(flat.id).status == "moved_out"
    page.goto(f"{base}/flats/{flat.id}")
    state = page.locator("#flat-state")
    state.get_by_label("Keys returned", exact=True).check()
    state.get_by_label("Number of keys returned").fill("2")
    state.get_by_label("Move-out inspection done").check()
    state.get_by_label("Cleaned").check()
    _submit(page, "Finish the move-out checklist")
    expect(page.locator(".flat-status").first).to_contain_text("Ready")
    with live_server.app.app_context():
        assert Flat.get_by_id(flat.id).status == "ready"
    # A refused form answers 422, which Chromium reports as a failed resource; nothing else.
    assert [e for e in console_errors if "422" not in e] == []

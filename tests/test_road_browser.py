"""The road to a home of one's own in a real browser: a resident's conditions met month by
month from the rent ledger, the manager's "ready" block, consent recorded, the request in
the landlord's portal, the landlord's yes, the lease handed over, the flat leaving the
stock, and the yearly report counting it. Read in English."""

import datetime as dt
import re

import pytest
from conftest import browser_login
from playwright.sync_api import expect

from intranet import clock
from intranet.models import Commissioner, Flat, Landlord, LeaseRequest, RentCharge, Tenancy
from intranet.rent import services as rent_services

pytestmark = pytest.mark.browser


def _submit(page, name):
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state("networkidle")


def _pay(tenancy, actor, months):
    """Open and pay ``months`` by their due days, as the bank file or the board would."""
    for month in months:
        rent_services.open_month(month)
        charge = RentCharge.get((RentCharge.tenancy == tenancy.id) & (RentCharge.month == month))
        rent_services.register_payment(
            charge.id, actor, charge.due_on, charge.amount, "swish", f"road-{month}"
        )


def _another_browser(page, settings):
    """Another person at another computer, set up as the unit's are."""
    return page.context.browser.new_context(**settings).new_page()


def test_the_road_from_a_year_of_rent_to_a_lease_of_ones_own(
    page, live_server, make_live_user, browser_context_args
):
    from helpers import add_resident

    clock.set_clock(dt.date(2027, 12, 20))
    manager = make_live_user("manager", display_name="Maria Lindqvist", language="en")
    contact = make_live_user(
        "staff", email="kontakt@example.org", display_name="Johan Berg", language="en"
    )
    with live_server.app.app_context():
        landlord = Landlord.create(name="Stadens Hus AB")
        tenancy = add_resident(
            landlord,
            Commissioner.create(name="Socialtjänsten"),
            contact,
            "Sara",
            start=dt.date(2027, 1, 1),
            address="Hässelby torg 95",
        )
        _pay(tenancy, manager, [dt.date(2027, m, 1) for m in range(1, 13)])
    owner = make_live_user(
        "landlord", email="hyresvard@example.org", landlord=landlord.id, language="en"
    )
    base = live_server.url
    resident = f"{base}/residents/{tenancy.id}"

    # The contact person plans the step: take over the flat's lease. Eleven months in the
    # flat; the year of rent on time is read from the ledger.
    browser_login(page, live_server, contact)
    page.goto(resident)
    page.get_by_text("Plan the next step").click()
    page.get_by_label("Next step").select_option(label="Take over this flat's lease")
    page.get_by_label("Target month").fill("2028-02")
    page.get_by_label("The plan").fill("Sara vill bo kvar och sköter hyran.")
    _submit(page, "Save the step")
    road = page.locator("#road")
    expect(road).to_contain_text("12 of 12 months on time in a row")
    expect(road).to_contain_text("11 months in the flat (12 needed)")
    page.get_by_text("Mark a condition").click()
    page.get_by_label("Condition").select_option(label="The contact person's assessment")
    page.get_by_label("State").select_option(label="ready")
    page.get_by_label("From the day").fill("2027-12-20")
    _submit(page, "Mark")
    expect(road).to_contain_text("3 of 5")

    # A month later January is paid on time and she has lived a year in the flat: the
    # manager's start page says she is ready, and what is next.
    clock.set_clock(dt.date(2028, 1, 2))
    with live_server.app.app_context():
        _pay(tenancy, manager, [dt.date(2028, 1, 1)])
    boss = _another_browser(page, browser_context_args)
    browser_login(boss, live_server, manager)
    boss.goto(f"{base}/")
    ready = boss.locator("section", has_text="Ready to move on")
    expect(ready).to_contain_text("Sara Ek")
    expect(ready).to_contain_text("ask the landlord")

    # Without consent the landlord cannot be asked; the consent is recorded, then the request.
    boss.goto(resident)
    expect(boss.locator("#road")).to_contain_text("Record the resident's consent first")
    boss.get_by_label("The resident gave their consent on").fill("2028-01-02")
    boss.get_by_label("The resident agrees that the landlord").check()
    _submit(boss, "Record the consent")
    boss.get_by_label("The unit's recommendation, as the landlord will read it").fill(
        "Sara har betalat varje månad i tid och sköter lägenheten väl."
    )
    boss.get_by_label("Send the request with these facts to the landlord").check()
    _submit(boss, "Ask the landlord")
    expect(boss.locator("#road")).to_contain_text("waiting for the landlord's answer")

    # The landlord sees the request in the portal, with the facts, and says yes.
    portal = _another_browser(page, browser_context_args)
    browser_login(portal, live_server, owner)
    portal.goto(f"{base}/portal/")
    portal.get_by_role("link", name="Hässelby torg 95").last.click()
    expect(portal.locator("main")).to_contain_text("Sara Ek")
    expect(portal.locator("main")).to_contain_text("sköter lägenheten väl")
    portal.get_by_label("Yes, the resident may take over the lease").check()
    portal.get_by_label(re.compile("^The day")).first.fill("2028-01-15")
    _submit(portal, "Send the answer")
    expect(portal.locator("main")).to_contain_text("2028-01-15")

    # On the day, the manager records the lease handed over: the tenancy ends, the flat
    # leaves the stock and the portal shows it no more.
    clock.set_clock(dt.date(2028, 1, 15))
    browser_login(boss, live_server, manager)  # the session ended with the days that passed
    boss.goto(resident)
    boss.get_by_role("button", name="Record the lease handed over").click()
    boss.get_by_label("The unit's furniture and inventory in the flat").select_option(
        label="Sold to the resident"
    )
    boss.get_by_label("What, and for how much if sold").fill("Soffa och säng, 1 500 kr")
    boss.get_by_label("The resident has taken over the lease").check()
    _submit(boss, "Record the lease handed over")
    expect(boss.locator("main")).to_contain_text("Own lease by transfer")
    with live_server.app.app_context():
        ended = Tenancy.get_by_id(tenancy.id)
        assert (ended.end_date, ended.outcome) == (dt.date(2028, 1, 15), "own_lease_transfer")
        assert Flat.get_by_id(tenancy.flat_id).status == "transferred"
        assert LeaseRequest.get().inventory == "sold"
    boss.goto(f"{base}/")
    expect(boss.locator("section", has_text="Flats to replace")).to_contain_text("Hässelby torg 95")
    browser_login(portal, live_server, owner)
    portal.goto(f"{base}/portal/")
    expect(portal.locator("#units-heading + div")).not_to_contain_text("Hässelby torg 95")

    # The yearly report counts the move on by its path.
    boss.goto(f"{base}/reports/year?year=2028")
    expect(boss.locator("main")).to_contain_text("Own lease by transfer")
    boss.goto(f"{base}/reports/year/records?year=2028&figure=flats_transferred")
    expect(boss.locator("main")).to_contain_text("Hässelby torg 95")
    boss.goto(f"{base}/reports/year/records?year=2028&figure=flats_returned")
    expect(boss.locator("main")).not_to_contain_text("Hässelby torg 95")

"""A resident's page in a real browser: the history's older entries swap in place, and the
browser asks for the move-out's date, outcome and box before it sends anything."""

import datetime as dt
import re

import pytest
from conftest import browser_login
from helpers import add_resident
from playwright.sync_api import expect

from intranet import clock
from intranet.landlords.services import create_landlord
from intranet.models import Commissioner, CommissionerNotice, Tenancy

pytestmark = pytest.mark.browser


@pytest.fixture
def sara(live_server, make_live_user):
    """Sara with 30 notices to the commissioner behind her, and her contact person."""
    clock.set_clock(dt.datetime(2027, 3, 5, 9, 0))
    staff = make_live_user("staff", display_name="Johan Berg")
    landlord = create_landlord(None, name="Hus AB", stage="agreement_signed")
    commissioner = Commissioner.create(name="Socialtjänsten")
    tenancy = add_resident(landlord, commissioner, staff.id, "Sara")
    for n in range(30):
        CommissionerNotice.create(
            tenancy=tenancy,
            month=dt.date(2027, 1, 1),
            text=f"steg {n}",
            sent_on=dt.date(2027, 1, 1) + dt.timedelta(days=n),
            sent_by=staff.id,
        )
    return staff, tenancy


def test_the_older_entries_swap_in_place(page, live_server, sara):
    staff, tenancy = sara
    browser_login(page, live_server, staff)
    page.goto(f"{live_server.url}/residents/{tenancy.id}")
    history = page.locator("#history")
    expect(history).to_contain_text("steg 29")
    page.evaluate("window.notReloaded = true")
    history.locator("a[rel=next]").click()
    expect(page.locator("#history")).to_contain_text("steg 0")
    expect(page.locator("#history")).not_to_contain_text("steg 29")
    expect(page).to_have_url(re.compile(r"\?history=2$"))
    assert page.evaluate("window.notReloaded") is True


def test_the_browser_asks_for_the_box_before_a_move_out(page, live_server, sara):
    staff, tenancy = sara
    browser_login(page, live_server, staff)
    url = f"{live_server.url}/residents/{tenancy.id}"
    page.goto(url)
    form = page.locator('form[action$="/move-out"]')
    expect(form).to_be_hidden()  # closed until asked for
    page.locator("section[aria-labelledby='moveout-heading'] summary").click()
    send = form.locator("button[type=submit]")

    send.click()  # nothing chosen: the browser asks for the date first
    assert page.evaluate("document.getElementById('end_date').validity.valueMissing")
    page.locator("#end_date").fill("2027-03-05")
    send.click()
    assert page.evaluate("document.getElementById('outcome').validity.valueMissing")
    page.locator("#outcome").select_option("own_lease")
    send.click()
    assert page.evaluate("document.getElementById('confirmed').validity.valueMissing")
    expect(page).to_have_url(url)
    assert Tenancy.get_by_id(tenancy.id).end_date is None

    page.locator("#confirmed").check()
    send.click()
    expect(page.locator('form[action$="/move-out"]')).to_have_count(0)
    assert Tenancy.get_by_id(tenancy.id).end_date == dt.date(2027, 3, 5)

"""The yearly report's print view, printed to PDF on A4 in a real Chromium."""

import datetime as dt

import pytest
from conftest import browser_login
from helpers import add_flat, add_person
from playwright.sync_api import expect

from intranet import clock
from intranet.models import Commissioner, FlatStatusChange, Landlord, Tenancy

pytestmark = pytest.mark.browser
A4_WIDTH_PX = 794  # 210 mm at 96 dpi


@pytest.fixture
def a_year(live_server, make_live_user):
    clock.set_clock(dt.datetime(2029, 3, 1, 9, 0))
    manager = make_live_user("manager", display_name="Maria Chef")
    landlord = Landlord.create(name="Hus AB", stage="agreement_signed")
    commissioner = Commissioner.create(name="Socialtjänsten")
    for n in range(30):
        flat = add_flat(landlord, f"Långa gatan {n}", rent_to_landlord=7300)
        FlatStatusChange.create(
            flat=flat, to_status="ready", changed_at=dt.datetime(2027, 12, 1, 10, 0)
        )
        Tenancy.create(
            flat=flat,
            referral=add_person(commissioner, f"Person{n}", received_on=dt.date(2027, 11, 1)),
            contact_person=manager.id,
            start_date=dt.date(2028, 1 + n % 12, 1),
            end_date=dt.date(2028, 12, 31) if n % 3 == 0 else None,
            outcome="own_lease" if n % 3 == 0 else None,
            rent=5000,
        )
    return manager


def test_the_print_view_prints_cleanly_on_a4(page, live_server, a_year):
    browser_login(page, live_server, a_year)
    page.goto(f"{live_server.url}/reports/year/print?year=2028")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verksamhetsberättelse 2028")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Tillbaka till rapporten")).to_be_hidden()
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH_PX
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")
    assert 2_000 < len(pdf) < 2_000_000


def test_the_report_page_prints_without_the_menu(page, live_server, a_year):
    browser_login(page, live_server, a_year)
    page.goto(f"{live_server.url}/reports/year?year=2028")
    expect(page.locator("#section-residents")).to_contain_text("Boende under året")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#section-flats")).to_be_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_report_fits_the_screen(page, live_server, a_year, width):
    page.set_viewport_size({"width": width, "height": 800})
    browser_login(page, live_server, a_year)
    page.goto(f"{live_server.url}/reports/year?year=2028")
    expect(page.locator("#section-rent")).to_be_visible()
    page.wait_for_load_state("load")  # the style sheets, before the page is measured
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

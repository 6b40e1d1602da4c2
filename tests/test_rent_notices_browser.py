"""The rent notices printed to PDF in a real Chromium: one A4 page a resident."""

import datetime as dt
import re

import pytest
from conftest import browser_login
from helpers import add_resident, open_rent_month
from playwright.sync_api import expect

from intranet import clock
from intranet.models import Commissioner, Landlord

pytestmark = pytest.mark.browser
A4_WIDTH_PX = 794  # 210 mm at 96 dpi
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@pytest.fixture
def three_residents(live_server, make_live_user):
    clock.set_clock(dt.date(2027, 3, 5))
    staff = make_live_user("staff", display_name="Johan Berg")
    landlord = Landlord.create(name="Hus AB")
    commissioner = Commissioner.create(name="Socialtjänsten")
    for name in ("Sara", "Omar", "Lena"):
        add_resident(landlord, commissioner, staff, name, address=f"{name}vägen 1")
    with live_server.app.app_context():
        open_rent_month()
    return staff


def test_the_notices_of_three_residents_print_on_three_a4_pages(page, live_server, three_residents):
    browser_login(page, live_server, three_residents)
    page.goto(f"{live_server.url}/rent/notices?month=2027-03")
    expect(page.locator("article.letter")).to_have_count(3)
    page.emulate_media(media="print")
    expect(page.locator(".print-controls")).to_be_hidden()
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH_PX
    pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    assert len(PDF_PAGE.findall(pdf)) == 3

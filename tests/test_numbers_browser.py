"""Numbers in a real Chromium, whatever language the browser speaks: "25,5" in the new flat's
size and "4 850,50" in a rent stay what was typed, and a click anywhere in a number box puts
the caret there, with no spin arrow to catch it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from conftest import PASSWORD
from helpers import add_resident, open_rent_month
from playwright.sync_api import expect

from intranet import clock
from intranet.landlords.services import create_landlord
from intranet.models import Commissioner, Flat, Payment

pytestmark = pytest.mark.browser

# The browser's language and the language the staff member chose for the pages: a Swedish
# browser; an English one (the pages follow it); an English one with the pages in Swedish,
# as a new user of the issue had it.
BROWSERS = [("sv-SE", None), ("en-US", None), ("en-US", "sv")]


@pytest.fixture
def world(live_server, make_live_user):
    clock.set_clock(dt.datetime(2027, 3, 5, 9, 0))
    landlord = create_landlord(None, name="Hus AB", stage="agreement_signed")
    commissioner = Commissioner.create(name="Socialtjänsten")

    def make(language):
        staff = make_live_user("staff", display_name="Johan Berg", language=language)
        add_resident(landlord, commissioner, staff.id, "Sara")
        open_rent_month()
        return staff, landlord

    return make


@pytest.fixture
def browser_page(browser):
    """A page in a browser of the language asked for."""
    contexts = []

    def open_page(locale):
        context = browser.new_context(locale=locale, timezone_id="Europe/Stockholm")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _log_in(page, live_server, user):
    """Log in by the form's fields, whichever language the page is in."""
    page.goto(f"{live_server.url}/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def _type_into(page, box, text):
    """Click the middle of ``box`` as a person would, and type ``text`` key by key."""
    box.click()
    page.keyboard.type(text)


def _no_spin_arrows(box, inputmode="decimal"):
    assert box.get_attribute("type") == "text"
    assert box.get_attribute("inputmode") == inputmode
    assert box.get_attribute("autocomplete") == "off"


@pytest.mark.parametrize(("locale", "language"), BROWSERS)
def test_numbers_typed_the_swedish_way_are_stored_as_typed(
    browser_page, live_server, world, locale, language
):
    staff, landlord = world(language)
    page = browser_page(locale)
    assert page.evaluate("navigator.language") == locale
    _log_in(page, live_server, staff)

    # The new flat: its size and its rent.
    page.goto(f"{live_server.url}/flats/new")
    page.locator("#landlord").select_option(str(landlord.id))
    page.locator("#address").fill("Rinkebysvängen 12")
    page.locator("#postcode").fill("163 71")
    if page.locator("#postal_town").count():
        page.locator("#postal_town").fill("Spånga")
    page.locator("#district").fill("Rinkeby")
    size = page.locator("#size_m2")
    _no_spin_arrows(size)
    _type_into(page, size, "25,5")
    expect(size).to_have_value("25,5")
    rooms = page.locator("#rooms")
    _no_spin_arrows(rooms, "numeric")
    # Where a number box has its spin arrows, at the right-hand end: the caret, not a 1.
    box = rooms.bounding_box()
    rooms.click(position={"x": box["width"] - 6, "y": box["height"] / 2})
    page.keyboard.type("2")
    expect(rooms).to_have_value("2")
    _type_into(page, page.locator("#floor"), "\u22121")
    rent = page.locator("#rent_to_landlord")
    _no_spin_arrows(rent)
    _type_into(page, rent, "4 850,50")
    expect(rent).to_have_value("4 850,50")
    _type_into(page, page.locator("#rent_to_resident"), "4850.50 kr")
    page.locator("form[action$='/flats/new'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/flats/\d+$"))
    flat = Flat.get(Flat.address == "Rinkebysvängen 12")
    assert flat.size_m2 == Decimal("25.5") and flat.rooms == 2 and flat.floor == -1
    assert flat.rent_to_landlord == flat.rent_to_resident == Decimal("4850.50")

    # A payment of rent on the board.
    page.goto(f"{live_server.url}/rent/")
    row = page.locator("tr", has_text="Sara")
    row.locator("details.in-row-end > summary").click()  # the form comes from the server
    amount = row.locator("input[name=amount]")
    assert amount.get_attribute("inputmode") == "decimal"
    assert amount.get_attribute("type") in (None, "text")
    amount.fill("")
    _type_into(page, amount, "4 850,50")
    expect(amount).to_have_value("4 850,50")
    with page.expect_response(lambda answer: answer.request.method == "POST") as sent:
        row.locator("form.pay-form button[type=submit]").click()
    assert sent.value.status == 200
    assert [payment.amount for payment in Payment.select()] == [Decimal("4850.50")]


@pytest.mark.parametrize(("locale", "language"), BROWSERS[1:2])
def test_an_ambiguous_number_is_refused_beside_the_field(
    browser_page, live_server, world, locale, language
):
    staff, landlord = world(language)
    page = browser_page(locale)
    _log_in(page, live_server, staff)
    page.goto(f"{live_server.url}/flats/new")
    page.locator("#landlord").select_option(str(landlord.id))
    page.locator("#address").fill("Rinkebysvängen 12")
    page.locator("#postcode").fill("163 71")
    if page.locator("#postal_town").count():
        page.locator("#postal_town").fill("Spånga")
    page.locator("#district").fill("Rinkeby")
    page.locator("#rooms").fill("2")
    page.locator("#size_m2").fill("54.500")
    page.locator("#floor").fill("0")
    page.locator("#rent_to_landlord").fill("4850")
    page.locator("#rent_to_resident").fill("4850")
    page.locator("form[action$='/flats/new'] button[type=submit]").click()
    expect(page.locator("#size_m2-error")).to_have_text(
        "“54.500” can be read two ways. Write 54500 or 54,5."
    )
    expect(page.locator("#size_m2")).to_have_value("54.500")
    expect(page.locator("#size_m2")).to_have_attribute("aria-invalid", "true")
    assert Flat.select().count() == 1  # Sara's flat only

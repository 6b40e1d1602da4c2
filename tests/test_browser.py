"""What only a real browser shows: Debian's Chromium, headless, through Playwright."""

import re
from types import SimpleNamespace

import pytest
from conftest import PASSWORD, browser_login
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_user(make_live_user):
    return make_live_user("staff", email="johan@example.org", display_name="Johan Berg")


@pytest.fixture
def console_errors(page):
    """Console errors, CSP violations among them, collected while the test runs."""
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    return errors


def _log_in(page, live_server, email, password=PASSWORD):
    browser_login(page, live_server, SimpleNamespace(email=email), password)


def test_log_in_see_swedish_switch_to_english_log_out(
    page, live_server, staff_user, console_errors
):
    _log_in(page, live_server, staff_user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Johan Berg")
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Johan Berg")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("summary", has_text="Johan Berg").click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    assert console_errors == []


def test_wrong_password_shows_the_message_in_place(page, live_server, staff_user):
    _log_in(page, live_server, staff_user.email, "not the password")
    expect(page.get_by_role("alert")).to_have_text("Fel e-postadress eller lösenord.")
    expect(page.get_by_label("E-post")).to_have_value(staff_user.email)


def test_htmx_loads_under_the_strict_csp(page, live_server, staff_user, console_errors):
    _log_in(page, live_server, staff_user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Johan Berg")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.historyCacheSize") == 0
    assert console_errors == []


def test_keyboard_alone_logs_in_and_focus_is_visible(page, live_server, staff_user):
    page.goto(f"{live_server.url}/login")
    # The email field has focus on arrival; typing and Tab are enough.
    expect(page.get_by_label("E-post")).to_be_focused()
    page.keyboard.type(staff_user.email)
    expect(page.get_by_label("E-post")).to_have_value(staff_user.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.type(PASSWORD)
    expect(page.get_by_label("Lösenord")).to_have_value(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Johan Berg")
    # On a page without autofocus, the first Tab reaches the skip link, and it shows.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hoppa till innehållet"
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_in_viewport()


def test_the_start_page_fits_a_phone(page, live_server, staff_user):
    page.set_viewport_size({"width": 375, "height": 740})
    _log_in(page, live_server, staff_user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Johan Berg")
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375

"""Setting up the second factor and logging in with it, in a real browser."""

import datetime as dt
import re

import pyotp
import pytest
from conftest import PASSWORD
from playwright.sync_api import expect

from intranet import clock
from intranet.auth import enrolment

pytestmark = pytest.mark.browser


def test_set_up_from_the_key_on_the_page_log_out_and_log_in_with_a_code(
    page, live_server, make_live_user
):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    clock.set_clock(dt.datetime(2027, 3, 5, 9, 0, 5))
    maria = make_live_user(
        "manager", email="maria@example.org", display_name="Maria Chef", totp_secret=None
    )
    with live_server.app.app_context():
        code, _expires = enrolment.new_code(None, maria.id)

    def log_in():
        page.goto(f"{live_server.url}/login")
        page.get_by_label("E-post").fill("maria@example.org")
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()

    # A manager without a second factor gives the enrolment code from the administrator,
    # then sets one up.
    log_in()
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    expect(page.locator(".qr-code")).to_have_count(0)
    page.locator("#enrolment_code").fill(code)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/two-factor/set-up$"))
    expect(page.get_by_role("img", name="QR-kod för autentiseringsappen")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Kod från appen").fill(pyotp.TOTP(secret).at(clock.aware(clock.now())))
    page.get_by_role("button", name="Bekräfta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dina reservkoder")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="Jag har sparat dem, fortsätt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Maria Chef")
    page.locator("summary", has_text="Maria Chef").click()
    page.get_by_role("button", name="Logga ut").click()

    # Half a minute later the app shows the next code.
    clock.set_clock(dt.datetime(2027, 3, 5, 9, 0, 35))
    log_in()
    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.get_by_label("Kod").fill(pyotp.TOTP(secret).at(clock.aware(clock.now())))
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Maria Chef")
    assert errors == []

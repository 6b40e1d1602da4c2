"""In a real browser: deactivating an account asks for the ticked box before anything is
sent, and a locked account is unlocked from the list of users."""

import datetime as dt
import re

import pytest
from conftest import browser_login
from playwright.sync_api import expect

from intranet import clock
from intranet.models import LoginThrottle, User

pytestmark = pytest.mark.browser


def test_deactivating_asks_for_the_box_then_deactivates(page, live_server, make_live_user):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    admin = make_live_user("admin", email="alva@example.org", display_name="Alva Admin")
    johan = make_live_user("caretaker", email="johan@example.org", display_name="Johan Berg")
    browser_login(page, live_server, admin)
    page.goto(f"{live_server.url}/admin/users")
    page.locator(f'form[action="/admin/users/{johan.id}/deactivate"] button').click()
    expect(page).to_have_url(re.compile(rf"/admin/users/{johan.id}/deactivate\??$"))

    # Not ticked: the browser keeps the form and sends nothing.
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#confirmed:invalid")).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"/admin/users/{johan.id}/deactivate\??$"))
    with live_server.app.app_context():
        assert User.get_by_id(johan.id).active

    page.locator("#confirmed").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    with live_server.app.app_context():
        assert not User.get_by_id(johan.id).active
    assert errors == []


def test_an_administrator_unlocks_from_the_list(page, live_server, make_live_user):
    admin = make_live_user("admin", email="alva@example.org", display_name="Alva Admin")
    johan = make_live_user("caretaker", email="johan@example.org", display_name="Johan Berg")
    browser_login(page, live_server, admin)
    with live_server.app.app_context():
        moment = clock.now()
        LoginThrottle.create(
            key=LoginThrottle.account_key(johan.email),
            failures=50,
            window_started_at=moment,
            locked_until=moment + dt.timedelta(minutes=15),
        )
    page.goto(f"{live_server.url}/admin/users")
    unlock = page.locator(f'form[action="/admin/users/{johan.id}/unlock"] button')
    unlock.click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(unlock).to_have_count(0)
    with live_server.app.app_context():
        assert not LoginThrottle.of_accounts([johan.email]).exists()

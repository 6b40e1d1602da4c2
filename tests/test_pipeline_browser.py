"""The pipeline in a real browser: moving cards and logging activities without a reload."""

import re

import pytest
from conftest import browser_login
from helpers import tab_to
from playwright.sync_api import expect

from intranet import clock
from intranet.landlords.services import create_landlord
from intranet.models import Landlord

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(make_live_user):
    return make_live_user("manager", display_name="Maria Lindqvist")


def _log_in(page, live_server, user):
    browser_login(page, live_server, user)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Välkommen")


def test_moving_a_card_updates_columns_and_counts_without_a_reload(page, live_server, manager):
    landlord = create_landlord(manager, name="Hembla AB", stage="contacted", expected_flats=4)
    create_landlord(manager, name="Rikshem", stage="contacted", expected_flats=2)
    _log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/landlords/pipeline")
    page.evaluate("window.notReloaded = true")
    contacted = page.locator("#column-head-contacted")
    meeting = page.locator("#column-head-meeting_booked")
    expect(contacted).to_contain_text("2 hyresvärdar")
    expect(contacted).to_contain_text("6 lägenheter väntas")

    card = page.locator(f"#landlord-{landlord.id}")
    card.get_by_label("Flytta till").select_option("meeting_booked")
    card.get_by_role("button", name="Flytta").click()

    expect(page.locator(f"#cards-meeting_booked #landlord-{landlord.id}")).to_be_visible()
    expect(page.locator(f"#cards-contacted #landlord-{landlord.id}")).to_have_count(0)
    expect(meeting).to_contain_text("1 hyresvärd")
    expect(meeting).to_contain_text("4 lägenheter väntas")
    expect(contacted).to_contain_text("1 hyresvärd")
    expect(contacted).to_contain_text("2 lägenheter väntas")
    assert page.evaluate("window.notReloaded") is True
    # The moved card's link has focus, so a keyboard user carries on from it.
    expect(page.locator(f"#landlord-{landlord.id} h3 a")).to_be_focused()
    expect(page.locator(f"#landlord-{landlord.id} h3 a")).to_have_text("Hembla AB")
    assert Landlord.get_by_id(landlord.id).stage == "meeting_booked"


def test_a_card_moves_by_keyboard_alone(page, live_server, manager):
    landlord = create_landlord(manager, name="Hembla AB", stage="contacted", expected_flats=4)
    _log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/landlords/pipeline")
    page.bring_to_front()
    select = page.locator(f"#to-stage-{landlord.id}")
    tab_to(page, f"to-stage-{landlord.id}")
    expect(select).to_be_focused()
    # No move is chosen for the person; the arrow key picks the next stage, the first offered.
    expect(select).to_have_value("")
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("meeting_booked")
    page.keyboard.press("Tab")
    expect(page.locator(f"#landlord-{landlord.id}").get_by_role("button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#cards-meeting_booked #landlord-{landlord.id}")).to_be_visible()
    assert Landlord.get_by_id(landlord.id).stage == "meeting_booked"


def test_logging_an_activity_shows_it_in_the_timeline_without_a_reload(page, live_server, manager):
    landlord = create_landlord(
        manager, name="Hembla AB", stage="contacted", next_follow_up=clock.today()
    )
    _log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/landlords/{landlord.id}")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Typ av aktivitet").select_option("meeting")
    page.get_by_label("Sammanfattning").fill("Möte med förvaltaren om två lägenheter")
    page.get_by_label("Nästa steg", exact=True).fill("Skicka avtalsförslag")
    page.get_by_label("Datum för nästa steg").fill("2099-01-01")
    page.get_by_role("button", name="Logga aktivitet").click()
    expect(page.get_by_text("Ett uppföljningsdatum måste ligga inom två år.")).to_be_visible()
    page.get_by_label("Datum för nästa steg").fill(_in_a_week())
    page.get_by_role("button", name="Logga aktivitet").click()
    timeline = page.get_by_role("list", name="Aktiviteter i tidsordning")
    expect(timeline).to_contain_text("Möte med förvaltaren om två lägenheter")
    expect(page.locator("#next-follow-up")).to_have_text(re.compile(_in_a_week()))
    # The stage card shows the new follow-up too, not the one before.
    card = page.locator(f"#stage #landlord-{landlord.id}")
    expect(card).to_contain_text(_in_a_week())
    expect(card).not_to_contain_text(clock.today().isoformat())
    assert page.evaluate("window.notReloaded") is True


def test_a_filtered_board_lives_in_the_url_and_the_back_button_works(page, live_server, manager):
    create_landlord(manager, name="Hembla AB", stage="contacted")
    create_landlord(manager, name="Rikshem", stage="contacted")
    _log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/landlords/pipeline")
    page.get_by_label("Sök på namn").fill("riks")
    expect(page).to_have_url(re.compile(r"q=riks"))
    expect(page.locator("#board")).not_to_contain_text("Hembla AB")
    page.go_back()
    expect(page.locator("#board")).to_contain_text("Hembla AB")


def _in_a_week():
    import datetime as dt

    return (clock.today() + dt.timedelta(days=7)).isoformat()

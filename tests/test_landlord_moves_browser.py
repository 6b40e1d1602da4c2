"""Moving a landlord on its own page and on the board in a real browser: a move needs a
choice, a move back asks for a reason and a tick, and every part that shows the change is
updated in place, without a console error. Read in English."""

import pytest
from conftest import browser_login
from playwright.sync_api import expect

from intranet.landlords.services import create_landlord, stage_history
from intranet.models import Landlord

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(make_live_user):
    return make_live_user("manager", display_name="Maria Lindqvist", language="en")


# Chromium reports each 4xx answer in the console; a 422 is the answer a refused form is
# meant to get (its message beside the field), so it is counted apart from the errors.
REFUSED = "the server responded with a status of 422"


@pytest.fixture
def console_errors(page):
    """The console's errors while the test runs (htmx's, the page's, CSP violations), apart
    from the note of each 422 answer, kept in ``console_errors.refused``."""
    errors = ConsoleErrors()

    def note(message):
        if message.type == "error":
            (errors.refused if REFUSED in message.text else errors).append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


class ConsoleErrors(list):
    def __init__(self):
        super().__init__()
        self.refused = []


def _open(page, live_server, user, path):
    browser_login(page, live_server, user)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    page.goto(f"{live_server.url}{path}")
    page.evaluate("window.notReloaded = true")


def test_moving_without_choosing_says_so_and_keeps_the_section(
    page, live_server, manager, console_errors
):
    landlord = create_landlord(manager, name="Hembla AB", stage="agreement_signed")
    _open(page, live_server, manager, f"/landlords/{landlord.id}")
    section = page.locator("#stage")
    section.get_by_role("button", name="Move").click()
    expect(section).to_contain_text("Choose the stage to move the landlord to.")
    expect(section.get_by_label("Move to")).to_have_attribute("aria-invalid", "true")
    # The section is still there, whole, and the landlord has not moved.
    expect(section.get_by_role("heading", name="Stage")).to_be_visible()
    expect(section.locator(f"#landlord-{landlord.id} h3")).to_have_text("Hembla AB")
    expect(page.locator("#current-stage")).to_contain_text("Agreement signed")
    assert page.evaluate("window.notReloaded") is True
    assert Landlord.get_by_id(landlord.id).stage == "agreement_signed"
    assert console_errors == []
    assert len(console_errors.refused) == 1


def test_a_move_back_asks_why_and_for_a_tick_then_shows_it_everywhere(
    page, live_server, manager, console_errors
):
    landlord = create_landlord(manager, name="Hembla AB", stage="agreement_signed")
    _open(page, live_server, manager, f"/landlords/{landlord.id}")
    section = page.locator("#stage")
    section.get_by_label("Move to").select_option("identified")
    section.get_by_role("button", name="Move").click()
    reason = section.get_by_label("Why is the landlord moved back?")
    tick = section.get_by_label("Yes, move the landlord back")
    expect(reason).to_be_visible()
    expect(section).to_contain_text(
        "This moves Hembla AB back from Agreement signed to Identified."
    )
    # The browser asks for the reason and the tick before it sends anything.
    reason.fill("Avtalet sades upp")
    section.get_by_role("button", name="Move").click()
    assert tick.evaluate("box => !box.checkValidity()")
    assert Landlord.get_by_id(landlord.id).stage == "agreement_signed"
    tick.check()
    section.get_by_role("button", name="Move").click()
    expect(page.locator("#current-stage")).to_contain_text("Identified")
    expect(page.locator("#history")).to_contain_text("Avtalet sades upp")
    expect(page.locator("#messages")).to_contain_text("Hembla AB moved to Identified.")
    # The card offers the moves from its new stage, none chosen.
    expect(section.get_by_label("Move to")).to_have_value("")
    expect(section.get_by_label("Why is the landlord moved back?")).to_have_count(0)
    # Identified takes no flats: the flats section no longer offers to register one.
    expect(page.locator("#flats")).not_to_contain_text("Register an offered flat")
    assert page.evaluate("window.notReloaded") is True
    assert [c.reason for c in stage_history(landlord.id)] == ["", "Avtalet sades upp"]
    assert console_errors == []


def test_a_card_on_the_board_moved_without_a_choice_stays_in_its_column(
    page, live_server, manager, console_errors
):
    landlord = create_landlord(manager, name="Hembla AB", stage="contacted")
    _open(page, live_server, manager, "/landlords/pipeline")
    card = page.locator(f"#cards-contacted #landlord-{landlord.id}")
    card.get_by_role("button", name="Move").click()
    expect(card).to_contain_text("Choose the stage to move the landlord to.")
    expect(page.locator("#column-head-contacted")).to_contain_text("1 landlord")
    assert page.evaluate("window.notReloaded") is True
    assert console_errors == []


def test_a_move_back_on_the_board_asks_then_moves_the_card(
    page, live_server, manager, console_errors
):
    landlord = create_landlord(manager, name="Hembla AB", stage="negotiating")
    _open(page, live_server, manager, "/landlords/pipeline")
    card = page.locator(f"#landlord-{landlord.id}")
    card.get_by_label("Move to").select_option("contacted")
    card.get_by_role("button", name="Move").click()
    card.get_by_label("Why is the landlord moved back?").fill("Ny förvaltare")
    card.get_by_label("Yes, move the landlord back").check()
    card.get_by_role("button", name="Move").click()
    expect(page.locator(f"#cards-contacted #landlord-{landlord.id}")).to_be_visible()
    expect(page.locator(f"#cards-negotiating #landlord-{landlord.id}")).to_have_count(0)
    expect(page.locator("#column-head-negotiating")).to_contain_text("0 landlords")
    expect(page.locator("#messages")).to_contain_text("Hembla AB moved to Contacted.")
    assert page.evaluate("window.notReloaded") is True
    assert console_errors == []

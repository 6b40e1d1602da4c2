"""After an in-place action every part of the page that shows what changed comes back.

The addresses that answer an htmx POST are read from the URL map and the templates that
post to them; each must be named in ``ANSWERS`` with the tests that check the parts its
answer replaces, so a new one without such a test fails here. The rent board's answers are
checked in this file."""

import re
from pathlib import Path

import pytest
from conftest import csrf_token
from helpers import open_rent_month

from intranet.models import Checkpoint, Payment, RentCharge

HX = {"HX-Request": "true"}
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Each htmx POST address, with the tests ("file::function") that check what its answer
# replaces: the part acted on and every other part that shows the change.
ANSWERS = {
    "rent.pay": ["test_htmx_answers.py::test_a_payment_sends_its_row_and_the_counts"],
    "rent.reverse": ["test_htmx_answers.py::test_a_reversal_sends_its_row_and_the_counts"],
    "rent.checkpoint": ["test_htmx_answers.py::test_a_checkpoint_sends_its_row_and_the_counts"],
    "flats.checklist": [
        "test_flats.py::test_the_caretaker_completes_the_checklist_and_the_flat_becomes_ready",
        "test_flats.py::test_the_managers_status_form_follows_an_in_place_checklist_save",
    ],
    "flats.move_out_checklist": [
        "test_move_out_checklist_pages.py::test_saving_keeps_the_flat_waiting_and_says_which_keys_are_missing",
        "test_move_out_checklist_pages.py::test_finishing_with_bedding_missing_sends_the_flat_to_equipping",
    ],
    "landlords.log_activity": [
        "test_landlord_moves.py::test_logging_an_activity_sends_the_follow_up_and_the_stage_card_again",
        "test_landlord_moves.py::test_a_refused_activity_sends_its_form_only",
    ],
    "landlords.add_contact": [
        "test_landlord_moves.py::test_adding_a_contact_sends_the_contacts_and_the_message"
    ],
    "landlords.move": [
        "test_landlord_moves.py::test_a_move_on_the_board_sends_the_card_the_counts_and_the_message",
        "test_landlord_moves.py::test_a_move_back_with_tick_and_reason_moves_and_the_page_shows_why",
    ],
}


def htmx_post_endpoints(app) -> set[str]:
    """The POST endpoints of the URL map that a template posts to through htmx: named in an
    ``hx-post`` directly, or through a variable the template sets from ``url_for``."""
    posted = set()
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        posted.update(re.findall(r"hx-post=\"\{\{\s*url_for\('([\w.]+)'", text))
        for variable in re.findall(r"hx-post=\"\{\{\s*(\w+)\s*\}\}\"", text):
            posted.update(
                re.findall(r"\{%-?\s*set\s+" + variable + r"\s*=\s*url_for\('([\w.]+)'", text)
            )
    methods = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    return posted & methods


def test_every_htmx_post_has_a_test_of_the_parts_its_answer_replaces(app):
    found = htmx_post_endpoints(app)
    assert found >= {"rent.pay", "rent.checkpoint", "landlords.move"}  # the scan works
    missing = found - set(ANSWERS)
    assert not missing, f"name the tests of what these answers replace: {sorted(missing)}"
    assert not set(ANSWERS) - found, "ANSWERS names an address no template posts to"
    here = Path(__file__).resolve().parent
    for endpoint, tests in ANSWERS.items():
        for name in tests:
            file_name, function = name.split("::")
            source = (here / file_name).read_text(encoding="utf-8")
            assert f"def {function}(" in source, (endpoint, name)


def _row_and_counts(response, charge_id) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<tr id="rent-row-{charge_id}"' in body
    counts = re.search(r'<section id="rent-counts"[^>]*>', body)
    assert counts is not None and 'hx-swap-oob="true"' in counts.group(0)
    return body


@pytest.fixture
def month(rent_client, rent_world):
    rent_world[1]("Sara")
    open_rent_month()
    return RentCharge.get()


def test_a_payment_sends_its_row_and_the_counts(rent_client, month):
    token = csrf_token(rent_client, "/rent/")
    response = rent_client.post(
        f"/rent/charges/{month.id}/payments",
        data={
            "csrf_token": token,
            "paid_on": "2027-03-05",
            "amount": "6200",
            "method": "swish",
            "request_key": "answers-1",
        },
        headers=HX,
    )
    body = _row_and_counts(response, month.id)
    assert "rent-badge-paid_late" in body or "rent-badge-paid_on_time" in body
    # The counts say what the money did, in their live region.
    assert 'class="receipt"' in body.split('id="rent-counts"')[1]


def test_a_reversal_sends_its_row_and_the_counts(rent_client, month, rent_world):
    from intranet.rent import services

    services.register_payment(month.id, rent_world[0], month.due_on, 6200, "swish", "k")
    payment = Payment.get()
    token = csrf_token(rent_client, "/rent/")
    response = rent_client.post(
        f"/rent/payments/{payment.id}/reverse",
        data={"csrf_token": token, "reason": "Fel rad", "confirmed": "y", "row": month.id},
        headers=HX,
    )
    body = _row_and_counts(response, month.id)
    assert Payment.get().reversed_at is not None
    assert "rent-badge-paid" not in body


def test_a_checkpoint_sends_its_row_and_the_counts(rent_client, month):
    token = csrf_token(rent_client, "/rent/")
    response = rent_client.post(
        f"/rent/charges/{month.id}/checkpoints/home_visit",
        data={"csrf_token": token, "note": "Sjukskriven", "plan": "Betalar den 10:e"},
        headers=HX,
    )
    body = _row_and_counts(response, month.id)
    assert Checkpoint.get().kind == "home_visit"
    assert "checkpoint-done" in body


def test_templates_ask_may_not_role_names():
    """Who may do what is the view's declaration, read through ``may("endpoint")``; a
    template that tests a role's name keeps a second list that can drift from it."""
    testing = re.compile(r"current_user\.role\s*(==|!=|in|not in)\b")
    found = [
        f"{template.relative_to(TEMPLATES)}:{number}"
        for template in TEMPLATES.rglob("*.html")
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1)
        if testing.search(line)
    ]
    assert not found, found

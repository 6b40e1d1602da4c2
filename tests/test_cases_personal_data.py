"""Text the unit's people write into a landlord's case is read by the landlord: the form
says so, text that seems to hold a resident's personal identity number or name is sent
only when the writer confirms it, and the caretaker opens the cases their list shows."""

import datetime as dt

import pytest
from conftest import login, post_form
from helpers import add_person

from intranet import clock
from intranet.models import Case, CaseReply, Commissioner, Flat, Role
from intranet.portal import services

TODAY = dt.date(2026, 11, 23)
NUMBER = "19850312-2387"


@pytest.fixture
def world(app, make_user, make_pipeline_landlord):
    clock.set_clock(TODAY)
    staff = make_user(Role.STAFF, display_name="Johan Berg")
    caretaker = make_user(Role.CARETAKER, display_name="Vera Vaktmästare")
    landlord = make_pipeline_landlord("agreement_signed", name="Hyresvärd AB", owner=staff.id)
    flat = Flat.create(
        landlord=landlord,
        address="Gatan 1",
        postcode="12345",
        district="Farsta",
        rooms=2,
        size_m2=50,
        floor=1,
        rent_to_landlord=8000,
        rent_to_resident=8000,
        status="ready",
        ready_since=TODAY,
        lease_start=dt.date(2026, 1, 1),
        lease_end=TODAY + dt.timedelta(days=90),
    )
    landlord_user = make_user(Role.LANDLORD, landlord=landlord, email="l@landlord.example")
    add_person(Commissioner.create(name="Soc"), "Sara")
    fault = services.open_case(landlord_user, flat, "fault", "Droppande kran")
    contract = services.open_case(landlord_user, flat, "contract", "Om avtalet")
    return {
        "staff": staff,
        "caretaker": caretaker,
        "landlord": landlord_user,
        "flat": flat,
        "fault": fault,
        "contract": contract,
    }


def test_a_personal_identity_number_or_a_residents_name_is_found(world):
    assert services.personal_data_in(f"Hon heter något, pnr {NUMBER}.") == [NUMBER]
    assert services.personal_data_in("8503122387 ringer") == ["8503122387"]
    assert services.personal_data_in("Order 8503122388 och 2026-11-23") == []
    assert services.personal_data_in("Ek, Sara ringde om nyckeln") == ["Sara Ek"]


def test_the_staff_form_says_the_landlord_reads_it(client, world):
    login(client, world["staff"])
    page = client.get(f"/cases/{world['fault'].id}").get_data(as_text=True)
    assert "Hyresvärden läser det du skriver här" in page
    page = client.get(f"/flats/{world['flat'].id}/cases/new").get_data(as_text=True)
    assert "Hyresvärden läser det du skriver här" in page


@pytest.mark.parametrize("text", [f"Boende {NUMBER} flyttar", "Sara Ek har flyttat"])
def test_a_reply_with_personal_data_is_sent_only_when_confirmed(client, world, text):
    login(client, world["staff"])
    url = f"/cases/{world['fault'].id}"
    refused = post_form(client, f"{url}/reply", {"text": text}, url)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "verkar innehålla personuppgifter" in page and "Skicka ändå" in page
    assert CaseReply.select().count() == 0
    sent = post_form(client, f"{url}/reply", {"text": text, "send_anyway": "y"}, url)
    assert sent.status_code == 303
    assert CaseReply.get().text == text


def test_a_new_case_with_personal_data_is_opened_only_when_confirmed(client, world):
    login(client, world["staff"])
    url = f"/flats/{world['flat'].id}/cases/new"
    data = {"kind": "other", "text": f"Om {NUMBER}"}
    assert post_form(client, url, data, url).status_code == 422
    assert Case.select().count() == 2
    assert post_form(client, url, {**data, "send_anyway": "y"}, url).status_code == 303
    assert Case.select().count() == 3


def test_the_landlords_own_text_is_not_held_back(world):
    services.reply(world["landlord"], world["fault"].id, f"Hyresgästen {NUMBER}")
    assert CaseReply.select().count() == 1


def test_the_caretaker_opens_the_fault_reports_their_list_shows(client, world):
    login(client, world["caretaker"])
    fault, contract = world["fault"].id, world["contract"].id
    assert client.get(f"/cases/{fault}").status_code == 200
    assert client.get(f"/cases/{contract}").status_code == 404
    reply = post_form(client, f"/cases/{contract}/reply", {"text": "Hej"}, f"/cases/{fault}")
    assert reply.status_code == 404
    close = post_form(client, f"/cases/{contract}/close", {"confirmed": "y"}, f"/cases/{fault}")
    assert close.status_code == 404 and Case.get_by_id(contract).status == "open"

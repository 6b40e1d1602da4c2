"""The move-out checklist through the test client, in English: the flat's page shows it to
those who keep it, bad input comes back 422 with the error beside its field, finishing moves
the flat on, and the caretaker's start page lists the flats awaiting it."""

import datetime as dt
import re

import pytest
from conftest import csrf_token, login

from intranet import clock
from intranet.database import write_transaction
from intranet.flats import services
from intranet.models import Flat, FlatStatusChange, MoveOutChecklist, Role

TODAY = dt.date(2027, 3, 10)
HX = {"HX-Request": "true"}
EQUIPPED = {
    "has_furniture": True,
    "has_kitchenware": True,
    "has_bedding": True,
    "keys_handed_over": True,
    "key_count": 3,
    "inspection_done": True,
}
DONE = {"keys_returned": "y", "key_count": "3", "inspection_done": "y", "cleaned": "y"}


@pytest.fixture
def make_flat(make_pipeline_landlord):
    clock.set_clock(dt.datetime(2027, 3, 10, 9, 30))
    landlord = make_pipeline_landlord("agreement_signed")

    def make(address="Storgatan 1", status="ready", **fields):
        values = {
            "landlord": landlord,
            "address": address,
            "postcode": "12345",
            "district": "Farsta",
            "rooms": 2,
            "size_m2": 50,
            "floor": 2,
            "rent_to_landlord": 7300,
            "rent_to_resident": 7400,
            "status": status,
            **EQUIPPED,
            **fields,
        }
        return Flat.create(**values)

    return make


@pytest.fixture
def moved_out(app, make_flat, make_user):
    """A fully equipped flat whose resident moved out: it waits for its checklist."""

    def make(address="Storgatan 1", **fields):
        flat = make_flat(address, **fields)
        with app.test_request_context(headers={"Accept-Language": "en"}), write_transaction():
            services.start_move_out(flat.id, make_user("staff"), "move-out inspection")
        return Flat.get_by_id(flat.id)

    return make


def _as(client, make_user, role):
    user = make_user(role, language="en")
    login(client, user)
    return user


def _send(client, flat, headers=None, **fields):
    token = csrf_token(client, f"/flats/{flat.id}")
    data = {"csrf_token": token, "revision": Flat.get_by_id(flat.id).revision, **fields}
    return client.post(f"/flats/{flat.id}/move-out", data=data, headers=headers or {})


def _error_beside(body: str, field: str) -> str:
    """The error the page shows right after the field ``field``."""
    found = re.search(rf'<small id="{field}-error" class="field-error">([^<]*)</small>', body)
    return found.group(1) if found else ""


def _unchanged(flat):
    after = Flat.get_by_id(flat.id)
    checklist = MoveOutChecklist.get(MoveOutChecklist.flat == flat.id)
    return (
        after.status == "moved_out"
        and after.revision == flat.revision
        and checklist.finished_at is None
        and not (checklist.keys_returned or checklist.inspection_done or checklist.cleaned)
        and checklist.key_count is None
        and checklist.damage == ""
    )


# ---- the flat's page -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CARETAKER, Role.MANAGER])
def test_those_who_keep_the_flats_see_the_checklist_form(client, make_user, moved_out, role):
    _as(client, make_user, role)
    flat = moved_out()
    page = client.get(f"/flats/{flat.id}").get_data(as_text=True)
    assert 'class="flat-status flat-status-moved_out">Move-out inspection<' in page
    assert f'action="/flats/{flat.id}/move-out"' in page
    assert "Keys the flat had: 3." in page
    assert 'name="missing_bedding"' in page
    assert "Finish the move-out checklist" in page
    # The equipment stays ticked, and the history says why the flat waits.
    assert "Furniture: not done" not in page
    assert "move-out inspection</td>" in page


def test_staff_see_the_checklist_but_cannot_fill_it_in(client, make_user, moved_out):
    _as(client, make_user, Role.STAFF)
    flat = moved_out()
    page = client.get(f"/flats/{flat.id}").get_data(as_text=True)
    assert "Move-out checklist" in page
    assert "Keys returned: not done" in page
    assert f'action="/flats/{flat.id}/move-out"' not in page


@pytest.mark.parametrize("role", [Role.STAFF, Role.LANDLORD, Role.ADMIN])
def test_others_may_not_send_the_checklist(client, make_user, moved_out, role):
    _as(client, make_user, role)
    flat = moved_out()
    token = csrf_token(client, "/account/password")
    data = {"csrf_token": token, "revision": flat.revision, "finish": "y", **DONE}
    assert client.post(f"/flats/{flat.id}/move-out", data=data).status_code == 403
    assert _unchanged(flat)


def test_the_manager_is_offered_only_the_moves_in_the_table(client, make_user, moved_out):
    _as(client, make_user, Role.MANAGER)
    flat = moved_out()
    page = client.get(f"/flats/{flat.id}").get_data(as_text=True)
    offered = re.findall(r'<option value="([a-z_]+)"', page.split('name="to_status"')[1])
    assert offered[:3] == ["equipping", "ready", "returned"]


# ---- saving and finishing ------------------------------------------------------------------


def test_saving_keeps_the_flat_waiting_and_says_which_keys_are_missing(
    client, make_user, moved_out
):
    _as(client, make_user, Role.CARETAKER)
    flat = moved_out()
    response = _send(client, flat, HX, keys_returned="y", key_count="2", damage="Hole in a door")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="flat-state"')
    assert "The move-out checklist is saved." in body
    assert "Keys returned: 2 of 3, 1 missing." in body
    assert "Hole in a door</textarea>" in body
    checklist = MoveOutChecklist.get()
    assert (checklist.key_count, checklist.damage, checklist.finished_at) == (
        2,
        "Hole in a door",
        None,
    )
    assert Flat.get_by_id(flat.id).status == "moved_out"


def test_finishing_with_nothing_missing_makes_the_flat_ready(client, make_user, moved_out):
    _as(client, make_user, Role.CARETAKER)
    flat = moved_out()
    response = _send(client, flat, finish="y", **DONE)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/flats/{flat.id}"
    after = Flat.get_by_id(flat.id)
    assert (after.status, after.ready_since, after.has_bedding) == ("ready", TODAY, True)
    page = client.get(f"/flats/{flat.id}").get_data(as_text=True)
    assert "The move-out checklist is finished: the flat is ready." in page
    assert "Move-out inspections" in page and "Keys returned: 3 of 3" in page


def test_finishing_with_bedding_missing_sends_the_flat_to_equipping(client, make_user, moved_out):
    _as(client, make_user, Role.CARETAKER)
    flat = moved_out()
    response = _send(client, flat, HX, finish="y", missing_bedding="y", **DONE)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="flat-status flat-status-equipping">Being equipped<' in body
    assert "the flat is being equipped with what is missing" in body
    after = Flat.get_by_id(flat.id)
    assert (after.status, after.has_bedding, after.has_furniture, after.key_count) == (
        "equipping",
        False,
        True,
        3,
    )
    # The equipping checklist comes up with only the bedding unticked.
    assert '<input id="has_bedding" name="has_bedding" type="checkbox" value="y">' in body
    for ticked in ("has_furniture", "has_kitchenware", "keys_handed_over", "inspection_done"):
        assert f'<input checked id="{ticked}"' in body, ticked


@pytest.mark.input_only
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"key_count": "-1"}, "key_count", "Enter 0 to 20 keys."),
        ({"key_count": "21"}, "key_count", "Enter 0 to 20 keys."),
        ({"key_count": "9" * 10_000}, "key_count", "Enter 0 to 20 keys."),
        ({"key_count": "three"}, "key_count", "Enter a whole number, for example 3."),
        ({"key_count": ""}, "key_count", "Say how many keys were returned."),
        ({"damage": "x" * 2001}, "damage", "Describe the damage in at most 2000 characters."),
        ({"keys_returned": "", "key_count": ""}, "keys_returned", "Record the keys returned"),
        ({"inspection_done": ""}, "inspection_done", "Do the move-out inspection"),
        ({"cleaned": ""}, "cleaned", "The flat must be cleaned"),
    ],
)
@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "page"])
def test_bad_input_comes_back_with_the_error_beside_the_field(
    client, make_user, moved_out, fields, field, message, headers
):
    _as(client, make_user, Role.CARETAKER)
    flat = moved_out()
    response = _send(client, flat, headers, finish="y", **{**DONE, **fields})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in _error_beside(body, field)
    assert ("<html" in body) is (not headers)
    assert _unchanged(flat)


def test_finishing_with_every_box_empty_names_each_beside_it(client, make_user, moved_out):
    _as(client, make_user, Role.CARETAKER)
    flat = moved_out()
    body = _send(client, flat, HX, finish="y").get_data(as_text=True)
    for field in ("keys_returned", "inspection_done", "cleaned"):
        assert _error_beside(body, field), field
    assert _unchanged(flat)


def test_a_damaged_or_stale_form_is_refused(client, make_user, moved_out):
    _as(client, make_user, Role.CARETAKER)
    flat = moved_out()
    token = csrf_token(client, f"/flats/{flat.id}")
    damaged = client.post(
        f"/flats/{flat.id}/move-out", data={"csrf_token": token, "revision": "abc", **DONE}
    )
    assert damaged.status_code == 422
    assert "The form is damaged" in damaged.get_data(as_text=True)
    stale = client.post(
        f"/flats/{flat.id}/move-out",
        data={"csrf_token": token, "revision": flat.revision - 1, "finish": "y", **DONE},
    )
    assert stale.status_code == 409
    assert "Not saved:" in stale.get_data(as_text=True)
    assert _unchanged(flat)


def test_a_flat_not_waiting_for_it_refuses_the_checklist(client, make_user, make_flat):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat(status="ready")
    response = _send(client, flat, finish="y", **DONE)
    assert response.status_code == 422
    assert "kept while the flat waits for it" in response.get_data(as_text=True)
    assert Flat.get_by_id(flat.id).status == "ready"
    assert FlatStatusChange.select().count() == 0


def test_a_flat_set_waiting_by_other_means_still_gets_its_checklist(client, make_user, make_flat):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat(status="moved_out")
    page = client.get(f"/flats/{flat.id}").get_data(as_text=True)
    assert "Keys the flat had: 3." in page
    assert _send(client, flat, finish="y", **DONE).status_code == 303
    assert Flat.get_by_id(flat.id).status == "ready"
    checklist = MoveOutChecklist.get()
    assert (checklist.keys_expected, checklist.key_count) == (3, 3)
    assert checklist.finished_at is not None


# ---- the caretaker's start page --------------------------------------------------------------


def test_the_caretakers_start_page_lists_flats_awaiting_the_checklist(
    client, make_user, moved_out, make_flat
):
    _as(client, make_user, Role.CARETAKER)
    waiting = moved_out("Utflyttsgatan 1")
    done_but_bedding = moved_out("Sängklädesgatan 2")
    _send(client, waiting, keys_returned="y", key_count="2")  # one key short, not finished
    _send(client, done_but_bedding, finish="y", missing_bedding="y", **DONE)
    make_flat("Nyagatan 3", status="equipping", has_furniture=True, has_kitchenware=False)
    make_flat("Handgatan 4", status="moved_out")  # set by hand, with no checklist yet
    page = client.get("/").get_data(as_text=True)
    awaiting = page.split('id="block-move-out-checklists"')[1].split("</section>")[0]
    assert "Flats awaiting move-out inspection" in awaiting
    assert "Utflyttsgatan 1, Farsta" in awaiting
    assert "waiting since 2027-03-10" in awaiting
    assert "to do: inspection, cleaning" in awaiting
    assert "keys returned: 2 of 3, 1 missing" in awaiting
    assert "Sängklädesgatan 2" not in awaiting
    assert re.search(
        r"Handgatan 4, Farsta</a> <span[^>]*>[^<]*to do: keys, inspection, cleaning<", awaiting
    )
    equipping = page.split('id="block-equipping"')[1].split("</section>")[0]
    assert "Utflyttsgatan 1" not in equipping  # not "lacking furniture"
    assert re.search(r"Sängklädesgatan 2, Farsta</a> <span[^>]*>missing: Bedding</span>", equipping)
    assert re.search(r"Nyagatan 3, Farsta</a> <span[^>]*>missing: Kitchenware</span>", equipping)

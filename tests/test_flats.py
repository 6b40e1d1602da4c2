"""Flats through the test client: registering, status, checklist, the list, roles, bad input."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import csrf_token, login, post_form
from helpers import count_queries

from intranet import clock
from intranet.demo import DemoContext
from intranet.flats import demo as flats_demo
from intranet.models import Flat, FlatStatusChange, Landlord, Role, Tenancy

TODAY = dt.date(2026, 11, 23)
HX = {"HX-Request": "true"}


@pytest.fixture
def landlord(make_pipeline_landlord):
    return make_pipeline_landlord("agreement_signed", name="Svenska Bostäder")


@pytest.fixture
def make_flat(app, landlord):
    def make(status="offered", **fields):
        values = {
            "landlord": landlord,
            "address": "Storgatan 1",
            "postcode": "12345",
            "district": "Farsta",
            "rooms": 2,
            "size_m2": 50,
            "floor": 2,
            "rent_to_landlord": 7300,
            "rent_to_resident": 7400,
            "status": status,
            **fields,
        }
        return Flat.create(**values)

    return make


def make_referral():
    """A referral for a tenancy, with the least the model needs."""
    from intranet.models import Commissioner, Referral

    commissioner = Commissioner.get_or_create(name="Socialtjänsten")[0]
    return Referral.create(
        received_on=TODAY,
        commissioner=commissioner,
        first_name="A",
        last_name="B",
        birth_date=dt.date(1990, 1, 1),
        gender="male",
        target_group="crime",
        status="moved_in",
    )


def _as(client, make_user, role, **fields):
    clock.set_clock(TODAY)
    user = make_user(role, **fields)
    login(client, user)
    return user


def _form(owner, /, **fields):
    return {
        "landlord": str(owner.id),
        "address": "Rinkebysvängen 12",
        "postcode": "163 71",
        "postal_town": "Spånga",
        "district": "Rinkeby",
        "rooms": "2",
        "size_m2": "54.5",
        "floor": "3",
        "elevator": "y",
        "rent_to_landlord": "7300",
        "rent_to_resident": "7400",
        "kind": "training",
        "lease_start": "2026-12-01",
        "lease_end": "",
        "notice_months": "3",
        "note": "",
        **fields,
    }


def _saved(flat_id):
    """The columns a refused write must leave alone."""
    flat = Flat.get_by_id(flat_id)
    return (flat.status, flat.revision, flat.address, flat.has_bedding, flat.note)


# ---- registering an offered flat ---------------------------------------------------


def test_staff_register_an_offered_flat(client, make_user, landlord):
    staff = _as(client, make_user, Role.STAFF)
    response = post_form(
        client, "/flats/new", _form(landlord), form_url=f"/flats/new?landlord={landlord.id}"
    )
    flat = Flat.get()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/flats/{flat.id}"
    assert (flat.status, flat.postcode, flat.size_m2, flat.lease_end, flat.elevator) == (
        "offered",
        "16371",
        Decimal("54.5"),
        None,
        True,
    )
    assert (flat.created_by_id, flat.status_changed_at.date()) == (staff.id, TODAY)
    assert [(c.from_status, c.to_status, c.changed_by_id) for c in FlatStatusChange.select()] == [
        (None, "offered", staff.id)
    ]


def test_the_register_page_lists_only_landlords_taking_flats(
    client, make_user, landlord, make_pipeline_landlord
):
    _as(client, make_user, Role.MANAGER)
    make_pipeline_landlord("negotiating", name="Förhandlar AB")
    make_pipeline_landlord("contacted", name="Tidig AB")
    make_pipeline_landlord("declined", name="Nej Tack AB")
    page = client.get("/flats/new").get_data(as_text=True)
    assert "Svenska Bostäder" in page and "Förhandlar AB" in page
    assert "Tidig AB" not in page and "Nej Tack AB" not in page


def test_the_landlord_is_preselected_from_the_landlord_page(client, make_user, landlord):
    _as(client, make_user, Role.STAFF)
    page = client.get(f"/flats/new?landlord={landlord.id}").get_data(as_text=True)
    assert f'<option selected value="{landlord.id}">' in page


@pytest.mark.parametrize("query", ["?landlord=abc", "?landlord=99999", "?landlord=-1"])
def test_a_bad_landlord_in_the_address_preselects_nothing(client, make_user, landlord, query):
    _as(client, make_user, Role.STAFF)
    response = client.get(f"/flats/new{query}")
    assert response.status_code == 200
    assert "<option selected" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"rent_to_landlord": "7 300"}, {"rent_to_landlord": Decimal("7300")}),
        ({"rent_to_landlord": "7\u00a0300,50"}, {"rent_to_landlord": Decimal("7300.50")}),
        ({"size_m2": "54,5"}, {"size_m2": Decimal("54.5")}),
        ({"postcode": "16371"}, {"postcode": "16371"}),
        ({"rent_to_resident": "50000"}, {"rent_to_resident": Decimal("50000")}),
        ({"floor": "-2", "rooms": "10"}, {"floor": -2, "rooms": 10}),
        ({"lease_start": "", "lease_end": ""}, {"lease_start": None}),
        ({"lease_end": "2029-11-30"}, {"lease_end": dt.date(2029, 11, 30)}),
        ({"kind": "supported"}, {"kind": "supported"}),
        ({"elevator": ""}, {"elevator": False}),
    ],
)
def test_good_flat_input_in_swedish_ways_is_stored(client, make_user, landlord, fields, stored):
    _as(client, make_user, Role.STAFF)
    assert post_form(client, "/flats/new", _form(landlord, **fields)).status_code == 303
    flat = Flat.get()
    assert {name: getattr(flat, name) for name in stored} == stored


LONG = "a" * 10_000


@pytest.mark.input_only
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rent_to_landlord": "-100"}, "Ange en hyra över 0 och högst 50 000 kr."),
        ({"rent_to_resident": "0"}, "Ange en hyra över 0 och högst 50 000 kr."),
        ({"rent_to_landlord": "50000.01"}, "Ange en hyra över 0 och högst 50 000 kr."),
        ({"rent_to_landlord": ""}, "Ange hyran."),
        ({"rent_to_landlord": "sjutusen"}, "Ange ett tal, till exempel 7 300 eller 54,5."),
        ({"rent_to_landlord": "NaN"}, "Ange ett tal, till exempel 7 300 eller 54,5."),
        ({"rent_to_resident": "Infinity"}, "Ange ett tal, till exempel 7 300 eller 54,5."),
        ({"size_m2": "sNaN"}, "Ange ett tal, till exempel 7 300 eller 54,5."),
        ({"rent_to_landlord": LONG}, "Ange ett tal, till exempel 7 300 eller 54,5."),
        ({"rooms": "0"}, "Ange 1 till 10 rum."),
        ({"rooms": "11"}, "Ange 1 till 10 rum."),
        ({"rooms": "två"}, "Ange ett heltal, till exempel 3."),
        ({"rooms": ""}, "Ange antal rum."),
        ({"size_m2": "9.9"}, "Ange 10 till 300 m²."),
        ({"size_m2": "5000"}, "Ange 10 till 300 m²."),
        ({"floor": "-3"}, "Ange en våning från -2 till 40."),
        ({"floor": "99"}, "Ange en våning från -2 till 40."),
        ({"postcode": "1234"}, "Ett postnummer har fem siffror"),
        ({"postcode": "123 456"}, "Ett postnummer har fem siffror"),
        ({"postcode": "abcde"}, "Ett postnummer har fem siffror"),
        ({"postcode": LONG}, "Ett postnummer har fem siffror"),
        ({"postal_town": ""}, "Ange postorten."),
        ({"postal_town": LONG}, "Fältet får inte vara längre än 100 tecken."),
        ({"address": ""}, "Ange adressen."),
        ({"address": "   "}, "Ange adressen."),
        ({"address": LONG}, "Fältet får inte vara längre än 200 tecken."),
        ({"district": LONG}, "Fältet får inte vara längre än 100 tecken."),
        ({"note": LONG}, "Fältet får inte vara längre än 2000 tecken."),
        ({"lease_end": "2026-11-30"}, "Kontraktet måste sluta efter att det börjar."),
        ({"lease_end": "2026-12-01"}, "Kontraktet måste sluta efter att det börjar."),
        ({"lease_start": "", "lease_end": "2027-01-01"}, "Ange också när kontraktet börjar"),
        ({"lease_start": "2026-02-30"}, "Inte ett giltigt datum"),
        ({"notice_months": "36"}, "Ange 0 till 24 månader."),
        ({"notice_months": "-1"}, "Ange 0 till 24 månader."),
        ({"kind": "castle"}, "Välj ett av alternativen."),
        ({"kind": ""}, "Välj ett av alternativen."),
        ({"landlord": "abc"}, "Välj en hyresvärd som förhandlar eller har avtal."),
        ({"landlord": "99999"}, "Välj en hyresvärd som förhandlar eller har avtal."),
        ({"landlord": ""}, "Välj en hyresvärd som förhandlar eller har avtal."),
    ],
)
def test_bad_flat_input_comes_back_in_place(client, make_user, landlord, fields, message):
    _as(client, make_user, Role.STAFF)
    response = post_form(client, "/flats/new", _form(landlord, **fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Flat.select().count() == FlatStatusChange.select().count() == 0


@pytest.mark.parametrize(
    "stage", ["identified", "contacted", "meeting_booked", "paused", "declined"]
)
def test_a_landlord_not_in_negotiation_cannot_offer_flats(
    client, make_user, make_pipeline_landlord, stage
):
    _as(client, make_user, Role.STAFF)
    early = make_pipeline_landlord(stage, name="Tidig AB")
    response = post_form(client, "/flats/new", _form(early))
    assert response.status_code == 422
    assert "Välj en hyresvärd som förhandlar eller har avtal." in response.get_data(as_text=True)
    assert Flat.select().count() == 0


def test_without_the_csrf_token_nothing_is_registered(client, make_user, landlord):
    _as(client, make_user, Role.STAFF)
    response = client.post("/flats/new", data=_form(landlord))
    assert response.status_code in (400, 422)
    assert Flat.select().count() == 0


# ---- status ------------------------------------------------------------------------


def _move(client, flat, to_status, note="", **extra):
    data = {
        "revision": flat.revision,
        "from_status": flat.status,
        "to_status": to_status,
        "note": note,
        **extra,
    }
    return post_form(client, f"/flats/{flat.id}/status", data, f"/flats/{flat.id}")


def test_the_manager_moves_a_flat_and_the_history_keeps_it(client, make_user, make_flat):
    manager = _as(client, make_user, Role.MANAGER, display_name="Maria Lindqvist")
    flat = make_flat("offered")
    response = _move(client, flat, "viewed", "Fin")
    assert response.status_code == 303
    moved = Flat.get_by_id(flat.id)
    assert (moved.status, moved.revision) == ("viewed", 2)
    change = FlatStatusChange.get(FlatStatusChange.to_status == "viewed")
    assert (change.from_status, change.changed_by_id, change.note) == ("offered", manager.id, "Fin")
    page = client.get(f"/flats/{flat.id}").get_data(as_text=True)
    assert "Maria Lindqvist" in page and "Fin" in page


def test_the_status_form_offers_only_the_allowed_moves(client, make_user, make_flat):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat("offered")
    page = client.get(f"/flats/{flat.id}").get_data(as_text=True)
    select = page[
        page.index('id="to_status"') : page.index("</select>", page.index('id="to_status"'))
    ]
    assert [label in select for label in ("Visad", "Avböjd", "Återlämnad", "Klar")] == [
        True,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize("final", ["rejected", "returned"])
def test_a_final_flat_has_no_status_form(client, make_user, make_flat, final):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat(final)
    assert 'name="to_status"' not in client.get(f"/flats/{flat.id}").get_data(as_text=True)


def test_a_stale_status_change_is_refused_saying_what_changed(client, make_user, make_flat):
    _as(client, make_user, Role.MANAGER, display_name="Maria Lindqvist")
    flat = make_flat("offered")
    assert _move(client, flat, "viewed").status_code == 303
    stale = _move(client, flat, "rejected", "Min anteckning")
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Inte ändrat: Maria Lindqvist ändrade status från Erbjuden till Visad" in body
    assert 'value="Min anteckning"' in body  # the note typed is not lost
    assert 'name="revision" value="2"' in body  # and may be sent again at once
    assert Flat.get_by_id(flat.id).status == "viewed"
    assert FlatStatusChange.select().count() == 1


def test_a_status_change_after_a_facts_edit_is_refused_too(client, make_user, make_flat):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat("offered")
    Flat.update(revision=Flat.revision + 1, rooms=3).where(Flat.id == flat.id).execute()
    stale = _move(client, flat, "viewed")
    assert stale.status_code == 409
    assert "status är fortfarande Erbjuden" in stale.get_data(as_text=True)
    assert Flat.get_by_id(flat.id).status == "offered"


def test_the_manager_may_mark_ready_with_an_incomplete_checklist_and_it_says_so(
    client, make_user, make_flat
):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat("equipping")
    assert _move(client, flat, "ready").status_code == 303
    flat = Flat.get_by_id(flat.id)
    assert (flat.status, flat.ready_since) == ("ready", TODAY)
    note = FlatStatusChange.get(FlatStatusChange.to_status == "ready").note
    assert "checklistan inte klar" in note


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        ({"to_status": "ready"}, 422, "En lägenhet kan inte gå från den här statusen till den."),
        ({"to_status": "offered"}, 422, "En lägenhet kan inte gå från den här statusen till den."),
        ({"to_status": "castle"}, 422, "Välj ett av alternativen."),
        ({"to_status": ""}, 422, "Välj ett av alternativen."),
        ({"to_status": "viewed", "note": "a" * 10_000}, 422, "längre än 1000 tecken"),
        ({"to_status": "viewed", "revision": "abc"}, 422, "Formuläret är skadat"),
        ({"to_status": "viewed", "revision": ""}, 422, "Formuläret är skadat"),
        ({"to_status": "viewed", "from_status": "castle"}, 422, "Formuläret är skadat"),
        ({"to_status": "viewed", "from_status": ""}, 422, "Formuläret är skadat"),
        ({"to_status": "viewed", "revision": "7"}, 409, "Inte ändrat"),
        ({"to_status": "viewed", "from_status": "viewed"}, 409, "Inte ändrat"),
    ],
)
def test_bad_status_input_changes_nothing(client, make_user, make_flat, extra, status, message):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat("offered")
    data = {"revision": flat.revision, "from_status": "offered", "note": "", **extra}
    response = post_form(client, f"/flats/{flat.id}/status", data, f"/flats/{flat.id}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _saved(flat.id) == ("offered", 1, "Storgatan 1", False, "")
    assert FlatStatusChange.select().count() == 0


def test_an_occupied_flat_cannot_be_returned_by_hand(client, make_user, make_flat):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat("ready", ready_since=TODAY)
    Tenancy.create(
        flat=flat,
        referral=make_referral(),
        contact_person=make_user("staff"),
        start_date=TODAY,
        rent=7000,
    )
    response = _move(client, flat, "returned")
    assert response.status_code == 422
    assert "Någon bor i lägenheten" in response.get_data(as_text=True)
    assert Flat.get_by_id(flat.id).status == "ready"


# ---- the checklist -----------------------------------------------------------------


def _checklist(client, flat, headers=None, **items):
    token = csrf_token(client, f"/flats/{flat.id}")
    data = {"csrf_token": token, "revision": Flat.get_by_id(flat.id).revision, **items}
    return client.post(f"/flats/{flat.id}/checklist", data=data, headers=headers or {})


ALL_DONE = {
    "has_furniture": "y",
    "has_kitchenware": "y",
    "has_bedding": "y",
    "keys_handed_over": "y",
    "key_count": "3",
    "inspection_done": "y",
}


def test_the_caretaker_sees_the_checklist_but_no_status_form(client, make_user, make_flat):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat("equipping")
    page = client.get(f"/flats/{flat.id}").get_data(as_text=True)
    assert "Spara checklistan" in page
    assert 'name="to_status"' not in page
    assert f'href="/landlords/{flat.landlord_id}"' not in page


def test_staff_see_the_checklist_but_cannot_tick_it(client, make_user, make_flat):
    _as(client, make_user, Role.STAFF)
    flat = make_flat("equipping")
    page = client.get(f"/flats/{flat.id}").get_data(as_text=True)
    assert "Checklista för utrustning" in page
    assert "Spara checklistan" not in page
    assert f'href="/landlords/{flat.landlord_id}"' in page


def test_the_caretaker_completes_the_checklist_and_the_flat_becomes_ready(
    client, make_user, make_flat
):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat("equipping")
    partial = _checklist(client, flat, HX, has_furniture="y", has_kitchenware="y")
    assert partial.status_code == 200
    assert partial.get_data(as_text=True).lstrip().startswith('<div id="flat-state"')
    assert "Checklistan är sparad." in partial.get_data(as_text=True)
    assert Flat.get_by_id(flat.id).status == "equipping"
    done = _checklist(client, flat, HX, **ALL_DONE)
    body = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "<html" not in body
    assert 'class="flat-status flat-status-ready">Klar<' in body
    assert "Ledig i 0 dagar" in body
    assert "checklistan klar" in body  # the history in the fragment has the new line
    flat = Flat.get_by_id(flat.id)
    assert (flat.status, flat.key_count, flat.ready_since) == ("ready", 3, TODAY)
    assert FlatStatusChange.get(FlatStatusChange.to_status == "ready").note == "checklistan klar"


def test_the_managers_status_form_follows_an_in_place_checklist_save(client, make_user, make_flat):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat("equipping")
    body = _checklist(client, flat, HX, has_bedding="y").get_data(as_text=True)
    assert body.count('name="revision" value="2"') == 2  # the checklist and the status form
    assert _move(client, Flat.get_by_id(flat.id), "returned").status_code == 303


@pytest.mark.input_only
@pytest.mark.parametrize(
    ("items", "status", "message"),
    [
        ({"keys_handed_over": "y"}, 422, "Ange hur många nycklar"),
        ({"keys_handed_over": "y", "key_count": "0"}, 422, "Ange 1 till 20 nycklar."),
        ({"keys_handed_over": "y", "key_count": "21"}, 422, "Ange 1 till 20 nycklar."),
        ({"keys_handed_over": "y", "key_count": "tre"}, 422, "Ange ett heltal, till exempel 3."),
        ({"keys_handed_over": "y", "key_count": "9" * 10_000}, 422, "Ange 1 till 20 nycklar."),
        ({"has_bedding": "y", "revision": "abc"}, 422, "Formuläret är skadat"),
        ({"has_bedding": "y", "revision": "7"}, 409, "Inte sparat"),
    ],
)
def test_bad_checklist_input_changes_nothing(client, make_user, make_flat, items, status, message):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat("equipping")
    response = _checklist(client, flat, HX, **items)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert message in body
    assert body.lstrip().startswith('<div id="flat-state"')
    assert _saved(flat.id) == ("equipping", 1, "Storgatan 1", False, "")
    assert not Flat.get_by_id(flat.id).keys_handed_over


@pytest.mark.parametrize("status", ["offered", "ready", "returned"])
def test_the_checklist_is_kept_only_while_equipping(client, make_user, make_flat, status):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat(status)
    response = _checklist(client, flat, has_bedding="y")
    assert response.status_code == 422
    assert "Checklistan förs medan lägenheten utrustas." in response.get_data(as_text=True)
    assert not Flat.get_by_id(flat.id).has_bedding


def test_the_checklist_without_javascript_redirects(client, make_user, make_flat):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat("equipping")
    response = _checklist(client, flat, has_bedding="y")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/flats/{flat.id}"
    assert Flat.get_by_id(flat.id).has_bedding
    assert "Checklistan är sparad." in client.get(f"/flats/{flat.id}").get_data(as_text=True)


def test_a_stale_checklist_without_javascript_comes_back_as_a_page(client, make_user, make_flat):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat("equipping", revision=3)
    token = csrf_token(client, f"/flats/{flat.id}")
    response = client.post(
        f"/flats/{flat.id}/checklist",
        data={"csrf_token": token, "revision": "2", "has_bedding": "y"},
    )
    assert response.status_code == 409
    assert "<html" in response.get_data(as_text=True)
    assert not Flat.get_by_id(flat.id).has_bedding


# ---- editing the facts ---------------------------------------------------------------


def test_staff_edit_the_facts(client, make_user, make_flat, landlord):
    _as(client, make_user, Role.STAFF)
    flat = make_flat()
    form = _form(landlord, revision=str(flat.revision), rooms="3")
    response = post_form(client, f"/flats/{flat.id}/edit", form)
    assert response.status_code == 303
    saved = Flat.get_by_id(flat.id)
    assert (saved.rooms, saved.revision, saved.status) == (3, 2, "offered")


def test_a_stale_edit_loses_but_keeps_the_typing_and_says_what_changed(
    client, make_user, make_flat, landlord
):
    _as(client, make_user, Role.STAFF)
    flat = make_flat()
    url = f"/flats/{flat.id}/edit"
    form = _form(landlord, revision=str(flat.revision))
    assert post_form(client, url, form).status_code == 303
    stale = post_form(client, url, {**form, "address": "Annan 9"})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Sparat nu: Adress: Rinkebysvängen 12" in body
    assert 'value="Annan 9"' in body
    assert 'name="revision" type="hidden" value="2"' in body
    assert Flat.get_by_id(flat.id).address == "Rinkebysvängen 12"
    # Saving again, having seen the message, replaces the other change.
    again = post_form(client, url, {**form, "address": "Annan 9", "revision": "2"})
    assert again.status_code == 303
    assert Flat.get_by_id(flat.id).address == "Annan 9"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"revision": "abc"}, "Formuläret är skadat"),
        ({"revision": ""}, "Formuläret är skadat"),
        ({"rooms": "99"}, "Ange 1 till 10 rum."),
        ({"rent_to_landlord": "0"}, "Ange en hyra över 0"),
    ],
)
def test_bad_edits_change_nothing(client, make_user, make_flat, landlord, fields, message):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat()
    response = post_form(
        client, f"/flats/{flat.id}/edit", _form(landlord, **{"revision": "1", **fields})
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _saved(flat.id) == ("offered", 1, "Storgatan 1", False, "")


def test_a_flat_may_move_only_to_a_landlord_taking_flats(
    client, make_user, make_flat, make_pipeline_landlord
):
    _as(client, make_user, Role.STAFF)
    flat = make_flat()
    early = make_pipeline_landlord("contacted", name="Tidig AB")
    response = post_form(client, f"/flats/{flat.id}/edit", _form(early, revision="1"))
    assert response.status_code == 422
    assert Flat.get_by_id(flat.id).landlord_id != early.id


def test_a_flat_stays_with_a_landlord_that_has_paused(client, make_user, make_flat, landlord):
    _as(client, make_user, Role.STAFF)
    flat = make_flat()
    Landlord.update(stage="paused").where(Landlord.id == landlord.id).execute()
    form = _form(landlord, revision="1", rooms="4")
    assert post_form(client, f"/flats/{flat.id}/edit", form).status_code == 303
    assert Flat.get_by_id(flat.id).rooms == 4


# ---- unknown flats and who may do what ----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/flats/99999"),
        ("get", "/flats/99999/edit"),
        ("post", "/flats/99999/edit"),
        ("post", "/flats/99999/status"),
        ("post", "/flats/99999/checklist"),
        ("get", "/flats/abc"),
        ("get", "/flats/-1"),
    ],
)
def test_an_unknown_flat_is_404(client, make_user, method, path):
    _as(client, make_user, Role.MANAGER)
    token = csrf_token(client, "/flats/new")
    response = getattr(client, method)(path, data={"csrf_token": token})
    assert response.status_code == 404


WRITE = 303
URLS = ["list", "detail", "new", "register", "edit", "save", "status", "checklist"]
ALLOWED = {
    Role.MANAGER: {"list", "detail", "new", "register", "edit", "save", "status", "checklist"},
    Role.STAFF: {"list", "detail", "new", "register", "edit", "save"},
    Role.CARETAKER: {"list", "detail", "checklist"},
    Role.LANDLORD: set(),
    Role.ADMIN: set(),
}


def _request(client, what, flat, landlord, token):
    revision = Flat.get_by_id(flat.id).revision
    posts = {
        "register": ("/flats/new", _form(landlord)),
        "save": (f"/flats/{flat.id}/edit", _form(landlord, revision=str(revision))),
        "status": (
            f"/flats/{flat.id}/status",
            {"revision": revision, "from_status": "equipping", "to_status": "returned"},
        ),
        "checklist": (f"/flats/{flat.id}/checklist", {"revision": revision, "has_bedding": "y"}),
    }
    gets = {
        "list": "/flats/",
        "detail": f"/flats/{flat.id}",
        "new": "/flats/new",
        "edit": f"/flats/{flat.id}/edit",
    }
    if what in gets:
        return client.get(gets[what])
    url, data = posts[what]
    return client.post(url, data={"csrf_token": token, **data})


@pytest.mark.parametrize("what", URLS)
@pytest.mark.parametrize("role", Role.ALL)
def test_who_may_use_each_flats_url(client, make_user, make_flat, landlord, role, what):
    _as(client, make_user, role)
    flat = make_flat("equipping")
    token = csrf_token(client, "/account/password")
    before = (Flat.select().count(), FlatStatusChange.select().count(), _saved(flat.id))
    response = _request(client, what, flat, landlord, token)
    if what in ALLOWED[role]:
        assert response.status_code == (200 if what in ("list", "detail", "new", "edit") else WRITE)
    else:
        assert response.status_code == 403
        after = (Flat.select().count(), FlatStatusChange.select().count(), _saved(flat.id))
        assert after == before


def test_anonymous_people_are_sent_to_the_login(client, make_flat):
    flat = make_flat()
    for url in ("/flats/", f"/flats/{flat.id}", "/flats/new", f"/flats/{flat.id}/edit"):
        response = client.get(url)
        assert response.status_code in (302, 303)
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "shown"),
    [(Role.MANAGER, True), (Role.STAFF, True), (Role.CARETAKER, True), (Role.LANDLORD, False)],
)
def test_the_menu_shows_flats_to_the_unit(client, make_user, role, shown):
    _as(client, make_user, role)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert ('href="/flats/"' in page) is shown


# ---- the list ------------------------------------------------------------------------


def test_vacancy_days_and_cost_on_the_list_and_the_flat(client, make_user, make_flat):
    _as(client, make_user, Role.STAFF)
    vacant = make_flat("ready", ready_since=TODAY - dt.timedelta(days=10), address="Ledig 1")
    occupied = make_flat("ready", ready_since=TODAY - dt.timedelta(days=30), address="Bebodd 2")
    Tenancy.create(
        flat=occupied,
        referral=make_referral(),
        contact_person=make_user("staff"),
        start_date=TODAY,
        rent=7000,
    )
    make_flat("offered", address="Erbjuden 3")
    page = client.get("/flats/").get_data(as_text=True)
    # 7 300 × 12 / 365 = 240 kr a day, 10 days.
    assert "3 lägenheter matchar · 1 ledig, som kostat 2\u00a0400\u00a0kr hittills" in page
    row = page[page.index("Ledig 1") : page.index("</tr>", page.index("Ledig 1"))]
    assert ">10<" in row and "2\u00a0400\u00a0kr" in row
    detail = client.get(f"/flats/{vacant.id}").get_data(as_text=True)
    assert "Ledig i 10 dagar" in detail
    assert "Ledig i" not in client.get(f"/flats/{occupied.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?status=ready", ["Klar 1"], ["Erbjuden 2"]),
        ("?district=Årsta", ["Erbjuden 2"], ["Klar 1"]),
        ("?kind=trial", ["Erbjuden 2"], ["Klar 1"]),
        ("?status=&district=&landlord=0&kind=", ["Klar 1", "Erbjuden 2"], []),
        ("?status=ready&kind=trial", [], ["Klar 1", "Erbjuden 2"]),
        ("?vacant=y", ["Klar 1"], ["Erbjuden 2"]),
    ],
)
def test_the_list_filters(client, make_user, make_flat, query, shown, hidden):
    _as(client, make_user, Role.CARETAKER)
    make_flat("ready", address="Klar 1", ready_since=TODAY)
    make_flat("offered", address="Erbjuden 2", district="Årsta", kind="trial")
    response = client.get(f"/flats/{query}", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="flats-table"')
    assert "HX-Request" in response.headers["Vary"]
    for text in shown:
        assert text in body
    for text in hidden:
        assert text not in body


def test_the_list_filters_by_landlord(client, make_user, make_flat, make_pipeline_landlord):
    _as(client, make_user, Role.MANAGER)
    other = make_pipeline_landlord("negotiating", name="Andra AB")
    make_flat(address="Hos Svenska 1")
    make_flat(address="Hos Andra 2", landlord=other)
    body = client.get(f"/flats/?landlord={other.id}").get_data(as_text=True)
    assert "Hos Andra 2" in body and "Hos Svenska 1" not in body


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("?status=castle", "Status"),
        ("?landlord=abc", "Hyresvärd"),
        ("?landlord=99999", "Hyresvärd"),
        ("?district=Atlantis", "Stadsdel"),
        ("?kind=" + "x" * 10_000, "Typ"),
    ],
)
def test_bad_filters_get_a_message_and_are_not_applied(client, make_user, make_flat, query, named):
    _as(client, make_user, Role.STAFF)
    make_flat(address="Storgatan 1")
    response = client.get(f"/flats/{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dessa filter var inte giltiga och används inte: " + named in body
    assert "Storgatan 1" in body


def test_a_bad_filter_leaves_the_good_ones_applied(client, make_user, make_flat):
    _as(client, make_user, Role.STAFF)
    make_flat("ready", address="Klar 1", ready_since=TODAY)
    make_flat("offered", address="Erbjuden 2")
    response = client.get("/flats/?status=ready&kind=castle", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert body.lstrip().startswith('<div id="flats-table"')
    assert "Klar 1" in body and "Erbjuden 2" not in body


def test_the_list_runs_a_fixed_number_of_queries(client, make_user, make_flat, landlord):
    _as(client, make_user, Role.STAFF)

    def queries():
        with count_queries() as log:
            assert client.get("/flats/").status_code == 200
        return len(log)

    for n in range(3):
        make_flat("ready", ready_since=TODAY, address=f"A {n}")
    small = queries()
    for n in range(30):
        make_flat(
            ["offered", "ready", "equipping"][n % 3],
            ready_since=TODAY,
            address=f"B {n}",
            district=f"D{n % 4}",
        )
    assert Flat.select().count() == 33
    assert queries() == small


# ---- the demo --------------------------------------------------------------------------


def test_the_demo_has_flats_in_every_status(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    statuses = {flat.status for flat in Flat.select()}
    assert statuses == {
        "offered",
        "viewed",
        "contracted",
        "equipping",
        "ready",
        "rejected",
        "returned",
    }
    assert 45 <= Flat.select().count() <= 55
    stages = {flat.landlord.stage for flat in Flat.select(Flat, Landlord).join(Landlord)}
    assert stages <= {"negotiating", "agreement_signed"}
    # Ready flats nobody lives in have stood empty for 0 to 60 days.
    occupied = Tenancy.select(Tenancy.flat).where(Tenancy.end_date.is_null())
    for flat in Flat.select().where((Flat.status == "ready") & Flat.id.not_in(occupied)):
        assert 0 <= (clock.today() - flat.ready_since).days <= 60
    for flat in Flat.select():
        history = [c.to_status for c in flat.status_changes.order_by(FlatStatusChange.id)]
        assert history[0] == "offered" and history[-1] == flat.status


def test_the_demo_flats_make_their_own_landlords_when_none_take_flats(app, make_user):
    manager, staff = make_user("manager"), make_user("staff")
    context = DemoContext(password_hash="x", users={"manager": manager, "staff": staff})
    context.landlords.append(Landlord.create(name="Bara identifierad AB"))
    flats_demo.flats(context)
    landlords = {flat.landlord.name for flat in Flat.select(Flat, Landlord).join(Landlord)}
    assert landlords == {"Demo Bostäder AB", "Söderhem Fastigheter AB"}
    assert len(context.extra["flats"]) == Flat.select().count() == 54


def test_the_list_downloads_the_same_rows_with_its_filters(client, make_user, make_flat):
    from io import BytesIO

    from openpyxl import load_workbook

    _as(client, make_user, Role.CARETAKER)
    make_flat("ready", address="=Klar gatan 1", ready_since=TODAY - dt.timedelta(days=10))
    make_flat("equipping", address="Verkstaden 2")
    page = client.get("/flats/?status=ready").get_data(as_text=True)
    assert "/flats/export.csv?status=ready" in page
    csv = client.get("/flats/export.csv?status=ready").get_data(as_text=True)
    lines = csv.strip().splitlines()
    assert len(lines) == 2 and "Verkstaden" not in csv
    assert lines[1].startswith("'=Klar gatan 1;Farsta;2;Svenska Bostäder;")
    # A Swedish spreadsheet's numbers: a decimal comma, no thousands separator.
    assert lines[1].endswith(";nej;7300,00;10;2400,00")
    book = load_workbook(BytesIO(client.get("/flats/export.xlsx").data))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["'=Klar gatan 1", "Verkstaden 2"]
    assert client.get("/flats/export.csv?status=flying").status_code == 400
    assert client.get("/flats/export.doc").status_code == 404


def test_a_landlord_is_found_by_part_of_the_name(
    client, make_user, make_flat, make_pipeline_landlord
):
    _as(client, make_user, Role.MANAGER)
    other = make_pipeline_landlord("negotiating", name="Andra Fastigheter AB")
    make_flat(address="Hos Svenska 1")
    make_flat(address="Hos Andra 2", landlord=other)
    response = client.get("/flats/?landlord_name=fastigheter", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hos Andra 2" in body and "Hos Svenska 1" not in body
    # The page offers a box, not a list of every landlord.
    page = client.get("/flats/").get_data(as_text=True)
    assert 'name="landlord_name"' in page and "Andra Fastigheter AB</option>" not in page


def test_the_landlord_box_suggests_at_most_twenty_names_of_landlords_with_flats(
    client, make_user, make_flat, make_pipeline_landlord
):
    _as(client, make_user, Role.CARETAKER)
    for number in range(25):
        owner = make_pipeline_landlord("negotiating", name=f"Bolag {number:02} AB")
        make_flat(address=f"Gatan {number}", landlord=owner)
    make_pipeline_landlord("negotiating", name="Bolag utan lägenheter AB")
    body = client.get("/flats/landlord-names?landlord_name=bolag").get_data(as_text=True)
    assert body.count("<option") == 20
    assert "Bolag 00 AB" in body and "utan lägenheter" not in body
    assert client.get("/flats/landlord-names?landlord_name=").get_data(as_text=True).strip() == ""


def test_a_landlord_named_in_the_address_is_shown_with_a_way_back_to_all(
    client, make_user, make_flat, make_pipeline_landlord
):
    _as(client, make_user, Role.STAFF)
    other = make_pipeline_landlord("negotiating", name="Andra AB")
    make_flat(address="Hos Andra 2", landlord=other)
    page = client.get(f"/flats/?landlord={other.id}&status=ready").get_data(as_text=True)
    assert "Andra AB" in page and 'href="/flats/?status=ready"' in page

"""Flats through the test client: registering, status, checklist, the list, roles, bad input."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import csrf_token, login, post_form
from helpers import count_queries

from intranet import clock
from intranet.flats import services
from intranet.models import Flat, FlatStatusChange, Role, Tenancy

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


def _as(client, make_user, role):
    clock.set_clock(TODAY)
    user = make_user(role)
    login(client, user)
    return user


def _form(landlord, **fields):
    return {
        "landlord": str(landlord.id),
        "address": "Rinkebysvängen 12",
        "postcode": "163 71",
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


def test_staff_register_an_offered_flat(client, make_user, landlord):
    _as(client, make_user, Role.STAFF)
    response = post_form(
        client, "/flats/new", _form(landlord), form_url=f"/flats/new?landlord={landlord.id}"
    )
    assert response.status_code == 303
    flat = Flat.get()
    assert (flat.status, flat.postcode, flat.size_m2, flat.lease_end) == (
        "offered",
        "16371",
        Decimal("54.5"),
        None,
    )
    assert [(c.from_status, c.to_status) for c in FlatStatusChange.select()] == [(None, "offered")]


def test_the_landlord_is_preselected_from_the_landlord_page(client, make_user, landlord):
    _as(client, make_user, Role.STAFF)
    page = client.get(f"/flats/new?landlord={landlord.id}").get_data(as_text=True)
    assert (
        f'<option selected value="{landlord.id}">' in page
        or f'value="{landlord.id}" selected' in page
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rent_to_landlord": "-100"}, "Ange en hyra över 0 och högst 50 000 kr."),
        ({"rent_to_resident": "0"}, "Ange en hyra över 0 och högst 50 000 kr."),
        ({"rent_to_landlord": "sjutusen"}, "Inte ett giltigt decimaltal"),
        ({"rooms": "0"}, "Ange 1 till 10 rum."),
        ({"rooms": "40"}, "Ange 1 till 10 rum."),
        ({"size_m2": "5000"}, "Ange 10 till 300 m²."),
        ({"floor": "99"}, "Ange en våning från -2 till 40."),
        ({"postcode": "1234"}, "Ett postnummer har fem siffror"),
        ({"address": ""}, "Ange adressen."),
        ({"address": "a" * 10_000}, "Fältet får inte vara längre än 200 tecken."),
        ({"lease_end": "2026-11-30"}, "Kontraktet måste sluta efter att det börjar."),
        ({"notice_months": "36"}, "Ange 0 till 24 månader."),
        ({"kind": "castle"}, "Välj ett av alternativen."),
    ],
)
def test_bad_flat_input_comes_back_in_place(client, make_user, landlord, fields, message):
    _as(client, make_user, Role.STAFF)
    response = post_form(client, "/flats/new", _form(landlord, **fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Flat.select().count() == 0


def test_a_landlord_not_in_negotiation_cannot_offer_flats(
    client, make_user, make_pipeline_landlord
):
    _as(client, make_user, Role.STAFF)
    early = make_pipeline_landlord("contacted", name="Tidig AB")
    response = post_form(client, "/flats/new", _form(early))
    assert response.status_code == 422
    assert Flat.select().count() == 0


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        ("offered", "viewed", True),
        ("offered", "contracted", False),
        ("viewed", "contracted", True),
        ("contracted", "equipping", True),
        ("equipping", "ready", True),
        ("ready", "returned", True),
        ("rejected", "offered", False),
        ("returned", "ready", False),
        ("offered", "rejected", True),
    ],
)
def test_the_status_transitions(start, to, allowed):
    assert services.may_move(start, to) is allowed


def test_the_manager_moves_a_flat_and_the_history_keeps_it(client, make_user, make_flat):
    manager = _as(client, make_user, Role.MANAGER)
    flat = make_flat("offered")
    response = post_form(
        client,
        f"/flats/{flat.id}/status",
        {"revision": flat.revision, "to_status": "viewed", "note": "Fin"},
        f"/flats/{flat.id}",
    )
    assert response.status_code == 303
    change = FlatStatusChange.get(FlatStatusChange.to_status == "viewed")
    assert (change.from_status, change.changed_by_id, change.note) == ("offered", manager.id, "Fin")


def test_a_stale_status_change_is_refused_saying_what_changed(client, make_user, make_flat):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat("offered")
    post_form(
        client,
        f"/flats/{flat.id}/status",
        {"revision": flat.revision, "to_status": "viewed", "note": ""},
        f"/flats/{flat.id}",
    )
    stale = post_form(
        client,
        f"/flats/{flat.id}/status",
        {"revision": flat.revision, "to_status": "rejected", "note": ""},
        f"/flats/{flat.id}",
    )
    assert stale.status_code == 409
    assert "den är nu Visad" in stale.get_data(as_text=True)
    assert Flat.get_by_id(flat.id).status == "viewed"


def test_the_manager_may_mark_ready_with_an_incomplete_checklist_and_it_says_so(
    client, make_user, make_flat
):
    _as(client, make_user, Role.MANAGER)
    flat = make_flat("equipping")
    post_form(
        client,
        f"/flats/{flat.id}/status",
        {"revision": flat.revision, "to_status": "ready", "note": ""},
        f"/flats/{flat.id}",
    )
    flat = Flat.get_by_id(flat.id)
    assert (flat.status, flat.ready_since) == ("ready", TODAY)
    assert (
        "checklistan inte klar" in FlatStatusChange.get(FlatStatusChange.to_status == "ready").note
    )


def _checklist(client, flat, headers=None, **items):
    token = csrf_token(client, f"/flats/{flat.id}")
    data = {"csrf_token": token, "revision": Flat.get_by_id(flat.id).revision, **items}
    return client.post(f"/flats/{flat.id}/checklist", data=data, headers=headers or {})


def test_the_caretaker_completes_the_checklist_and_the_flat_becomes_ready(
    client, make_user, make_flat
):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat("equipping")
    partial = _checklist(client, flat, HX, has_furniture="y", has_kitchenware="y")
    assert partial.status_code == 200
    assert partial.get_data(as_text=True).lstrip().startswith('<section id="equipping"')
    assert Flat.get_by_id(flat.id).status == "equipping"
    done = _checklist(
        client,
        flat,
        HX,
        has_furniture="y",
        has_kitchenware="y",
        has_bedding="y",
        keys_handed_over="y",
        key_count="3",
        inspection_done="y",
    )
    assert "Klar" in done.get_data(as_text=True)
    flat = Flat.get_by_id(flat.id)
    assert (flat.status, flat.key_count, flat.ready_since) == ("ready", 3, TODAY)
    assert FlatStatusChange.get(FlatStatusChange.to_status == "ready").note == "checklistan klar"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ({"keys_handed_over": "y"}, "Ange hur många nycklar"),
        ({"keys_handed_over": "y", "key_count": "0"}, "Ange 1 till 20 nycklar."),
    ],
)
def test_keys_need_a_count(client, make_user, make_flat, items, message):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat("equipping")
    response = _checklist(client, flat, HX, **items)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert not Flat.get_by_id(flat.id).keys_handed_over


def test_the_checklist_without_javascript_redirects(client, make_user, make_flat):
    _as(client, make_user, Role.CARETAKER)
    flat = make_flat("equipping")
    assert _checklist(client, flat, has_bedding="y").status_code == 303
    assert Flat.get_by_id(flat.id).has_bedding


def test_vacancy_days_and_cost_on_the_list_and_the_flat(
    client, make_user, make_flat, make_pipeline_landlord
):
    _as(client, make_user, Role.STAFF)
    vacant = make_flat("ready", ready_since=TODAY - dt.timedelta(days=10), address="Ledig 1")
    occupied = make_flat("ready", ready_since=TODAY - dt.timedelta(days=30), address="Bebodd 2")
    Tenancy.create(
        flat=occupied,
        referral=_referral(),
        contact_person=make_user("staff"),
        start_date=TODAY,
        rent=7000,
    )
    make_flat("offered", address="Erbjuden 3")
    page = client.get("/flats/").get_data(as_text=True)
    assert (
        "1 lediga, som kostat 2\u00a0400\u00a0kr hittills" in page
    )  # 7 300 × 12 / 365 = 240 kr a day
    detail = client.get(f"/flats/{vacant.id}").get_data(as_text=True)
    assert "Ledig i 10 dagar" in detail


def _referral():
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


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?status=ready", ["Klar 1"], ["Erbjuden 2"]),
        ("?district=Årsta", ["Erbjuden 2"], ["Klar 1"]),
        ("?kind=trial", ["Erbjuden 2"], ["Klar 1"]),
    ],
)
def test_the_list_filters(client, make_user, make_flat, query, shown, hidden):
    _as(client, make_user, Role.CARETAKER)
    make_flat("ready", address="Klar 1", ready_since=TODAY)
    make_flat("offered", address="Erbjuden 2", district="Årsta", kind="trial")
    response = client.get(f"/flats/{query}", headers=HX)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="flats-table"')
    for text in shown:
        assert text in body
    for text in hidden:
        assert text not in body


@pytest.mark.parametrize("query", ["?status=castle", "?landlord=abc", "?district=Atlantis"])
def test_bad_filters_get_a_message(client, make_user, make_flat, query):
    _as(client, make_user, Role.STAFF)
    make_flat()
    response = client.get(f"/flats/{query}")
    assert response.status_code == 400
    assert "inte giltiga" in response.get_data(as_text=True)


def test_a_stale_edit_loses(client, make_user, make_flat, landlord):
    _as(client, make_user, Role.STAFF)
    flat = make_flat()
    url = f"/flats/{flat.id}/edit"
    form = _form(landlord, revision=str(flat.revision))
    assert post_form(client, url, form).status_code == 303
    assert post_form(client, url, {**form, "address": "Annan 9"}).status_code == 409
    assert Flat.get_by_id(flat.id).address == "Rinkebysvängen 12"


def test_a_missing_flat_is_404(client, make_user):
    _as(client, make_user, Role.STAFF)
    assert client.get("/flats/99999").status_code == 404


@pytest.mark.parametrize(
    ("role", "read", "register", "status", "checklist"),
    [
        (Role.MANAGER, 200, 200, 303, 303),
        (Role.STAFF, 200, 200, 403, 403),
        (Role.CARETAKER, 200, 403, 403, 303),
        (Role.LANDLORD, 403, 403, 403, 403),
        (Role.ADMIN, 403, 403, 403, 403),
    ],
)
def test_who_may_do_what_with_flats(
    client, make_user, make_flat, role, read, register, status, checklist
):
    _as(client, make_user, role)
    flat = make_flat("equipping")
    assert client.get("/flats/").status_code == read
    assert client.get(f"/flats/{flat.id}").status_code == read
    assert client.get("/flats/new").status_code == register
    token = csrf_token(client, "/account/password")
    moved = client.post(
        f"/flats/{flat.id}/status",
        data={"csrf_token": token, "revision": flat.revision, "to_status": "returned"},
    )
    assert moved.status_code == status
    ticked = client.post(
        f"/flats/{flat.id}/checklist",
        data={
            "csrf_token": token,
            "revision": Flat.get_by_id(flat.id).revision,
            "has_bedding": "y",
        },
    )
    assert ticked.status_code == (checklist if status != 303 else 422)


def test_the_list_runs_a_fixed_number_of_queries(client, make_user, make_flat):
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
    assert queries() == small


def test_the_demo_has_flats_in_every_status(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
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

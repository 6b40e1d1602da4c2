"""The pipeline pages through the test client: board, moves, landlord page, reports, roles."""

import datetime as dt
import re

import pytest
from conftest import csrf_token, login, post_form
from helpers import count_queries

from intranet import clock
from intranet.landlords import services
from intranet.models import Activity, Landlord, LandlordContact, Role, StageChange

HX = {"HX-Request": "true"}


@pytest.fixture
def manager_client(client, make_user):
    manager = make_user(Role.MANAGER, display_name="Maria Lindqvist")
    login(client, manager)
    client.user = manager
    return client


def _board(client, query=""):
    response = client.get(f"/landlords/pipeline{query}")
    return response, response.get_data(as_text=True)


def _column_count(page, stage):
    match = re.search(
        rf'id="column-head-{stage}".*?class="column-count">([^<]*)<.*?class="column-flats">([^<]*)<',
        page,
        re.S,
    )
    return match.group(1).strip(), match.group(2).strip()


def test_the_board_has_a_column_per_stage_with_counts(manager_client, make_pipeline_landlord):
    make_pipeline_landlord("contacted", name="Svenska Bostäder", expected_flats=8)
    make_pipeline_landlord("contacted", name="Hembla", expected_flats=3)
    make_pipeline_landlord("negotiating", name="Rikshem", expected_flats=2)
    response, page = _board(manager_client)
    assert response.status_code == 200
    for stage in [
        "identified",
        "contacted",
        "meeting_booked",
        "negotiating",
        "agreement_signed",
        "paused",
        "declined",
    ]:
        assert f'id="cards-{stage}"' in page
    assert _column_count(page, "contacted") == ("2 hyresvärdar", "11 lägenheter väntas")
    assert _column_count(page, "negotiating") == ("1 hyresvärd", "2 lägenheter väntas")
    assert "Svenska Bostäder" in page


def test_overdue_follow_ups_stand_out(manager_client, make_pipeline_landlord):
    clock.set_clock(dt.date(2026, 11, 23))
    make_pipeline_landlord(name="Sen", next_follow_up=dt.date(2026, 11, 20))
    make_pipeline_landlord(name="I tid", next_follow_up=dt.date(2026, 11, 24))
    _, page = _board(manager_client)
    late = page[page.index("Sen</a>") - 400 : page.index("Sen</a>") + 900]
    assert 'class="card overdue"' in late and "försenad" in late
    on_time = page[page.index("I tid</a>") - 400 : page.index("I tid</a>") + 900]
    assert "försenad" not in on_time


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?q=bost", ["Svenska Bostäder"], ["Hembla"]),
        ("?kind=private_owner", ["Karin Lund"], ["Svenska Bostäder"]),
        ("?overdue=y", ["Hembla"], ["Svenska Bostäder", "Karin Lund"]),
    ],
)
def test_filters_narrow_the_board(manager_client, make_pipeline_landlord, query, shown, hidden):
    clock.set_clock(dt.date(2026, 11, 23))
    make_pipeline_landlord(name="Svenska Bostäder", kind="municipal_company")
    make_pipeline_landlord(
        name="Hembla", kind="private_company", next_follow_up=dt.date(2026, 11, 1)
    )
    make_pipeline_landlord(name="Karin Lund", kind="private_owner")
    response, page = _board(manager_client, query)
    assert response.status_code == 200
    for name in shown:
        assert name in page
    for name in hidden:
        assert name not in page


def test_the_owner_filter(manager_client, make_user, make_pipeline_landlord):
    staff = make_user(Role.STAFF)
    make_pipeline_landlord(name="Mine", owner=manager_client.user.id)
    make_pipeline_landlord(name="Theirs", owner=staff.id)
    _, page = _board(manager_client, f"?owner={staff.id}")
    assert "Theirs" in page and "Mine</a>" not in page


def test_the_owner_is_found_by_part_of_the_name_not_from_a_select_of_every_member_of_staff(
    manager_client, make_user, make_pipeline_landlord
):
    lena = make_user(Role.STAFF, display_name="Lena Ek")
    make_user(Role.CARETAKER, display_name="Lennart Vaktmästare")  # owns no relationships
    make_pipeline_landlord(name="Mine", owner=manager_client.user.id)
    make_pipeline_landlord(name="Hers", owner=lena.id)
    _, page = _board(manager_client, "")
    filters = page.split('class="board-filters"')[1].split("</form>")[0]
    assert 'name="owner"' not in filters and filters.count("<select") == 1  # the kind only
    assert 'list="owner-names"' in filters and "/landlords/owner-names" in filters
    names = manager_client.get("/landlords/owner-names?owner_name=len").get_data(as_text=True)
    assert names == '<option value="Lena Ek"></option>'
    _, found = _board(manager_client, "?owner_name=lena")
    assert "Hers" in found and "Mine</a>" not in found
    _, linked = _board(manager_client, f"?owner={lena.id}")
    assert "Bara hyresvärdarna som Lena Ek har" in linked
    assert 'href="/landlords/pipeline">alla</a>' in linked
    too_long, _page = _board(manager_client, "?owner_name=" + "x" * 101)
    assert too_long.status_code == 400


@pytest.mark.parametrize("query", ["?owner=abc", "?owner=99999", "?kind=castle", "?q=" + "x" * 500])
def test_bad_filters_get_a_message_not_a_500(manager_client, make_pipeline_landlord, query):
    make_pipeline_landlord(name="Synlig")
    response, page = _board(manager_client, query)
    assert response.status_code == 400
    assert "inte giltiga" in page
    assert "Synlig" in page


def test_an_htmx_filter_gets_the_board_only(manager_client, make_pipeline_landlord):
    make_pipeline_landlord(name="Svenska Bostäder")
    response = manager_client.get("/landlords/pipeline?q=svenska", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="board"')
    assert "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def _move(client, landlord, to_stage, from_stage=None, headers=None, **extra):
    token = csrf_token(client, "/landlords/pipeline")
    data = {
        "csrf_token": token,
        "from_stage": from_stage or landlord.stage,
        "to_stage": to_stage,
        "board_query": extra.pop("board_query", ""),
        **extra,
    }
    return client.post(f"/landlords/{landlord.id}/stage", data=data, headers=headers or {})


def test_an_htmx_move_returns_the_card_and_new_counts(manager_client, make_pipeline_landlord):
    landlord = make_pipeline_landlord("contacted", name="Hembla", expected_flats=4)
    response = _move(manager_client, landlord, "meeting_booked", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'hx-swap-oob="beforeend:#cards-meeting_booked"' in body
    assert f'id="landlord-{landlord.id}"' in body
    assert _column_count(body, "meeting_booked") == ("1 hyresvärd", "4 lägenheter väntas")
    assert _column_count(body, "contacted") == ("0 hyresvärdar", "0 lägenheter väntas")
    assert Landlord.get_by_id(landlord.id).stage == "meeting_booked"
    history = StageChange.select().where(StageChange.landlord == landlord.id).count()
    assert history == 2


def test_counts_after_a_move_respect_the_boards_filters(manager_client, make_pipeline_landlord):
    landlord = make_pipeline_landlord("contacted", name="Hembla", kind="private_company")
    make_pipeline_landlord("meeting_booked", name="Kommunalt", kind="municipal_company")
    response = _move(
        manager_client, landlord, "meeting_booked", headers=HX, board_query="kind=private_company"
    )
    assert _column_count(response.get_data(as_text=True), "meeting_booked")[0] == "1 hyresvärd"


def test_a_move_without_javascript_redirects_back_to_the_filtered_board(
    manager_client, make_pipeline_landlord
):
    landlord = make_pipeline_landlord("contacted")
    response = _move(manager_client, landlord, "meeting_booked", board_query="q=ab")
    assert response.status_code == 303
    assert response.headers["Location"] == "/landlords/pipeline?q=ab"


def test_declining_without_a_reason_asks_for_one_in_place(manager_client, make_pipeline_landlord):
    landlord = make_pipeline_landlord("meeting_booked", name="Nyckelhus")
    response = _move(manager_client, landlord, "declined", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.lstrip().startswith(f'<li id="landlord-{landlord.id}"')
    assert "Ange varför hyresvärden tackade nej." in body
    assert 'name="decline_reason"' in body
    assert Landlord.get_by_id(landlord.id).stage == "meeting_booked"
    response = _move(
        manager_client, landlord, "declined", headers=HX, decline_reason="wants_guarantees"
    )
    assert response.status_code == 200
    assert Landlord.get_by_id(landlord.id).declined_reason == "wants_guarantees"


@pytest.mark.parametrize(
    ("to_stage", "extra"),
    [
        ("castle", {}),
        ("", {}),
        ("declined", {"decline_reason": "made-up"}),
        ("declined", {"decline_reason": "other", "decline_note": "n" * 10_000}),
        ("meeting_booked", {"decline_note": "n" * 10_000}),
        ("identified", {"back_reason": "n" * 10_000, "confirmed": "y"}),
        ("identified", {"back_reason": "Fel", "confirmed": "y", "shown_on": "elsewhere"}),
        ("negotiating", {}),
    ],
)
def test_bad_moves_are_refused_and_change_nothing(
    manager_client, make_pipeline_landlord, to_stage, extra
):
    landlord = make_pipeline_landlord("contacted")
    response = _move(manager_client, landlord, to_stage, **extra)
    assert response.status_code == 422
    assert Landlord.get_by_id(landlord.id).stage == "contacted"
    assert StageChange.select().where(StageChange.landlord == landlord.id).count() == 1


def test_the_second_of_two_moves_is_refused_saying_what_changed(
    app, make_user, make_pipeline_landlord
):
    first, second = app.test_client(), app.test_client()
    login(first, make_user(Role.MANAGER, display_name="Maria"))
    login(second, make_user(Role.MANAGER, display_name="Omar"))
    landlord = make_pipeline_landlord("contacted", name="Hembla")
    assert _move(first, landlord, "meeting_booked", headers=HX).status_code == 200
    response = _move(second, landlord, "paused", from_stage="contacted", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#board"
    assert "Maria hade redan flyttat Hembla till Möte bokat" in body
    assert Landlord.get_by_id(landlord.id).stage == "meeting_booked"
    assert StageChange.select().where(StageChange.landlord == landlord.id).count() == 2


def test_a_move_of_a_missing_landlord_is_404(manager_client):
    token = csrf_token(manager_client, "/landlords/pipeline")
    response = manager_client.post(
        "/landlords/99999/stage",
        data={"csrf_token": token, "from_stage": "x", "to_stage": "paused"},
    )
    assert response.status_code == 404


def _landlord_form(**fields):
    return {
        "name": "Nya Bostäder AB",
        "org_number": "556036-0793",
        "kind": "private_company",
        "stage": "identified",
        "owner_name": "",
        "expected_flats": "3",
        "next_follow_up": "",
        "website": "",
        "districts": "Rinkeby , Tensta",
        "notes": "",
        **fields,
    }


def test_the_manager_adds_a_landlord(manager_client):
    response = post_form(manager_client, "/landlords/new", _landlord_form())
    assert response.status_code == 303
    landlord = Landlord.get(Landlord.name == "Nya Bostäder AB")
    assert landlord.org_number == "556036-0793"
    assert landlord.districts == "Rinkeby, Tensta"
    assert StageChange.get(StageChange.landlord == landlord.id).to_stage == "identified"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Ange organisationens namn."),
        ({"name": "n" * 10_000}, "Fältet får inte vara längre än 200 tecken."),
        ({"org_number": "556036-0794"}, "Det här är inte ett giltigt organisationsnummer"),
        ({"expected_flats": "-1"}, "Ange ett tal från 0 till 500."),
        ({"expected_flats": "many"}, "Ange ett heltal, till exempel 3."),
        ({"next_follow_up": "2020-01-01"}, "Ett uppföljningsdatum kan inte ligga i det förflutna."),
        ({"next_follow_up": "2099-01-01"}, "Ett uppföljningsdatum måste ligga inom två år."),
        ({"next_follow_up": "2026-13-45"}, "Inte ett giltigt datum"),
        ({"stage": "declined"}, "Välj ett av alternativen."),
        ({"kind": "castle"}, "Välj ett av alternativen."),
        ({"owner_name": "Ingen Alls"}, "Ingen som kan äga en relation heter så"),
        ({"website": "not a url"}, "Ange en webbadress."),
    ],
)
def test_bad_landlord_input_comes_back_in_place(manager_client, fields, message):
    clock.set_clock(dt.date(2026, 11, 23))
    response = post_form(manager_client, "/landlords/new", _landlord_form(**fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Landlord.select().count() == 0


def test_a_name_in_use_warns_and_links_to_the_existing_one(manager_client, make_pipeline_landlord):
    existing = make_pipeline_landlord(name="Hembla AB")
    response = post_form(manager_client, "/landlords/new", _landlord_form(name=" hembla ab "))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'href="/landlords/{existing.id}"' in page
    assert Landlord.select().count() == 1
    response = post_form(
        manager_client, "/landlords/new", _landlord_form(name="Hembla AB", confirm_duplicate="y")
    )
    assert response.status_code == 303
    assert Landlord.select().count() == 2


def test_the_manager_edits_a_landlord_and_a_stale_edit_loses(
    manager_client, make_pipeline_landlord
):
    landlord = make_pipeline_landlord(name="Hembla")
    form = _landlord_form(name="Hembla AB", revision=str(landlord.revision))
    form.pop("stage")
    url = f"/landlords/{landlord.id}/edit"
    assert post_form(manager_client, url, form).status_code == 303
    stale = post_form(manager_client, url, {**form, "name": "Hembla Bostad"})
    assert stale.status_code == 409
    assert Landlord.get_by_id(landlord.id).name == "Hembla AB"


def test_an_overdue_follow_up_can_be_kept_when_editing(manager_client, make_pipeline_landlord):
    clock.set_clock(dt.date(2026, 11, 23))
    landlord = make_pipeline_landlord(name="Hembla", next_follow_up=dt.date(2026, 11, 1))
    form = _landlord_form(
        name="Hembla", revision=str(landlord.revision), next_follow_up="2026-11-01"
    )
    form.pop("stage")
    assert post_form(manager_client, f"/landlords/{landlord.id}/edit", form).status_code == 303


def test_the_landlord_page_shows_contacts_timeline_and_history(
    manager_client, make_pipeline_landlord
):
    landlord = make_pipeline_landlord("negotiating", name="Hembla")
    LandlordContact.create(landlord=landlord, name="Anna Ek", phone="08-123 45 67")
    response = manager_client.get(f"/landlords/{landlord.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Anna Ek" in page and "08-123 45 67" in page
    assert "Stegets historik" in page or "Steghistorik" in page
    assert f"/flats/new?landlord={landlord.id}" in page


def test_logging_an_activity_through_htmx_updates_timeline_and_follow_up(
    manager_client, make_pipeline_landlord
):
    clock.set_clock(dt.date(2026, 11, 23))
    landlord = make_pipeline_landlord(name="Hembla")
    url = f"/landlords/{landlord.id}/activities"
    response = post_form(
        manager_client,
        url,
        {
            "kind": "call",
            "occurred_on": "2026-11-23",
            "summary": "Ringde förvaltaren",
            "outcome": "",
            "next_step": "Boka möte",
            "next_step_on": "2026-11-30",
        },
        form_url=f"/landlords/{landlord.id}",
        headers=HX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="activities"')
    assert "Ringde förvaltaren" in body
    facts = body[body.index('<section id="facts"') :]
    assert facts[: facts.index(">")].endswith('hx-swap-oob="true"')
    assert '<dd id="next-follow-up">2026-11-30</dd>' in facts
    assert Landlord.get_by_id(landlord.id).next_follow_up == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"summary": ""}, "Skriv vad som hände."),
        ({"summary": "s" * 10_000}, "Fältet får inte vara längre än 2000 tecken."),
        ({"occurred_on": "2026-12-01"}, "En aktivitet kan inte loggas på ett framtida datum."),
        ({"occurred_on": "igår"}, "Inte ett giltigt datum"),
        ({"next_step_on": "2020-01-01", "next_step": "x"}, "Ett uppföljningsdatum kan inte ligga"),
        ({"next_step_on": "2026-12-01"}, "Ange vad nästa steg är."),
        ({"kind": "fax"}, "Välj ett av alternativen."),
    ],
)
def test_bad_activities_come_back_in_place(manager_client, make_pipeline_landlord, fields, message):
    clock.set_clock(dt.date(2026, 11, 23))
    landlord = make_pipeline_landlord()
    data = {
        "kind": "call",
        "occurred_on": "2026-11-23",
        "summary": "Ringde",
        "outcome": "",
        "next_step": "",
        "next_step_on": "",
        **fields,
    }
    response = post_form(
        manager_client,
        f"/landlords/{landlord.id}/activities",
        data,
        form_url=f"/landlords/{landlord.id}",
        headers=HX,
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Activity.select().count() == 0


def test_the_manager_adds_a_contact(manager_client, make_pipeline_landlord):
    landlord = make_pipeline_landlord()
    url = f"/landlords/{landlord.id}/contacts"
    data = {"name": "Anna Ek", "title": "Förvaltare", "phone": "08-1", "email": "Anna@Example.se"}
    assert (
        post_form(manager_client, url, data, form_url=f"/landlords/{landlord.id}").status_code
        == 303
    )
    assert LandlordContact.get().email == "anna@example.se"
    bad = post_form(
        manager_client, url, {**data, "email": "nope"}, form_url=f"/landlords/{landlord.id}"
    )
    assert bad.status_code == 422
    assert LandlordContact.select().count() == 1


def test_my_follow_ups_page(client, make_user, make_pipeline_landlord):
    clock.set_clock(dt.date(2026, 11, 25))
    staff = make_user(Role.STAFF)
    login(client, staff)
    make_pipeline_landlord(name="Försenad AB", owner=staff.id, next_follow_up=dt.date(2026, 11, 20))
    make_pipeline_landlord(name="Senare AB", owner=staff.id, next_follow_up=dt.date(2026, 12, 20))
    page = client.get("/landlords/follow-ups").get_data(as_text=True)
    assert "Försenad AB" in page and "Senare AB" not in page


def test_the_funnel_page(manager_client, make_pipeline_landlord):
    make_pipeline_landlord("contacted")
    response = manager_client.get("/landlords/funnel?start=2025-01-01&end=2026-12-31")
    assert response.status_code == 200
    assert "Konvertering" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["?start=abc", "?start=2026-05-01&end=2026-01-01", "?end=2026-02-30"]
)
def test_bad_funnel_periods_get_a_message(manager_client, query):
    response = manager_client.get(f"/landlords/funnel{query}")
    assert response.status_code == 400


MANAGER_ONLY = ["/landlords/new", "/landlords/{id}/edit"]
READ = ["/landlords/pipeline", "/landlords/{id}", "/landlords/follow-ups", "/landlords/funnel"]


@pytest.mark.parametrize(
    ("role", "can_read", "can_manage"),
    [
        (Role.MANAGER, True, True),
        (Role.STAFF, True, False),
        (Role.CARETAKER, False, False),
        (Role.LANDLORD, False, False),
        (Role.ADMIN, False, False),
    ],
)
def test_who_may_use_the_pipeline(
    client, make_user, make_pipeline_landlord, role, can_read, can_manage
):
    landlord = make_pipeline_landlord()
    login(client, make_user(role))
    for url in READ:
        assert client.get(url.format(id=landlord.id)).status_code == (200 if can_read else 403), url
    for url in MANAGER_ONLY:
        assert client.get(url.format(id=landlord.id)).status_code == (200 if can_manage else 403), (
            url
        )
    token = csrf_token(client, "/account/password")
    moved = client.post(
        f"/landlords/{landlord.id}/stage",
        data={"csrf_token": token, "from_stage": "identified", "to_stage": "contacted"},
    )
    assert moved.status_code == (303 if can_manage else 403)


def test_staff_see_no_move_controls_but_can_log_activities(
    client, make_user, make_pipeline_landlord
):
    landlord = make_pipeline_landlord()
    login(client, make_user(Role.STAFF))
    assert 'name="to_stage"' not in client.get("/landlords/pipeline").get_data(as_text=True)
    assert 'name="summary"' in client.get(f"/landlords/{landlord.id}").get_data(as_text=True)


def test_the_board_runs_a_fixed_number_of_queries(
    manager_client, make_user, make_pipeline_landlord
):
    owners = [make_user(Role.STAFF).id, manager_client.user.id]

    def queries():
        with count_queries() as log:
            assert manager_client.get("/landlords/pipeline").status_code == 200
        return len(log)

    for n in range(3):
        make_pipeline_landlord(["contacted", "negotiating", "paused"][n], owner=owners[n % 2])
    small = queries()
    for n in range(40):
        make_pipeline_landlord(
            ["identified", "contacted", "meeting_booked", "negotiating"][n % 4], owner=owners[n % 2]
        )
    assert queries() == small


def test_the_demo_spreads_about_thirty_landlords_over_every_stage(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    stages = {landlord.stage for landlord in Landlord.select()}
    assert stages == {
        "identified",
        "contacted",
        "meeting_booked",
        "negotiating",
        "agreement_signed",
        "paused",
        "declined",
    }
    assert 28 <= Landlord.select().count() <= 32
    assert LandlordContact.select().count() >= 30
    assert Activity.select().count() >= 30
    for landlord in Landlord.select().where(Landlord.stage == "declined"):
        assert landlord.declined_reason
    # Every step of every demo history is a move the pipeline allows, ending where it is.
    for landlord in Landlord.select():
        history = [(c.from_stage, c.to_stage) for c in services.stage_history(landlord.id)]
        assert history[0][0] is None and history[-1][1] == landlord.stage
        for (_, reached), (left, to_stage) in zip(history, history[1:], strict=False):
            assert left == reached and services.move_kind(left, to_stage) is not None


def test_the_owner_is_found_by_name_in_the_landlord_form_not_from_a_select(
    manager_client, make_user
):
    """The form's owner is typed, with suggestions from the server; two people with one
    name are told apart by their e-mail address, which the suggestions write beside it."""
    lena = make_user(Role.STAFF, display_name="Lena Berg")
    make_user(Role.STAFF, display_name="Sara Ek", email="sara.ek@example.org")
    other_sara = make_user(Role.STAFF, display_name="Sara Ek", email="sara.e@example.org")
    make_user(Role.CARETAKER, display_name="Lena Vaktmästare")
    page = manager_client.get("/landlords/new").get_data(as_text=True)
    assert 'name="owner"' not in page and 'list="owner-choices"' in page
    assert page.count("<select") == 2  # the kind and the stage only
    suggested = manager_client.get("/landlords/owner-choices?owner_name=sara")
    assert suggested.get_data(as_text=True).count("<option") == 2
    assert "Sara Ek (sara.e@example.org)" in suggested.get_data(as_text=True)
    lenas = manager_client.get("/landlords/owner-choices?owner_name=lena").get_data(as_text=True)
    assert '<option value="Lena Berg">' in lenas and "Vaktmästare" not in lenas

    shared = post_form(manager_client, "/landlords/new", _landlord_form(owner_name="sara ek"))
    assert shared.status_code == 422
    assert "Fler än en person har det här namnet" in shared.get_data(as_text=True)
    chosen = post_form(
        manager_client,
        "/landlords/new",
        _landlord_form(owner_name="Sara Ek (sara.e@example.org)"),
    )
    assert chosen.status_code == 303
    landlord = Landlord.get(Landlord.name == "Nya Bostäder AB")
    assert landlord.owner_id == other_sara.id

    edit = manager_client.get(f"/landlords/{landlord.id}/edit").get_data(as_text=True)
    assert 'value="Sara Ek (sara.e@example.org)"' in edit
    form = _landlord_form(owner_name="  lena berg ", revision=str(landlord.revision))
    assert post_form(manager_client, f"/landlords/{landlord.id}/edit", form).status_code == 303
    assert Landlord.get_by_id(landlord.id).owner_id == lena.id
    nobody = _landlord_form(owner_name="", revision=str(landlord.revision + 1))
    assert post_form(manager_client, f"/landlords/{landlord.id}/edit", nobody).status_code == 303
    assert Landlord.get_by_id(landlord.id).owner_id is None


def test_the_owner_suggestions_are_at_most_twenty(manager_client, make_user):
    for n in range(25):
        make_user(Role.STAFF, display_name=f"Anna {n:02}")
    page = manager_client.get("/landlords/owner-choices?owner_name=anna")
    assert page.get_data(as_text=True).count("<option") == 20
    # Without JavaScript the form's box offers the first twenty.
    form = manager_client.get("/landlords/new").get_data(as_text=True)
    box = form.split('<datalist id="owner-choices"', 1)[1].split("</datalist>", 1)[0]
    assert box.count("<option") == 20

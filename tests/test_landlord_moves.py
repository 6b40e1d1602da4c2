"""Moving a landlord between stages on the board and on the landlord's page, and what every
answer to a form sent in place (htmx) brings back: each part of the page that shows what
changed, by its id, with the new values. The pages are read in English."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from conftest import login, post_form
from helpers import count_queries

from intranet import clock
from intranet.landlords import services
from intranet.models import AuditEvent, Landlord, Role, Stage, StageChange

HX = {"HX-Request": "true"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Parts(HTMLParser):
    """Every element of an answer that has an id: its attributes, its text, and for a select
    its options as (value, selected)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.parts: dict[str, dict] = {}
        self.order: list[str] = []
        self._open: list[str | None] = []
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        element_id = attrs.get("id")
        if element_id:
            self.parts[element_id] = {"tag": tag, "attrs": attrs, "text": "", "options": []}
            self.order.append(element_id)
        if tag == "select":
            self._select = element_id
        if tag == "option" and self._select:
            self.parts[self._select]["options"].append((attrs.get("value"), "selected" in attrs))
        if tag not in VOID:
            self._open.append(element_id)

    def handle_endtag(self, tag):
        if tag not in VOID and self._open:
            self._open.pop()
        if tag == "select":
            self._select = None

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.parts[element_id]["text"] += data

    def __contains__(self, element_id):
        return element_id in self.parts

    def text(self, element_id) -> str:
        return " ".join(self.parts[element_id]["text"].split())

    def oob(self, element_id) -> bool:
        return self.parts[element_id]["attrs"].get("hx-swap-oob") == "true"


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.MANAGER, display_name="Maria Lindqvist", language="en")
    login(client, user)
    return client


def _move(client, landlord, to_stage, shown_on="board", headers=None, **extra):
    data = {
        "from_stage": extra.pop("from_stage", landlord.stage),
        "to_stage": to_stage,
        "shown_on": shown_on,
        "board_query": "",
        **extra,
    }
    return post_form(
        client,
        f"/landlords/{landlord.id}/stage",
        data,
        form_url="/landlords/pipeline",
        headers=headers or {},
    )


def _reasons(landlord):
    """The reason kept with each move of the landlord's history (None for a move forward)."""
    return [c.reason or None for c in services.stage_history(landlord.id)]


def _history(landlord):
    return [(c.from_stage, c.to_stage) for c in services.stage_history(landlord.id)]


# ---- the select offers the table's moves, and chooses none ----------------------------


@pytest.mark.input_only
@pytest.mark.parametrize("stage", Stage.ALL)
@pytest.mark.parametrize("page", ["board", "landlord"])
def test_the_select_offers_exactly_the_tables_moves_and_chooses_none(
    manager, make_pipeline_landlord, stage, page
):
    landlord = make_pipeline_landlord(stage, name="Hembla")
    url = "/landlords/pipeline" if page == "board" else f"/landlords/{landlord.id}"
    parts = Parts(manager.get(url).get_data(as_text=True))
    options = parts.parts[f"to-stage-{landlord.id}"]["options"]
    assert [value for value, _ in options] == [""] + [
        move.stage for move in services.moves_from(stage)
    ]
    assert not any(selected for _, selected in options)


def test_the_move_back_options_say_so(manager, make_pipeline_landlord):
    landlord = make_pipeline_landlord("agreement_signed", name="Hembla")
    page = manager.get(f"/landlords/{landlord.id}").get_data(as_text=True)
    assert '<option value="negotiating">Negotiating (back)</option>' in page
    assert '<option value="">Choose a stage</option>' in page


# ---- a move without a choice, or one the table does not allow --------------------------


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "no-js"])
def test_moving_without_choosing_asks_for_a_stage_on_the_landlords_page(
    manager, make_pipeline_landlord, headers
):
    landlord = make_pipeline_landlord("agreement_signed", name="Hembla")
    response = _move(manager, landlord, "", shown_on="landlord", headers=headers)
    body = response.get_data(as_text=True)
    parts = Parts(body)
    assert response.status_code == 422
    if headers:
        # Only the stage section comes back, with the message beside the select.
        assert body.lstrip().startswith('<section id="stage"')
        assert parts.order[0] == "stage" and not parts.oob("stage")
    else:
        assert "<html" in body and "facts" in parts and "history" in parts
    assert "Choose the stage to move the landlord to." in parts.text(
        f"to-stage-{landlord.id}-error"
    )
    assert parts.parts[f"to-stage-{landlord.id}"]["attrs"]["aria-invalid"] == "true"
    assert Landlord.get_by_id(landlord.id).stage == "agreement_signed"
    assert _history(landlord) == [(None, "agreement_signed")]


@pytest.mark.parametrize(
    ("stage", "to_stage"),
    [
        ("identified", "meeting_booked"),
        ("contacted", "agreement_signed"),
        ("paused", "agreement_signed"),
        ("contacted", "contacted"),
        ("contacted", "castle"),
    ],
)
def test_a_move_the_table_does_not_allow_is_refused_beside_the_field(
    manager, make_pipeline_landlord, stage, to_stage
):
    landlord = make_pipeline_landlord(stage)
    response = _move(manager, landlord, to_stage, headers=HX)
    parts = Parts(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Choose one of the options." in parts.text(f"to-stage-{landlord.id}-error")
    assert Landlord.get_by_id(landlord.id).stage == stage
    assert len(_history(landlord)) == 1


# ---- a move back asks for a tick and a reason ---------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"back_reason": "Avtalet sades upp"},
        {"confirmed": "y"},
        {"back_reason": "   ", "confirmed": "y"},
    ],
    ids=["neither", "no-tick", "no-reason", "blank-reason"],
)
@pytest.mark.parametrize("shown_on", ["board", "landlord"])
@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "no-js"])
def test_a_move_back_without_tick_and_reason_is_refused_and_changes_nothing(
    manager, make_pipeline_landlord, given, shown_on, headers
):
    landlord = make_pipeline_landlord("agreement_signed", name="Hembla")
    response = _move(manager, landlord, "identified", shown_on=shown_on, headers=headers, **given)
    body = response.get_data(as_text=True)
    parts = Parts(body)
    assert response.status_code == 422
    # The card asks again: the reason and the box, each with its message if it was missing.
    reason, tick = (
        parts.parts[f"back-reason-{landlord.id}"],
        parts.parts[f"confirmed-{landlord.id}"],
    )
    assert "required" in reason["attrs"] and "required" in tick["attrs"]
    assert tick["attrs"]["type"] == "checkbox" and tick["attrs"]["name"] == "confirmed"
    if not given.get("back_reason", "").strip():
        assert "Say why the landlord is moved back." in parts.text(
            f"back-reason-{landlord.id}-error"
        )
    if not given.get("confirmed"):
        assert "Tick the box to confirm." in parts.text(f"confirmed-{landlord.id}-error")
    assert "This moves Hembla back from Agreement signed to Identified." in " ".join(body.split())
    assert parts.parts[f"to-stage-{landlord.id}"]["options"][-1] == ("identified", True)
    assert Landlord.get_by_id(landlord.id).stage == "agreement_signed"
    assert _history(landlord) == [(None, "agreement_signed")]
    assert AuditEvent.select().where(AuditEvent.action == "moved_back").count() == 0


def test_a_move_back_with_tick_and_reason_moves_and_the_page_shows_why(
    manager, make_pipeline_landlord
):
    landlord = make_pipeline_landlord("agreement_signed", name="Hembla")
    response = _move(
        manager,
        landlord,
        "negotiating",
        shown_on="landlord",
        headers=HX,
        back_reason="Avtalet sades upp, vi förhandlar om",
        confirmed="y",
    )
    parts = Parts(response.get_data(as_text=True))
    assert response.status_code == 200
    assert Landlord.get_by_id(landlord.id).stage == "negotiating"
    # The stage section is the target; the facts, flats, history and message come out of band.
    assert parts.order[0] == "stage" and not parts.oob("stage")
    assert all(parts.oob(part) for part in ("facts", "flats", "history", "messages"))
    assert "Negotiating (since" in parts.text("current-stage")
    assert "Avtalet sades upp, vi förhandlar om" in parts.text("history")
    assert "Hembla moved to Negotiating." in parts.text("messages")
    options = parts.parts[f"to-stage-{landlord.id}"]["options"]
    assert options[1] == ("agreement_signed", False)
    # Negotiating still takes flats: the flats section offers to register one.
    assert "Register an offered flat" in parts.text("flats")
    page = manager.get(f"/landlords/{landlord.id}").get_data(as_text=True)
    assert "Avtalet sades upp, vi förhandlar om" in Parts(page).text("history")


def test_a_move_back_on_the_board_moves_the_card_and_keeps_the_reason(
    manager, make_pipeline_landlord
):
    landlord = make_pipeline_landlord("declined", name="Hembla", declined_reason="no_flats")
    response = _move(
        manager, landlord, "contacted", headers=HX, back_reason="Nya lägenheter", confirmed="y"
    )
    body = response.get_data(as_text=True)
    parts = Parts(body)
    assert response.status_code == 200
    assert 'hx-swap-oob="beforeend:#cards-contacted"' in body
    assert f"landlord-{landlord.id}" in parts
    assert parts.oob("column-head-contacted") and "1 landlord" in parts.text(
        "column-head-contacted"
    )
    assert "0 landlords" in parts.text("column-head-declined")
    assert "Hembla moved to Contacted." in parts.text("messages")
    moved = Landlord.get_by_id(landlord.id)
    assert (moved.stage, moved.declined_reason) == ("contacted", None)
    assert _reasons(landlord) == [None, "Nya lägenheter"]


def test_a_move_back_without_javascript_returns_to_the_landlords_page(
    manager, make_pipeline_landlord
):
    landlord = make_pipeline_landlord("meeting_booked", name="Hembla")
    response = _move(
        manager,
        landlord,
        "contacted",
        shown_on="landlord",
        back_reason="Mötet ställdes in",
        confirmed="y",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/landlords/{landlord.id}#stage"
    page = Parts(manager.get(response.headers["Location"]).get_data(as_text=True))
    assert "Hembla moved to Contacted." in page.text("messages")
    assert "Mötet ställdes in" in page.text("history")


def test_a_move_forward_asks_for_no_reason(manager, make_pipeline_landlord):
    landlord = make_pipeline_landlord("negotiating", name="Hembla")
    response = _move(manager, landlord, "agreement_signed", shown_on="landlord", headers=HX)
    assert response.status_code == 200
    assert Landlord.get_by_id(landlord.id).stage == "agreement_signed"
    assert _reasons(landlord) == [None, None]


def test_declining_from_an_agreement_asks_for_both_reasons(manager, make_pipeline_landlord):
    landlord = make_pipeline_landlord("agreement_signed", name="Hembla")
    response = _move(manager, landlord, "declined", headers=HX)
    parts = Parts(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Say why the landlord declined." in parts.text(f"decline-reason-{landlord.id}-error")
    assert "Say why the landlord is moved back." in parts.text(f"back-reason-{landlord.id}-error")
    assert "Tick the box to confirm." in parts.text(f"confirmed-{landlord.id}-error")
    response = _move(
        manager,
        landlord,
        "declined",
        headers=HX,
        decline_reason="bad_experience",
        back_reason="Sade upp avtalet",
        confirmed="y",
    )
    assert response.status_code == 200
    assert Landlord.get_by_id(landlord.id).declined_reason == "bad_experience"


def test_a_stale_move_on_the_landlords_page_sends_every_part_again(
    app, manager, make_user, make_pipeline_landlord
):
    landlord = make_pipeline_landlord("contacted", name="Hembla")
    services.move_stage(landlord.id, "contacted", "meeting_booked", make_user(Role.MANAGER))
    response = _move(
        manager, landlord, "paused", from_stage="contacted", shown_on="landlord", headers=HX
    )
    parts = Parts(response.get_data(as_text=True))
    assert response.status_code == 409
    assert parts.order[0] == "stage"
    assert all(parts.oob(part) for part in ("facts", "flats", "history", "messages"))
    assert "Meeting booked" in parts.text("current-stage")
    assert "Not moved" in parts.text("messages")
    assert Landlord.get_by_id(landlord.id).stage == "meeting_booked"


# ---- every answer in place brings each part that shows what changed ------------------------


def _log(client, landlord, headers=HX, **fields):
    data = {
        "kind": "call",
        "occurred_on": "2026-11-23",
        "summary": "Ringde förvaltaren",
        "outcome": "",
        "next_step": "Boka möte",
        "next_step_on": "2026-11-30",
        **fields,
    }
    return post_form(
        client,
        f"/landlords/{landlord.id}/activities",
        data,
        form_url=f"/landlords/{landlord.id}",
        headers=headers,
    )


def test_logging_an_activity_sends_the_follow_up_and_the_stage_card_again(
    manager, make_pipeline_landlord
):
    clock.set_clock(dt.date(2026, 11, 23))
    landlord = make_pipeline_landlord(name="Hembla", next_follow_up=dt.date(2026, 11, 24))
    response = _log(manager, landlord)
    body = response.get_data(as_text=True)
    parts = Parts(body)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="activities"')
    assert "Ringde förvaltaren" in parts.text("activities")
    # The form is empty again for the next activity.
    assert parts.parts["next_step_on"]["attrs"].get("value", "") == ""
    assert parts.oob("facts") and "2026-11-30" in parts.text("next-follow-up")
    assert parts.oob("stage") and "2026-11-30" in parts.text(f"landlord-{landlord.id}")
    assert "2026-11-24" not in parts.text(f"landlord-{landlord.id}")
    assert parts.oob("messages") and "The activity is logged." in parts.text("messages")


def test_staff_logging_an_activity_get_no_stage_card(client, make_user, make_pipeline_landlord):
    clock.set_clock(dt.date(2026, 11, 23))
    login(client, make_user(Role.STAFF, language="en"))
    landlord = make_pipeline_landlord(name="Hembla")
    parts = Parts(_log(client, landlord).get_data(as_text=True))
    assert "2026-11-30" in parts.text("next-follow-up")
    assert "stage" not in parts


def test_a_refused_activity_sends_its_form_only(manager, make_pipeline_landlord):
    clock.set_clock(dt.date(2026, 11, 23))
    landlord = make_pipeline_landlord(name="Hembla")
    response = _log(manager, landlord, summary="")
    parts = Parts(response.get_data(as_text=True))
    assert response.status_code == 422
    assert parts.order[0] == "activities"
    assert not {"facts", "stage", "messages"} & set(parts.order)
    assert parts.parts["next_step_on"]["attrs"]["value"] == "2026-11-30"


def test_adding_a_contact_sends_the_contacts_and_the_message(manager, make_pipeline_landlord):
    landlord = make_pipeline_landlord(name="Hembla")
    response = post_form(
        manager,
        f"/landlords/{landlord.id}/contacts",
        {"name": "Anna Ek", "title": "Förvaltare", "phone": "", "email": ""},
        form_url=f"/landlords/{landlord.id}",
        headers=HX,
    )
    parts = Parts(response.get_data(as_text=True))
    assert response.status_code == 200
    assert parts.order[0] == "contacts" and "Anna Ek, Förvaltare" in parts.text("contacts")
    assert parts.oob("messages") and "The contact is added." in parts.text("messages")


def test_a_move_on_the_board_sends_the_card_the_counts_and_the_message(
    manager, make_pipeline_landlord
):
    landlord = make_pipeline_landlord("contacted", name="Hembla", expected_flats=4)
    make_pipeline_landlord("meeting_booked", name="Rikshem", expected_flats=2)
    response = _move(manager, landlord, "meeting_booked", headers=HX)
    body = response.get_data(as_text=True)
    parts = Parts(body)
    assert response.status_code == 200
    assert 'hx-swap-oob="beforeend:#cards-meeting_booked"' in body
    assert "0 days in stage" in parts.text(f"landlord-{landlord.id}")
    for stage in Stage.ALL:
        assert parts.oob(f"column-head-{stage}")
    assert "2 landlords" in parts.text("column-head-meeting_booked")
    assert "6 flats expected" in parts.text("column-head-meeting_booked")
    assert "0 landlords" in parts.text("column-head-contacted")
    assert "Hembla moved to Meeting booked." in parts.text("messages")


def test_the_messages_are_not_shown_twice(manager, make_pipeline_landlord):
    landlord = make_pipeline_landlord("contacted", name="Hembla")
    assert _move(manager, landlord, "meeting_booked", headers=HX).status_code == 200
    page = Parts(manager.get("/landlords/pipeline").get_data(as_text=True))
    assert "moved to" not in page.text("messages")


def test_the_history_with_its_reasons_costs_no_query_per_move(manager, make_pipeline_landlord):
    landlord = make_pipeline_landlord("agreement_signed", name="Hembla")

    def queries():
        with count_queries() as log:
            assert manager.get(f"/landlords/{landlord.id}").status_code == 200
        return len(log)

    before = queries()
    for n, (back, forward) in enumerate([("negotiating", "agreement_signed")] * 3):
        services.move_stage(landlord.id, forward, back, None, back_reason=f"Skäl {n}")
        services.move_stage(landlord.id, back, forward, None)
    assert queries() == before


def test_the_audit_log_keeps_who_moved_a_landlord_back(manager, make_pipeline_landlord):
    landlord = make_pipeline_landlord("contacted", name="Hembla")
    _move(manager, landlord, "identified", headers=HX, back_reason="Fel steg", confirmed="y")
    change = StageChange.latest(landlord.id)
    event = AuditEvent.get(AuditEvent.action == "moved_back")
    # The reason is kept with the move, where anonymising reaches it; the log says who.
    assert (event.subject_type, event.subject_id, event.detail) == (
        "landlord",
        landlord.id,
        "contacted -> identified",
    )
    assert change.reason == "Fel steg"
    assert event.actor.display_name == "Maria Lindqvist"

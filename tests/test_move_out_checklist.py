"""The move-out checklist as plain services, on SQLite and PostgreSQL: a move-out sends a
ready flat to its checklist with the equipment left as it was; finishing makes it ready, or
sends it to equipping for exactly what is missing; finishing early and moves outside the
status table are refused."""

import datetime as dt

import pytest
from helpers import add_resident
from peewee import IntegrityError

from intranet import clock
from intranet.database import write_transaction
from intranet.flats import services
from intranet.flats.move_out import MoveOutValues, Unfinished, save_move_out
from intranet.models import Commissioner, Flat, FlatStatusChange, MoveOutChecklist
from intranet.residents import services as residents

TODAY = dt.date(2027, 3, 10)
EQUIPPED = {
    "has_furniture": True,
    "has_kitchenware": True,
    "has_bedding": True,
    "keys_handed_over": True,
    "key_count": 3,
    "inspection_done": True,
}
# Keys, inspection and cleaning recorded: what finishing needs.
DONE = {"keys_returned": True, "key_count": 3, "inspection_done": True, "cleaned": True}


@pytest.fixture
def actors(make_user):
    return make_user("manager"), make_user("caretaker")


@pytest.fixture
def english(app):
    """The notes the services write are in the language of the request that makes them."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def make_flat(make_pipeline_landlord):
    clock.set_clock(dt.datetime(2027, 3, 10, 9, 30))
    landlord = make_pipeline_landlord("agreement_signed")

    def make(status="ready", **fields):
        values = {
            "landlord": landlord,
            "address": "Farstavägen 3",
            "postcode": "12347",
            "district": "Farsta",
            "rooms": 2,
            "size_m2": 50,
            "floor": 1,
            "rent_to_landlord": 7300,
            "rent_to_resident": 7300,
            "status": status,
            "ready_since": TODAY - dt.timedelta(days=200) if status == "ready" else None,
            **EQUIPPED,
        }
        return Flat.create(**{**values, **fields})

    return make


@pytest.fixture
def moved_out(make_flat, actors):
    """A fully equipped flat (three keys) whose resident has just moved out."""

    def make(**fields):
        flat = make_flat(**fields)
        with write_transaction():
            services.start_move_out(flat.id, actors[1], "move-out inspection")
        return Flat.get_by_id(flat.id)

    return make


def _save(flat, actor, finish=False, **values):
    return save_move_out(flat.id, flat.revision, actor, MoveOutValues(**values), finish=finish)


def _equipment(flat_id):
    flat = Flat.get_by_id(flat_id)
    return {name: getattr(flat, name) for name in EQUIPPED}


def test_a_move_out_opens_the_checklist_and_keeps_the_equipment(
    app, make_pipeline_landlord, make_user, english
):
    clock.set_clock(dt.datetime(2027, 3, 10, 9, 30))
    staff = make_user("staff")
    landlord = make_pipeline_landlord("agreement_signed")
    tenancy = add_resident(
        landlord, Commissioner.create(name="Socialtjänsten"), staff, "Sara", **EQUIPPED
    )
    residents.move_out(tenancy.id, TODAY, "own_lease", "", staff)
    flat = Flat.get_by_id(tenancy.flat_id)
    assert (flat.status, flat.ready_since) == ("moved_out", None)
    assert _equipment(flat.id) == EQUIPPED
    checklist = MoveOutChecklist.get()
    assert (checklist.flat_id, checklist.keys_expected, checklist.finished_at) == (flat.id, 3, None)
    assert not (checklist.keys_returned or checklist.inspection_done or checklist.cleaned)
    change = FlatStatusChange.get()
    assert (change.from_status, change.to_status, change.changed_by_id) == (
        "ready",
        "moved_out",
        staff.id,
    )
    assert change.note == "move-out inspection"


def test_a_flat_without_a_key_count_expects_no_number(moved_out):
    flat = moved_out(keys_handed_over=False, key_count=None)
    assert MoveOutChecklist.get(MoveOutChecklist.flat == flat.id).keys_expected is None


def test_saving_without_finishing_keeps_the_flat_waiting(moved_out, actors):
    flat = moved_out()
    saved = _save(flat, actors[1], keys_returned=True, key_count=2, damage="  Hål i väggen  ")
    assert (saved.status, saved.revision) == ("moved_out", flat.revision + 1)
    checklist = MoveOutChecklist.get()
    assert (checklist.keys_returned, checklist.key_count, checklist.damage) == (
        True,
        2,
        "Hål i väggen",
    )
    assert checklist.keys_missing() == 1
    assert checklist.finished_at is None
    assert _equipment(flat.id) == EQUIPPED


def test_finishing_with_nothing_missing_makes_the_flat_ready(moved_out, actors, english):
    flat = moved_out()
    ready = _save(flat, actors[1], finish=True, **DONE)
    assert (ready.status, ready.ready_since) == ("ready", TODAY)
    assert _equipment(flat.id) == EQUIPPED
    checklist = MoveOutChecklist.get()
    assert (checklist.finished_at, checklist.finished_by_id) == (
        dt.datetime(2027, 3, 10, 9, 30),
        actors[1].id,
    )
    last = FlatStatusChange.latest(flat.id)
    assert (last.from_status, last.to_status, last.note) == (
        "moved_out",
        "ready",
        "move-out checklist finished",
    )


def test_finishing_with_bedding_missing_unticks_only_the_bedding(moved_out, actors, english):
    flat = moved_out()
    equipping = _save(flat, actors[1], finish=True, missing={"has_bedding"}, **DONE)
    assert (equipping.status, equipping.ready_since) == ("equipping", None)
    assert _equipment(flat.id) == {**EQUIPPED, "has_bedding": False}
    assert MoveOutChecklist.get().missing_bedding
    note = FlatStatusChange.latest(flat.id).note
    assert note == "move-out checklist finished; missing: Bedding"


def test_finishing_with_keys_short_sends_the_keys_to_equipping(moved_out, actors, english):
    flat = moved_out()
    done = {**DONE, "key_count": 2, "damage": "Repa i golvet"}
    equipping = _save(flat, actors[1], finish=True, **done)
    assert equipping.status == "equipping"
    assert _equipment(flat.id) == {**EQUIPPED, "keys_handed_over": False, "key_count": None}
    note = FlatStatusChange.latest(flat.id).note
    assert note == "move-out checklist finished; keys returned: 2 of 3, 1 missing; damage noted"


def test_more_keys_back_than_counted_are_counted(moved_out, actors):
    flat = moved_out(keys_handed_over=False, key_count=None)
    _save(flat, actors[1], finish=True, **{**DONE, "key_count": 4})
    assert _equipment(flat.id) == {**EQUIPPED, "key_count": 4}
    assert Flat.get_by_id(flat.id).status == "ready"


def test_no_keys_back_is_keys_missing(moved_out, actors):
    flat = moved_out(keys_handed_over=False, key_count=None)
    equipping = _save(flat, actors[1], finish=True, **{**DONE, "key_count": 0})
    assert (equipping.status, equipping.keys_handed_over) == ("equipping", False)


@pytest.mark.parametrize("undone", ["keys_returned", "inspection_done", "cleaned"])
def test_finishing_before_keys_inspection_and_cleaning_is_refused(moved_out, actors, undone):
    flat = moved_out()
    values = {**DONE, undone: False}
    if undone == "keys_returned":
        values["key_count"] = None
    with pytest.raises(Unfinished) as refused:
        _save(flat, actors[1], finish=True, **values)
    assert refused.value.field_name == undone
    assert list(refused.value.reasons) == [undone]
    after = Flat.get_by_id(flat.id)
    assert (after.status, after.revision) == ("moved_out", flat.revision)
    checklist = MoveOutChecklist.get()
    assert checklist.finished_at is None and not checklist.inspection_done


def test_finishing_an_empty_checklist_names_every_box(moved_out, actors):
    with pytest.raises(Unfinished) as refused:
        _save(moved_out(), actors[1], finish=True)
    assert list(refused.value.reasons) == ["keys_returned", "inspection_done", "cleaned"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"keys_returned": True}, "key_count"),
        ({"keys_returned": True, "key_count": -1}, "key_count"),
        ({"keys_returned": True, "key_count": 21}, "key_count"),
        ({"damage": "x" * 2001}, "damage"),
        ({"missing": {"has_sofa"}}, None),
    ],
)
def test_bad_values_are_refused(moved_out, actors, values, field):
    flat = moved_out()
    with pytest.raises(services.FlatError) as refused:
        _save(flat, actors[1], **values)
    assert refused.value.field_name == field
    assert Flat.get_by_id(flat.id).revision == flat.revision


def test_a_stale_checklist_is_refused(moved_out, actors):
    flat = moved_out()
    Flat.update(revision=Flat.revision + 1).where(Flat.id == flat.id).execute()
    with pytest.raises(services.StaleFlat):
        _save(flat, actors[1], finish=True, **DONE)
    assert Flat.get_by_id(flat.id).status == "moved_out"


@pytest.mark.parametrize("status", ["equipping", "offered", "returned"])
def test_a_move_out_from_a_status_the_table_does_not_allow_is_refused(make_flat, actors, status):
    flat = make_flat(status)
    with pytest.raises(services.FlatError), write_transaction():
        services.start_move_out(flat.id, actors[1], "move-out inspection")
    assert Flat.get_by_id(flat.id).status == status
    assert MoveOutChecklist.select().count() == FlatStatusChange.select().count() == 0


@pytest.mark.parametrize("status", ["ready", "equipping"])
def test_the_checklist_is_kept_only_while_the_flat_waits_for_it(make_flat, actors, status):
    flat = make_flat(status)
    with pytest.raises(services.FlatError):
        _save(flat, actors[1], finish=True, **DONE)
    assert Flat.get_by_id(flat.id).status == status


@pytest.mark.parametrize("to", ["offered", "contracted", "rejected", "moved_out"])
def test_the_manager_cannot_move_a_moved_out_flat_outside_the_table(moved_out, actors, to):
    flat = moved_out()
    with pytest.raises(services.FlatError):
        services.change_status(flat.id, flat.revision, to, actors[0], "", "moved_out")
    assert Flat.get_by_id(flat.id).status == "moved_out"
    assert MoveOutChecklist.get().finished_at is None


def test_the_manager_may_mark_ready_without_the_checklist_and_it_says_so(
    moved_out, actors, english
):
    flat = moved_out()
    ready = services.change_status(flat.id, flat.revision, "ready", actors[0], "", "moved_out")
    assert ready.status == "ready"
    note = FlatStatusChange.latest(flat.id).note
    assert note == "(marked ready by the manager; move-out checklist not finished)"
    assert MoveOutChecklist.get().finished_by_id == actors[0].id


def test_a_second_checklist_under_way_is_refused_by_the_database(moved_out):
    flat = moved_out()
    with pytest.raises(IntegrityError), write_transaction():
        MoveOutChecklist.create(flat=flat.id, opened_at=clock.now())


def test_each_move_out_keeps_its_own_checklist(moved_out, actors):
    flat = moved_out()
    _save(flat, actors[1], finish=True, **{**DONE, "damage": "Första"})
    with write_transaction():
        services.start_move_out(flat.id, actors[1], "move-out inspection")
    flat = Flat.get_by_id(flat.id)
    assert flat.status == "moved_out"
    _save(flat, actors[1], finish=True, **{**DONE, "damage": "Andra"})
    damages = [c.damage for c in MoveOutChecklist.finished_for(flat.id)]
    assert sorted(damages) == ["Andra", "Första"]


def test_damage_that_names_the_resident_is_found_for_the_data_protection_export(
    app, make_pipeline_landlord, make_user, actors
):
    from intranet import gdpr

    clock.set_clock(dt.datetime(2027, 3, 10, 9, 30))
    staff = make_user("staff")
    landlord = make_pipeline_landlord("agreement_signed")
    tenancy = add_resident(
        landlord, Commissioner.create(name="Socialtjänsten"), staff, "Sara", **EQUIPPED
    )
    residents.move_out(tenancy.id, TODAY, "own_lease", "", staff)
    flat = Flat.get_by_id(tenancy.flat_id)
    _save(flat, actors[1], damage="Sara Ek lämnade en trasig dörr")
    found = gdpr.footprint([tenancy.referral_id])
    checklist = MoveOutChecklist.get()
    assert found.texts[(MoveOutChecklist, MoveOutChecklist.damage)] == {
        checklist.id: "Sara Ek lämnade en trasig dörr"
    }

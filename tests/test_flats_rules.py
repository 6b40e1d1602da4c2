"""The flat rules as plain functions: the status moves, the checklist, vacancy days and cost."""

import datetime as dt
from decimal import Decimal

import pytest

from intranet import clock
from intranet.flats import services
from intranet.models import Flat, FlatStatus, FlatStatusChange, Tenancy

TODAY = dt.date(2026, 11, 23)
OPEN = ["offered", "viewed", "contracted", "equipping"]
ALLOWED = {
    ("offered", "viewed"),
    ("viewed", "contracted"),
    ("contracted", "equipping"),
    ("equipping", "ready"),
    ("ready", "equipping"),
    ("ready", "moved_out"),
    ("ready", "returned"),
    # Only the lease handed over to the resident moves a flat there (``road.services``).
    ("ready", "transferred"),
    ("moved_out", "ready"),
    ("moved_out", "equipping"),
    ("moved_out", "returned"),
    *((start, "rejected") for start in OPEN),
    *((start, "returned") for start in OPEN),
}


@pytest.mark.parametrize("start", FlatStatus.ALL)
@pytest.mark.parametrize("to", FlatStatus.ALL)
def test_the_transition_table(start, to):
    assert services.may_move(start, to) is ((start, to) in ALLOWED)


@pytest.mark.parametrize("final", ["rejected", "returned"])
def test_rejected_and_returned_are_final(final):
    assert services.next_statuses(final) == []


def test_next_statuses_follow_the_flow():
    assert services.next_statuses("offered") == ["viewed", "rejected", "returned"]
    assert services.next_statuses("ready") == ["equipping", "moved_out", "returned"]
    assert services.next_statuses("moved_out") == ["equipping", "ready", "returned"]


@pytest.mark.parametrize("unknown", ["", "castle", None])
def test_an_unknown_status_goes_nowhere(unknown):
    assert not services.may_move(unknown, "viewed")
    assert services.next_statuses(unknown) == []


def _flat(**fields):
    values = {"status": "ready", "rent_to_landlord": Decimal("7300"), **fields}
    return Flat(**values)


DONE = {
    "has_furniture": True,
    "has_kitchenware": True,
    "has_bedding": True,
    "keys_handed_over": True,
    "key_count": 3,
    "inspection_done": True,
}


def test_a_full_checklist_is_complete():
    assert _flat(**DONE).checklist_complete()


@pytest.mark.parametrize(
    "missing",
    [
        {"has_furniture": False},
        {"has_kitchenware": False},
        {"has_bedding": False},
        {"keys_handed_over": False},
        {"inspection_done": False},
        {"key_count": None},
        {"key_count": 0},
    ],
)
def test_any_missing_item_leaves_the_checklist_incomplete(missing):
    assert not _flat(**{**DONE, **missing}).checklist_complete()


def test_a_flat_ready_today_has_stood_zero_days_and_cost_nothing():
    flat = _flat(ready_since=TODAY)
    assert (flat.days_vacant(TODAY), flat.vacancy_cost(TODAY)) == (0, Decimal("0"))


@pytest.mark.parametrize(
    ("rent", "daily"),
    [("7300", "240.00"), ("10000", "328.77"), ("5000", "164.38"), ("50000", "1643.84")],
)
def test_a_day_costs_the_monthly_rent_times_twelve_over_365(rent, daily):
    assert _flat(rent_to_landlord=Decimal(rent)).daily_rent() == Decimal(daily)


def test_a_month_of_31_days_costs_31_days_of_rent():
    flat = _flat(ready_since=dt.date(2026, 1, 1), rent_to_landlord=Decimal("10000"))
    today = dt.date(2026, 2, 1)
    assert flat.days_vacant(today) == 31
    assert flat.vacancy_cost(today) == Decimal("328.77") * 31 == Decimal("10191.87")


def test_a_flat_ready_from_tomorrow_is_not_counted_backwards():
    assert _flat(ready_since=TODAY + dt.timedelta(days=1)).days_vacant(TODAY) == 0


@pytest.mark.parametrize(
    "status", ["offered", "viewed", "contracted", "equipping", "moved_out", "returned"]
)
def test_only_a_ready_flat_is_vacant(status):
    flat = _flat(status=status, ready_since=TODAY - dt.timedelta(days=5))
    assert services.vacancy(flat, occupied=False, today=TODAY) == (None, None)


def test_an_occupied_ready_flat_is_not_vacant():
    flat = _flat(ready_since=TODAY - dt.timedelta(days=5))
    assert services.vacancy(flat, occupied=True, today=TODAY) == (None, None)
    assert services.vacancy(flat, occupied=False, today=TODAY) == (5, Decimal("1200.00"))


# ---- the services on the database ---------------------------------------------------


@pytest.fixture
def actors(make_user):
    return make_user("manager"), make_user("caretaker")


@pytest.fixture
def flat(make_pipeline_landlord):
    clock.set_clock(dt.datetime(2026, 11, 23, 9, 30))
    landlord = make_pipeline_landlord("agreement_signed")

    def make(status="equipping", **fields):
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
        }
        return Flat.create(**{**values, **fields})

    return make


def test_completing_the_checklist_makes_the_flat_ready_with_a_note(flat, actors):
    _manager, caretaker = actors
    equipping = flat()
    done = {name: True for name in services.CHECKLIST}
    ready = services.update_checklist(equipping.id, 1, caretaker, 2, **done)
    assert (ready.status, ready.ready_since, ready.revision) == ("ready", TODAY, 3)
    change = FlatStatusChange.get()
    assert (change.from_status, change.to_status, change.changed_by_id, change.note) == (
        "equipping",
        "ready",
        caretaker.id,
        "checklist complete",
    )


def test_a_partial_checklist_keeps_the_flat_equipping(flat, actors):
    equipping = flat()
    saved = services.update_checklist(equipping.id, 1, actors[1], None, has_bedding=True)
    assert (saved.status, saved.has_bedding, saved.revision) == ("equipping", True, 2)
    assert FlatStatusChange.select().count() == 0


def test_keys_without_a_count_are_refused(flat, actors):
    equipping = flat()
    with pytest.raises(services.FlatError) as refused:
        services.update_checklist(equipping.id, 1, actors[1], None, keys_handed_over=True)
    assert refused.value.field_name == "key_count"
    assert not Flat.get_by_id(equipping.id).keys_handed_over


def test_the_checklist_is_kept_only_while_equipping(flat, actors):
    offered = flat("offered")
    with pytest.raises(services.FlatError):
        services.update_checklist(offered.id, 1, actors[1], None, has_bedding=True)
    assert not Flat.get_by_id(offered.id).has_bedding


def test_a_stale_checklist_is_refused(flat, actors):
    equipping = flat(revision=4)
    with pytest.raises(services.StaleFlat):
        services.update_checklist(equipping.id, 3, actors[1], None, has_bedding=True)
    assert Flat.get_by_id(equipping.id).revision == 4


def test_a_status_change_bumps_the_revision_and_writes_the_history(flat, actors):
    manager, _caretaker = actors
    offered = flat("offered")
    moved = services.change_status(offered.id, 1, "viewed", manager, " Bra läge ", "offered")
    assert (moved.status, moved.revision, moved.status_changed_at) == (
        "viewed",
        2,
        dt.datetime(2026, 11, 23, 9, 30),
    )
    change = FlatStatusChange.get()
    assert (change.from_status, change.to_status, change.note) == ("offered", "viewed", "Bra läge")


def test_marking_ready_sets_ready_since_today_and_leaving_ready_clears_it(flat, actors):
    manager = actors[0]
    equipping = flat()
    ready = services.change_status(equipping.id, 1, "ready", manager, "", "equipping")
    assert ready.ready_since == TODAY
    assert "checklist not complete" in FlatStatusChange.get().note
    back = services.change_status(ready.id, 2, "equipping", manager, "Vattenskada", "ready")
    assert back.ready_since is None


@pytest.mark.parametrize(("revision", "seen"), [(1, "viewed"), (0, "offered")])
def test_a_stale_status_change_is_refused(flat, actors, revision, seen):
    offered = flat("offered")
    with pytest.raises(services.StaleFlat):
        services.change_status(offered.id, revision, "rejected", actors[0], "", seen)
    assert Flat.get_by_id(offered.id).status == "offered"
    assert FlatStatusChange.select().count() == 0


def test_a_move_outside_the_table_is_refused(flat, actors):
    offered = flat("offered")
    with pytest.raises(services.FlatError):
        services.change_status(offered.id, 1, "ready", actors[0], "", "offered")
    assert Flat.get_by_id(offered.id).status == "offered"


def test_what_changed_names_who_moved_the_flat(flat, actors):
    manager = actors[0]
    manager.display_name = "Maria Lindqvist"
    manager.save()
    offered = flat("offered")
    services.change_status(offered.id, 1, "viewed", manager, "", "offered")
    said = services.what_changed(Flat.get_by_id(offered.id), "offered")
    assert said == (
        "Maria Lindqvist changed the status from Offered to Viewed at 2026-11-23 09:30."
    )
    same = services.what_changed(Flat.get_by_id(offered.id), "viewed")
    assert "its status is still Viewed" in same


def test_an_occupied_flat_keeps_its_status(flat, actors, make_user):
    from test_flats import make_referral

    ready = flat("ready", ready_since=TODAY)
    Tenancy.create(
        flat=ready,
        referral=make_referral(),
        contact_person=make_user("staff"),
        start_date=TODAY,
        rent=7000,
    )
    with pytest.raises(services.FlatError):
        services.change_status(ready.id, 1, "returned", actors[0], "", "ready")
    assert Flat.get_by_id(ready.id).status == "ready"


def test_registering_needs_a_landlord_taking_flats_at_the_moment_of_saving(
    make_pipeline_landlord, actors
):
    early = make_pipeline_landlord("meeting_booked")
    with pytest.raises(services.FlatError):
        services.register_flat(
            actors[0],
            landlord=early.id,
            address="X 1",
            postcode="12345",
            district="Farsta",
            rooms=1,
            size_m2=30,
            floor=0,
            rent_to_landlord=6000,
            rent_to_resident=6000,
        )
    assert Flat.select().count() == FlatStatusChange.select().count() == 0


def test_the_vacancy_totals_add_only_vacant_flats_that_the_filters_keep(flat, make_user):
    from intranet.models import Commissioner, Referral

    flat("ready", ready_since=TODAY - dt.timedelta(days=10))
    flat("ready", ready_since=TODAY, district="Årsta")
    flat("offered")
    lived_in = flat("ready", ready_since=TODAY - dt.timedelta(days=30))
    person = Referral.create(
        received_on=TODAY,
        commissioner=Commissioner.create(name="Socialtjänsten"),
        first_name="Sara",
        last_name="Ek",
        birth_date=dt.date(1990, 1, 1),
        gender="other",
        target_group="crime",
    )
    Tenancy.create(
        flat=lived_in, referral=person, contact_person=make_user("staff"), start_date=TODAY, rent=1
    )
    everything = services.FlatFilters()
    assert services.vacancy_totals(everything, TODAY) == (2, Decimal("2400.00"))
    farsta = services.FlatFilters(district="Farsta")
    assert services.vacancy_totals(farsta, TODAY) == (1, Decimal("2400.00"))
    offered = services.FlatFilters(status="offered")
    assert services.vacancy_totals(offered, TODAY) == (0, Decimal(0))


def test_the_vacancy_totals_are_the_sum_of_each_flats_cost(flat):
    """Read as a row per rent and first empty day, the totals are what each flat's own
    ``vacancy_cost`` adds up to: flats sharing a rent and a day, a flat ready before the
    month and one during it, odd öre, a ready flat with no day, and flats not ready."""
    month_start = dt.date(2026, 11, 1)
    made = [
        flat("ready", ready_since=dt.date(2026, 10, 2), rent_to_landlord=7300),
        flat("ready", ready_since=dt.date(2026, 10, 2), rent_to_landlord=7300),
        flat("ready", ready_since=dt.date(2026, 9, 30), rent_to_landlord=7300),
        flat("ready", ready_since=dt.date(2026, 11, 10), rent_to_landlord=6851),
        flat("ready", ready_since=dt.date(2026, 11, 10), rent_to_landlord=10000),
        flat("ready", ready_since=None, rent_to_landlord=5000),
        flat("equipping", ready_since=dt.date(2026, 10, 1), rent_to_landlord=9000),
    ]
    for since in (None, month_start):
        expected = sum((f.vacancy_cost(TODAY, since) or Decimal(0) for f in made), Decimal(0))
        count, total = Flat.vacancy_totals(Flat.select(), TODAY, since)
        assert (count, total) == (len(made), expected), since
        ready = Flat.select().where(Flat.status == FlatStatus.READY)
        assert Flat.vacancy_totals(ready, TODAY, since) == (6, expected)
    assert Flat.vacancy_totals(Flat.select().where(Flat.id == 0), TODAY) == (0, Decimal(0))

"""The match workflow through the services, on SQLite and PostgreSQL."""

import datetime as dt
import threading

import pytest

from intranet import clock
from intranet.extensions import db
from intranet.matching import services
from intranet.models import (
    AuditEvent,
    Commissioner,
    Flat,
    Match,
    MoveInDateChange,
    Referral,
    ReferralStatusChange,
    Tenancy,
)
from intranet.referrals.services import (
    ReferralError,
    create_referral,
    needs_confirmation,
    set_status,
)

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def world(app, make_user, make_landlord):
    clock.set_clock(TODAY)
    staff = make_user("staff")
    landlord = make_landlord()
    commissioner = Commissioner.create(name="Socialtjänsten Farsta")
    counter = {"n": 0}

    def flat(status="ready", ready_since=TODAY - dt.timedelta(days=5)):
        counter["n"] += 1
        return Flat.create(
            landlord=landlord,
            address=f"Storgatan {counter['n']}",
            postcode="12345",
            district="Farsta",
            rooms=2,
            size_m2=50,
            floor=1,
            rent_to_landlord=7000,
            rent_to_resident=7200,
            status=status,
            ready_since=ready_since,
        )

    def referral(status="waiting"):
        person = create_referral(
            staff,
            received_on=TODAY - dt.timedelta(days=40),
            commissioner=commissioner,
            first_name="Ali",
            last_name="K",
            birth_date=dt.date(1990, 1, 1),
            gender="male",
            target_group="addiction",
            drug_free_since=TODAY - dt.timedelta(days=400),
            occupation_kind="work",
            occupation_percent=100,
        )
        if status == "waiting":
            set_status(person.id, "received", "assessing", staff)
            person = set_status(person.id, "assessing", "waiting", staff)
        return person

    return staff, flat, referral


def test_propose_reserves_the_flat_and_matches_the_referral(world):
    staff, flat, referral = world
    the_flat, person = flat(), referral()
    match = services.propose_match(the_flat.id, person.id, staff)
    assert match.status == "proposed"
    assert Referral.get_by_id(person.id).status == "matched"
    assert not services.is_free(Flat.get_by_id(the_flat.id))


@pytest.mark.parametrize("flat_status", ["offered", "equipping", "contracted"])
def test_only_a_ready_flat_can_be_proposed(world, flat_status):
    staff, flat, referral = world
    with pytest.raises(services.MatchError):
        services.propose_match(flat(status=flat_status).id, referral().id, staff)
    assert Match.select().count() == 0


def test_only_a_waiting_referral_can_be_proposed(world):
    staff, flat, referral = world
    with pytest.raises(services.MatchError):
        services.propose_match(flat().id, referral(status="received").id, staff)


@pytest.mark.parametrize("missing", ["flat", "referral"])
def test_a_flat_or_referral_that_does_not_exist_cannot_be_proposed(world, missing):
    staff, flat, referral = world
    flat_id, referral_id = flat().id, referral().id
    ids = {"flat": (999_999, referral_id), "referral": (flat_id, 999_999)}[missing]
    with pytest.raises(services.MatchError):
        services.propose_match(*ids, staff)
    assert Match.select().count() == 0
    assert Referral.get_by_id(referral_id).status == "waiting"


def test_the_whole_way_to_move_in(world):
    staff, flat, referral = world
    the_flat, person = flat(), referral()
    match = services.propose_match(the_flat.id, person.id, staff)
    match = services.advance_match(match.id, "proposed", staff)
    match = services.advance_match(match.id, "offered", staff)
    with pytest.raises(services.MatchError):
        services.advance_match(
            match.id, "viewing", staff, move_in_date=TODAY - dt.timedelta(days=1)
        )
    match = services.advance_match(
        match.id, "viewing", staff, move_in_date=TODAY + dt.timedelta(days=7)
    )
    with pytest.raises(services.MatchError, match="record it on that day or later"):
        services.move_in(match.id, staff, staff.id, rent=7200, rent_payer="commissioner")
    assert Tenancy.select().count() == 0
    clock.set_clock(TODAY + dt.timedelta(days=9))
    tenancy = services.move_in(match.id, staff, staff.id, rent=7200, rent_payer="commissioner")
    assert (tenancy.start_date, tenancy.rent_payer) == (
        TODAY + dt.timedelta(days=7),
        "commissioner",
    )
    assert Match.get_by_id(match.id).status == "moved_in"
    assert Referral.get_by_id(person.id).status == "moved_in"
    moves = [c.to_status for c in ReferralStatusChange.select().order_by(ReferralStatusChange.id)]
    assert moves == ["received", "assessing", "waiting", "matched", "moved_in"]


def test_a_decline_frees_the_flat_and_keeps_the_match(world):
    staff, flat, referral = world
    the_flat, person = flat(), referral()
    match = services.propose_match(the_flat.id, person.id, staff)
    services.decline_match(
        match.id, "proposed", "commissioner", "area", "Nära gamla nätverk", staff
    )
    assert services.is_free(Flat.get_by_id(the_flat.id))
    assert Referral.get_by_id(person.id).status == "waiting"
    kept = Match.get_by_id(match.id)
    assert (kept.status, kept.declined_by_side, kept.decline_note) == (
        "declined",
        "commissioner",
        "Nära gamla nätverk",
    )
    again = services.propose_match(the_flat.id, person.id, staff)
    assert again.id != match.id


def test_a_step_from_a_stale_status_is_refused(world):
    staff, flat, referral = world
    match = services.propose_match(flat().id, referral().id, staff)
    services.advance_match(match.id, "proposed", staff)
    with pytest.raises(services.MatchError):
        services.decline_match(match.id, "proposed", "unit", "other", "", staff)


def test_a_waiting_referral_without_contact_asks_to_be_confirmed(world):
    _staff, _flat, referral = world
    person = referral()  # received 40 days ago
    assert needs_confirmation(person, TODAY)
    assert not needs_confirmation(person, TODAY - dt.timedelta(days=11))


def test_declining_a_referral_needs_a_reason(world):
    staff, _flat, referral = world
    person = referral(status="received")
    with pytest.raises(ReferralError):
        set_status(person.id, "received", "declined", staff, reason=" ")
    assert (
        set_status(person.id, "received", "declined", staff, reason="Fick annat boende").status
        == "declined"
    )


def test_two_people_proposing_the_same_flat_at_once_get_one_match(app, world):
    staff, flat, referral = world
    the_flat = flat()
    people = [referral(), referral()]
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def propose(i):
        barrier.wait()
        try:
            outcomes[i] = services.propose_match(the_flat.id, people[i].id, staff)
        except services.MatchError as error:
            outcomes[i] = error
        finally:
            db.close()

    threads = [threading.Thread(target=propose, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    matches = [o for o in outcomes if isinstance(o, Match)]
    errors = [o for o in outcomes if isinstance(o, services.MatchError)]
    assert len(matches) == 1 and len(errors) == 1, outcomes
    assert Match.select().where(Match.flat == the_flat.id).count() == 1
    statuses = sorted(Referral.get_by_id(p.id).status for p in people)
    assert statuses == ["matched", "waiting"]
    assert Tenancy.select().count() == 0


def _accepted(world, move_in_date):
    """A match proposed and accepted four days ago, for ``move_in_date``."""
    staff, flat, referral = world
    the_flat, person = flat(ready_since=TODAY - dt.timedelta(days=10)), referral()
    clock.set_clock(TODAY - dt.timedelta(days=4))
    match = services.propose_match(the_flat.id, person.id, staff)
    match = services.advance_match(match.id, "proposed", staff)
    match = services.advance_match(match.id, "offered", staff)
    match = services.advance_match(match.id, "viewing", staff, move_in_date=move_in_date)
    clock.set_clock(TODAY)
    return match


def test_a_move_in_earlier_than_agreed_changes_the_agreed_day_first_with_a_reason(world):
    staff = world[0]
    match = _accepted(world, TODAY + dt.timedelta(days=14))
    earlier = TODAY - dt.timedelta(days=1)
    with pytest.raises(services.MatchError) as refused:
        services.change_move_in_date(match.id, match.revision, earlier, "  ", staff)
    assert refused.value.field_name == "reason"
    with pytest.raises(services.MatchError) as refused:
        services.change_move_in_date(
            match.id, match.revision, TODAY - dt.timedelta(days=30), "Flyttade tidigt", staff
        )
    assert refused.value.field_name == "move_in_date"  # before the flat was ready
    with pytest.raises(services.MatchError, match="meantime"):
        services.change_move_in_date(match.id, match.revision - 1, earlier, "Tidigt", staff)
    changed = services.change_move_in_date(
        match.id, match.revision, earlier, "Flyttade in en dag före", staff
    )
    assert changed.move_in_date == earlier
    line = MoveInDateChange.get()
    assert (line.from_date, line.to_date, line.reason, line.changed_by_id) == (
        TODAY + dt.timedelta(days=14),
        earlier,
        "Flyttade in en dag före",
        staff.id,
    )
    tenancy = services.move_in(match.id, staff, staff.id, rent=7200)
    assert tenancy.start_date == earlier


def test_the_contact_person_chosen_at_move_in_is_audited(world):
    staff = world[0]
    match = _accepted(world, TODAY)
    tenancy = services.move_in(match.id, staff, staff.id, rent=7200)
    line = AuditEvent.get(AuditEvent.action == "assigned")
    assert (line.subject_id, line.actor_id) == (tenancy.referral_id, staff.id)
    assert staff.display_name in line.detail


def test_only_the_manager_gives_a_protected_person_another_contact_person(world, make_user):
    staff = world[0]
    other = make_user("staff")
    manager = make_user("manager")
    match = _accepted(world, TODAY)
    Referral.update(protected_identity=True, responsible=staff).where(
        Referral.id == match.referral_id
    ).execute()
    with pytest.raises(services.MatchError) as refused:
        services.move_in(match.id, staff, other.id, rent=7200)
    assert refused.value.field_name == "contact_person"
    assert Tenancy.select().count() == 0
    tenancy = services.move_in(match.id, manager, other.id, rent=7200)
    assert tenancy.contact_person_id == other.id

"""The road to a home of one's own: the step and its conditions read from the ledger and
the tenancy, consent, the request to the landlord, the answer and the lease handed over."""

import datetime as dt

import pytest
from conftest import login, post_form
from helpers import add_resident

from intranet import clock
from intranet.models import (
    AuditEvent,
    Commissioner,
    Flat,
    LeaseRequest,
    RentCharge,
    Road,
    RoadMark,
    RoadRequirement,
    ShareConsent,
    Tenancy,
)
from intranet.rent import services as rent_services
from intranet.road import facts, services
from intranet.road.services import RoadError

TODAY = dt.date(2028, 1, 10)
EN = {"Accept-Language": "en"}


@pytest.fixture
def world(app, make_user, make_landlord):
    """Sara has lived in her flat since 2027-01-01 and paid every month by its due day."""
    clock.set_clock(TODAY)
    manager = make_user("manager", display_name="Maria Chef")
    contact = make_user("staff", display_name="Johan Berg")
    other = make_user("staff", display_name="Lina Annan")
    landlord = make_landlord("Stadens Hus AB")
    commissioner = Commissioner.create(name="Socialtjänsten")
    tenancy = add_resident(landlord, commissioner, contact, "Sara", start=dt.date(2027, 1, 1))
    pay_months(tenancy, manager, late=())
    return {
        "manager": manager,
        "contact": contact,
        "other": other,
        "landlord": landlord,
        "commissioner": commissioner,
        "tenancy": tenancy,
    }


def pay_months(tenancy, actor, late=(), until=TODAY):
    """Open every month from the move-in to today and pay each due before ``until`` by its
    due day, but those in ``late`` on the 10th of their month."""
    month = dt.date(tenancy.start_date.year, tenancy.start_date.month, 1)
    while month <= TODAY:
        rent_services.open_month(month)
        month = facts.add_months(month, 1)
    charges = RentCharge.select().where(RentCharge.tenancy == tenancy.id).order_by(RentCharge.month)
    for charge in charges:
        day = charge.month.replace(day=10) if charge.month in late else charge.due_on
        if day < until:
            rent_services.register_payment(
                charge.id, actor, day, charge.amount, "swish", f"{tenancy.id}-{charge.id}"
            )


def progress(tenancy):
    return facts.progress_of(Tenancy.get_by_id(tenancy.id), clock.today())


def ready_to_ask(world):
    """Sara's step is to take over the lease, her contact person finds her ready and she
    has consented."""
    t, contact = world["tenancy"], world["contact"]
    services.set_step(t.id, "take_over", dt.date(2028, 3, 1), "Vill bo kvar", contact)
    services.mark(t.id, "assessment", "ready", dt.date(2028, 1, 2), "Klarar sig", contact)
    services.record_consent(t.id, dt.date(2028, 1, 3), contact)


# ---- the conditions, read from the facts ---------------------------------------------------


def test_a_year_paid_on_time_meets_the_rent_conditions_from_the_ledger(world):
    t = world["tenancy"]
    services.set_step(t.id, "take_over", dt.date(2028, 3, 1), "", world["contact"])
    found = {c.condition: c for c in progress(t).conditions}
    assert found["rent_on_time"].value == 13 and found["rent_on_time"].met
    # The twelfth month in the run was February 2027's successor: December 2027, due 30 Nov.
    assert found["rent_on_time"].since == dt.date(2027, 11, 30)
    assert found["no_debt"].met and found["no_debt"].value == 0
    assert found["time_in_flat"].value == 12 and found["time_in_flat"].met
    assert found["time_in_flat"].since == dt.date(2028, 1, 1)
    assert not found["assessment"].met and found["assessment"].state == "not_assessed"
    assert found["landlord_answer"].state == "not_asked"
    assert not progress(t).ready


def test_one_late_month_starts_the_run_again_and_debt_is_read_from_the_ledger(
    app, world, make_user
):
    late = add_resident(
        world["landlord"], world["commissioner"], world["contact"], "Ali", start=dt.date(2027, 1, 1)
    )
    pay_months(late, world["manager"], late=(dt.date(2027, 9, 1),))
    rent = facts.rent_facts([late.id], TODAY)[late.id]
    # September was paid on the 10th: the run is October to January, four months.
    assert rent.on_time_in_a_row == 4
    assert rent.last_missed_due == dt.date(2027, 8, 31)
    assert rent.debt == 0
    unpaid = add_resident(
        world["landlord"], world["commissioner"], world["contact"], "Eva", start=dt.date(2027, 6, 1)
    )
    pay_months(unpaid, world["manager"], until=dt.date(2027, 11, 1))
    rent = facts.rent_facts([unpaid.id], TODAY)[unpaid.id]
    assert rent.on_time_in_a_row == 0
    assert rent.debt == 2 * 6200
    # The same figure as the rent pages' debt.
    from intranet.rent import board

    assert rent.debt == rent_services.debt(board.tenancy_rows(unpaid.id), TODAY)


def test_the_rent_facts_of_many_residents_take_the_same_queries_as_of_one(world):
    from helpers import count_queries

    tenancies = [world["tenancy"]]
    with count_queries() as one:
        facts.progress_for(tenancies, TODAY)
    for n in range(5):
        extra = add_resident(
            world["landlord"], world["commissioner"], world["contact"], f"P{n}", start=TODAY
        )
        tenancies.append(extra)
    with count_queries() as many:
        facts.progress_for(tenancies, TODAY)
    assert len(many) == len(one)


def test_ready_once_every_condition_but_the_landlords_answer_is_met(world):
    t = world["tenancy"]
    ready_to_ask(world)
    assert progress(t).ready and not progress(t).all_met
    assert services.why_not_ask(progress(t)) is None


def test_the_unit_sets_which_conditions_a_step_needs(world):
    t = world["tenancy"]
    services.set_step(t.id, "trial_flat", dt.date(2028, 3, 1), "", world["contact"])
    assert {c.condition for c in progress(t).conditions} == {
        "rent_on_time",
        "no_debt",
        "time_in_flat",
        "assessment",
    }
    services.save_requirements(
        {"trial_flat": {"rent_on_time": 24, "housing_queue": None}}, world["manager"]
    )
    found = {c.condition: c for c in progress(t).conditions}
    assert set(found) == {"rent_on_time", "housing_queue"}
    assert found["rent_on_time"].months == 24 and not found["rent_on_time"].met
    with pytest.raises(RoadError):
        services.save_requirements({"trial_flat": {"rent_on_time": 0}}, world["manager"])
    with pytest.raises(RoadError):
        services.save_requirements({"trial_flat": {"landlord_answer": None}}, world["manager"])
    assert RoadRequirement.select().where(RoadRequirement.step == "trial_flat").count() == 2


def test_stuck_when_nothing_changed_for_six_months(world):
    t = world["tenancy"]
    services.set_step(t.id, "lease_elsewhere", dt.date(2028, 6, 1), "", world["contact"])
    assert not progress(t).stuck(TODAY)
    Road.update(updated_at=dt.datetime(2027, 5, 1, 12)).execute()
    # The rent run met its months in November: that is a change within six months.
    assert not progress(t).stuck(TODAY)
    assert progress(t).stuck(dt.date(2028, 6, 1))


# ---- who plans the road ------------------------------------------------------------------


def test_only_the_manager_and_the_contact_person_plan_the_road(world):
    t = world["tenancy"]
    with pytest.raises(RoadError):
        services.set_step(t.id, "take_over", dt.date(2028, 3, 1), "", world["other"])
    services.set_step(t.id, "take_over", dt.date(2028, 3, 1), "", world["manager"])
    with pytest.raises(RoadError):
        services.mark(t.id, "assessment", "ready", TODAY, "", world["other"])
    assert RoadMark.select().count() == 1


@pytest.mark.input_only
@pytest.mark.parametrize(
    "step, month, field",
    [
        ("", dt.date(2028, 3, 1), "step"),
        ("nowhere", dt.date(2028, 3, 1), "step"),
        ("take_over", None, "target_month"),
        ("take_over", dt.date(2027, 12, 1), "target_month"),
    ],
)
def test_a_step_needs_a_step_and_a_month_to_come(world, step, month, field):
    with pytest.raises(RoadError) as refused:
        services.set_step(world["tenancy"].id, step, month, "", world["contact"])
    assert refused.value.field_name == field
    assert Road.select().count() == 0


@pytest.mark.input_only
@pytest.mark.parametrize(
    "condition, state, day",
    [
        ("rent_on_time", "ready", TODAY),
        ("assessment", "granted", TODAY),
        ("assessment", "ready", TODAY + dt.timedelta(days=1)),
    ],
)
def test_only_a_marked_condition_takes_a_state_of_its_own_on_a_day_that_has_come(
    world, condition, state, day
):
    t = world["tenancy"]
    services.set_step(t.id, "take_over", dt.date(2028, 3, 1), "", world["contact"])
    with pytest.raises(RoadError):
        services.mark(t.id, condition, state, day, "", world["contact"])
    assert RoadMark.select().count() == 1


# ---- consent and the request ---------------------------------------------------------------


def test_without_consent_no_request_is_sent(world):
    t = world["tenancy"]
    services.set_step(t.id, "take_over", dt.date(2028, 3, 1), "", world["contact"])
    services.mark(t.id, "assessment", "ready", TODAY, "", world["contact"])
    assert "consent" in services.why_not_ask(progress(t))
    with pytest.raises(RoadError):
        services.ask_landlord(t.id, "Vi rekommenderar", world["manager"])
    assert LeaseRequest.select().count() == 0


def test_the_request_shares_the_facts_and_is_audited(world):
    t = world["tenancy"]
    ready_to_ask(world)
    with pytest.raises(RoadError):
        services.ask_landlord(t.id, "Vi rekommenderar", world["contact"])
    request = services.ask_landlord(t.id, "Sara har skött sig", world["manager"])
    shared = services.shared_of(request)
    assert shared == {
        "name": "Sara Ek",
        "moved_in": "2027-01-01",
        "months_in_flat": 12,
        "on_time_in_a_row": 13,
        "debt": "0.00",
        "recommendation": "Sara har skött sig",
    }
    line = AuditEvent.select().where(AuditEvent.action == "shared").get()
    assert line.subject_id == t.referral_id and "landlord" in line.detail
    with pytest.raises(RoadError):
        services.ask_landlord(t.id, "En gång till", world["manager"])
    assert LeaseRequest.select().count() == 1


def test_a_protected_resident_needs_the_managers_assessment_of_harm(world):
    t = world["tenancy"]
    t.referral.protected_identity = True
    t.referral.save()
    ready_to_ask(world)
    assert "protected" in services.why_not_ask(progress(t))
    with pytest.raises(RoadError):
        services.assess_harm(t.id, "Ingen fara", world["contact"])
    services.assess_harm(t.id, "Värden känner redan till henne", world["manager"])
    assert services.why_not_ask(progress(t)) is None
    services.ask_landlord(t.id, "Rekommenderas", world["manager"])
    assert AuditEvent.select().where(AuditEvent.action == "harm_assessed").count() == 1


def test_withdrawn_consent_takes_the_request_out_of_the_portal_and_lists_what_was_shared(world):
    t = world["tenancy"]
    ready_to_ask(world)
    request = services.ask_landlord(t.id, "Rekommenderas", world["manager"])
    assert services.landlords_request(world["landlord"].id, request.id) is not None
    sent = services.withdraw_consent(t.id, "Vill inte", world["contact"])
    assert [r.id for r in sent] == [request.id]
    assert services.landlords_request(world["landlord"].id, request.id) is None
    assert list(services.landlords_requests(world["landlord"].id)) == []
    assert services.requests_of(t.id)[0].withdrawn_at is not None
    assert "consent" in services.why_not_ask(progress(t))
    with pytest.raises(RoadError):
        services.answer(request.id, world["landlord"].id, "yes", TODAY, "", world["manager"])


def test_another_landlord_cannot_answer(world, make_landlord):
    ready_to_ask(world)
    request = services.ask_landlord(world["tenancy"].id, "Rekommenderas", world["manager"])
    other = make_landlord("Annan Värd AB")
    assert services.landlords_request(other.id, request.id) is None
    with pytest.raises(RoadError):
        services.answer(request.id, other.id, "yes", TODAY, "", world["manager"])
    assert LeaseRequest.get_by_id(request.id).answer is None


@pytest.mark.input_only
@pytest.mark.parametrize(
    "said, day",
    [
        ("maybe", TODAY),
        ("yes", None),
        ("yes", TODAY - dt.timedelta(days=1)),
        ("later", TODAY),
        ("later", None),
    ],
)
def test_an_answer_needs_its_day(world, said, day):
    ready_to_ask(world)
    request = services.ask_landlord(world["tenancy"].id, "Rekommenderas", world["manager"])
    with pytest.raises(RoadError):
        services.answer(request.id, world["landlord"].id, said, day, "", world["manager"])
    assert LeaseRequest.get_by_id(request.id).answer is None


def test_the_first_answer_stands(world):
    ready_to_ask(world)
    request = services.ask_landlord(world["tenancy"].id, "Rekommenderas", world["manager"])
    services.answer(request.id, world["landlord"].id, "later", dt.date(2028, 6, 1), "", None)
    with pytest.raises(RoadError):
        services.answer(request.id, world["landlord"].id, "yes", TODAY, "", None)
    stored = LeaseRequest.get_by_id(request.id)
    assert (stored.answer, stored.answer_on) == ("later", dt.date(2028, 6, 1))
    # After "later" the manager may ask again, on the landlord's day.
    assert "asked again" in services.why_not_ask(progress(world["tenancy"]))
    clock.set_clock(dt.date(2028, 6, 1))
    assert services.why_not_ask(progress(world["tenancy"])) is None


# ---- the lease handed over -----------------------------------------------------------------


def answered_yes(world, day=dt.date(2028, 1, 20)):
    ready_to_ask(world)
    request = services.ask_landlord(world["tenancy"].id, "Rekommenderas", world["manager"])
    return services.answer(request.id, world["landlord"].id, "yes", day, "Välkommen", None)


def test_the_transfer_waits_for_its_day(world):
    request = answered_yes(world)
    assert not services.transfer_due(request, TODAY)
    with pytest.raises(RoadError):
        services.transfer_lease(request.id, "left", "", "", world["manager"])
    assert Tenancy.get_by_id(world["tenancy"].id).end_date is None


def test_the_lease_handed_over_ends_the_tenancy_and_the_flat_leaves_the_stock(world):
    t = world["tenancy"]
    request = answered_yes(world)
    clock.set_clock(dt.date(2028, 1, 21))
    with pytest.raises(RoadError):
        services.transfer_lease(request.id, "left", "", "", world["contact"])
    services.transfer_lease(request.id, "sold", "Soffan för 500 kr", "", world["manager"])
    ended = Tenancy.get_by_id(t.id)
    assert (ended.end_date, ended.outcome) == (dt.date(2028, 1, 20), "own_lease_transfer")
    january = RentCharge.get(
        (RentCharge.tenancy == t.id) & (RentCharge.month == dt.date(2028, 1, 1))
    )
    # Twenty days of January's 6 200 kr.
    assert january.amount == pytest.approx(6200 * 20 / 31, abs=0.01)
    flat = Flat.get_by_id(t.flat_id)
    assert (flat.status, flat.lease_end) == ("transferred", dt.date(2028, 1, 20))
    stored = LeaseRequest.get_by_id(request.id)
    assert stored.inventory == "sold" and stored.transferred_at is not None
    from intranet.portal.services import units

    assert [u.flat.id for u in units(world["landlord"].id)] == []
    with pytest.raises(RoadError):
        services.transfer_lease(request.id, "left", "", "", world["manager"])


def test_a_move_out_takes_a_waiting_request_out_of_the_portal(world):
    from intranet.residents.services import move_out

    ready_to_ask(world)
    request = services.ask_landlord(world["tenancy"].id, "Rekommenderas", world["manager"])
    move_out(world["tenancy"].id, TODAY, "own_lease", "", world["manager"])
    assert services.landlords_request(world["landlord"].id, request.id) is None


def test_the_transfer_outcome_is_not_on_the_move_out_form(world):
    from intranet.residents.services import TenancyError, move_out

    with pytest.raises(TenancyError):
        move_out(world["tenancy"].id, TODAY, "own_lease_transfer", "", world["manager"])


def test_the_status_form_never_offers_transferred(world):
    from intranet.flats.services import FlatError, change_status, next_statuses

    assert "transferred" not in next_statuses("ready")
    flat = add_resident(
        world["landlord"], world["commissioner"], world["contact"], "Tom", start=TODAY
    ).flat
    Tenancy.update(end_date=TODAY).where(Tenancy.flat == flat.id).execute()
    with pytest.raises(FlatError):
        change_status(flat.id, flat.revision, "transferred", world["manager"])


# ---- the pages -----------------------------------------------------------------------------


def test_the_contact_person_plans_the_road_on_the_residents_page(client, world):
    t = world["tenancy"]
    login(client, world["contact"])
    url = f"/residents/{t.id}"
    data = {"step": "take_over", "target_month": "2028-03", "note": "Vill bo kvar", "revision": 0}
    response = post_form(client, f"/road/{t.id}/step", data, url)
    assert response.status_code == 303
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Take over this flat" in page and "Vill bo kvar" in page
    assert "13 of 12 months on time in a row" in page
    data = {"condition": "assessment", "state": "ready", "on_date": "2028-01-09", "note": "Bra"}
    assert post_form(client, f"/road/{t.id}/mark", data, url).status_code == 303
    data = {"given_on": "2028-01-09", "confirmed": "y"}
    assert post_form(client, f"/road/{t.id}/consent", data, url).status_code == 303
    assert ShareConsent.select().count() == 1


def test_other_staff_see_the_step_not_the_notes_and_cannot_plan(client, world):
    t = world["tenancy"]
    services.set_step(t.id, "take_over", dt.date(2028, 3, 1), "Hemlig plan", world["contact"])
    login(client, world["other"])
    page = client.get(f"/residents/{t.id}", headers=EN).get_data(as_text=True)
    assert "Take over this flat" in page and "Hemlig plan" not in page
    assert 'action="/road/' not in page
    data = {"step": "not_yet", "target_month": "", "note": "", "revision": 1}
    response = post_form(client, f"/road/{t.id}/step", data, f"/residents/{t.id}")
    assert response.status_code == 403
    assert Road.get().step == "take_over"


@pytest.mark.input_only
@pytest.mark.parametrize(
    "data",
    [
        {"step": "", "target_month": "2028-03"},
        {"step": "take_over", "target_month": "mars"},
        {"step": "take_over", "target_month": ""},
        {"step": "take_over", "target_month": "2020-01"},
        {"step": "take_over", "target_month": "2028-03", "note": "x" * 5001},
        {"step": "take_over", "target_month": "2028-03", "revision": "abc"},
    ],
)
def test_a_bad_step_is_refused_beside_its_field(client, world, data):
    t = world["tenancy"]
    login(client, world["contact"])
    response = post_form(
        client, f"/road/{t.id}/step", {"revision": 0, **data}, f"/residents/{t.id}", headers=EN
    )
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)
    assert Road.select().count() == 0


def test_a_stale_step_is_refused(client, world):
    t = world["tenancy"]
    services.set_step(t.id, "take_over", dt.date(2028, 3, 1), "", world["manager"])
    login(client, world["contact"])
    data = {"step": "not_yet", "target_month": "", "revision": 7}
    response = post_form(client, f"/road/{t.id}/step", data, f"/residents/{t.id}", headers=EN)
    assert response.status_code == 422
    assert "Someone else changed the road" in response.get_data(as_text=True)
    assert Road.get().step == "take_over"


def test_the_manager_asks_and_hands_over_the_lease_through_the_pages(client, world):
    t = world["tenancy"]
    ready_to_ask(world)
    login(client, world["manager"])
    url = f"/residents/{t.id}"
    response = post_form(client, f"/road/{t.id}/ask", {"recommendation": "Bra"}, url, headers=EN)
    assert response.status_code == 422  # the box is not ticked
    data = {"recommendation": "Sara rekommenderas", "confirmed": "y"}
    assert post_form(client, f"/road/{t.id}/ask", data, url).status_code == 303
    request = LeaseRequest.get()
    services.answer(request.id, world["landlord"].id, "yes", TODAY, "", None)
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert f"/road/requests/{request.id}/transfer" in page
    transfer = f"/road/requests/{request.id}/transfer"
    assert client.get(transfer).status_code == 200
    response = post_form(client, transfer, {"inventory": "", "confirmed": "y"}, headers=EN)
    assert response.status_code == 422
    data = {"inventory": "left", "confirmed": "y"}
    assert post_form(client, transfer, data).status_code == 303
    assert Flat.get_by_id(t.flat_id).status == "transferred"


def test_the_settings_page_saves_the_conditions(client, world):
    login(client, world["manager"])
    page = client.get("/road/settings", headers=EN)
    assert page.status_code == 200
    data = {"trial_flat-rent_on_time": "y", "trial_flat-rent_on_time-months": "9"}
    assert post_form(client, "/road/settings", data).status_code == 303
    assert facts.requirements()["trial_flat"] == {"rent_on_time": 9}
    assert facts.requirements()["take_over"] == {}
    bad = {"trial_flat-rent_on_time": "y", "trial_flat-rent_on_time-months": "0"}
    response = post_form(client, "/road/settings", bad, headers=EN)
    assert response.status_code == 422
    assert facts.requirements()["trial_flat"] == {"rent_on_time": 9}
    other = client.application.test_client()
    login(other, world["contact"])
    assert other.get("/road/settings").status_code == 403

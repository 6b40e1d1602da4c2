"""The road on the start pages: who is ready to move on and what is next, whose road has
stood still for six months, a contact person's own residents on the road, and the flats the
unit lost to a lease handed over; a protected person named only to their circle, and the
manager's page in a fixed number of queries however many are on the road."""

import datetime as dt

import pytest
from conftest import login
from helpers import count_queries

from intranet import cache, clock
from intranet.models import (
    Flat,
    FlatStatusChange,
    LeaseRequest,
    Referral,
    RentCharge,
    Road,
    RoadMark,
    Role,
    ShareConsent,
    Tenancy,
)
from intranet.rent import services as rent_services
from intranet.road import lists

TODAY = dt.date(2028, 1, 20)
MOVED_IN = dt.date(2027, 1, 1)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0))


@pytest.fixture
def world(rent_world, make_user):
    """On 20 January 2028: Johan's residents moved in on 1 January 2027, another contact
    person, and the manager; each resident's rent months opened as they are made."""
    johan, resident = rent_world
    clock.set_clock(TODAY)
    other = make_user(Role.STAFF, display_name="Lena Ek", language="en")
    manager = make_user(Role.MANAGER, display_name="Maria Chef", language="en")
    johan.language = "en"
    johan.save()
    return {"johan": johan, "other": other, "manager": manager, "resident": resident}


def _pay_every_month(tenancy, staff, late=()):
    """Open the months from move-in to this month and pay each in full by its due day
    (the months in ``late`` on their 10th instead)."""
    month = MOVED_IN
    while month <= TODAY:
        rent_services.open_month(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    charges = RentCharge.select().where(RentCharge.tenancy == tenancy.id).order_by(RentCharge.month)
    for charge in charges:
        day = charge.month.replace(day=10) if charge.month in late else charge.due_on
        rent_services.register_payment(
            charge.id, staff, day, charge.amount, "swish", f"t{tenancy.id}-{charge.month}"
        )


def _road(tenancy, step, by, on=dt.date(2027, 12, 1), target=dt.date(2028, 6, 1), **marks):
    """A road chosen on ``on``, with conditions marked that day (``assessment="ready"``)."""
    road = Road.create(
        tenancy=tenancy, step=step, target_month=target, updated_by=by, updated_at=_at(on)
    )
    RoadMark.create(
        road=road, subject="step", state=step, on_date=target, marked_by=by, marked_at=_at(on)
    )
    for subject, state in marks.items():
        RoadMark.create(
            road=road, subject=subject, state=state, on_date=on, marked_by=by, marked_at=_at(on)
        )
    return road


def _ready(world, name="Sara", **road):
    """A resident with twelve months paid on time, no debt, a year in the flat and the
    contact person's assessment "ready", on the way to taking over their flat's lease."""
    tenancy = world["resident"](name, start=MOVED_IN)
    _pay_every_month(tenancy, world["johan"])
    _road(tenancy, "take_over", world["johan"], assessment="ready", **road)
    return tenancy


def _names(listed):
    return [row.name for row in listed.rows]


def test_a_year_on_time_in_the_flat_and_assessed_is_ready_to_ask_the_landlord(app, world):
    sara = _ready(world)
    ready = lists.ready_to_move_on(TODAY, world["manager"])
    assert ready.count == 1 and _names(ready) == ["Sara Ek"]
    row = ready.rows[0]
    assert (row.tenancy_id, row.step, row.next) == (sara.id, "take_over", lists.ASK)
    assert (row.met, row.conditions) == (4, 5)  # all but the landlord's answer
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert row.next_words == "ask the landlord"


def test_one_month_late_breaks_the_run(app, world):
    tenancy = world["resident"]("Sara", start=MOVED_IN)
    _pay_every_month(tenancy, world["johan"], late={dt.date(2027, 6, 1)})
    _road(tenancy, "take_over", world["johan"], assessment="ready")
    assert lists.ready_to_move_on(TODAY, world["manager"]).count == 0
    # Still on the road: seven months on time since June, not twelve.
    mine = lists.on_the_road(world["johan"].id, TODAY, world["johan"])
    assert _names(mine) == ["Sara Ek"] and (mine.rows[0].met, mine.rows[0].conditions) == (3, 5)


def _ask(tenancy, world, answer=None, answer_on=None):
    consent = ShareConsent.create(
        tenancy=tenancy, given_on=dt.date(2028, 1, 2), recorded_by=world["johan"]
    )
    return LeaseRequest.create(
        tenancy=tenancy,
        flat=tenancy.flat_id,
        landlord=Flat.get_by_id(tenancy.flat_id).landlord_id,
        consent=consent,
        asked_by=world["manager"],
        asked_at=_at(dt.date(2028, 1, 5)),
        recommendation="Sköter sig",
        shared="{}",
        answer=answer,
        answer_on=answer_on,
        answered_at=_at(dt.date(2028, 1, 10)) if answer else None,
    )


@pytest.mark.parametrize(
    ("answer", "answer_on", "next_", "words"),
    [
        (None, None, lists.WAITING, "waiting for the landlord"),
        (
            "yes",
            dt.date(2028, 3, 1),
            lists.YES,
            "the landlord said yes: hand over the lease on 2028-03-01",
        ),
    ],
)
def test_what_is_next_follows_the_landlords_answer(app, world, answer, answer_on, next_, words):
    sara = _ready(world)
    _ask(sara, world, answer, answer_on)
    row = lists.ready_to_move_on(TODAY, world["manager"]).rows[0]
    assert row.next == next_
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert row.next_words == words


def test_another_step_is_simply_ready(world):
    tenancy = world["resident"]("Omar", start=MOVED_IN)
    _road(tenancy, "other_housing", world["johan"], assessment="ready")
    row = lists.ready_to_move_on(TODAY, world["manager"]).rows[0]
    assert (row.name, row.next) == ("Omar Ek", lists.READY)


def test_stuck_after_six_months_without_a_change(world):
    johan = world["johan"]
    still = world["resident"]("Sara", start=MOVED_IN)
    _road(still, "other_housing", johan, on=dt.date(2027, 7, 1), assessment="not_ready")
    moving = world["resident"]("Omar", start=MOVED_IN)
    _road(moving, "other_housing", johan, on=dt.date(2027, 9, 1), assessment="not_ready")
    stuck = lists.stuck(TODAY, world["manager"])
    assert _names(stuck) == ["Sara Ek"] and stuck.rows[0].last_change == dt.date(2027, 7, 1)
    # A new mark is a change: the road moves again.
    RoadMark.create(
        road=Road.get(Road.tenancy == still.id),
        subject="assessment",
        state="not_ready",
        on_date=dt.date(2028, 1, 15),
        marked_by=johan,
    )
    assert lists.stuck(TODAY, world["manager"]).count == 0


def test_a_contact_person_sees_only_their_own(world):
    sara, omar = (world["resident"](n, start=MOVED_IN) for n in ("Sara", "Omar"))
    idle = world["resident"]("Ali", start=MOVED_IN)
    Tenancy.update(contact_person=world["other"]).where(Tenancy.id == omar.id).execute()
    _road(sara, "lease_elsewhere", world["johan"], target=dt.date(2028, 9, 1))
    _road(omar, "trial_flat", world["other"])
    _road(idle, "not_yet", world["johan"], target=None)
    mine = lists.on_the_road(world["johan"].id, TODAY, world["johan"])
    assert mine.count == 1 and _names(mine) == ["Sara Ek"]
    assert mine.rows[0].target_month == dt.date(2028, 9, 1)
    assert _names(lists.on_the_road(world["other"].id, TODAY, world["other"])) == ["Omar Ek"]


def test_a_protected_resident_is_named_only_to_their_circle(world):
    sara = _ready(world)
    Referral.update(protected_identity=True).where(Referral.id == sara.referral_id).execute()
    for viewer in ("manager", "johan"):
        assert _names(lists.ready_to_move_on(TODAY, world[viewer])) == ["Sara Ek"]
    seen = lists.ready_to_move_on(TODAY, world["other"])
    assert seen.count == 1
    assert seen.rows[0] == lists.Row(sara.id, False)  # nothing of hers but her place


def _transferred(world, name, day, protected=False):
    tenancy = world["resident"](name, start=MOVED_IN)
    Tenancy.update(end_date=day, move_out_date=day, outcome="own_lease_transfer").where(
        Tenancy.id == tenancy.id
    ).execute()
    Flat.update(status="transferred").where(Flat.id == tenancy.flat_id).execute()
    FlatStatusChange.create(
        flat=tenancy.flat_id, from_status="ready", to_status="transferred", changed_at=_at(day)
    )
    if protected:
        Referral.update(protected_identity=True).where(Referral.id == tenancy.referral_id).execute()
    return Flat.get_by_id(tenancy.flat_id)


def test_a_flat_taken_over_is_a_flat_to_replace_for_a_year(world):
    recent = _transferred(world, "Sara", dt.date(2027, 11, 30))
    _transferred(world, "Omar", dt.date(2027, 1, 10))  # more than twelve months ago
    found = lists.flats_to_replace(TODAY, world["manager"])
    assert found.count == 1
    row = found.rows[0]
    assert (row.flat_id, row.address, row.on) == (recent.id, recent.address, dt.date(2027, 11, 30))
    assert row.landlord == "Hyresbolaget AB"


def test_a_protected_residents_flat_is_not_shown_outside_their_circle(world):
    flat = _transferred(world, "Sara", dt.date(2027, 11, 30), protected=True)
    assert lists.flats_to_replace(TODAY, world["manager"]).rows[0].address == flat.address
    seen = lists.flats_to_replace(TODAY, world["other"])
    assert seen.count == 1 and seen.rows[0] == lists.FlatRow(flat.id, False)


def test_a_list_returns_its_first_rows_and_how_many(world):
    for n in range(lists.LIMIT + 2):
        _road(world["resident"](f"P{n:02}", start=MOVED_IN), "other_housing", world["johan"])
    mine = lists.on_the_road(world["johan"].id, TODAY, world["johan"])
    assert (len(mine.rows), mine.count, mine.more) == (lists.LIMIT, lists.LIMIT + 2, 2)


# ---- the start pages -------------------------------------------------------------------


def _page(client, user) -> str:
    login(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _block(page: str, key: str) -> str:
    return page.split(f'id="block-{key}"')[1].split("</section>")[0]


def test_the_managers_page_shows_the_ready_the_stuck_and_the_flats_to_replace(client, world):
    sara = _ready(world)
    still = world["resident"]("Omar", start=MOVED_IN)
    _pay_every_month(still, world["johan"])
    _road(still, "other_housing", world["johan"], on=dt.date(2027, 6, 1), assessment="not_ready")
    flat = _transferred(world, "Ali", dt.date(2027, 12, 15))
    page = _page(client, world["manager"])
    ready = _block(page, "road-ready")
    assert "Ready to move on" in ready and f'href="/residents/{sara.id}"' in ready
    assert "Sara Ek" in ready and "ask the landlord" in ready
    stuck = _block(page, "road-stuck")
    assert "Stuck on the road (nothing changed for six months)" in stuck
    assert "Omar Ek" in stuck and "nothing changed since 2027-06-01" in stuck
    assert "1 of 2 conditions met" in stuck
    replace = _block(page, "road-replace")
    assert "Flats to replace" in replace and flat.address in replace
    assert "taken over 2027-12-15" in replace and 'href="/landlords/pipeline"' in replace


def test_the_staff_page_shows_their_residents_on_the_road(client, world):
    sara = _ready(world, target=dt.date(2028, 5, 1))
    omar = world["resident"]("Omar", start=MOVED_IN)
    Tenancy.update(contact_person=world["other"]).where(Tenancy.id == omar.id).execute()
    _road(omar, "trial_flat", world["other"])
    page = _page(client, world["johan"])
    mine = _block(page, "road-mine")
    assert "Your residents on the road" in mine
    assert f'href="/residents/{sara.id}"' in mine and "Omar" not in mine
    assert "2028-05" in mine
    assert "road-ready" not in page  # the manager's blocks


def test_the_managers_page_runs_a_fixed_number_of_queries(client, world):
    _ready(world)
    login(client, world["manager"])

    def queries():
        cache.forget()  # read from nothing kept: the most a request can run
        with count_queries() as log:
            assert client.get("/").status_code == 200
        return len(log)

    small = queries()
    for n in range(lists.LIMIT + 2):
        _ready(world, f"R{n:02}")
        still = world["resident"](f"S{n:02}", start=MOVED_IN)
        _road(still, "other_housing", world["johan"], on=dt.date(2027, 6, 1))
        _transferred(world, f"T{n:02}", dt.date(2027, 12, 1), protected=n % 2 == 0)
    sara = Tenancy.select().order_by(Tenancy.id).first()
    _ask(sara, world, "yes", dt.date(2028, 1, 20))
    assert queries() == small
    page = client.get("/").get_data(as_text=True)
    assert "and 3 more" in _block(page, "road-ready")  # 13 ready, ten shown


def test_a_block_shows_a_protected_resident_as_protected_and_nothing_else(app, world):
    from intranet.main.today_road import ready_block, stuck_block

    sara = _ready(world)
    still = world["resident"]("Omar", start=MOVED_IN)
    _road(still, "other_housing", world["johan"], on=dt.date(2027, 6, 1), assessment="not_ready")
    Referral.update(protected_identity=True).execute()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for block in (ready_block(TODAY, world["other"]), stuck_block(TODAY, world["other"])):
            assert block.count == 1
            item = block.items[0]
            assert (item.text, item.url, item.note) == ("Protected personal details", None, "")
        named = ready_block(TODAY, world["manager"]).items[0]
        assert named.url == f"/residents/{sara.id}"


def test_the_kept_lists_follow_the_ledger_and_the_road(app, world):
    """The manager's lists are kept between requests in two parts, the roads and the rent's
    turn over them: a reversed payment, the payment made again and a new assessment each
    show on the next reading."""
    from intranet.models import Payment

    sara = _ready(world)
    manager = world["manager"]
    assert lists.ready_to_move_on(TODAY, manager).count == 1
    assert lists.ready_to_move_on(TODAY, manager).count == 1  # kept
    last = (
        Payment.select()
        .where(Payment.tenancy == sara.id)
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
        .first()
    )
    rent_services.reverse_payment(last.id, world["johan"], "fel rad")
    assert lists.ready_to_move_on(TODAY, manager).count == 0  # a debt now
    rent_services.register_payment(
        last.charge_id, world["johan"], last.paid_on, last.amount, "swish", "again"
    )
    assert lists.ready_to_move_on(TODAY, manager).count == 1
    road = Road.get(Road.tenancy == sara.id)
    RoadMark.create(
        road=road,
        subject="assessment",
        state="not_ready",
        on_date=TODAY,
        marked_by=world["johan"],
        marked_at=_at(TODAY),
    )
    assert lists.ready_to_move_on(TODAY, manager).count == 0

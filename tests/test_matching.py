"""The matching page: free flats, rankings with reasons, proposing, plans, the move-in."""

import datetime as dt

import pytest
from conftest import csrf_token, login, post_form
from helpers import count_queries

from intranet import clock
from intranet.models import (
    AuditEvent,
    Commissioner,
    Flat,
    FlatStatusChange,
    Match,
    Referral,
    Role,
    Tenancy,
)
from intranet.referrals.services import create_referral

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def setting(app, make_user, make_landlord):
    clock.set_clock(TODAY)
    staff = make_user(Role.STAFF, display_name="Johan Berg")
    landlord = make_landlord()
    commissioner = Commissioner.create(name="Socialtjänsten Farsta")
    counter = {"n": 0}

    def flat(district="Farsta", rooms=1, status="ready", days_ready=10, **fields):
        counter["n"] += 1
        values = {
            "landlord": landlord,
            "address": f"Storgatan {counter['n']}",
            "postcode": "12345",
            "district": district,
            "rooms": rooms,
            "size_m2": 40,
            "floor": 0,
            "rent_to_landlord": 7300,
            "rent_to_resident": 7300,
            "status": status,
            "ready_since": TODAY - dt.timedelta(days=days_ready),
        }
        return Flat.create(**{**values, **fields})

    def referral(first_name="Sara", waited=20, **fields):
        values = {
            "received_on": TODAY - dt.timedelta(days=waited),
            "commissioner": commissioner,
            "first_name": first_name,
            "last_name": "Ek",
            "birth_date": dt.date(1990, 1, 1),
            "gender": "female",
            "target_group": "addiction",
            "drug_free_since": dt.date(2025, 1, 1),
            "occupation_percent": 50,
            "last_contact_on": TODAY,
        }
        person = create_referral(staff, **{**values, **fields})
        Referral.update(status="waiting").where(Referral.id == person.id).execute()
        return Referral.get_by_id(person.id)

    return staff, flat, referral


@pytest.fixture
def staff_client(client, setting):
    login(client, setting[0])
    return client


def test_the_page_lists_free_flats_with_vacancy_cost_and_waiting_referrals(staff_client, setting):
    _staff, flat, referral = setting
    flat(days_ready=10)
    flat(status="equipping")
    referral("Sara")
    page = staff_client.get("/matching/").get_data(as_text=True)
    assert "Storgatan 1" in page and "Storgatan 2" not in page
    assert "ledig 10 dagar, 2\u00a0400\u00a0kr" in page  # 7 300 × 12 / 365 = 240 kr a day
    assert "Sara Ek" in page


def test_a_flat_about_to_be_free_appears_with_its_date(staff_client, setting):
    staff, flat, referral = setting
    occupied = flat()
    Tenancy.create(
        flat=occupied,
        referral=referral(),
        contact_person=staff,
        start_date=TODAY - dt.timedelta(days=300),
        rent=7000,
        move_out_date=TODAY + dt.timedelta(days=5),
    )
    page = staff_client.get("/matching/?within=14").get_data(as_text=True)
    assert "ledig från 2026-12-05" in page
    assert "ledig från" not in staff_client.get("/matching/?within=2").get_data(as_text=True)


def test_picking_a_flat_ranks_candidates_and_shows_failing_ones(staff_client, setting):
    _staff, flat, referral = setting
    the_flat = flat(district="Farsta")
    referral("Long", waited=200)
    referral("Short", waited=5)
    referral("Banned", excluded_districts="Farsta")
    response = staff_client.get(f"/matching/?flat={the_flat.id}", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="ranking"')
    assert body.index("Long Ek") < body.index("Short Ek") < body.index("Banned Ek")
    assert "uppfyller inte reglerna" in body
    assert "Farsta är en utesluten stadsdel." in body


def test_picking_a_referral_ranks_the_flats(staff_client, setting):
    _staff, flat, referral = setting
    flat(district="Rinkeby")
    flat(district="Årsta")
    person = referral(preferred_districts="Årsta")
    body = staff_client.get(f"/matching/?referral={person.id}").get_data(as_text=True)
    assert body.index("Årsta", body.index("Rankning")) < body.index(
        "Rinkeby", body.index("Rankning")
    )


def test_proposing_the_top_candidate_reserves_the_flat(staff_client, setting):
    _staff, flat, referral = setting
    the_flat, person = flat(), referral()
    response = post_form(
        staff_client,
        "/matching/propose",
        {"flat_id": the_flat.id, "referral_id": person.id},
        "/matching/",
    )
    assert response.status_code == 303
    match = Match.get()
    assert (match.flat_id, match.referral_id, match.status) == (the_flat.id, person.id, "proposed")
    assert (
        "Storgatan 1"
        not in staff_client.get("/matching/").get_data(as_text=True).split("Matchningar på gång")[0]
    )


def test_passing_over_the_top_candidate_needs_a_reason(staff_client, setting):
    _staff, flat, referral = setting
    the_flat = flat()
    referral("Top", waited=300)
    second = referral("Second", waited=10)
    data = {"flat_id": the_flat.id, "referral_id": second.id, "passed_over_reason": ""}
    response = post_form(staff_client, "/matching/propose", data, "/matching/")
    assert response.status_code == 422
    assert "Top Ek är rankad först" in response.get_data(as_text=True)
    assert Match.select().count() == 0
    data["passed_over_reason"] = "Top har tackat nej till området tidigare"
    assert post_form(staff_client, "/matching/propose", data, "/matching/").status_code == 303
    assert Match.get().passed_over_reason == "Top har tackat nej till området tidigare"


@pytest.mark.parametrize("bad", [{"flat_id": "abc"}, {"referral_id": ""}, {"flat_id": "99999"}])
def test_bad_proposals_change_nothing(staff_client, setting, bad):
    _staff, flat, referral = setting
    data = {"flat_id": flat().id, "referral_id": referral().id, **bad}
    response = post_form(staff_client, "/matching/propose", data, "/matching/")
    assert response.status_code in (409, 422)
    assert Match.select().count() == 0


def test_an_ineligible_person_cannot_be_proposed(staff_client, setting):
    _staff, flat, referral = setting
    the_flat, person = flat(), referral(occupation_percent=20)
    response = post_form(
        staff_client,
        "/matching/propose",
        {"flat_id": the_flat.id, "referral_id": person.id},
        "/matching/",
    )
    assert response.status_code == 422
    assert Match.select().count() == 0


def test_the_match_goes_all_the_way_to_move_in_and_out(staff_client, setting):
    staff, flat, referral = setting
    the_flat, person = flat(), referral()
    post_form(
        staff_client,
        "/matching/propose",
        {"flat_id": the_flat.id, "referral_id": person.id},
        "/matching/",
    )
    match = Match.get()
    url = f"/matching/matches/{match.id}"
    assert (
        post_form(staff_client, f"{url}/advance", {"from_status": "proposed"}, url).status_code
        == 303
    )
    assert (
        post_form(staff_client, f"{url}/advance", {"from_status": "offered"}, url).status_code
        == 303
    )
    past = post_form(
        staff_client,
        f"{url}/advance",
        {"from_status": "viewing", "move_in_date": "2026-11-01"},
        url,
    )
    assert past.status_code == 422
    ok = post_form(
        staff_client,
        f"{url}/advance",
        {"from_status": "viewing", "move_in_date": "2026-12-01"},
        url,
    )
    assert ok.status_code == 303
    move_in = {"contact_person": staff.id, "rent": "7300", "rent_payer": "commissioner"}
    early = post_form(staff_client, f"{url}/move-in", move_in, url)
    assert early.status_code == 422
    assert Tenancy.select().count() == 0
    clock.set_clock(dt.date(2026, 12, 1))
    staff_client.get("/")
    login(staff_client, staff)
    moved = post_form(staff_client, f"{url}/move-in", move_in, url)
    assert moved.status_code == 303
    tenancy = Tenancy.get()
    assert (tenancy.start_date, tenancy.rent_payer) == (dt.date(2026, 12, 1), "commissioner")
    clock.set_clock(dt.date(2027, 6, 30))
    staff_client.get("/")  # months later the old session has ended
    login(staff_client, staff)
    t_url = f"/residents/{tenancy.id}"
    out = post_form(
        staff_client,
        f"{t_url}/move-out",
        {"end_date": "2027-06-30", "outcome": "own_lease", "note": "", "confirmed": "y"},
        t_url,
    )
    assert out.status_code == 303
    assert Flat.get_by_id(the_flat.id).status == "moved_out"
    note = FlatStatusChange.note
    inspection = FlatStatusChange.select().where(note == "besiktning efter utflytt")
    assert inspection.count() == 1
    report = staff_client.get("/residents/outcomes").get_data(as_text=True)
    assert "211 dagar" in report


def test_a_decline_puts_both_back_and_is_shown_next_time(staff_client, setting):
    _staff, flat, referral = setting
    the_flat, person = flat(), referral()
    post_form(
        staff_client,
        "/matching/propose",
        {"flat_id": the_flat.id, "referral_id": person.id},
        "/matching/",
    )
    match = Match.get()
    url = f"/matching/matches/{match.id}"
    bad = post_form(
        staff_client,
        f"{url}/decline",
        {"from_status": "proposed", "side": "aliens", "reason": "area", "note": ""},
        url,
    )
    assert bad.status_code == 422
    data = {"from_status": "proposed", "side": "person", "reason": "area", "note": "För nära"}
    assert post_form(staff_client, f"{url}/decline", data, url).status_code == 303
    assert Referral.get_by_id(person.id).status == "waiting"
    page = staff_client.get(f"/matching/?flat={the_flat.id}").get_data(as_text=True)
    assert "Tackat nej tidigare: Farsta, Området" in page


def test_the_best_plan_beats_greedy_and_a_pair_can_be_accepted(staff_client, setting):
    _staff, flat, referral = setting
    big = flat(rooms=2, district="Farsta")
    small = flat(rooms=1, district="Farsta")
    referral("Needs2", waited=10, min_rooms=2)
    referral("Any", waited=300, min_rooms=1)
    page = staff_client.get("/matching/plan").get_data(as_text=True)
    assert "Needs2 Ek" in page and "Any Ek" in page
    response = post_form(
        staff_client,
        "/matching/plan/accept",
        {"flat_id": big.id, "referral_id": Referral.get(Referral.first_name == "Needs2").id},
        "/matching/plan",
    )
    assert response.status_code == 303
    assert Match.get().flat_id == big.id
    assert small.id


def test_opening_a_match_or_resident_page_is_audited(staff_client, setting):
    _staff, flat, referral = setting
    the_flat, person = flat(), referral()
    post_form(
        staff_client,
        "/matching/propose",
        {"flat_id": the_flat.id, "referral_id": person.id},
        "/matching/",
    )
    staff_client.get(f"/matching/matches/{Match.get().id}")
    assert (
        AuditEvent.select()
        .where((AuditEvent.subject_id == person.id) & (AuditEvent.subject_type == "referral"))
        .count()
        >= 1
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.CARETAKER, 403), (Role.LANDLORD, 403), (Role.ADMIN, 403), (Role.MANAGER, 200)],
)
def test_who_may_match(client, make_user, setting, role, status):
    login(client, make_user(role))
    for url in ["/matching/", "/matching/plan"]:
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize("query", ["?within=abc", "?within=999", "?flat=x"])
def test_bad_parameters_get_a_message(staff_client, query):
    assert staff_client.get(f"/matching/{query}").status_code == 400


def test_the_page_runs_a_fixed_number_of_queries(staff_client, setting):
    _staff, flat, referral = setting

    def queries():
        with count_queries() as log:
            assert staff_client.get("/matching/").status_code == 200
        return len(log)

    flat()
    referral()
    small = queries()
    for n in range(12):
        flat(district=["Farsta", "Årsta"][n % 2])
        referral(f"P{n}")
    assert queries() == small


def test_the_plan_and_a_ranking_read_only_the_people_they_show(staff_client, setting):
    """The waiting referrals are read once and kept until one changes; a ranking or the plan
    then reads only the people it shows, in the same queries however many wait, and the
    plan's pairs come 50 a page."""
    from intranet.models import Referral

    _staff, flat, referral = setting
    first = flat()

    def queries(url):
        with count_queries() as log:
            assert staff_client.get(url).status_code == 200
        return [sql for sql in log if 'FROM "referral"' in sql]

    referral("Anna")
    ranked = f"/matching/?flat={first.id}"
    read = queries(ranked)  # the whole waiting list is read the first time
    kept_ranking, kept_plan = queries(ranked), queries("/matching/plan")
    assert len(kept_ranking) == len(read) - 1
    for n in range(60):
        flat(district=["Farsta", "Årsta"][n % 2])
        referral(f"P{n}")
    queries(ranked)  # read again: the referrals changed
    assert len(queries(ranked)) == len(kept_ranking)
    queries("/matching/plan")
    assert len(queries("/matching/plan")) == len(kept_plan)
    plan = staff_client.get("/matching/plan").get_data(as_text=True)
    assert plan.count('action="/matching/plan/accept"') == 50
    second = staff_client.get("/matching/plan?page=2").get_data(as_text=True)
    assert second.count('action="/matching/plan/accept"') == 11
    # A change to a waiting person is seen at once.
    anna = Referral.get(Referral.first_name == "Anna")
    Referral.update(first_name="Annika", revision=Referral.revision + 1).where(
        Referral.id == anna.id
    ).execute()
    assert "Annika Ek" in staff_client.get(ranked).get_data(as_text=True)


def test_two_staff_proposing_the_same_flat_at_once_get_one_match(app, setting, make_user):
    import threading

    _staff, flat, referral = setting
    the_flat = flat()
    people = [referral("First", waited=50), referral("Second", waited=50)]
    clients = []
    for _ in people:
        client = app.test_client()
        login(client, make_user(Role.STAFF))
        clients.append(client)
    tokens = [csrf_token(c, "/matching/") for c in clients]
    barrier = threading.Barrier(2)
    statuses = [None, None]

    def propose(i):
        data = {
            "csrf_token": tokens[i],
            "flat_id": the_flat.id,
            "referral_id": people[i].id,
            "passed_over_reason": "Samma väntetid",
        }
        barrier.wait()
        statuses[i] = clients[i].post("/matching/propose", data=data).status_code

    threads = [threading.Thread(target=propose, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [303, 409], statuses
    assert Match.select().where(Match.flat == the_flat.id).count() == 1


def test_a_ranking_shows_a_page_and_more_on_asking(staff_client, setting):
    _staff, flat, referral = setting
    the_flat = flat()
    for n in range(30):
        referral(f"P{n:02d}", waited=20 + n)
    page = staff_client.get(f"/matching/?flat={the_flat.id}", headers={"HX-Request": "true"})
    body = page.get_data(as_text=True)
    assert body.count('<li class="candidate') == 25
    assert "P29 Ek" in body and "P00 Ek" not in body  # the longest wait first
    assert "Visa 5 till (5 visas inte)" in body and "shown=50" in body
    more = staff_client.get(f"/matching/?flat={the_flat.id}&shown=50").get_data(as_text=True)
    assert more.count('<li class="candidate') == 30 and "visas inte" not in more
    assert staff_client.get(f"/matching/?flat={the_flat.id}&shown=abc").status_code == 400
    assert staff_client.get(f"/matching/?flat={the_flat.id}&shown=0").status_code == 400


def test_proposing_someone_beyond_the_first_page_still_checks_the_ranking(staff_client, setting):
    _staff, flat, referral = setting
    the_flat = flat()
    people = [referral(f"P{n:02d}", waited=20 + n) for n in range(30)]
    data = {"flat_id": the_flat.id, "referral_id": people[0].id}
    refused = post_form(staff_client, "/matching/propose", data, "/matching/")
    assert refused.status_code == 422
    assert "P29 Ek är rankad först" in refused.get_data(as_text=True)
    data["passed_over_reason"] = "Har hund, P29 är allergisk"
    assert post_form(staff_client, "/matching/propose", data, "/matching/").status_code == 303
    assert Match.get().referral_id == people[0].id


def test_a_refused_proposal_that_names_people_is_in_the_audit_log(staff_client, setting):
    """The ranking drawn again with a 422 shows the people: one line in the audit log."""
    _staff, flat, referral = setting
    the_flat = flat()
    referral("Top", waited=300)
    second = referral("Second", waited=10)
    data = {"flat_id": the_flat.id, "referral_id": second.id, "passed_over_reason": ""}
    assert post_form(staff_client, "/matching/propose", data, "/matching/").status_code == 422
    lines = AuditEvent.select().where(AuditEvent.detail.startswith("matching, proposal:"))
    assert [e.detail for e in lines] == ["matching, proposal: /matching/propose"]


# Every way to propose a pair: the matching page, a pair taken from the best plan, and the
# service the two call. Each refuses an ineligible person the same way.
def _propose_on_the_page(client, flat_id, referral_id, reason=""):
    data = {"flat_id": flat_id, "referral_id": referral_id, "passed_over_reason": reason}
    return post_form(client, "/matching/propose", data, "/matching/")


def _propose_from_the_plan(client, flat_id, referral_id, reason=""):
    data = {"flat_id": flat_id, "referral_id": referral_id, "passed_over_reason": reason}
    return post_form(client, "/matching/plan/accept", data, "/matching/plan")


@pytest.mark.parametrize("path", [_propose_on_the_page, _propose_from_the_plan])
def test_no_path_matches_a_sixteen_year_old(staff_client, setting, path):
    _staff, flat, referral = setting
    the_flat = flat()
    young = referral("Unga", birth_date=TODAY.replace(year=TODAY.year - 16))
    response = path(staff_client, the_flat.id, young.id)
    assert response.status_code in (303, 422)
    assert Match.select().count() == 0
    assert Referral.get_by_id(young.id).status == "waiting"
    page = staff_client.get("/matching/plan").get_data(as_text=True)
    assert "Unga" not in page  # the plan offers no ineligible pair at all


def test_the_service_refuses_an_ineligible_person_whoever_calls_it(setting):
    from intranet.matching import services

    staff, flat, referral = setting
    young = referral("Unga", birth_date=TODAY.replace(year=TODAY.year - 16))
    for from_plan in (False, True):
        with pytest.raises(services.MatchError, match="does not meet the rules"):
            services.propose_match(flat().id, young.id, staff, "ett skäl", from_plan=from_plan)
    assert Match.select().count() == 0


@pytest.mark.parametrize("path", [_propose_on_the_page, _propose_from_the_plan])
def test_passing_over_the_first_ranked_takes_a_reason_on_every_path(staff_client, setting, path):
    _staff, flat, referral = setting
    only = flat()
    referral("Först", waited=60)
    second = referral("Andra", waited=10)
    refused = path(staff_client, only.id, second.id)
    assert Match.select().count() == 0
    if refused.status_code == 303:  # the plan's answer: back to the plan with the message
        refused = staff_client.get(refused.headers["Location"])
    assert "Först Ek" in refused.get_data(as_text=True)
    assert path(staff_client, only.id, second.id, "Först vill vänta").status_code == 303
    assert Match.get().passed_over_reason == "Först vill vänta"


def test_a_pair_from_the_plan_passes_over_no_one_the_plan_places_elsewhere(staff_client, setting):
    _staff, flat, referral = setting
    here, there = flat(district="Farsta"), flat(district="Bagarmossen")
    first = referral("Först", waited=60, preferred_districts="Bagarmossen")
    second = referral("Andra", waited=10)
    # On the matching page, the first-ranked for this flat is passed over without a reason.
    assert _propose_on_the_page(staff_client, here.id, second.id).status_code == 422
    assert Match.select().count() == 0
    # The best plan gives the first-ranked the other flat, so taking this pair from it
    # passes over nobody.
    assert _propose_from_the_plan(staff_client, here.id, second.id).status_code == 303
    match = Match.get()
    assert (match.flat_id, match.referral_id, match.passed_over_reason) == (here.id, second.id, "")
    assert _propose_from_the_plan(staff_client, there.id, first.id).status_code == 303
    assert Match.select().count() == 2

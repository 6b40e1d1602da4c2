"""The landlord's side of a request to take over a lease: the portal lists the landlord's own
requests, the request's page shows what the unit shared (and logs that it was opened), the
answer is given once with its day, and the landlord's page in the intranet lists the requests
without naming a protected resident to those outside the person's circle. In English."""

import datetime as dt
import json

import pytest
from conftest import csrf_token, login, post_form
from helpers import add_flat, add_person, add_resident, count_queries

from intranet import clock
from intranet.models import (
    AuditEvent,
    Commissioner,
    LeaseRequest,
    Role,
    ShareConsent,
    Tenancy,
)

TODAY = dt.date(2027, 6, 10)
LATER = TODAY + dt.timedelta(days=30)
PROTECTED = "Protected personal details"


def ask(tenancy, manager, recommendation="Sara has paid every month on time."):
    """A request to the flat's landlord, as ``road.services.ask_landlord`` leaves it, with
    the resident's consent behind it."""
    consent = ShareConsent.create(
        tenancy=tenancy, given_on=TODAY - dt.timedelta(days=7), recorded_by=tenancy.contact_person
    )
    referral = tenancy.referral
    shared = {
        "name": f"{referral.first_name} {referral.last_name}",
        "moved_in": tenancy.start_date.isoformat(),
        "months_in_flat": 15,
        "on_time_in_a_row": 12,
        "debt": "1200.50",
        "recommendation": recommendation,
    }
    return LeaseRequest.create(
        tenancy=tenancy,
        flat=tenancy.flat,
        landlord=tenancy.flat.landlord,
        consent=consent,
        asked_by=manager,
        recommendation=recommendation,
        shared=json.dumps(shared),
    )


@pytest.fixture
def world(app, make_user, make_landlord):
    """Landlord A with a resident in a flat and a request about her; landlord B with nothing;
    a portal user for each, the manager, the contact person and another staff member."""
    clock.set_clock(dt.datetime(2027, 6, 10, 9, 30))
    manager = make_user(Role.MANAGER, language="en")
    contact = make_user(Role.STAFF, language="en", display_name="Kim Contact")
    commissioner = Commissioner.create(name="Socialtjänsten")
    landlord_a, landlord_b = make_landlord("Landlord A"), make_landlord("Landlord B")
    tenancy = add_resident(
        landlord_a, commissioner, contact, "Sara", start=dt.date(2026, 3, 1), address="Tallgatan 3"
    )
    return {
        "manager": manager,
        "contact": contact,
        "staff": make_user(Role.STAFF, language="en"),
        "commissioner": commissioner,
        "landlord_a": landlord_a,
        "tenancy": tenancy,
        "request": ask(tenancy, manager),
        "a": make_user(Role.LANDLORD, landlord=landlord_a, language="en"),
        "b": make_user(Role.LANDLORD, landlord=landlord_b, language="en"),
    }


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _answer(client, request_id, **fields):
    url = f"/portal/requests/{request_id}"
    return post_form(client, f"{url}/answer", fields, url)


def _stored(request_id):
    stored = LeaseRequest.get_by_id(request_id)
    return stored.answer, stored.answer_on, stored.answered_by_id


# ---- what the landlord sees ---------------------------------------------------------------


def test_the_landlord_sees_their_request_and_what_was_shared(client, world):
    request = world["request"]
    login(client, world["a"])
    portal = _page(client, "/portal/")
    assert "Requests to take over a lease" in portal
    assert f'href="/portal/requests/{request.id}">Tallgatan 3</a>' in portal
    assert "2027-06-10" in portal and "Waiting for your answer" in portal
    page = _page(client, f"/portal/requests/{request.id}")
    for shown in [
        "Tallgatan 3",
        "Sara Ek",
        "2026-03-01",
        "Months in the flat</dt>\n  <dd>15",
        "Months in a row paid on time</dt>\n  <dd>12",
        "1,200.50\u00a0kr",
        "Sara has paid every month on time.",
        "Yes, the resident may take over the lease",
        "Later: ask again",
    ]:
        assert shown in page, shown
    assert "checked" not in page.split('id="answer-heading"')[1], "nothing is preselected"


def test_opening_the_request_writes_the_audit_line(client, world):
    request = world["request"]
    login(client, world["a"])
    _page(client, f"/portal/requests/{request.id}")
    line = AuditEvent.get(
        (AuditEvent.subject_type == "lease_request") & (AuditEvent.subject_id == request.id)
    )
    assert (line.action, line.actor_id, line.detail) == (
        "viewed",
        world["a"].id,
        "lease request in the portal",
    )


def test_another_landlord_neither_lists_nor_opens_nor_answers_it(client, world):
    request = world["request"]
    login(client, world["b"])
    portal = _page(client, "/portal/")
    assert "Tallgatan 3" not in portal and "Requests to take over a lease" not in portal
    assert client.get(f"/portal/requests/{request.id}").status_code == 404
    token = csrf_token(client, "/portal/")
    response = client.post(
        f"/portal/requests/{request.id}/answer",
        data={"csrf_token": token, "answer": "yes", "answer_on": LATER.isoformat()},
    )
    assert response.status_code == 404
    assert _stored(request.id) == (None, None, None)
    assert not AuditEvent.select().where(AuditEvent.subject_type == "lease_request").exists()


def test_a_withdrawn_request_is_gone_from_the_portal(client, world):
    request = world["request"]
    LeaseRequest.update(withdrawn_at=clock.now()).where(LeaseRequest.id == request.id).execute()
    login(client, world["a"])
    portal = _page(client, "/portal/")
    assert "Requests to take over a lease" not in portal and "/portal/requests/" not in portal
    assert client.get(f"/portal/requests/{request.id}").status_code == 404
    token = csrf_token(client, "/portal/")
    response = client.post(
        f"/portal/requests/{request.id}/answer",
        data={"csrf_token": token, "answer": "no"},
    )
    assert response.status_code == 404
    assert _stored(request.id) == (None, None, None)


def test_the_staff_preview_lists_the_requests_without_links(client, world):
    login(client, world["staff"])
    page = _page(client, f"/portal/preview/{world['landlord_a'].id}")
    assert "Requests to take over a lease" in page and "Tallgatan 3" in page
    assert "/portal/requests/" not in page


# ---- the answer ---------------------------------------------------------------------------


def test_answering_yes_with_the_day_stores_it_and_the_page_shows_it(client, world):
    request = world["request"]
    login(client, world["a"])
    response = _answer(
        client, request.id, answer="yes", answer_on=LATER.isoformat(), note="Welcome, Sara."
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/portal/requests/{request.id}"
    assert _stored(request.id) == ("yes", LATER, world["a"].id)
    assert LeaseRequest.get_by_id(request.id).answer_note == "Welcome, Sara."
    page = _page(client, f"/portal/requests/{request.id}")
    assert "Your answer is sent to the unit." in page
    assert "The day the resident takes over the lease</dt><dd>2027-07-10" in page
    assert "Welcome, Sara." in page
    assert "<form" not in page.split('id="answer-heading"')[1], "the answer stands"
    portal = _page(client, "/portal/")
    assert "You answered yes: the resident takes over the lease on 2027-07-10" in portal


def test_answering_later_and_no(client, world):
    request = world["request"]
    login(client, world["a"])
    later = _answer(client, request.id, answer="later", answer_on=LATER.isoformat())
    assert later.status_code == 303
    assert _stored(request.id) == ("later", LATER, world["a"].id)
    assert "the unit may ask again on 2027-07-10" in _page(client, "/portal/")
    # A new request after "later"; "no" keeps no day even when one is sent.
    second = ask(world["tenancy"], world["manager"])
    assert _answer(client, second.id, answer="no", answer_on=LATER.isoformat()).status_code == 303
    assert _stored(second.id) == ("no", None, world["a"].id)


@pytest.mark.input_only
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"answer": "yes", "answer_on": ""}, "answer_on", "Give the day of the transfer"),
        (
            {"answer": "yes", "answer_on": (TODAY - dt.timedelta(days=1)).isoformat()},
            "answer_on",
            "Give the day of the transfer",
        ),
        ({"answer": "later", "answer_on": TODAY.isoformat()}, "answer_on", "Give the day to ask"),
        ({"answer_on": LATER.isoformat()}, "answer", "Choose the answer."),
        ({"answer": "maybe", "answer_on": LATER.isoformat()}, "answer", "Choose the answer."),
        (
            {"answer": "no", "note": "x" * 5001},
            "note",
            "Keep it under 5,000 characters.",
        ),
    ],
)
def test_a_refused_answer_comes_back_beside_its_field(client, world, fields, field, message):
    request = world["request"]
    login(client, world["a"])
    response = _answer(client, request.id, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error" class="field-error">{message}' in page
    assert _stored(request.id) == (None, None, None)
    assert not AuditEvent.select().where(AuditEvent.action == "answered").exists()


def test_a_second_answer_is_refused(client, world):
    request = world["request"]
    login(client, world["a"])
    assert _answer(client, request.id, answer="no").status_code == 303
    response = _answer(client, request.id, answer="yes", answer_on=LATER.isoformat())
    assert response.status_code == 422
    assert "This request has already been answered." in response.get_data(as_text=True)
    assert _stored(request.id) == ("no", None, world["a"].id)


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_the_unit_cannot_answer_in_the_portal(app, client, world, role):
    request = world["request"]
    person = world["staff"] if role == Role.STAFF else world["manager"]
    login(client, person)
    assert client.get(f"/portal/requests/{request.id}").status_code == 403
    token = csrf_token(client, "/")
    response = client.post(
        f"/portal/requests/{request.id}/answer",
        data={"csrf_token": token, "answer": "yes", "answer_on": LATER.isoformat()},
    )
    assert response.status_code == 403
    assert _stored(request.id) == (None, None, None)


# ---- the landlord's page in the intranet --------------------------------------------------


def _protected_request(world):
    """A second resident of landlord A, with protected personal details, asked about."""
    person = add_person(
        world["commissioner"], "Hemlig", last_name="Skyddad", protected_identity=True
    )
    tenancy = Tenancy.create(
        flat=add_flat(world["landlord_a"], "Dolda vägen 7"),
        referral=person,
        contact_person=world["contact"],
        start_date=dt.date(2026, 2, 1),
        rent=6200,
    )
    return ask(tenancy, world["manager"])


def test_the_landlords_page_lists_every_request_with_its_state(client, world):
    first = world["request"]
    LeaseRequest.update(answer="later", answer_on=LATER, answered_at=clock.now()).where(
        LeaseRequest.id == first.id
    ).execute()
    clock.set_clock(dt.datetime(2027, 6, 11, 9, 30))
    second = ask(world["tenancy"], world["manager"])
    LeaseRequest.update(withdrawn_at=clock.now()).where(LeaseRequest.id == second.id).execute()
    login(client, world["staff"])
    page = _page(client, f"/landlords/{world['landlord_a'].id}")
    section = page.split('id="lease-requests"')[1].split("</section>")[0]
    assert f'href="/residents/{world["tenancy"].id}">Sara Ek</a>' in section
    assert section.index("Withdrawn") < section.index("Later: ask again on 2027-07-10")
    assert "2027-06-11" in section and "Tallgatan 3" in section
    line = AuditEvent.get(AuditEvent.action == "viewed")
    assert line.detail.startswith("landlord page, requests to take over a lease")


@pytest.mark.parametrize(
    ("who", "sees_name"), [("staff", False), ("contact", True), ("manager", True)]
)
def test_a_protected_resident_is_named_only_to_their_circle(client, world, who, sees_name):
    _protected_request(world)
    login(client, world[who])
    page = _page(client, f"/landlords/{world['landlord_a'].id}")
    section = page.split('id="lease-requests"')[1].split("</section>")[0]
    assert "Sara Ek" in section, "an ordinary resident is named to everyone who reads the page"
    for secret in ["Hemlig", "Skyddad", "Dolda vägen 7"]:
        assert (secret in section) is sees_name, secret
    assert (PROTECTED in section) is not sees_name


def test_the_landlords_page_reads_the_requests_in_one_query(client, world):
    login(client, world["manager"])
    url = f"/landlords/{world['landlord_a'].id}"

    def queries():
        with count_queries() as log:
            assert client.get(url).status_code == 200
        return len(log)

    before = queries()
    for name in ["Ali", "Bo", "Cleo"]:
        tenancy = add_resident(
            world["landlord_a"], world["commissioner"], world["contact"], name, start=TODAY
        )
        ask(tenancy, world["manager"])
    _protected_request(world)
    assert queries() == before

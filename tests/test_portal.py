"""The landlords' portal: own units only, nothing about residents, cases, offers, invitations."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from conftest import csrf_token, login, post_form

from intranet import clock
from intranet.models import (
    Case,
    CaseReply,
    Commissioner,
    Flat,
    Invitation,
    Referral,
    Role,
    Tenancy,
    User,
)
from intranet.portal import services

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def two_landlords(app, make_user, make_pipeline_landlord):
    """Landlords A and B, each with a leased unit, an open case and a portal user."""
    clock.set_clock(TODAY)
    staff = make_user(Role.STAFF, display_name="Johan Berg", phone="08-123")
    world = {}
    for key in ("a", "b"):
        landlord = make_pipeline_landlord(
            "agreement_signed", name=f"Landlord {key.upper()}", owner=staff.id
        )
        flat = Flat.create(
            landlord=landlord,
            address=f"Gatan {key.upper()} 1",
            postcode="12345",
            district="Farsta",
            rooms=2,
            size_m2=50,
            floor=1,
            rent_to_landlord=8000,
            rent_to_resident=8000,
            status="ready",
            ready_since=TODAY - dt.timedelta(days=3),
            lease_start=dt.date(2026, 1, 1),
            lease_end=TODAY + dt.timedelta(days=90),
        )
        user = make_user(Role.LANDLORD, landlord=landlord, email=f"{key}@landlord.example")
        case = services.open_case(user, flat, "fault", f"Fel i {key}")
        world[key] = {"landlord": landlord, "flat": flat, "user": user, "case": case}
    world["staff"] = staff
    return world


def _portal_urls(w):
    return [
        f"/portal/units/{w['flat'].id}",
        f"/portal/cases/{w['case'].id}",
        f"/portal/cases/new?unit={w['flat'].id}",
    ]


def test_a_landlord_sees_their_units_and_contacts(client, two_landlords):
    login(client, two_landlords["a"]["user"])
    page = client.get("/portal/").get_data(as_text=True)
    assert "Gatan A 1" in page and "Gatan B 1" not in page
    assert "Ledig sedan 2026-11-20" in page
    assert "Johan Berg" in page and "08-123" in page
    assert "8\u00a0000\u00a0kr" in page
    assert "Kontrakt som löper ut inom sex månader" in page and "2027-02-21" in page


def test_every_portal_url_of_landlord_a_is_404_for_landlord_b(client, two_landlords):
    login(client, two_landlords["b"]["user"])
    for url in _portal_urls(two_landlords["a"]):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, "/portal/")
    case_a = two_landlords["a"]["case"]
    reply = client.post(
        f"/portal/cases/{case_a.id}/reply", data={"csrf_token": token, "text": "Hej"}
    )
    assert reply.status_code == 404
    new = client.post(
        f"/portal/cases/new?unit={two_landlords['a']['flat'].id}",
        data={"csrf_token": token, "kind": "fault", "text": "x"},
    )
    assert new.status_code == 404
    assert CaseReply.select().count() == 0 and Case.select().count() == 2


def test_landlord_b_sees_own_urls(client, two_landlords):
    login(client, two_landlords["b"]["user"])
    for url in _portal_urls(two_landlords["b"]):
        assert client.get(url).status_code == 200, url


def _intranet_get_urls(app):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in (
            "static",
            "auth.login",
            "auth.login_code",
            "auth.login_enrol",
            "auth.set_up",
            "main.healthz",
            "portal.accept",
        ):
            continue
        if (
            rule.endpoint.startswith("portal.")
            and rule.rule.startswith("/portal/")
            and "preview" not in rule.rule
        ):
            continue
        # Everyone's own account pages.
        if rule.endpoint == "main.index" or rule.rule.startswith("/account/"):
            continue
        yield re.sub(r"<(?:int:)?[a-z_]+>", "1", rule.rule)


def test_every_intranet_page_is_closed_to_a_landlord_user(app, client, two_landlords):
    login(client, two_landlords["a"]["user"])
    urls = list(_intranet_get_urls(app))
    assert "/flats/" in urls and "/referrals/" in urls and "/landlords/pipeline" in urls
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_no_portal_page_shows_anything_about_residents(client, two_landlords, make_user):
    a = two_landlords["a"]
    commissioner = Commissioner.create(name="Socialtjänsten")
    person = Referral.create(
        received_on=TODAY,
        commissioner=commissioner,
        first_name="Hemlig",
        last_name="Boendesson",
        birth_date=dt.date(1991, 2, 3),
        gender="male",
        target_group="crime",
        status="moved_in",
        personal_number="19910203-1234",
    )
    Tenancy.create(
        flat=a["flat"],
        referral=person,
        contact_person=two_landlords["staff"],
        start_date=TODAY - dt.timedelta(days=47),
        rent=7000,
    )
    login(client, a["user"])
    for url in ["/portal/", f"/portal/units/{a['flat'].id}", f"/portal/cases/{a['case'].id}"]:
        page = client.get(url).get_data(as_text=True)
        # The move-in date is the resident's own: with the residents list it would say who
        # lives where.
        for secret in [
            "Hemlig",
            "Boendesson",
            "1991-02-03",
            "19910203",
            "Socialtjänsten",
            (TODAY - dt.timedelta(days=47)).isoformat(),
        ]:
            assert secret not in page, (url, secret)
    assert "Uthyrd till en boende" in client.get("/portal/").get_data(as_text=True)


def test_a_landlord_opens_a_fault_report_and_staff_reply(app, client, two_landlords):
    a = two_landlords["a"]
    login(client, a["user"])
    url = f"/portal/cases/new?unit={a['flat'].id}"
    assert (
        post_form(client, url, {"kind": "fault", "text": "Elementet är kallt"}).status_code == 303
    )
    case = Case.get(Case.text == "Elementet är kallt")
    staff = app.test_client()
    login(staff, two_landlords["staff"])
    assert "Elementet är kallt" in staff.get("/cases/").get_data(as_text=True)
    assert (
        post_form(
            staff, f"/cases/{case.id}/reply", {"text": "Vi kommer i morgon"}, f"/cases/{case.id}"
        ).status_code
        == 303
    )
    assert "Vi kommer i morgon" in client.get(f"/portal/cases/{case.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "message"), [("", "Skriv något."), ("x" * 10_000, "Håll det under 5 000 tecken.")]
)
def test_bad_case_text_is_refused(client, two_landlords, text, message):
    a = two_landlords["a"]
    login(client, a["user"])
    response = post_form(
        client, f"/portal/cases/new?unit={a['flat'].id}", {"kind": "fault", "text": text}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Case.select().count() == 2


def test_a_closed_case_takes_no_replies(app, client, two_landlords):
    a = two_landlords["a"]
    staff = app.test_client()
    login(staff, two_landlords["staff"])
    url = f"/cases/{a['case'].id}"
    assert post_form(staff, f"{url}/close", {}, url).status_code == 422
    assert Case.get_by_id(a["case"].id).status == "open"
    assert post_form(staff, f"{url}/close", {"confirmed": "y"}, url).status_code == 303
    login(client, a["user"])
    response = post_form(
        client, f"/portal/cases/{a['case'].id}/reply", {"text": "Hallå?"}, "/portal/"
    )
    assert response.status_code == 422
    assert "Ärendet är stängt" in response.get_data(as_text=True)
    assert CaseReply.select().count() == 0


def test_the_caretaker_sees_open_fault_reports(app, client, two_landlords, make_user):
    services.open_case(
        two_landlords["a"]["user"], two_landlords["a"]["flat"], "contract", "Förlängning?"
    )
    login(client, make_user(Role.CARETAKER))
    page = client.get("/cases/").get_data(as_text=True)
    assert "Öppna felanmälningar" in page
    assert page.count("Felanmälan</a>") == 2 and "Fråga om kontraktet" not in page


def _offer(**fields):
    return {
        "address": "Nya gatan 5",
        "district": "Årsta",
        "rooms": "2",
        "size_m2": "48",
        "rent": "7900",
        "available_from": "2026-12-15",
        "note": "",
        **fields,
    }


def test_a_landlord_offers_a_flat_and_the_owner_sees_it(app, client, two_landlords):
    login(client, two_landlords["a"]["user"])
    assert post_form(client, "/portal/offer", _offer(rent="7 900,50")).status_code == 303
    flat = Flat.get(Flat.address == "Nya gatan 5")
    assert (flat.status, flat.landlord_id) == ("offered", two_landlords["a"]["landlord"].id)
    assert flat.rent_to_landlord == Decimal("7900.50")
    owner = app.test_client()
    login(owner, two_landlords["staff"])
    assert "Nya gatan 5" in owner.get("/").get_data(as_text=True)
    assert "Nya gatan 5" in owner.get("/flats/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rent": "-500"}, "Ange en hyra över 0"),
        ({"available_from": "2020-01-01"}, "Datumet kan inte ligga i det förflutna."),
        ({"address": ""}, "Ange adressen."),
        ({"rooms": "x"}, "Ange ett heltal, till exempel 3."),
        ({"rent": "NaN"}, "Ange ett tal, till exempel 7 300 eller 54,5."),
    ],
)
def test_bad_offers_are_refused(client, two_landlords, fields, message):
    login(client, two_landlords["a"]["user"])
    response = post_form(client, "/portal/offer", _offer(**fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Flat.select().count() == 2


def _invite(app, two_landlords, make_user):
    manager = app.test_client()
    login(manager, make_user(Role.MANAGER))
    landlord = two_landlords["a"]["landlord"]
    response = post_form(
        manager,
        f"/landlords/{landlord.id}/invite",
        {"display_name": "Nils Ny", "email": "nils@landlord.example"},
    )
    assert response.status_code == 200
    return re.search(r"/invite/([A-Za-z0-9_-]+)", response.get_data(as_text=True)).group(1)


def test_an_invitation_sets_a_password_once(app, two_landlords, make_user):
    token = _invite(app, two_landlords, make_user)
    assert Invitation.get().token_hash != token, "only a hash of the token is stored"
    newcomer = app.test_client()
    url = f"/invite/{token}"
    short = post_form(newcomer, url, {"password": "kort", "confirm": "kort"})
    assert short.status_code == 422
    ok = post_form(
        newcomer, url, {"password": "ett långt lösenord", "confirm": "ett långt lösenord"}
    )
    assert ok.status_code == 303
    user = User.by_email("nils@landlord.example")
    assert (user.role, user.landlord_id) == ("landlord", two_landlords["a"]["landlord"].id)
    assert "Gatan A 1" in newcomer.get("/portal/").get_data(as_text=True)
    again = app.test_client().get(url)
    assert again.status_code == 410
    assert "redan använd" in again.get_data(as_text=True)


def test_an_expired_invitation_is_refused(app, two_landlords, make_user):
    token = _invite(app, two_landlords, make_user)
    clock.set_clock(dt.datetime(2026, 12, 1, 12, 0))
    response = app.test_client().get(f"/invite/{token}")
    assert response.status_code == 410
    assert "har gått ut" in response.get_data(as_text=True)
    assert app.test_client().get("/invite/made-up-token").status_code == 410
    assert User.by_email("nils@landlord.example") is None


def test_staff_preview_the_portal_read_only(app, client, two_landlords):
    login(client, two_landlords["staff"])
    page = client.get(f"/portal/preview/{two_landlords['a']['landlord'].id}").get_data(as_text=True)
    assert "Förhandsvisning" in page and "Gatan A 1" in page
    assert "<form" not in page.split('id="content"')[1]
    assert client.get("/portal/").status_code == 403


def test_deactivating_a_landlord_user_ends_their_session(app, client, two_landlords, make_user):
    user = two_landlords["a"]["user"]
    login(client, user)
    from intranet.admin.services import set_active

    set_active(make_user(Role.ADMIN), user.id, User.get_by_id(user.id).revision, False)
    assert client.get("/portal/").status_code == 302


def test_the_demo_has_three_landlord_logins_with_cases(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    landlord_users = list(User.select().where(User.role == Role.LANDLORD))
    assert len(landlord_users) == 3
    for user in landlord_users:
        assert Case.select().where(Case.landlord == user.landlord_id).count() >= 1
    assert {case.status for case in Case.select()} == {"open", "closed"}

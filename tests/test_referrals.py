"""Referral pages: intake, bad input, status, overrides, privacy and the audit log."""

import datetime as dt

import pytest
from conftest import csrf_token, login, post_form
from helpers import count_queries

from intranet import clock
from intranet.models import (
    AuditEvent,
    Commissioner,
    CommissionerContact,
    Referral,
    Role,
    RuleOverride,
)
from intranet.referrals.services import create_referral

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def commissioner(app):
    return Commissioner.create(name="Socialtjänsten Farsta")


@pytest.fixture
def staff_client(client, make_user):
    clock.set_clock(TODAY)
    user = make_user(Role.STAFF, display_name="Johan Berg")
    login(client, user)
    client.user = user
    return client


def _form(who, **fields):
    return {
        "received_on": "2026-11-20",
        "commissioner": str(who.id),
        "handling_officer": "0",
        "first_name": "Ali",
        "last_name": "Karimi",
        "birth_date": "1981-12-18",
        "gender": "male",
        "personal_number": "811218-9876",
        "target_group": "addiction",
        "drug_free_since": "2026-03-01",
        "occupation_kind": "work",
        "occupation_percent": "50",
        "min_rooms": "1",
        "preferred_districts": "Farsta, Årsta",
        "excluded_districts": "Rinkeby",
        "wished_move_in": "",
        "responsible": "0",
        "notes": "",
        **fields,
    }


def make_referral(commissioner, **values):
    defaults = {
        "received_on": TODAY - dt.timedelta(days=10),
        "commissioner": commissioner,
        "first_name": "Sara",
        "last_name": "Ek",
        "birth_date": dt.date(1995, 1, 1),
        "gender": "female",
        "target_group": "crime",
    }
    return create_referral(None, **{**defaults, **values})


def test_staff_register_a_referral(staff_client, commissioner):
    response = post_form(staff_client, "/referrals/new", _form(commissioner))
    assert response.status_code == 303
    referral = Referral.get()
    assert referral.personal_number == "19811218-9876"
    assert referral.status == "received"
    assert referral.preferred_districts == "Farsta, Årsta"
    page = staff_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "19811218-****" in page and "9876" not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"personal_number": "811218-9877"}, "Det här är inte ett giltigt personnummer."),
        (
            {"personal_number": "19900101-0017", "birth_date": "1981-12-18"},
            "stämmer inte med födelsedatumet",
        ),
        ({"drug_free_since": "2027-01-01"}, "Datumet kan inte ligga i framtiden."),
        ({"occupation_percent": "101"}, "Ange en procentsats från 0 till 100."),
        ({"occupation_percent": "-5"}, "Ange en procentsats från 0 till 100."),
        ({"first_name": ""}, "Ange förnamnet."),
        ({"first_name": "x" * 10_000}, "Fältet får inte vara längre än 100 tecken."),
        ({"commissioner": "0"}, "Välj uppdragsgivaren."),
        ({"birth_date": "2030-01-01"}, "Ange ett riktigt födelsedatum."),
        ({"min_rooms": "9"}, "Ange 1 till 6 rum."),
        ({"target_group": "pirates"}, "Välj ett av alternativen."),
    ],
)
def test_bad_referral_input_is_refused_in_place(staff_client, commissioner, fields, message):
    response = post_form(staff_client, "/referrals/new", _form(commissioner, **fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Referral.select().count() == 0


def test_a_handling_officer_must_belong_to_the_commissioner(staff_client, commissioner):
    other = Commissioner.create(name="Kriminalvården")
    officer = CommissionerContact.create(commissioner=other, name="Eva Handläggare")
    response = post_form(
        staff_client, "/referrals/new", _form(commissioner, handling_officer=str(officer.id))
    )
    assert response.status_code == 422


def test_opening_a_referral_is_logged_and_the_manager_reads_the_log(
    app, staff_client, commissioner, make_user
):
    referral = make_referral(commissioner)
    staff_client.get(f"/referrals/{referral.id}")
    event = AuditEvent.get(AuditEvent.subject_type == "referral")
    assert (event.actor_id, event.action, event.subject_id) == (
        staff_client.user.id,
        "opened",
        referral.id,
    )
    assert staff_client.get(f"/referrals/{referral.id}/audit").status_code == 403
    manager = app.test_client()
    login(manager, make_user(Role.MANAGER))
    page = manager.get(f"/referrals/{referral.id}/audit").get_data(as_text=True)
    assert "Johan Berg" in page


def test_status_changes_and_a_decline_needs_a_reason(staff_client, commissioner):
    referral = make_referral(commissioner)
    url = f"/referrals/{referral.id}/status"
    form_url = f"/referrals/{referral.id}"
    ok = post_form(
        staff_client,
        url,
        {"from_status": "received", "to_status": "assessing", "reason": ""},
        form_url,
    )
    assert ok.status_code == 303
    bad = post_form(
        staff_client,
        url,
        {"from_status": "assessing", "to_status": "declined", "reason": ""},
        form_url,
    )
    assert bad.status_code == 422
    stale = post_form(
        staff_client,
        url,
        {"from_status": "received", "to_status": "waiting", "reason": ""},
        form_url,
    )
    assert stale.status_code == 422
    assert Referral.get_by_id(referral.id).status == "assessing"


def test_only_a_manager_overrides_a_rule_and_it_is_kept(app, staff_client, commissioner, make_user):
    referral = make_referral(commissioner)
    data = {"rule": "occupation", "reason": "Praktik 40 % och studier"}
    url, form_url = f"/referrals/{referral.id}/overrides", f"/referrals/{referral.id}"
    assert post_form(staff_client, url, data, form_url).status_code == 403
    manager = app.test_client()
    login(manager, make_user(Role.MANAGER))
    assert post_form(manager, url, {**data, "reason": ""}, form_url).status_code == 422
    assert post_form(manager, url, data, form_url).status_code == 303
    assert RuleOverride.get().reason == "Praktik 40 % och studier"
    assert "Praktik 40 % och studier" in manager.get(form_url).get_data(as_text=True)


def test_a_long_wait_without_contact_asks_to_confirm(staff_client, commissioner):
    referral = make_referral(commissioner, received_on=TODAY - dt.timedelta(days=45))
    Referral.update(status="waiting").where(Referral.id == referral.id).execute()
    assert "Bekräfta att den är aktuell" in staff_client.get("/referrals/").get_data(as_text=True)
    token = csrf_token(staff_client, f"/referrals/{referral.id}")
    staff_client.post(f"/referrals/{referral.id}/contact", data={"csrf_token": token})
    assert Referral.get_by_id(referral.id).last_contact_on == TODAY
    assert "Bekräfta att den är aktuell" not in staff_client.get("/referrals/").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.MANAGER, 200),
        (Role.STAFF, 200),
        (Role.CARETAKER, 403),
        (Role.LANDLORD, 403),
        (Role.ADMIN, 403),
    ],
)
def test_who_may_see_referrals(client, make_user, commissioner, role, status):
    referral = make_referral(commissioner)
    login(client, make_user(role))
    for url in [
        "/referrals/",
        f"/referrals/{referral.id}",
        "/referrals/new",
        "/referrals/commissioners",
    ]:
        assert client.get(url).status_code == status, url
    if status == 403:
        assert AuditEvent.select().count() == 0


def test_the_referral_list_runs_a_fixed_number_of_queries(staff_client, commissioner, make_user):
    def queries():
        with count_queries() as log:
            assert staff_client.get("/referrals/").status_code == 200
        return len(log)

    make_referral(commissioner, responsible=staff_client.user)
    small = queries()
    for n in range(20):
        make_referral(
            commissioner, first_name=f"P{n}", responsible=make_user(Role.STAFF) if n % 3 else None
        )
    assert queries() == small


def test_commissioners_are_added_with_contacts(staff_client):
    assert (
        post_form(
            staff_client,
            "/referrals/commissioners",
            {"name": "Kriminalvården", "kind": "probation_service"},
        ).status_code
        == 303
    )
    again = post_form(
        staff_client,
        "/referrals/commissioners",
        {"name": "Kriminalvården", "kind": "probation_service"},
    )
    assert again.status_code == 422
    commissioner = Commissioner.get()
    url = f"/referrals/commissioners/{commissioner.id}/contacts"
    assert (
        post_form(
            staff_client,
            url,
            {"name": "Eva", "phone": "", "email": "eva@example.se"},
            "/referrals/commissioners",
        ).status_code
        == 303
    )
    assert (
        post_form(
            staff_client, url, {"name": "", "phone": "", "email": ""}, "/referrals/commissioners"
        ).status_code
        == 422
    )
    assert CommissionerContact.select().count() == 1


def test_the_days_before_asking_to_confirm_are_a_setting(app, staff_client, commissioner):
    referral = make_referral(commissioner, received_on=TODAY - dt.timedelta(days=12))
    Referral.update(status="waiting").where(Referral.id == referral.id).execute()
    assert "Bekräfta att den är aktuell" not in staff_client.get("/referrals/").get_data(
        as_text=True
    )
    app.config["REFERRAL_CONFIRM_AFTER_DAYS"] = 10
    assert "Bekräfta att den är aktuell" in staff_client.get("/referrals/").get_data(as_text=True)
    assert "Bekräfta att den är aktuell" in staff_client.get("/matching/").get_data(as_text=True)


def test_the_demo_has_referrals_in_every_status_with_tenancies(app, runner):
    from intranet.models import Match, Tenancy

    assert runner.invoke(args=["demo"]).exit_code == 0
    statuses = {r.status for r in Referral.select()}
    assert statuses == {
        "received",
        "assessing",
        "waiting",
        "matched",
        "moved_in",
        "declined",
        "withdrawn",
    }
    assert 55 <= Referral.select().count() <= 65
    assert Commissioner.select().count() >= 4
    assert Tenancy.select().where(Tenancy.end_date.is_null()).count() >= 10
    assert Tenancy.select().where(Tenancy.outcome.is_null(False)).count() >= 5
    assert Match.select().where(Match.status == "declined").count() >= 3


def test_the_list_filters_by_status_responsible_and_those_to_confirm(
    staff_client, commissioner, make_user
):
    johan = staff_client.user
    lena = make_user(Role.STAFF, display_name="Lena Ek")
    old = make_referral(
        commissioner, first_name="Gammal", received_on=TODAY - dt.timedelta(days=45)
    )
    fresh = make_referral(commissioner, first_name="Ny", responsible=johan)
    other = make_referral(commissioner, first_name="Annan", responsible=lena)
    Referral.update(status="waiting").where(Referral.id.in_([old.id, fresh.id])).execute()

    def names(query):
        response = staff_client.get(f"/referrals/{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        return [p.first_name for p in (old, fresh, other) if f"{p.first_name} Ek</a>" in page]

    assert names("") == ["Gammal", "Ny", "Annan"]
    assert names("?status=waiting") == ["Gammal", "Ny"]
    assert names(f"?responsible={johan.id}") == ["Ny"]
    assert names("?confirm=y") == ["Gammal"]
    assert names("?show=closed") == []


@pytest.mark.parametrize("query", ["?show=all", "?status=flying", "?responsible=abc"])
def test_a_bad_filter_on_the_list_is_named_and_not_applied(staff_client, commissioner, query):
    make_referral(commissioner)
    response = staff_client.get(f"/referrals/{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "inte giltiga" in body and "Sara Ek" in body
    assert staff_client.get(f"/referrals/export.csv{query}").status_code == 400


def test_the_list_downloads_the_same_rows(staff_client, commissioner):
    from io import BytesIO

    from openpyxl import load_workbook

    make_referral(commissioner, first_name="=Sara")
    make_referral(commissioner, first_name="Omar", received_on=TODAY - dt.timedelta(days=3))
    Referral.update(status="waiting").where(Referral.first_name == "Omar").execute()
    page = staff_client.get("/referrals/?status=waiting").get_data(as_text=True)
    assert "/referrals/export.csv?status=waiting" in page
    csv = staff_client.get("/referrals/export.csv?status=waiting").get_data(as_text=True)
    assert "Omar Ek;Socialtjänsten Farsta;Väntar;2026-11-20;3;" in csv and "Sara" not in csv
    book = load_workbook(BytesIO(staff_client.get("/referrals/export.xlsx").data))
    names = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert names == ["'=Sara Ek", "Omar Ek"]
    assert staff_client.get("/referrals/export.pdf").status_code == 404
    assert AuditEvent.select().where(AuditEvent.action == "exported").count() == 2


def _status_options(page: str) -> list[str]:
    """The values of the status form's options, and the one selected if any."""
    import re

    select = re.search(r'<select[^>]*name="to_status".*?</select>', page, re.S)
    if select is None:
        return []
    return re.findall(r'<option[^>]*value="([^"]*)"', select.group(0))


@pytest.mark.input_only
@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("received", ["", "assessing", "declined", "withdrawn"]),
        ("assessing", ["", "waiting", "declined", "withdrawn"]),
        ("waiting", ["", "assessing", "declined", "withdrawn"]),
        ("matched", []),
        ("moved_in", []),
        ("declined", []),
        ("withdrawn", []),
    ],
)
def test_the_status_form_offers_only_the_moves_the_table_allows(
    staff_client, commissioner, status, offered
):
    from intranet.referrals.services import MANUAL_MOVES, status_moves

    referral = make_referral(commissioner)
    Referral.update(status=status).where(Referral.id == referral.id).execute()
    page = staff_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert _status_options(page) == offered
    assert " selected" not in (page.split('name="to_status"')[1][:2000] if offered else "")
    assert set(status_moves(status)) == MANUAL_MOVES.get(status, set())


def test_a_move_the_table_does_not_allow_is_refused_by_the_form_and_the_service(
    staff_client, commissioner
):
    from intranet.referrals.services import ReferralError, set_status

    referral = make_referral(commissioner)
    Referral.update(status="matched").where(Referral.id == referral.id).execute()
    response = post_form(
        staff_client,
        f"/referrals/{referral.id}/status",
        {"from_status": "matched", "to_status": "withdrawn", "reason": "Tackade nej"},
        f"/referrals/{referral.id}",
    )
    assert response.status_code == 422
    with pytest.raises(ReferralError) as refused:
        set_status(referral.id, "matched", "received", staff_client.user, "x")
    assert refused.value.field_name == "to_status"
    assert Referral.get_by_id(referral.id).status == "matched"


def test_the_status_form_asks_for_a_choice(staff_client, commissioner):
    referral = make_referral(commissioner)
    response = post_form(
        staff_client,
        f"/referrals/{referral.id}/status",
        {"from_status": "received", "to_status": "", "reason": ""},
        f"/referrals/{referral.id}",
    )
    assert response.status_code == 422
    assert "Välj den nya statusen." in response.get_data(as_text=True)
    assert Referral.get_by_id(referral.id).status == "received"

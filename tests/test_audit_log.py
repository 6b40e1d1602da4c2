"""The audit log: every view of residents' personal data leaves one line, and the manager
reads the log filtered by person, user and period."""

import datetime as dt

import pytest
from conftest import login
from helpers import open_rent_month

from intranet import clock
from intranet.models import AuditEvent, Role

HX = {"HX-Request": "true"}


def _lines(action="viewed"):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


@pytest.mark.parametrize(
    ("url", "page"),
    [
        (
            "/rent/?month=2027-03&status=not_paid",
            "rent board: /rent/?month=2027-03&status=not_paid",
        ),
        ("/residents/?contact=0", "residents list: /residents/?contact=0"),
        ("/referrals/?show=closed", "referrals list: /referrals/?show=closed"),
        ("/matching/", "matching: /matching/"),
        ("/matching/plan", "best plan: /matching/plan"),
    ],
)
def test_a_list_of_people_leaves_one_line_naming_its_filter(rent_client, rent_world, url, page):
    rent_world[1]("Sara")
    rent_world[1]("Omar")
    open_rent_month()
    before = len(_lines())
    for headers in ({}, HX):
        assert rent_client.get(url, headers=headers).status_code == 200
    lines = _lines()[before:]
    assert [line.detail for line in lines] == [page, page]
    assert {line.actor_id for line in lines} == {rent_world[0].id}
    assert {line.subject_type for line in lines} == {"list"}


def test_a_bad_filter_still_leaves_its_line(rent_client, rent_world):
    rent_world[1]("Sara")
    assert rent_client.get("/rent/?contact=abc").status_code == 400
    assert _lines()[-1].detail == "rent board: /rent/?contact=abc"


def test_a_caretakers_start_page_shows_no_one_and_leaves_no_line(client, make_user):
    login(client, make_user(Role.CARETAKER))
    client.get("/")
    assert _lines() == []


@pytest.fixture
def log(app, make_user):
    """Three lines: Anna about referral 7 on the 1st, Bo about 7 and about 8 on the 3rd."""
    anna, bo = make_user(Role.STAFF, display_name="Anna"), make_user(Role.STAFF, display_name="Bo")
    for moment, actor, referral in [
        (dt.datetime(2027, 3, 1, 9), anna, 7),
        (dt.datetime(2027, 3, 3, 23, 59), bo, 7),
        (dt.datetime(2027, 3, 3, 10), bo, 8),
    ]:
        clock.set_clock(moment)
        AuditEvent.record(actor, "opened", "referral", referral, "resident page")
    clock.set_clock(dt.date(2027, 3, 5))
    return anna, bo


@pytest.fixture
def manager_client(client, make_user, log):
    login(client, make_user(Role.MANAGER))
    return client


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("person=7", 2),
        ("person=8", 1),
        ("since=2027-03-02", 2),
        ("until=2027-03-01", 1),
        ("since=2027-03-03&until=2027-03-03", 2),
    ],
)
def test_the_manager_filters_the_log(manager_client, log, query, rows):
    page = manager_client.get(f"/audit/?{query}").get_data(as_text=True)
    assert page.count("resident page") == rows


def test_the_log_says_what_was_done_in_the_users_language(manager_client, log):
    AuditEvent.record(log[0], "two_factor_reset", "user", log[1].id)
    page = manager_client.get("/audit/").get_data(as_text=True)
    assert "<td>öppnade</td>" in page and "platsförfrågan 8" in page
    assert "<td>återställde tvåstegsverifieringen</td>" in page and f"konto {log[1].id}" in page
    assert "two_factor_reset" not in page


def test_the_log_filtered_by_user(manager_client, log):
    page = manager_client.get(f"/audit/?user={log[1].id}").get_data(as_text=True)
    assert page.count("resident page") == 2
    assert "<td>Anna</td>" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("person=abc", ""),
        ("person=-1", ""),
        ("user=99999", "Välj ett av alternativen."),
        ("since=2027-02-30", ""),
        ("since=2027-03-03&until=2027-03-01", "Perioden slutar innan den börjar."),
    ],
)
def test_a_bad_filter_is_said_and_not_applied(manager_client, log, query, message):
    response = manager_client.get(f"/audit/?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Valet i adressen var inte giltigt" in page
    assert message in page
    assert page.count("resident page") == 3


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.CARETAKER])
def test_only_the_manager_reads_the_log(client, make_user, role):
    login(client, make_user(role))
    assert client.get("/audit/").status_code == 403


def test_the_log_is_paged_with_a_fixed_number_of_queries(manager_client, make_user):
    from helpers import count_queries

    def queries():
        with count_queries() as run:
            assert manager_client.get("/audit/?page=1").status_code == 200
        return len(run)

    few = queries()
    actor = make_user(Role.STAFF)
    AuditEvent.insert_many(
        [
            {
                "actor": actor.id,
                "action": "opened",
                "subject_type": "referral",
                "subject_id": n,
                "detail": "",
                "at": clock.now(),
            }
            for n in range(120)
        ]
    ).execute()
    assert queries() == few
    page = manager_client.get("/audit/").get_data(as_text=True)
    assert "Sida 1 av 3" in page


def test_an_invitation_is_logged_without_the_persons_email(app, make_user, make_landlord):
    from intranet.portal.services import invite

    invite(make_user(Role.MANAGER), make_landlord().id, "eva@hyresvard.example", "Eva")
    (line,) = _lines("landlord_user_invited")
    assert line.detail.startswith("invitation ") and "eva" not in line.detail

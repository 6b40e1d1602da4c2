"""The demo world, made once per database kind and copied for each test that needs it:
the fuzzing and header tests open every page and post every form in it."""

import datetime as dt
import shutil

import pyotp
import pytest
from bankfiles import Paid, bgmax
from conftest import BACKENDS, TEST_CONFIG, _migrate, login
from pytest_postgresql.janitor import DatabaseJanitor

from intranet import clock, create_app
from intranet.bank import parse_file
from intranet.demo import DEMO_PASSWORD, load_demo
from intranet.extensions import db
from intranet.flats.services import landlords_taking_flats
from intranet.matching.services import advance_match
from intranet.models import (
    BankEntry,
    Case,
    Commissioner,
    Flat,
    Landlord,
    Match,
    Payment,
    Referral,
    RentCharge,
    RentMonth,
    Tenancy,
    User,
)
from intranet.portal import services as portal_services
from intranet.rent import bank_imports as imports

# The moment the demo world stands at, for as long as the test run lasts: a run that
# passes midnight (or a month's end) must not find yesterday's world.
WORLD_MOMENT = clock.now()

EMAILS = {
    "admin": "admin@demo.example",
    "manager": "chef@demo.example",
    "staff": "personal@demo.example",
    "caretaker": "vaktmastare@demo.example",
    "landlord": "hyresvard@demo.example",
}


def build_world() -> dict:
    """Load the demo data and name the objects each form works on, at ``WORLD_MOMENT``."""
    clock.set_clock(WORLD_MOMENT)
    load_demo()
    # The demo's admin and manager have set up their second factor, as they must.
    for email in (EMAILS["admin"], EMAILS["manager"]):
        User.update(totp_secret=pyotp.random_base32(), totp_enrolled_at=clock.now()).where(
            User.email == email
        ).execute()
    staff = User.get(User.email == EMAILS["staff"])
    manager = User.get(User.email == EMAILS["manager"])
    landlord_user = User.get(User.email == EMAILS["landlord"])
    own = landlord_user.landlord_id
    other_flat = Flat.select().where(Flat.landlord != own).first()
    own_case = Case.select().where(Case.landlord == own).first() or Case.create(
        landlord=own,
        flat=Flat.select().where(Flat.landlord == own).first(),
        kind="fault",
        text="Dörren kärvar",
        opened_by=landlord_user,
    )
    other_case = Case.create(
        landlord=other_flat.landlord_id,
        flat=other_flat,
        kind="fault",
        text="Annan hyresvärds ärende",
        opened_by=staff,
    )
    # The objects the pages open are people every staff member may see: a protected
    # person's record is only for the manager and their contact person.
    open_people = Referral.protected_identity == False  # noqa: E712
    live = (
        Tenancy.select()
        .join(Referral)
        .where(Tenancy.end_date.is_null() & open_people)
        .order_by(Tenancy.id)
    )
    tenancy = live.first()
    owed = (
        RentMonth.select()
        .where((RentMonth.tenancy == tenancy.id) & (RentMonth.paid_total < RentMonth.charged))
        .first()
    ) or RentMonth.select().where(RentMonth.tenancy == tenancy.id).first()
    pipeline = Landlord.select().where(Landlord.stage == "identified").first()
    offered = list(
        Match.select()
        .join(Referral)
        .where((Match.status == "offered") & open_people)
        .order_by(Match.id)
    )
    accepted = advance_match(offered[1].id, "offered", staff)
    accepted = advance_match(accepted.id, "viewing", staff, clock.today() + dt.timedelta(days=30))
    bank_import, bank_entry = preview_bank_file(tenancy, staff)
    own_request = lease_request(own, manager, open_people)
    return {
        "staff": staff.id,
        "user": User.get(User.email == EMAILS["caretaker"]).id,
        "flat": own_case.flat_id,
        "own_flat": own_case.flat_id,
        "offered_flat": Flat.select().where(Flat.status == "offered").first().id,
        "ready_flat": Flat.select().where(Flat.status == "ready").first().id,
        "taking_landlord": landlords_taking_flats()[0].id,
        "landlord": pipeline.id,
        "referral": Referral.select()
        .where((Referral.status == "received") & open_people)
        .first()
        .id,
        "waiting_referral": Referral.select()
        .where((Referral.status == "waiting") & open_people)
        .first()
        .id,
        "commissioner": Commissioner.select().first().id,
        "match": offered[0].id,
        "accepted_match": accepted.id,
        "tenancy": tenancy.id,
        "charge": RentCharge.select().where(RentCharge.tenancy == tenancy).first().id,
        "payment": Payment.select()
        .where(Payment.reversed_at.is_null() & (Payment.tenancy == tenancy.id))
        .first()
        .id,
        "owed_charge": owed.charge_id,
        "owed": owed.charged - owed.paid_total,
        "own_case": own_case.id,
        "lease_request": own_request,
        "bank_import": bank_import,
        "bank_entry": bank_entry,
        "token": portal_services.invite(manager, own, "inbjuden@example.org", "Inbjuden Person"),
        "other": {
            "flat_id": other_flat.id,
            "case_id": other_case.id,
            "tenancy_id": live.offset(1).first().id,
            "landlord_id": own,
            "charge_id": RentCharge.select().where(RentCharge.tenancy != tenancy).first().id,
            "token": "not-a-token",
            "request_id": lease_request(other_flat.landlord_id, manager, open_people),
        },
    }


def lease_request(landlord_id, manager, open_people) -> int:
    """A request to the landlord, not yet answered, about a resident of one of their flats
    who consented: the demo's, or one made for a resident who lives in their flat."""
    from intranet.models import LeaseRequest, ShareConsent

    found = LeaseRequest.select().where(
        (LeaseRequest.landlord == landlord_id) & LeaseRequest.answer.is_null()
    )
    if found.exists():
        return found.first().id
    tenancy = (
        Tenancy.select()
        .join(Flat, on=(Tenancy.flat == Flat.id))
        .switch(Tenancy)
        .join(Referral)
        .where(Tenancy.end_date.is_null() & open_people & (Flat.landlord == landlord_id))
        .order_by(Tenancy.id)
        .first()
    )
    if tenancy is None:
        flat = Flat.select().where(Flat.landlord == landlord_id).first()
        referral = Referral.select().where(open_people).first()
        tenancy = Tenancy.create(
            flat=flat,
            referral=referral,
            contact_person=manager,
            start_date=clock.today() - dt.timedelta(days=400),
            end_date=None,
            rent=5000,
        )
    consent = ShareConsent.create(tenancy=tenancy, given_on=clock.today(), recorded_by=manager)
    request = LeaseRequest.create(
        tenancy=tenancy,
        flat=tenancy.flat_id,
        landlord=landlord_id,
        consent=consent,
        asked_by=manager,
        recommendation="Rekommenderas",
        shared='{"name": "Demo Person", "months_in_flat": 13, "recommendation": "Ja"}',
    )
    return request.id


def preview_bank_file(tenancy, actor) -> tuple[int, int]:
    """A bank file read and not yet registered: one payment from ``tenancy``, one unmatched.
    Its id, and the unmatched payment's."""
    data = bgmax(
        [
            Paid(tenancy.payment_reference, 100, clock.today()),
            Paid("123", 200, clock.today(), payer="Okänd Betalare"),
        ]
    )
    preview = imports.save_preview(imports.plan(parse_file(data)), "bg.txt", "0" * 64, actor)
    entry = BankEntry.get((BankEntry.bank_import == preview.id) & (BankEntry.reference == "123"))
    return preview.id, entry.id


@pytest.fixture(scope="session")
def _sqlite_world(tmp_path_factory, sqlite_template):
    """A SQLite file holding the demo world, and the world's names, made once."""
    path = tmp_path_factory.mktemp("fuzz") / "world.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        world = build_world()
    db.close()
    # The pool's connection closed too, so that the file holds everything before a copy of
    # it is served (the last connection to close writes the log back into the file).
    db.obj.close_all()
    return path, world


def _janitor(pg_server, dbname, template=None) -> DatabaseJanitor:
    return DatabaseJanitor(
        user=pg_server["user"],
        host=pg_server["host"],
        port=pg_server["port"],
        password=pg_server["password"],
        dbname=dbname,
        template_dbname=template,
    )


def _pg_url(pg_server, dbname) -> str:
    password = f":{pg_server['password']}" if pg_server["password"] else ""
    server = f"{pg_server['host']}:{pg_server['port']}"
    return f"postgresql://{pg_server['user']}{password}@{server}/{dbname}"


@pytest.fixture(scope="session")
def _postgres_world(pg_server):
    """A PostgreSQL template database holding the demo world, and the world's names."""
    janitor = _janitor(pg_server, "intranet_fuzz_world")
    janitor.init()
    url = _pg_url(pg_server, "intranet_fuzz_world")
    _migrate(url)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    with app.app_context():
        world = build_world()
    db.close()
    yield world
    janitor.drop()


@pytest.fixture(params=BACKENDS)
def world_app(request, tmp_path):
    """The application on a fresh copy of the demo world, on each database in turn."""
    janitor = None
    if request.param == "sqlite":
        template, world = request.getfixturevalue("_sqlite_world")
        shutil.copy(template, tmp_path / "world.sqlite3")
        url = f"sqlite:///{tmp_path / 'world.sqlite3'}"
    else:
        world = request.getfixturevalue("_postgres_world")
        pg_server = request.getfixturevalue("pg_server")
        janitor = _janitor(pg_server, "intranet_fuzz", template="intranet_fuzz_world")
        janitor.init()
        url = _pg_url(pg_server, "intranet_fuzz")
    clock.set_clock(WORLD_MOMENT)
    yield create_app({**TEST_CONFIG, "DATABASE_URL": url}), world
    db.close()
    if janitor:
        janitor.drop()


def log_in(client, email):
    response = login(client, email, password=DEMO_PASSWORD)
    assert response.status_code == 303, email

"""The data-protection commands: one person's export, and anonymising those who moved out."""

import datetime as dt
import json
import os
import re

import pytest
from conftest import login
from helpers import add_flat, add_person
from peewee import ForeignKeyField, IntegerField

from intranet import clock, gdpr
from intranet.extensions import db
from intranet.models import (
    Activity,
    AuditEvent,
    BankEntry,
    BankImport,
    BaseModel,
    Case,
    CaseReply,
    Checkpoint,
    Commissioner,
    CommissionerContact,
    CommissionerNotice,
    Instalment,
    LeaseRequest,
    Match,
    MoveInDateChange,
    Payment,
    Referral,
    ReferralStatusChange,
    RentCharge,
    RentMoney,
    RepaymentPlan,
    Road,
    RoadMark,
    Role,
    RuleOverride,
    ShareConsent,
    Tenancy,
)
from intranet.rent import ledger, rules, services, stats
from intranet.reports import year
from intranet.reports.figures import Figure

TODAY = dt.date(2027, 6, 10)
CUTOFF = "2027-01-01"
NAME = ("Zelmira", "Quist")
NUMBER = "19850312-2387"
# Every way the person may be written in someone else's text, and what must not remain.
TRACES = ("Zelmira", "Quist", "850312", "8503122387")


def _chat(text: str) -> str:
    return text.replace("NAME", " ".join(NAME))


@pytest.fixture
def person(app, make_user, make_landlord):
    """A resident who moved out at the end of 2026, with a row in every table about a
    person and their name or number written into free text all over the database; and
    beside them a resident still living in, whom nothing may touch."""
    clock.set_clock(TODAY)
    staff = make_user(Role.STAFF)
    manager = make_user(Role.MANAGER)
    landlord = make_landlord("Eken Fastigheter AB")
    commissioner = Commissioner.create(name="Socialtjänsten Testby")
    officer = CommissionerContact.create(commissioner=commissioner, name="Lena Holm")
    home = add_flat(landlord, "Ekvägen 3", note=_chat("Extra nyckel lämnad till NAME."))
    other_flat = add_flat(landlord, "Ekvägen 5")
    referral = add_person(
        commissioner,
        NAME[0],
        last_name=NAME[1],
        personal_number=NUMBER,
        birth_date=dt.date(1985, 3, 12),
        gender="female",
        handling_officer=officer,
        responsible=staff,
        drug_free_since=dt.date(2025, 1, 1),
        occupation_kind="work",
        occupation_percent=75,
        min_rooms=2,
        needs_step_free=True,
        preferred_districts="Farsta",
        excluded_districts="Rinkeby (hotad där)",
        wished_move_in=dt.date(2026, 1, 1),
        notes="Har en hund. Syster till Ingvor Brask.",
        received_on=dt.date(2025, 10, 1),
    )
    for before, after in (
        (None, "received"),
        ("received", "waiting"),
        ("waiting", "matched"),
        ("matched", "moved_in"),
    ):
        ReferralStatusChange.record(
            referral, before, after, staff, dt.datetime(2025, 11, 1), reason="Bedömd"
        )
    RuleOverride.create(
        referral=referral, rule="drug_free", reason=_chat("NAME klarar sig"), decided_by=manager
    )
    Match.create(
        flat=other_flat,
        referral=referral,
        status="declined",
        proposed_by=staff,
        declined_by_side="person",
        decline_reason="other",
        decline_note="Quist, Zelmira ville bo nära sin syster",
        closed_at=dt.datetime(2025, 11, 20),
    )
    moved_in = Match.create(
        flat=home,
        referral=referral,
        status="moved_in",
        proposed_by=staff,
        passed_over_reason="Den förste i listan ville vänta",
        move_in_date=dt.date(2026, 1, 1),
        closed_at=dt.datetime(2026, 1, 1),
    )
    MoveInDateChange.create(
        match=moved_in,
        from_date=dt.date(2026, 1, 5),
        to_date=dt.date(2026, 1, 1),
        changed_at=dt.datetime(2025, 12, 30),
        changed_by=staff,
        reason=_chat("NAME flyttade in före nyår"),
    )
    tenancy = Tenancy.create(
        flat=home,
        referral=referral,
        contact_person=staff,
        start_date=dt.date(2026, 1, 1),
        rent=6200,
        notice_given_on=dt.date(2026, 10, 15),
        move_out_date=dt.date(2026, 12, 31),
        end_date=dt.date(2026, 12, 31),
        outcome="own_lease",
        outcome_note=_chat("NAME fick ett eget kontrakt i Farsta."),
    )
    for month in range(1, 13):
        services.open_month(dt.date(2026, month, 1))
    charges = list(
        RentCharge.select().where(RentCharge.tenancy == tenancy).order_by(RentCharge.month)
    )
    for number, charge in enumerate(charges[:10], 1):
        services.register_payment(charge.id, staff, charge.due_on, 6200, "swish", f"z{number}")
    mistaken = services.register_payment(
        charges[10].id, staff, dt.date(2026, 11, 3), 6200, "cash", "z-wrong"
    )
    services.reverse_payment(mistaken.id, staff, _chat("Inte NAME:s betalning (8503122387)"))
    RentMoney.create(
        charge=charges[0], paid_on=dt.date(2025, 12, 28), amount=6200, registered_by=staff
    )
    Checkpoint.create(
        charge=charges[10],
        kind="home_visit",
        done_by=staff,
        note=_chat("Hembesök hos NAME"),
        plan="X",
    )
    # November's 100 kr moved to December by the manager, then both months in a plan.
    ledger.move(tenancy.id, charges[9].id, charges[10].id, 100, _chat("NAME bad om det"), staff)
    ledger.add_plan(
        tenancy.id,
        [charges[9].id, charges[10].id, charges[11].id],
        [(dt.date(2027, 1, 31), 6200), (dt.date(2027, 2, 28), 6200)],
        _chat("NAME betalar av"),
        staff,
    )
    ledger.recharge(tenancy.id, {charges[11].id: 6000}, _chat("NAME flyttade"), staff)
    road = Road.create(
        tenancy=tenancy,
        step="take_over",
        target_month=dt.date(2027, 1, 1),
        note=_chat("NAME vill bo kvar"),
        updated_by=staff,
    )
    RoadMark.create(
        road=road,
        subject="assessment",
        state="ready",
        on_date=dt.date(2026, 11, 1),
        note=_chat("NAME klarar sig själv"),
        marked_by=staff,
    )
    consent = ShareConsent.create(
        tenancy=tenancy,
        given_on=dt.date(2026, 11, 2),
        recorded_by=staff,
        harm_note=_chat("NAME har inget skydd"),
    )
    LeaseRequest.create(
        tenancy=tenancy,
        flat=home,
        landlord=landlord,
        consent=consent,
        asked_by=manager,
        recommendation=_chat("Vi rekommenderar NAME"),
        shared=_chat('{"name": "NAME"}'),
        answer="yes",
        answer_on=dt.date(2026, 12, 31),
        answer_note=_chat("NAME får ta över"),
    )
    CommissionerNotice.create(
        tenancy=tenancy,
        month=dt.date(2026, 11, 1),
        text=_chat("Hej! NAME (19850312-2387) har inte betalat hyran för november."),
        sent_on=dt.date(2026, 11, 20),
        sent_by=staff,
    )
    bank_file = BankImport.create(file_name="bg.txt", sha256="0" * 64, format="bgmax")
    BankEntry.create(
        bank_import=bank_file,
        line=3,
        format="bgmax",
        bank_reference="9912346-20261230-1",
        paid_on=dt.date(2026, 12, 30),
        amount=100,
        reference="999",
        payer=_chat("NAME"),
        kind="payment",
        tenancy=tenancy,
        state="unmatched",
    )
    case = Case.create(
        landlord=landlord,
        flat=home,
        kind="fault",
        text=_chat("NAME har anmält läckage."),
        opened_by=staff,
    )
    CaseReply.create(case=case, author=manager, text="Vi ringer 850312-2387 i morgon.")
    CaseReply.create(case=case, author=staff, text="Rörmokaren kommer på tisdag.")
    other_case = Case.create(
        landlord=landlord, flat=other_flat, kind="fault", text="Trasigt lås.", opened_by=staff
    )
    Activity.create(
        landlord=landlord,
        kind="note",
        occurred_on=dt.date(2026, 5, 1),
        by=manager,
        summary=_chat("Värden frågade om NAME."),
        next_step="Ringa om zelmira quist",
    )
    # The pages write their own audit events, as in use.
    client = app.test_client()
    login(client, manager)
    for url in (
        f"/referrals/{referral.id}",
        f"/residents/{tenancy.id}",
        f"/residents/{tenancy.id}/rent",
    ):
        assert client.get(url).status_code == 200, url
    # Living in still: untouched by everything below.
    staying = add_person(
        commissioner, "Bo", last_name="Lind", notes="Trivs bra.", personal_number="19640704-5134"
    )
    Tenancy.create(
        flat=add_flat(landlord, "Ekvägen 7"),
        referral=staying,
        contact_person=staff,
        start_date=dt.date(2026, 6, 1),
        rent=5900,
    )
    return {
        "referral": referral,
        "tenancy": tenancy,
        "case": case,
        "other_case": other_case,
        "staying": staying,
        "staff": staff,
    }


def snapshot() -> dict:
    """Every row of every table, in a fixed order."""
    result = {}
    for table in sorted(db.get_tables()):
        rows = db.execute_sql(f'SELECT * FROM "{table}"').fetchall()
        result[table] = sorted((tuple(row) for row in rows), key=repr)
    return result


def every_text() -> str:
    """Every text value in the database, one a line."""
    return "\n".join(
        value
        for rows in snapshot().values()
        for row in rows
        for value in row
        if isinstance(value, str)
    )


def _export(runner, referral_id, *extra):
    result = runner.invoke(args=["gdpr", "export", "--person", str(referral_id), *extra])
    return result


# ---- which tables are about a person -----------------------------------------------------


def test_every_table_about_a_person_is_exported_and_has_a_decision_per_field():
    about = set(gdpr.models_about_a_person())
    assert {
        ReferralStatusChange,
        RuleOverride,
        Match,
        Tenancy,
        RentCharge,
        Payment,
        RentMoney,
        Checkpoint,
        RepaymentPlan,
        Instalment,
        CommissionerNotice,
    } <= about
    missing = about - set(gdpr.SECTIONS)
    assert not missing, f"add {missing} to gdpr.SECTIONS (the export) and to gdpr.DECISIONS"
    assert gdpr.undecided_fields() == []
    for model, decisions in gdpr.DECISIONS.items():
        for name, rule in decisions.items():
            if rule == gdpr.SCRUB:
                field = model._meta.fields[name]
                assert (model, field) in gdpr.free_text_fields(), f"{model.__name__}.{name}"


def test_a_new_table_pointing_at_a_tenancy_is_found(monkeypatch):
    class Deposit(BaseModel):
        """A table someone adds later: it reaches a person through a payment."""

        payment = ForeignKeyField(Payment)
        amount = IntegerField()

    monkeypatch.setattr(gdpr, "MODELS", [*gdpr.MODELS, Deposit])
    assert Deposit in gdpr.models_about_a_person()
    assert Deposit not in gdpr.SECTIONS
    assert "Deposit.amount (no decision)" in gdpr.undecided_fields()
    with pytest.raises(RuntimeError, match="Deposit"):
        gdpr.anonymise(dt.date(2000, 1, 1))


# ---- the export ----------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_person(runner, person):
    referral, tenancy = person["referral"], person["tenancy"]
    result = _export(runner, referral.id)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["referral"]["id"] == referral.id
    assert document["referral"]["personal_number"] == NUMBER
    assert document["referral"]["birth_date"] == "1985-03-12"
    assert document["referral"]["notes"].startswith("Har en hund")
    for section in gdpr.SECTIONS.values():
        assert document[section], f"the export's {section} is empty"
    assert {row["status"] for row in document["matches"]} == {"declined", "moved_in"}
    assert document["tenancies"][0]["rent"] == "6200.00"
    assert document["tenancies"][0]["end_date"] == "2026-12-31"
    assert len(document["rent_charges"]) == 12
    reversed_ = [row for row in document["payments"] if row["reversed_at"]]
    assert len(reversed_) == 1 and "Inte Zelmira Quist" in reversed_[0]["reversal_reason"]
    assert len(document["payments"]) == 11
    assert len(document["instalments"]) == 2
    assert document["repayment_plans"][0]["debt"] == "12400.00"
    assert [c["id"] for c in document["cases_naming_them"]] == [person["case"].id]
    assert len(document["case_replies"]) == 2
    opened = [e for e in document["audit_events"] if e["action"] == "opened"]
    assert len(opened) == 3 and {e["subject_id"] for e in opened} == {referral.id}
    assert document["references"]["flat"][str(tenancy.flat_id)]["address"] == "Ekvägen 3"
    assert str(person["staff"].id) in document["references"]["user"]
    # Only this person: the resident living in is not in it.
    assert "Lind" not in result.stdout
    # The export is itself in the audit log.
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.actor_id, event.action, event.subject_type, event.subject_id) == (
        None,
        "exported",
        "referral",
        referral.id,
    )
    assert "data-access export" in event.detail and "command line" in event.detail


def test_the_export_goes_to_a_file_only_its_owner_reads(runner, person, tmp_path):
    target = tmp_path / "zelmira.json"
    result = _export(runner, person["referral"].id, "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["referral"]["first_name"] == "Zelmira"
    assert os.stat(target).st_mode & 0o777 == 0o600


def test_the_export_of_an_unknown_person_is_a_clear_error(runner, person, tmp_path):
    events = AuditEvent.select().count()
    result = _export(runner, 999_999, "--output", str(tmp_path / "nobody.json"))
    assert result.exit_code == 1
    assert "no person (referral) has the id 999999" in result.output
    assert not (tmp_path / "nobody.json").exists()
    unwritable = _export(runner, person["referral"].id, "--output", str(tmp_path / "no" / "x"))
    assert unwritable.exit_code == 1
    assert "cannot write" in unwritable.output
    assert AuditEvent.select().count() == events


# ---- what the export and anonymising both take as the person's -----------------------------


@pytest.fixture
def named_elsewhere(person):
    """Beside the person's rows: an earlier referral of theirs (the same personal identity
    number, declined), and someone else's referral whose notes name them."""
    commissioner, staff = person["referral"].commissioner, person["staff"]
    earlier = add_person(
        commissioner,
        NAME[0],
        last_name=NAME[1],
        personal_number=NUMBER,
        status="declined",
        notes="Första remissen: ville vänta.",
        received_on=dt.date(2024, 2, 1),
    )
    ReferralStatusChange.record(
        earlier, "received", "declined", staff, dt.datetime(2024, 3, 1), reason="Ville vänta"
    )
    neighbour = add_person(
        commissioner,
        "Alva",
        last_name="Berg",
        personal_number="19640704-5134",
        status="declined",
        notes=_chat("Bodde i samma trapphus som NAME."),
    )
    activity = Activity.get(Activity.summary.contains("Värden frågade"))
    return {**person, "earlier": earlier, "neighbour": neighbour, "activity": activity}


def _document(runner, referral_id) -> dict:
    result = _export(runner, referral_id)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _texts(document) -> dict:
    return {(t["table"], t["id"], t["column"]): t["text"] for t in document["texts_naming_them"]}


def test_the_export_holds_their_other_referrals(runner, named_elsewhere):
    referral, earlier = named_elsewhere["referral"], named_elsewhere["earlier"]
    document = _document(runner, referral.id)
    assert [row["id"] for row in document["other_referrals"]] == [earlier.id]
    assert document["other_referrals"][0]["notes"] == "Första remissen: ville vänta."
    reasons = {r["reason"] for r in document["status_history"] if r["referral_id"] == earlier.id}
    assert reasons == {"Ville vänta"}
    # Asked for by the earlier one, the later one is there too.
    document = _document(runner, earlier.id)
    assert document["referral"]["id"] == earlier.id
    assert [row["id"] for row in document["other_referrals"]] == [referral.id]
    assert len(document["tenancies"]) == 1


def test_the_export_holds_a_landlord_activity_that_names_them(runner, named_elsewhere):
    activity = named_elsewhere["activity"]
    texts = _texts(_document(runner, named_elsewhere["referral"].id))
    assert texts[("activity", activity.id, "summary")] == "Värden frågade om Zelmira Quist."
    assert texts[("activity", activity.id, "next_step")] == "Ringa om zelmira quist"
    home = named_elsewhere["tenancy"].flat_id
    assert texts[("flat", home, "note")] == "Extra nyckel lämnad till Zelmira Quist."


def test_the_export_holds_another_referrals_notes_that_name_them_and_nothing_else_of_it(
    runner, named_elsewhere
):
    neighbour = named_elsewhere["neighbour"]
    result = _export(runner, named_elsewhere["referral"].id)
    texts = _texts(json.loads(result.stdout))
    assert texts[("referral", neighbour.id, "notes")] == "Bodde i samma trapphus som Zelmira Quist."
    # The text that names them, not the rest of someone else's referral.
    assert "Alva" not in result.stdout and "19640704-5134" not in result.stdout


def _rows_by_id() -> dict:
    """Every row of every table with an id, by its table and id."""
    rows = {}
    for table in db.get_tables():
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')
        names = [column[0] for column in cursor.description]
        if "id" in names:
            at = names.index("id")
            rows.update({(table, row[at]): tuple(row) for row in cursor.fetchall()})
    return rows


def _held(document) -> set:
    """The table and id of every row the export holds, whole or as the text naming them."""
    held = {("referral", document["referral"]["id"])}
    held |= {("referral", row["id"]) for row in document.get("other_referrals", [])}
    for model, section in gdpr.SECTIONS.items():
        held |= {(model._meta.table_name, row["id"]) for row in document[section]}
    held |= {("case", row["id"]) for row in document["cases_naming_them"]}
    held |= {("case_reply", row["id"]) for row in document["case_replies"]}
    held |= {(text["table"], text["id"]) for text in document.get("texts_naming_them", [])}
    return held


def test_every_row_anonymising_changes_is_in_the_export(runner, named_elsewhere):
    document = _document(runner, named_elsewhere["referral"].id)
    before = _rows_by_id()
    result = _anonymise(runner, "--moved-out-before", CUTOFF)
    assert "Anonymised 1 people (2 referrals)" in result.output
    after = _rows_by_id()
    changed = {key for key, row in before.items() if after.get(key) != row}
    assert {("activity", named_elsewhere["activity"].id)} <= changed
    assert changed - _held(document) == set()


# ---- anonymising ---------------------------------------------------------------------------


def _anonymise(runner, *args):
    return runner.invoke(args=["gdpr", "anonymise", *args])


def test_a_dry_run_counts_and_changes_nothing(runner, person):
    before = snapshot()
    result = _anonymise(runner, "--moved-out-before", CUTOFF, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "1 people" in result.output and "would be anonymised" in result.output
    assert snapshot() == before


@pytest.mark.parametrize(
    "value", ["2027-13-01", "2027-02-30", "01/01/2027", "20270101", "2027-1-1", "", "2099-01-01"]
)
def test_a_bad_date_is_refused_with_nothing_changed(runner, person, value):
    before = snapshot()
    result = _anonymise(runner, "--moved-out-before", value)
    assert result.exit_code == 2
    assert "--moved-out-before" in result.output
    assert snapshot() == before


def _rows_about(referral_id) -> dict:
    ids = gdpr.linked_ids([referral_id])
    return {model: {row.id: row for row in gdpr._rows(model, ids[model])} for model in ids}


def test_anonymising_follows_each_fields_decision_and_leaves_no_trace(runner, person):
    referral = person["referral"]
    before = _rows_about(referral.id)
    staying = snapshot_of(person["staying"])
    for trace in TRACES:
        assert trace.casefold() in every_text().casefold()
    audit_before = snapshot()["audit_event"]
    result = _anonymise(runner, "--moved-out-before", CUTOFF)
    assert result.exit_code == 0, result.output
    assert "Anonymised 1 people (1 referrals)" in result.output
    after = _rows_about(referral.id)
    for model, rows in before.items():
        assert after[model].keys() == rows.keys(), model.__name__
        for row_id, old in rows.items():
            new = after[model][row_id]
            for name, rule in gdpr.DECISIONS[model].items():
                was, now = getattr(old, name), getattr(new, name)
                where = f"{model.__name__}.{name}"
                if rule == gdpr.KEEP:
                    assert now == was, where
                elif rule == gdpr.BLANK:
                    assert now == "", where
                elif rule == gdpr.NULL:
                    assert now is None, where
                elif rule == gdpr.BUMP:
                    assert now == was + 1, where
                elif rule == gdpr.SCRUB:
                    assert "Quist" not in (now or ""), where
    gone = Referral.get_by_id(referral.id)
    assert (gone.first_name, gone.last_name) == ("Anonymiserad", f"#{referral.id}")
    assert gone.birth_date == dt.date(1985, 1, 1)
    assert (gone.min_rooms, gone.needs_step_free) == (1, False)
    assert gone.anonymised_at is not None
    # Nowhere in the database: not in the cases, the flat's note, the landlord's activities.
    text = every_text().casefold()
    for trace in TRACES:
        assert trace.casefold() not in text, trace
    case = Case.get_by_id(person["case"].id)
    assert case.text == "[namn borttaget] har anmält läckage."
    replies = [
        r.text for r in CaseReply.select().where(CaseReply.case == case).order_by(CaseReply.id)
    ]
    assert replies == [
        "Vi ringer [personnummer borttaget] i morgon.",
        "Rörmokaren kommer på tisdag.",
    ]
    # Someone else named in the person's own notes is gone with the notes.
    assert "Ingvor" not in every_text()
    # The resident living in is as they were.
    assert snapshot_of(person["staying"]) == staying
    # One audit event, with the count; none of the earlier ones changed (append-only).
    audit_after = snapshot()["audit_event"]
    assert set(audit_before) <= set(audit_after)
    assert len(audit_after) == len(audit_before) + 1
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.actor_id, event.action, event.subject_type) == (None, "anonymised", "referrals")
    assert "1 people" in event.detail


def snapshot_of(referral) -> list:
    ids = gdpr.linked_ids([referral.id])
    return [
        (model.__name__, gdpr.row_dict(row))
        for model in ids
        for row in gdpr._rows(model, ids[model])
    ]


def test_a_second_run_skips_those_already_anonymised(runner, person):
    assert _anonymise(runner, "--moved-out-before", CUTOFF).exit_code == 0
    before = snapshot()
    result = _anonymise(runner, "--moved-out-before", CUTOFF)
    assert result.exit_code == 0
    assert "Anonymised 0 people" in result.output
    after = snapshot()
    assert {t: rows for t, rows in after.items() if t != "audit_event"} == {
        t: rows for t, rows in before.items() if t != "audit_event"
    }
    assert len(after["audit_event"]) == len(before["audit_event"]) + 1


def test_who_is_taken(runner, person, make_landlord):
    """Only those whose tenancies all ended before the day, with nothing open; a person's
    referrals (by personal identity number) go together or not at all."""
    staff, commissioner = person["staff"], person["referral"].commissioner
    landlord = make_landlord("Annan AB")

    def moved_out(first, end, **fields):
        referral = add_person(commissioner, first, **fields)
        Tenancy.create(
            flat=add_flat(landlord, f"{first}gatan 1", status="ready"),
            referral=referral,
            contact_person=staff,
            start_date=dt.date(2025, 1, 1),
            rent=6000,
            end_date=end,
            outcome="own_lease",
        )
        return referral

    late = moved_out("Sen", dt.date(2027, 1, 1))
    back = moved_out("Tillbaka", dt.date(2026, 3, 1), personal_number="19700101-1235")
    add_person(
        commissioner, "Tillbaka", personal_number="19700101-1235", status="waiting", notes="Igen"
    )
    twice = moved_out("Tidigare", dt.date(2026, 3, 1), personal_number="19710101-1234")
    declined_before = add_person(
        commissioner, "Tidigare", personal_number="19710101-1234", status="declined"
    )
    open_match = moved_out("Matchad", dt.date(2026, 3, 1))
    Match.create(flat=add_flat(landlord, "Matchgatan 2"), referral=open_match, proposed_by=staff)
    add_person(commissioner, "Aldrig", status="declined")  # never a tenancy: not theirs to take

    result = _anonymise(runner, "--moved-out-before", CUTOFF)
    assert result.exit_code == 0, result.output
    taken = {r.id for r in Referral.select().where(Referral.anonymised_at.is_null(False))}
    assert taken == {person["referral"].id, twice.id, declined_before.id}
    assert "2 people (3 referrals)" in result.output
    assert not {late.id, back.id, open_match.id, person["staying"].id} & taken


# ---- the figures stay the same -------------------------------------------------------------


def _rent_figures(today) -> dict:
    settled = stats.settled_months(today)
    return {
        "settled": sorted((s.charge.id, s.charge.month, s.status) for s in settled),
        "per_month": stats.per_month(settled),
        "phases": stats.risk_phases(settled),
        "worse": sorted(t.id for t in stats.getting_worse(settled)),
        "strips": sorted(
            (e["tenancy"].id, e["tenancy"].start_date, tuple(e["cells"]))
            for e in stats.strips(settled, today=today)
        ),
    }


def _cell(cell):
    if isinstance(cell, Figure):
        return (str(cell.label), cell.value, cell.key, cell.part, cell.note)
    return str(cell)


def _year_figures(app, number, today) -> dict:
    with app.test_request_context():
        report = year.year_report(number, today)
        figures = [
            (
                section.key,
                [_cell(f) for f in section.figures],
                [[_cell(c) for c in row] for row in section.table],
            )
            for section in report.sections
        ]
        records = {key: sorted(url for url, _cells in r.rows) for key, r in report.records.items()}
        for group in (rules.PAID_ON_TIME, rules.PAID_LATE, rules.NOT_PAID):
            found = year.rent_records(report, f"year:{group}", today)
            records[("rent", group)] = sorted(url for url, _cells in found.rows)
        return {"figures": figures, "records": records, "sheets": year.sheets(report)}


def test_the_rent_statistics_and_yearly_report_are_the_same_after(app, runner, person):
    from intranet.demo import load_demo

    with app.app_context():
        load_demo(1)  # beside the person: `flask demo` wants an empty database
    today = clock.today()
    years = range(today.year - 4, today.year + 1)
    rent_before = _rent_figures(today)
    years_before = {n: _year_figures(app, n, today) for n in years}
    result = _anonymise(runner, "--moved-out-before", today.isoformat())
    assert result.exit_code == 0, result.output
    taken = int(re.search(r"Anonymised (\d+) people", result.output).group(1))
    assert taken > 1, result.output
    assert _rent_figures(today) == rent_before
    assert {n: _year_figures(app, n, today) for n in years} == years_before


def test_a_bank_payment_in_their_name_on_no_tenancy_of_theirs_is_exported_and_anonymised(
    runner, named_elsewhere
):
    """An unmatched bank payment whose payer is the person: the payer's name is a text that
    names them, in the export and taken out by anonymising."""
    bank_file = BankImport.create(file_name="b.txt", sha256="1" * 64, format="bgmax")
    entry = BankEntry.create(
        bank_import=bank_file,
        line=4,
        format="bgmax",
        bank_reference="x-1",
        paid_on=dt.date(2026, 12, 30),
        amount=100,
        payer="Zelmira Quist",
        kind="payment",
        state="unmatched",
    )
    texts = _texts(_document(runner, named_elsewhere["referral"].id))
    assert texts[("bank_entry", entry.id, "payer")] == "Zelmira Quist"

"""A world for the security suite: the demo unit, one user of each role, two landlords with
their own units and cases, a resident with a protected identity, and every URL of the
application filled in with real ids from it."""

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from demo_world import preview_bank_file

from intranet import clock
from intranet.demo import load_demo
from intranet.extensions import db
from intranet.models import (
    Case,
    CaseReply,
    Checkpoint,
    CommissionerNotice,
    Flat,
    Instalment,
    LeaseRequest,
    Match,
    Payment,
    Referral,
    ReferralStatusChange,
    RentCharge,
    RepaymentPlan,
    Role,
    RuleOverride,
    ShareConsent,
    Tenancy,
)
from intranet.rent import rules

# The roles the suite acts as: one user each, two landlords' users, and nobody.
ACTORS = (
    "anonymous",
    Role.ADMIN,
    Role.MANAGER,
    "contact",  # staff: the protected resident's contact person
    Role.STAFF,  # staff: someone else's residents
    Role.CARETAKER,
    "landlord",  # the protected resident's flat's landlord
    "other_landlord",
)
ACTOR_ROLES = {"contact": Role.STAFF, "landlord": Role.LANDLORD, "other_landlord": Role.LANDLORD}

# One marker per personal field: a page that shows the field shows its marker.
PERSON_MARKERS = {
    (Referral, "first_name"): "zqxRFIRSTqz",
    (Referral, "last_name"): "zqxRLASTqz",
    (Referral, "notes"): "zqxRNOTESqz",
    (Referral, "status_reason"): "zqxRREASONqz",
    (ReferralStatusChange, "reason"): "zqxRSCqz",
    (RuleOverride, "reason"): "zqxROVERqz",
    (Match, "passed_over_reason"): "zqxMPASSqz",
    (Match, "decline_note"): "zqxMDECLqz",
    (Tenancy, "outcome_note"): "zqxTOUTqz",
    (Payment, "reversal_reason"): "zqxPREVqz",
    (Checkpoint, "note"): "zqxCNOTEqz",
    (Checkpoint, "plan"): "zqxCPLANqz",
    (RepaymentPlan, "note"): "zqxPLANqz",
    (CommissionerNotice, "text"): "zqxNOTICEqz",
}
# The protected resident's own name and their flat's address.
PROTECTED_MARKER = "zqxPROTqz"
ADDRESS_MARKER = "zqxADDRqz"
# The protected resident's other details, each written so that a page showing it shows the
# marker: districts, personal number, their own rent and their payment reference.
PROTECTED_RENT = Decimal("4321.87")
PROTECTED_FIELDS = {
    "preferred_districts": "zqxPDISTqz",
    "excluded_districts": "zqxXDISTqz",
    "personal_number": "zqxPNRqz",
}


def protected_details(tenancy: Tenancy) -> list[str]:
    """Every way a page may write the protected resident's own details."""
    rent = [
        "4321.87",
        "4321,87",
        "4 321,87",
        "4\u00a0321,87",
        "4\u202f321,87",
        "4,321.87",
    ]
    return [*PROTECTED_FIELDS.values(), tenancy.payment_reference, *rent]


def consent_marker(landlord_id: int) -> str:
    """The name a consenting resident was given to one landlord in a lease request."""
    return f"zqxCONSENT{landlord_id}qz"


def case_marker(landlord_id: int) -> str:
    """The marker in the texts of one landlord's cases."""
    return f"zqxCASE{landlord_id}qz"


@dataclass
class World:
    users: dict
    ids: dict
    landlord_ids: dict
    protected: Tenancy
    own: dict = field(default_factory=dict)
    other: dict = field(default_factory=dict)


def build(make_user, make_landlord) -> World:
    """Load the demo, add the suite's people and objects, and mark every personal field."""
    load_demo(1)
    manager = make_user(Role.MANAGER)
    contact = make_user(Role.STAFF, display_name="Kontakt Person")
    tenancy = Tenancy.select().where(Tenancy.end_date.is_null()).order_by(Tenancy.id).first()
    flat = Flat.get_by_id(tenancy.flat_id)
    other_flat = (
        Flat.select()
        .join(Tenancy, on=(Tenancy.flat == Flat.id))
        .where((Flat.landlord != flat.landlord_id) & Tenancy.end_date.is_null())
        .order_by(Flat.id)
        .first()
    )
    users = {
        Role.ADMIN: make_user(Role.ADMIN),
        Role.MANAGER: manager,
        "contact": contact,
        Role.STAFF: make_user(Role.STAFF),
        Role.CARETAKER: make_user(Role.CARETAKER),
        "landlord": make_user(Role.LANDLORD, landlord=flat.landlord_id),
        "other_landlord": make_user(Role.LANDLORD, landlord=other_flat.landlord_id),
    }
    with db.atomic():
        Tenancy.update(contact_person=contact).where(Tenancy.id == tenancy.id).execute()
        Referral.update(protected_identity=True, responsible=contact).where(
            Referral.id == tenancy.referral_id
        ).execute()
        Flat.update(address=f"{ADDRESS_MARKER} 1").where(Flat.id == flat.id).execute()
        Tenancy.update(rent=PROTECTED_RENT).where(Tenancy.id == tenancy.id).execute()
        tenancy = Tenancy.get_by_id(tenancy.id)
        ids = _records_of(tenancy, manager)
        cases = {
            landlord_id: _case(home, landlord_id, manager)
            for landlord_id, home in (
                (flat.landlord_id, flat),
                (other_flat.landlord_id, other_flat),
            )
        }
        for (model, name), marker in PERSON_MARKERS.items():
            model.update({getattr(model, name): marker}).execute()
        Referral.update(last_name=PROTECTED_MARKER, **PROTECTED_FIELDS).where(
            Referral.id == tenancy.referral_id
        ).execute()
    ids["import_id"], ids["entry_id"] = preview_bank_file(tenancy, manager)
    requests = {
        landlord_id: _lease_requests(home_tenancy, landlord_id, manager)
        for landlord_id, home_tenancy in (
            (flat.landlord_id, tenancy),
            (other_flat.landlord_id, _tenancy_of(other_flat)),
        )
    }
    ids.update(
        flat_id=flat.id,
        landlord_id=flat.landlord_id,
        case_id=cases[flat.landlord_id],
        user_id=make_user(Role.STAFF, display_name="Tillfällig Användare").id,
        commissioner_id=Referral.get_by_id(tenancy.referral_id).commissioner_id,
        referral_id=tenancy.referral_id,
        tenancy_id=tenancy.id,
        kind="reminder",
        fmt="csv",
        month=rules.month_of(clock.today()).strftime("%Y-%m"),
        token="no-such-invitation",
        filename="style.css",
        request_id=requests[flat.landlord_id],
    )
    return World(
        users=users,
        ids=ids,
        landlord_ids={"landlord": flat.landlord_id, "other_landlord": other_flat.landlord_id},
        protected=Tenancy.get_by_id(tenancy.id),
        own={
            "flat_id": flat.id,
            "case_id": cases[flat.landlord_id],
            "request_id": requests[flat.landlord_id],
        },
        other={
            "flat_id": other_flat.id,
            "case_id": cases[other_flat.landlord_id],
            "request_id": requests[other_flat.landlord_id],
        },
    )


def _tenancy_of(flat: Flat) -> Tenancy:
    return Tenancy.get((Tenancy.flat == flat.id) & Tenancy.end_date.is_null())


def _lease_requests(tenancy: Tenancy, landlord_id: int, manager) -> int:
    """Two requests to the landlord about the resident: one whose consent was withdrawn,
    which told the landlord the resident's real name and must leave the portal, and one
    with consent standing (and the manager's assessment of harm), which names them by the
    landlord's consent marker. The id of the one standing."""
    shared = {"moved_in": "2020-01-01", "months_in_flat": 1, "on_time_in_a_row": 1}
    referral = Referral.get_by_id(tenancy.referral_id)
    withdrawn = ShareConsent.create(
        tenancy=tenancy.id,
        given_on=clock.today(),
        recorded_by=manager,
        withdrawn_by=manager,
        withdrawn_at=clock.now(),
    )
    real_name = f"{referral.first_name} {referral.last_name}"
    LeaseRequest.create(
        tenancy=tenancy.id,
        flat=tenancy.flat_id,
        landlord=landlord_id,
        consent=withdrawn,
        asked_by=manager,
        recommendation="-",
        shared=json.dumps({**shared, "name": real_name, "recommendation": "-"}),
        withdrawn_at=clock.now(),
    )
    standing = ShareConsent.create(
        tenancy=tenancy.id,
        given_on=clock.today(),
        recorded_by=manager,
        harm_assessed_by=manager,
        harm_assessed_at=clock.now(),
        harm_note="-",
    )
    marker = consent_marker(landlord_id)
    request = LeaseRequest.create(
        tenancy=tenancy.id,
        flat=tenancy.flat_id,
        landlord=landlord_id,
        consent=standing,
        asked_by=manager,
        recommendation=marker,
        shared=json.dumps({**shared, "name": marker, "recommendation": marker}),
    )
    return request.id


def _records_of(tenancy: Tenancy, manager) -> dict:
    """The protected resident's match, month, payment, checkpoint, plan and notice."""
    month = rules.month_of(clock.today())
    charge, _created = RentCharge.get_or_create(
        tenancy=tenancy.id,
        month=month,
        defaults={"amount": tenancy.rent, "due_on": rules.due_date(month)},
    )
    payment = Payment.create(
        tenancy=charge.tenancy_id,
        charge=charge,
        paid_on=month,
        amount=Decimal(100),
        method="swish",
        registered_by=manager,
        request_key="security-world",
        reversed_at=clock.now(),
        reversed_by=manager,
    )
    Checkpoint.get_or_create(charge=charge, kind="reminder", defaults={"done_by": manager})
    plan = RepaymentPlan.create(tenancy=tenancy.id, debt=Decimal(1000), created_by=manager)
    Instalment.create(plan=plan, due_on=month + dt.timedelta(days=40), amount=500)
    CommissionerNotice.create(
        tenancy=tenancy.id, month=month, text="-", sent_on=month, sent_by=manager
    )
    RuleOverride.create(
        referral=tenancy.referral_id, rule="drug_free", reason="-", decided_by=manager
    )
    ReferralStatusChange.create(
        referral=tenancy.referral_id, from_status=None, to_status="received", reason="-"
    )
    match = Match.select().where(Match.referral == tenancy.referral_id).first() or Match.create(
        flat=tenancy.flat_id, referral=tenancy.referral_id, status="moved_in", proposed_by=manager
    )
    # An earlier flat the person was proposed and declined, and an earlier stay that
    # ended: their notes are on the person's pages too.
    Match.create(
        flat=tenancy.flat_id,
        referral=tenancy.referral_id,
        status="declined",
        declined_by_side="person",
        decline_reason="area",
        decline_note="-",
        proposed_by=manager,
        proposed_at=clock.now() - dt.timedelta(days=800),
    )
    Tenancy.create(
        flat=tenancy.flat_id,
        referral=tenancy.referral_id,
        contact_person=tenancy.contact_person_id,
        start_date=tenancy.start_date - dt.timedelta(days=700),
        end_date=tenancy.start_date - dt.timedelta(days=400),
        rent=tenancy.rent,
        outcome="other",
        outcome_note="-",
    )
    return {
        "charge_id": charge.id,
        "payment_id": payment.id,
        "match_id": match.id,
    }


def _case(flat: Flat, landlord_id: int, author) -> int:
    case = Case.create(
        landlord=landlord_id,
        flat=flat.id,
        kind="other",
        text=case_marker(landlord_id),
        opened_by=author,
    )
    CaseReply.create(case=case, author=author, text=case_marker(landlord_id))
    return case.id


# The landlord's pages about one of their units or cases: asked for with the landlord's own
# objects and with another landlord's.
LANDLORDS_OBJECTS = {
    "portal.unit",
    "portal.case",
    "portal.reply",
    "portal.new_case",
    "portal.lease_request",
    "portal.answer_lease_request",
}
# Query strings a page needs to show anything.
QUERIES = {"reports.year_records": {"figure": "rent", "part": "year:not_paid"}}


def urls(app, world: World, rule) -> list[tuple[str, str]]:
    """The rule's addresses with real ids: (variant, url). Landlords' own objects and
    another landlord's are separate variants where the rule names one."""
    from flask import url_for

    variants = [("", {})]
    if rule.endpoint in LANDLORDS_OBJECTS:
        variants = [("own", world.own), ("other", world.other)]
    if "fmt" in rule.arguments:
        variants = [("csv", {"fmt": "csv"}), ("xlsx", {"fmt": "xlsx"})]
    found = []
    with app.test_request_context():
        for variant, overrides in variants:
            values = {name: overrides.get(name, world.ids.get(name)) for name in rule.arguments}
            if rule.endpoint == "portal.new_case":
                values["unit"] = overrides["flat_id"]
            values.update(QUERIES.get(rule.endpoint, {}))
            found.append((variant, url_for(rule.endpoint, **values)))
    return found


def rules_of(app):
    """Every rule but the static files, in a stable order."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: (rule.rule, sorted(rule.methods)),
    )


def text_of(response) -> str:
    """A response's text; an .xlsx is unzipped so that its cells can be read."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return data.decode("utf-8", "replace")


def snapshot() -> dict:
    """Every table but the audit log, row for row."""
    from intranet.models import AuditEvent
    from intranet.models.base import BaseModel

    return {
        model._meta.table_name: list(
            model.select().order_by(*model._meta.get_primary_keys()).tuples()
        )
        for model in BaseModel.__subclasses__()
        # Only the application's tables: a test may define a model of its own.
        if model is not AuditEvent
        and model._meta.primary_key
        and model.__module__.startswith("intranet.")
    }


SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
# Free text that people type and pages show, beyond the personal fields.
FREE_TEXT = [
    *PERSON_MARKERS,
    ("Landlord", "name"),
    ("Landlord", "notes"),
    ("Landlord", "declined_note"),
    ("LandlordContact", "name"),
    ("LandlordContact", "title"),
    ("Activity", "summary"),
    ("Activity", "outcome"),
    ("Activity", "next_step"),
    ("Flat", "address"),
    ("Flat", "note"),
    ("FlatStatusChange", "note"),
    ("User", "display_name"),
    ("Commissioner", "name"),
    ("CommissionerContact", "name"),
    ("Case", "text"),
    ("CaseReply", "text"),
]


def fill_text(value: str) -> None:
    """Every free-text field holds ``value``, as if people had typed it (a unique field
    gets its row's id after it)."""
    from intranet import models

    for model, name in FREE_TEXT:
        model = getattr(models, model) if isinstance(model, str) else model
        if getattr(model, name).unique:
            for row in model.select(model.id):
                model.update({getattr(model, name): f"{value}{row.id}"}).where(
                    model.id == row.id
                ).execute()
        else:
            model.update({getattr(model, name): value}).execute()


def fill_with_attacks() -> None:
    """Every free-text field holds both markup attacks."""
    from intranet import models

    fill_text(ATTRIBUTE + SCRIPT)
    models.Referral.update(first_name=SCRIPT, last_name=ATTRIBUTE).execute()

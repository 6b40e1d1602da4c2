"""Every form and every list page's address, fuzzed: hostile input never gets a 500, and
nothing that breaks a form's own rules is ever saved.

Each form test loads the demo data once, logs in a user whose role may use the form, and
posts a few dozen generated submissions with a valid CSRF token. Each field keeps a valid
value or gets a hostile one: any Unicode text, NUL bytes, huge and negative numbers, empty
values, text in number fields, several values for one field, over-long strings, dates that
do not exist; the ids in the address are real ones, another landlord's, or none at all.
A refusal (4xx) must leave the database as it was; an accepted write must hold values the
form's own validators allow, and the page it leads to must still render.

Hypothesis runs derandomized, so CI sees the same examples on every run.
"""

import dataclasses
import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from decimal import Decimal

import pytest
from conftest import CSRF_PATTERN
from demo_world import EMAILS, log_in
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, NumberRange

import intranet
from intranet import clock
from intranet.admin.forms import ActiveForm, UserCreateForm, UserEditForm
from intranet.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from intranet.auth.passwords import hash_password
from intranet.demo import DEMO_PASSWORD
from intranet.extensions import db
from intranet.flats.forms import ChecklistForm, FlatEditForm, FlatForm, StatusForm
from intranet.landlords.forms import (
    ActivityForm,
    ContactForm,
    LandlordCreateForm,
    LandlordEditForm,
    MoveForm,
)
from intranet.matching.forms import AdvanceForm, DeclineForm, MoveInForm, ProposeForm
from intranet.models import (
    Flat,
    Landlord,
    LoginThrottle,
    Match,
    Referral,
    User,
)
from intranet.models.base import BaseModel
from intranet.portal.forms import AcceptForm, CaseForm, InviteForm, OfferForm, ReplyForm
from intranet.referrals.forms import (
    CommissionerContactForm,
    CommissionerForm,
    OverrideForm,
    ReferralEditForm,
    ReferralForm,
)
from intranet.referrals.forms import StatusForm as ReferralStatusForm
from intranet.rent.forms import CheckpointForm, PaymentForm, ReverseForm
from intranet.residents.forms import (
    CommissionerNoticeForm,
    MoveOutForm,
    NoticeForm,
    PlanForm,
    RentMoneyForm,
)

# Submissions per form and per list page; derandomized, so CI sees the same each run.
FORM_EXAMPLES = 20
PAGE_EXAMPLES = 12
FUZZ = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}

# POST endpoints the fuzzer leaves out, and why.
EXEMPT = {
    # The old addresses answer 308 to the new ones without reading the form; the new ones
    # are fuzzed below.
    "moved.create_plan",
    "moved.instalment_paid",
    "moved.move_out",
    "moved.notice",
    "moved.record_notice",
    "moved.rent_money",
}

OMIT = object()  # "send no such field at all"

NO_DAY = ["2027-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "0000-01-01", "10000-01-01"]
FAR_DAY = ["0001-01-01", "1899-12-31", "9999-12-31", "2100-01-01", "1970-01-01"]
NUMBERS = [
    "-1",
    "0",
    "-0",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "1e-400",
    "9" * 40,
    "-" + "9" * 40,
    str(2**31),
    str(2**63),
    "1 000 000,01",
    "0,001",
    "12abc",
    "²",
    "١٢",
    "0x10",
    "+5",
    "5.",
    ".5",
]
TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e\u200b",
    "🏠" * 50,
    "x" * 5001,
    "å" * 20_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE flat; --",
    "%s %(x)s {0}",
    "on",
    "true",
    "None",
    "[]",
]

hostile_value = st.one_of(
    st.sampled_from(TEXTS + NUMBERS + NO_DAY + FAR_DAY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
hostile = st.one_of(hostile_value, st.lists(hostile_value, min_size=2, max_size=3), st.just(OMIT))


@dataclasses.dataclass
class Target:
    """How to post to one endpoint: as whom, with which form, at which address, from where."""

    role: str
    form: type | None
    url: Callable[[dict], dict]  # world -> the address's arguments: a valid value each
    base: Callable[[dict], dict] = lambda world: {}  # world -> a valid submission
    fresh_login: bool = False  # log in again before each example (logout, password)


def _other_ids(world, name):
    """Ids for an address argument beside the valid one: another landlord's, none, huge."""
    others = world.get("other", {}).get(name)
    return [v for v in (others, 0, 999_999, 2**31, 2**63, 10**30) if v is not None]


def _today(offset=0):
    return (clock.today() + dt.timedelta(days=offset)).isoformat()


def _flat_base(world):
    flat = Flat.get_by_id(world["flat"])
    return {
        "landlord": str(world["taking_landlord"]),
        "address": "Provgatan 1",
        "postcode": "123 45",
        "district": "Farsta",
        "rooms": "2",
        "size_m2": "54,5",
        "floor": "0",
        "rent_to_landlord": "6000",
        "rent_to_resident": "6200",
        "kind": "training",
        "lease_start": "2026-01-01",
        "lease_end": "",
        "notice_months": "3",
        "note": "",
        "revision": str(flat.revision),
    }


def _landlord_base(world):
    landlord = Landlord.get_by_id(world["landlord"])
    return {
        "name": "Provbolaget AB",
        "org_number": "556036-0793",
        "kind": "private",
        "website": "https://example.org",
        "districts": "Farsta, Älvsjö",
        "owner": "0",
        "expected_flats": "3",
        "next_follow_up": _today(7),
        "notes": "",
        "stage": "identified",
        "revision": str(landlord.revision),
    }


def _referral_base(world):
    referral = Referral.get_by_id(world["referral"])
    return {
        "received_on": _today(-3),
        "commissioner": str(world["commissioner"]),
        "handling_officer": "0",
        "first_name": "Prov",
        "last_name": "Person",
        "birth_date": "1990-05-05",
        "gender": "other",
        "personal_number": "",
        "target_group": "crime",
        "drug_free_since": "2025-01-01",
        "occupation_kind": "work",
        "occupation_percent": "75",
        "min_rooms": "1",
        "preferred_districts": "Farsta",
        "excluded_districts": "",
        "wished_move_in": "",
        "responsible": "0",
        "notes": "",
        "revision": str(referral.revision),
    }


def _user_base(world):
    user = User.get_by_id(world["user"])
    return {
        "email": "prov@example.org",
        "display_name": "Prov Person",
        "role": "staff",
        "landlord": "0",
        "password": "a long enough password",
        "new_password": "",
        "revision": str(user.revision),
    }


def _match_base(world):
    match = Match.get_by_id(world["match"])
    return {
        "from_status": match.status,
        "move_in_date": _today(14),
        "side": "unit",
        "reason": "other",
        "note": "",
        "contact_person": str(world["staff"]),
        "rent": "6200",
        "rent_payer": "resident",
    }


TARGETS = {
    "admin.create_user": Target("admin", UserCreateForm, lambda w: {}, _user_base),
    "admin.edit_user": Target("admin", UserEditForm, lambda w: {"user_id": w["user"]}, _user_base),
    "admin.deactivate_user": Target(
        "admin", ActiveForm, lambda w: {"user_id": w["user"]}, _user_base
    ),
    "admin.reactivate_user": Target(
        "admin", ActiveForm, lambda w: {"user_id": w["user"]}, _user_base
    ),
    "auth.login": Target(
        None,
        LoginForm,
        lambda w: {},
        lambda w: {"email": "personal@demo.example", "password": DEMO_PASSWORD, "next": "/"},
    ),
    "auth.logout": Target("staff", None, lambda w: {}, fresh_login=True),
    "auth.change_password": Target(
        "staff",
        PasswordChangeForm,
        lambda w: {},
        lambda w: {
            "current_password": DEMO_PASSWORD,
            "new_password": "another long password",
            "confirm_password": "another long password",
        },
        fresh_login=True,
    ),
    "auth.set_language": Target(
        "staff", LanguageForm, lambda w: {}, lambda w: {"language": "en", "next": "/flats/"}
    ),
    "flats.create": Target("staff", FlatForm, lambda w: {}, _flat_base),
    "flats.edit": Target("staff", FlatEditForm, lambda w: {"flat_id": w["flat"]}, _flat_base),
    "flats.change_status": Target(
        "manager",
        StatusForm,
        lambda w: {"flat_id": w["offered_flat"]},
        lambda w: {
            "revision": str(Flat.get_by_id(w["offered_flat"]).revision),
            "from_status": Flat.get_by_id(w["offered_flat"]).status,
            "to_status": "viewed",
            "note": "",
        },
    ),
    "flats.checklist": Target(
        "caretaker",
        ChecklistForm,
        lambda w: {"flat_id": w["flat"]},
        lambda w: {
            "revision": str(Flat.get_by_id(w["flat"]).revision),
            "has_furniture": "y",
            "keys_handed_over": "y",
            "key_count": "3",
        },
    ),
    "landlords.create": Target("manager", LandlordCreateForm, lambda w: {}, _landlord_base),
    "landlords.edit": Target(
        "manager", LandlordEditForm, lambda w: {"landlord_id": w["landlord"]}, _landlord_base
    ),
    "landlords.move": Target(
        "manager",
        MoveForm,
        lambda w: {"landlord_id": w["landlord"]},
        lambda w: {
            "from_stage": Landlord.get_by_id(w["landlord"]).stage,
            "to_stage": "contacted",
            "reason": "",
            "note": "",
            "board_query": "",
        },
    ),
    "landlords.log_activity": Target(
        "staff",
        ActivityForm,
        lambda w: {"landlord_id": w["landlord"]},
        lambda w: {
            "kind": "call",
            "occurred_on": _today(),
            "summary": "Ringde",
            "outcome": "",
            "next_step": "Möte",
            "next_step_on": _today(5),
        },
    ),
    "landlords.add_contact": Target(
        "manager",
        ContactForm,
        lambda w: {"landlord_id": w["landlord"]},
        lambda w: {"name": "Anna", "title": "VD", "phone": "08-123", "email": "a@example.org"},
    ),
    "matching.propose": Target(
        "staff",
        ProposeForm,
        lambda w: {},
        lambda w: {
            "flat_id": str(w["ready_flat"]),
            "referral_id": str(w["waiting_referral"]),
            "passed_over_reason": "",
        },
    ),
    "matching.accept_pair": Target(
        "staff",
        ProposeForm,
        lambda w: {},
        lambda w: {"flat_id": str(w["ready_flat"]), "referral_id": str(w["waiting_referral"])},
    ),
    "matching.advance": Target(
        "staff", AdvanceForm, lambda w: {"match_id": w["match"]}, _match_base
    ),
    "matching.decline": Target(
        "staff", DeclineForm, lambda w: {"match_id": w["match"]}, _match_base
    ),
    "matching.move_in": Target(
        "staff", MoveInForm, lambda w: {"match_id": w["accepted_match"]}, _match_base
    ),
    "portal.new_case": Target(
        "landlord",
        CaseForm,
        lambda w: {},
        lambda w: {"kind": "fault", "text": "Kranen droppar", "unit": str(w["own_flat"])},
    ),
    "portal.reply": Target(
        "landlord", ReplyForm, lambda w: {"case_id": w["own_case"]}, lambda w: {"text": "Tack"}
    ),
    "portal.offer": Target(
        "landlord",
        OfferForm,
        lambda w: {},
        lambda w: {
            "address": "Erbjudna gatan 2",
            "district": "Farsta",
            "rooms": "2",
            "size_m2": "50",
            "note": "",
            "rent": "6000",
            "available_from": _today(30),
        },
    ),
    "portal.staff_reply": Target(
        "staff", ReplyForm, lambda w: {"case_id": w["own_case"]}, lambda w: {"text": "Vi kommer"}
    ),
    "portal.close": Target("staff", None, lambda w: {"case_id": w["own_case"]}),
    "portal.staff_new_case": Target(
        "caretaker",
        CaseForm,
        lambda w: {"flat_id": w["own_flat"]},
        lambda w: {"kind": "inspection", "text": "Besiktning klar"},
    ),
    "portal.invite": Target(
        "manager",
        InviteForm,
        lambda w: {"landlord_id": w["landlord"]},
        lambda w: {"display_name": "Ny Hyresvärd", "email": "ny@example.org"},
    ),
    "portal.accept": Target(
        None,
        AcceptForm,
        lambda w: {"token": w["token"]},
        lambda w: {"password": "a long enough password", "confirm": "a long enough password"},
    ),
    "referrals.create": Target("staff", ReferralForm, lambda w: {}, _referral_base),
    "referrals.edit": Target(
        "staff", ReferralEditForm, lambda w: {"referral_id": w["referral"]}, _referral_base
    ),
    "referrals.set_status": Target(
        "staff",
        ReferralStatusForm,
        lambda w: {"referral_id": w["referral"]},
        lambda w: {
            "from_status": Referral.get_by_id(w["referral"]).status,
            "to_status": "assessing",
            "reason": "",
        },
    ),
    "referrals.record_contact": Target(
        "staff", None, lambda w: {"referral_id": w["waiting_referral"]}
    ),
    "referrals.add_override": Target(
        "manager",
        OverrideForm,
        lambda w: {"referral_id": w["waiting_referral"]},
        lambda w: {"rule": "rooms", "reason": "Bedömt rimligt"},
    ),
    "referrals.commissioners": Target(
        "staff",
        CommissionerForm,
        lambda w: {},
        lambda w: {"name": "Socialtjänsten Prov", "kind": "social_services"},
    ),
    "referrals.add_commissioner_contact": Target(
        "staff",
        CommissionerContactForm,
        lambda w: {"commissioner_id": w["commissioner"]},
        lambda w: {"name": "Handläggare", "phone": "08-1", "email": "h@example.org"},
    ),
    "rent.pay": Target(
        "staff",
        PaymentForm,
        lambda w: {"charge_id": w["charge"]},
        lambda w: {"paid_on": _today(), "amount": "1000", "method": "swish", "request_key": "k"},
    ),
    "rent.reverse": Target(
        "staff",
        ReverseForm,
        lambda w: {"payment_id": w["payment"]},
        lambda w: {"reason": "Fel person"},
    ),
    "rent.checkpoint": Target(
        "staff",
        CheckpointForm,
        lambda w: {"charge_id": w["charge"], "kind": "reminder"},
        lambda w: {"note": "Hur är det?", "plan": "Betalar på fredag"},
    ),
    "residents.notice": Target(
        "staff",
        NoticeForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"move_out_date": _today(60)},
    ),
    "residents.move_out": Target(
        "staff",
        MoveOutForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"end_date": _today(), "outcome": "own_lease", "note": ""},
    ),
    "residents.create_plan": Target(
        "staff",
        PlanForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {
            "debt": "3000",
            "instalments": f"{_today(10)} 1500\n{_today(40)} 1500",
            "note": "",
        },
    ),
    "residents.instalment_paid": Target(
        "staff",
        None,
        lambda w: {"tenancy_id": w["plan_tenancy"], "instalment_id": w["instalment"]},
    ),
    "residents.record_notice": Target(
        "staff",
        CommissionerNoticeForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"text": "Hyran är obetald", "sent_on": _today()},
    ),
    "residents.rent_money": Target(
        "staff",
        RentMoneyForm,
        lambda w: {"tenancy_id": w["tenancy"], "charge_id": w["charge"]},
        lambda w: {"paid_on": _today(), "amount": "6200"},
    ),
}

# Tables a refused request may still write: the login throttle counts failures, the audit
# log notes who looked, a login stamps the account.
NOISE = {"login_throttle", "audit_event"}
LOGIN_NOISE = NOISE | {"user"}


def _submitted(form_class) -> list[str]:
    """The names of the fields a form reads."""
    if form_class is None:
        return []
    return [
        name
        for name in dir(form_class)
        if isinstance(getattr(form_class, name), UnboundField) and name != "csrf_token"
    ]


def _rules(form_class) -> dict:
    """Each field's length and range limits, from the form's own validators."""
    rules = {}
    for name in _submitted(form_class):
        for validator in getattr(form_class, name).kwargs.get("validators") or []:
            if isinstance(validator, Length) and validator.max >= 0:
                rules.setdefault(name, {})["max_length"] = validator.max
            if isinstance(validator, NumberRange):
                rules.setdefault(name, {}).update(low=validator.min, high=validator.max)
    return rules


def _column_limits() -> dict:
    """Each table's columns with their declared maximum length (None for no limit)."""
    return {
        model._meta.table_name: {
            field.column_name: getattr(field, "max_length", None)
            for field in model._meta.sorted_fields
        }
        for model in BaseModel.__subclasses__()
    }


def _snapshot() -> dict:
    """Every row of every table, keyed by table and first column."""
    tables = {}
    for table in db.get_tables():
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')
        columns = [c[0] for c in cursor.description]
        tables[table] = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    return tables


def _changed_values(before: dict, after: dict):
    """(table, column, value) of every cell that is new or changed."""
    for table, rows in after.items():
        old_rows = before.get(table, {})
        for key, row in rows.items():
            old = old_rows.get(key, {})
            for column, value in row.items():
                if column not in old or old[column] != value:
                    yield table, column, value


def _check_saved(before, after, rules, limits, data):
    """Every new or changed value keeps to its column's length and the form's own limits."""
    for table, column, value in _changed_values(before, after):
        where = f"{table}.{column}={value!r:.80} from {data!r:.300}"
        rule = rules.get(column, {})
        if isinstance(value, str):
            assert "\x00" not in value, where
            for limit in (limits.get(table, {}).get(column), rule.get("max_length")):
                assert limit is None or len(value) <= limit, where
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            assert rule.get("low") is None or value >= rule["low"], where
            assert rule.get("high") is None or value <= rule["high"], where


def _signed_in_client(app, role):
    """A client logged in as the demo user of ``role`` (anonymous for None), and its token."""
    client = app.test_client()
    if role is not None:
        log_in(client, EMAILS[role])
    page = client.get("/login" if role is None else "/account/password")
    return client, CSRF_PATTERN.search(page.get_data(as_text=True)).group(1)


def _restore_password(role):
    """Give the account its demo password back and forget its failed logins."""
    User.update(password_hash=hash_password(DEMO_PASSWORD)).where(
        User.email == EMAILS[role]
    ).execute()
    LoginThrottle.delete().execute()


def _url(app, endpoint, arguments) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return rule.build(arguments, append_unknown=False)[1]


def _submission(target: Target, world: dict):
    """A strategy for (address arguments, hostile fields, htmx or not): mostly the valid
    submission with up to three fields made hostile, sometimes the valid one at an address
    naming what the user may not touch or what does not exist."""
    names = sorted(set(_submitted(target.form)) | set(target.base(world)))
    fields = st.dictionaries(st.sampled_from(names), hostile, max_size=3) if names else st.just({})
    shapes = [st.tuples(st.just({}), fields, st.booleans())] * 3
    for name in target.url(world):
        wrong = st.fixed_dictionaries({name: st.sampled_from(_other_ids(world, name))})
        shapes.append(st.tuples(wrong, st.just({}), st.booleans()))
    return st.one_of(*shapes)


def test_every_post_endpoint_is_fuzzed(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - EXEMPT == set(TARGETS)
    assert EXEMPT <= posts


def test_every_posted_form_class_is_fuzzed():
    """Each form class in intranet/*/forms.py that carries a CSRF token is in a target
    (the filter forms, read from the address, are fuzzed with the list pages below)."""
    fuzzed = {target.form for target in TARGETS.values() if target.form}
    missing = []
    for module_info in pkgutil.iter_modules(intranet.__path__):
        try:
            module = importlib.import_module(f"intranet.{module_info.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, FlaskForm)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and value.Meta.csrf is not False
                and not any(issubclass(form, value) for form in fuzzed)
            ):
                missing.append(f"{module.__name__}.{name}")
    assert missing == []


@pytest.mark.parametrize("endpoint", sorted(TARGETS))
def test_hostile_form_input_is_refused_or_saved_valid(world_app, endpoint):
    app, world = world_app
    target = TARGETS[endpoint]
    rules, limits = _rules(target.form), _column_limits()
    state = {"client": None, "before": None}

    @settings(max_examples=FORM_EXAMPLES, **FUZZ)
    @given(_submission(target, world))
    def post(submission):
        wrong_address, hostile_fields, htmx = submission
        if target.fresh_login or target.role is None or state["client"] is None:
            if target.fresh_login:
                with app.app_context():
                    _restore_password(target.role)
            state["client"], state["before"] = _signed_in_client(app, target.role), None
        client, token = state["client"]
        url = _url(app, endpoint, {**target.url(world), **wrong_address})
        with app.app_context():
            data = {**target.base(world), **hostile_fields, "csrf_token": token}
            data = {name: value for name, value in data.items() if value is not OMIT}
            before = state["before"] or _snapshot()
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(url, data=data, headers=headers)
        assert response.status_code < 500, (url, data, response.get_data(as_text=True)[:500])
        with app.app_context():
            after = state["before"] = _snapshot()
        if 400 <= response.status_code < 500:
            noise = LOGIN_NOISE if target.role is None else NOISE
            changed = {table for table, _c, _v in _changed_values(before, after)} - noise
            assert not changed, (url, response.status_code, changed, data)
        else:
            _check_saved(before, after, rules, limits, data)
            location = response.headers.get("Location") or response.headers.get("HX-Location")
            if location and location.startswith("/"):
                assert client.get(location).status_code < 500, (location, data)

    post()


# ---- the list pages' addresses -------------------------------------------------------

# Each GET page with the query parameters it reads, and the role that may open it.
LIST_PAGES = {
    "admin.users": ("admin", ["page"]),
    "flats.index": ("staff", ["status", "district", "landlord", "kind", "page"]),
    "flats.create": ("staff", ["landlord"]),
    "flats.export": ("staff", ["status", "district", "landlord", "kind"]),
    "landlords.pipeline": (
        "manager",
        ["owner", "kind", "overdue", "q", "show_identified", "show_declined", "show_paused"],
    ),
    "landlords.follow_ups": ("staff", ["page"]),
    "landlords.funnel": ("manager", ["start", "end"]),
    "matching.index": (
        "staff",
        ["within", "flat", "referral", "shown", "flats_page", "referrals_page"],
    ),
    "matching.plan": ("staff", ["within"]),
    "referrals.index": ("staff", ["show", "status", "responsible", "confirm", "page"]),
    "referrals.export": ("staff", ["show", "status", "responsible", "confirm"]),
    "referrals.audit": ("manager", ["page"]),
    "rent.board": ("staff", ["month", "contact", "status", "action_today", "page"]),
    "rent.export_board": ("staff", ["month", "contact", "status", "action_today"]),
    "rent.stats_page": ("staff", ["page"]),
    "rent.export_stats": ("staff", ["page"]),
    "reports.year_page": ("manager", ["year"]),
    "reports.year_print": ("manager", ["year"]),
    "reports.year_xlsx": ("manager", ["year"]),
    "reports.year_records": ("manager", ["year", "figure", "part", "page"]),
    "residents.index": ("staff", ["contact", "page"]),
    "residents.export": ("staff", ["contact"]),
    "portal.cases": ("staff", ["kind", "page"]),
    "portal.new_case": ("landlord", ["unit"]),
    "auth.login": (None, ["next"]),
}

# GET pages that read no query parameter.
NO_PARAMETERS = {
    "main.index",
    "main.healthz",
    "static",
    "admin.create_user",
    "admin.edit_user",
    "auth.change_password",
    "flats.detail",
    "flats.edit",
    "landlords.create",
    "landlords.detail",
    "landlords.edit",
    "matching.match",
    "moved.detail",
    "moved.index",
    "moved.outcomes",
    "moved.rent",
    "portal.accept",
    "portal.case",
    "portal.index",
    "portal.invite",
    "portal.offer",
    "portal.preview",
    "portal.staff_case",
    "portal.staff_new_case",
    "portal.unit",
    "referrals.commissioners",
    "referrals.create",
    "referrals.detail",
    "referrals.edit",
    "residents.detail",
    "residents.outcomes",
    "residents.rent",
}

PARAMETER_VALUES = st.one_of(
    hostile_value,
    st.sampled_from(["\x00", "1\x00", "2027-02", "2027-13", "0000-00", "9999-12", "1", "2"]),
    st.sampled_from(["y", "open", "closed", "fault", "csv", "xlsx"]),
    st.lists(hostile_value, min_size=2, max_size=3),
)


def test_every_get_page_is_listed(app):
    gets = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert gets == set(LIST_PAGES) | NO_PARAMETERS


@pytest.mark.parametrize("endpoint", sorted(LIST_PAGES))
def test_hostile_list_parameters_never_fail(world_app, endpoint):
    app, world = world_app
    role, names = LIST_PAGES[endpoint]
    client = app.test_client()
    if role:
        log_in(client, EMAILS[role])
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    fixed = {"fmt": "csv", "referral_id": world["referral"]}
    url = _url(app, endpoint, {name: fixed[name] for name in rule.arguments})

    @settings(max_examples=PAGE_EXAMPLES, **FUZZ)
    @given(st.dictionaries(st.sampled_from(names), PARAMETER_VALUES, max_size=3), st.booleans())
    def visit(params, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, query_string=params, headers=headers)
        assert response.status_code < 500, (url, params, response.get_data(as_text=True)[:300])
        assert "/login" not in response.headers.get("Location", ""), (url, params)

    visit()

"""Every form and every list page's address, fuzzed: hostile input never gets a 500, and
nothing that breaks a form's own rules is ever saved.

Each form test gets a fresh copy of the demo world (built once per database kind), logs in
a user whose role may use the form, and posts generated submissions with a valid CSRF
token: the valid one with up to three fields made hostile (any Unicode text, NUL bytes,
huge and negative numbers, empty values, text in number fields, several values for one
field, over-long strings, dates that do not exist), or the valid one at an address naming
another landlord's record or none at all. The targets are in ``fuzz_targets.py``.
A refusal (4xx) must leave the database as it was; an accepted write must hold values the
form's own validators allow, and the page it leads to must still render.

Hypothesis runs derandomized, so CI sees the same examples on every run.
"""

import importlib
import pkgutil
from decimal import Decimal

import pytest
from conftest import CSRF_PATTERN, login, post_form
from demo_world import EMAILS, log_in
from flask_wtf import FlaskForm
from fuzz_targets import EXEMPT, OMIT, TARGETS, Target, hostile, hostile_value, other_ids
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, NumberRange

import intranet
from intranet.auth.passwords import hash_password
from intranet.demo import DEMO_PASSWORD
from intranet.extensions import db
from intranet.models import (
    Landlord,
    LoginThrottle,
    User,
)
from intranet.models.base import BaseModel

# Submissions per form and per list page; derandomized, so CI sees the same each run.
FORM_EXAMPLES = 20
PAGE_EXAMPLES = 12


def _examples(app, count: int) -> int:
    """``count`` examples on SQLite; half as many on PostgreSQL, where the same forms and
    rules run again and what differs (column limits, strict types) shows in fewer."""
    return count if app.config["DATABASE_URL"].startswith("sqlite") else count // 2


FUZZ = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}

# Tables a refused request may still write: the login throttle counts failures, the audit
# log notes who looked, a login stamps the account; and the database's own count of those
# writes (migration 0026).
NOISE = {"login_throttle", "audit_event", "change_count"}
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
        wrong = st.fixed_dictionaries({name: st.sampled_from(other_ids(world, name))})
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

    @settings(max_examples=_examples(app, FORM_EXAMPLES), **FUZZ)
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
    "admin.approvals": ("manager", ["page"]),
    "audit.index": ("manager", ["person", "user", "since", "until", "page"]),
    "flats.index": ("staff", ["status", "district", "landlord", "landlord_name", "kind", "page"]),
    "flats.landlord_names_list": ("staff", ["landlord_name"]),
    "residents.detail": ("staff", ["history"]),
    "flats.create": ("staff", ["landlord"]),
    "flats.export": ("staff", ["status", "district", "landlord", "landlord_name", "kind"]),
    "landlords.pipeline": (
        "manager",
        [
            "owner",
            "owner_name",
            "kind",
            "overdue",
            "q",
            "show_identified",
            "show_declined",
            "show_paused",
        ],
    ),
    "landlords.owner_names_list": ("manager", ["owner_name"]),
    "landlords.owner_choices_list": ("manager", ["owner_name"]),
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
    "rent.board": (
        "staff",
        ["month", "contact", "contact_name", "status", "action_today", "page"],
    ),
    "rent.export_board": ("staff", ["month", "contact", "status", "action_today"]),
    "rent.stats_page": ("staff", ["page"]),
    "rent.reverse_form": ("staff", ["row"]),
    "rent.export_stats": ("staff", ["page"]),
    "rent.notices_print": ("staff", ["month", "contact", "page"]),
    "rent.reminders_print": ("staff", ["month", "contact", "page"]),
    "residents.rent_notice": ("staff", ["month"]),
    "rent.bank_imports": ("staff", ["page"]),
    "rent.bank_import": ("staff", ["page"]),
    "reports.year_page": ("manager", ["year"]),
    "reports.year_print": ("manager", ["year"]),
    "reports.year_xlsx": ("manager", ["year"]),
    "reports.year_records": ("manager", ["year", "figure", "part", "page"]),
    "residents.index": ("staff", ["contact", "contact_name", "page"]),
    "residents.export": ("staff", ["contact", "contact_name"]),
    "residents.contact_names_list": ("staff", ["contact_name"]),
    "portal.cases": ("staff", ["kind", "page"]),
    "portal.new_case": ("landlord", ["unit"]),
    "auth.login": (None, ["next"]),
}

# GET pages that read no query parameter.
NO_PARAMETERS = {
    "main.index",
    "auth.two_factor_settings",
    "auth.login_code",
    "auth.enrol",
    "auth.login_enrol",
    "auth.set_up",
    "main.healthz",
    "static",
    "admin.create_user",
    "admin.deactivate_user",
    "admin.edit_user",
    "auth.change_password",
    "flats.detail",
    "flats.edit",
    "rent.month_money",
    "rent.payment_form",
    "rent.checkpoint_form",
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
    "portal.lease_request",
    "road.settings",
    "road.transfer",
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
    fixed = {
        "fmt": "csv",
        "referral_id": world["referral"],
        "tenancy_id": world["tenancy"],
        "import_id": world["bank_import"],
        "payment_id": world["payment"],
    }
    url = _url(app, endpoint, {name: fixed[name] for name in rule.arguments})

    @settings(max_examples=_examples(app, PAGE_EXAMPLES), **FUZZ)
    @given(st.dictionaries(st.sampled_from(names), PARAMETER_VALUES, max_size=3), st.booleans())
    def visit(params, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, query_string=params, headers=headers)
        assert response.status_code < 500, (url, params, response.get_data(as_text=True)[:300])
        assert "/login" not in response.headers.get("Location", ""), (url, params)

    visit()


# ---- what the fuzzer found, pinned ---------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/flats/2147483648", "/flats/99999999999999999999", "/referrals/10000000000000000000"]
)
def test_an_id_past_what_the_database_holds_is_not_found(client, make_user, url):
    login(client, make_user("staff"))
    assert client.get(url).status_code == 404


def test_a_number_past_what_the_database_holds_in_a_form_damages_it(client, make_user):
    login(client, make_user("admin"))
    target = make_user("staff")
    response = post_form(
        client,
        f"/admin/users/{target.id}/deactivate",
        {"revision": "99999999999999999999"},
        form_url="/admin/users",
    )
    assert response.status_code == 422
    assert "Begäran var ofullständig. Inget ändrades." in response.get_data(as_text=True)
    assert User.get_by_id(target.id).active


@pytest.mark.parametrize(
    ("field", "value"), [("name", "Hyres\x00bolaget"), ("kind", "private\x00")]
)
def test_a_nul_character_is_refused_and_nothing_saved(client, make_user, field, value):
    login(client, make_user("manager"))
    data = {"name": "Hyresbolaget", "kind": "private", "expected_flats": "0", "stage": "identified"}
    response = post_form(client, "/landlords/new", {**data, field: value})
    assert response.status_code == 400
    assert "Begäran innehåller ett tecken som inte är tillåtet." in response.get_data(as_text=True)
    assert Landlord.select().count() == 0


@pytest.mark.parametrize("url", ["/landlords/pipeline?q=a%00", "/reports/year?year=%00"])
def test_a_nul_character_in_the_address_is_refused(client, make_user, url):
    login(client, make_user("manager"))
    response = client.get(url)
    assert response.status_code == 400
    assert "ett tecken som inte är tillåtet" in response.get_data(as_text=True)

"""Fixtures: the app on SQLite and on a throwaway PostgreSQL, clients, users, a live server."""

import datetime as dt
import re
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from helpers import add_resident
from jinja2 import BytecodeCache
from pytest_postgresql.janitor import DatabaseJanitor
from werkzeug.routing import Rule
from werkzeug.serving import make_server

from intranet import cache, clock, create_app
from intranet.extensions import db
from intranet.models import Commissioner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from pgserver import Server  # noqa: E402

# The demo world's fixtures (``world_app``), shared by the fuzzing and header tests.
pytest_plugins = ["demo_world"]

BACKENDS = ["sqlite", "postgres"]
PASSWORD = "correct horse battery"
PG_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "TRUSTED_HOSTS": ["localhost", "127.0.0.1"],
    "BANKGIRO": "5050-1055",
    "BANK_ACCOUNT": "SE45 5000 0000 0583 9825 7466",
    "UNIT_NAME": "Provhusets träningslägenheter",
    "UNIT_ADDRESS": "Box 12, 123 45 Stockholm",
}


BROWSER_FIXTURES = {"page", "browser", "new_context", "live_server", "demo_server"}


class _CompiledOnce(BytecodeCache):
    """Each test builds an app of its own, and each app would compile every template it
    draws anew; the compiled code is kept for the session, keyed by the template's source."""

    def __init__(self):
        self.codes = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.codes and bucket.checksum == self.codes[bucket.key][0]:
            bucket.bytecode_from_string(self.codes[bucket.key][1])

    def dump_bytecode(self, bucket):
        self.codes[bucket.key] = (bucket.checksum, bucket.bytecode_to_string())


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _CompiledOnce()}

# Each app also compiles a URL builder for each of its 130 routes, five sixths of the time
# it takes to make one. A builder is a function of the rule's text and defaults only (the
# rule itself is its argument), so the one compiled first serves every later app.
_compile_builder = Rule._compile_builder
_BUILDERS: dict = {}


def _builder_once(rule, append_unknown=True):
    key = (
        rule.rule,
        rule.subdomain,
        rule.host,
        rule.map.host_matching,
        rule.merge_slashes,
        tuple(sorted((name, repr(value)) for name, value in (rule.defaults or {}).items())),
        append_unknown,
    )
    if key not in _BUILDERS:
        _BUILDERS[key] = _compile_builder(rule, append_unknown)
    return _BUILDERS[key]


Rule._compile_builder = _builder_once


def pytest_collection_modifyitems(config, items):
    """A test that opens a browser or serves one is a browser test, marked or not. A test
    marked ``input_only`` checks what a form or a rule says before anything reaches the
    database (the same code on both), and one marked ``page_reading`` what the templates
    draw on every page: each runs on SQLite only, so the suite's time goes to what differs
    between the databases."""
    kept, dropped = [], []
    for item in items:
        if BROWSER_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.browser)
        params = getattr(getattr(item, "callspec", None), "params", {})
        one_database = item.get_closest_marker("input_only") or item.get_closest_marker(
            "page_reading"
        )
        if one_database and params.get("database_url") == "postgres":
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def pg_server():
    """Host, port and user of a PostgreSQL server of our own that lives for the test session."""
    server = Server(options=PG_OPTIONS)
    try:
        yield {"host": "127.0.0.1", "port": server.port, "user": "postgres", "password": None}
    finally:
        server.remove()


def _migrate(url: str) -> None:
    from intranet.migrate import upgrade

    app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    with app.app_context():
        db.connect(reuse_if_open=True)
        upgrade()
        db.close()
        if hasattr(db.obj, "close_all"):
            db.obj.close_all()


@pytest.fixture(scope="session")
def pg_url(pg_server):
    """A migrated test database on the session's PostgreSQL server."""
    janitor = DatabaseJanitor(
        user=pg_server["user"],
        host=pg_server["host"],
        port=pg_server["port"],
        dbname="intranet_test",
        password=pg_server["password"],
    )
    janitor.init()
    password = f":{pg_server['password']}" if pg_server["password"] else ""
    url = (
        f"postgresql://{pg_server['user']}{password}@{pg_server['host']}:{pg_server['port']}"
        "/intranet_test"
    )
    _migrate(url)
    yield url
    janitor.drop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "intranet.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


_TABLES: list[str] = []


def _empty_postgres() -> None:
    """Empty the tables a test wrote to and restart the ids it used.

    TRUNCATE of every table costs a fifth of a second a test; a test writes to a few of
    them, and DELETE of a few rows is cheap."""
    if not _TABLES:
        _TABLES.extend(t for t in db.get_tables() if t != "schema_migration")
    probe = " UNION ALL ".join(
        f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM \"{table}\")" for table in _TABLES
    )
    written = [row[0] for row in db.execute_sql(probe).fetchall()]
    used = db.execute_sql(
        "SELECT schemaname, sequencename FROM pg_sequences WHERE last_value IS NOT NULL"
        " AND sequencename <> 'schema_migration_id_seq'"
    ).fetchall()
    if not written and not used:
        return
    # The audit log refuses DELETE; the tests' superuser may set its triggers (and the
    # foreign keys' checks) aside for the cleaning, as the application's role never can.
    with db.atomic():
        db.execute_sql("SET LOCAL session_replication_role = replica")
        for table in written:
            db.execute_sql(f'DELETE FROM "{table}"')
        for schema, sequence in used:
            db.execute_sql(f'ALTER SEQUENCE "{schema}"."{sequence}" RESTART')


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A migrated, empty database of each kind in turn."""
    if request.param == "sqlite":
        path = tmp_path / "intranet.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def app(database_url):
    """The application on a fresh database.

    No application context stays pushed during the test: requests must get
    their own, as in production (``g`` would otherwise leak between them).
    Models work without one; peewee connects on first use.
    """
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    yield app
    db.connect(reuse_if_open=True)
    if db.in_transaction():
        db.rollback()
    if database_url.startswith("postgresql"):
        _empty_postgres()
    db.close()
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()  # the pool's connections, which the next test's app does not use
    # A new database may repeat an old one's ids and counts: nothing kept carries over.
    cache.forget()


@pytest.fixture
def app_context(app):
    """An application context for code that reads the app's settings outside a request,
    as the command line has one (a bank file is checked against the unit's accounts)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.set_clock(None)
    # Each test's database counts its writes from nothing, so two tests' counts can agree:
    # nothing kept by one (a live server's too) may serve the next.
    cache.forget()


@pytest.fixture
def make_landlord(app):
    """Create a landlord organisation."""
    from intranet.models import Landlord

    def make(name="Hyresbolaget AB"):
        return Landlord.create(name=name)

    return make


@pytest.fixture
def make_user(app, make_landlord):
    """Create a user of a role, with the test password; a role that requires a second
    factor gets one set up (``totp_secret=None`` leaves it out)."""
    from intranet.auth.passwords import hash_password
    from intranet.models import Role, User

    counter = {"n": 0}

    def make(role="staff", email=None, password=PASSWORD, active=True, **fields):
        counter["n"] += 1
        if role == Role.LANDLORD and "landlord" not in fields:
            fields["landlord"] = make_landlord(f"Hyresvärd {counter['n']} AB")
        if role in app.config["TWO_FACTOR_REQUIRED_ROLES"] and "totp_secret" not in fields:
            fields = {**two_factor_fields(), **fields}
        with app.app_context():
            password_hash = hash_password(password)
        return User.create(
            email=email or f"{role}{counter['n']}@example.org",
            display_name=fields.pop("display_name", f"{role.title()} {counter['n']}"),
            role=role,
            active=active,
            password_hash=password_hash,
            **fields,
        )

    return make


def two_factor_fields() -> dict:
    """A second factor already set up, with a secret of its own."""
    return {"totp_secret": pyotp.random_base32(), "totp_enrolled_at": clock.now()}


def totp_code(user_or_email) -> str:
    """The code the person's app shows, for a time step the server has not accepted yet.

    A person who logs in twice within 30 seconds waits for the next code; the tests'
    clock often stands still, so this takes the next step the server still accepts.
    """
    from intranet.models import User

    user = User.by_email(getattr(user_or_email, "email", user_or_email))
    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(clock.aware(clock.now()))
    last = now - 1 if user.totp_last_step is None else user.totp_last_step
    step = max(now, last + 1)
    assert step <= now + 1, f"{user.email}: no unused code left at {clock.now()}"
    return totp.generate_otp(step)


CSRF_PATTERN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client, url="/login") -> str:
    """Fetch ``url`` and read the CSRF token its form carries."""
    response = client.get(url)
    match = CSRF_PATTERN.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({response.status_code})"
    return match.group(1)


def login(client, user_or_email, password=PASSWORD, next_url=None, **headers):
    """Log in through the form, as a person would, with the app's code when it is asked."""
    email = getattr(user_or_email, "email", user_or_email)
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/login")}
    if next_url is not None:
        data["next"] = next_url
    response = client.post("/login", data=data, headers=headers)
    if response.status_code == 303 and response.headers["Location"] == "/login/code":
        data = {"code": totp_code(email), "csrf_token": csrf_token(client, "/login/code")}
        response = client.post("/login/code", data=data, headers=headers)
    return response


def pay_on_board(client, charge, headers=None, key="k1", **fields):
    """Register a payment on a board row, as its form does (6 200 kr by Swish on 4 March
    unless ``fields`` say otherwise)."""
    token = csrf_token(client, "/rent/")
    data = {
        "csrf_token": token,
        "paid_on": "2027-03-04",
        "amount": "6200",
        "method": "swish",
        "request_key": key,
        **fields,
    }
    return client.post(f"/rent/charges/{charge.id}/payments", data=data, headers=headers or {})


def post_form(client, url, data, form_url=None, **kwargs):
    """POST ``data`` to ``url`` with the CSRF token of the page at ``form_url``."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


# ---- the browser -------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig):
    """Playwright drives Debian's Chromium; it cannot download its own here."""
    return {
        "headless": not pytestconfig.getoption("--headed"),
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args():
    """A browser set up as the unit's staff have theirs: Swedish, Stockholm time."""
    return {"locale": "sv-SE", "timezone_id": "Europe/Stockholm"}


@pytest.fixture(scope="session")
def base_url():
    """Tests name whole URLs from ``live_server``; this replaces pytest-base-url's fixture,
    whose class-bound definition pytest 9 warns about."""
    return None


@pytest.fixture
def live_server(tmp_path, sqlite_template):
    """The application served on a free local port, on its own SQLite file."""
    yield from serve_copy(sqlite_template, tmp_path / "live.sqlite3")


@dataclass
class LiveServer:
    """A running test server: its address, and the application behind it (for setting up
    data in its database)."""

    url: str
    port: int
    app: Flask


def serve_copy(database: Path, path: Path):
    """Serve the application on a free local port, on a copy of the SQLite file ``database``
    at ``path``, until the generator is closed."""
    shutil.copy(database, path)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    server = make_server("127.0.0.1", 0, whole_answers(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", server.server_port, app)
    finally:
        server.shutdown()
        thread.join()
        # Also waits for the requests still being answered, so none of them runs on
        # into the next test (which points the database at another file).
        server.server_close()


def whole_answers(app):
    """``app`` with each answer read whole, and closed, before its first byte is sent.

    Werkzeug's development server drains the request after answering and closes the
    answer last; when the browser has reset the connection (it left the page while the
    favicon or a style sheet was on its way) the drain raises first, and the file being
    sent stays open until the garbage collector finds it, in whichever test runs then.
    An answer read into memory has closed its file before anything can go wrong.
    """

    def serve(environ, start_response):
        answer = app(environ, start_response)
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        return [body]

    return serve


@pytest.fixture
def make_pipeline_landlord(app):
    """Create a landlord in a stage, with its first step in the history."""
    from intranet.landlords.services import create_landlord

    counter = {"n": 0}

    def make(stage="identified", actor=None, **values):
        counter["n"] += 1
        values.setdefault("name", f"Fastighets AB {counter['n']}")
        return create_landlord(actor, stage=stage, **values)

    return make


@pytest.fixture
def make_live_user(live_server):
    """Create a user in the live server's database."""
    from intranet.auth.passwords import hash_password
    from intranet.models import User

    def make(role="staff", email=None, display_name="Johan Berg", **fields):
        required = live_server.app.config["TWO_FACTOR_REQUIRED_ROLES"]
        if role in required and "totp_secret" not in fields:
            fields = {**two_factor_fields(), **fields}
        with live_server.app.app_context():
            return User.create(
                email=email or f"{role}@example.org",
                display_name=display_name,
                role=role,
                password_hash=hash_password(PASSWORD),
                **fields,
            )

    return make


def browser_login(page, live_server, user, password=PASSWORD):
    """Log in through the login page in Swedish, as a person would, with the app's code
    when the user has a second factor."""
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    if getattr(user, "totp_secret", None):
        page.wait_for_url("**/login/code")
        page.get_by_label("Kod").fill(totp_code(user))
        page.get_by_role("button", name="Logga in").click()


# ---- rent ------------------------------------------------------------------------


@pytest.fixture
def rent_world(app, make_user, make_landlord):
    clock.set_clock(dt.date(2027, 3, 5))
    staff = make_user("staff", display_name="Johan Berg")
    landlord = make_landlord()
    commissioner = Commissioner.create(name="Socialtjänsten")
    counter = {"n": 0}

    def resident(name="Sara", rent=6200, start=dt.date(2027, 1, 1)):
        counter["n"] += 1
        return add_resident(
            landlord, commissioner, staff, name, rent, start, address=f"Gatan {counter['n']}"
        )

    return staff, resident


@pytest.fixture
def rent_client(client, rent_world):
    login(client, rent_world[0])
    return client

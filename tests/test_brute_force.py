"""A brute-force attack on one account, from two server processes sharing one database.

Two gunicorn servers (a worker with eight threads each) serve the same SQLite file, or the
same PostgreSQL database. A hundred wrong passwords for one account are posted at once,
alternating between the servers. From one address, the account locks for that address
after the limit per account and address; from many addresses, it locks for everyone at the
ceiling per account. No more attempts than the limit are ever checked against the password
(no race margin: an attempt is counted before its password is checked). While the lock
lasts, the right password is refused too.
"""

import concurrent.futures
import http.cookiejar
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import TEST_CONFIG, _migrate
from pytest_postgresql.janitor import DatabaseJanitor

from intranet import create_app
from intranet.auth.settings import DEFAULTS
from intranet.extensions import db
from intranet.models import LoginThrottle

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from ports import listening_socket  # noqa: E402

pytestmark = pytest.mark.servers

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
EMAIL = "target@example.org"
PASSWORD = "the right password, at last"
ATTEMPTS = 100
# argon2id slow enough (tens of milliseconds) that attempts overlap while they are checked;
# behind one proxy, so that an attempt may come from any address it names.
CONFIG = {
    **TEST_CONFIG,
    "TESTING": False,
    "SECRET_KEY": "brute-force",
    "ARGON2_TIME_COST": 2,
    "ARGON2_MEMORY_COST": 19456,
    "PROXY_COUNT": 1,
}
LIMIT = DEFAULTS["LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT"]
CEILING = DEFAULTS["LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES"]
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """A migrated database of each kind holding the one account under attack."""
    janitor = None
    if request.param == "sqlite":
        path = tmp_path / "brute.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        server = request.getfixturevalue("pg_server")
        janitor = DatabaseJanitor(
            user=server["user"],
            host=server["host"],
            port=server["port"],
            password=server["password"],
            dbname="intranet_brute",
        )
        janitor.init()
        password = f":{server['password']}" if server["password"] else ""
        url = f"postgresql://{server['user']}{password}@{server['host']}:{server['port']}"
        url += "/intranet_brute"
        _migrate(url)
    _add_account(url)
    yield url
    if janitor:
        janitor.drop()


def _add_account(url: str) -> None:
    from intranet.auth.passwords import hash_password
    from intranet.models import User

    app = create_app({**CONFIG, "DATABASE_URL": url})
    with app.app_context():
        User.create(
            email=EMAIL,
            display_name="Målet",
            role="staff",
            password_hash=hash_password(PASSWORD),
        )
    db.close()


@pytest.fixture
def two_servers(database):
    """Two gunicorn processes on the same database; yields their base URLs."""
    factory = f"intranet:create_app({ ({**CONFIG, 'DATABASE_URL': database})!r})"
    # Each server inherits a socket already listening: no other process can take its port.
    sockets = [listening_socket(), listening_socket()]
    servers = [
        subprocess.Popen(
            [str(GUNICORN), "--workers", "1", "--threads", "8", "--graceful-timeout", "5"]
            + ["--bind", f"fd://{sock.fileno()}", factory],
            cwd=ROOT,
            pass_fds=(sock.fileno(),),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for sock in sockets
    ]
    try:
        urls = [f"http://127.0.0.1:{sock.getsockname()[1]}" for sock in sockets]
        for url in urls:
            _wait_until_up(url)
        yield urls
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        for sock in sockets:
            sock.close()


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _login_form(url: str):
    """A browser of its own that has opened the login page: (opener, CSRF token)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
    )
    with opener.open(f"{url}/login", timeout=30) as response:
        return opener, CSRF.search(response.read().decode()).group(1)


def _attempt(url: str, opener, token: str, password: str, address: str = "") -> int:
    """Post the login form (from ``address``, as the proxy says, if given); return the
    status."""
    body = urllib.parse.urlencode({"email": EMAIL, "password": password, "csrf_token": token})
    request = urllib.request.Request(f"{url}/login", data=body.encode())
    if address:
        request.add_header("X-Forwarded-For", address)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _failures(url: str) -> int:
    create_app({**CONFIG, "DATABASE_URL": url})
    row = LoginThrottle.get_or_none(LoginThrottle.key == f"account:{EMAIL}")
    db.close()
    return row.failures if row else 0


def test_a_hundred_parallel_wrong_passwords_check_no_more_than_the_limit(database, two_servers):
    forms = [_login_form(two_servers[n % 2]) for n in range(ATTEMPTS)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(
            pool.map(
                lambda n: _attempt(two_servers[n % 2], *forms[n], f"wrong guess {n}"),
                range(ATTEMPTS),
            )
        )
    # 422 says "wrong email or password"; 429 says "locked" (the attempt that reached the
    # limit also answers 429, with the time the lock ends).
    assert set(statuses) <= {422, 429}, statuses
    assert statuses.count(422) <= LIMIT - 1, statuses
    assert statuses.count(429) >= ATTEMPTS - LIMIT + 1
    # Every attempt checked against the password was counted; the locked ones were not.
    assert _failures(database) == LIMIT
    # The right password, from either server, is refused while the lock lasts.
    for url in two_servers:
        assert _attempt(url, *_login_form(url), PASSWORD) == 429


def test_a_hundred_parallel_wrong_passwords_from_many_addresses_stop_at_the_ceiling(
    database, two_servers
):
    # Four from each of 25 addresses: no address reaches its own limits, the account does.
    addresses = [f"203.0.113.{n // 4}" for n in range(ATTEMPTS)]
    forms = [_login_form(two_servers[n % 2]) for n in range(ATTEMPTS)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(
            pool.map(
                lambda n: _attempt(two_servers[n % 2], *forms[n], f"wrong guess {n}", addresses[n]),
                range(ATTEMPTS),
            )
        )
    assert set(statuses) <= {422, 429}, statuses
    assert statuses.count(422) <= CEILING - 1, statuses
    assert statuses.count(429) >= ATTEMPTS - CEILING + 1
    assert _failures(database) == CEILING
    # Locked for everyone now, from an address that never failed too.
    for url in two_servers:
        assert _attempt(url, *_login_form(url), PASSWORD, "192.0.2.10") == 429

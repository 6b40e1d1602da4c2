"""Connections kept from one request to the next (``intranet/database.py``): a request
takes one from its process's pool and gives it back, on SQLite as on PostgreSQL."""

import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from conftest import PASSWORD, login

from intranet.extensions import db

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def _log_in(opener, url: str, email: str) -> None:
    form = opener.open(f"{url}/login").read().decode()
    data = {"email": email, "password": PASSWORD, "csrf_token": TOKEN.search(form).group(1)}
    opener.open(f"{url}/login", urllib.parse.urlencode(data).encode()).read()


def test_the_same_connection_serves_the_next_request(app, client, make_user):
    login(client, make_user("staff"))
    assert client.get("/").status_code == 200
    idle = [id(entry[-1]) for entry in db.obj._connections]
    assert len(idle) == 1
    assert client.get("/residents/").status_code == 200
    assert [id(entry[-1]) for entry in db.obj._connections] == idle


def test_a_threaded_server_lends_a_connection_from_one_thread_to_another(
    live_server, make_live_user
):
    """The development server answers each request in a thread of its own: a connection
    another thread opened and gave back must serve it (SQLite's driver refuses that unless
    told the pool lends each connection to one thread at a time)."""
    user = make_live_user("staff", email="personal@example.org")
    people = [_opener() for _ in range(4)]
    for opener in people:
        _log_in(opener, live_server.url, user.email)
    failures = []

    def read_pages(opener):
        for path in ("/", "/residents/", "/rent/", "/referrals/"):
            try:
                with opener.open(f"{live_server.url}{path}") as answer:
                    if answer.status != 200 or answer.url.endswith("/login"):
                        failures.append((path, answer.status, answer.url))
            except Exception as error:  # noqa: BLE001 - every failure is reported below
                failures.append((path, repr(error)))

    threads = [threading.Thread(target=read_pages, args=(o,)) for o in people for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_making_the_app_opens_no_connection(database_url):
    """gunicorn makes the app once and then forks its workers (``preload_app``): a
    connection open before the fork would be shared by every worker, which neither SQLite
    nor PostgreSQL allows. Making the app opens none; each worker opens its own."""
    from conftest import TEST_CONFIG

    from intranet import create_app

    create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    assert db.is_closed()
    assert not db.obj._connections and not db.obj._in_use

"""What one server does holds on another: two gunicorn processes on one PostgreSQL (the
path for several app servers) share a log-in and its end, the second factor's spent codes
and the opening of a month, because each lives in the signed cookie and the database, not
in a worker's memory. (The log-in throttle across two servers is in ``test_brute_force``,
results kept between requests in ``test_cache_across_servers``.)"""

import datetime as dt
import threading
import urllib.error
import urllib.parse
import urllib.request

import pyotp
import pytest
from test_brute_force import (  # noqa: F401 - the fixtures
    CONFIG,
    CSRF,
    EMAIL,
    PASSWORD,
    _login_form,
    database,
    two_servers,
)

from intranet import clock, create_app
from intranet.extensions import db

pytestmark = [pytest.mark.servers, pytest.mark.parametrize("database", ["postgres"], indirect=True)]


def _in_database(url: str, work):
    """Run ``work()`` in a process of its own against the database at ``url``."""
    app = create_app({**CONFIG, "DATABASE_URL": url})
    with app.test_request_context():
        result = work()
    db.close()
    return result


def _post(opener, url: str, fields: dict) -> tuple[int, str]:
    """Post a form; (status, where it sends the browser or the page)."""
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode())
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("Location") or answer.read().decode()


def _get(opener, url: str) -> tuple[int, str]:
    try:
        with opener.open(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("Location") or ""


def _logged_in(url: str):
    """A browser of its own, logged in with the password on the server at ``url``."""
    opener, token = _login_form(url)
    status, _where = _post(
        opener, f"{url}/login", {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert status == 303, status
    return opener


def test_a_log_in_on_one_server_holds_on_the_other_and_its_end_ends_it_on_both(
    database,  # noqa: F811
    two_servers,  # noqa: F811
):
    first, second = two_servers
    browser = _logged_in(first)
    assert _get(browser, f"{second}/")[0] == 200  # the same session, read by the other server
    (cookie,) = [c for c in browser.handlers if hasattr(c, "cookiejar")][0].cookiejar
    kept = cookie.value
    _status, page = _get(browser, f"{second}/")
    token = CSRF.search(page).group(1)
    assert _post(browser, f"{first}/logout", {"csrf_token": token})[0] == 303
    # The cookie as it was before logging out, shown to the other server: the session ended.
    replay, _token = _login_form(second)
    jar = [c for c in replay.handlers if hasattr(c, "cookiejar")][0].cookiejar
    (fresh,) = jar
    fresh.value = kept
    status, where = _get(replay, f"{second}/")
    assert status in (302, 303) and "/login" in where


def test_a_second_factor_code_spent_on_one_server_is_refused_on_the_other(
    database,  # noqa: F811
    two_servers,  # noqa: F811
):
    from intranet.models import User

    secret = pyotp.random_base32()
    _in_database(
        database,
        lambda: (
            User.update(totp_secret=secret, totp_enrolled_at=clock.now())
            .where(User.email == EMAIL)
            .execute()
        ),
    )
    code = pyotp.TOTP(secret).now()
    answers = []
    for url in two_servers:
        opener, token = _login_form(url)
        status, where = _post(
            opener, f"{url}/login", {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
        )
        assert status == 303 and where.endswith("/login/code"), (status, where)
        _status, page = _get(opener, f"{url}/login/code")
        token = CSRF.search(page).group(1)
        answers.append(_post(opener, f"{url}/login/code", {"code": code, "csrf_token": token}))
    assert answers[0][0] == 303  # logged in on the first server
    assert answers[1][0] == 422 and "redan använd" in answers[1][1]


def test_two_servers_opening_a_month_at_once_charge_each_resident_once(
    database,  # noqa: F811
    two_servers,  # noqa: F811
):
    from helpers import add_resident

    from intranet.models import Commissioner, Landlord, RentCharge, User

    today = clock.today()
    # Next month: the board opens it early for the rent notices; no log-in opens it.
    month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)

    def residents():
        staff = User.get(User.email == EMAIL)
        landlord = Landlord.create(name="Hus AB", stage="agreement_signed")
        commissioner = Commissioner.create(name="Socialtjänsten")
        start = (today - dt.timedelta(days=40)).replace(day=1)
        for name in ("Anna", "Bert", "Cecilia"):
            add_resident(landlord, commissioner, staff, name, start=start)

    _in_database(database, residents)
    count = lambda: RentCharge.select().where(RentCharge.month == month).count()  # noqa: E731
    people = []
    for url in two_servers * 3:
        browser = _logged_in(url)
        _status, page = _get(browser, f"{url}/rent/?month={month:%Y-%m}")
        people.append((browser, url, CSRF.search(page).group(1)))
    assert _in_database(database, count) == 0
    statuses = []

    def open_month(browser, url, token):
        action = f"{url}/rent/months/{month:%Y-%m}/open"
        statuses.append(_post(browser, action, {"csrf_token": token})[0])

    # "Open the month now", pressed by six people on both servers at once.
    threads = [threading.Thread(target=open_month, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * len(people)
    assert _in_database(database, count) == 3

"""A result kept between requests (the funnel, ``intranet/cache.py``) is never stale on
another server: two gunicorn processes on one database each keep the funnel, a third
process moves landlords in the database, and both servers show the move at once."""

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from test_brute_force import (  # noqa: F401 - the fixtures
    CONFIG,
    EMAIL,
    PASSWORD,
    _login_form,
    database,
    two_servers,
)

from intranet import create_app
from intranet.extensions import db

pytestmark = pytest.mark.servers

IDENTIFIED = re.compile(r'<th scope="row">Identified</th><td>(\d+)</td>')


def _logged_in(url):
    """A browser of its own, logged in on the server at ``url``."""
    opener, token = _login_form(url)
    body = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    try:
        opener.open(urllib.request.Request(f"{url}/login", data=body.encode()), timeout=60)
    except urllib.error.HTTPError as answer:  # the redirect after logging in
        assert answer.code == 303, answer.code
    return opener


def _identified(opener, url) -> int:
    """The funnel's count of landlords in the first stage, as the server shows it."""
    request = urllib.request.Request(f"{url}/landlords/funnel", headers={"Accept-Language": "en"})
    with opener.open(request, timeout=60) as response:
        return int(IDENTIFIED.search(response.read().decode()).group(1))


def _add_landlords(url: str, count: int) -> None:
    """Landlords found by the unit, written by a process of its own."""
    from intranet.landlords.services import create_landlord
    from intranet.models import User

    app = create_app({**CONFIG, "DATABASE_URL": url})
    with app.test_request_context():
        actor = User.get(User.email == EMAIL)
        for number in range(count):
            create_landlord(actor, name=f"Ny hyresvärd {number}")
    db.close()


def test_the_funnel_kept_by_two_servers_shows_a_change_made_elsewhere(database, two_servers):  # noqa: F811
    first, second = two_servers
    people = [_logged_in(first), _logged_in(second)]
    before = [_identified(person, url) for person, url in zip(people, two_servers, strict=True)]
    # Asked again, each server answers from what it keeps.
    assert [_identified(p, u) for p, u in zip(people, two_servers, strict=True)] == before
    _add_landlords(database, 3)
    after = [_identified(p, u) for p, u in zip(people, two_servers, strict=True)]
    assert after == [count + 3 for count in before]

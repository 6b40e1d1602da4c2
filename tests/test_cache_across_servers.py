"""A result kept between requests (``intranet/cache.py``) is never stale on another server:
two gunicorn processes on one database each keep the funnel and the waiting referrals that
the matching page ranks and a start page's blocks, a third process changes the database,
and both servers show the change at once."""

import re
import urllib.error
import urllib.parse
import urllib.request

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


def _ranking(opener, url, flat_id) -> list[str]:
    """The names of a flat's ranking, best first, as the server shows it."""
    request = urllib.request.Request(f"{url}/matching/?flat={flat_id}")
    with opener.open(request, timeout=60) as response:
        page = response.read().decode()
    ranking = page.split('id="ranking"', 1)[1]
    return [name for name in re.findall(r"(Anna|Bert) Ek", ranking)]


def _waiting_people(url: str) -> int:
    """A ready flat and two eligible people waiting for it, Anna longest; the flat's id."""
    import datetime as dt

    from helpers import add_flat, add_person

    from intranet.models import Commissioner, Landlord

    app = create_app({**CONFIG, "DATABASE_URL": url})
    with app.test_request_context():
        landlord = Landlord.create(name="Hus AB", stage="agreement_signed")
        commissioner = Commissioner.create(name="Socialtjänsten")
        flat = add_flat(landlord, "Gatan 1", district="Farsta", ready_since=dt.date(2026, 1, 1))
        facts = {
            "status": "waiting",
            "drug_free_since": dt.date(2020, 1, 1),
            "occupation_percent": 100,
        }
        add_person(commissioner, "Anna", received_on=dt.date(2025, 1, 1), **facts)
        add_person(commissioner, "Bert", received_on=dt.date(2025, 6, 1), **facts)
        flat_id = flat.id
    db.close()
    return flat_id


def _keep_anna_out_of(url: str, district: str) -> None:
    """Anna must not live in ``district``: her referral edited by a process of its own."""
    from intranet.models import Referral, User
    from intranet.referrals.services import update_referral

    app = create_app({**CONFIG, "DATABASE_URL": url})
    with app.test_request_context():
        anna = Referral.get(Referral.first_name == "Anna")
        actor = User.get(User.email == EMAIL)
        update_referral(anna.id, anna.revision, actor, excluded_districts=district)
    db.close()


def _move_flat(url: str, flat_id: int, district: str) -> None:
    """The flat's district changed through the flats' service, by a process of its own."""
    from intranet.flats.services import update_flat
    from intranet.models import Flat

    app = create_app({**CONFIG, "DATABASE_URL": url})
    with app.test_request_context():
        flat = Flat.get_by_id(flat_id)
        update_flat(flat_id, flat.revision, district=district)
    db.close()


def test_the_rankings_kept_by_two_servers_show_a_referral_and_a_flat_changed_elsewhere(
    database,  # noqa: F811
    two_servers,  # noqa: F811
):
    flat_id = _waiting_people(database)
    people = [_logged_in(url) for url in two_servers]
    pairs = list(zip(people, two_servers, strict=True))
    assert [_ranking(p, u, flat_id) for p, u in pairs] == [["Anna", "Bert"]] * 2
    # Asked again, each server ranks from the waiting list it keeps.
    assert [_ranking(p, u, flat_id) for p, u in pairs] == [["Anna", "Bert"]] * 2
    _keep_anna_out_of(database, "Farsta")
    # Anna now fails a rule for this flat, so she is ranked after Bert on both servers.
    assert [_ranking(p, u, flat_id) for p, u in pairs] == [["Bert", "Anna"]] * 2
    _move_flat(database, flat_id, "Årsta")
    # The flat is now in a district Anna may live in: first again, on both servers.
    assert [_ranking(p, u, flat_id) for p, u in pairs] == [["Anna", "Bert"]] * 2


MY_REFERRALS = re.compile(r'id="block-my-referrals-heading">[^<]*<span class="block-count">(\d+)<')


def _my_referrals(opener, url) -> int:
    """The count in the start page's block of referrals the person is responsible for."""
    with opener.open(urllib.request.Request(f"{url}/"), timeout=60) as response:
        return int(MY_REFERRALS.search(response.read().decode()).group(1))


def _give_referrals(url: str, count: int) -> list[int]:
    """Referrals made the person's own, by a process of its own; their ids."""
    import datetime as dt

    from helpers import add_person

    from intranet.models import Commissioner, User

    app = create_app({**CONFIG, "DATABASE_URL": url})
    with app.test_request_context():
        person = User.get(User.email == EMAIL)
        commissioner = Commissioner.create(name="Socialtjänsten")
        ids = [
            add_person(
                commissioner,
                f"Person{number}",
                received_on=dt.date(2026, 1, 1),
                status="waiting",
                responsible=person,
            ).id
            for number in range(count)
        ]
    db.close()
    return ids


def _withdraw(opener, url: str, referral_id: int) -> None:
    """The person withdraws a referral through the server at ``url``, as in a browser."""
    with opener.open(f"{url}/referrals/{referral_id}", timeout=60) as response:
        token = CSRF.search(response.read().decode()).group(1)
    form = {
        "csrf_token": token,
        "from_status": "waiting",
        "to_status": "withdrawn",
        "reason": "Har fått eget boende",
    }
    request = urllib.request.Request(
        f"{url}/referrals/{referral_id}/status", data=urllib.parse.urlencode(form).encode()
    )
    try:
        opener.open(request, timeout=60)
    except urllib.error.HTTPError as answer:  # the redirect after the change
        assert answer.code == 303, answer.code


def test_a_start_page_kept_by_two_servers_shows_a_change_made_elsewhere(database, two_servers):  # noqa: F811
    people = [_logged_in(url) for url in two_servers]
    pairs = list(zip(people, two_servers, strict=True))
    assert [_my_referrals(p, u) for p, u in pairs] == [0, 0]
    assert [_my_referrals(p, u) for p, u in pairs] == [0, 0]  # now from what each keeps
    first, _second = _give_referrals(database, 2)
    assert [_my_referrals(p, u) for p, u in pairs] == [2, 2]
    # A change through one server shows on the other at once.
    _withdraw(people[0], two_servers[0], first)
    assert [_my_referrals(p, u) for p, u in pairs] == [1, 1]

"""Every state-changing address refuses a form without its token or with a wrong one, and
changes nothing; a form posted from another site in a real browser is refused."""

import pytest
from conftest import login
from security_world import ACTOR_ROLES, build, rules_of, snapshot, urls
from test_security_matrix import ALLOWED, EVERYONE

from intranet.models import Role

ACTOR_OF_ROLE = {
    Role.ADMIN: Role.ADMIN,
    Role.MANAGER: Role.MANAGER,
    Role.STAFF: "contact",
    Role.CARETAKER: Role.CARETAKER,
    Role.LANDLORD: "landlord",
}


@pytest.fixture
def world(app, make_user, make_landlord):
    with app.app_context():
        return build(make_user, make_landlord)


def _actor(endpoint: str) -> str:
    """Someone the address lets in, so that only the token can stop the form."""
    allowed = ALLOWED[endpoint]
    if allowed == EVERYONE:
        return Role.MANAGER
    return next(ACTOR_OF_ROLE[role] for role in (Role.MANAGER, *sorted(allowed)) if role in allowed)


@pytest.mark.parametrize("token", [None, "", "not-a-token", "IjAwMDAi.aaaa.bbbb"])
def test_a_form_without_its_token_is_refused_and_changes_nothing(app, world, token):
    clients = {}
    for actor in {_actor(rule.endpoint) for rule in rules_of(app) if "POST" in rule.methods}:
        clients[actor] = app.test_client()
        login(clients[actor], world.users[actor])
    posts = [
        (rule.endpoint, url)
        for rule in rules_of(app)
        if "POST" in rule.methods
        for _variant, url in urls(app, world, rule)
    ]
    assert len(posts) > 40
    before = snapshot()
    wrong = []
    for endpoint, url in posts:
        actor = _actor(endpoint)
        data = {"name": "Nytt namn", "text": "Hej", "amount": "100"}
        if token is not None:
            data["csrf_token"] = token
        response = clients[actor].post(url, data=data)
        if response.status_code != 400:
            wrong.append((url, actor, ACTOR_ROLES.get(actor, actor), response.status_code))
    assert not wrong, "\n".join(map(str, wrong))
    assert snapshot() == before


@pytest.mark.browser
@pytest.mark.parametrize("with_token", [False, True])
def test_a_form_posted_from_another_site_is_refused(page, live_server, make_live_user, with_token):
    from conftest import browser_login

    from intranet.models import Commissioner

    user = make_live_user("staff")
    browser_login(page, live_server, user)
    page.wait_for_url(f"{live_server.url}/")
    # The other site may even have read a token once: it belongs to another session.
    token = '<input name="csrf_token" value="IjAwMDAi.aaaa.bbbb">' if with_token else ""
    attack = (
        f'<form id="f" method="post" action="{live_server.url}/referrals/commissioners">'
        f'<input name="name" value="Angriparen">{token}</form>'
        "<script>document.getElementById('f').submit()</script>"
    )
    page.route(
        "http://other-site.test/**",
        lambda route: route.fulfill(body=attack, content_type="text/html"),
    )
    with page.expect_response(f"{live_server.url}/referrals/commissioners") as answer:
        page.goto("http://other-site.test/")
    assert answer.value.status == 400
    with live_server.app.app_context():
        assert not Commissioner.select().where(Commissioner.name == "Angriparen").exists()
    # The person's own session goes on.
    page.goto(f"{live_server.url}/referrals/commissioners")
    assert page.url == f"{live_server.url}/referrals/commissioners"

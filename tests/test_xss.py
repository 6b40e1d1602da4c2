"""Text people type is kept as typed and shown as text: a script or a broken-out attribute
in any free-text field never runs, on any page, in a real browser either."""

import pytest
from conftest import PASSWORD, browser_login, csrf_token, login
from security_world import ATTRIBUTE, SCRIPT, build, fill_with_attacks, rules_of, urls

from intranet.models import Case, CaseReply, Commissioner, Role

ACTORS = (Role.MANAGER, "contact", Role.CARETAKER, Role.ADMIN, "landlord")


def _pages(app, world):
    return sorted(
        {
            url
            for rule in rules_of(app)
            if "GET" in rule.methods and "fmt" not in rule.arguments
            for _variant, url in urls(app, world, rule)
            if not url.endswith((".xlsx", ".csv"))
        }
    )


@pytest.mark.parametrize("text", [SCRIPT, ATTRIBUTE])
def test_typed_text_is_stored_as_typed(client, make_user, make_landlord, text):
    from helpers import add_flat

    login(client, make_user(Role.STAFF))
    token = csrf_token(client, "/referrals/commissioners")
    client.post(
        "/referrals/commissioners",
        data={"csrf_token": token, "name": text, "kind": "social_services"},
    )
    assert Commissioner.get().name == text
    flat = add_flat(make_landlord(), "Gatan 1", status="ready")
    response = client.post(
        f"/flats/{flat.id}/cases/new", data={"csrf_token": token, "kind": "fault", "text": text}
    )
    assert response.status_code == 303
    case = Case.get()
    assert case.text == text
    client.post(f"/cases/{case.id}/reply", data={"csrf_token": token, "text": text})
    assert CaseReply.get().text == text


@pytest.mark.page_reading
def test_no_page_shows_typed_markup_as_markup(app, make_user, make_landlord):
    with app.app_context():
        world = build(make_user, make_landlord)
        fill_with_attacks()
    unescaped, escaped = [], 0
    for actor in ACTORS:
        client = app.test_client()
        login(client, world.users[actor])
        for url in _pages(app, world):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                if response.mimetype != "text/html":
                    continue
                text = response.get_data(as_text=True)
                escaped += text.count("&lt;script&gt;alert(1)&lt;/script&gt;")
                if SCRIPT in text or "<img src=x" in text:
                    unescaped.append((actor, url, bool(headers)))
    assert not unescaped, "\n".join(map(str, unescaped))
    assert escaped > 100  # the attacks are shown, as text


@pytest.mark.browser
def test_no_dialog_opens_on_any_page_in_a_browser(page, live_server):
    from intranet.auth.passwords import hash_password
    from intranet.models import Landlord, User

    counter = {"n": 0}

    def make_landlord(name="Hyresvärd AB"):
        return Landlord.create(name=name)

    def make_user(role="staff", **fields):
        counter["n"] += 1
        return User.create(
            email=f"{role}{counter['n']}@example.org",
            display_name=fields.pop("display_name", f"{role} {counter['n']}"),
            role=role,
            password_hash=hash_password(PASSWORD),
            **fields,
        )

    app = live_server.app
    with app.app_context():
        world = build(make_user, make_landlord)
        fill_with_attacks()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(page.url), dialog.dismiss()))
    for actor in ("contact", Role.CARETAKER, "landlord"):
        # Leave the last page first: a request it still makes could bring the cookie back.
        page.goto("about:blank")
        page.context.clear_cookies()
        browser_login(page, live_server, world.users[actor])
        page.wait_for_load_state()
        for url in _pages(app, world):
            if "/logout" in url:
                continue
            page.goto(f"{live_server.url}{url}")
    assert dialogs == []
    page.goto("about:blank")
    page.set_content(f"<body>{SCRIPT}</body>")  # the watch itself does see a dialog
    assert dialogs == ["about:blank"]

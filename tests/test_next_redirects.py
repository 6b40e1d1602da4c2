"""After logging in, and after switching language, the intranet goes back only to a path
on this site: never to another site, however the address is written."""

import re
import shutil
from urllib.parse import quote

import pyotp
import pytest
from conftest import PASSWORD, csrf_token, login, post_form, totp_code

from intranet import clock
from intranet.auth import enrolment
from intranet.security import local_path

# What an attacker puts in ?next=, as the outside test did (written as in the address).
HOSTILE = [
    "//evil.example",
    "/%09/evil.example",
    "/\\evil.example",
    "https://evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%5C/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "/\u3000/evil.example",
    "HTTPS://evil.example",
    "///evil.example",
    "/%252F%252Fevil.example",
]
LOCAL = ["/admin/users", "/rent/?month=2027-03", "/referrals/?responsible=3&show=open"]
HIDDEN_NEXT = re.compile(r'name="next" type="hidden" value="([^"]*)"')


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """Where to go next is decided before any database is asked: SQLite is enough."""
    path = tmp_path / "intranet.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _went_home(response):
    location = response.headers["Location"]
    assert location == "/", location


@pytest.mark.parametrize("target", HOSTILE)
def test_the_helper_refuses_every_way_to_another_site(target):
    assert local_path(target) is None
    assert local_path(quote(target, safe="")) is None


@pytest.mark.parametrize("target", [*LOCAL, "/", "/referrals/?q=Sara%20Ek", "/flats/12#top"])
def test_the_helper_keeps_a_path_on_this_site(target):
    assert local_path(target) == target


@pytest.mark.parametrize("target", [None, "", 12, "x" * 2001, "/" + "a" * 2000])
def test_the_helper_refuses_what_is_no_path(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", HOSTILE)
def test_the_password_step_goes_only_to_this_site(client, make_user, target):
    user = make_user("staff")
    _went_home(login(client, user, next_url=target))


@pytest.mark.parametrize("target", HOSTILE)
def test_a_next_in_the_login_address_goes_only_to_this_site(client, make_user, target):
    """The link an attacker sends: /login?next=..., carried by the login form."""
    user = make_user("staff")
    page = client.get(f"/login?next={quote(target, safe='/%:')}").get_data(as_text=True)
    carried = HIDDEN_NEXT.search(page).group(1)
    data = {"email": user.email, "password": PASSWORD, "next": carried}
    _went_home(post_form(client, "/login", data))


def test_the_outside_tests_address_is_refused_after_the_password(client, make_user):
    user = make_user("staff")
    page = client.get("/login?next=/%09/evil.example").get_data(as_text=True)
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    data["next"] = HIDDEN_NEXT.search(page).group(1).replace("&#9;", "\t")
    _went_home(client.post("/login", data=data))


@pytest.mark.parametrize("target", HOSTILE)
def test_the_second_factor_step_goes_only_to_this_site(client, make_user, target):
    user = make_user("manager")
    response = login(client, user, next_url=target)  # the code is given by the helper
    _went_home(response)


@pytest.mark.parametrize("target", HOSTILE)
def test_the_code_step_does_not_follow_a_next_planted_in_the_session(client, make_user, target):
    user = make_user("manager")
    post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        session["two_factor_pending"] = {**session["two_factor_pending"], "next": target}
    _went_home(post_form(client, "/login/code", {"code": totp_code(user)}))


@pytest.mark.parametrize("target", HOSTILE)
def test_setting_up_at_log_in_goes_on_only_to_this_site(app, client, make_user, target):
    clock.set_clock(clock.now())
    user = make_user("manager", totp_secret=None)
    with app.app_context():
        code = enrolment.new_code(None, user.id)[0]
    response = login(client, user, next_url=target)
    assert response.headers["Location"] == "/login/enrol"
    post_form(client, "/login/enrol", {"enrolment_code": code})
    page = client.get("/two-factor/set-up").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    answer = post_form(
        client, "/two-factor/set-up", {"code": pyotp.TOTP(secret).at(clock.aware(clock.now()))}
    )
    assert answer.status_code == 200
    assert re.search(r'<a role="button" href="/">', answer.get_data(as_text=True))
    assert "evil" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged in"])
@pytest.mark.parametrize("target", HOSTILE)
def test_the_language_switch_goes_only_to_this_site(client, make_user, target, logged_in):
    if logged_in:
        login(client, make_user("staff"))
    form = "/" if logged_in else "/login"
    data = {"language": "en", "next": target}
    _went_home(post_form(client, "/language", data, form_url=form))


@pytest.mark.parametrize("target", LOCAL)
def test_a_path_on_this_site_is_followed_everywhere(client, make_user, target):
    manager = make_user("manager")
    assert login(client, manager, next_url=target).headers["Location"] == target
    data = {"language": "en", "next": target}
    assert post_form(client, "/language", data, form_url="/").headers["Location"] == target


def test_the_page_asked_for_is_where_the_log_in_goes(client, make_user):
    user = make_user("staff")
    response = client.get("/rent/?month=2027-03")
    assert response.headers["Location"] == "/login?next=/rent/?month%3D2027-03"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    carried = HIDDEN_NEXT.search(page).group(1)
    data = {"email": user.email, "password": PASSWORD, "next": carried}
    assert post_form(client, "/login", data).headers["Location"] == "/rent/?month=2027-03"

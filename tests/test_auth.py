"""Logging in and out, throttling, sessions and passwords."""

import datetime as dt

import pytest
from conftest import PASSWORD, csrf_token, login, post_form

from intranet import clock
from intranet.auth.settings import DEFAULTS
from intranet.models import AuditEvent, LoginThrottle, User

PER_ADDRESS_AND_ACCOUNT = DEFAULTS["LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT"]
PER_ACCOUNT = DEFAULTS["LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES"]


def test_login_page_is_swedish_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "<h1>Logga in</h1>" in response.get_data(as_text=True)


def test_login_lands_on_the_start_page(client, make_user):
    user = make_user("staff", display_name="Johan Berg")
    response = login(client, user)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Välkommen, Johan Berg" in page.get_data(as_text=True)
    assert User.get_by_id(user.id).last_login_at is not None


def test_login_follows_a_local_next_only(client, make_user):
    user = make_user("admin")
    response = login(client, user, next_url="/admin/users")
    assert response.headers["Location"] == "/admin/users"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = login(client, user, next_url="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_email_is_matched_without_regard_to_case(client, make_user):
    user = make_user("staff", email="anna@example.org")
    assert login(client, " ANNA@Example.org ", PASSWORD).status_code == 303
    assert client.get("/").status_code == 200
    assert user.email == "anna@example.org"


@pytest.mark.parametrize("email", ["nobody@example.org", "staff1@example.org"])
def test_unknown_email_and_wrong_password_get_the_same_message(client, make_user, email):
    make_user("staff")
    response = login(client, email, "wrong password here")
    assert response.status_code == 422
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "password": "x"}, "Ange din e-postadress."),
        ({"email": "a@example.org", "password": ""}, "Ange ditt lösenord."),
        ({"email": "a" * 10_000, "password": "x"}, "Fältet får inte vara längre än 254 tecken."),
        (
            {"email": "a@example.org", "password": "p" * 10_000},
            "Fältet får inte vara längre än 128 tecken.",
        ),
    ],
)
def test_bad_login_input_gets_a_message_and_writes_nothing(client, data, message):
    response = post_form(client, "/login", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert LoginThrottle.select().count() == 0


def test_login_without_csrf_token_is_refused_with_a_message(client, make_user):
    user = make_user("staff")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Formuläret kunde inte verifieras" in response.get_data(as_text=True)
    assert User.get_by_id(user.id).last_login_at is None


def test_login_with_a_wrong_csrf_token_is_refused(client, make_user):
    user = make_user("staff")
    csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert User.get_by_id(user.id).last_login_at is None


def test_an_expired_csrf_token_says_so(app, client, make_user):
    user = make_user("staff")
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    token = csrf_token(client, "/login")
    import time

    time.sleep(2.1)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400
    assert "Formuläret hade gått ut" in response.get_data(as_text=True)


def test_account_locks_after_repeated_failures_and_says_until_when(app, client, make_user):
    clock.set_clock(dt.datetime(2026, 11, 23, 10, 0))
    user = make_user("staff")
    for _ in range(PER_ADDRESS_AND_ACCOUNT - 1):
        assert login(client, user, "wrong password").status_code == 422
    # The failure that reaches the limit already says so, and until when.
    response = login(client, user, "wrong password")
    assert response.status_code == 429
    assert "spärrad till 2026-11-23 10:15" in response.get_data(as_text=True)
    # Locked now: even the right password is refused.
    assert login(client, user, PASSWORD).status_code == 429
    row = LoginThrottle.get(LoginThrottle.key == f"account:{user.email}")
    assert row.failures == 5
    clock.set_clock(dt.datetime(2026, 11, 23, 10, 16))
    assert login(client, user, PASSWORD).status_code == 303
    assert not LoginThrottle.select().where(LoginThrottle.key == f"account:{user.email}").exists()


def _from(app, address):
    """A browser of its own, at ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_another_address_failing_does_not_lock_the_owner_out(app, make_user):
    clock.set_clock(dt.datetime(2026, 11, 23, 10, 0))
    manager = make_user("manager")
    attacker = _from(app, "203.0.113.9")
    for _ in range(PER_ADDRESS_AND_ACCOUNT):
        attacker_answer = login(attacker, manager, "a guess at it")
    assert attacker_answer.status_code == 429
    assert login(attacker, manager, PASSWORD).status_code == 429, "locked out from there"
    owner = _from(app, "192.0.2.10")
    response = login(owner, manager)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert owner.get("/").status_code == 200


def test_failures_from_many_addresses_lock_the_account_at_its_ceiling(app, make_user):
    clock.set_clock(dt.datetime(2026, 11, 23, 10, 0))
    user = make_user("staff")
    attempts = 0
    for n in range(PER_ACCOUNT // (PER_ADDRESS_AND_ACCOUNT - 1) + 1):
        attacker = _from(app, f"203.0.113.{n}")
        for _ in range(PER_ADDRESS_AND_ACCOUNT - 1):
            if attempts < PER_ACCOUNT:
                assert login(attacker, user, "a guess at it").status_code in (422, 429)
                attempts += 1
    row = LoginThrottle.get(LoginThrottle.key == LoginThrottle.account_key(user.email))
    assert (row.failures, row.locked_until) == (PER_ACCOUNT, dt.datetime(2026, 11, 23, 10, 15))
    # The ceiling holds for every address, the owner's too, until the lock ends.
    owner = _from(app, "192.0.2.10")
    assert login(owner, user).status_code == 429
    assert login(_from(app, "198.51.100.1"), user, "one more guess").status_code == 429
    assert LoginThrottle.get_by_id(row.id).failures == PER_ACCOUNT, "locked: not checked"
    clock.set_clock(dt.datetime(2026, 11, 23, 10, 16))
    assert login(owner, user).status_code == 303


def test_the_owners_log_in_does_not_wipe_failures_from_elsewhere(app, make_user):
    clock.set_clock(dt.datetime(2026, 11, 23, 10, 0))
    user = make_user("staff")
    for _ in range(3):
        login(_from(app, "203.0.113.1"), user, "a guess at it")
    owner = _from(app, "192.0.2.10")
    login(owner, user, "my own typo")
    assert login(owner, user).status_code == 303
    row = LoginThrottle.get(LoginThrottle.key == LoginThrottle.account_key(user.email))
    assert row.failures == 3, "the owner's own typo is forgiven, the guesses elsewhere are not"
    assert (
        not LoginThrottle.select()
        .where(LoginThrottle.key == LoginThrottle.pair_key(user.email, "192.0.2.10"))
        .exists()
    )


def test_failures_from_one_address_lock_that_address(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    user = make_user("staff")
    for n in range(3):
        login(client, f"guess{n}@example.org", "wrong password")
    response = login(client, user, PASSWORD)
    assert response.status_code == 429
    other = app.test_client()
    assert login(other, user, PASSWORD, **{"X-Forwarded-For": "ignored"}).status_code == 429, (
        "the address is the connection's, not a header the client sets"
    )


def test_failures_outside_the_window_start_a_new_count(app, client, make_user):
    user = make_user("staff")
    clock.set_clock(dt.datetime(2026, 11, 23, 10, 0))
    for _ in range(4):
        login(client, user, "wrong password")
    clock.set_clock(dt.datetime(2026, 11, 23, 10, 30))
    login(client, user, "wrong password")
    row = LoginThrottle.get(LoginThrottle.key == f"account:{user.email}")
    assert row.failures == 1
    assert row.locked_until is None


def test_a_deactivated_user_cannot_log_in(client, make_user):
    user = make_user("staff", active=False)
    response = login(client, user)
    assert response.status_code == 422
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)


def test_logout_ends_every_session_of_the_user(app, make_user):
    user = make_user("staff")
    phone, desk = app.test_client(), app.test_client()
    login(phone, user)
    login(desk, user)
    response = desk.post("/logout", data={"csrf_token": csrf_token(desk, "/")})
    assert response.status_code == 303
    assert desk.get("/").status_code == 302
    assert phone.get("/").status_code == 302


def test_logout_needs_post(client, make_user):
    login(client, make_user("staff"))
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_a_new_session_at_login(client, make_user):
    user = make_user("staff")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_session_cookie_is_httponly_and_lax(client, make_user):
    response = login(client, make_user("staff"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_idle_session_ends(app, client, make_user):
    clock.set_clock(dt.datetime(2026, 11, 23, 9, 0))
    login(client, make_user("staff"))
    clock.set_clock(dt.datetime(2026, 11, 23, 9, 25))
    assert client.get("/").status_code == 200
    clock.set_clock(dt.datetime(2026, 11, 23, 9, 56))
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_session_ends_after_its_absolute_limit_even_when_busy(app, client, make_user):
    clock.set_clock(dt.datetime(2026, 11, 23, 7, 0))
    login(client, make_user("staff"))
    for hour in range(8, 19):
        clock.set_clock(dt.datetime(2026, 11, 23, hour, 0))
        client.get("/")
    clock.set_clock(dt.datetime(2026, 11, 23, 19, 1))
    assert client.get("/").status_code == 302


def test_change_password_keeps_this_session_and_ends_the_others(app, make_user):
    user = make_user("staff")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    new = "a brand new passphrase"
    response = post_form(
        here,
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 303
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert AuditEvent.select().where(AuditEvent.action == "password_changed").count() == 1
    fresh = app.test_client()
    assert login(fresh, user, PASSWORD).status_code == 422
    assert login(fresh, user, new).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        (
            "wrong one entirely",
            "a brand new passphrase",
            "a brand new passphrase",
            "Det nuvarande lösenordet är fel.",
        ),
        (PASSWORD, "short", "short", "Lösenordet måste vara 12 till 128 tecken långt."),
        (
            PASSWORD,
            "a brand new passphrase",
            "another passphrase",
            "De två nya lösenorden skiljer sig åt.",
        ),
        (PASSWORD, PASSWORD, PASSWORD, "Välj ett annat lösenord än det nuvarande."),
        (PASSWORD, "x" * 10_000, "x" * 10_000, "Lösenordet måste vara 12 till 128 tecken långt."),
        ("", "", "", "Ange ditt nuvarande lösenord."),
    ],
)
def test_bad_password_changes_are_refused(app, client, make_user, current, new, confirm, message):
    user = make_user("staff")
    login(client, user)
    response = post_form(
        client,
        "/account/password",
        {"current_password": current, "new_password": new, "confirm_password": confirm},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert User.get_by_id(user.id).password_hash == user.password_hash


def test_an_attempt_is_counted_when_a_log_in_elsewhere_removes_its_row_meanwhile(
    app_context, monkeypatch
):
    """A successful log-in may delete the address's row between an attempt's insert and its
    lock (PostgreSQL, read committed): the attempt makes the row again and is counted."""
    from intranet.auth import throttle

    keys = throttle.keys_for("sara@example.org", "10.0.0.1")
    address = keys[2][0]
    real_for_update = throttle.for_update
    deleted = []

    def lose_the_row_first(query):
        if not deleted:
            LoginThrottle.delete().where(LoginThrottle.key == address).execute()
            deleted.append(address)
        return real_for_update(query)

    monkeypatch.setattr(throttle, "for_update", lose_the_row_first)
    allowed, _locked = throttle.reserve([keys[2]], clock.now())
    assert allowed and deleted
    assert LoginThrottle.get(LoginThrottle.key == address).failures == 1

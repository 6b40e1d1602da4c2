"""The second factor: setting it up (only with the password, a current code where there is
one, and for a new or reset account the administrator's enrolment code), logging in with a
code or a recovery code, what is refused, the throttle, the roles that require it, and an
administrator's reset. Nothing secret travels in the session cookie."""

import datetime as dt
import json
import re

import pyotp
import pytest
from conftest import PASSWORD, csrf_token, login, post_form, totp_code

from intranet import clock, create_app, default_config
from intranet.auth import enrolment
from intranet.auth.settings import DEFAULTS
from intranet.models import AuditEvent, LoginThrottle, RecoveryCode, Role, User
from intranet.models.accounts import PendingEnrolment

ENROL = "/account/two-factor/new"
SET_UP = "/two-factor/set-up"
LOGIN_ENROL = "/login/enrol"
SECRET = re.compile(r'<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")
NOON = dt.datetime(2027, 3, 5, 12, 0, 10)
PER_ADDRESS_AND_ACCOUNT = DEFAULTS["LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT"]


@pytest.fixture(autouse=True)
def _noon():
    clock.set_clock(NOON)


def _code(secret, steps_from_now=0):
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(clock.aware(clock.now())) + steps_from_now)


def _wrong_code(secret) -> str:
    """A six-digit code that none of the steps the server accepts for ``secret`` shows (a
    fixed one like 000000 is right once in a few hundred thousand secrets)."""
    accepted = {_code(secret, step) for step in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(0, 10**6, 111111) if f"{n:06d}" not in accepted)


def _other_secret(secret) -> str:
    """Another secret, none of whose codes near now is also one of ``secret``'s."""
    accepted = {_code(secret, step) for step in (-1, 0, 1, 2)}
    while True:
        other = pyotp.random_base32()
        if not accepted & {_code(other, step) for step in (-1, 0, 1, 2)}:
            return other


def _secret_on_page(client) -> str:
    match = SECRET.search(client.get(SET_UP).get_data(as_text=True))
    assert match, "no secret on the set-up page"
    return match.group(1).replace(" ", "")


def _begin(client, **given):
    """Show who one is on the set-up's first page (the password unless ``given`` says
    otherwise); return the answer."""
    return post_form(client, ENROL, {"password": PASSWORD, **given})


def _confirm(client, secret, **headers):
    """Confirm the set-up with the app's code; return the answer (the recovery codes)."""
    return post_form(client, SET_UP, {"code": _code(secret)}, headers=headers)


def _enrol(client, **given) -> tuple[str, list[str]]:
    """Set up a second factor through the pages, logged in; return the secret and the
    recovery codes."""
    response = _begin(client, **given)
    assert (response.status_code, response.headers["Location"]) == (303, SET_UP)
    secret = _secret_on_page(client)
    response = _confirm(client, secret)
    assert response.status_code == 200
    return secret, RECOVERY.findall(response.get_data(as_text=True))


def _enrolment_code(app, user) -> str:
    """The code an administrator hands over for ``user``'s set-up."""
    with app.app_context():
        return enrolment.new_code(None, user.id)[0]


def _password_step(client, user, to="/login/code"):
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == to
    return response


def _code_step(client, code):
    return post_form(client, "/login/code", {"code": code})


def _log_out(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def _failures(user) -> int:
    row = LoginThrottle.get_or_none(LoginThrottle.key == f"account:{user.email}")
    return row.failures if row else 0


def _in_english(client):
    """The client's pages in English: the messages these tests read are new, and their
    Swedish comes with the translations."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _session(app, client) -> dict:
    """What the session cookie holds, as anyone who copies it can read it."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return {}
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


# ---- setting it up -------------------------------------------------------------------


def test_the_set_up_asks_for_the_password_before_any_qr_code(client, make_user):
    user = make_user("staff")
    login(_in_english(client), user)
    page = client.get(ENROL).get_data(as_text=True)
    assert 'name="password"' in page and 'name="code"' not in page
    assert "qr-code" not in page and "totp-secret" not in page
    assert client.get(SET_UP).headers["Location"] == ENROL, "no set-up has begun"
    response = _begin(client, password="not the password")
    assert response.status_code == 422
    assert "The password is wrong." in response.get_data(as_text=True)
    assert "totp-secret" not in response.get_data(as_text=True)
    assert PendingEnrolment.select().count() == 0
    assert _failures(user) == 1, "a wrong password here counts towards the lock"


def test_the_set_up_page_shows_a_qr_code_and_the_key_in_groups(client, make_user):
    login(client, make_user("staff"))
    _begin(client)
    page = client.get(SET_UP).get_data(as_text=True)
    assert '<img class="qr-code" src="data:image/svg+xml' in page
    assert re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}</code>", page)
    assert "style=" not in page, "the CSP allows no inline styles"
    # Reloading shows the same key, so a half-done scan still fits.
    assert _secret_on_page(client) == _secret_on_page(client)


@pytest.mark.parametrize(
    "code",
    [
        "000000",
        "12345",
        "not a code",
        pytest.param("stale", id="two steps old"),
        pytest.param("other", id="another secret"),
    ],
)
def test_a_wrong_code_sets_nothing_up(client, make_user, code):
    user = make_user("staff")
    login(client, user)
    _begin(client)
    secret = _secret_on_page(client)
    code = {
        "000000": _wrong_code(secret),
        "stale": _code(secret, -2),
        "other": _code(_other_secret(secret)),
    }.get(code, code)
    response = post_form(client, SET_UP, {"code": code})
    assert response.status_code == 422
    assert "Koden stämmer inte." in response.get_data(as_text=True)
    fresh = User.get_by_id(user.id)
    assert (fresh.totp_secret, fresh.session_version) == (None, user.session_version)
    assert RecoveryCode.select().count() == 0


def test_the_right_code_sets_it_up_with_ten_hashed_recovery_codes_shown_once(client, make_user):
    user = make_user("staff")
    login(client, user)
    secret, codes = _enrol(client)
    assert len(codes) == len(set(codes)) == 10
    fresh = User.get_by_id(user.id)
    assert fresh.totp_secret == secret
    assert fresh.totp_enrolled_at == NOON
    hashes = [row.code_hash for row in RecoveryCode.select().where(RecoveryCode.user == user.id)]
    assert len(hashes) == 10
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    assert AuditEvent.get(AuditEvent.action == "two_factor_enrolled").subject_id == user.id
    assert PendingEnrolment.select().count() == 0, "the set-up's row is gone"
    # Shown once: the set-up is over, and no page shows them again.
    again = client.get(SET_UP, follow_redirects=True)
    assert RECOVERY.findall(again.get_data(as_text=True)) == []
    assert client.get("/account/two-factor/recovery-codes").status_code == 404
    # This session carries on; the user's others have ended.
    assert client.get("/").status_code == 200
    assert fresh.session_version == user.session_version + 1


def test_setting_up_again_asks_for_the_password_and_a_current_code(client, make_user):
    user = make_user("staff")
    login(client, user)
    first, first_codes = _enrol(client)
    clock.set_clock(NOON + dt.timedelta(seconds=30))
    page = client.get(ENROL).get_data(as_text=True)
    assert 'name="password"' in page and 'name="code"' in page
    response = _begin(client)
    assert response.status_code == 422
    assert "Ange koden." in response.get_data(as_text=True)
    response = _begin(client, code=_wrong_code(first))
    assert response.status_code == 422
    assert "Koden är fel, för gammal eller redan använd." in response.get_data(as_text=True)
    assert PendingEnrolment.select().count() == 0
    second, second_codes = _enrol(client, code=_code(first))
    assert first != second
    assert set(first_codes).isdisjoint(second_codes)
    assert RecoveryCode.select().count() == 10
    assert User.get_by_id(user.id).totp_secret == second


def test_a_recovery_code_stands_in_for_the_lost_phone_when_setting_up_again(client, make_user):
    user = make_user("staff")
    login(client, user)
    first, codes = _enrol(client)
    _second, _codes = _enrol(client, code=codes[0])
    assert User.get_by_id(user.id).totp_secret != first


def test_a_session_alone_cannot_enrol_a_new_phone(app, client, make_user):
    """Someone who has the manager's open session (a computer left unlocked) but not her
    password and phone cannot replace her second factor and end her sessions."""
    manager = make_user("manager")
    login(client, manager)
    theirs = app.test_client()
    login(theirs, manager)
    wrong = {"password": "a guess at it", "code": _wrong_code(manager.totp_secret)}
    for given in [{}, {"password": ""}, wrong, {"code": _wrong_code(manager.totp_secret)}]:
        response = post_form(client, ENROL, given)
        assert response.status_code == 422, given
        assert "totp-secret" not in response.get_data(as_text=True)
    # Whatever key a page shows the session, its code does not put a phone on the account.
    for url in (ENROL, SET_UP):
        shown = SECRET.search(client.get(url, follow_redirects=True).get_data(as_text=True))
        if shown:
            code = _code(shown.group(1).replace(" ", ""))
            for target in (ENROL, SET_UP):
                post_form(client, target, {"code": code}, form_url=ENROL)
    assert client.get(SET_UP).headers["Location"] == ENROL
    response = post_form(client, SET_UP, {"code": "123456"}, form_url=ENROL)
    assert response.headers["Location"] == ENROL
    fresh = User.get_by_id(manager.id)
    assert (fresh.totp_secret, fresh.session_version) == (
        manager.totp_secret,
        manager.session_version,
    )
    assert theirs.get("/").status_code == 200, "the owner's other session goes on"
    assert not AuditEvent.select().where(AuditEvent.action == "two_factor_enrolled").exists()


def test_guessing_at_the_set_up_locks_like_logging_in(app, client, make_user):
    manager = make_user("manager")
    login(client, manager)
    for _ in range(PER_ADDRESS_AND_ACCOUNT - 1):
        response = _begin(client, code=_wrong_code(manager.totp_secret))
        assert response.status_code == 422
    response = _begin(client, code=_wrong_code(manager.totp_secret))
    assert response.status_code == 429
    assert "spärrad till 2027-03-05 12:15" in response.get_data(as_text=True)
    assert _begin(client, code=_code(manager.totp_secret, 1)).status_code == 429
    assert PendingEnrolment.select().count() == 0


def test_the_secret_and_the_recovery_codes_never_travel_in_the_session_cookie(
    app, client, make_user
):
    user = make_user("staff")
    login(client, user)
    _begin(client)
    shown = [SECRET.search(client.get(url).get_data(as_text=True)) for url in (SET_UP, ENROL)]
    secret = next(m for m in shown if m).group(1).replace(" ", "")
    during = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert secret not in json.dumps(_session(app, client))
    response = _confirm(client, secret)
    codes = RECOVERY.findall(response.get_data(as_text=True))
    assert len(codes) == 10
    after = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    held = json.dumps(_session(app, client))
    assert secret not in held and not any(code in held for code in codes)
    # Replaying either cookie shows neither the secret nor a code again.
    for cookie in (during, after):
        replay = app.test_client()
        replay.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        for url in (SET_UP, ENROL, "/account/two-factor"):
            page = replay.get(url, follow_redirects=True).get_data(as_text=True)
            assert secret not in page.replace(" ", "")
            assert RECOVERY.findall(page) == [], url


def test_a_set_up_ends_with_the_users_sessions(client, make_user):
    from intranet.auth.services import end_all_sessions

    user = make_user("staff")
    login(client, user)
    _begin(client)
    secret = _secret_on_page(client)
    token = csrf_token(client, SET_UP)
    end_all_sessions(user)  # a new password, or a reset, elsewhere
    response = client.post(SET_UP, data={"code": _code(secret), "csrf_token": token})
    assert response.headers["Location"].startswith("/login")
    assert User.get_by_id(user.id).totp_secret is None


def test_a_set_up_lasts_fifteen_minutes(client, make_user):
    user = make_user("staff")
    login(client, user)
    _begin(client)
    secret = _secret_on_page(client)
    token = csrf_token(client, SET_UP)
    clock.set_clock(NOON + dt.timedelta(minutes=15, seconds=1))
    assert client.get("/").status_code == 200, "the session's idle limit is 30 minutes"
    response = client.post(SET_UP, data={"code": _code(secret), "csrf_token": token})
    assert response.headers["Location"] == ENROL
    assert User.get_by_id(user.id).totp_secret is None


# ---- the administrator's enrolment code ------------------------------------------------


def test_a_new_account_gives_the_enrolment_code_before_it_sees_a_qr_code(app, client, make_user):
    user = make_user("manager", totp_secret=None)
    code = _enrolment_code(app, user)
    _password_step(client, user, to=LOGIN_ENROL)
    assert client.get("/").headers["Location"].startswith("/login"), "not logged in yet"
    page = client.get(LOGIN_ENROL).get_data(as_text=True)
    assert 'name="enrolment_code"' in page and "totp-secret" not in page
    assert client.get(SET_UP).headers["Location"] == LOGIN_ENROL, "no set-up has begun"
    response = post_form(client, LOGIN_ENROL, {"enrolment_code": code.upper().replace("-", " ")})
    assert response.headers["Location"] == SET_UP
    secret = _secret_on_page(client)
    response = _confirm(client, secret)
    assert response.status_code == 200
    assert len(RECOVERY.findall(response.get_data(as_text=True))) == 10
    assert client.get("/rent/").status_code == 200, "logged in"
    fresh = User.get_by_id(user.id)
    assert fresh.totp_secret == secret and fresh.last_login_at == NOON
    assert (fresh.enrolment_code_hash, fresh.enrolment_code_expires_at) == (None, None)
    assert _failures(user) == 0


@pytest.mark.parametrize("given", ["", "abcd-efgh-jkmn", "x" * 40, "wrong"])
def test_a_wrong_enrolment_code_shows_no_qr_code_and_counts(app, client, make_user, given):
    user = make_user("manager", totp_secret=None)
    _enrolment_code(app, user)
    _password_step(_in_english(client), user, to=LOGIN_ENROL)
    response = post_form(client, LOGIN_ENROL, {"enrolment_code": given})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "totp-secret" not in page
    assert ("Enter the enrolment code." if not given else "The enrolment code is wrong") in page
    assert PendingEnrolment.select().count() == 0
    assert _failures(user) == (0 if not given else 1)


def test_the_password_alone_enrols_nothing(client, make_user):
    """An account reset or created without a code handed over: whoever learns the
    password first cannot put their own phone on it."""
    user = make_user("manager", totp_secret=None)
    _password_step(client, user, to=LOGIN_ENROL)
    response = post_form(client, LOGIN_ENROL, {"enrolment_code": "abcd-efgh-jkmn"})
    assert response.status_code == 422
    assert client.get(SET_UP).headers["Location"] == LOGIN_ENROL
    assert User.get_by_id(user.id).totp_secret is None


def test_wrong_enrolment_codes_lock_like_wrong_passwords(app, client, make_user):
    user = make_user("manager", totp_secret=None)
    code = _enrolment_code(app, user)
    _password_step(client, user, to=LOGIN_ENROL)
    for _ in range(4):
        post_form(client, LOGIN_ENROL, {"enrolment_code": "abcd-efgh-jkmn"})
    response = post_form(client, LOGIN_ENROL, {"enrolment_code": "abcd-efgh-jkmn"})
    assert response.status_code == 429
    assert post_form(client, LOGIN_ENROL, {"enrolment_code": code}).status_code == 429


def test_an_enrolment_code_expires_after_72_hours(app, client, make_user):
    user = make_user("manager", totp_secret=None)
    code = _enrolment_code(app, user)
    assert User.get_by_id(user.id).enrolment_code_expires_at == NOON + dt.timedelta(hours=72)
    clock.set_clock(NOON + dt.timedelta(hours=72, seconds=1))
    _password_step(_in_english(client), user, to=LOGIN_ENROL)
    response = post_form(client, LOGIN_ENROL, {"enrolment_code": code})
    assert response.status_code == 422
    assert "The enrolment code is wrong, used or expired." in response.get_data(as_text=True)


def test_the_enrolment_codes_lifetime_is_a_setting(app, make_user):
    app.config["TWO_FACTOR_ENROLMENT_HOURS"] = 4
    user = make_user("manager", totp_secret=None)
    _enrolment_code(app, user)
    assert User.get_by_id(user.id).enrolment_code_expires_at == NOON + dt.timedelta(hours=4)


def test_an_enrolment_code_is_stored_hashed_and_a_new_one_replaces_it(app, client, make_user):
    user = make_user("manager", totp_secret=None)
    first = _enrolment_code(app, user)
    second = _enrolment_code(app, user)
    stored = User.get_by_id(user.id).enrolment_code_hash
    assert stored.startswith("$argon2id$") and second.replace("-", "") not in stored
    _password_step(client, user, to=LOGIN_ENROL)
    assert post_form(client, LOGIN_ENROL, {"enrolment_code": first}).status_code == 422
    assert post_form(client, LOGIN_ENROL, {"enrolment_code": second}).status_code == 303
    issued = AuditEvent.select().where(AuditEvent.action == "enrolment_code_issued")
    assert [e.subject_id for e in issued] == [user.id, user.id]


def test_an_enrolment_code_sets_up_once(app, make_user):
    user = make_user("manager", totp_secret=None)
    code = _enrolment_code(app, user)
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        _password_step(client, user, to=LOGIN_ENROL)
        assert post_form(client, LOGIN_ENROL, {"enrolment_code": code}).status_code == 303
    # The first set-up begun ended when the second began; the second finishes.
    assert first.get(SET_UP).headers["Location"] == LOGIN_ENROL
    secret = _secret_on_page(second)
    assert _confirm(second, secret).status_code == 200
    # Its code is spent: a reset later needs a new one.
    _log_out(second)
    User.update(totp_secret=None).where(User.id == user.id).execute()
    again = app.test_client()
    _password_step(again, user, to=LOGIN_ENROL)
    assert post_form(again, LOGIN_ENROL, {"enrolment_code": code}).status_code == 422


def test_a_code_issued_while_a_set_up_waits_ends_that_set_up(app, client, make_user):
    user = make_user("manager", totp_secret=None)
    code = _enrolment_code(app, user)
    _password_step(client, user, to=LOGIN_ENROL)
    post_form(client, LOGIN_ENROL, {"enrolment_code": code})
    secret = _secret_on_page(client)
    _enrolment_code(app, user)  # an administrator gave out a new one meanwhile
    response = _confirm(client, secret)
    assert response.headers["Location"] == SET_UP
    assert User.get_by_id(user.id).totp_secret is None


# ---- logging in ------------------------------------------------------------------


def test_login_asks_for_the_code_after_the_password(client, make_user):
    user = make_user("manager")
    _password_step(client, user)
    assert client.get("/").headers["Location"] == "/login/code", "not logged in yet"
    assert User.get_by_id(user.id).last_login_at is None
    response = _code_step(client, _code(user.totp_secret))
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    fresh = User.get_by_id(user.id)
    assert fresh.last_login_at == NOON
    assert fresh.totp_last_step == pyotp.TOTP(user.totp_secret).timecode(clock.aware(NOON))


def test_a_recovery_code_logs_in_once(client, make_user):
    user = make_user("staff")
    login(client, user)
    _secret, codes = _enrol(client)
    _log_out(client)
    _password_step(client, user)
    # Typed loosely: upper case, spaces, no dash.
    response = _code_step(client, f" {codes[3].replace('-', ' ').upper()} ")
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert RecoveryCode.unused_for(user.id).count() == 9
    assert AuditEvent.select().where(AuditEvent.action == "recovery_code_used").count() == 1
    _log_out(client)
    _password_step(client, user)
    response = _code_step(client, codes[3])
    assert response.status_code == 422
    assert "Koden är fel, för gammal eller redan använd." in response.get_data(as_text=True)
    assert client.get("/").headers["Location"] == "/login/code"
    assert RecoveryCode.unused_for(user.id).count() == 9


@pytest.mark.parametrize(
    "which",
    ["the one just used", "an earlier one", "two steps old", "two steps ahead", "another's"],
)
def test_a_used_stale_or_foreign_code_is_refused_and_counted(client, make_user, which):
    user = make_user("manager")
    login(client, user)  # accepts the current step
    _log_out(client)
    code = {
        "the one just used": _code(user.totp_secret),
        "an earlier one": _code(user.totp_secret, -1),
        "two steps old": _code(user.totp_secret, -2),
        "two steps ahead": _code(user.totp_secret, 2),
        "another's": _code(_other_secret(user.totp_secret), 1),
    }[which]
    _password_step(client, user)
    response = _code_step(client, code)
    assert response.status_code == 422
    assert "Koden är fel, för gammal eller redan använd." in response.get_data(as_text=True)
    assert client.get("/").headers["Location"] == "/login/code"
    assert _failures(user) == 1
    # The next step's code still works.
    assert _code_step(client, _code(user.totp_secret, 1)).headers["Location"] == "/"
    assert _failures(user) == 0


def test_wrong_codes_lock_the_account_and_a_locked_account_cannot_pass(app, client, make_user):
    user = make_user("manager")
    _password_step(client, user)
    wrong = _wrong_code(user.totp_secret)
    limit = PER_ADDRESS_AND_ACCOUNT
    for _ in range(limit - 1):
        assert _code_step(client, wrong).status_code == 422
    response = _code_step(client, wrong)
    assert response.status_code == 429
    assert "spärrad till 2027-03-05 12:15" in response.get_data(as_text=True)
    right = _code_step(client, _code(user.totp_secret))
    assert right.status_code == 429
    assert client.get("/").headers["Location"] == "/login/code"
    assert User.get_by_id(user.id).totp_last_step is None, "the right code was not spent"
    assert _failures(user) == limit


def test_a_right_password_does_not_forgive_wrong_codes(app, client, make_user):
    user = make_user("manager")
    limit = PER_ADDRESS_AND_ACCOUNT
    wrong = _wrong_code(user.totp_secret)
    _password_step(client, user)
    for _ in range(limit - 1):
        _code_step(client, wrong)
    _password_step(client, user)
    assert _failures(user) == limit - 1
    assert _code_step(client, wrong).status_code == 429


def test_the_code_step_lasts_five_minutes(client, make_user):
    user = make_user("manager")
    _password_step(client, user)
    token = csrf_token(client, "/login/code")
    clock.set_clock(NOON + dt.timedelta(minutes=5, seconds=1))
    code = _code(user.totp_secret)
    response = client.post("/login/code", data={"code": code, "csrf_token": token})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Inloggningen tog för lång tid eller avbröts." in page
    assert client.get("/").headers["Location"].startswith("/login?")
    assert User.get_by_id(user.id).totp_last_step is None


def test_the_code_step_ends_with_the_users_sessions(client, make_user):
    from intranet.auth.services import end_all_sessions

    user = make_user("manager")
    _password_step(client, user)
    end_all_sessions(user)  # a new password, or a reset, elsewhere
    response = client.get("/login/code")
    assert response.headers["Location"] == "/login"
    assert client.get("/").headers["Location"].startswith("/login?")


def test_an_htmx_request_while_the_code_is_owed_is_told_to_redirect(client, make_user):
    _password_step(client, make_user("manager"))
    response = client.get("/rent/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login/code"
    assert response.get_data(as_text=True) == ""


# ---- roles that require it -------------------------------------------------------------


def _get_urls(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            yield rule.rule


def test_a_required_role_without_one_is_not_logged_in_until_it_is_set_up(app, client, make_user):
    user = make_user("manager", totp_secret=None)
    code = _enrolment_code(app, user)
    response = login(_in_english(client), user)
    assert response.headers["Location"] == LOGIN_ENROL
    urls = [url for url in _get_urls(app) if url not in (LOGIN_ENROL, "/login", "/healthz")]
    assert "/rent/" in urls and "/account/two-factor" in urls
    for url in urls:
        assert client.get(url).status_code in (302, 303), url
        assert client.get(url, follow_redirects=True).request.path == LOGIN_ENROL, url
    response = post_form(client, "/referrals/new", {"first_name": "Sara"}, form_url=LOGIN_ENROL)
    assert response.headers["Location"].startswith("/login")
    htmx = client.get("/rent/", headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx.get_data()) == (401, b"")
    page = client.get(LOGIN_ENROL).get_data(as_text=True)
    assert "Your role requires a second factor" in page
    assert 'href="/rent/"' not in page, "no menu until it is set up"
    post_form(client, LOGIN_ENROL, {"enrolment_code": code})
    _confirm(client, _secret_on_page(client))
    assert client.get("/rent/").status_code == 200


def test_a_login_whose_role_came_to_require_one_sets_it_up_at_the_next_log_in(
    app, client, make_user
):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ()
    user = make_user("staff")
    login(_in_english(client), user)
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("staff",)
    response = client.get("/rent/")
    assert response.headers["Location"] == ENROL
    response = client.get(ENROL)
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "enter the enrolment code from your administrator" in page
    assert client.get("/").headers["Location"].startswith("/login"), "logged out"
    code = _enrolment_code(app, user)
    assert login(client, user).headers["Location"] == LOGIN_ENROL
    assert post_form(client, LOGIN_ENROL, {"enrolment_code": code}).status_code == 303


def test_with_no_roles_required_a_manager_logs_in_with_the_password(app, client, make_user):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ()
    user = make_user("manager")
    response = login(client, user)
    assert response.headers["Location"] == "/"
    assert client.get("/rent/").status_code == 200


@pytest.mark.parametrize(
    ("value", "roles"),
    [
        (None, ("admin", "manager")),
        ("", ()),
        ("staff, caretaker", ("staff", "caretaker")),
        ("admin,", ("admin",)),
    ],
)
def test_the_required_roles_come_from_the_environment(monkeypatch, tmp_path, value, roles):
    monkeypatch.delenv("INTRANET_TWO_FACTOR_ROLES", raising=False)
    if value is not None:
        monkeypatch.setenv("INTRANET_TWO_FACTOR_ROLES", value)
    assert default_config(str(tmp_path))["TWO_FACTOR_REQUIRED_ROLES"] == roles


def test_an_unknown_role_in_the_setting_stops_the_start(tmp_path):
    config = {
        "SECRET_KEY": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TWO_FACTOR_REQUIRED_ROLES": ("admin", "boss"),
    }
    with pytest.raises(ValueError, match="unknown roles: \\['boss'\\]"):
        create_app(config)


def test_a_role_that_does_not_require_it_can_turn_it_off(client, make_user):
    user = make_user("staff")
    login(client, user)
    secret, _codes = _enrol(client)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Oanvända reservkoder: 10 av 10." in page
    clock.set_clock(NOON + dt.timedelta(seconds=30))
    data = {"password": PASSWORD, "code": _code(secret)}
    response = post_form(client, "/account/two-factor/off", data, form_url="/account/two-factor")
    assert response.headers["Location"] == "/account/two-factor"
    fresh = User.get_by_id(user.id)
    assert (fresh.totp_secret, RecoveryCode.select().count()) == (None, 0)
    assert AuditEvent.select().where(AuditEvent.action == "two_factor_disabled").count() == 1
    assert client.get("/").status_code == 200, "this session carries on"
    _log_out(client)
    assert login(client, user).headers["Location"] == "/"


@pytest.mark.parametrize(
    "given",
    [{}, {"password": PASSWORD}, {"password": "a wrong one", "code": "right"}, {"code": "right"}],
)
def test_turning_it_off_asks_for_the_password_and_a_current_code(client, make_user, given):
    user = make_user("staff")
    login(client, user)
    secret, _codes = _enrol(client)
    clock.set_clock(NOON + dt.timedelta(seconds=30))
    given = {k: _code(secret) if v == "right" else v for k, v in given.items()}
    response = post_form(client, "/account/two-factor/off", given, form_url="/account/two-factor")
    assert response.status_code == 422
    assert User.get_by_id(user.id).totp_secret == secret
    assert not AuditEvent.select().where(AuditEvent.action == "two_factor_disabled").exists()


def test_a_role_that_requires_it_cannot_turn_it_off(client, make_user):
    user = make_user("manager")
    login(client, user)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Stäng av tvåstegsverifieringen" not in page
    assert "Din roll kräver tvåstegsverifiering, så den kan inte stängas av." in page
    data = {"password": PASSWORD, "code": _code(user.totp_secret, 1)}
    response = post_form(client, "/account/two-factor/off", data, form_url="/account/two-factor")
    assert "Din roll kräver tvåstegsverifiering; du kan slå på den igen" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert User.get_by_id(user.id).totp_secret == user.totp_secret


# ---- an administrator's reset -----------------------------------------------------------


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    client.admin = make_user(Role.ADMIN, display_name="Alva Admin")
    login(client, client.admin)
    return client


def test_an_admin_resets_a_second_factor_and_ends_the_users_sessions(app, admin_client, make_user):
    manager = make_user("manager", display_name="Maria Chef")
    theirs = app.test_client()
    login(theirs, manager)
    edit = f"/admin/users/{manager.id}/edit"
    assert "Oanvända reservkoder: 0 av 10." in admin_client.get(edit).get_data(as_text=True)
    response = post_form(admin_client, f"/admin/users/{manager.id}/two-factor/reset", {}, edit)
    # The new enrolment code is shown to the administrator, once, in the answer.
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    code = re.search(r'<code id="enrolment-code">([a-z2-9-]+)</code>', page).group(1)
    assert "Tvåstegsverifieringen för Maria Chef är återställd" in page
    assert code.replace("-", "") not in json.dumps(_session(app, admin_client))
    assert "Their role requires it" in _in_english(admin_client).get(edit).get_data(as_text=True)
    fresh = User.get_by_id(manager.id)
    assert (fresh.totp_secret, fresh.totp_last_step) == (None, None)
    assert fresh.session_version == manager.session_version + 1
    event = AuditEvent.get(AuditEvent.action == "two_factor_reset")
    assert (event.actor.display_name, event.subject_id) == ("Alva Admin", manager.id)
    assert theirs.get("/").status_code == 302, "their session has ended"
    # A manager's account now waits for another manager's approval, then sets up anew.
    assert login(theirs, manager).status_code == 403
    from intranet.admin.services import approve

    approve(make_user("manager"), manager.id)
    assert login(theirs, manager).headers["Location"] == LOGIN_ENROL
    assert post_form(theirs, LOGIN_ENROL, {"enrolment_code": code}).status_code == 303


def test_an_admin_cannot_reset_their_own_second_factor(admin_client):
    admin = User.get_by_id(admin_client.admin.id)
    edit = f"/admin/users/{admin.id}/edit"
    response = post_form(admin_client, f"/admin/users/{admin.id}/two-factor/reset", {}, edit)
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Du kan inte återställa din egen tvåstegsverifiering." in page
    fresh = User.get_by_id(admin.id)
    assert (fresh.totp_secret, fresh.session_version) == (admin.totp_secret, admin.session_version)
    assert not AuditEvent.select().where(AuditEvent.action == "two_factor_reset").exists()


def test_an_account_without_its_required_factor_gets_a_new_enrolment_code(
    app, admin_client, make_user
):
    other_admin = make_user(Role.ADMIN, totp_secret=None, display_name="Ny Admin")
    old = _enrolment_code(app, other_admin)
    edit = f"/admin/users/{other_admin.id}/edit"
    assert "New enrolment code" in _in_english(admin_client).get(edit).get_data(as_text=True)
    response = post_form(admin_client, f"/admin/users/{other_admin.id}/two-factor/reset", {}, edit)
    assert response.status_code == 200
    code = re.search(
        r'<code id="enrolment-code">([a-z2-9-]+)</code>', response.get_data(as_text=True)
    )
    assert code and code.group(1) != old
    fresh = User.get_by_id(other_admin.id)
    assert not fresh.awaits_approval, "an administrator's account sees no residents"
    client = app.test_client()
    _password_step(client, other_admin, to=LOGIN_ENROL)
    assert post_form(client, LOGIN_ENROL, {"enrolment_code": old}).status_code == 422
    assert post_form(client, LOGIN_ENROL, {"enrolment_code": code.group(1)}).status_code == 303


def test_a_reset_without_the_csrf_token_changes_nothing(admin_client, make_user):
    manager = make_user("manager")
    response = admin_client.post(f"/admin/users/{manager.id}/two-factor/reset")
    assert response.status_code == 400
    assert User.get_by_id(manager.id).totp_secret == manager.totp_secret
    assert not AuditEvent.select().where(AuditEvent.action == "two_factor_reset").exists()


def test_resetting_a_user_without_one_says_so(admin_client, make_user):
    staff = make_user("staff", display_name="Johan Berg")
    edit = f"/admin/users/{staff.id}/edit"
    assert "Inte påslagen. Personen loggar in med bara lösenord." in admin_client.get(
        edit
    ).get_data(as_text=True)
    response = post_form(admin_client, f"/admin/users/{staff.id}/two-factor/reset", {}, edit)
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Johan Berg har ingen tvåstegsverifiering att återställa." in page
    assert User.get_by_id(staff.id).session_version == staff.session_version


def test_only_admins_reset(client, make_user):
    manager = make_user("manager")
    login(client, manager)
    data = {"csrf_token": csrf_token(client, "/")}
    response = client.post(f"/admin/users/{manager.id}/two-factor/reset", data=data)
    assert response.status_code == 403
    assert User.get_by_id(manager.id).totp_secret == manager.totp_secret


def test_the_test_helper_takes_the_next_unused_code(client, make_user):
    user = make_user("manager")
    first = totp_code(user)
    login(client, user)
    assert totp_code(user) != first


@pytest.mark.parametrize("code", ["\x80", "١٢٣٤٥٦", "12345٦", "abcdef"])
def test_a_code_that_is_not_six_ascii_digits_matches_nothing(code):
    import pyotp

    from intranet.auth.two_factor import matching_step

    assert matching_step(pyotp.random_base32(), code, clock.now()) is None


def test_the_set_up_table_the_migration_makes_matches_its_model(app):
    """``PendingEnrolment`` is not in ``models.MODELS`` yet; its schema is checked here."""
    from playhouse.schema_diff import diff_models

    from intranet.extensions import db

    assert not diff_models(db.obj, [PendingEnrolment, User])

"""The second factor: setting it up, logging in with a code or a recovery code, what is
refused, the throttle, the roles that require it, and an administrator's reset."""

import datetime as dt
import re

import pyotp
import pytest
from conftest import PASSWORD, csrf_token, login, post_form, totp_code

from intranet import clock, create_app, default_config
from intranet.models import AuditEvent, LoginThrottle, RecoveryCode, Role, User

ENROL = "/account/two-factor/new"
SECRET = re.compile(r'<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")
NOON = dt.datetime(2027, 3, 5, 12, 0, 10)


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
    match = SECRET.search(client.get(ENROL).get_data(as_text=True))
    assert match, "no secret on the set-up page"
    return match.group(1).replace(" ", "")


def _enrol(client) -> tuple[str, list[str]]:
    """Set up a second factor through the pages; return the secret and the recovery codes."""
    secret = _secret_on_page(client)
    response = post_form(client, ENROL, {"code": _code(secret)})
    assert response.headers["Location"] == "/account/two-factor/recovery-codes"
    page = client.get("/account/two-factor/recovery-codes").get_data(as_text=True)
    return secret, RECOVERY.findall(page)


def _password_step(client, user):
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/login/code"
    return response


def _code_step(client, code):
    return post_form(client, "/login/code", {"code": code})


def _log_out(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def _failures(user) -> int:
    row = LoginThrottle.get_or_none(LoginThrottle.key == f"account:{user.email}")
    return row.failures if row else 0


# ---- setting it up -------------------------------------------------------------------


def test_the_set_up_page_shows_a_qr_code_and_the_key_in_groups(client, make_user):
    login(client, make_user("staff"))
    page = client.get(ENROL).get_data(as_text=True)
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
    secret = _secret_on_page(client)
    code = {
        "000000": _wrong_code(secret),
        "stale": _code(secret, -2),
        "other": _code(_other_secret(secret)),
    }.get(code, code)
    response = post_form(client, ENROL, {"code": code})
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
    # Shown once: the next visit says so and shows none.
    again = client.get("/account/two-factor/recovery-codes", follow_redirects=True)
    assert RECOVERY.findall(again.get_data(as_text=True)) == []
    assert "Reservkoderna visas bara en gång" in again.get_data(as_text=True)
    # This session carries on; the user's others have ended.
    assert client.get("/").status_code == 200
    assert fresh.session_version == user.session_version + 1


def test_setting_up_again_replaces_the_secret_and_the_codes(client, make_user):
    login(client, make_user("staff"))
    first, first_codes = _enrol(client)
    clock.set_clock(NOON + dt.timedelta(seconds=30))
    second, second_codes = _enrol(client)
    assert first != second
    assert set(first_codes).isdisjoint(second_codes)
    assert RecoveryCode.select().count() == 10


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
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
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
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
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


def test_a_required_role_without_one_can_open_nothing_but_the_set_up(app, client, make_user):
    user = make_user("manager", totp_secret=None)
    response = login(client, user)
    assert response.headers["Location"] == ENROL
    urls = [url for url in _get_urls(app) if url not in (ENROL, "/healthz")]
    assert "/rent/" in urls and "/account/two-factor" in urls
    for url in urls:
        assert client.get(url).headers.get("Location") == ENROL, url
    response = post_form(client, "/referrals/new", {"first_name": "Sara"}, form_url=ENROL)
    assert (response.status_code, response.headers["Location"]) == (303, ENROL)
    htmx = client.get("/rent/", headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx.headers["HX-Redirect"], htmx.get_data()) == (403, ENROL, b"")
    page = client.get(ENROL).get_data(as_text=True)
    assert "Din roll kräver tvåstegsverifiering" in page
    assert 'href="/rent/"' not in page, "no menu until it is set up"
    _enrol(client)
    assert client.get("/rent/").status_code == 200


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
    _enrol(client)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Oanvända reservkoder: 10 av 10." in page
    response = post_form(client, "/account/two-factor/off", {}, form_url="/account/two-factor")
    assert response.headers["Location"] == "/account/two-factor"
    fresh = User.get_by_id(user.id)
    assert (fresh.totp_secret, RecoveryCode.select().count()) == (None, 0)
    assert AuditEvent.select().where(AuditEvent.action == "two_factor_disabled").count() == 1
    assert client.get("/").status_code == 200, "this session carries on"
    _log_out(client)
    assert login(client, user).headers["Location"] == "/"


def test_a_role_that_requires_it_cannot_turn_it_off(client, make_user):
    user = make_user("manager")
    login(client, user)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Stäng av tvåstegsverifieringen" not in page
    assert "Din roll kräver tvåstegsverifiering, så den kan inte stängas av." in page
    response = post_form(client, "/account/two-factor/off", {}, form_url="/account/two-factor")
    assert "Din roll kräver tvåstegsverifiering; du kan slå på den igen" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert User.get_by_id(user.id).totp_secret == user.totp_secret


# ---- an administrator's reset -----------------------------------------------------------


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    login(client, make_user(Role.ADMIN, display_name="Alva Admin"))
    return client


def test_an_admin_resets_a_second_factor_and_ends_the_users_sessions(app, admin_client, make_user):
    manager = make_user("manager", display_name="Maria Chef")
    theirs = app.test_client()
    login(theirs, manager)
    edit = f"/admin/users/{manager.id}/edit"
    assert "Oanvända reservkoder: 0 av 10." in admin_client.get(edit).get_data(as_text=True)
    response = post_form(admin_client, f"/admin/users/{manager.id}/two-factor/reset", {}, edit)
    assert response.headers["Location"] == edit
    page = admin_client.get(edit).get_data(as_text=True)
    assert "Tvåstegsverifieringen för Maria Chef är återställd" in page
    assert "Rollen kräver den: personen slår på den nästa gång hen loggar in." in page
    fresh = User.get_by_id(manager.id)
    assert (fresh.totp_secret, fresh.totp_last_step) == (None, None)
    assert fresh.session_version == manager.session_version + 1
    event = AuditEvent.get(AuditEvent.action == "two_factor_reset")
    assert (event.actor.display_name, event.subject_id) == ("Alva Admin", manager.id)
    assert theirs.get("/").status_code == 302, "their session has ended"
    assert login(theirs, manager).headers["Location"] == ENROL


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

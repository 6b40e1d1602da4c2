"""An administrator sees, in the list of users, who is locked out of logging in and until
when, and unlocks them there; deactivating an account asks first."""

import datetime as dt
import re

import pytest
from conftest import csrf_token, login, post_form
from helpers import count_queries

from intranet import clock
from intranet.auth import throttle
from intranet.models import AuditEvent, LoginThrottle, Role, User

NOW = dt.datetime(2027, 3, 5, 10, 27)


@pytest.fixture
def admin(client, make_user):
    """An administrator logged in at ``NOW``, reading the pages in English."""
    clock.set_clock(NOW)
    admin = make_user(Role.ADMIN, display_name="Alva Admin")
    login(client, admin)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.admin = admin
    return client


def _fail(app, user, times, address="127.0.0.1"):
    """``times`` wrong passwords for ``user`` from ``address``."""
    theirs = app.test_client()
    theirs.environ_base["REMOTE_ADDR"] = address
    for _ in range(times):
        login(theirs, user, "wrong password")
    return theirs


def _lock(user, key_of, until):
    """A lock ending at ``until`` on the account's key ``key_of``."""
    return LoginThrottle.create(
        key=key_of(user.email), failures=50, window_started_at=NOW, locked_until=until
    )


def _row(page: str, user) -> str:
    """The list's row of ``user``."""
    match = re.search(rf"<tr[^>]*>\s*<td>{re.escape(user.display_name)}</td>.*?</tr>", page, re.S)
    assert match, user.display_name
    return match.group(0)


def _status(row: str) -> str:
    """The text of the row's status cell (the fifth)."""
    cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[4]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def _unlock(client, user, **data):
    return post_form(client, f"/admin/users/{user.id}/unlock", data, "/admin/users")


def _audited(action="login_lock_lifted"):
    return list(AuditEvent.select().where(AuditEvent.action == action))


# ---- the list ------------------------------------------------------------------------


def test_the_list_says_until_when_an_account_is_locked_and_active_otherwise(app, admin, make_user):
    locked = make_user("staff", display_name="Johan Berg")
    free = make_user("caretaker", display_name="Kim Vaktmästare")
    _fail(app, locked, 5)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert _status(_row(page, locked)) == "Locked until 10:42"
    assert "Unlock" in _row(page, locked)
    assert f'action="/admin/users/{locked.id}/unlock"' in _row(page, locked)
    assert _status(_row(page, free)) == "Active"
    assert "Unlock" not in _row(page, free)


def test_a_lock_from_another_address_or_from_all_shows_the_latest(admin, make_user):
    user = make_user("staff", display_name="Johan Berg")
    _lock(user, lambda email: LoginThrottle.pair_key(email, "203.0.113.9"), NOW.replace(minute=35))
    _lock(user, LoginThrottle.account_key, NOW.replace(minute=41))
    page = admin.get("/admin/users").get_data(as_text=True)
    assert _status(_row(page, user)) == "Locked until 10:41"


def test_a_lock_that_ends_another_day_shows_its_date(admin, make_user):
    user = make_user("staff", display_name="Johan Berg")
    _lock(user, LoginThrottle.account_key, dt.datetime(2027, 3, 6, 0, 12))
    page = admin.get("/admin/users").get_data(as_text=True)
    assert _status(_row(page, user)) == "Locked until 2027-03-06 00:12"


def test_an_address_locked_for_every_account_locks_no_account_in_the_list(admin, make_user):
    """The address's own count is about the address, whoever it tried: no account is
    shown locked for it, and no account's unlock lifts it."""
    user = make_user("staff", display_name="Johan Berg")
    LoginThrottle.create(
        key=LoginThrottle.address_key("203.0.113.9"),
        failures=20,
        window_started_at=NOW,
        locked_until=NOW + dt.timedelta(minutes=15),
    )
    page = admin.get("/admin/users").get_data(as_text=True)
    assert _status(_row(page, user)) == "Active"


@pytest.mark.parametrize("minutes", [0, -1])
def test_the_list_and_the_log_in_agree_when_a_lock_ends(app, admin, make_user, minutes):
    """At the moment a lock ends (or after) the account is free in the list and at the
    log-in alike: both ask the same question of the throttle."""
    user = make_user("caretaker", display_name="Kim Vaktmästare")
    _lock(user, LoginThrottle.account_key, NOW + dt.timedelta(minutes=minutes))
    page = admin.get("/admin/users").get_data(as_text=True)
    assert _status(_row(page, user)) == "Active"
    assert login(app.test_client(), user).status_code == 303


def test_the_list_and_the_log_in_agree_while_a_lock_holds(app, admin, make_user):
    user = make_user("caretaker", display_name="Kim Vaktmästare")
    _lock(user, LoginThrottle.account_key, NOW + dt.timedelta(seconds=1))
    page = admin.get("/admin/users").get_data(as_text=True)
    assert _status(_row(page, user)).startswith("Locked until")
    assert login(app.test_client(), user).status_code == 429


def test_a_deactivated_account_that_is_locked_says_both(admin, make_user):
    user = make_user("staff", display_name="Johan Berg", active=False)
    _lock(user, LoginThrottle.account_key, NOW + dt.timedelta(minutes=15))
    row = _row(admin.get("/admin/users").get_data(as_text=True), user)
    assert _status(row) == "Deactivated Locked until 10:42"
    assert "Unlock" in row and "Reactivate" in row


def test_the_list_runs_a_fixed_number_of_queries_with_locked_accounts(admin, make_user):
    def queries():
        with count_queries() as log:
            assert admin.get("/admin/users").status_code == 200
        return len(log)

    first = make_user("staff")
    _lock(first, LoginThrottle.account_key, NOW + dt.timedelta(minutes=15))
    small = queries()
    for n in range(15):
        user = make_user("caretaker" if n % 2 else "staff")
        if n % 3 == 0:
            address = f"10.0.0.{n}"
            _lock(user, lambda e, a=address: LoginThrottle.pair_key(e, a), NOW.replace(minute=40))
    assert queries() == small


# ---- unlocking -----------------------------------------------------------------------


def test_unlock_lifts_every_lock_on_the_account_and_the_person_logs_in(app, admin, make_user):
    user = make_user("staff", display_name="Johan Berg")
    other = make_user("staff", display_name="Sara Annan")
    theirs = _fail(app, user, 5)
    _fail(app, user, 5, address="203.0.113.9")
    everywhere = LoginThrottle.key == LoginThrottle.account_key(user.email)
    LoginThrottle.update(failures=50, locked_until=NOW.replace(minute=50)).where(
        everywhere
    ).execute()
    _fail(app, other, 5)
    assert login(theirs, user).status_code == 429

    response = _unlock(admin, user, back="/admin/users")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users"
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Johan Berg can log in again from every address." in page
    assert _status(_row(page, user)) == "Active"
    assert _status(_row(page, other)) == "Locked until 10:42", "only that account"
    assert not LoginThrottle.of_accounts([user.email]).exists()
    assert LoginThrottle.get(LoginThrottle.key == LoginThrottle.address_key("127.0.0.1"))
    assert login(theirs, user).status_code == 303


def test_unlock_is_audited_with_who_whom_and_until_when(app, admin, make_user):
    user = make_user("staff", display_name="Johan Berg")
    _fail(app, user, 5)
    assert _unlock(admin, user).status_code == 303
    [event] = _audited()
    assert (event.actor_id, event.subject_type, event.subject_id) == (
        admin.admin.id,
        "user",
        user.id,
    )
    assert event.detail.startswith("locked until 2027-03-05 10:42")


def test_unlocking_an_account_that_is_not_locked_says_so_and_changes_nothing(app, admin, make_user):
    user = make_user("staff", display_name="Johan Berg")
    _fail(app, user, 3)
    before = sorted((r.key, r.failures) for r in LoginThrottle.select())
    response = _unlock(admin, user)
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Johan Berg is not locked out. Nothing was changed." in page
    assert sorted((r.key, r.failures) for r in LoginThrottle.select()) == before
    assert _audited() == []


def test_unlocking_a_lock_that_has_ended_changes_nothing(admin, make_user):
    user = make_user("staff", display_name="Johan Berg")
    _lock(user, LoginThrottle.account_key, NOW)
    assert _unlock(admin, user).status_code == 303
    assert LoginThrottle.of_accounts([user.email]).count() == 1
    assert _audited() == []


def test_unlocking_twice_lifts_and_audits_once(app, admin, make_user):
    user = make_user("staff", display_name="Johan Berg")
    _fail(app, user, 5)
    _unlock(admin, user)
    _unlock(admin, user)
    assert len(_audited()) == 1


@pytest.mark.parametrize(
    ("back", "location"),
    [
        ("/admin/users?page=2", "/admin/users?page=2"),
        ("/admin/users/{id}/edit", "/admin/users/{id}/edit"),
        ("", "/admin/users"),
        ("//evil.example", "/admin/users"),
        ("https://evil.example/admin/users", "/admin/users"),
        ("/rent/", "/admin/users"),
        ("/admin/usersx", "/admin/users"),
    ],
)
def test_unlock_goes_back_to_the_page_of_the_administration_it_came_from(
    app, admin, make_user, back, location
):
    user = make_user("staff", display_name="Johan Berg")
    _fail(app, user, 5)
    response = _unlock(admin, user, back=back.format(id=user.id))
    assert response.status_code == 303
    assert response.headers["Location"] == location.format(id=user.id)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.STAFF, Role.CARETAKER, Role.LANDLORD])
def test_only_an_administrator_unlocks(app, client, make_user, role):
    clock.set_clock(NOW)
    user = make_user("staff", display_name="Johan Berg")
    _fail(app, user, 5)
    login(client, make_user(role))
    data = {"csrf_token": csrf_token(client, "/account/password")}
    assert client.post(f"/admin/users/{user.id}/unlock", data=data).status_code == 403
    assert throttle.account_locked_until(user.email, NOW) == NOW + dt.timedelta(minutes=15)
    assert _audited() == []


def test_unlocking_someone_who_does_not_exist_is_404(admin):
    assert _unlock(admin, User(id=999_999)).status_code == 404


# ---- deactivating asks first ---------------------------------------------------------


def _deactivate(client, user, **data):
    return post_form(
        client,
        f"/admin/users/{user.id}/deactivate",
        {"revision": str(user.revision), **data},
        f"/admin/users/{user.id}/deactivate",
    )


def test_deactivate_in_the_list_opens_a_page_that_asks(admin, make_user):
    user = make_user("staff", display_name="Johan Berg")
    row = _row(admin.get("/admin/users").get_data(as_text=True), user)
    assert f'<form action="/admin/users/{user.id}/deactivate" method="get">' in row
    page = admin.get(f"/admin/users/{user.id}/deactivate")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Deactivate Johan Berg?" in text
    box = re.search(r'<input[^>]*name="confirmed"[^>]*>', text).group(0)
    assert 'type="checkbox"' in box and "required" in box
    assert User.get_by_id(user.id).active, "asking changes nothing"


def test_deactivating_without_the_box_changes_nothing(app, admin, make_user):
    user = make_user("caretaker", display_name="Kim Vaktmästare")
    theirs = app.test_client()
    login(theirs, user)
    response = _deactivate(admin, user)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Tick the box to confirm." in text
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*name="confirmed"[^>]*>', text).group(0)
    fresh = User.get_by_id(user.id)
    assert fresh.active and fresh.revision == user.revision
    assert fresh.session_version == user.session_version
    assert _audited("user_deactivated") == []
    assert theirs.get("/").status_code == 200, "their session goes on"


def test_deactivating_with_the_box_deactivates(app, admin, make_user):
    user = make_user("caretaker", display_name="Kim Vaktmästare")
    theirs = app.test_client()
    login(theirs, user)
    response = _deactivate(admin, user, confirmed="y")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users"
    assert "Kim Vaktmästare is deactivated and logged out." in admin.get("/admin/users").get_data(
        as_text=True
    )
    assert not User.get_by_id(user.id).active
    [event] = _audited("user_deactivated")
    assert (event.actor_id, event.subject_id) == (admin.admin.id, user.id)
    assert theirs.get("/").status_code == 302
    assert login(theirs, user).status_code == 422


def test_the_page_that_asks_keeps_the_revision_it_was_shown_at(admin, make_user):
    user = make_user("staff", display_name="Johan Berg")
    page = admin.get(f"/admin/users/{user.id}/deactivate").get_data(as_text=True)
    assert f'name="revision" value="{user.revision}"' in page
    User.update(revision=User.revision + 1).where(User.id == user.id).execute()
    response = _deactivate(admin, user, confirmed="y")
    assert response.status_code == 409
    assert User.get_by_id(user.id).active


def test_the_page_that_asks_is_for_administrators_only(client, make_user):
    user = make_user("staff")
    login(client, make_user(Role.MANAGER))
    assert client.get(f"/admin/users/{user.id}/deactivate").status_code == 403
    data = {
        "csrf_token": csrf_token(client, "/account/password"),
        "revision": "1",
        "confirmed": "y",
    }
    assert client.post(f"/admin/users/{user.id}/deactivate", data=data).status_code == 403
    assert User.get_by_id(user.id).active


def test_asking_to_deactivate_an_account_already_deactivated_goes_back_to_the_list(
    admin, make_user
):
    user = make_user("staff", active=False)
    response = admin.get(f"/admin/users/{user.id}/deactivate")
    assert (response.status_code, response.headers["Location"]) == (303, "/admin/users")


def test_reactivating_needs_no_box(admin, make_user):
    user = make_user("caretaker", active=False)
    data = {"revision": str(user.revision)}
    assert (
        post_form(admin, f"/admin/users/{user.id}/reactivate", data, "/admin/users").status_code
        == 303
    )
    assert User.get_by_id(user.id).active

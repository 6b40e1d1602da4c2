"""Admins create, edit, deactivate and reactivate accounts."""

import datetime as dt
import re

import pytest
from conftest import PASSWORD, csrf_token, login, post_form
from helpers import count_queries

from intranet import clock
from intranet.models import AuditEvent, Landlord, LoginThrottle, Role, User


def _admin(client, make_user):
    admin = make_user(Role.ADMIN, display_name="Alva Admin")
    login(client, admin)
    client.admin = admin
    return client


@pytest.fixture
def admin_client(client, make_user):
    return _admin(client, make_user)


def _create(client, **fields):
    data = {
        "email": "ny@example.org",
        "display_name": "Nina Ny",
        "role": "staff",
        "landlord": "0",
        "password": "first password 123",
        **fields,
    }
    return post_form(client, "/admin/users/new", data)


def test_admin_creates_a_caretaker_account_who_can_log_in(app, admin_client):
    response = _create(admin_client, role="caretaker")
    assert response.status_code == 303
    user = User.by_email("ny@example.org")
    assert user.role == "caretaker" and user.active and user.landlord_id is None
    assert user.password_hash.startswith("$argon2id$")
    assert not user.awaits_approval, "a caretaker sees no residents"
    assert AuditEvent.get(AuditEvent.action == "user_created").subject_id == user.id
    assert login(app.test_client(), "ny@example.org", "first password 123").status_code == 303


def test_a_staff_account_an_admin_creates_logs_in_once_a_manager_approves(
    app, admin_client, make_user
):
    assert _create(admin_client).status_code == 303
    user = User.by_email("ny@example.org")
    assert user.awaits_approval
    theirs = app.test_client()
    assert login(theirs, "ny@example.org", "first password 123").status_code == 403
    from intranet.admin.services import approve

    approve(make_user("manager"), user.id)
    assert login(theirs, "ny@example.org", "first password 123").status_code == 303


def test_a_landlord_user_belongs_to_a_landlord(admin_client, make_landlord):
    landlord = make_landlord("Stadsbyggen AB")
    response = _create(admin_client, role="landlord", landlord=str(landlord.id))
    assert response.status_code == 303
    assert User.by_email("ny@example.org").landlord_id == landlord.id


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": ""}, "Ange en e-postadress."),
        ({"email": "not-an-email"}, "Ange en giltig e-postadress."),
        ({"email": "x" * 10_000 + "@example.org"}, "Fältet får inte vara längre än 254 tecken."),
        ({"display_name": ""}, "Ange ett namn."),
        ({"display_name": "n" * 10_000}, "Fältet får inte vara längre än 200 tecken."),
        ({"role": "superuser"}, "Välj ett av alternativen."),
        (
            {"role": "landlord"},
            "En hyresvärdsanvändare måste höra till en hyresvärds organisation.",
        ),
        ({"landlord": "abc"}, "Välj ett av alternativen."),
        ({"landlord": "99999"}, "Välj ett av alternativen."),
        ({"password": "short"}, "Lösenordet måste vara 12 till 128 tecken långt."),
    ],
)
def test_bad_account_input_is_refused_in_place(admin_client, fields, message):
    before = User.select().count()
    response = _create(admin_client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert User.select().count() == before


def test_staff_cannot_be_linked_to_a_landlord(admin_client, make_landlord):
    landlord = make_landlord()
    response = _create(admin_client, landlord=str(landlord.id))
    assert response.status_code == 422
    assert "Endast hyresvärdsanvändare" in response.get_data(as_text=True)


def test_an_email_in_use_is_refused(admin_client, make_user):
    make_user("staff", email="taken@example.org")
    response = _create(admin_client, email="Taken@Example.org")
    assert response.status_code == 422
    assert "Det finns redan ett konto med den här e-postadressen." in response.get_data(
        as_text=True
    )
    assert User.select().where(User.email == "taken@example.org").count() == 1


def _landlord():
    return Landlord.create(name="Stadsbyggen AB")


def _edit(client, user, **fields):
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "landlord": str(user.landlord_id or 0),
        "revision": str(user.revision),
        "new_password": "",
        **fields,
    }
    return post_form(client, f"/admin/users/{user.id}/edit", data)


def test_admin_edits_an_account(admin_client, make_user):
    user = make_user("staff")
    response = _edit(admin_client, user, display_name="Nytt Namn")
    assert response.status_code == 303
    fresh = User.get_by_id(user.id)
    assert fresh.display_name == "Nytt Namn"
    assert fresh.revision == user.revision + 1
    assert fresh.session_version == user.session_version


def test_a_role_change_ends_the_users_sessions(app, admin_client, make_user):
    user = make_user("caretaker")
    theirs = app.test_client()
    login(theirs, user)
    assert (
        _edit(admin_client, user, role="landlord", landlord=str(_landlord().id)).status_code == 303
    )
    assert theirs.get("/").status_code == 302
    assert login(theirs, user).headers["Location"] == "/"
    page = theirs.get("/", follow_redirects=True).get_data(as_text=True)
    assert '<span class="user-role">Hyresvärd</span>' in page


def test_a_role_that_requires_a_second_factor_comes_with_an_enrolment_code(
    app, admin_client, make_user
):
    user = make_user("caretaker")
    response = _edit(admin_client, user, role="admin")
    # The code the new role needs is shown once, in the answer.
    assert response.status_code == 200
    code = re.search(
        r'<code id="enrolment-code">([a-z2-9-]+)</code>', response.get_data(as_text=True)
    )
    assert code, "no enrolment code shown"
    theirs = app.test_client()
    assert login(theirs, user).headers["Location"] == "/login/enrol"
    response = post_form(theirs, "/login/enrol", {"enrolment_code": code.group(1)})
    assert response.headers["Location"] == "/two-factor/set-up"


def test_a_password_reset_by_admin_ends_sessions(app, admin_client, make_user):
    user = make_user("caretaker")
    theirs = app.test_client()
    login(theirs, user)
    assert _edit(admin_client, user, new_password="reset by the admin").status_code == 303
    assert theirs.get("/").status_code == 302
    assert login(theirs, user, "reset by the admin").status_code == 303


def test_a_stale_edit_loses_to_the_newer_one(admin_client, make_user):
    user = make_user("staff")
    assert _edit(admin_client, user, display_name="First").status_code == 303
    response = _edit(admin_client, user, display_name="Second")  # still at the old revision
    assert response.status_code == 409
    assert "Någon annan ändrade kontot" in response.get_data(as_text=True)
    assert User.get_by_id(user.id).display_name == "First"


def test_editing_a_missing_user_is_404(admin_client):
    assert admin_client.get("/admin/users/99999/edit").status_code == 404


def test_the_last_admin_keeps_the_role(admin_client):
    admin = User.get_by_id(admin_client.admin.id)
    response = _edit(admin_client, admin, role="staff")
    assert response.status_code == 422
    assert User.get_by_id(admin.id).role == "admin"


def _toggle(client, user, action, revision=None, confirmed=True):
    """Deactivate (with the box ticked unless told otherwise) or reactivate ``user``."""
    token = csrf_token(client, "/admin/users")
    data = {"csrf_token": token, "revision": revision if revision is not None else user.revision}
    if action == "deactivate" and confirmed:
        data["confirmed"] = "y"
    return client.post(f"/admin/users/{user.id}/{action}", data=data)


def test_deactivation_ends_sessions_and_blocks_login_until_reactivated(
    app, admin_client, make_user
):
    user = make_user("caretaker")
    theirs = app.test_client()
    login(theirs, user)
    assert _toggle(admin_client, user, "deactivate").status_code == 303
    assert theirs.get("/").status_code == 302
    assert login(theirs, user).status_code == 422
    assert AuditEvent.select().where(AuditEvent.action == "user_deactivated").count() == 1
    user = User.get_by_id(user.id)
    assert not user.active
    assert _toggle(admin_client, user, "reactivate").status_code == 303
    assert login(theirs, user).status_code == 303
    assert User.select().count() == 2, "nothing is deleted"


def test_admin_cannot_deactivate_themselves(admin_client):
    admin = User.get_by_id(admin_client.admin.id)
    response = _toggle(admin_client, admin, "deactivate")
    assert response.status_code == 422
    assert "Du kan inte inaktivera ditt eget konto." in response.get_data(as_text=True)
    assert User.get_by_id(admin.id).active


@pytest.mark.parametrize("revision", ["", "abc", "-1"])
def test_a_toggle_with_a_bad_or_stale_revision_changes_nothing(admin_client, make_user, revision):
    user = make_user("staff")
    response = _toggle(admin_client, user, "deactivate", revision=revision)
    assert response.status_code in (409, 422)
    assert User.get_by_id(user.id).active


def test_the_user_list_runs_a_fixed_number_of_queries(admin_client, make_user, make_landlord):
    def queries():
        with count_queries() as log:
            assert admin_client.get("/admin/users").status_code == 200
        return len(log)

    make_user("landlord")
    small = queries()
    for n in range(15):
        make_user("landlord" if n % 2 else "staff")
    assert queries() == small


# ---- a lock on logging in ------------------------------------------------------------


def test_an_admin_lifts_a_login_lock_and_it_is_audited(app, client, make_user):
    clock.set_clock(dt.datetime(2027, 3, 5, 10, 27))
    admin_client = _admin(client, make_user)
    user = make_user("staff", display_name="Johan Berg")
    theirs = app.test_client()
    for _ in range(5):
        login(theirs, user, "wrong password")
    assert login(theirs, user).status_code == 429
    locked = LoginThrottle.get(LoginThrottle.key == LoginThrottle.pair_key(user.email, "127.0.0.1"))
    assert locked.locked_until == dt.datetime(2027, 3, 5, 10, 42)
    admin_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Locked until 10:42" in admin_client.get("/admin/users").get_data(as_text=True)
    edit = f"/admin/users/{user.id}/edit"
    assert "Logging in is locked" in admin_client.get(edit).get_data(as_text=True)
    response = post_form(admin_client, f"/admin/users/{user.id}/unlock", {"back": edit}, edit)
    assert response.headers["Location"] == edit
    assert "can log in again from every address" in admin_client.get(edit).get_data(as_text=True)
    assert not LoginThrottle.of_accounts([user.email]).exists()
    event = AuditEvent.get(AuditEvent.action == "login_lock_lifted")
    assert (event.actor_id, event.subject_id) == (admin_client.admin.id, user.id)
    assert login(theirs, user, PASSWORD).status_code == 303


def test_only_an_admin_lifts_a_lock(app, client, make_user):
    user = make_user("staff")
    manager = make_user("manager")
    login(client, manager)
    data = {"csrf_token": csrf_token(client, "/")}
    assert client.post(f"/admin/users/{user.id}/unlock", data=data).status_code == 403
    assert not AuditEvent.select().where(AuditEvent.action == "login_lock_lifted").exists()


def test_lifting_a_lock_without_the_csrf_token_changes_nothing(admin_client, make_user):
    user = make_user("staff")
    clock.set_clock(dt.datetime(2027, 3, 5, 10, 0))
    LoginThrottle.create(
        key=LoginThrottle.account_key(user.email),
        failures=50,
        window_started_at=clock.now(),
        locked_until=clock.now() + dt.timedelta(minutes=15),
    )
    assert admin_client.post(f"/admin/users/{user.id}/unlock").status_code == 400
    assert LoginThrottle.of_accounts([user.email]).count() == 1

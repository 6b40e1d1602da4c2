"""The administrator manages accounts but never sees residents: whatever an administrator
does to an account whose role sees residents (creating it, giving it such a role, setting
its password, resetting its second factor, reactivating it) leaves it unable to log in
until an active unit manager approves it, and the approval is in the audit log."""

import re

import pytest
from conftest import PASSWORD, csrf_token, login, post_form
from helpers import add_resident

from intranet.admin import services
from intranet.models import AuditEvent, Commissioner, Landlord, Role, User
from intranet.security import policy_of

NEW_PASSWORD = "the admin knows this one"


@pytest.fixture
def resident(make_user):
    """A resident, with a contact person of their own."""
    contact = make_user("staff", display_name="Johan Berg")
    landlord = Landlord.create(name="Hyresbolaget AB")
    return add_resident(landlord, Commissioner.create(name="Socialtjänsten"), contact, "Sara")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, display_name="Alva Admin")


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    login(client, admin)
    return client


def _in_english(client):
    """The client's pages in English (the messages read here are new; their Swedish
    comes with the translations)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.parametrize("required", [("admin", "manager"), ()], ids=["factor", "no factor"])
def test_an_admin_cannot_make_a_manager_and_open_a_resident_as_it(app, admin, resident, required):
    """The outside test's seven requests: log in as the admin, create a manager, log out,
    log in as the new manager, open a resident. The log-in as the manager is refused."""
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = required
    client = _in_english(app.test_client())
    assert login(client, admin).headers["Location"] == "/"
    new = {
        "email": "fake.chef@example.org",
        "display_name": "Fake Chef",
        "role": "manager",
        "landlord": "0",
        "password": NEW_PASSWORD,
    }
    assert post_form(client, "/admin/users/new", new).status_code in (200, 303)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = login(client, "fake.chef@example.org", NEW_PASSWORD)
    assert response.status_code == 403
    assert "Your account is waiting for a unit manager" in response.get_data(as_text=True)
    opened = client.get(f"/residents/{resident.id}")
    assert opened.status_code == 302 and opened.headers["Location"].startswith("/login")
    assert "Sara" not in client.get(f"/residents/{resident.id}", follow_redirects=True).get_data(
        as_text=True
    )
    user = User.by_email("fake.chef@example.org")
    assert user.awaits_approval and user.last_login_at is None
    event = AuditEvent.get(AuditEvent.action == "approval_requested")
    assert (event.actor_id, event.subject_id, event.detail) == (admin.id, user.id, "created")


def _created(admin, make_user):
    services.create_user(
        admin,
        email="ny@example.org",
        display_name="Nina Ny",
        role="staff",
        password=NEW_PASSWORD,
    )
    return User.by_email("ny@example.org")


def _role_changed(admin, make_user):
    user = make_user("caretaker", password=NEW_PASSWORD)
    return _update(admin, user, role="staff")


def _password_reset(admin, make_user):
    return _update(admin, make_user("staff"), new_password=NEW_PASSWORD)


def _two_factor_reset(admin, make_user):
    from conftest import two_factor_fields

    user = make_user("staff", password=NEW_PASSWORD, **two_factor_fields())
    return services.reset_two_factor(admin, user.id)


def _reactivated(admin, make_user):
    user = make_user("staff", password=NEW_PASSWORD, active=False)
    return services.set_active(admin, user.id, user.revision, True)


def _update(admin, user, **changes):
    fields = {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "landlord_id": None,
        "new_password": "",
        **changes,
    }
    return services.update_user(admin, user.id, user.revision, **fields)


ACTIONS = {
    "created": _created,
    "role_changed": _role_changed,
    "password_reset": _password_reset,
    "two_factor_reset": _two_factor_reset,
    "reactivated": _reactivated,
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_admin_action_leaves_the_account_unable_to_see_residents_until_approved(
    app, admin, make_user, resident, action
):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ()
    with app.app_context():
        user = User.get_by_id(ACTIONS[action](admin, make_user).id)
    assert user.awaits_approval
    assert user.approval_reasons == action
    assert user.approval_requested_by_id == admin.id
    client = app.test_client()
    assert login(client, user, NEW_PASSWORD).status_code == 403
    assert client.get(f"/residents/{resident.id}").status_code == 302
    services.approve(make_user("manager"), user.id)
    assert login(client, user, NEW_PASSWORD).headers["Location"] == "/"
    assert client.get(f"/residents/{resident.id}").status_code == 200


def test_a_session_open_before_the_change_does_not_go_on(app, admin, make_user):
    user = make_user("staff")
    theirs = app.test_client()
    login(theirs, user)
    with app.app_context():
        _update(admin, user, new_password=NEW_PASSWORD)
    assert theirs.get("/").status_code == 302
    # A session id replayed from before cannot come back while the account waits.
    assert User.from_session_id(f"{user.id}:{User.get_by_id(user.id).session_version}") is None


def test_the_manager_approves_on_a_page_and_it_is_in_the_audit_log(app, admin, make_user):
    with app.app_context():
        user = _created(admin, make_user)
    manager = make_user("manager", display_name="Maria Chef")
    client = _in_english(app.test_client())
    response = login(client, manager)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'An account is waiting for your approval. <a href="/admin/approvals">' in page
    # The start page has a block of the accounts to approve.
    assert "Accounts to approve" in page and "Nina Ny" in page
    page = client.get("/admin/approvals").get_data(as_text=True)
    assert "Nina Ny" in page and "ny@example.org" in page
    assert "created the account · Alva Admin" in page
    response = post_form(client, f"/admin/users/{user.id}/approve", {}, "/admin/approvals")
    assert response.headers["Location"] == "/admin/approvals"
    page = client.get("/admin/approvals").get_data(as_text=True)
    assert "Nina Ny is approved and can log in." in page
    assert "No account is waiting for approval." in page
    event = AuditEvent.get(AuditEvent.action == "user_approved")
    assert (event.actor_id, event.subject_id) == (manager.id, user.id)
    assert event.at is not None and "created" in event.detail and str(admin.id) in event.detail
    assert not User.get_by_id(user.id).awaits_approval


@pytest.mark.parametrize("role", ["admin", "staff", "caretaker"])
def test_only_a_manager_approves(app, make_user, admin, role):
    with app.app_context():
        user = _created(admin, make_user)
    client = app.test_client()
    login(client, admin if role == "admin" else make_user(role))
    assert client.get("/admin/approvals").status_code == 403
    data = {"csrf_token": csrf_token(client, "/")}
    assert client.post(f"/admin/users/{user.id}/approve", data=data).status_code == 403
    with pytest.raises(services.AccountError):
        services.approve(admin if role == "admin" else make_user(role), user.id)
    assert User.get_by_id(user.id).awaits_approval
    assert not AuditEvent.select().where(AuditEvent.action == "user_approved").exists()


def test_a_manager_waiting_for_approval_approves_no_one(app_context, admin, make_user):
    waiting = make_user("manager")
    _update(admin, waiting, new_password=NEW_PASSWORD)
    other = _created(admin, make_user)
    with pytest.raises(services.AccountError):
        services.approve(User.get_by_id(waiting.id), other.id)
    with pytest.raises(services.AccountError):
        services.approve(User.get_by_id(waiting.id), waiting.id)
    assert User.get_by_id(other.id).awaits_approval


def test_an_approval_without_the_csrf_token_changes_nothing(app, admin, make_user):
    with app.app_context():
        user = _created(admin, make_user)
    client = app.test_client()
    login(client, make_user("manager"))
    assert client.post(f"/admin/users/{user.id}/approve").status_code == 400
    assert User.get_by_id(user.id).awaits_approval


def test_approving_an_account_that_waits_for_nothing_says_so(app, make_user):
    user = make_user("staff", display_name="Johan Berg")
    client = _in_english(app.test_client())
    login(client, make_user("manager"))
    response = post_form(client, f"/admin/users/{user.id}/approve", {}, "/admin/approvals")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Johan Berg is not waiting for approval." in page


def test_reasons_add_up_until_approved(app_context, admin, make_user):
    user = _created(admin, make_user)
    user = _update(admin, user, new_password="yet another password")
    assert user.approval_reasons == "created password_reset"
    first = user.approval_requested_at
    user = services.set_active(admin, user.id, user.revision, False)
    user = services.set_active(admin, user.id, user.revision, True)
    assert user.approval_reasons == "created password_reset reactivated"
    assert user.approval_requested_at == first, "waiting since the first change"


def test_what_gives_no_way_in_needs_no_approval(app_context, admin, make_user):
    user = make_user("staff")
    assert not _update(admin, user, display_name="Nytt Namn").awaits_approval
    assert not services.set_active(
        admin, user.id, User.get_by_id(user.id).revision, False
    ).awaits_approval
    caretaker = make_user("caretaker")
    assert not _update(admin, caretaker, new_password=NEW_PASSWORD).awaits_approval
    # A role that sees no residents has nothing to approve.
    staff = _created(admin, make_user)
    assert not _update(admin, staff, role="caretaker").awaits_approval
    # Made on the server, the first manager needs none.
    first = services.create_user(
        None, email="chef@example.org", display_name="Chef", role="manager", password=PASSWORD
    )
    assert not first.awaits_approval


def test_the_admin_sees_that_an_account_waits(app, admin_client, admin, make_user):
    with app.app_context():
        user = _created(admin, make_user)
    _in_english(admin_client)
    assert "Waiting for a manager" in admin_client.get("/admin/users").get_data(as_text=True)
    page = admin_client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert re.search(r"What an administrator did: created the account\.", page)


def test_every_page_that_shows_residents_is_for_the_roles_an_admin_cannot_hand_out(app):
    """The approval guards the roles whose pages show residents; a page that shows them to
    another role would need the approval to cover that role too."""
    areas = ("residents.", "referrals.", "matching.", "rent.", "reports.", "moved.", "audit.")
    endpoints = [r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(areas)]
    assert len(endpoints) > 30
    with app.app_context():
        for endpoint in endpoints:
            assert set(policy_of(endpoint)) <= set(User.SEES_RESIDENTS), endpoint

"""Admins create, edit, deactivate and reactivate accounts."""

import pytest
from conftest import csrf_token, login, post_form
from helpers import count_queries

from intranet.models import AuditEvent, Role, User


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(Role.ADMIN, display_name="Alva Admin")
    login(client, admin)
    client.admin = admin
    return client


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


def test_admin_creates_a_staff_account_who_can_log_in(app, admin_client):
    response = _create(admin_client)
    assert response.status_code == 303
    user = User.by_email("ny@example.org")
    assert user.role == "staff" and user.active and user.landlord_id is None
    assert user.password_hash.startswith("$argon2id$")
    assert AuditEvent.get(AuditEvent.action == "user_created").subject_id == user.id
    assert login(app.test_client(), "ny@example.org", "first password 123").status_code == 303


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
    user = make_user("staff")
    theirs = app.test_client()
    login(theirs, user)
    assert _edit(admin_client, user, role="manager").status_code == 303
    assert theirs.get("/").status_code == 302
    # A manager must have a second factor: the new role starts by setting one up.
    assert login(theirs, user).headers["Location"] == "/account/two-factor/new"
    page = theirs.get("/", follow_redirects=True).get_data(as_text=True)
    assert '<span class="user-role">Enhetschef</span>' in page


def test_a_password_reset_by_admin_ends_sessions(app, admin_client, make_user):
    user = make_user("staff")
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


def _toggle(client, user, action, revision=None):
    token = csrf_token(client, "/admin/users")
    return client.post(
        f"/admin/users/{user.id}/{action}",
        data={"csrf_token": token, "revision": revision if revision is not None else user.revision},
    )


def test_deactivation_ends_sessions_and_blocks_login_until_reactivated(
    app, admin_client, make_user
):
    user = make_user("staff")
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

"""Every view declares who may use it; the default is deny."""

import pytest
from conftest import login

from intranet.models import Role
from intranet.security import POLICY_ATTR, PUBLIC

# Open to anyone by design: static files, logging in (the code step, the enrolment code
# step and the set-up answer only a session whose password was right, or a logged-in
# person), choosing a language, the health check, and accepting an invitation (its
# secret token is the credential).
PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "auth.login_code",
    "auth.login_enrol",
    "auth.set_up",
    "auth.set_language",
    "main.healthz",
    "portal.accept",
}


def test_every_endpoint_declares_an_access_policy(app):
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, POLICY_ATTR, None) is None
    ]
    assert missing == []


def test_only_the_known_endpoints_are_public(app):
    public = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, POLICY_ATTR, None) == PUBLIC
    }
    assert public <= PUBLIC_ENDPOINTS


def test_a_view_without_a_policy_is_refused(app, client, make_user):
    @app.route("/forgotten")
    def forgotten():
        return "should not be seen"

    login(client, make_user("admin"))
    response = client.get("/forgotten")
    assert response.status_code == 403
    assert "should not be seen" not in response.get_data(as_text=True)


def _static_urls(app):
    """Every GET route without arguments, except the public ones."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.arguments or "GET" not in rule.methods:
            continue
        yield rule.rule


def test_anonymous_visitors_are_sent_to_login_everywhere(app, client):
    urls = list(_static_urls(app))
    assert "/admin/users" in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url


def test_an_anonymous_htmx_request_is_told_to_redirect(client):
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.MANAGER, 403),
        (Role.STAFF, 403),
        (Role.CARETAKER, 403),
        (Role.LANDLORD, 403),
    ],
)
def test_only_admins_manage_users(client, make_user, role, status):
    login(client, make_user(role))
    assert client.get("/admin/users").status_code == status
    assert client.get("/admin/users/new").status_code == status


@pytest.mark.parametrize("role", Role.INTERNAL)
def test_every_role_has_a_start_page(client, make_user, role):
    login(client, make_user(role))
    response = client.get("/")
    assert response.status_code == 200
    assert "Välkommen" in response.get_data(as_text=True)


def test_a_landlord_user_starts_in_the_portal(client, make_user):
    login(client, make_user(Role.LANDLORD))
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_navigation_shows_only_what_the_role_may_open(client, make_user):
    login(client, make_user(Role.STAFF))
    page = client.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' not in page
    client.post("/logout", data={"csrf_token": __import__("conftest").csrf_token(client, "/")})
    login(client, make_user(Role.ADMIN))
    assert 'href="/admin/users"' in client.get("/").get_data(as_text=True)


def test_a_forbidden_htmx_request_gets_a_fragment(client, make_user):
    login(client, make_user(Role.STAFF))
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert "Du har inte behörighet" in body
    assert response.headers["HX-Retarget"] == "#messages"

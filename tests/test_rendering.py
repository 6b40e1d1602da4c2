"""One helper decides fragment or page; cookies follow the configuration."""

from conftest import TEST_CONFIG, login

from intranet import create_app
from intranet.rendering import render
from intranet.security import signed_in


def _add_route(app):
    @app.route("/render-check")
    @signed_in
    def render_check():
        return render("main/start_staff.html", block="start")


def test_a_targeted_htmx_request_gets_the_block_only(app, make_user):
    _add_route(app)
    client = app.test_client()
    login(client, make_user("staff"))
    whole = client.get("/render-check")
    part = client.get("/render-check", headers={"HX-Request": "true"})
    assert "<html" in whole.get_data(as_text=True)
    body = part.get_data(as_text=True)
    assert "<html" not in body and "<h1>" not in body
    assert "matchar dem mot lediga lägenheter" in body
    assert "HX-Request" in part.headers["Vary"]


def test_boosted_and_history_restore_requests_get_the_whole_page(app, make_user):
    _add_route(app)
    client = app.test_client()
    login(client, make_user("staff"))
    for extra in ({"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}):
        response = client.get("/render-check", headers={"HX-Request": "true", **extra})
        assert "<html" in response.get_data(as_text=True)


def test_cookies_are_secure_when_configured(database_url):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": True})
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]

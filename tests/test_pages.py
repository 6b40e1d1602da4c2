"""The layout, the headers every response carries, errors, languages, the health check."""

import pytest
from conftest import TEST_CONFIG, csrf_token, login, post_form

from intranet import create_app
from intranet.models import User


def test_logged_in_pages_carry_the_security_headers(client, make_user):
    login(client, make_user("staff"))
    response = client.get("/")
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "unsafe-eval" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "HX-Request" in headers["Vary"]


def test_pages_have_no_inline_script_and_no_hx_on(client, make_user):
    login(client, make_user("admin"))
    for url in ["/", "/admin/users", "/admin/users/new", "/account/password"]:
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "hx-on" not in page, url
        for tag in page.split("<script")[1:]:
            assert 'src="' in tag.split(">")[0], url


def test_htmx_is_configured_for_a_strict_csp(client):
    page = client.get("/login").get_data(as_text=True)
    assert "&#34;allowEval&#34;:false" in page
    assert "&#34;allowScriptTags&#34;:false" in page
    assert "&#34;includeIndicatorStyles&#34;:false" in page
    assert "&#34;historyCacheSize&#34;:0" in page
    assert "&#34;code&#34;:&#34;422&#34;,&#34;swap&#34;:true" in page


def test_the_csrf_token_goes_on_the_body_for_htmx(client, make_user):
    login(client, make_user("staff"))
    page = client.get("/").get_data(as_text=True)
    assert '<body hx-headers=\'{"X-CSRFToken": "' in page


def test_htmx_requests_send_the_token_in_a_header(client, make_user):
    user = make_user("staff")
    login(client, user)
    token = csrf_token(client, "/")
    response = client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303
    assert client.get("/").status_code == 302


def test_htmx_post_without_token_gets_a_fragment_and_changes_nothing(client, make_user):
    user = make_user("staff")
    login(client, user)
    response = client.post("/logout", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "<html" not in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#messages"
    assert User.get_by_id(user.id).session_version == user.session_version


def test_404_is_a_page_in_the_layout(client, make_user):
    login(client, make_user("staff"))
    response = client.get("/no/such/page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Det finns inget på den här adressen." in body
    assert "Logga ut" in body


def test_500_is_a_page_in_the_layout(app, make_user):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    boom.access_policy = "public"
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.get_data(as_text=True)


def test_unknown_host_names_are_not_answered(client):
    response = client.get("/login", headers={"Host": "evil.example"})
    assert response.status_code == 400


def test_request_bodies_are_limited(app, client):
    response = client.post("/login", data={"email": "a" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413
    assert "för stort" in response.get_data(as_text=True)


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("accept", "heading"),
    [("en-GB,en;q=0.9", "Log in"), ("sv-SE", "Logga in"), ("de-DE", "Logga in"), ("", "Logga in")],
)
def test_language_follows_the_browser_else_swedish(client, accept, heading):
    page = client.get("/login", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in page


def test_a_chosen_language_wins_and_is_kept_on_the_user(client, make_user):
    user = make_user("staff")
    login(client, user)
    response = post_form(client, "/language", {"language": "en", "next": "/"}, form_url="/")
    assert response.status_code == 303
    assert "Welcome" in client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert User.get_by_id(user.id).language == "en"


def test_an_unknown_language_is_refused(client, make_user):
    user = make_user("staff")
    login(client, user)
    response = post_form(client, "/language", {"language": "xx"}, form_url="/")
    assert response.status_code == 303
    assert User.get_by_id(user.id).language is None
    assert "Välj ett av de erbjudna språken." in client.get("/").get_data(as_text=True)

"""Every page and every error page carries the security headers, and the session cookie
is HttpOnly and SameSite always, and Secure under the production settings."""

import pytest
from conftest import CSRF_PATTERN, login
from demo_world import EMAILS, log_in

from intranet import create_app
from intranet.demo import DEMO_PASSWORD
from intranet.security import POLICY_ATTR, PUBLIC

# Whom to open a page as: the first of these roles its policy lets in.
ROLE_ORDER = ("staff", "manager", "caretaker", "admin", "landlord")
# Values for the address's arguments, from the demo world (a role's own where it matters).
ARGUMENTS = {
    "flat_id": "own_flat",
    "landlord_id": "landlord",
    "referral_id": "referral",
    "match_id": "match",
    "tenancy_id": "tenancy",
    "charge_id": "charge",
    "payment_id": "payment",
    "case_id": "own_case",
    "token": "token",
    "user_id": "user",
    "import_id": "bank_import",
    "request_id": "lease_request",
}
FIXED = {"fmt": "csv", "filename": "app.css", "kind": "home_visit"}
# Pages that show nothing without a query: a case about a unit, the records of a figure.
QUERIES = {
    "portal.new_case": "?unit={own_flat}",
    "reports.year_records": "?figure=rent&part=year:not_paid",
}


# Pages that send a person elsewhere when opened on their own: the code step, the
# enrolment code step and the set-up without a password first.
REDIRECTS = {"auth.login_code": 303, "auth.login_enrol": 303, "auth.set_up": 303}


def _pages(app, world):
    """(role or None, endpoint, url) of every GET page, its arguments filled in."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "GET" not in rule.methods:
            continue
        policy = getattr(app.view_functions[rule.endpoint], POLICY_ATTR, PUBLIC)
        role = None if policy == PUBLIC else next(r for r in ROLE_ORDER if r in policy)
        values = {
            name: FIXED[name] if name in FIXED else world[ARGUMENTS[name]]
            for name in rule.arguments
        }
        url = rule.build(values, append_unknown=False)[1]
        url += QUERIES.get(rule.endpoint, "").format(**world)
        yield role, rule.endpoint, url


def _problems(response, static=False) -> list[str]:
    """What is wrong with a response's security headers and cookies."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    problems = []
    if "default-src 'self'" not in csp or "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"CSP {csp!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if headers.get("X-Frame-Options") != "DENY" and "frame-ancestors 'none'" not in csp:
        problems.append("may be framed")
    if not headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    if not static and "no-store" not in headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control {headers.get('Cache-Control')!r}")
    for cookie in headers.getlist("Set-Cookie"):
        flags = {part.strip().lower() for part in cookie.split(";")}
        if "httponly" not in flags or not flags & {"samesite=lax", "samesite=strict"}:
            problems.append(f"cookie {cookie!r}")
    return problems


def test_every_page_sends_the_security_headers(world_app):
    app, world = world_app
    clients, seen, problems = {}, set(), []
    for role, endpoint, url in _pages(app, world):
        if role not in clients:
            clients[role] = app.test_client()
            if role:
                log_in(clients[role], EMAILS[role])
        response = clients[role].get(url)
        response.close()  # a static file is sent from an open file
        seen.add(endpoint)
        expected = 308 if endpoint.startswith("moved.") else REDIRECTS.get(endpoint, 200)
        if response.status_code != expected:
            problems.append(f"{url} as {role}: {response.status_code}")
        problems += [f"{url}: {p}" for p in _problems(response, static=endpoint == "static")]
    assert problems == []
    assert {"portal.unit", "rent.board", "admin.users", "portal.accept", "static"} <= seen


@pytest.mark.parametrize(
    ("role", "method", "url", "status"),
    [
        (None, "get", "/nothing-here", 404),
        ("staff", "get", "/nothing-here", 404),
        ("staff", "get", "/flats/999999", 404),
        ("staff", "get", "/admin/users", 403),
        ("landlord", "get", "/rent/", 403),
        ("staff", "get", "/logout", 405),
        ("staff", "post", "/flats/new", 400),  # no CSRF token
        (None, "post", "/login", 400),
        (None, "get", "/flats/", 302),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_error_pages_send_the_security_headers(world_app, role, method, url, status, htmx):
    app, _world = world_app
    client = app.test_client()
    if role:
        log_in(client, EMAILS[role])
    headers = {"HX-Request": "true"} if htmx else {}
    response = getattr(client, method)(url, headers=headers)
    expected = 401 if htmx and status == 302 else status
    assert response.status_code == expected
    assert _problems(response) == []


def test_the_session_cookie_is_httponly_and_samesite(world_app):
    app, _world = world_app
    response = login(app.test_client(), EMAILS["staff"], DEMO_PASSWORD)
    assert response.status_code == 303
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, response.headers
    return cookies[0]


def test_production_settings_mark_the_session_cookie_secure(world_app, monkeypatch):
    """The environment README's Production section sets, on the same database."""
    app, _world = world_app
    monkeypatch.setenv("SECRET_KEY", "production-secret")
    monkeypatch.setenv("INTRANET_TRUSTED_HOSTS", "intranet.example.org")
    monkeypatch.setenv("INTRANET_SECURE_COOKIES", "1")
    production = create_app({"DATABASE_URL": app.config["DATABASE_URL"]})
    assert not production.testing and not production.debug
    client = production.test_client()
    site = "https://intranet.example.org"
    first = client.get("/login", base_url=site)
    assert _problems(first) == []
    assert "Secure" in _session_cookie(first)
    token = CSRF_PATTERN.search(first.get_data(as_text=True)).group(1)
    form = {"email": EMAILS["staff"], "password": DEMO_PASSWORD, "csrf_token": token}
    response = client.post("/login", data=form, base_url=site, headers={"Referer": site})
    assert response.status_code == 303
    cookie = _session_cookie(response)
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {p.strip() for p in cookie.split(";")}
    assert _problems(response) == []

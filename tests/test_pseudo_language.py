"""No English in the Swedish interface: with every translated string between ⟦markers⟧,
every page, partial, download, error page and refused form, as every role, shows no words
outside the markers but data (what people typed or imported, the unit's settings, dates,
numbers, amounts, e-mail addresses and URLs)."""

import os
import shutil
from collections import defaultdict

import pytest
from conftest import CSRF_PATTERN, PASSWORD, login
from pseudo_language import CLOSE, OPEN, Data, Finding, Reader, install, mark
from security_world import build, rules_of, urls
from test_canary import _addresses

from intranet.models import Role

ACTORS = ("anonymous", Role.ADMIN, Role.MANAGER, Role.STAFF, Role.CARETAKER, "landlord")
SWEDISH = {"Accept-Language": "sv"}
HTMX = {"HX-Request": "true"}
# Addresses never sent a refused form: leaving would end the crawl's session.
NOT_POSTED = {"/logout"}


@pytest.fixture
def database_url(sqlite_template, tmp_path):
    """SQLite only: the crawl reads templates and code, not the database's dialect, and
    must stay quick in ``make test``."""
    path = tmp_path / "intranet.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def world(app, make_user, make_landlord):
    with app.app_context():
        return build(make_user, make_landlord)


@pytest.fixture
def pseudo(monkeypatch):
    """The pseudo language for this test's requests; the messages the catalogue lacks."""
    return install(monkeypatch)


class Crawler:
    """Fetches answers as one actor and keeps what did not go through translation."""

    def __init__(self, app, data: Data):
        self.app, self.reader = app, Reader(data)
        self.findings: list[Finding] = []

    def client(self, world=None, actor="anonymous"):
        client = self.app.test_client()
        if actor != "anonymous":
            login(client, world.users[actor], **SWEDISH)
        return client

    def read(self, response, actor, label, htmx=False):
        self.findings += self.reader.read(response, actor, label, htmx)
        return response

    def get(self, client, actor, urls):
        """Each address as a page and as an htmx partial."""
        for url in urls:
            for htmx in (False, True):
                headers = {**SWEDISH, **(HTMX if htmx else {})}
                self.read(client.get(url, headers=headers), actor, url, htmx)

    def post(self, client, actor, urls, form_page="/", data=None):
        """Each address sent ``data`` (nothing but the form's token by default), as a whole
        page and as htmx: mostly a refused form (422) in return. The messages flashed by
        any that went through show on the start page fetched after them."""
        page = client.get(form_page, headers=SWEDISH).get_data(as_text=True)
        token = CSRF_PATTERN.search(page)
        for url in urls:
            for htmx in (False, True):
                headers = {**SWEDISH, **(HTMX if htmx else {})}
                sent = {"csrf_token": token and token.group(1), **(data or {})}
                self.read(client.post(url, data=sent, headers=headers), actor, f"POST {url}", htmx)
        self.read(client.get("/", headers=SWEDISH), actor, "/ (after the forms)")


def _posted(app, world, role):
    """Every address that takes a POST from ``role``, with real ids (the others answer
    with the 403 page, read already)."""
    from intranet.security import POLICY_ATTR, PUBLIC

    found = set()
    for rule in rules_of(app):
        policy = getattr(app.view_functions[rule.endpoint], POLICY_ATTR, None)
        if "POST" in rule.methods and (policy == PUBLIC or role in (policy or ())):
            found.update(url for _variant, url in urls(app, world, rule))
    return sorted(found - NOT_POSTED)


def _half_way(app, world, make_user):
    """The pages between the password and the session, and a landlord's invitation: a
    manager asked for their code, a manager who must set up a second factor, and an
    invitation still to accept. Returns (actor, url) of each such page."""
    from intranet.portal import services

    enrolling = make_user(Role.MANAGER, totp_secret=None, display_name="Ny Chef")
    with app.app_context():
        token = services.invite(
            world.users[Role.MANAGER], world.ids["landlord_id"], "ny@example.org", "Ny Hyresvärd"
        )
    return [
        (world.users[Role.MANAGER], "/login/code"),
        (enrolling, "/login/enrol"),
        (None, f"/invite/{token}"),
    ]


def _crawl_half_way(crawler, pages):
    for user, url in pages:
        client = crawler.app.test_client()
        if user is not None:
            token = CSRF_PATTERN.search(client.get("/login").get_data(as_text=True)).group(1)
            credentials = {"email": user.email, "password": PASSWORD, "csrf_token": token}
            client.post("/login", data=credentials, headers=SWEDISH)
        crawler.get(client, "anonymous", [url])
        crawler.post(client, "anonymous", [url], form_page=url)


def test_every_word_on_every_page_went_through_translation(app, world, make_user, pseudo):
    addresses = _addresses(app, world)
    half_way = _half_way(app, world, make_user)
    with app.app_context():
        data = Data.of(app)
    crawler = Crawler(app, data)
    clients = {actor: crawler.client(world, actor) for actor in ACTORS}
    for actor, client in clients.items():
        crawler.get(client, actor, addresses)
    # Refused forms after every page, as an empty form may still change something.
    for actor, client in clients.items():
        if actor != "anonymous":
            crawler.post(client, actor, _posted(app, world, world.users[actor].role))
    crawler.post(clients["anonymous"], "anonymous", ["/login"], form_page="/login")
    wrong = {"email": world.users[Role.STAFF].email, "password": "not the password"}
    crawler.post(app.test_client(), "anonymous", ["/login"], form_page="/login", data=wrong)
    _crawl_half_way(crawler, half_way)

    if os.environ.get("PSEUDO_FINDINGS"):
        _write_notes(os.environ["PSEUDO_FINDINGS"], crawler.findings, data, pseudo)
    # The pages did go through the pseudo language.
    assert sum(OPEN in piece for piece in crawler.reader.verdicts) > 500
    assert not crawler.findings, report(crawler.findings)


def report(findings: list[Finding]) -> str:
    """One line per untranslated text: where it shows, as whom, and at which address."""
    seen = defaultdict(list)
    for f in findings:
        seen[(f.where, f.text)].append(f)
    lines = []
    for (where, text), cases in sorted(seen.items()):
        first = cases[0]
        actors = sorted({str(c.actor) for c in cases})
        lines.append(
            f"{where}: {text!r} in {first.piece!r} at {first.url}"
            f"{' (htmx)' if first.htmx else ''} as {', '.join(actors)}"
        )
    return "\n".join(lines)


PLANTED = """<main>
  <h1>{{ _("Rent") }}</h1>
  <p>{{ _("Hello %(name)s", name=user.display_name) }}</p>
  <p>{{ user.email }}, {{ today }}, {{ 12345|kr }}</p>
  <p>The planted sentence nobody translated.</p>
  <p>{{ _("Declined: %(reason)s", reason="no_flats") }}</p>
  <button type="button" aria-label="Close the planted dialog">{{ _("Save") }}</button>
</main>"""


def test_a_string_planted_without_translation_is_found(app, world, pseudo):
    from flask import render_template_string
    from flask_login import current_user

    from intranet.security import roles_required

    @app.get("/pseudo-planted")
    @roles_required(Role.MANAGER)
    def planted():
        return render_template_string(PLANTED, user=current_user, today="2027-03-05")

    with app.app_context():
        data = Data.of(app)
    crawler = Crawler(app, data)
    client = crawler.client(world, Role.MANAGER)
    crawler.get(client, Role.MANAGER, ["/pseudo-planted"])

    assert {(f.where, f.text) for f in crawler.findings} == {
        ("text", "The planted sentence nobody translated."),
        ("aria-label", "Close the planted dialog"),
        # A code put into a translated sentence is not hidden by the sentence's markers.
        ("text", "no_flats"),
    }
    # The rest passed: the translated words, the user's name and e-mail address (data), a
    # date and an amount. A value put into a translated sentence stays outside its markers,
    # and a message the Swedish catalogue lacks is noted.
    page = client.get("/pseudo-planted", headers=SWEDISH).get_data(as_text=True)
    assert f"{OPEN}Hyra{CLOSE}" in page
    assert f"{OPEN}Hello {CLOSE}{world.users[Role.MANAGER].display_name}" in page
    assert (
        mark("%(n)s of <b>%(m)s</b> left")
        == f"%(n)s{OPEN} of {CLOSE}<b>%(m)s</b>{OPEN} left{CLOSE}"
    )
    assert "Hello %(name)s" in pseudo


def _write_notes(path, findings, data, missing):
    """The findings as a note for the issue (set PSEUDO_FINDINGS to a path)."""
    with open(path, "w", encoding="utf-8") as notes:
        notes.write("# Untranslated text\n\n" + report(findings) + "\n")
        notes.write("\n# Taken as data\n\n")
        for text, sources in sorted(data.skipped.items()):
            notes.write(f"{text!r}: {', '.join(sorted(sources))}\n")
        notes.write("\n# Through translation but not in the Swedish catalogue\n\n")
        notes.write("\n".join(sorted(map(repr, missing))) + "\n")

"""Every address × every role and nobody × own and another landlord's objects, against one
table of what each may do; and no page view writes anything but the audit log."""

import pytest
from conftest import csrf_token, login
from security_world import ACTOR_ROLES, ACTORS, build, rules_of, snapshot, urls

from intranet.models import AuditEvent, Role

ADMIN, MANAGER, STAFF, CARETAKER, LANDLORD = (
    Role.ADMIN,
    Role.MANAGER,
    Role.STAFF,
    Role.CARETAKER,
    Role.LANDLORD,
)
EVERYONE = "public"
SIGNED_IN = {ADMIN, MANAGER, STAFF, CARETAKER, LANDLORD}
UNIT = {MANAGER, STAFF, CARETAKER}
WORK = {MANAGER, STAFF}

# Who may use each endpoint, written here by hand and not read from the code: a change of
# either side fails this test until the other agrees.
ALLOWED = {
    "main.index": SIGNED_IN,
    "main.healthz": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.set_language": EVERYONE,
    "auth.change_password": SIGNED_IN,
    "auth.login_code": EVERYONE,
    "auth.two_factor_settings": SIGNED_IN,
    "auth.enrol": SIGNED_IN,
    "auth.login_enrol": EVERYONE,
    "auth.set_up": EVERYONE,
    "auth.turn_off_two_factor": SIGNED_IN,
    "admin.reset_two_factor": {ADMIN},
    "admin.lift_lock": {ADMIN},
    "admin.approvals": {MANAGER},
    "admin.approve_user": {MANAGER},
    "audit.index": {MANAGER},
    "admin.users": {ADMIN},
    "admin.create_user": {ADMIN},
    "admin.edit_user": {ADMIN},
    "admin.deactivate_user": {ADMIN},
    "admin.reactivate_user": {ADMIN},
    "landlords.pipeline": WORK,
    "landlords.owner_names_list": WORK,
    "landlords.owner_choices_list": {MANAGER},
    "landlords.follow_ups": WORK,
    "landlords.funnel": WORK,
    "landlords.detail": WORK,
    "landlords.log_activity": WORK,
    "landlords.create": {MANAGER},
    "landlords.edit": {MANAGER},
    "landlords.add_contact": {MANAGER},
    "landlords.move": {MANAGER},
    "flats.index": UNIT,
    "flats.detail": UNIT,
    "flats.export": UNIT,
    "flats.landlord_names_list": UNIT,
    "flats.create": WORK,
    "flats.edit": WORK,
    "flats.checklist": {MANAGER, CARETAKER},
    "flats.move_out_checklist": {MANAGER, CARETAKER},
    "flats.change_status": {MANAGER},
    "referrals.index": WORK,
    "referrals.export": WORK,
    "referrals.create": WORK,
    "referrals.detail": WORK,
    "referrals.edit": WORK,
    "referrals.record_contact": WORK,
    "referrals.set_status": WORK,
    "referrals.add_override": {MANAGER},
    "referrals.audit": {MANAGER},
    "referrals.commissioners": WORK,
    "referrals.add_commissioner_contact": WORK,
    "matching.index": WORK,
    "matching.plan": WORK,
    "matching.accept_pair": WORK,
    "matching.propose": WORK,
    "matching.match": WORK,
    "matching.advance": WORK,
    "matching.decline": WORK,
    "matching.move_in": WORK,
    "matching.change_move_in_date": WORK,
    "residents.index": WORK,
    "residents.export": WORK,
    "residents.contact_names_list": WORK,
    "residents.outcomes": WORK,
    "residents.detail": WORK,
    "residents.notice": WORK,
    "residents.move_out": WORK,
    "residents.rent": WORK,
    "residents.create_plan": WORK,
    "residents.move_money": {MANAGER},
    "residents.record_notice": WORK,
    "residents.rent_money": WORK,
    "residents.rent_notice": WORK,
    "rent.board": WORK,
    "rent.export_board": WORK,
    "rent.open_month": WORK,
    "rent.pay": WORK,
    "rent.payment_form": WORK,
    "rent.reverse_form": WORK,
    "rent.month_money": WORK,
    "rent.reverse": WORK,
    "rent.checkpoint": WORK,
    "rent.checkpoint_form": WORK,
    "rent.stats_page": WORK,
    "rent.export_stats": WORK,
    "rent.notices_print": WORK,
    "rent.reminders_print": WORK,
    "rent.reminders_sent": WORK,
    "rent.bank_imports": WORK,
    "rent.bank_import": WORK,
    "rent.confirm_import": WORK,
    "rent.assign_entry": WORK,
    "rent.discard_import": WORK,
    "rent.set_aside_entry": WORK,
    "reports.year_page": WORK,
    "reports.year_print": WORK,
    "reports.year_records": WORK,
    "reports.year_xlsx": WORK,
    "portal.index": {LANDLORD},
    "portal.unit": {LANDLORD},
    "portal.case": {LANDLORD},
    "portal.reply": {LANDLORD},
    "portal.new_case": {LANDLORD},
    "portal.offer": {LANDLORD},
    "portal.accept": EVERYONE,
    "portal.preview": WORK,
    "portal.invite": {MANAGER},
    "portal.cases": UNIT,
    "portal.staff_case": UNIT,
    "portal.staff_new_case": UNIT,
    "portal.staff_reply": UNIT,
    "portal.close": UNIT,
    # The old addresses of the residents' pages answer 308 to the new ones, for the same roles.
    "moved.index": WORK,
    "moved.outcomes": WORK,
    "moved.detail": WORK,
    "moved.notice": WORK,
    "moved.move_out": WORK,
    "moved.rent": WORK,
    "moved.create_plan": WORK,
    "moved.record_notice": WORK,
    "moved.rent_money": WORK,
    "road.step": WORK,
    "road.mark": WORK,
    "road.consent": WORK,
    "road.withdraw": WORK,
    "road.harm": {MANAGER},
    "road.ask": {MANAGER},
    "road.transfer": {MANAGER},
    "road.settings": {MANAGER},
    "portal.lease_request": {LANDLORD},
    "portal.answer_lease_request": {LANDLORD},
}
# Sent last: they end the session or change the language of the ones after them.
LAST = ("auth.set_language", "auth.logout")


# The pages and actions about one person, asked for with the protected resident's ids: open
# to the manager and their contact person (whom the world also makes responsible for the
# referral), forbidden to other staff.
PROTECTED_RECORD = {
    "matching.match",
    "matching.advance",
    "matching.decline",
    "matching.move_in",
    "matching.change_move_in_date",
    "referrals.detail",
    "referrals.edit",
    "referrals.record_contact",
    "referrals.set_status",
    "residents.detail",
    "residents.rent",
    "residents.rent_notice",
    "residents.move_out",
    "residents.notice",
    "residents.rent_money",
    "residents.record_notice",
    "residents.create_plan",
    "rent.pay",
    "rent.payment_form",
    "rent.reverse_form",
    "rent.month_money",
    "rent.reverse",
    "rent.checkpoint",
    "rent.checkpoint_form",
    "road.step",
    "road.mark",
    "road.consent",
    "road.withdraw",
}
# The unit's side of a case: the caretaker opens the fault reports their list shows, and the
# world's cases are about other things.
CASE_PAGES = {"portal.staff_case", "portal.staff_reply", "portal.close"}


def expected(endpoint: str, variant: str, actor: str, method: str) -> str:
    """What should happen: 'open', 'login', 'forbidden', 'not_found' or 'allowed'."""
    allowed = ALLOWED[endpoint]
    if allowed == EVERYONE:
        return "open"
    if actor == "anonymous":
        return "login"
    if ACTOR_ROLES.get(actor, actor) not in allowed:
        return "forbidden"
    if endpoint in PROTECTED_RECORD and actor == STAFF:
        return "forbidden"
    if endpoint in CASE_PAGES and actor == CARETAKER:
        return "not_found"
    owner = {"own": "landlord", "other": "other_landlord"}.get(variant)
    if owner and ACTOR_ROLES.get(actor) == LANDLORD and actor != owner:
        return "not_found"
    return "allowed"


def outcome(response) -> str:
    """What did happen, in the same words."""
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status in (301, 302, 303) and response.headers["Location"].startswith("/login"):
        return "login"
    if status in (401, 403):
        return "forbidden"
    if status == 404:
        return "not_found"
    return "allowed"


def agrees(endpoint: str, wanted: str, got: str, method: str) -> bool:
    if endpoint == "auth.logout" and wanted == "allowed":
        return got == "login"
    if wanted == "open":
        return got in ("allowed", "not_found", "login")
    if wanted == "allowed":
        # A form sent with a token and nothing else may be refused as invalid (400/422)
        # or not found, but never as forbidden or with an error.
        return got in ("allowed", "not_found") if method == "POST" else got == "allowed"
    return wanted == got


@pytest.fixture
def world(app, make_user, make_landlord):
    with app.app_context():
        return build(make_user, make_landlord)


@pytest.fixture
def clients(app, world):
    """A logged-in client per actor (and one that never logs in)."""
    made = {}
    for actor in ACTORS:
        made[actor] = app.test_client()
        if actor != "anonymous":
            login(made[actor], world.users[actor])
    return made


def _requests(app, world):
    """(endpoint, variant, method, url) for every rule, GETs first and the session's end last."""
    found = []
    for rule in rules_of(app):
        for method in sorted(rule.methods & {"GET", "POST"}):
            for variant, url in urls(app, world, rule):
                found.append((rule.endpoint, variant, method, url))
    return sorted(
        found, key=lambda r: (r[2] == "POST", r[0] in LAST, LAST.index(r[0]) if r[0] in LAST else 0)
    )


def test_the_table_names_every_endpoint(app):
    endpoints = {rule.endpoint for rule in rules_of(app)}
    assert endpoints == set(ALLOWED)


def test_every_endpoint_as_every_actor_does_what_the_table_says(app, world, clients):
    tokens = {
        actor: csrf_token(client, "/login" if actor == "anonymous" else "/account/password")
        for actor, client in clients.items()
    }
    unexpected = []
    for endpoint, variant, method, url in _requests(app, world):
        for actor, client in clients.items():
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": tokens[actor]})
            wanted, got = expected(endpoint, variant, actor, method), outcome(response)
            if not agrees(endpoint, wanted, got, method):
                unexpected.append((method, url, actor, wanted, got, response.status_code))
    assert not unexpected, "\n".join(map(str, unexpected))


@pytest.mark.page_reading
def test_no_page_view_writes_anything_but_the_audit_log(app, world, clients):
    before = snapshot()
    audit_before = AuditEvent.select().count()
    for _endpoint, _variant, method, url in _requests(app, world):
        if method != "GET":
            continue
        for client in clients.values():
            client.get(url)
            client.get(url, headers={"HX-Request": "true"})
    assert snapshot() == before
    assert AuditEvent.select().count() > audit_before


def test_may_answers_what_the_table_says(app):
    """The menu and the templates ask ``may(endpoint)``: for every endpoint and role it
    says what this table says."""
    from types import SimpleNamespace

    from intranet.security import may

    wrong = []
    with app.test_request_context():
        for endpoint, allowed in ALLOWED.items():
            if allowed == EVERYONE:
                continue
            for role in SIGNED_IN:
                user = SimpleNamespace(role=role, is_authenticated=True)
                if may(endpoint, user) != (role in allowed):
                    wrong.append((endpoint, role))
    assert not wrong, wrong

"""A marker in every personal field; every page, partial, download and error page fetched as
every actor: each marker shows only to those who may see it, and never to a landlord."""

import pytest
from conftest import login
from security_world import (
    ACTORS,
    ADDRESS_MARKER,
    PERSON_MARKERS,
    PROTECTED_MARKER,
    build,
    case_marker,
    consent_marker,
    protected_details,
    rules_of,
    text_of,
    urls,
)

from intranet.models import AuditEvent, Role

# Who may see a resident's or referral's personal details: the unit's staff and manager.
SEE_PEOPLE = {Role.MANAGER, "contact", Role.STAFF}
# A protected person's address beside their details: the manager and their contact person.
SEE_PROTECTED_ADDRESS = {Role.MANAGER, "contact"}
# A protected person's record at all (their name): the same people; everyone else sees
# "Skyddade personuppgifter" and nothing of theirs.
SEE_PROTECTED = {Role.MANAGER, "contact"}
# The notes kept about a person (a home visit's and a meeting's notes and plans, a
# reversal's reason, a decline's note, a notice's text, an outcome's note, a repayment
# plan's note): the manager and the person's contact person; other staff see the steps.
NOTE_MARKERS = {
    "zqxCNOTEqz",
    "zqxCPLANqz",
    "zqxPREVqz",
    "zqxMDECLqz",
    "zqxNOTICEqz",
    "zqxTOUTqz",
    "zqxPLANqz",
}
SEE_NOTES = {Role.MANAGER, "contact"}
# A landlord's case: the unit's people and that landlord.
SEE_CASE = {Role.MANAGER, "contact", Role.STAFF, Role.CARETAKER}


@pytest.fixture
def world(app, make_user, make_landlord):
    with app.app_context():
        return build(make_user, make_landlord)


def _leaks(actor: str, text: str, world) -> list[str]:
    """The markers in ``text`` that ``actor`` may not see."""
    found = []
    people = [m for m in [*PERSON_MARKERS.values(), PROTECTED_MARKER] if m in text]
    if people and actor not in SEE_PEOPLE:
        found += people
    elif PROTECTED_MARKER in text and actor not in SEE_PROTECTED:
        found.append(PROTECTED_MARKER)
    if actor in SEE_PEOPLE and actor not in SEE_NOTES:
        found += [marker for marker in NOTE_MARKERS if marker in text]
    if PROTECTED_MARKER in text and ADDRESS_MARKER in text and actor not in SEE_PROTECTED_ADDRESS:
        found.append(ADDRESS_MARKER)
    if actor not in SEE_PROTECTED:
        found += [detail for detail in protected_details(world.protected) if detail in text]
    for owner, landlord_id in world.landlord_ids.items():
        marker = case_marker(landlord_id)
        if marker in text and actor not in SEE_CASE | {owner}:
            found.append(marker)
        # A resident who consented is named to their flat's landlord, in that landlord's
        # request only; the one who withdrew is named to no landlord (the markers above).
        marker = consent_marker(landlord_id)
        if marker in text and actor not in SEE_PEOPLE | {owner}:
            found.append(marker)
    return found


def _addresses(app, world):
    """Every page and download as a GET, the POST-only ones too (their 405 page), and a
    page that does not exist."""
    found = [
        "/referrals/999999",
        "/no-such-page",
        f"/matching/?flat={world.ids['flat_id']}&within=14",
    ]
    for rule in rules_of(app):
        found += [url for _variant, url in urls(app, world, rule)]
    return sorted(set(found))


def test_personal_data_shows_only_to_those_who_may_see_it(app, world):
    leaks, seen = [], set()
    for actor in ACTORS:
        client = app.test_client()
        if actor != "anonymous":
            login(client, world.users[actor])
        for url in _addresses(app, world):
            for headers in ({}, {"HX-Request": "true"}):
                text = text_of(client.get(url, headers=headers))
                seen.update(m for m in [*PERSON_MARKERS.values(), PROTECTED_MARKER] if m in text)
                seen.update(d for d in protected_details(world.protected) if d in text)
                seen.update(
                    consent_marker(i)
                    for i in world.landlord_ids.values()
                    if consent_marker(i) in text
                )
                for marker in _leaks(actor, text, world):
                    leaks.append((actor, url, bool(headers), marker))
    assert not leaks, "\n".join(map(str, leaks))
    # The scan proves something only if the markers are shown somewhere.
    assert seen >= {"zqxRFIRSTqz", "zqxRLASTqz", "zqxRNOTESqz", PROTECTED_MARKER}
    assert seen >= NOTE_MARKERS
    assert seen >= {"zqxPDISTqz", "zqxXDISTqz", world.protected.payment_reference}
    # Each landlord read their own request, with the name the resident consented to give.
    assert seen >= {consent_marker(i) for i in world.landlord_ids.values()}


@pytest.mark.parametrize("actor", [Role.MANAGER, Role.STAFF])
def test_every_request_that_shows_personal_data_is_logged_once(app, world, actor):
    client = app.test_client()
    login(client, world.users[actor])
    unlogged = []
    for url in _addresses(app, world):
        for headers in ({}, {"HX-Request": "true"}):
            before = AuditEvent.select().count()
            text = text_of(client.get(url, headers=headers))
            written = AuditEvent.select().count() - before
            if (
                any(m in text for m in [*PERSON_MARKERS.values(), PROTECTED_MARKER])
                and written != 1
            ):
                unlogged.append((url, bool(headers), written))
    assert not unlogged, "\n".join(map(str, unlogged))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_refused_post_that_shows_personal_data_is_logged(app, world):
    """A form sent back with its errors (422) shows the person again: every POST address,
    sent empty in place and as a page, writes an audit line whenever its answer shows
    anyone's details."""
    from conftest import csrf_token

    client = app.test_client()
    login(client, world.users[Role.MANAGER])
    token = csrf_token(client, f"/residents/{world.ids['tenancy_id']}")
    unlogged, shown = [], 0
    for rule in rules_of(app):
        if "POST" not in rule.methods or rule.endpoint in ("auth.logout", "auth.set_language"):
            continue
        for _variant, url in urls(app, world, rule):
            for headers in ({}, {"HX-Request": "true"}):
                before = AuditEvent.select().count()
                response = client.post(url, data={"csrf_token": token}, headers=headers)
                text = text_of(response)
                if 300 <= response.status_code < 400:
                    continue
                if any(m in text for m in [*PERSON_MARKERS.values(), PROTECTED_MARKER]):
                    shown += 1
                    if AuditEvent.select().count() == before:
                        unlogged.append((rule.endpoint, url, bool(headers)))
    assert not unlogged, "\n".join(map(str, unlogged))
    assert shown >= 5  # the check read answers that show people

"""The staff member responsible for a referral may see a protected person's record before
move-in, so only the manager assigns them, in the audit log; an edit of a referral is in the
audit log; after move-in the responsible person is no longer let in by that right."""

import pytest
from conftest import login, post_form
from test_referrals import TODAY, _form, make_referral

from intranet import clock
from intranet.models import AuditEvent, Commissioner, Referral, Role
from intranet.referrals import services


@pytest.fixture
def world(app, make_user):
    clock.set_clock(TODAY)
    commissioner = Commissioner.create(name="Socialtjänsten Farsta")
    staff = make_user(Role.STAFF, display_name="Johan Berg")
    manager = make_user(Role.MANAGER, display_name="Maria Chef")
    referral = make_referral(commissioner, protected_identity=True)
    return commissioner, staff, manager, referral


def _edit(client, referral, **fields):
    url = f"/referrals/{referral.id}/edit"
    data = _form(referral.commissioner, revision=str(referral.revision), **fields)
    return post_form(client, url, data, url)


def test_staff_cannot_make_themselves_responsible_through_the_edit_form(client, world):
    commissioner, staff, _manager, _protected = world
    referral = make_referral(commissioner, first_name="Ali")
    login(client, staff)
    assert 'name="responsible"' not in client.get(f"/referrals/{referral.id}/edit").get_data(
        as_text=True
    )
    response = _edit(client, referral, responsible=str(staff.id))
    assert response.status_code == 303
    assert Referral.get_by_id(referral.id).responsible_id is None
    edited = AuditEvent.get((AuditEvent.action == "edited") & (AuditEvent.actor == staff.id))
    assert edited.subject_id == referral.id


def test_the_service_refuses_a_responsible_set_by_anyone_but_the_manager(world):
    _commissioner, staff, _manager, referral = world
    with pytest.raises(services.ReferralError, match="manager"):
        services.update_referral(referral.id, referral.revision, staff, responsible=staff.id)
    assert Referral.get_by_id(referral.id).responsible_id is None


def test_the_manager_assigns_the_responsible_staff_member_in_the_audit_log(client, world):
    _commissioner, staff, manager, referral = world
    login(client, manager)
    assert _edit(client, referral, responsible=str(staff.id)).status_code == 303
    assert Referral.get_by_id(referral.id).responsible_id == staff.id
    event = AuditEvent.get(AuditEvent.action == "assigned")
    assert (event.actor_id, event.subject_id) == (manager.id, referral.id)
    assert event.detail == f"responsible - -> {staff.id}"


def test_the_responsible_staff_member_sees_the_address_until_move_in(world):
    _commissioner, staff, manager, referral = world
    services.update_referral(referral.id, referral.revision, manager, responsible=staff.id)
    referral = Referral.get_by_id(referral.id)
    assert services.may_see_person(referral, staff)
    Referral.update(status="moved_in").where(Referral.id == referral.id).execute()
    assert not services.may_see_person(Referral.get_by_id(referral.id), staff)
    assert services.may_see_person(Referral.get_by_id(referral.id), staff, [staff.id])
    assert services.may_see_person(Referral.get_by_id(referral.id), manager)

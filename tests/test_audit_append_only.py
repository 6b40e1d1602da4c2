"""The application's own connection cannot change or remove a line of the audit log."""

import pytest
from peewee import DatabaseError

from intranet.extensions import db
from intranet.models import AuditEvent


@pytest.fixture
def line(app, make_user):
    return AuditEvent.record(make_user("manager"), "opened", "referral", 7, "resident page")


@pytest.mark.parametrize(
    "change",
    [
        lambda line: AuditEvent.update(detail="nothing").where(AuditEvent.id == line.id),
        lambda line: AuditEvent.update(actor=None),
        lambda line: AuditEvent.delete().where(AuditEvent.id == line.id),
        lambda line: AuditEvent.delete(),
    ],
    ids=["update one", "update all", "delete one", "delete all"],
)
def test_a_line_cannot_be_changed_or_removed(line, change):
    with pytest.raises(DatabaseError, match="append-only"):
        with db.atomic():
            change(line).execute()
    assert AuditEvent.get_by_id(line.id).detail == "resident page"
    assert AuditEvent.select().count() == 1


def test_lines_are_still_added(line):
    AuditEvent.record(None, "exported", "referral", 7, "data access export")
    assert AuditEvent.select().count() == 2

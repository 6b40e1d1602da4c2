"""The application's own connection cannot change or remove a line of the audit log, by any
statement that SQL has for it, on SQLite and on PostgreSQL."""

import pytest
from peewee import DatabaseError

from intranet.extensions import db
from intranet.models import AuditEvent, User

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
on_postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

COLUMNS = "(id, at, actor_id, action, subject_type, subject_id, detail)"


def _values(line) -> str:
    return f"({line.id}, '2020-01-01 00:00:00', NULL, 'opened', 'referral', 8, 'rewritten')"


@pytest.fixture
def line(app, make_user):
    return AuditEvent.record(make_user("manager"), "opened", "referral", 7, "resident page")


def _refused(line, change):
    """``change`` fails as the audit log's refusal, and the line is as it was."""
    before = (AuditEvent.select().count(), User.select().count())
    with pytest.raises(DatabaseError, match="append-only"):
        with db.atomic():
            change(line)
    kept = AuditEvent.get_by_id(line.id)
    assert (kept.detail, kept.subject_id, kept.actor_id) == ("resident page", 7, line.actor_id)
    assert (AuditEvent.select().count(), User.select().count()) == before


def _sql(template):
    return lambda line: db.execute_sql(template.format(id=line.id, values=_values(line)))


EVERYWHERE = {
    "update one": lambda line: (
        AuditEvent.update(detail="nothing").where(AuditEvent.id == line.id).execute()
    ),
    "update all": lambda line: AuditEvent.update(actor=None).execute(),
    "delete one": lambda line: AuditEvent.delete().where(AuditEvent.id == line.id).execute(),
    "delete all": lambda line: AuditEvent.delete().execute(),
    "upsert": _sql(
        f"INSERT INTO audit_event {COLUMNS} VALUES {{values}} "
        "ON CONFLICT (id) DO UPDATE SET detail = excluded.detail"
    ),
    "upsert (peewee)": lambda line: (
        AuditEvent.insert(id=line.id, action="opened", subject_type="referral", detail="rewritten")
        .on_conflict(conflict_target=[AuditEvent.id], update={AuditEvent.detail: "rewritten"})
        .execute()
    ),
}

SQLITE = {
    "replace into": _sql(f"REPLACE INTO audit_event {COLUMNS} VALUES {{values}}"),
    "insert or replace": _sql(f"INSERT OR REPLACE INTO audit_event {COLUMNS} VALUES {{values}}"),
    "replace (peewee)": lambda line: AuditEvent.replace(
        id=line.id, action="opened", subject_type="referral", detail="rewritten"
    ).execute(),
    "insert, on conflict replace (peewee)": lambda line: (
        AuditEvent.insert(id=line.id, action="opened", subject_type="referral", detail="x")
        .on_conflict_replace()
        .execute()
    ),
    "update or replace": _sql("UPDATE OR REPLACE audit_event SET detail = 'rewritten'"),
}

POSTGRES = {
    "truncate": _sql("TRUNCATE audit_event"),
    "truncate, restart identity": _sql("TRUNCATE audit_event RESTART IDENTITY"),
    "truncate another table, cascading": _sql('TRUNCATE "user" CASCADE'),
    "merge, update": _sql(
        "MERGE INTO audit_event a USING (SELECT {id} AS id) s ON a.id = s.id "
        "WHEN MATCHED THEN UPDATE SET detail = 'rewritten'"
    ),
    "merge, delete": _sql(
        "MERGE INTO audit_event a USING (SELECT {id} AS id) s ON a.id = s.id "
        "WHEN MATCHED THEN DELETE"
    ),
}


@pytest.mark.parametrize("change", EVERYWHERE.values(), ids=EVERYWHERE.keys())
def test_a_line_cannot_be_changed_or_removed(line, change):
    _refused(line, change)


@on_sqlite
@pytest.mark.parametrize("change", SQLITE.values(), ids=SQLITE.keys())
def test_on_sqlite_a_line_cannot_be_replaced(line, change):
    _refused(line, change)


@on_postgres
@pytest.mark.parametrize("change", POSTGRES.values(), ids=POSTGRES.keys())
def test_on_postgresql_the_log_cannot_be_truncated_or_merged_over(line, change):
    _refused(line, change)


@on_sqlite
def test_every_sqlite_connection_fires_the_delete_trigger_on_a_replace(app):
    """With recursive triggers on, the row a REPLACE removes fires its delete trigger."""
    for _ in range(2):
        db.connect(reuse_if_open=True)
        assert db.execute_sql("PRAGMA recursive_triggers").fetchone() == (1,)
        db.close()


@on_sqlite
def test_on_sqlite_the_insert_trigger_alone_refuses_a_replace(line):
    """A connection that did not turn recursive triggers on is refused too."""
    db.execute_sql("PRAGMA recursive_triggers = OFF")
    try:
        _refused(line, SQLITE["replace into"])
    finally:
        db.execute_sql("PRAGMA recursive_triggers = ON")


@on_sqlite
def test_on_sqlite_recursive_triggers_alone_refuse_a_replace(line):
    """Without the insert trigger, the delete trigger refuses the REPLACE."""
    with db.atomic() as transaction:
        db.execute_sql("DROP TRIGGER audit_event_no_replace")
        _refused(line, SQLITE["replace into"])
        transaction.rollback()
    trigger = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?"
    assert db.execute_sql(trigger, ("audit_event_no_replace",)).fetchone() == (1,)


def test_lines_are_still_added(line):
    AuditEvent.record(None, "exported", "referral", 7, "data access export")
    AuditEvent.insert(action="opened", subject_type="referral", detail="").execute()
    assert AuditEvent.select().count() == 3

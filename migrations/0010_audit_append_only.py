"""The audit log is append-only: the database itself refuses to change or delete a line."""

from peewee import PostgresqlDatabase

MESSAGE = "the audit log is append-only"

SQLITE_UP = [
    f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]
POSTGRES_UP = [
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]


def _run(db, statements):
    for sql in statements:
        db.execute_sql(sql)


def up(migrator, db):
    _run(db, POSTGRES_UP if isinstance(db, PostgresqlDatabase) else SQLITE_UP)


def down(migrator, db):
    _run(db, POSTGRES_DOWN if isinstance(db, PostgresqlDatabase) else SQLITE_DOWN)

"""The audit log refuses the rewrites that slipped past 0010's triggers.

On SQLite, ``REPLACE INTO`` and ``INSERT OR REPLACE`` remove the line they collide with
without firing its delete trigger (unless ``recursive_triggers`` is on, as the application
now turns it on for every connection), and an upsert (``INSERT ... ON CONFLICT DO UPDATE``)
collides first: a line may only be added with an id no line has. A statement that gives no
id is seen by the trigger with the id -1, so -1 is left out of the check.

On PostgreSQL, ``TRUNCATE`` fires no row triggers: a statement trigger refuses it, also when
it comes from a ``TRUNCATE ... CASCADE`` of a table the log points at. An upsert's update is
refused by 0010's row trigger already.
"""

from peewee import PostgresqlDatabase

MESSAGE = "the audit log is append-only"

SQLITE_UP = [
    "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
    "WHEN NEW.id <> -1 AND EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_event_no_replace"]
POSTGRES_UP = [
    "CREATE FUNCTION audit_event_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_no_truncate()",
]


def _run(db, statements):
    for sql in statements:
        db.execute_sql(sql)


def up(migrator, db):
    _run(db, POSTGRES_UP if isinstance(db, PostgresqlDatabase) else SQLITE_UP)


def down(migrator, db):
    _run(db, POSTGRES_DOWN if isinstance(db, PostgresqlDatabase) else SQLITE_DOWN)

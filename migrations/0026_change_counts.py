"""The database counts its own changes: ``change_count`` holds, for each table, how many
times it has been written to. Results kept between requests (``intranet/cache.py``) are
found by these counts, read in one small query, so every server sees a write the moment it
is committed, whatever path made it.

SQLite runs one writer at a time, so a trigger on each row adds one at once. PostgreSQL
runs writers side by side: a statement notes its table in the transaction, and at commit
one deferred trigger adds one for each table noted, in the tables' order, so two
transactions never wait for each other's counts the other way round (no deadlock), and the
counts become visible with the rows they count, not before."""

from peewee import PostgresqlDatabase

# The audit log is written on every page view and read by nothing kept.
UNCOUNTED = {"audit_event", "schema_migration", "change_count"}
OPERATIONS = ("insert", "update", "delete")

TABLE = "CREATE TABLE change_count (topic VARCHAR(63) PRIMARY KEY, changes BIGINT NOT NULL)"

POSTGRES_FUNCTIONS = [
    "CREATE FUNCTION note_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE noted text := coalesce(current_setting('intranet.changed', true), ''); "
    "BEGIN "
    "IF position(' ' || TG_TABLE_NAME || ' ' in ' ' || noted) = 0 THEN "
    "PERFORM set_config('intranet.changed', noted || TG_TABLE_NAME || ' ', true); "
    "END IF; "
    "RETURN NULL; END $$",
    "CREATE FUNCTION count_changes() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE changed_table text; "
    "BEGIN "
    "FOR changed_table IN SELECT DISTINCT t FROM unnest(string_to_array("
    "trim(coalesce(current_setting('intranet.changed', true), '')), ' ')) AS t "
    "WHERE t <> '' ORDER BY 1 LOOP "
    "INSERT INTO change_count (topic, changes) VALUES (changed_table, 1) "
    "ON CONFLICT (topic) DO UPDATE SET changes = change_count.changes + 1; "
    "END LOOP; "
    "PERFORM set_config('intranet.changed', '', true); "
    "RETURN NULL; END $$",
]


def _tables(db) -> list[str]:
    return [t for t in db.get_tables() if t not in UNCOUNTED]


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f'CREATE TRIGGER "count_changes_{table}_{operation}" AFTER {operation.upper()} '
        f'ON "{table}" BEGIN INSERT INTO change_count (topic, changes) '
        f"VALUES ('{table}', 1) ON CONFLICT (topic) DO UPDATE SET changes = changes + 1; END"
        for operation in OPERATIONS
    ]


def _postgres_triggers(table: str) -> list[str]:
    return [
        f'CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION note_change()",
        f'CREATE CONSTRAINT TRIGGER count_changes AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_changes()",
    ]


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    tables = _tables(db)
    db.execute_sql(TABLE)
    for sql in POSTGRES_FUNCTIONS if postgres else []:
        db.execute_sql(sql)
    for table in tables:
        for sql in _postgres_triggers(table) if postgres else _sqlite_triggers(table):
            db.execute_sql(sql)


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for table in _tables(db):
        if postgres:
            db.execute_sql(f'DROP TRIGGER IF EXISTS note_change ON "{table}"')
            db.execute_sql(f'DROP TRIGGER IF EXISTS count_changes ON "{table}"')
        else:
            for operation in OPERATIONS:
                db.execute_sql(f'DROP TRIGGER IF EXISTS "count_changes_{table}_{operation}"')
    if postgres:
        db.execute_sql("DROP FUNCTION IF EXISTS count_changes()")
        db.execute_sql("DROP FUNCTION IF EXISTS note_change()")
    db.execute_sql("DROP TABLE change_count")

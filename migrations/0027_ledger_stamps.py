"""Each tenancy's rent ledger has a stamp: ``ledger_stamp`` holds, for each tenancy, how
many times the summaries of its months (``rent_month``) have been written. A result read
from many residents' months (the roads' rent conditions) is kept per resident with the
stamp it was read at, and after a payment only the residents whose stamp moved are read
again, not every resident's months.

The database keeps the stamps itself, so no path that writes the ledger can forget them.
SQLite runs a trigger for each row. PostgreSQL runs one for each statement, over the rows
it wrote, taking the stamps' locks in the tenancies' order. A writer of a tenancy's months
already holds that tenancy, so two writers never wait for each other's stamps the other
way round."""

from peewee import PostgresqlDatabase

TABLE = "CREATE TABLE ledger_stamp (tenancy_id INTEGER PRIMARY KEY, stamp BIGINT NOT NULL)"


def _sqlite_upsert(row: str) -> str:
    return (
        f"INSERT INTO ledger_stamp (tenancy_id, stamp) VALUES ({row}.tenancy_id, 1) "
        "ON CONFLICT (tenancy_id) DO UPDATE SET stamp = stamp + 1;"
    )


SQLITE_TRIGGERS = [
    "CREATE TRIGGER stamp_ledger_insert AFTER INSERT ON rent_month BEGIN "
    f"{_sqlite_upsert('NEW')} END",
    "CREATE TRIGGER stamp_ledger_delete AFTER DELETE ON rent_month BEGIN "
    f"{_sqlite_upsert('OLD')} END",
    "CREATE TRIGGER stamp_ledger_update AFTER UPDATE ON rent_month BEGIN "
    f"{_sqlite_upsert('NEW')} {_sqlite_upsert('OLD')} END",
]


def _postgres_function(name: str, rows: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO ledger_stamp (tenancy_id, stamp) "
        f"SELECT tenancy_id, 1 FROM (SELECT DISTINCT tenancy_id FROM ({rows}) AS written) "
        "AS tenancies ORDER BY tenancy_id "
        "ON CONFLICT (tenancy_id) DO UPDATE SET stamp = ledger_stamp.stamp + 1; "
        "RETURN NULL; END $$"
    )


POSTGRES = [
    _postgres_function("stamp_ledger_new", "SELECT tenancy_id FROM new_rows"),
    _postgres_function("stamp_ledger_old", "SELECT tenancy_id FROM old_rows"),
    _postgres_function(
        "stamp_ledger_both",
        "SELECT tenancy_id FROM new_rows UNION SELECT tenancy_id FROM old_rows",
    ),
    "CREATE TRIGGER stamp_ledger_insert AFTER INSERT ON rent_month "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stamp_ledger_new()",
    "CREATE TRIGGER stamp_ledger_delete AFTER DELETE ON rent_month "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stamp_ledger_old()",
    "CREATE TRIGGER stamp_ledger_update AFTER UPDATE ON rent_month "
    "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION stamp_ledger_both()",
]


def up(migrator, db):
    db.execute_sql(TABLE)
    for sql in POSTGRES if isinstance(db, PostgresqlDatabase) else SQLITE_TRIGGERS:
        db.execute_sql(sql)


def down(migrator, db):
    for operation in ("insert", "delete", "update"):
        if isinstance(db, PostgresqlDatabase):
            db.execute_sql(f"DROP TRIGGER IF EXISTS stamp_ledger_{operation} ON rent_month")
        else:
            db.execute_sql(f"DROP TRIGGER IF EXISTS stamp_ledger_{operation}")
    if isinstance(db, PostgresqlDatabase):
        for name in ("new", "old", "both"):
            db.execute_sql(f"DROP FUNCTION IF EXISTS stamp_ledger_{name}()")
    db.execute_sql("DROP TABLE ledger_stamp")

"""Each tenancy's rent ledger has a stamp: ``ledger_stamp`` holds, for each tenancy, how
many times the summaries of its months (``rent_month``) and the checkpoints done for them
(``checkpoint``) have been written. A result read from many residents' months (the month's
counts, the roads' rent conditions) is kept per resident with the stamp it was read at,
and after a payment or a home visit only the residents whose stamp moved are read again,
not every resident's months.

The database keeps the stamps itself, so no path that writes the ledger can forget them.
The stamps table's own writes are counted like every other table's (``change_count``,
migration 0026), so a process reads the stamps again only after one has moved.
SQLite runs a trigger for each row. PostgreSQL runs one for each statement, over the rows
it wrote, taking the stamps' locks in the tenancies' order. A writer of a tenancy's months
already holds that tenancy, so two writers never wait for each other's stamps the other
way round."""

from peewee import PostgresqlDatabase

TABLE = "CREATE TABLE ledger_stamp (tenancy_id INTEGER PRIMARY KEY, stamp BIGINT NOT NULL)"

# Each stamped table, and how a row of it names its tenancy (``{row}`` is NEW or OLD on
# SQLite, a transition table's row on PostgreSQL).
STAMPED = {
    "rent_month": "{row}.tenancy_id",
    "checkpoint": "(SELECT tenancy_id FROM rent_charge WHERE rent_charge.id = {row}.charge_id)",
}
OPERATIONS = ("insert", "delete", "update")


def _sqlite_upsert(table: str, row: str) -> str:
    tenancy = STAMPED[table].format(row=row)
    return (
        f"INSERT INTO ledger_stamp (tenancy_id, stamp) SELECT {tenancy}, 1 WHERE {tenancy} "
        "IS NOT NULL ON CONFLICT (tenancy_id) DO UPDATE SET stamp = stamp + 1;"
    )


def _sqlite_triggers(table: str) -> list[str]:
    rows = {"insert": ("NEW",), "delete": ("OLD",), "update": ("NEW", "OLD")}
    return [
        f"CREATE TRIGGER stamp_ledger_{table}_{operation} AFTER {operation.upper()} "
        f"ON {table} BEGIN {' '.join(_sqlite_upsert(table, row) for row in rows[operation])} END"
        for operation in OPERATIONS
    ]


def _postgres(table: str) -> list[str]:
    written = {
        "new": "SELECT * FROM new_rows",
        "old": "SELECT * FROM old_rows",
        "both": "SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows",
    }
    sql = []
    for name, rows in written.items():
        tenancy = STAMPED[table].format(row="written")
        sql.append(
            f"CREATE FUNCTION stamp_ledger_{table}_{name}() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN INSERT INTO ledger_stamp (tenancy_id, stamp) "
            f"SELECT DISTINCT {tenancy}, 1 FROM ({rows}) AS written "
            f"WHERE {tenancy} IS NOT NULL ORDER BY 1 "
            "ON CONFLICT (tenancy_id) DO UPDATE SET stamp = ledger_stamp.stamp + 1; "
            "RETURN NULL; END $$"
        )
    referencing = {
        "insert": ("NEW TABLE AS new_rows", "new"),
        "delete": ("OLD TABLE AS old_rows", "old"),
        "update": ("NEW TABLE AS new_rows OLD TABLE AS old_rows", "both"),
    }
    for operation, (tables, function) in referencing.items():
        sql.append(
            f"CREATE TRIGGER stamp_ledger_{operation} AFTER {operation.upper()} ON {table} "
            f"REFERENCING {tables} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION stamp_ledger_{table}_{function}()"
        )
    return sql


# The stamps' own count, as migration 0026 counts every table.
COUNTED_SQLITE = [
    f'CREATE TRIGGER "count_changes_ledger_stamp_{operation}" AFTER {operation.upper()} '
    "ON ledger_stamp BEGIN INSERT INTO change_count (topic, changes) "
    "VALUES ('ledger_stamp', 1) ON CONFLICT (topic) DO UPDATE SET changes = changes + 1; END"
    for operation in OPERATIONS
]
COUNTED_POSTGRES = [
    "CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE ON ledger_stamp "
    "FOR EACH STATEMENT EXECUTE FUNCTION note_change()",
    "CREATE CONSTRAINT TRIGGER count_changes AFTER INSERT OR UPDATE OR DELETE ON ledger_stamp "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_changes()",
]


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    db.execute_sql(TABLE)
    for sql in COUNTED_POSTGRES if postgres else COUNTED_SQLITE:
        db.execute_sql(sql)
    for table in STAMPED:
        for sql in _postgres(table) if postgres else _sqlite_triggers(table):
            db.execute_sql(sql)


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for table in STAMPED:
        for operation in OPERATIONS:
            if postgres:
                db.execute_sql(f"DROP TRIGGER IF EXISTS stamp_ledger_{operation} ON {table}")
            else:
                db.execute_sql(f"DROP TRIGGER IF EXISTS stamp_ledger_{table}_{operation}")
        for name in ("new", "old", "both") if postgres else ():
            db.execute_sql(f"DROP FUNCTION IF EXISTS stamp_ledger_{table}_{name}()")
    db.execute_sql("DROP TABLE ledger_stamp")  # its own triggers go with it

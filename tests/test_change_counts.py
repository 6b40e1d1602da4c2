"""The database counts its own changes (migration 0026): every table but the audit log has
the triggers, a write by any path (even plain SQL) changes its count, a write undone does
not, and on PostgreSQL two writers never wait for each other's counts the other way round,
and a count is seen only with the rows it counts."""

import threading

import psycopg
import pytest
from conftest import pay_on_board
from helpers import count_queries, open_rent_month

from intranet import cache, clock
from intranet.extensions import db
from intranet.models import Commissioner, RentCharge
from intranet.rent import board, rules

UNCOUNTED = {"audit_event", "schema_migration", "change_count"}


def _postgres() -> bool:
    return db.obj.__class__.__name__.startswith("Postgres")


def test_every_table_but_the_audit_log_is_counted(app):
    """A table a later migration adds must get its triggers there too."""
    db.connect(reuse_if_open=True)
    tables = set(db.get_tables()) - UNCOUNTED
    if _postgres():
        rows = db.execute_sql(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname IN ('note_change', 'count_changes')"
        ).fetchall()
        counted = {(table, trigger) for table, trigger in rows}
        expected = {(t, trigger) for t in tables for trigger in ("note_change", "count_changes")}
    else:
        rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        counted = {name for (name,) in rows if name.startswith("count_changes_")}
        expected = {
            f"count_changes_{t}_{operation}"
            for t in tables
            for operation in ("insert", "update", "delete")
        }
    assert expected <= counted, sorted(expected - counted)


def test_a_write_by_any_path_changes_its_count_and_a_write_undone_does_not(app, make_landlord):
    landlord = make_landlord()
    (before,) = cache.changes("landlord")
    db.execute_sql(f"UPDATE landlord SET notes = 'skrivet direkt' WHERE id = {landlord.id}")
    (after,) = cache.changes("landlord")
    assert after > before
    with db.atomic() as transaction:
        db.execute_sql(f"UPDATE landlord SET notes = 'ångrat' WHERE id = {landlord.id}")
        transaction.rollback()
    assert cache.changes("landlord") == (after,)
    assert cache.changes("no_such_table") == (0,)


def test_the_month_counts_are_kept_until_a_write_changes_them(app, rent_client, rent_world):
    rent_world[1]("Sara")
    open_rent_month()
    today, month = clock.today(), rules.month_of(clock.today())
    first = board.month_counts(month, today)
    with count_queries() as log:
        assert board.month_counts(month, today) == first
    assert len(log) == 2  # the version and the ledger's stamps only
    paid = pay_on_board(rent_client, RentCharge.get(), amount="6200")
    assert paid.status_code == 303
    after = board.month_counts(month, today)
    assert after != first and after["all"] == 1
    assert after.get(rules.NOT_YET_PAID, 0) == first[rules.NOT_YET_PAID] - 1


def _connect(url):
    return psycopg.connect(url, autocommit=False)


# SQLite runs one writer at a time: the question is PostgreSQL's.
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_writers_in_opposite_order_both_commit_and_counts_show_at_commit(
    database_url, app, make_landlord
):
    """One writes a landlord and then a flat's landlord's notes, the other the other way
    round, each holding its first write while the other makes its own: with the counts
    taken at commit in the tables' order, neither waits for the other in a circle."""
    first, second = make_landlord("Ett AB"), make_landlord("Två AB")
    commissioner = Commissioner.create(name="Socialtjänsten Väst").id
    before = cache.changes("landlord", "commissioner")
    both_wrote = threading.Barrier(2, timeout=20)
    failures = []

    def write(statements):
        try:
            with _connect(database_url) as connection:
                connection.execute(statements[0])
                both_wrote.wait()
                connection.execute(statements[1])
                connection.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    landlord_sql = "UPDATE landlord SET notes = 'x' WHERE id = %d"
    commissioner_sql = "UPDATE commissioner SET name = name || '.' WHERE id = %d"
    writers = [
        threading.Thread(
            target=write, args=([landlord_sql % first.id, commissioner_sql % commissioner],)
        ),
        threading.Thread(
            target=write, args=([commissioner_sql % commissioner, landlord_sql % second.id],)
        ),
    ]
    # The commissioner's row is the same for both: the second waits for the first's commit
    # on that row, as any two writers of one row do, and then commits.
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(30)
    assert not failures, failures
    assert cache.changes("landlord", "commissioner") == (before[0] + 2, before[1] + 2)

    # A write not yet committed is not counted yet.
    with _connect(database_url) as connection:
        connection.execute(landlord_sql % first.id)
        assert cache.changes("landlord") == (before[0] + 2,)
        connection.commit()
    assert cache.changes("landlord") == (before[0] + 3,)

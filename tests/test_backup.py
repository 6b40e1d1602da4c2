"""flask backup and flask restore, on SQLite and on PostgreSQL."""

import contextlib
import os
import sqlite3
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql.janitor import DatabaseJanitor

from intranet import backup
from intranet.models import Landlord, User


@pytest.fixture
def other_url(database_url, tmp_path, request):
    """A second database of the same kind that does not hold anything yet: a SQLite file
    not yet made, or a new PostgreSQL database without tables."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'intranet.sqlite3'}"
        return
    server = request.getfixturevalue("pg_server")
    janitor = DatabaseJanitor(
        user=server["user"],
        host=server["host"],
        port=server["port"],
        dbname="intranet_restored",
        password=server["password"],
    )
    janitor.init()
    password = f":{server['password']}" if server["password"] else ""
    try:
        yield (
            f"postgresql://{server['user']}{password}@{server['host']}:{server['port']}"
            "/intranet_restored"
        )
    finally:
        janitor.drop()


@contextlib.contextmanager
def _pointed_at(app, url):
    """The commands read DATABASE_URL when they run: point them at another database."""
    own = app.config["DATABASE_URL"]
    app.config["DATABASE_URL"] = url
    try:
        yield
    finally:
        app.config["DATABASE_URL"] = own


def run(app, runner, url, *args):
    with _pointed_at(app, url):
        return runner.invoke(args=list(args))


def all_rows(url) -> dict:
    """Every table's rows in a fixed order, and the schema, read past the application."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(backup.sqlite_path(url))
        try:
            schema = sorted(
                connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
            )
            tables = [name for kind, name, _sql in schema if kind == "table"]
            rows = {
                table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
                for table in tables
            }
        finally:
            connection.close()
        return {"schema": schema, **rows}
    with psycopg.connect(url) as connection:
        schema = sorted(
            connection.execute(
                "SELECT table_name, column_name, data_type, is_nullable "
                "FROM information_schema.columns WHERE table_schema = 'public'"
            ).fetchall()
        )
        # By name and kind: PostgreSQL writes a restored partial index's condition with other
        # casts, the same condition.
        indexes = sorted(
            (table, name, definition.startswith("CREATE UNIQUE"))
            for table, name, definition in connection.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            )
        )
        sequences = sorted(
            connection.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall()
        )
        tables = sorted({table for table, *_rest in schema})
        rows = {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }
    return {"schema": schema, "indexes": indexes, "sequences": sequences, **rows}


def test_a_backup_restores_row_for_row_and_a_restore_never_overwrites_data_unasked(
    app, runner, database_url, other_url, tmp_path
):
    empty, demo, later = (tmp_path / name for name in ("empty.bak", "demo.bak", "later.bak"))
    # A migrated database without data: restored into a new one, which then counts as empty.
    assert backup.table_with_data(database_url) is None
    assert runner.invoke(args=["backup", str(empty)]).exit_code == 0
    restored = run(app, runner, other_url, "restore", str(empty))
    assert restored.exit_code == 0, restored.output
    assert all_rows(other_url) == all_rows(database_url)

    assert runner.invoke(args=["demo"]).exit_code == 0
    result = runner.invoke(args=["backup", str(demo)])
    assert result.exit_code == 0, result.output
    assert os.stat(demo).st_mode & 0o777 == 0o600
    restored = run(app, runner, other_url, "restore", str(demo))
    assert restored.exit_code == 0, restored.output
    if other_url.startswith("postgres"):
        # The planner's statistics gathered, not left to the server's autovacuum.
        with psycopg.connect(other_url) as connection:
            (analyzed,) = connection.execute(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'tenancy'"
            ).fetchone()
        assert analyzed
    copy = all_rows(other_url)
    assert copy == all_rows(database_url)
    assert len(copy["payment"]) > 500 and len(copy["referral"]) > 50

    # The source moves on; its new backup is refused over the copy, which has data.
    added = runner.invoke(
        args=["users", "create", "--email", "ny@example.org", "--role", "staff"],
        env={"INTRANET_PASSWORD": "a long enough password"},
    )
    assert added.exit_code == 0, added.output
    assert runner.invoke(args=["backup", str(later)]).exit_code == 0
    refused = run(app, runner, other_url, "restore", str(later))
    assert refused.exit_code == 1
    assert "already has data" in refused.output and "--force" in refused.output
    assert all_rows(other_url) == copy
    forced = run(app, runner, other_url, "restore", str(later), "--force")
    assert forced.exit_code == 0, forced.output
    assert all_rows(other_url) == all_rows(database_url)
    assert all_rows(other_url) != copy


def test_a_backup_is_taken_while_the_intranet_writes(
    app, runner, database_url, other_url, tmp_path
):
    """Online: a write transaction open in another connection neither blocks the backup nor
    gets into it half done."""
    User.create(email="kvar@example.org", display_name="Kvar", role="staff", password_hash="x")
    target = tmp_path / "online.bak"
    insert = (
        "INSERT INTO landlord (name, created_at, kind, website, districts, notes, expected_flats, "
        "stage, stage_entered_at, declined_note, revision) VALUES ('Halvfärdig AB', "
        "'2027-01-01 09:00:00', 'other', '', '', '', 0, 'identified', '2027-01-01 09:00:00', '', 1)"
    )
    if database_url.startswith("sqlite"):
        writer = sqlite3.connect(backup.sqlite_path(database_url), isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
    else:
        writer = psycopg.connect(database_url)
    writer.execute(insert)
    try:
        result = runner.invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
    finally:
        writer.rollback()
        writer.close()
    restored = run(app, runner, other_url, "restore", str(target))
    assert restored.exit_code == 0, restored.output
    rows = all_rows(other_url)
    assert len(rows["user"]) == 1 and "kvar@example.org" in rows["user"][0]
    assert rows["landlord"] == []
    assert Landlord.select().count() == 0


def test_a_restore_refuses_what_is_not_its_backup(app, runner, database_url, tmp_path):
    User.create(email="kvar@example.org", display_name="Kvar", role="staff", password_hash="x")
    before = all_rows(database_url)
    junk = tmp_path / "junk.bak"
    junk.write_text("not a backup")
    other_kind = tmp_path / "other-kind.bak"
    if database_url.startswith("sqlite"):
        other_kind.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
    else:
        sqlite3.connect(other_kind).execute("CREATE TABLE t (x)").connection.close()
    for path, says in (
        (tmp_path / "missing.bak", "there is no backup file"),
        (junk, "is not a backup made by flask backup"),
        (other_kind, "restore it into the kind of database it came from"),
    ):
        result = runner.invoke(args=["restore", str(path), "--force"])
        assert result.exit_code == 1, path
        assert says in result.output
    assert all_rows(database_url) == before


def test_a_backup_needs_a_folder_to_write_in(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "no" / "such" / "folder.bak")])
    assert result.exit_code == 1
    assert "there is no folder" in result.output
    assert not (tmp_path / "no").exists()


def test_the_password_goes_in_the_environment_not_on_the_command_line(monkeypatch, tmp_path):
    url = "postgresql://intranet:s%40cret%3Aword@db.example:5433/intranet?sslmode=require"
    dsn, env = backup.pg_connection(url)
    assert dsn == "postgresql://intranet@db.example:5433/intranet?sslmode=require"
    assert env["PGPASSWORD"] == "s@cret:word"
    assert backup.shown(url) == dsn
    ran = []

    class Done:
        returncode, stderr = 0, ""

    def fake_run(command, env, **kwargs):
        ran.append((command, env))
        return Done()

    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    monkeypatch.setattr(backup, "table_with_data", lambda url: None)
    monkeypatch.setattr(backup, "_analyze", lambda url: None)  # no server at db.example
    target = tmp_path / "pg.bak"
    backup.backup(url, target)
    target.write_bytes(b"PGDMP")
    backup.restore(url, target)
    assert [Path(command[0]).name for command, _env in ran] == ["pg_dump", "pg_restore"]
    for command, env in ran:
        assert not any("s%40cret" in part or "s@cret" in part for part in command)
        assert dsn in command
        assert env["PGPASSWORD"] == "s@cret:word"


def test_the_newest_postgresql_programs_are_found():
    program = backup.pg_program("pg_dump")
    assert Path(program).name == "pg_dump" and os.access(program, os.X_OK)

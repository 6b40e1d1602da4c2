"""Backing up and restoring the whole database.

SQLite goes through SQLite's online backup API, which copies a consistent snapshot while
the intranet keeps running and writing. PostgreSQL goes through ``pg_dump --format=custom``
and ``pg_restore``, with the password in the environment (``PGPASSWORD``), never on the
command line where other users of the machine could read it.

A restore replaces everything in the target database, so it refuses a target that holds
any row in any of the application's tables unless forced.
"""

import glob
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump and pg_restore, with no shell
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from .database import private_sqlite_file

# The migration runner's own table: a freshly migrated database has rows only there.
MIGRATIONS_TABLE = "schema_migration"
# The database's count of its own writes (migration 0026) and the rent ledger's stamps
# (0027): a migration that adds rows counts them, and a migrated database is still empty
# of the unit's data.
BOOKKEEPING_TABLES = {MIGRATIONS_TABLE, "change_count", "ledger_stamp"}
SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, for a reason the message gives."""


# ---- where the database is ----------------------------------------------------------


def kind(url: str) -> str:
    """``sqlite`` or ``postgresql``, from a database URL as ``DATABASE_URL`` gives it."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgres", "postgresql"):
        return "postgresql"
    raise BackupError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme!r}")


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///path`` URL, read as ``database.make_database`` reads it."""
    path = url[len("sqlite:///") :]
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(path)


def pg_program(name: str) -> str:
    """The newest installed PostgreSQL's program ``name``: Debian keeps them off PATH, in
    /usr/lib/postgresql/<version>/bin, and pg_dump must be at least the server's version."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)),
    )
    program = found[-1] if found else shutil.which(name)
    if not program:
        raise BackupError(f"{name} is not installed (on Debian: apt-get install postgresql-client)")
    return program


def pg_connection(url: str) -> tuple[str, dict]:
    """The URL without its password, for the command line, and the environment that carries
    the password (``PGPASSWORD``) to pg_dump and pg_restore."""
    parsed = urlparse(url)
    userinfo, at, hostport = parsed.netloc.rpartition("@")
    user, _colon, password = userinfo.partition(":")
    netloc = f"{user}{at}{hostport}" if user else hostport
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = unquote(password)
    return parsed._replace(netloc=netloc).geturl(), env


def shown(url: str) -> str:
    """Where the database is, for a message: the file, or the URL without its password."""
    if kind(url) == "sqlite":
        return str(sqlite_path(url))
    return pg_connection(url)[0]


# ---- is there data ---------------------------------------------------------------------


def _first_table_with_rows(connection, tables) -> str | None:
    cursor = connection.cursor()
    for table in sorted(tables):
        if table.split(".")[-1] in BOOKKEEPING_TABLES:
            continue
        quoted = ".".join('"' + part.replace('"', '""') + '"' for part in table.split("."))
        cursor.execute(f"SELECT 1 FROM {quoted} LIMIT 1")  # nosec B608 - the catalogue's names, quoted
        if cursor.fetchone() is not None:
            return table
    return None


def table_with_data(url: str) -> str | None:
    """An application table of the database that has a row (None when it has none, or does
    not exist yet); the migration runner's own table and the count of writes do not."""
    if kind(url) == "sqlite":
        path = sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return None
        connection = sqlite3.connect(path, timeout=30)
        try:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return _first_table_with_rows(connection, tables)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"cannot read the database at {path}: {error}") from error
        finally:
            connection.close()
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            tables = [
                f"{schema}.{name}" if schema != "public" else name
                for schema, name in connection.execute(
                    "SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_type = 'BASE TABLE' "
                    "AND table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
            ]
            return _first_table_with_rows(connection, tables)
    except psycopg.Error as error:
        raise BackupError(f"cannot read the database {shown(url)}: {error}") from error


# ---- backup ----------------------------------------------------------------------------


def _temporary_beside(target: Path) -> Path:
    """An empty file, readable by its owner only, in the target's folder: the backup is
    written there and renamed into place, so a failed backup leaves no half file."""
    if not target.parent.is_dir():
        raise BackupError(f"there is no folder {target.parent} to write the backup in")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.fchmod(handle, 0o600)  # whatever the umask took away or left
    os.close(handle)
    return Path(name)


def backup(url: str, target: Path) -> None:
    """Copy the whole database to the file ``target`` (replacing it, once complete)."""
    target = Path(target)
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the backup file's name")
    part = _temporary_beside(target)
    try:
        if kind(url) == "sqlite":
            _sqlite_backup(sqlite_path(url), part)
        else:
            _pg_backup(url, part)
        os.chmod(part, 0o600)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def _sqlite_backup(path: Path, part: Path) -> None:
    if not path.exists():
        raise BackupError(f"there is no database at {path}")
    try:
        source = sqlite3.connect(path, timeout=30)
        try:
            copy = sqlite3.connect(part)
            try:
                # One step: a consistent snapshot, while the intranet goes on writing (WAL).
                source.backup(copy)
                # A backup is one self-contained file, not a database expecting a -wal file.
                copy.execute("PRAGMA journal_mode=DELETE")
                _check_sqlite(copy, part)
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"the backup of {path} failed: {error}") from error


def _check_sqlite(connection, path) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")


def _pg_backup(url: str, part: Path) -> None:
    dsn, env = pg_connection(url)
    command = [pg_program("pg_dump"), "--format=custom", "--file", str(part), "--dbname", dsn]
    # The program's path and a list of arguments: no shell, nothing typed by a person.
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # nosec B603 - see above
    if result.returncode != 0:
        raise BackupError(f"pg_dump of {dsn} failed: {result.stderr.strip()}")


# ---- restore ---------------------------------------------------------------------------


def _backup_kind(source: Path) -> str:
    if not source.is_file():
        raise BackupError(f"there is no backup file {source}")
    with open(source, "rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "postgresql"
    raise BackupError(f"{source} is not a backup made by flask backup")


def restore(url: str, source: Path, force: bool = False) -> None:
    """Replace the whole database with the backup ``source``.

    Refused, with nothing changed, when the backup is of the other kind of database or when
    the target has data and ``force`` is not given.
    """
    source = Path(source)
    made_by = _backup_kind(source)
    into = kind(url)
    if made_by != into:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{source} is a {names[made_by]} backup and DATABASE_URL is a {names[into]} "
            "database; restore it into the kind of database it came from"
        )
    table = table_with_data(url)
    if table is not None and not force:
        raise BackupError(
            f"the database {shown(url)} already has data (the table {table} has rows); "
            "a restore replaces everything in it, so it is refused without --force"
        )
    if into == "sqlite":
        _sqlite_restore(sqlite_path(url), source)
    else:
        _pg_restore(url, source)


def _sqlite_restore(path: Path, source: Path) -> None:
    private_sqlite_file(path)
    try:
        backup_file = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _check_sqlite(backup_file, source)
            target = sqlite3.connect(path, timeout=30)
            try:
                backup_file.backup(target)
                _check_sqlite(target, path)
            finally:
                target.close()
        finally:
            backup_file.close()
    except sqlite3.Error as error:
        raise BackupError(f"the restore of {source} into {path} failed: {error}") from error


def _pg_restore(url: str, source: Path) -> None:
    dsn, env = pg_connection(url)
    command = [
        pg_program("pg_restore"),
        # Drop what the backup holds before making it again: a migrated but empty target
        # already has the tables.
        "--clean",
        "--if-exists",
        # The target's own user owns what is made, whoever owned it where the backup came from.
        "--no-owner",
        "--no-privileges",
        # All or nothing.
        "--single-transaction",
        "--exit-on-error",
        "--dbname",
        dsn,
        str(source),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # nosec B603 - as for pg_dump
    if result.returncode != 0:
        raise BackupError(f"pg_restore into {dsn} failed: {result.stderr.strip()}")
    _analyze(url)


def _analyze(url: str) -> None:
    """Gather the planner's statistics of every table: pg_restore leaves a database
    without them until the server's autovacuum comes by, and until then PostgreSQL may
    choose a plan that reads a whole table for each row shown (a hundred milliseconds
    for the referrals list at a city's scale, against a few)."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("ANALYZE")
    except psycopg.Error as error:
        raise BackupError(f"ANALYZE of {shown(url)} failed: {error}") from error

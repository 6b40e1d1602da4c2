"""Connecting peewee to SQLite or PostgreSQL, the SQLite file kept for its owner's eyes
only, and the transactions writes use."""

import contextlib
import os
import re
import select
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from flask import request
from peewee import SqliteDatabase
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase
from psycopg.pq import TransactionStatus
from werkzeug.routing import IntegerConverter

from . import cache
from .extensions import db

NO_CONNECTION_ENDPOINTS = {"static", "main.healthz"}

# The largest id and whole number the database columns hold (PostgreSQL's integer); a
# larger number in an address or a form names nothing, and SQLite cannot even compare it.
MAX_INTEGER = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in an address: a number past ``MAX_INTEGER`` matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INTEGER, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def record_id(text: str) -> int:
    """An id read from the address (``request.args.get(name, type=record_id)``): a
    ValueError, so no id, unless it is a whole number from 1 to ``MAX_INTEGER``."""
    if not re.fullmatch(r"[0-9]{1,10}", text or "") or not 1 <= int(text) <= MAX_INTEGER:
        raise ValueError(text)
    return int(text)


SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
    # A row that a REPLACE removes fires its delete trigger, so the audit log's trigger
    # refuses it (migrations 0010 and 0020).
    "recursive_triggers": 1,
}


# What SQLite keeps beside a database file: the write-ahead log, its index, a rollback journal.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_folder(path) -> None:
    """Make the folder ``path`` and the parents it lacks, readable by their owner only (0700)
    whatever the umask. A folder that exists already is left as it is: it may be shared."""
    path = Path(path)
    missing = [p for p in [path, *path.parents] if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue  # another process made it meanwhile
        folder.chmod(0o700)


def keep_private(path) -> None:
    """Make the file ``path`` readable and writable by its owner only (0600), if it exists,
    is ours and others may read or write it."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return
    if status.st_mode & 0o077 and status.st_uid == os.getuid():
        os.chmod(path, 0o600)


def write_private(path, text: str) -> None:
    """Write ``text`` to the new file ``path``, readable by its owner only from its first byte;
    when another process made the file first, theirs is kept."""
    path = Path(path)
    private_folder(path.parent)
    handle, part = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(part, path)  # never replaces a file another process wrote meanwhile
    finally:
        os.unlink(part)


def private_sqlite_file(path) -> None:
    """Make the SQLite database ``path`` (and its folder) readable by its owner only before
    SQLite opens it: SQLite makes a new file 0644, and its -wal and -shm files take the
    database's mode. A file made readable by others before is tightened, companions too."""
    path = Path(path)
    private_folder(path.parent)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for name in (path, *(f"{path}{suffix}" for suffix in SQLITE_COMPANIONS)):
            keep_private(name)
    else:
        os.fchmod(handle, 0o600)  # the umask may have taken the owner's bits too
        os.close(handle)


class PostgresPool(PooledPostgresqlDatabase):
    """PostgreSQL connections kept open from one request to the next: a new one costs the
    server a process of its own and milliseconds of work. One the server has dropped (a
    restart, an administrator ending it) is found when it is taken from the pool and
    replaced, so the first request after a restart does not fail.

    A server that ends a connection says so, or closes it: something waits to be read on
    an idle connection only then. That is looked for without a round trip (asking "SELECT
    1" in a transaction of its own cost three, on every request); only a connection with
    something to read is asked."""

    def _is_closed(self, conn):
        if conn.closed or conn.broken:
            return True
        try:
            if conn.info.transaction_status != TransactionStatus.IDLE:
                conn.rollback()
            waiting, _, _ = select.select([conn.fileno()], [], [], 0)
            if waiting:
                conn.execute("SELECT 1")
                conn.rollback()
        except Exception:  # noqa: BLE001 - any failure means the connection is gone
            with contextlib.suppress(Exception):
                conn.close()
            return True
        return False


# A connection idle in the pool longer than this is closed rather than reused.
POOL_STALE_SECONDS = 300
# How many connections one process keeps at most (a threaded server's threads each take
# one), and how long a request waits for one when all are taken.
POOL_SIZE = 32
POOL_WAIT_SECONDS = 10


class SqlitePool(PooledSqliteDatabase):
    """SQLite connections kept open from one request to the next. A new one costs its
    pragmas, and the last one to close writes the log back into the file; an open one keeps
    the pages it has read in its cache for as long as no other connection has written.

    A threaded server's request may take a connection another thread opened; the pool
    lends each to one thread at a time, so the driver's same-thread check is turned off."""


def make_database(url: str):
    """Build a peewee database from a ``sqlite:///path`` or ``postgresql://`` URL."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite:///") :]
        if not path or path == ":memory:":
            # timeout: how long the driver waits for a lock before giving up.
            return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=5)
        private_sqlite_file(path)
        # The wait for a lock is the pragma's busy_timeout; ``timeout`` is the pool's.
        return SqlitePool(
            path,
            pragmas=SQLITE_PRAGMAS,
            check_same_thread=False,
            max_connections=POOL_SIZE,
            stale_timeout=POOL_STALE_SECONDS,
            timeout=POOL_WAIT_SECONDS,
        )
    if scheme in ("postgres", "postgresql"):
        return PostgresPool(
            **parse_url(url),
            max_connections=POOL_SIZE,
            stale_timeout=POOL_STALE_SECONDS,
            timeout=POOL_WAIT_SECONDS,
        )
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme!r}")


def init_app(app) -> None:
    """Bind the database proxy and open one connection per request."""
    if isinstance(db.obj, PooledDatabase):
        # An app made again in one process (the tests, a command) lets go of the old pool.
        db.obj.close_all()
    db.initialize(make_database(app.config["DATABASE_URL"]))
    # Every statement is seen by the cache: a write, and the tables a kept result reads.
    db.obj.query_hooks.append(cache.saw_statement)
    # Before the blueprints register their rules, which look their converters up.
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _open_connection():
        # The health check opens its own, to answer 503 when that fails.
        if request.endpoint not in NO_CONNECTION_ENDPOINTS:
            db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close_connection(exc):
        if not db.is_closed():
            db.close()


def is_sqlite() -> bool:
    """Tell whether the bound database is SQLite."""
    return isinstance(db.obj, SqliteDatabase)


def write_transaction():
    """A transaction for a write that first reads what it checks.

    On SQLite it takes the write lock at BEGIN (IMMEDIATE), so two racing
    writers queue on the busy timeout instead of one failing with
    "database is locked" half way. On PostgreSQL a plain transaction; the
    service reads its rows with ``FOR UPDATE`` (see ``for_update``).
    Nested use becomes a savepoint.
    """
    if is_sqlite() and db.transaction_depth() == 0:
        return db.atomic(lock_type="IMMEDIATE")
    return db.atomic()


def for_update(query):
    """Lock the selected rows until the transaction ends (no-op on SQLite)."""
    if is_sqlite():
        return query
    return query.for_update()


@contextlib.contextmanager
def connection():
    """Open a connection for work outside a request (CLI, tests)."""
    opened = db.connect(reuse_if_open=True)
    try:
        yield db
    finally:
        if opened:
            db.close()

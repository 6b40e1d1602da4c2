"""Connecting peewee to SQLite or PostgreSQL, and the transactions writes use."""

import contextlib
from pathlib import Path
from urllib.parse import urlparse

from flask import request
from peewee import PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse as parse_url

from .extensions import db

NO_CONNECTION_ENDPOINTS = {"static", "main.healthz"}

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
}


def make_database(url: str):
    """Build a peewee database from a ``sqlite:///path`` or ``postgresql://`` URL."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite:///") :]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # timeout: how long the driver waits for a lock before giving up.
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=5)
    if scheme in ("postgres", "postgresql"):
        return PostgresqlDatabase(**parse_url(url))
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme!r}")


def init_app(app) -> None:
    """Bind the database proxy and open one connection per request."""
    db.initialize(make_database(app.config["DATABASE_URL"]))

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

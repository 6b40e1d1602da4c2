"""Connecting peewee to SQLite or PostgreSQL, and the transactions writes use."""

import contextlib
import re
from pathlib import Path
from urllib.parse import urlparse

from flask import request
from peewee import PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse as parse_url
from werkzeug.routing import IntegerConverter

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

"""Results that change rarely, kept between requests and checked against the database.

A cached result is found by its name, its arguments and its *version*: the counts of the
writes to the tables it is read from (``changes``, kept by the database itself, migration
0026) and today's date where the result runs with it, read on every request in one small
query. Any committed write to one of those tables changes the version. Every
server and worker reads the version from the same database, so a change made through one
server is seen by the next request to any other: nothing is invalidated in one process's
memory, and a stale result is never shown. Each process keeps at most ``SIZE`` results,
the least recently used going first.

A request reads every count once, in one query, and goes by those until it writes itself
(any statement but a ``SELECT``); then it reads them again. ``kept`` needs no list of
tables: it notes the tables its computation read, and keys the result by their counts.
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import g, has_request_context
from flask_babel import get_locale
from peewee import BigIntegerField, CharField, Model

from .extensions import db

SIZE = 64
# How many results ``kept`` keeps: a block of every person's start page.
KEPT_SIZE = 2048
# Tables without counts (migration 0026): a result read from one of them is never kept.
UNCOUNTED = frozenset({"audit_event", "schema_migration", "change_count"})
_READ_FROM = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)
# How many sets of rows ``remembered_rows`` keeps (a month's places, the roads' rent).
ROW_SETS = 16

_lock = threading.Lock()
_kept: OrderedDict = OrderedDict()
# name -> (version, {row id: (stamp, value)}, tables read): ``remembered_rows``.
_rows_kept: dict = {}
# (name, arguments) -> (((table, count), ...), value): ``kept``.
_by_reads: OrderedDict = OrderedDict()
# This thread's writes so far (a request's counts are read again after one) and the sets
# of tables being noted for ``kept``'s computations under way (nested ones too).
_thread = threading.local()


def remembered(name: str, arguments: Hashable, version: Hashable, compute: Callable):
    """``compute()``'s result for ``name`` and ``arguments`` at ``version``: kept from an
    earlier request at the same version, else computed now and kept."""
    key = (name, arguments, version)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
    if found is not None:
        _note_outside(found[0])
        return found[1]
    result, read = _noting(compute)
    with _lock:
        _kept[key] = (frozenset(read), result)
        _kept.move_to_end(key)
        while len(_kept) > SIZE:
            _kept.popitem(last=False)
    return result


def remembered_rows(
    name: str, version: Hashable, stamps: dict, ids, compute: Callable, default=None
) -> dict:
    """``compute(ids)``'s value for each of ``ids``, kept row by row with the row's stamp
    (``stamps``, read before this is called; a row without one has stamp 0): only the rows
    whose stamp moved since they were kept, or that were never kept, are computed, in one
    call. ``compute`` returns a dict by id; an id it leaves out has ``default``. What is
    kept for ``name`` at another ``version`` (another day) is dropped.

    A row computed after its stamp was read may hold a later write than its stamp says; it
    is then computed again on the next request, never kept older than its stamp."""
    ids = list(ids)
    with _lock:
        if _rows_kept.get(name, (None,))[0] != version:
            _rows_kept.pop(name, None)
            while len(_rows_kept) >= ROW_SETS:
                _rows_kept.pop(next(iter(_rows_kept)))  # the one set up longest ago
            _rows_kept[name] = (version, {}, set())
        _, kept, tables = _rows_kept[name]
        stale = [i for i in ids if kept.get(i, (None,))[0] != stamps.get(i, 0)]
    found, read = _noting(lambda: compute(stale)) if stale else ({}, set())
    with _lock:
        tables |= read
        _note_outside(tables)
        for i in stale:
            kept[i] = (stamps.get(i, 0), found.get(i, default))
        return {i: kept[i][1] for i in ids}


def forget() -> None:
    """Drop every kept result (tests, and a restore of the database)."""
    with _lock:
        _kept.clear()
        _rows_kept.clear()
        _by_reads.clear()


def saw_statement(event) -> None:
    """A query hook on the database (``database.init_app``): notes a write, which the
    request's counts must be read again after, and the tables a ``kept`` computation reads."""
    sql = event.sql.lstrip()
    if not sql[:6].upper() == "SELECT":
        _thread.writes = getattr(_thread, "writes", 0) + 1
    for noting in getattr(_thread, "noting", ()):
        noting.update(name.lower() for name in _READ_FROM.findall(sql))


def kept(name: str, arguments: Hashable, compute: Callable):
    """``compute()``'s result for ``name`` and ``arguments``, kept until a table it read is
    written to: on the first call the tables its statements read are noted, and the result
    is kept under their counts (read before it was computed, so never newer than it). Text
    is written in the request's language, so that is part of the key. A result read from a
    table without counts is not kept. ``arguments`` must hold whatever else the result
    depends on: the day, the person it is for. Inside a transaction it is computed and
    not kept: what the transaction has written is not yet counted, or may be undone."""
    if db.in_transaction():
        return _noting(compute)[0]
    counts = _counts()
    key = (name, arguments, str(get_locale()) if has_request_context() else None)
    with _lock:
        found = _by_reads.get(key)
        if found is not None and all(counts.get(t, 0) == n for t, n in found[0]):
            _by_reads.move_to_end(key)
            _note_outside((t for t, _n in found[0]))
            return found[1]
    value, read = _noting(compute)
    if read & UNCOUNTED:
        return value
    with _lock:
        _by_reads[key] = (tuple((t, counts.get(t, 0)) for t in sorted(read)), value)
        _by_reads.move_to_end(key)
        while len(_by_reads) > KEPT_SIZE:
            _by_reads.popitem(last=False)
    return value


def _noting(compute: Callable) -> tuple:
    """``compute()``'s result and the tables it read (its statements, the counts it took
    as a version, the kept results it used), which the computations it is a part of read
    too."""
    read: set = set()
    noting = getattr(_thread, "noting", None)
    if noting is None:
        noting = _thread.noting = []
    noting.append(read)
    try:
        value = compute()
    finally:
        noting.remove(read)
    _note_outside(read)
    return value, read


def _note_outside(tables) -> None:
    """The tables a kept result was read from, for the computations it is a part of."""
    tables = set(tables)
    for noting in getattr(_thread, "noting", ()):
        noting.update(tables)


class _ChangeCount(Model):
    """How many times a table has been written to, as the database's triggers count it."""

    topic = CharField(primary_key=True)
    changes = BigIntegerField()

    class Meta:
        database = db
        table_name = "change_count"


def _counts() -> dict:
    """Every table's count of writes: read once a request, and again after it writes;
    outside a request (a command, a test's own calls), read each time.

    Counts read inside a transaction are not kept for the request: on PostgreSQL they move
    only when it commits, and on SQLite they hold its writes before it may roll back. The
    commit is not a statement the hook sees, so counts read before it would serve after."""
    writes = getattr(_thread, "writes", 0)
    keep = has_request_context() and not db.in_transaction()
    if keep:
        found = g.get("_change_counts")
        if found is not None and found[0] == writes:
            return found[1]
    counts = dict(_ChangeCount.select(_ChangeCount.topic, _ChangeCount.changes).tuples())
    if keep:
        g._change_counts = (writes, counts)
    return counts


def changes(*tables: str) -> tuple:
    """How many times each of ``tables`` has been written to: a version that every
    committed write to any of them changes, on every server, whatever path wrote."""
    counts = _counts()
    _note_outside(tables)
    return tuple(counts.get(table, 0) for table in tables)


def any_change() -> tuple:
    """A version that every committed write to any counted table changes: the sum of the
    counts. For results read from much of the database (the yearly report)."""
    counts = _counts()
    _note_outside(counts)
    return (sum(counts.values()),)

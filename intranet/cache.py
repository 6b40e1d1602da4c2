"""Results that change rarely, kept between requests and checked against the database.

A cached result is found by its name, its arguments and its *version*: the counts of the
writes to the tables it is read from (``changes``, kept by the database itself, migration
0026) and today's date where the result runs with it, read on every request in one small
query. Any committed write to one of those tables changes the version. Every
server and worker reads the version from the same database, so a change made through one
server is seen by the next request to any other: nothing is invalidated in one process's
memory, and a stale result is never shown. Each process keeps at most ``SIZE`` results,
the least recently used going first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from peewee import BigIntegerField, CharField, Model, fn

from .extensions import db

SIZE = 64
# How many sets of rows ``remembered_rows`` keeps (a month's places, the roads' rent).
ROW_SETS = 16

_lock = threading.Lock()
_kept: OrderedDict = OrderedDict()
# name -> (version, {row id: (stamp, value)}): ``remembered_rows``.
_rows_kept: dict = {}


def remembered(name: str, arguments: Hashable, version: Hashable, compute: Callable):
    """``compute()``'s result for ``name`` and ``arguments`` at ``version``: kept from an
    earlier request at the same version, else computed now and kept."""
    key = (name, arguments, version)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    result = compute()
    with _lock:
        _kept[key] = result
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
            _rows_kept[name] = (version, {})
        kept = _rows_kept[name][1]
        stale = [i for i in ids if kept.get(i, (None,))[0] != stamps.get(i, 0)]
    found = compute(stale) if stale else {}
    with _lock:
        for i in stale:
            kept[i] = (stamps.get(i, 0), found.get(i, default))
        return {i: kept[i][1] for i in ids}


def forget() -> None:
    """Drop every kept result (tests, and a restore of the database)."""
    with _lock:
        _kept.clear()
        _rows_kept.clear()


class _ChangeCount(Model):
    """How many times a table has been written to, as the database's triggers count it."""

    topic = CharField(primary_key=True)
    changes = BigIntegerField()

    class Meta:
        database = db
        table_name = "change_count"


def changes(*tables: str) -> tuple:
    """How many times each of ``tables`` has been written to, in one query: a version that
    every committed write to any of them changes, on every server, whatever path wrote."""
    found = dict(
        _ChangeCount.select(_ChangeCount.topic, _ChangeCount.changes)
        .where(_ChangeCount.topic.in_(tables))
        .tuples()
    )
    return tuple(found.get(table, 0) for table in tables)


def any_change() -> tuple:
    """A version that every committed write to any counted table changes: the sum of the
    counts, in one query. For results read from much of the database (the yearly report)."""
    found = _ChangeCount.select(fn.COALESCE(fn.SUM(_ChangeCount.changes), 0)).scalar()
    return (int(found or 0),)

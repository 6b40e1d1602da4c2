"""Results that change rarely, kept between requests and checked against the database.

A cached result is found by its name, its arguments and its *version*: a few cheap figures
read from the database on every request (the newest id and the count of a history table,
today's date, the language), which any write that could change the result changes. Every
server and worker reads the version from the same database, so a change made through one
server is seen by the next request to any other: nothing is invalidated in one process's
memory, and a stale result is never shown. Each process keeps at most ``SIZE`` results,
the least recently used going first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

SIZE = 64

_lock = threading.Lock()
_kept: OrderedDict = OrderedDict()


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


def forget() -> None:
    """Drop every kept result (tests, and a restore of the database)."""
    with _lock:
        _kept.clear()

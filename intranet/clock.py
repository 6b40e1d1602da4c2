"""The one clock of the application: every date and time comes from here.

Tests set it with ``set_clock()`` so that date rules can be checked at
their edges (the 1st, the 15th, a 28-day February) without waiting.
"""

import datetime as dt

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Return the current local time, naive, to the second."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now().replace(microsecond=0)


def today() -> dt.date:
    """Return the current date."""
    return now().date()


def set_clock(moment: dt.datetime | dt.date | None) -> None:
    """Freeze the clock at ``moment`` (a date means its midnight); None unfreezes."""
    global _frozen
    if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    _frozen = moment

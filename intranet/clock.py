"""The one clock of the application: every date and time comes from here.

Time is the unit's own (``INTRANET_TIMEZONE``, Europe/Stockholm by default), whatever the
server's zone: a server on UTC must not start the 1st, the 5th and the 15th an hour or
two late. The code works in the unit's wall-clock time, to the second; the database keeps
moments in UTC (``to_utc``/``from_utc``), so that the hour repeated when summer time ends is
never ambiguous.

Tests set it with ``set_clock()`` so that date rules can be checked at
their edges (the 1st, the 15th, a 28-day February) without waiting.
"""

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/Stockholm"

_frozen: dt.datetime | None = None
_zone = ZoneInfo(DEFAULT_ZONE)


def utc_now() -> dt.datetime:
    """The moment, in UTC (the tests of the midnight edge replace this)."""
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """Return the current time in the unit's zone, naive, to the second."""
    if _frozen is not None:
        return _frozen
    return utc_now().astimezone(_zone).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    """Return the current date in the unit's zone."""
    return now().date()


def to_utc(moment: dt.datetime) -> dt.datetime:
    """The unit's wall-clock ``moment`` (naive; ``fold=1`` names the second pass through an
    hour repeated when summer time ends) as naive UTC, for storing."""
    return moment.replace(tzinfo=_zone).astimezone(dt.UTC).replace(tzinfo=None)


def from_utc(moment: dt.datetime) -> dt.datetime:
    """A stored naive UTC ``moment`` as the unit's wall-clock time (with its ``fold``)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(_zone).replace(tzinfo=None)


def aware(moment: dt.datetime) -> dt.datetime:
    """A moment from ``now()`` with its zone attached: what a TOTP code or anything
    compared with real time must be given, as the server's own zone may differ."""
    return moment.replace(tzinfo=_zone)


def set_zone(name: str) -> None:
    """Keep time in the zone ``name`` (an IANA name such as Europe/Stockholm)."""
    global _zone
    _zone = ZoneInfo(name)


def zone_name() -> str:
    """The unit's time zone."""
    return _zone.key


def set_clock(moment: dt.datetime | dt.date | None) -> None:
    """Freeze the clock at ``moment`` (a date means its midnight); None unfreezes."""
    global _frozen
    if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    _frozen = moment

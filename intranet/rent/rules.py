"""The rent routine's calendar, as plain functions over dates and amounts.

A month's rent is due on the last day of the previous month (a first month that starts
later, on move-in day). Unpaid rents are checked on the 1st (a reminder), the 5th (a home
visit) and the 15th (a meeting with the manager and a notice to the commissioner). The
groups a month lands in, from the money the ledger dated to it, are ``ledger_rules``'.
"""

import calendar
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

PAID_ON_TIME = "paid_on_time"
PAID_LATE = "paid_late"
NOT_PAID = "not_paid"
NOT_YET_PAID = "not_yet_paid"
PARTLY_PAID = "partly_paid"

LATE_DAY = 15
CHECKPOINTS = {"reminder": 1, "home_visit": 5, "manager_meeting": 15}

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> dt.date | None:
    """``YYYY-MM`` as the month's first day, or None for anything else (2024-13, abc)."""
    match = _MONTH.match(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return dt.date(year, month, 1)


def month_of(day: dt.date) -> dt.date:
    """The first day of the month ``day`` is in."""
    return day.replace(day=1)


def last_day(month: dt.date) -> dt.date:
    """The month's last day."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def due_date(month: dt.date) -> dt.date:
    """A month's rent is due on the last day of the previous month."""
    return month - dt.timedelta(days=1)


def late_limit(month: dt.date) -> dt.date:
    """Paid by this day (the 15th) a month counts as paid late rather than not paid."""
    return month.replace(day=LATE_DAY)


def pro_rata(monthly_rent, month: dt.date, start: dt.date, end: dt.date | None) -> Decimal:
    """The rent for the days of ``month`` the tenancy covers, to the krona; 0 if none."""
    first, last = max(month, start), min(last_day(month), end) if end else last_day(month)
    if last < first:
        return Decimal(0)
    days_in_month = last_day(month).day
    share = Decimal(monthly_rent) * Decimal((last - first).days + 1) / Decimal(days_in_month)
    return share.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it has fewer)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, last_day(dt.date(year, month, 1)).day)
    )


def whole_months(start: dt.date, today: dt.date) -> int:
    """Whole months from ``start`` to ``today`` (14 months and 3 days is 14)."""
    months = (today.year - start.year) * 12 + today.month - start.month
    if months > 0 and add_months(start, months) > today:
        months -= 1
    return max(months, 0)

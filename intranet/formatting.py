"""How dates and amounts read on every page: 2026-11-23 and 12 345 kr."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def format_date(value) -> str:
    """A date (or datetime's date) as YYYY-MM-DD; empty for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def format_datetime(value) -> str:
    """A moment as YYYY-MM-DD HH:MM; empty for None."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M")


def format_amount(value) -> str:
    """Whole kronor with a space between thousands: 12 345 kr (spaces do not break)."""
    if value is None:
        return ""
    whole = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "−" if whole < 0 else ""
    grouped = f"{abs(whole):,}".replace(",", NBSP)
    return f"{sign}{grouped}{NBSP}kr"


def init_app(app) -> None:
    """Register the formats as Jinja filters."""
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_amount, "kr")

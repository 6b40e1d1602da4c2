"""How dates, numbers and amounts read on every page, print and letter.

Dates are ISO (2026-11-23) in both languages. Numbers follow the reader's language through
Babel's number formats: "41,4 %", "1 616,00 kr", "162,5" in Swedish, "41.4%", "1,616.00 kr",
"162.5" in English. A Swedish number groups its thousands with a space that does not break
(U+00A0, as Babel writes it) and a negative one starts with the minus sign (U+2212), as the
language's number symbols say.

Two ways to write kronor: ``format_amount`` gives whole kronor (12 345 kr) where a page
gives an overview (rents of flats, what vacancy costs, the reports); ``format_money`` gives
kronor and öre (1 616,00 kr) where an exact sum matters: the ledger, payments, bank files,
rent notices and reminders.
"""

import datetime as dt
from copy import copy
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import get_minus_sign_symbol
from flask_babel import get_locale

from .i18n import DEFAULT_LANGUAGE

NBSP = "\u00a0"
NUMBER_TYPES = (int, float, Decimal)


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


# ---- numbers -------------------------------------------------------------------------


@lru_cache
def _parsed(name: str) -> Locale:
    return Locale.parse(name)


def number_locale() -> Locale:
    """The reader's language for numbers: the request's, else the unit's (Swedish), as a
    command or code outside a request gets."""
    return get_locale() or _parsed(DEFAULT_LANGUAGE)


def is_number(value) -> bool:
    """Whether ``value`` is a number (not a truth value, not text)."""
    return isinstance(value, NUMBER_TYPES) and not isinstance(value, bool)


def _rounded(value, decimals: int) -> Decimal:
    """``value`` to ``decimals`` places, halves away from zero (as people round money)."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _apply(patterns, value, decimals: int | None, locale: Locale) -> str:
    """``value`` in the locale's pattern (from ``patterns``), with exactly ``decimals``
    places when given; the minus the language writes."""
    pattern = patterns[None]
    if decimals is not None:
        pattern = copy(pattern)
        pattern.frac_prec = (decimals, decimals)
        value = _rounded(value, decimals + (2 if patterns is locale.percent_formats else 0))
    if value == 0:
        value = abs(value)  # no "−0,00" for what rounds to nothing
    text = pattern.apply(value, locale)
    # Babel writes ASCII's hyphen-minus; the language's own minus sign reads better (and a
    # screen reader says "minus").
    if text.startswith("-"):
        text = get_minus_sign_symbol(locale) + text[1:]
    return text


def format_number(value, decimals: int | None = None):
    """A number in the reader's language: 162,5 and 5 100 in Swedish (up to three
    decimals as the value has them, or exactly ``decimals``). Anything else (a text, a
    dash) is returned as it is, so a value that may or may not be a number can go
    through; None is empty."""
    if value is None:
        return ""
    if not is_number(value):
        return value
    try:
        locale = number_locale()
        return _apply(locale.decimal_formats, value, decimals, locale)
    except (InvalidOperation, ValueError):  # NaN and infinity are not numbers to show
        return str(value)


def format_percent(fraction, decimals: int = 0) -> str:
    """A fraction (0.414) as a percentage in the reader's language: "41 %" or, with one
    decimal, "41,4 %" in Swedish, "41.4%" in English; None is empty, anything else that
    is no number (a dash) goes through as it is."""
    if fraction is None:
        return ""
    if not is_number(fraction):
        return fraction
    locale = number_locale()
    return _apply(locale.percent_formats, fraction, decimals, locale)


def format_share(part, whole, decimals: int = 0) -> str:
    """``part`` of ``whole`` as a percentage ("41 %"); a dash when there is no whole."""
    return format_percent(part / whole, decimals) if whole else "—"


def format_amount(value) -> str:
    """Whole kronor, for overviews: 12 345 kr (spaces do not break); empty for None."""
    if value is None:
        return ""
    return f"{format_number(_rounded(value, 0), 0)}{NBSP}kr"


def format_money(value) -> str:
    """Kronor and öre, where an exact sum matters: 1 616,00 kr; empty for None."""
    if value is None:
        return ""
    return f"{format_number(_rounded(value, 2), 2)}{NBSP}kr"


def format_postcode(postcode: str | None) -> str:
    """A Swedish postcode as the post writes it: "165 56" (anything else as it is)."""
    digits = (postcode or "").replace(" ", "")
    return f"{digits[:3]} {digits[3:]}" if len(digits) == 5 and digits.isdigit() else postcode or ""


def postal_line(flat) -> str:
    """The address's second line: postcode and postal town, "165 56 Hässelby" (the
    postcode alone while the town is not known)."""
    return " ".join(part for part in (format_postcode(flat.postcode), flat.postal_town) if part)


def init_app(app) -> None:
    """Register the formats as Jinja filters: |date, |datetime, |number, |percent, |kr
    (whole kronor), |money (kronor and öre), |postcode, |postal_line."""
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_amount, "kr")
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(format_postcode, "postcode")
    app.add_template_filter(postal_line, "postal_line")

"""Swedish organisation and personal identity numbers: format, Luhn check digit, masking."""

import datetime as dt
import re

from . import clock

_ORG = re.compile(r"^(\d{6})-?(\d{4})$")
_PERSONAL = re.compile(r"^(\d{2})?(\d{6})[-+]?(\d{4})$")


def luhn_ok(digits: str) -> bool:
    """Tell whether a string of digits passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_org_number(value: str) -> str | None:
    """Return the number as NNNNNN-NNNN if it is a valid organisation number, else None."""
    match = _ORG.match((value or "").strip().replace(" ", ""))
    if not match:
        return None
    digits = match.group(1) + match.group(2)
    if not luhn_ok(digits):
        return None
    return f"{match.group(1)}-{match.group(2)}"


def normalise_personal_number(value: str, birth_date: dt.date | None = None) -> str | None:
    """Return a personal identity number as YYYYMMDD-NNNN if it is valid, else None.

    Ten digits (YYMMDD-NNNN) take their century from ``birth_date`` when given,
    else from the most recent century that does not put the birth in the future.
    A day of month above 60 is a co-ordination number and is accepted as such.
    """
    match = _PERSONAL.match((value or "").strip().replace(" ", ""))
    if not match:
        return None
    century, short_date, serial = match.groups()
    if not luhn_ok(short_date + serial):
        return None
    if century is None:
        if birth_date is not None:
            century = f"{birth_date.year // 100:02d}"
        else:
            this_year = clock.today().year
            century = f"{this_year // 100:02d}"
            if int(century + short_date[:2]) > this_year:
                century = f"{this_year // 100 - 1:02d}"
    year, month, day = int(century + short_date[:2]), int(short_date[2:4]), int(short_date[4:6])
    try:
        dt.date(year, month, day - 60 if day > 60 else day)
    except ValueError:
        return None
    return f"{century}{short_date}-{serial}"


def mask_personal_number(value: str | None) -> str:
    """Show a personal identity number with its last four digits hidden: 19900101-****."""
    if not value:
        return ""
    return value.split("-")[0] + "-****"

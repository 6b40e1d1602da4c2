"""Swedish organisation and personal identity numbers, checked by python-stdnum (format,
Luhn check digit, dates), with co-ordination numbers and the ``+`` of people over 100,
written one way and shown masked."""

import datetime as dt
import re

from stdnum import luhn
from stdnum.se import orgnr, personnummer

from . import clock

_ORG = re.compile(r"^(\d{6})-?(\d{4})$")
_PERSONAL = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")


def normalise_org_number(value: str) -> str | None:
    """Return the number as NNNNNN-NNNN if it is a valid organisation number, else None."""
    match = _ORG.match((value or "").strip().replace(" ", ""))
    if not match or not orgnr.is_valid(match.group(1) + match.group(2)):
        return None
    return f"{match.group(1)}-{match.group(2)}"


def normalise_personal_number(value: str, birth_date: dt.date | None = None) -> str | None:
    """Return a personal identity number as YYYYMMDD-NNNN if it is valid, else None.

    Ten digits (YYMMDD-NNNN) take their century from ``birth_date`` when given; else a
    ``+`` means a person of 100 or more, and otherwise the most recent century that does
    not put the birth in the future. A day of month above 60 is a co-ordination number.
    """
    match = _PERSONAL.match((value or "").strip().replace(" ", ""))
    if not match:
        return None
    century, short_date, sign, serial = match.groups()
    if century is None:
        century = _century(short_date, sign, birth_date)
    if not _valid(century, short_date, serial):
        return None
    return f"{century}{short_date}-{serial}"


def _valid(century: str, short_date: str, serial: str) -> bool:
    day = int(short_date[4:6])
    if day <= 60:
        return personnummer.is_valid(f"{century}{short_date}{serial}")
    # A co-ordination number (day + 60), which python-stdnum's personnummer does not take:
    # its check digit and the date it stands for.
    try:
        dt.date(int(century + short_date[:2]), int(short_date[2:4]), day - 60)
    except ValueError:
        return False
    return luhn.is_valid(short_date + serial)


def _century(short_date: str, sign: str, birth_date: dt.date | None) -> str:
    if birth_date is not None:
        return f"{birth_date.year // 100:02d}"
    this_year = clock.today().year
    year = this_year - (this_year - int(short_date[:2])) % 100
    if sign == "+":
        year -= 100
    return f"{year // 100:02d}"


def mask_personal_number(value: str | None) -> str:
    """Show a personal identity number with its last four digits hidden: 19900101-****."""
    if not value:
        return ""
    return value.split("-")[0] + "-****"

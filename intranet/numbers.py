"""Numbers read as a person in a Swedish office types them: "25,5", "4 850,50", "4850.50",
"4 850 kr".

One reader for every number a person types into a form, so a size, a rent and a count of
keys are read alike. What can be read two ways ("4.850": thousands or decimals?) is refused
with a message that shows how to write it, never guessed.
"""

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l

# The spaces people put between thousands: the ordinary one, the non-breaking one (which
# this application and most Swedish documents print, so it comes back pasted) and the
# narrow ones.
GROUP_SPACES = " \u00a0\u202f\u2009"

# What may follow the number, by the field's unit, compared without case. ":-" and ",-"
# are how prices are written in Sweden ("4 850:-").
UNIT_SPELLINGS = {
    "kr": ("kr", "kr.", "kronor", "sek", ":-", ",-"),
    "%": ("%", "procent"),
    "m²": ("m²", "m2", "kvm"),
}

NOT_A_NUMBER = _l("Enter a number, for example 7 300 or 54,5.")
NOT_A_WHOLE_NUMBER = _l("Enter a whole number, for example 3.")

_SPACES = f"[{GROUP_SPACES}]+"
_NUMBER = re.compile(rf"(?P<sign>[-+\u2212]?)(?P<body>[0-9.,](?:[0-9.,{GROUP_SPACES}]*[0-9])?)")
# A first group of one to three digits, then groups of three after a space.
_GROUPED = re.compile(rf"[0-9]{{1,3}}(?:{_SPACES}[0-9]{{3}})+")
# What could be thousands before a point or comma: one to three digits, not a lone 0.
_THOUSANDS_HEAD = re.compile(r"[1-9][0-9]{0,2}")


class NumberError(ValueError):
    """A typed number that is refused; ``message`` says why, to the person who typed it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def parse_number(
    text: str | None,
    places: int | None = None,
    whole: bool = False,
    unit: str | None = None,
    invalid=None,
) -> Decimal:
    """The number ``text`` says, or a ``NumberError`` whose message shows how to write it.

    ``places`` is how many decimals the field takes (None: any), ``whole`` refuses any
    decimal part, ``unit`` ("kr", "%" or "m²") may follow the number, and ``invalid`` is
    the message for what is no number at all. The range is the field's to check.
    """
    invalid = invalid or (NOT_A_WHOLE_NUMBER if whole else NOT_A_NUMBER)
    limit = 0 if whole else places
    match = _NUMBER.fullmatch(_without_unit((text or "").strip(), unit))
    if match is None:
        raise NumberError(invalid)
    negative = match["sign"] in ("-", "\u2212")
    body = match["body"]
    typed = match["sign"] + body
    separators = [char for char in body if char in ".,"]
    if len(separators) > 1:
        raise NumberError(_several_separators(body, negative, whole, invalid))
    integer, _, fraction = body.partition(separators[0]) if separators else (body, "", "")
    if not fraction.isdigit() and separators:
        raise NumberError(invalid)
    if separators and _could_be_thousands(integer, fraction, separators[0], limit):
        raise NumberError(_ambiguous(integer, fraction, negative, whole, typed))
    digits = _integer_digits(integer, invalid)
    if limit is not None and len(fraction) > limit:
        raise NumberError(_too_many_decimals(limit))
    # Built from the digits, so exact at any length: the field's range refuses the huge.
    value = Decimal(f"{'-' if negative else ''}{digits or '0'}{'.' + fraction if fraction else ''}")
    return value.copy_abs() if value == 0 else value


def _without_unit(text: str, unit: str | None) -> str:
    """``text`` without one trailing spelling of ``unit`` (and the spaces before it)."""
    folded = text.casefold()
    for spelling in UNIT_SPELLINGS.get(unit, ()) if unit else ():
        if folded.endswith(spelling):
            return text[: -len(spelling)].rstrip(GROUP_SPACES)
    return text


def _could_be_thousands(integer: str, fraction: str, separator: str, limit: int | None) -> bool:
    """Whether one point (or comma) before exactly three digits may separate thousands:
    "4.850" always may; "4,850" may where the field takes fewer than three decimals
    (in Swedish it is 4.85, but "4,850" for 4850 is how English is written)."""
    if len(fraction) != 3 or not _THOUSANDS_HEAD.fullmatch(integer):
        return False
    return separator == "." or (limit is not None and limit < 3)


def _integer_digits(integer: str, invalid) -> str:
    """The digits of the part before the decimals, checked for its groups of thousands."""
    if integer.isdigit() or not integer:
        return integer
    if not re.search(_SPACES, integer) or not re.fullmatch(rf"[0-9{GROUP_SPACES}]+", integer):
        raise NumberError(invalid)
    if not _GROUPED.fullmatch(integer):
        raise NumberError(_l("Put a space only between thousands, for example 4 850."))
    return re.sub(_SPACES, "", integer)


def _too_many_decimals(limit: int):
    if limit == 0:
        return _l("Enter a whole number, without decimals.")
    if limit == 1:
        return _l("Write at most one decimal, for example 25,5.")
    if limit == 2:
        return _l("Write at most two decimals, for example 4 850,50.")
    return _l("Write at most %(places)s decimals.", places=limit)


def _ambiguous(integer: str, fraction: str, negative: bool, whole: bool, typed: str):
    """The message for "4.850": both readings, written as they cannot be misread."""
    sign = "-" if negative else ""
    thousands = f"{sign}{integer}{fraction}"
    if whole:
        return _l("Write %(thousands)s, without a point or comma.", thousands=thousands)
    decimals = fraction.rstrip("0")
    decimal_reading = f"{sign}{integer},{decimals}" if decimals else f"{sign}{integer}"
    return _l(
        "“%(typed)s” can be read two ways. Write %(thousands)s or %(decimals)s.",
        thousands=thousands,
        decimals=decimal_reading,
        typed=typed,
    )


def _several_separators(body: str, negative: bool, whole: bool, invalid):
    """The message for "1.616,00" or "4.850.000": the number written the Swedish way, with
    the last separator read as the decimals' where both kinds are used."""
    kinds = {char for char in body if char in ".,"}
    decimal_mark = body[max(body.rfind("."), body.rfind(","))] if len(kinds) == 2 else None
    if decimal_mark is not None and body.count(decimal_mark) > 1:
        return invalid
    integer, _, fraction = body.rpartition(decimal_mark) if decimal_mark else (body, "", "")
    groups = re.split(rf"[.,]|{_SPACES}", integer)
    if not fraction.isdigit() and decimal_mark:
        return invalid
    if not (groups[0].isdigit() and len(groups[0]) <= 3) or not all(
        len(group) == 3 and group.isdigit() for group in groups[1:]
    ):
        return invalid
    if whole and fraction and not fraction.strip("0"):
        fraction = ""
    example = f"{'-' if negative else ''}{''.join(groups)}{',' + fraction if fraction else ''}"
    return _l(
        "Write %(example)s: a comma before the decimals, and a space or nothing between "
        "the thousands.",
        example=example,
    )

"""Swedish organisation numbers: ten digits, the last a Luhn check digit."""

import re

_PATTERN = re.compile(r"^(\d{6})-?(\d{4})$")


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
    match = _PATTERN.match((value or "").strip().replace(" ", ""))
    if not match:
        return None
    digits = match.group(1) + match.group(2)
    if not luhn_ok(digits):
        return None
    return f"{match.group(1)}-{match.group(2)}"

"""Payment references by Bankgirot's OCR rules: digits only, a length digit and a check
digit (modulus 10, the Luhn algorithm), so that a bank can refuse a mistyped reference.

A tenancy's reference is its id with those two digits after it: unique, and never
reused, because a tenancy is never deleted. The unit's own bankgiro number, which the
references are paid to, ends in a check digit by the same algorithm.
"""

import re

from stdnum import iban, luhn

MIN_LENGTH, MAX_LENGTH = 2, 25
# Short ids are padded so that every reference is at least this long.
BASE_DIGITS = 6


def with_check_digits(base: str) -> str:
    """``base`` followed by the length digit (the whole reference's length, mod 10) and the
    check digit over everything before it."""
    with_length = base + str((len(base) + 2) % 10)
    return with_length + luhn.calc_check_digit(with_length)


def reference_for(tenancy_id: int) -> str:
    """The payment reference of a tenancy."""
    return with_check_digits(str(tenancy_id).zfill(BASE_DIGITS))


def is_valid(reference: str) -> bool:
    """Whether ``reference`` keeps the OCR rules: digits, a right length digit and a right
    check digit."""
    text = (reference or "").strip()
    if not text.isascii() or not text.isdigit() or not MIN_LENGTH + 1 <= len(text) <= MAX_LENGTH:
        return False
    if int(text[-2]) != len(text) % 10:
        return False
    return luhn.is_valid(text)


def tenancy_id_of(reference: str) -> int | None:
    """The tenancy a valid reference names, or None."""
    if not is_valid(reference):
        return None
    return int(reference.strip()[:-2])


_BANKGIRO = re.compile(r"[0-9]{3,4}-[0-9]{4}")


def is_bankgiro_number(number: str) -> bool:
    """Whether ``number`` is written as a bankgiro number (7 or 8 digits, a dash before the
    last four: 5050-1055) and its last digit is the Luhn check digit over the others."""
    text = number or ""
    return bool(_BANKGIRO.fullmatch(text)) and luhn.is_valid(text.replace("-", ""))


_ACCOUNT = re.compile(r"[0-9][0-9 -]{5,30}[0-9]")


def account_key(number: str) -> str:
    """An account number as the bank files name it, to compare: an IBAN upper case without
    spaces; a bank account or bankgiro number as its digits."""
    text = (number or "").strip()
    if text[:2].isalpha():
        return iban.compact(text).upper()
    return "".join(c for c in text if c.isdigit())


def is_bank_account(number: str) -> bool:
    """Whether ``number`` is an IBAN with right check digits, or a bank account number
    written with digits, spaces and dashes."""
    text = (number or "").strip()
    if text[:2].isalpha():
        return iban.is_valid(text)
    return bool(_ACCOUNT.fullmatch(text))

"""What every bank file becomes once read: a ``ParsedFile`` of ``BankTransaction`` rows,
whatever the bank's format; and the error that refuses a file, naming the line."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024

BGMAX = "bgmax"
CAMT054 = "camt054"
FORMATS = (BGMAX, CAMT054)

PAYMENT = "payment"
# Money the bank took back: a returned or reversed payment.
DEDUCTION = "deduction"


class BankFileError(Exception):
    """A file refused as a whole, for a reason said in words, with the line when known."""

    def __init__(self, message: str, line: int | None = None):
        self.message = str(message)
        self.line = line
        super().__init__(self.described())

    def described(self) -> str:
        """The message, with the line after it when there is one."""
        if self.line is None:
            return self.message
        return _("Line %(line)s: %(message)s", line=self.line, message=self.message)


@dataclass(frozen=True)
class BankTransaction:
    """One payment or deduction, as the bank gave it.

    ``line`` is the BgMax record's line, or the line of the camt.054 entry (``Ntry``) with
    ``part`` the transaction's number within it (0 in BgMax). ``bank_reference`` is unique
    for the bank's transaction: a later file with the same one is the same transaction.
    """

    line: int
    part: int
    bank_reference: str
    paid_on: dt.date
    amount: Decimal
    reference: str
    payer: str = ""
    kind: str = PAYMENT
    reason: str = ""

    @property
    def position(self) -> str:
        """The line as people read it: ``12``, or ``12.2`` for a camt entry's 2nd part."""
        return f"{self.line}.{self.part}" if self.part else str(self.line)


@dataclass
class ParsedFile:
    """A whole bank file, its totals checked against its own control records."""

    format: str
    transactions: list[BankTransaction] = field(default_factory=list)

    @property
    def payments(self) -> list[BankTransaction]:
        return [t for t in self.transactions if t.kind == PAYMENT]

    @property
    def deductions(self) -> list[BankTransaction]:
        return [t for t in self.transactions if t.kind == DEDUCTION]

    @property
    def payment_total(self) -> Decimal:
        return sum((t.amount for t in self.payments), Decimal(0))

    @property
    def deduction_total(self) -> Decimal:
        return sum((t.amount for t in self.deductions), Decimal(0))


def check_size(data: bytes) -> None:
    """Refuse a file over ``MAX_FILE_BYTES`` before reading any of it, and an empty one."""
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError(_("The file is larger than 10 MB. Bank files of one day are smaller."))
    if not data.strip():
        raise BankFileError(_("The file is empty."))

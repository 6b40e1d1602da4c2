"""What every bank file becomes once read: a ``ParsedFile`` of ``BankTransaction`` rows,
whatever the bank's format; and the error that refuses a file, naming the line."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ..formatting import format_number

MAX_FILE_BYTES = 10 * 1024 * 1024

BGMAX = "bgmax"
CAMT054 = "camt054"
FORMATS = (BGMAX, CAMT054)

PAYMENT = "payment"
# Money the bank says it took back from an earlier payment: a camt.054 entry marked as a
# reversal (RvslInd) or carrying return information (RtrInf). It reverses that payment.
DEDUCTION = "deduction"
# An entry that registers nothing and is shown with why: a debit that is no reversal, or a
# camt.054 entry that is not booked yet (pending, information only).
SKIPPED = "skipped"

# Which account a file is for, as the file names it.
BANKGIRO_ACCOUNT = "bankgiro"
IBAN_ACCOUNT = "iban"
OTHER_ACCOUNT = "account"


def kronor_text(value) -> str:
    """An amount for a message about a file, with its öre, in the reader's language:
    "9 300,01" in Swedish; a text from the file that is no amount stays as it is."""
    try:
        return str(format_number(Decimal(str(value)), 2))
    except InvalidOperation:
        return str(value)


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
    ``amount`` is what reached the account: for a BgMax payment with deductions (credit
    notes) in its deposit, the net, with ``deducted`` the sum taken off and
    ``credit_notes`` each part as (amount, the deduction's code: ``0`` whole, ``1`` partial
    with a remainder left, ``2`` the final part). ``extra_references`` are further
    references the bank gave for the payment (BgMax record 22), tried in order when
    ``reference`` names nobody.
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
    deducted: Decimal = Decimal(0)
    credit_notes: tuple[tuple[Decimal, str], ...] = ()
    extra_references: tuple[str, ...] = ()

    @property
    def position(self) -> str:
        """The line as people read it: ``12``, or ``12.2`` for a camt entry's 2nd part."""
        return f"{self.line}.{self.part}" if self.part else str(self.line)


@dataclass(frozen=True)
class Account:
    """An account a file says it is for: ``kind`` is ``BANKGIRO_ACCOUNT`` (digits only),
    ``IBAN_ACCOUNT`` (upper case, no spaces) or ``OTHER_ACCOUNT`` (the bank's own number,
    as written, spaces removed); ``line`` is where the file says it."""

    kind: str
    number: str
    line: int | None = None


@dataclass
class ParsedFile:
    """A whole bank file, its totals checked against its own control records.

    ``accounts`` are the accounts its deposits or notifications are for; ``test_file`` is
    set when the bank marks the file as a test; ``ignored`` says, one line each, what was
    read past (a record type the reader does not know)."""

    format: str
    transactions: list[BankTransaction] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    test_file: bool = False
    ignored: list[str] = field(default_factory=list)

    @property
    def payments(self) -> list[BankTransaction]:
        return [t for t in self.transactions if t.kind == PAYMENT]

    @property
    def deductions(self) -> list[BankTransaction]:
        return [t for t in self.transactions if t.kind == DEDUCTION]

    @property
    def skipped(self) -> list[BankTransaction]:
        return [t for t in self.transactions if t.kind == SKIPPED]

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

"""Bankgirot's BgMax file ("Bankgiro Inbetalningar"): the day's incoming bankgiro payments.

The layout, as Bankgirot publishes it (written from its technical manual; positions are
1-based and inclusive). A file is fixed-width records of 80 characters, one a line, in
Latin-1 (ISO 8859-1). The record type (``TK``) is the first 2 characters. Amounts are
in öre, right-aligned, zero-filled; dates are ``YYYYMMDD``; text is left-aligned, blank-filled.

====  ==========================  ================================================
TK    record                      fields
====  ==========================  ================================================
01    opening (Startpost)         3-22 layout name ``BGMAX``, 23-24 version,
                                  25-44 written at (``YYYYMMDDHHMMSSffffff``),
                                  45 ``T`` test or ``P`` production
05    deposit opening             3-12 receiving bankgiro number, 13-22 receiving
      (Öppningspost)              plusgiro number, 23-25 currency (``SEK``)
20    payment (Betalningspost)    3-12 payer's bankgiro number, 13-37 reference
                                  (the OCR number), 38-55 amount, 56 reference code,
                                  57 payment channel, 58-69 BGC serial number,
                                  70 image marker
21    deduction (Avdragspost)     as 20; 71 deduction code: 0 whole, 1 partial with
                                  a remainder left, 2 the final part
22    extra reference             as 20: a further reference of the payment before it
                                  (56: 2 an OCR number, 3 another reference, ...)
23    extra reference, negative   as 22, for the deduction before it
25    information (Info.post)     3-52 free text about the payment before it
26    name (Namnpost)             3-37 payer's name, 38-72 extra name
27    address 1                   3-37 street address, 38-46 postcode
28    address 2                   3-37 town, 38-72 country, 73-74 country code
29    organisation number         3-14 payer's organisation or personal number
15    deposit (Insättningspost)   3-37 receiving bank account, 38-45 payment date,
                                  46-50 deposit serial number, 51-68 deposit amount,
                                  69-71 currency, 72-79 number of payments in the
                                  deposit, 80 deposit type
70    end (Slutpost)              3-10 number of payment records (20), 11-18 number of
                                  deduction records (21), 19-26 number of extra
                                  reference records (22, 23), 27-34 number of deposit
                                  records (15)
====  ==========================  ================================================

A file is ``01``, then one or more deposits (``05``, its payments each followed by their
``22``-``29`` records, ``15``), then ``70``. The payments take their date from their deposit
(``15``), which also carries their sum: payments less deductions. A payment's unique
reference is the receiving bankgiro number, the payment date and its BGC serial number.

A deduction (21) is not money the bank took back: it is a credit note of a payer, set
against a payment of the same payer in the same deposit, and the deposit is the net. So each
deduction is taken off that payment (the one with the same reference, else the same
payer's bankgiro number, else, for a payer without one, the payment next to it; the
nearest before it first), and the payment is read as the net,
with what was deducted and its code beside it. A deduction with no payment of its payer in
the deposit to be taken off contradicts the deposit, and the file is refused. A BgMax file
never reverses an earlier payment.

The reference Bankgirot gives in an extra reference record (22) is kept with the payment
and tried when the payment record's own reference (blank with extended form registration,
or the first of several) names nobody.

Record types this reader does not know are read past and listed (``ParsedFile.ignored``),
as the manual asks, since Bankgirot extends the layout. A record shorter than 80 characters
is read as if its missing end were blanks, and a file of whole 80-character records without
line breaks is read record by record; tabs and other control characters are refused.
"""

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from ..formatting import format_number
from .files import (
    BANKGIRO_ACCOUNT,
    BGMAX,
    PAYMENT,
    SKIPPED,
    Account,
    BankFileError,
    BankTransaction,
    ParsedFile,
    kronor_text,
)

RECORD_LENGTH = 80
KNOWN = {"01", "05", "15", "20", "21", "22", "23", "25", "26", "27", "28", "29", "70"}
# What a deduction's code (position 71) says of the credit note it comes from.
WHOLE, PARTIAL, FINAL = "0", "1", "2"


def _text(data: bytes) -> str:
    """The file's text: Latin-1, refused when it is plainly another encoding."""
    if b"\x00" in data:
        raise BankFileError(_("The file is not Latin-1 text (it holds NUL bytes, as UTF-16 does)."))
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise BankFileError(_("The file is in UTF-8; a BgMax file is Latin-1 (ISO 8859-1)."))
    text = data.decode("latin-1")
    if text.startswith("\xef\xbb\xbf") or text.startswith("\ufeff"):
        raise BankFileError(_("The file begins with a byte-order mark; a BgMax file has none."), 1)
    return text


def _records(text: str) -> list[tuple[int, str]]:
    """(line number, record) for each record: one a line, or, in a file without line
    breaks, each 80 characters; a shorter record is filled with the blanks it lacks."""
    if "\n" not in text and len(text) > RECORD_LENGTH:
        if len(text) % RECORD_LENGTH:
            raise BankFileError(
                ngettext(
                    "The file has no line breaks and is not whole records of 80 characters "
                    "(%(count)s character).",
                    "The file has no line breaks and is not whole records of 80 characters "
                    "(%(count)s characters).",
                    len(text),
                    count=format_number(len(text)),
                ),
                1,
            )
        lines = [text[i : i + RECORD_LENGTH] for i in range(0, len(text), RECORD_LENGTH)]
    else:
        lines = text.split("\n")
    while lines and not lines[-1].strip("\r"):
        lines.pop()
    records = []
    for number, line in enumerate(lines, start=1):
        record = line.removesuffix("\r")
        if not record.isprintable():
            raise BankFileError(_("The record holds a control character."), number)
        if len(record) > RECORD_LENGTH:
            raise BankFileError(
                _(
                    "A BgMax record is 80 characters; this one is %(length)s.",
                    length=len(record),
                ),
                number,
            )
        records.append((number, record.ljust(RECORD_LENGTH)))
    return records


def _amount(field: str, line: int) -> Decimal:
    if not (field.isascii() and field.isdigit()):
        raise BankFileError(
            _("The amount %(value)s is not a number of öre.", value=field.strip()), line
        )
    return Decimal(int(field)).scaleb(-2)


def _count(field: str, line: int) -> int:
    if not (field.isascii() and field.isdigit()):
        raise BankFileError(_("The count %(value)s is not a number.", value=field.strip()), line)
    return int(field)


def _date(field: str, line: int) -> dt.date:
    try:
        if not (field.isascii() and field.isdigit()):
            raise ValueError(field)
        return dt.date(int(field[:4]), int(field[4:6]), int(field[6:8]))
    except ValueError:
        raise BankFileError(
            _("The date %(value)s is not a date in the calendar.", value=field.strip()), line
        ) from None


class _Deposit:
    """One deposit section being read: its bankgiro number and its payment records."""

    def __init__(self, line: int, bankgiro: str):
        self.line, self.bankgiro = line, bankgiro
        # Each payment and deduction as a dict until the deposit record gives it its date.
        self.payments: list[dict] = []


def _same_payer(payments: list, index: int) -> list:
    """The payments a deduction (``payments[index]``) may be taken off, in the order to
    take it: those with one of its references, then those from its payer's bankgiro
    number; in each, the nearest before it first, then those after it. A deduction that
    names neither a payment's reference nor a payer's bankgiro number is taken off the
    payments nearest it."""
    deduction = payments[index]
    own = {deduction["reference"], *deduction["extra"]} - {""}
    nearest = list(reversed(payments[:index])) + payments[index + 1 :]
    nearest = [p for p in nearest if not p["deduction"]]
    by_reference = [p for p in nearest if own & {p["reference"], *p["extra"]}]
    by_bankgiro = [
        p
        for p in nearest
        if deduction["payer_bankgiro"]
        and p["payer_bankgiro"] == deduction["payer_bankgiro"]
        and all(p is not q for q in by_reference)
    ]
    if by_reference or by_bankgiro or deduction["payer_bankgiro"]:
        return by_reference + by_bankgiro
    # A payer without a bankgiro number, whose credit note has a reference of its own:
    # the deduction stands with the payment it belongs to, so the nearest one is theirs.
    return nearest


class _Reader:
    def __init__(self):
        self.transactions: list[BankTransaction] = []
        self.accounts: list[Account] = []
        self.ignored: list[str] = []
        self.deposit: _Deposit | None = None
        self.counts = {"20": 0, "21": 0, "extra": 0, "15": 0}
        self.ended = False

    def read(self, line: int, record: str) -> None:
        kind = record[:2]
        if not (kind.isascii() and kind.isdigit()):
            raise BankFileError(
                _("%(kind)s is not a BgMax record type (two digits).", kind=kind.strip()), line
            )
        if self.ended:
            raise BankFileError(_("A record after the end record (70)."), line)
        if kind not in KNOWN:
            # The manual: read past record types you do not know; the layout grows.
            self.ignored.append(
                _(
                    "Line %(line)s: record type %(kind)s is not one this reader knows; "
                    "it was read past.",
                    line=line,
                    kind=kind,
                )
            )
            return
        if kind == "01":
            raise BankFileError(_("A second opening record (01)."), line)
        if kind == "05":
            self._open(line, record)
        elif kind == "70":
            self._end(line, record)
        else:
            if self.deposit is None:
                raise BankFileError(
                    _("Record %(kind)s outside a deposit (05 … 15).", kind=kind), line
                )
            if kind == "15":
                self._close(line, record)
            elif kind in ("20", "21"):
                self._payment(line, record)
            else:
                self._detail(line, record)

    def _open(self, line, record):
        if self.deposit is not None:
            raise BankFileError(
                _("A deposit (05) opens before the one before it ended (15)."), line
            )
        bankgiro = record[2:12].strip()
        if not (bankgiro.isascii() and bankgiro.isdigit()):
            raise BankFileError(
                _("The receiving bankgiro number %(value)s is not a number.", value=bankgiro),
                line,
            )
        if record[22:25] not in ("SEK", "   "):
            raise BankFileError(_("Only payments in SEK can be read."), line)
        self.deposit = _Deposit(line, bankgiro.lstrip("0"))
        self.accounts.append(Account(BANKGIRO_ACCOUNT, bankgiro.lstrip("0"), line))

    def _payment(self, line, record):
        kind = record[:2]
        self.counts[kind] += 1
        serial = record[57:69].strip()
        if not serial:
            raise BankFileError(_("The payment has no BGC serial number."), line)
        code = record[70]
        if kind == "21" and code not in (WHOLE, PARTIAL, FINAL):
            raise BankFileError(
                _("The deduction code %(value)s is not 0, 1 or 2.", value=code.strip() or "' '"),
                line,
            )
        self.deposit.payments.append(
            {
                "line": line,
                "payer_bankgiro": record[2:12].strip().lstrip("0"),
                "reference": record[12:37].strip(),
                "amount": _amount(record[37:55], line),
                "serial": serial,
                "deduction": kind == "21",
                "code": code,
                "payer": "",
                "information": [],
                "extra": [],
                "deducted": Decimal(0),
                "codes": [],
            }
        )

    def _detail(self, line, record):
        kind = record[:2]
        if kind in ("22", "23"):
            self.counts["extra"] += 1
        if kind not in ("22", "23", "25", "26"):
            return  # addresses and organisation numbers: not needed here
        if not self.deposit.payments:
            raise BankFileError(
                _("Record %(kind)s comes before any payment record.", kind=kind), line
            )
        payment = self.deposit.payments[-1]
        if kind in ("22", "23") and record[12:37].strip():
            payment["extra"].append(record[12:37].strip())
        elif kind == "26":
            payment["payer"] = " ".join(record[2:72].split())
        elif kind == "25":
            payment["information"].append(record[2:52].strip())

    def _deduct(self, payments: list) -> None:
        """Take each deduction off payments of the same payer in the deposit."""
        for index, deduction in enumerate(payments):
            if not deduction["deduction"]:
                continue
            left = deduction["amount"]
            for payment in _same_payer(payments, index):
                take = min(left, payment["amount"] - payment["deducted"])
                if take > 0:
                    payment["deducted"] += take
                    payment["codes"].append((take, deduction["code"]))
                    left -= take
            if left > 0:
                raise BankFileError(
                    _(
                        "The deduction of %(amount)s kr has no payment of the same payer in "
                        "its deposit to be taken off (%(left)s kr left over).",
                        amount=kronor_text(deduction["amount"]),
                        left=kronor_text(left),
                    ),
                    deduction["line"],
                )

    def _close(self, line, record):
        deposit, self.deposit = self.deposit, None
        self.counts["15"] += 1
        paid_on = _date(record[37:45], line)
        amount = _amount(record[50:68], line)
        count = _count(record[71:79], line)
        if record[68:71] not in ("SEK", "   "):
            raise BankFileError(_("Only payments in SEK can be read."), line)
        payments = deposit.payments
        if count != len(payments):
            raise BankFileError(
                ngettext(
                    "The deposit record says %(count)s payment; the deposit has %(found)s.",
                    "The deposit record says %(count)s payments; the deposit has %(found)s.",
                    count,
                    count=format_number(count),
                    found=format_number(len(payments)),
                ),
                line,
            )
        total = sum(-p["amount"] if p["deduction"] else p["amount"] for p in payments)
        if total != amount:
            raise BankFileError(
                _(
                    "The deposit record says %(said)s kr; its payments add up to %(found)s kr.",
                    said=kronor_text(amount),
                    found=kronor_text(total),
                ),
                line,
            )
        self._deduct(payments)
        for payment in payments:
            if payment["deduction"]:
                continue
            net = payment["amount"] - payment["deducted"]
            self.transactions.append(
                BankTransaction(
                    line=payment["line"],
                    part=0,
                    bank_reference=f"{deposit.bankgiro}-{paid_on:%Y%m%d}-{payment['serial']}",
                    paid_on=paid_on,
                    amount=net,
                    reference=payment["reference"],
                    payer=payment["payer"],
                    kind=PAYMENT if net > 0 else SKIPPED,
                    reason=" ".join(payment["information"])
                    if net > 0
                    else _("Paid in full by the payer's credit note: nothing reached the account."),
                    deducted=payment["deducted"],
                    credit_notes=tuple(payment["codes"]),
                    extra_references=tuple(payment["extra"]),
                )
            )

    def _end(self, line, record):
        if self.deposit is not None:
            raise BankFileError(
                _(
                    "The deposit opened on line %(start)s has no deposit record (15).",
                    start=self.deposit.line,
                ),
                line,
            )
        said = {
            "20": _count(record[2:10], line),
            "21": _count(record[10:18], line),
            "extra": _count(record[18:26], line),
            "15": _count(record[26:34], line),
        }
        # The kind of record, in the number the end record says.
        names = {
            "20": lambda n: ngettext("payment record", "payment records", n),
            "21": lambda n: ngettext("deduction record", "deduction records", n),
            "extra": lambda n: ngettext("extra reference record", "extra reference records", n),
            "15": lambda n: ngettext("deposit record", "deposit records", n),
        }
        for key, number in said.items():
            if number != self.counts[key]:
                raise BankFileError(
                    _(
                        "The end record says %(said)s %(what)s; the file has %(found)s.",
                        said=format_number(number),
                        what=names[key](number),
                        found=format_number(self.counts[key]),
                    ),
                    line,
                )
        self.ended = True


def parse(data: bytes) -> ParsedFile:
    """Read a BgMax file, checking its layout and its own totals; ``BankFileError`` if not."""
    records = _records(_text(data))
    if not records or not records[0][1].startswith("01BGMAX"):
        raise BankFileError(_("A BgMax file begins with its opening record (01 BGMAX)."), 1)
    reader = _Reader()
    for line, record in records[1:]:
        reader.read(line, record)
    if not reader.ended:
        last = records[-1][0]
        raise BankFileError(_("The file ends without its end record (70): it is incomplete."), last)
    return ParsedFile(
        BGMAX,
        reader.transactions,
        accounts=reader.accounts,
        test_file=records[0][1][44] == "T",
        ignored=reader.ignored,
    )

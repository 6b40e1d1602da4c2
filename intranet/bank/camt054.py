"""ISO 20022 camt.054, BankToCustomerDebitCreditNotification: the bank's notice of what
came into (and went out of) the account, as XML.

What is read, in every version from ``camt.054.001.02`` on::

    Document/BkToCstmrDbtCdtNtfctn
      GrpHdr/CreDtTm               when the message was made (see Ntfctn/CreDtTm)
      Ntfctn                       one per account
        CreDtTm                    when the notification was made: the date of an entry
                                   that registers nothing and gives no date of its own
        Acct/Id                    the account: IBAN; or Othr/Id, a bankgiro number when
                                   Othr/SchmeNm/Prtry is BGNR, else the bank's own number
        TxsSummry/TtlNtries        NbOfNtries and Sum over all entries (checked when there)
        TxsSummry/TtlCdtNtries     ... over the credits, TtlDbtNtries over the debits
        Ntry                       an entry on the account
          Amt Ccy="SEK", CdtDbtInd CRDT (in) or DBIT (out), RvslInd (a reversal)
          Sts                      BOOK (booked); PDNG, INFO, FUTR or other: not booked.
                                   A code up to version 07, Sts/Cd or Sts/Prtry from 08
          BookgDt/Dt, ValDt/Dt     the date: booking, else value date (or their DtTm)
          NtryRef, AcctSvcrRef     the bank's references
          Chrgs                    charges: Chrgs/Amt each (version 02), Chrgs/Rcrd/Amt
                                   with ChrgInclInd, else Chrgs/TtlChrgsAndTaxAmt (03 on)
          NtryDtls/TxDtls          each transaction in the entry:
            Refs/AcctSvcrRef, Refs/EndToEndId
            Amt (AmtDtls/TxAmt/Amt in version 02), CdtDbtInd (version 03 on)
            Chrgs                  the transaction's charges, as the entry's
            RltdPties/Dbtr/Nm      the payer (Dbtr/Pty/Nm from version 08)
            RmtInf/Strd/CdtrRefInf/Ref, else RmtInf/Ustrd: the OCR reference
            RtrInf/Rsn/Cd, RtrInf/AddtlInf: why money was returned

A booked credit is a payment. A booked debit is a deduction only when the bank says it
takes back an earlier payment: a reversal (RvslInd) or a return (RtrInf); any other debit,
a credit that reverses or returns money the account paid out, and an entry not booked are
skipped, each with why. An entry's transactions must add up to its amount, less the
charges the bank says it took. The XML is parsed with defusedxml, which refuses a document
type declaration, so neither entity expansion ("a billion laughs") nor external entities
can be used against the server.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import ngettext

from ..formatting import format_number
from .files import (
    BANKGIRO_ACCOUNT,
    CAMT054,
    DEDUCTION,
    IBAN_ACCOUNT,
    OTHER_ACCOUNT,
    PAYMENT,
    SKIPPED,
    Account,
    BankFileError,
    BankTransaction,
    ParsedFile,
    kronor_text,
)
from .iso_xml import Tree, document

NAMESPACE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.054\.001\.(\d{2})\}Document$")
AMOUNT = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,2})?$")
ENTRY_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?Ntry[\s>]")
NOTIFICATION_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?Ntfctn[\s>]")
DATES = ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm")
CREDIT, DEBIT = "CRDT", "DBIT"


@dataclass(frozen=True)
class _Part:
    """One transaction of an entry, before it is known what it registers.

    ``number`` becomes ``BankTransaction.part``: 0 for an entry without TxDtls or a batch
    read as one transaction. ``details`` are the TxDtls it is read from: none, its own, or
    all of a batch's.
    """

    number: int
    details: list
    amount: Decimal
    direction: str

    @property
    def detail(self):
        """The one TxDtls this transaction is, or None."""
        return self.details[0] if len(self.details) == 1 else None


class _Reading(NamedTuple):
    """A transaction of an entry with what it registers, and why when it is no payment."""

    part: _Part
    kind: str
    reason: str


def _amount(element, line: int) -> Decimal:
    text = (element.text or "").strip() if element is not None else ""
    if not text:
        raise BankFileError(_("The entry has no amount."), line)
    if not AMOUNT.match(text):
        raise BankFileError(_("The amount %(value)s is not a number of kronor.", value=text), line)
    currency = element.get("Ccy", "SEK")
    if currency != "SEK":
        raise BankFileError(
            _(
                "Only payments in SEK can be read; this amount is in %(currency)s.",
                currency=currency,
            ),
            line,
        )
    return Decimal(text).quantize(Decimal("0.01"))


def _date(text: str, line: int) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise BankFileError(
            _("The date %(value)s is not a date in the calendar.", value=text), line
        ) from None


def _count(text: str, line: int | None) -> int:
    if not (text.isascii() and text.isdigit()):
        raise BankFileError(_("The count %(value)s is not a number.", value=text), line)
    return int(text)


def _true(text: str) -> bool:
    """An XML boolean, which may be written true or 1."""
    return text.lower() in ("true", "1")


def _direction(text: str, line: int) -> str:
    """CRDT (money in) or DBIT (money out), as a credit/debit indicator says."""
    if text in (CREDIT, DEBIT):
        return text
    if not text:
        raise BankFileError(_("The entry has no credit/debit indicator (CdtDbtInd)."), line)
    raise BankFileError(
        _("The credit/debit indicator %(value)s is neither CRDT nor DBIT.", value=text), line
    )


def _check_summary(tree: Tree, notification, entries, amounts, line):
    """The notification's own totals (TxsSummry) against its entries, where it gives them."""
    summary = tree.find(notification, "TxsSummry")
    if summary is None:
        return
    kinds = {
        "TtlNtries": range(len(entries)),
        "TtlCdtNtries": [i for i, (_e, kind) in enumerate(entries) if kind == CREDIT],
        "TtlDbtNtries": [i for i, (_e, kind) in enumerate(entries) if kind == DEBIT],
    }
    for name, which in kinds.items():
        total = tree.find(summary, name)
        if total is None:
            continue
        said = tree.text(total, "NbOfNtries")
        if said and (number := _count(said, line)) != len(which):
            raise BankFileError(
                ngettext(
                    "The summary (%(name)s) says %(count)s entry; the file has %(found)s.",
                    "The summary (%(name)s) says %(count)s entries; the file has %(found)s.",
                    number,
                    name=name,
                    count=format_number(number),
                    found=format_number(len(which)),
                ),
                line,
            )
        said_sum = tree.text(total, "Sum")
        found = sum((amounts[i] for i in which), Decimal(0))
        if said_sum and (not AMOUNT.match(said_sum) or Decimal(said_sum) != found):
            raise BankFileError(
                _(
                    "The summary (%(name)s) says %(said)s kr; the entries add up to %(found)s kr.",
                    name=name,
                    said=kronor_text(said_sum),
                    found=kronor_text(found),
                ),
                line,
            )


def _not_booked(tree: Tree, entry) -> str:
    """Why the entry registers nothing yet, or "" when it is booked.

    Up to version 07 the status is a code (``<Sts>BOOK</Sts>``), from 08 a choice
    (``<Sts><Cd>BOOK</Cd></Sts>`` or ``<Sts><Prtry>``); both forms are read in every version.
    """
    status = tree.find(entry, "Sts")
    if status is None:
        # The schema asks for a status, but older files often leave it out; what they
        # notify is booked.
        return ""
    code = tree.text(status, "Cd", "Prtry") or (status.text or "").strip()
    if code.upper() == "BOOK":
        return ""
    if not code:
        return _("Not booked: the entry's status is empty.")
    if code.upper() in ("PDNG", "FUTR"):
        return _("Not booked yet (status %(status)s)", status=code)
    if code.upper() == "INFO":
        return _("Information only, not booked (status %(status)s)", status=code)
    return _("Not booked (status %(status)s)", status=code)


def _parts(tree: Tree, entry, amount: Decimal, direction: str, line: int) -> list[_Part]:
    """The entry's transactions: its TxDtls, each with its own amount and direction.

    An entry without TxDtls, or with one that gives no amount, is one transaction for the
    entry's amount; so is a batch (several TxDtls) whose transactions give no amounts.
    """
    details = tree.findall(entry, "NtryDtls/TxDtls")
    amounts = [tree.find(d, "Amt", "AmtDtls/TxAmt/Amt") for d in details]
    if all(a is None for a in amounts):
        return [_Part(1 if len(details) == 1 else 0, details, amount, direction)]
    parts = []
    for number, (detail, element) in enumerate(zip(details, amounts, strict=True), start=1):
        if element is None:
            raise BankFileError(
                _("The entry's transaction %(part)s has no amount; the others have.", part=number),
                line,
            )
        own = _direction(tree.text(detail, "CdtDbtInd") or direction, line)
        parts.append(_Part(number, [detail], _amount(element, line), own))
    return parts


def _kind(tree: Tree, entry, part: _Part, not_booked: str) -> tuple[str, str]:
    """What the transaction registers (PAYMENT, DEDUCTION or SKIPPED), and why if not paid."""
    if not_booked:
        return SKIPPED, not_booked
    reversal = any(_true(tree.text(e, "RvslInd")) for e in (entry, *part.details))
    returned = [d for d in part.details if tree.find(d, "RtrInf") is not None]
    # A batch read as one is returned only if all of it is.
    taken_back = reversal or bool(returned) and len(returned) == len(part.details)
    if part.direction == CREDIT and taken_back:
        # Money the account paid out coming back to it: no rent, whoever sent it.
        return SKIPPED, _(
            "Money back from a payment out of the account (not a payment to the unit)"
        )
    if part.direction == CREDIT:
        return PAYMENT, ""
    if not taken_back:
        return SKIPPED, _("Money out of the account (not a payment to the unit)")
    source = returned[0] if returned else None
    said = " ".join(
        text
        for text in (
            tree.text(source, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry"),
            tree.text(source, "RtrInf/AddtlInf"),
        )
        if text
    )
    return DEDUCTION, said or (_("Reversed by the bank") if reversal else _("Returned by the bank"))


def _charges(tree: Tree, element, line: int) -> Decimal:
    """What the charges stated for an entry or a transaction took from the account.

    Version 02 states each charge as a ``Chrgs`` of its own; later versions as
    ``Chrgs/Rcrd`` records, with their total (``TtlChrgsAndTaxAmt``) beside them, read when
    there are no records. A record whose ChrgInclInd is false is only advised: it is not in
    the entry's amount. A charge is a debit unless it says it is a credit.
    """
    taken = Decimal(0)
    for charges in tree.findall(element, "Chrgs"):
        for record in tree.findall(charges, "Rcrd") or [charges]:
            if tree.text(record, "ChrgInclInd").lower() in ("false", "0"):
                continue
            amount = tree.find(record, "Amt", "TtlChrgsAndTaxAmt")
            if amount is None:
                continue
            value = _amount(amount, line)
            taken += -value if tree.text(record, "CdtDbtInd") == CREDIT else value
    return taken


def _check_amounts(tree: Tree, entry, amount, direction, readings, line: int) -> None:
    """Each transaction is for more than 0 kr, and together they make the entry's amount.

    The entry's amount is what reached the account: the transactions' less the charges the
    bank says it took. Where the transactions' amounts are already net of their charges, or
    the charges were booked on their own, the transactions add up to the entry as they are.
    """
    for part in (r.part for r in readings if r.kind != SKIPPED):
        if part.amount <= 0:
            if part.number:
                message = _(
                    "The entry's transaction %(part)s is for %(amount)s kr; "
                    "an amount must be more than 0 kr.",
                    part=part.number,
                    amount=kronor_text(part.amount),
                )
            else:
                message = _(
                    "The entry is for %(amount)s kr; an amount must be more than 0 kr.",
                    amount=kronor_text(part.amount),
                )
            raise BankFileError(message, line)
    sign = {CREDIT: 1, DEBIT: -1}
    found = sum(sign[r.part.direction] * r.part.amount for r in readings) * sign[direction]
    charges = _charges(tree, entry, line) or sum(
        (_charges(tree, d, line) for d in tree.findall(entry, "NtryDtls/TxDtls")), Decimal(0)
    )
    # A credit's charges are taken from it; a debit's are taken on top of it.
    net = found - charges * sign[direction]
    if amount in (found, net):
        return
    if charges:
        message = _(
            "The entry's transactions add up to %(found)s kr, %(net)s kr after %(charges)s kr "
            "in charges; the entry says %(said)s kr.",
            found=kronor_text(found),
            net=kronor_text(net),
            charges=kronor_text(charges),
            said=kronor_text(amount),
        )
    else:
        message = _(
            "The entry's transactions add up to %(found)s kr; the entry says %(said)s kr.",
            found=kronor_text(found),
            said=kronor_text(amount),
        )
    raise BankFileError(message, line)


def _paid_on(tree: Tree, entry, registers: bool, created: str, line: int) -> dt.date:
    """The booking date, else the value date; the notification's date for an entry that
    registers nothing and gives neither."""
    text = tree.text(entry, *DATES)
    if text:
        return _date(text, line)
    if registers:
        raise BankFileError(_("The entry has no booking date and no value date."), line)
    # A skipped entry is only shown; the day the bank wrote the notice is near enough.
    if not created:
        raise BankFileError(
            _(
                "The entry has no booking date and no value date, "
                "and the notification has no creation date."
            ),
            line,
        )
    return _date(created, line)


def _agreed(values: list[str]) -> str:
    """The value all give, or "" when they differ (a batch read as one)."""
    return values[0] if len(set(values)) == 1 else ""


def _reference(tree: Tree, source) -> str:
    reference = tree.text(source, "RmtInf/Strd/CdtrRefInf/Ref") or " ".join(
        (e.text or "").strip() for e in tree.findall(source, "RmtInf/Ustrd")
    )
    return reference.strip()[:140]


def _transactions(tree: Tree, entry, amount, line: int, created: str) -> list[BankTransaction]:
    """The entry's transactions, each a payment, a deduction, or skipped with why."""
    direction = _direction(tree.text(entry, "CdtDbtInd"), line)
    not_booked = _not_booked(tree, entry)
    parts = _parts(tree, entry, amount, direction, line)
    readings = [_Reading(part, *_kind(tree, entry, part, not_booked)) for part in parts]
    registers = any(r.kind != SKIPPED for r in readings)
    if registers:
        # An entry that registers nothing cannot register a wrong amount, and an odd
        # outgoing payment must not stop the rent in the same file from being read.
        _check_amounts(tree, entry, amount, direction, readings, line)
    paid_on = _paid_on(tree, entry, registers, created, line)
    found = []
    for part, kind, reason in readings:
        sources = part.details or [entry]
        found.append(
            BankTransaction(
                line=line,
                part=part.number,
                bank_reference=_bank_reference(tree, entry, part, len(parts), line),
                paid_on=paid_on,
                amount=part.amount,
                reference=_agreed([_reference(tree, s) for s in sources]),
                payer=_agreed(
                    [tree.text(s, "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm") for s in sources]
                )[:140],
                kind=kind,
                reason=reason,
            )
        )
    return found


def _bank_reference(tree: Tree, entry, part: _Part, parts: int, line: int) -> str:
    """AcctSvcrRef (the transaction's, else the entry's), else NtryRef with EndToEndId."""
    own = tree.text(part.detail, "Refs/AcctSvcrRef")
    if own:
        return own
    entry_ref = tree.text(entry, "AcctSvcrRef")
    if entry_ref:
        return entry_ref if parts == 1 else f"{entry_ref}/{part.number}"
    ntry_ref = tree.text(entry, "NtryRef")
    end_to_end = tree.text(part.detail, "Refs/EndToEndId")
    if ntry_ref:
        return f"{ntry_ref}/{end_to_end or part.number or 1}"
    raise BankFileError(_("The entry has no bank reference (AcctSvcrRef or NtryRef)."), line)


def _account(tree: Tree, notification, line: int | None) -> Account | None:
    """The account the notification is for (``Acct/Id``), or None when it names none."""
    identification = tree.find(notification, "Acct/Id")
    iban = tree.text(identification, "IBAN")
    if iban:
        return Account(IBAN_ACCOUNT, re.sub(r"\s", "", iban).upper(), line)
    number = re.sub(r"\s", "", tree.text(identification, "Othr/Id"))
    if not number:
        return None
    if tree.text(identification, "Othr/SchmeNm/Prtry", "Othr/SchmeNm/Cd").upper() != "BGNR":
        return Account(OTHER_ACCOUNT, number, line)
    digits = number.replace("-", "")
    if not (digits.isascii() and digits.isdigit()):
        raise BankFileError(
            _("The receiving bankgiro number %(value)s is not a number.", value=number), line
        )
    # Without leading zeros, as the BgMax reader gives it.
    return Account(BANKGIRO_ACCOUNT, digits.lstrip("0"), line)


def parse(data: bytes) -> ParsedFile:
    """Read a camt.054 notification, checking its own totals; ``BankFileError`` if not."""
    root = document(data)
    match = NAMESPACE.match(root.tag)
    if match is None:
        raise BankFileError(
            _("The XML is not a camt.054 notification (ISO 20022 BankToCustomerDebitCredit).")
        )
    version = int(match.group(1))
    if version < 2:
        raise BankFileError(_("camt.054 version %(version)s is not supported.", version=version))
    tree = Tree(root.tag[1:].split("}")[0])
    body = tree.find(root, "BkToCstmrDbtCdtNtfctn")
    if body is None:
        raise BankFileError(_("The notification (BkToCstmrDbtCdtNtfctn) is missing."))
    text = data.decode("utf-8", "replace")
    # Elements carry no line numbers; the start tags, in order, give them.
    lines = [text.count("\n", 0, m.start()) + 1 for m in ENTRY_TAG.finditer(text)]
    notice_lines = [text.count("\n", 0, m.start()) + 1 for m in NOTIFICATION_TAG.finditer(text)]
    parsed, index = ParsedFile(CAMT054), 0
    for number, notification in enumerate(tree.findall(body, "Ntfctn")):
        account = _account(tree, notification, _nth(notice_lines, number))
        if account is not None:
            parsed.accounts.append(account)
        created = tree.text(notification, "CreDtTm") or tree.text(body, "GrpHdr/CreDtTm")
        entries, amounts = [], []
        first_line = _nth(lines, index)
        for entry in tree.findall(notification, "Ntry"):
            line = _nth(lines, index)
            index += 1
            amounts.append(_amount(tree.find(entry, "Amt"), line))
            entries.append((entry, tree.text(entry, "CdtDbtInd")))
            parsed.transactions += _transactions(tree, entry, amounts[-1], line, created)
        _check_summary(tree, notification, entries, amounts, first_line)
    return parsed


def _nth(lines: list[int], index: int) -> int | None:
    return lines[index] if index < len(lines) else None

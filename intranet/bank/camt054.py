"""ISO 20022 camt.054, BankToCustomerDebitCreditNotification: the bank's notice of what
came into (and went out of) the account, as XML.

What is read, in every version from ``camt.054.001.02`` on::

    Document/BkToCstmrDbtCdtNtfctn
      Ntfctn                       one per account
        TxsSummry/TtlNtries        NbOfNtries and Sum over all entries (checked when there)
        TxsSummry/TtlCdtNtries     ... over the credits, TtlDbtNtries over the debits
        Ntry                       an entry on the account
          Amt Ccy="SEK", CdtDbtInd CRDT (in) or DBIT (out), RvslInd (a reversal)
          BookgDt/Dt, ValDt/Dt     the date: booking, else value date
          NtryRef, AcctSvcrRef     the bank's references
          NtryDtls/TxDtls          each transaction in the entry:
            Refs/AcctSvcrRef, Refs/EndToEndId
            Amt (AmtDtls/TxAmt/Amt in version 02), CdtDbtInd (version 03 on)
            RltdPties/Dbtr/Nm      the payer (Dbtr/Pty/Nm from version 08)
            RmtInf/Strd/CdtrRefInf/Ref, else RmtInf/Ustrd: the OCR reference
            RtrInf/Rsn/Cd, AddtlRtrInf: why money was returned

Credits are payments; debits and reversals are deductions. The XML is parsed with
defusedxml, which refuses a document type declaration, so neither entity expansion ("a
billion laughs") nor external entities can be used against the server.
"""

import datetime as dt
import re
from decimal import Decimal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from flask_babel import gettext as _

from .files import CAMT054, DEDUCTION, PAYMENT, BankFileError, BankTransaction, ParsedFile

NAMESPACE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.054\.001\.(\d{2})\}Document$")
AMOUNT = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,2})?$")
ENTRY_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?Ntry[\s>]")
DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")


class _Tree:
    """Finding children by their plain names in the document's namespace."""

    def __init__(self, namespace: str):
        self.ns = namespace

    def path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def find(self, element, *paths):
        """The first of ``paths`` found under ``element``, or None."""
        for path in paths:
            found = element.find(self.path(path))
            if found is not None:
                return found
        return None

    def text(self, element, *paths) -> str:
        found = self.find(element, *paths)
        return (found.text or "").strip() if found is not None else ""


def _document(data: bytes):
    declared = DECLARED.match(data)
    if declared is None or declared.group(1).lower() in (b"utf-8", b"utf8"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise BankFileError(
                _("The file is not UTF-8, which its XML declaration says it is."), line
            ) from None
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise BankFileError(
            _("The file declares a document type or entities, which a bank file never has.")
        ) from None
    except ParseError as error:
        raise BankFileError(
            _("The file is not well-formed XML (%(problem)s).", problem=str(error).split(":")[0]),
            error.position[0],
        ) from None


def _amount(tree: _Tree, element, line: int) -> Decimal:
    if element is None:
        raise BankFileError(_("The entry has no amount."), line)
    text = (element.text or "").strip()
    if not AMOUNT.match(text):
        raise BankFileError(_("The amount %(value)s is not a number of kronor.", value=text), line)
    if element.get("Ccy", "SEK") != "SEK":
        raise BankFileError(_("Only payments in SEK can be read."), line)
    return Decimal(text).quantize(Decimal("0.01"))


def _date(tree: _Tree, entry, line: int) -> dt.date:
    text = tree.text(entry, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm")
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


def _check_summary(tree: _Tree, notification, entries, amounts, line):
    """The notification's own totals (TxsSummry) against its entries, where it gives them."""
    summary = tree.find(notification, "TxsSummry")
    if summary is None:
        return
    kinds = {
        "TtlNtries": range(len(entries)),
        "TtlCdtNtries": [i for i, (_e, kind) in enumerate(entries) if kind == "CRDT"],
        "TtlDbtNtries": [i for i, (_e, kind) in enumerate(entries) if kind == "DBIT"],
    }
    for name, which in kinds.items():
        total = tree.find(summary, name)
        if total is None:
            continue
        said = tree.text(total, "NbOfNtries")
        if said and _count(said, line) != len(which):
            raise BankFileError(
                _(
                    "The summary (%(name)s) says %(said)s entries; the file has %(found)s.",
                    name=name,
                    said=said,
                    found=len(which),
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
                    said=said_sum,
                    found=found,
                ),
                line,
            )


def _transactions(tree: _Tree, entry, line: int, version: int) -> list[BankTransaction]:
    entry_kind = tree.text(entry, "CdtDbtInd")
    reversal = tree.text(entry, "RvslInd").lower() == "true"
    paid_on = _date(tree, entry, line)
    details = entry.findall(tree.path("NtryDtls/TxDtls")) or [None]
    found = []
    for part, detail in enumerate(details, start=1):
        source = detail if detail is not None else entry
        amount_element = tree.find(source, "Amt", "AmtDtls/TxAmt/Amt")
        if amount_element is None and len(details) == 1:
            amount_element = tree.find(entry, "Amt")
        kind = tree.text(source, "CdtDbtInd") or entry_kind
        if kind not in ("CRDT", "DBIT"):
            raise BankFileError(_("The entry is neither a credit nor a debit."), line)
        deduction = kind == "DBIT" or reversal
        bank_reference = _bank_reference(tree, entry, source, part, len(details), line)
        reason = ""
        if deduction:
            reason = " ".join(
                text
                for text in (
                    tree.text(source, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry"),
                    tree.text(source, "RtrInf/AddtlInf"),
                )
                if text
            ) or (_("Reversed by the bank") if reversal else _("Returned by the bank"))
        reference = tree.text(source, "RmtInf/Strd/CdtrRefInf/Ref") or " ".join(
            (e.text or "").strip() for e in source.findall(tree.path("RmtInf/Ustrd"))
        )
        found.append(
            BankTransaction(
                line=line,
                part=part if len(details) > 1 or detail is not None else 0,
                bank_reference=bank_reference,
                paid_on=paid_on,
                amount=_amount(tree, amount_element, line),
                reference=reference.strip()[:140],
                payer=tree.text(source, "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm")[:140],
                kind=DEDUCTION if deduction else PAYMENT,
                reason=reason,
            )
        )
    return found


def _bank_reference(tree, entry, source, part, parts, line) -> str:
    """AcctSvcrRef (the transaction's, else the entry's), else NtryRef with EndToEndId."""
    own = tree.text(source, "Refs/AcctSvcrRef") if source is not entry else ""
    if own:
        return own
    entry_ref = tree.text(entry, "AcctSvcrRef")
    if entry_ref:
        return entry_ref if parts == 1 else f"{entry_ref}/{part}"
    ntry_ref = tree.text(entry, "NtryRef")
    end_to_end = tree.text(source, "Refs/EndToEndId") if source is not entry else ""
    if ntry_ref:
        return f"{ntry_ref}/{end_to_end or part}"
    raise BankFileError(_("The entry has no bank reference (AcctSvcrRef or NtryRef)."), line)


def parse(data: bytes) -> ParsedFile:
    """Read a camt.054 notification, checking its own totals; ``BankFileError`` if not."""
    root = _document(data)
    match = NAMESPACE.match(root.tag)
    if match is None:
        raise BankFileError(
            _("The XML is not a camt.054 notification (ISO 20022 BankToCustomerDebitCredit).")
        )
    version = int(match.group(1))
    if version < 2:
        raise BankFileError(_("camt.054 version %(version)s is not supported.", version=version))
    tree = _Tree(root.tag[1:].split("}")[0])
    body = tree.find(root, "BkToCstmrDbtCdtNtfctn")
    if body is None:
        raise BankFileError(_("The notification (BkToCstmrDbtCdtNtfctn) is missing."))
    text = data.decode("utf-8", "replace")
    # Elements carry no line numbers; the entries' start tags, in order, give them.
    lines = [text.count("\n", 0, m.start()) + 1 for m in ENTRY_TAG.finditer(text)]
    transactions, index = [], 0
    for notification in body.findall(tree.path("Ntfctn")):
        entries, amounts = [], []
        first_line = lines[index] if index < len(lines) else None
        for entry in notification.findall(tree.path("Ntry")):
            line = lines[index] if index < len(lines) else None
            index += 1
            amounts.append(_amount(tree, tree.find(entry, "Amt"), line))
            entries.append((entry, tree.text(entry, "CdtDbtInd")))
            transactions += _transactions(tree, entry, line, version)
        _check_summary(tree, notification, entries, amounts, first_line)
    return ParsedFile(CAMT054, transactions)

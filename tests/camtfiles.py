"""camt.054 notifications for the reader's tests, built entry by entry: an entry or a
transaction says only what its test is about, and the rest is a booked credit.

    camt(entry("600.00", Tx("600.00", "100000181")), version="02")

Each version's own form is written: the status as a code up to version 07 and as
``Sts/Cd`` from 08, a transaction's amount in ``AmtDtls/TxAmt`` in version 02 (which has no
transaction ``CdtDbtInd``), charges as ``Chrgs`` each in 02 and ``Chrgs/Rcrd`` from 03.
"""

import itertools
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

CREATED = "2027-03-05T10:10:10"
DAY = "2027-03-02"
_serials = itertools.count(1)


def bankgiro(number: str, scheme: str = "BGNR") -> str:
    """An ``Acct/Id`` naming a bankgiro number (``Othr`` with the scheme ``BGNR``)."""
    return f"<Othr><Id>{number}</Id><SchmeNm><Prtry>{scheme}</Prtry></SchmeNm></Othr>"


def iban(number: str) -> str:
    return f"<IBAN>{number}</IBAN>"


def other(number: str) -> str:
    """An ``Acct/Id`` naming the bank's own account number, with no scheme."""
    return f"<Othr><Id>{number}</Id></Othr>"


@dataclass
class Charge:
    """A charge for an entry or a transaction; ``included`` is its ChrgInclInd (03 on)."""

    amount: str
    included: bool | None = None
    indicator: str = "DBIT"

    def xml(self, version: int) -> str:
        amount = f'<Amt Ccy="SEK">{self.amount}</Amt><CdtDbtInd>{self.indicator}</CdtDbtInd>'
        if version == 2:
            return f"<Chrgs>{amount}</Chrgs>"
        included = ""
        if self.included is not None:
            included = f"<ChrgInclInd>{str(self.included).lower()}</ChrgInclInd>"
        return f"<Rcrd>{amount}{included}</Rcrd>"


def _charges(charges, total, version: int) -> str:
    if version == 2:
        return "".join(c.xml(version) for c in charges)
    if not charges and total is None:
        return ""
    total_xml = "" if total is None else f'<TtlChrgsAndTaxAmt Ccy="SEK">{total}</TtlChrgsAndTaxAmt>'
    return f"<Chrgs>{total_xml}{''.join(c.xml(version) for c in charges)}</Chrgs>"


@dataclass
class Tx:
    """One transaction (TxDtls) of an entry: ``amount`` None gives it none, ``indicator``
    its own CdtDbtInd, ``returned`` a return reason code (RtrInf)."""

    amount: str | None = None
    reference: str = ""
    payer: str = ""
    indicator: str = ""
    returned: str = ""
    charges: list[Charge] = field(default_factory=list)

    def xml(self, version: int) -> str:
        amount = ""
        if self.amount is not None and version == 2:
            amount = f'<AmtDtls><TxAmt><Amt Ccy="SEK">{self.amount}</Amt></TxAmt></AmtDtls>'
        elif self.amount is not None:
            amount = f'<Amt Ccy="SEK">{self.amount}</Amt>'
        if self.indicator:
            amount += f"<CdtDbtInd>{self.indicator}</CdtDbtInd>"
        payer = ""
        if self.payer:
            name = f"<Nm>{escape(self.payer)}</Nm>"
            payer = f"<RltdPties><Dbtr>{f'<Pty>{name}</Pty>' if version >= 8 else name}</Dbtr>"
            payer += "</RltdPties>"
        reference = ""
        if self.reference:
            reference = f"<RmtInf><Strd><CdtrRefInf><Ref>{escape(self.reference)}</Ref>"
            reference += "</CdtrRefInf></Strd></RmtInf>"
        returned = ""
        if self.returned:
            returned = f"<RtrInf><Rsn><Cd>{self.returned}</Cd></Rsn></RtrInf>"
        return (
            f"<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>{amount}"
            f"{_charges(self.charges, None, version)}{payer}{reference}{returned}</TxDtls>"
        )


@dataclass
class Entry:
    """One entry (Ntry): a booked credit of ``amount`` on ``DAY`` unless told otherwise.

    ``status`` None leaves the status out; ``booked`` or ``value`` None leaves that date
    out, and a date with a "T" in it is written as a DtTm.
    """

    amount: str
    details: list[Tx] = field(default_factory=list)
    indicator: str = "CRDT"
    status: str | None = "BOOK"
    booked: str | None = DAY
    value: str | None = DAY
    reversal: bool = False
    charges: list[Charge] = field(default_factory=list)
    charges_total: str | None = None
    ref: str = ""

    def __post_init__(self):
        self.ref = self.ref or f"E{next(_serials)}"

    def xml(self, version: int) -> str:
        status = ""
        if self.status is not None:
            status = (
                f"<Sts><Cd>{self.status}</Cd></Sts>"
                if version >= 8
                else f"<Sts>{self.status}</Sts>"
            )
        dates = "".join(
            f"<{tag}>{_date(day)}</{tag}>"
            for tag, day in (("BookgDt", self.booked), ("ValDt", self.value))
            if day is not None
        )
        details = "".join(t.xml(version) for t in self.details)
        return f"""
      <Ntry>
        <NtryRef>{self.ref}</NtryRef>
        <Amt Ccy="SEK">{self.amount}</Amt>
        <CdtDbtInd>{self.indicator}</CdtDbtInd>
        {"<RvslInd>true</RvslInd>" if self.reversal else ""}{status}{dates}
        <AcctSvcrRef>{self.ref}</AcctSvcrRef>
        {_charges(self.charges, self.charges_total, version)}
        {f"<NtryDtls>{details}</NtryDtls>" if details else ""}
      </Ntry>"""


def entry(amount: str, *details: Tx, **options) -> Entry:
    """An entry of ``amount`` holding the transactions ``details``."""
    return Entry(amount, list(details), **options)


def _date(day: str) -> str:
    return f"<DtTm>{day}</DtTm>" if "T" in day else f"<Dt>{day}</Dt>"


@dataclass
class Notification:
    """A notification (Ntfctn) for one account, with its entries."""

    entries: list[Entry]
    account: str = bankgiro("5050-1055")
    created: str | None = CREATED

    def xml(self, version: int) -> str:
        created = f"<CreDtTm>{self.created}</CreDtTm>" if self.created else ""
        account = f"<Acct><Id>{self.account}</Id></Acct>" if self.account else ""
        entries = "".join(e.xml(version) for e in self.entries)
        return f"""
    <Ntfctn>
      <Id>N1</Id>
      {created}
      {account}{entries}
    </Ntfctn>"""


def document(*notifications: Notification, version: str = "08", created: str = CREATED) -> bytes:
    """A whole camt.054 message of ``notifications``, UTF-8."""
    body = "".join(n.xml(int(version)) for n in notifications)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.{version}">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>{body}
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()


def camt(*entries: Entry, version: str = "08", account: str = bankgiro("5050-1055")) -> bytes:
    """One notification for ``account`` holding ``entries``."""
    return document(Notification(list(entries), account), version=version)

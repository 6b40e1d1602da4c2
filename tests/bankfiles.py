"""Bank files for the tests and the benchmark, written to Bankgirot's and ISO 20022's
published layouts from a list of payments: BgMax (``bgmax``) and camt.054 (``camt054``)."""

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

BANKGIRO = "50501055"  # the tests' unit's, 5050-1055 (conftest)
_serials = itertools.count(1)


@dataclass
class Paid:
    """One payment as the bank reports it. With ``returned``: in BgMax a deduction (record
    21, its code ``code``: a payer's credit note set against their payment in the same
    deposit), in camt.054 money returned (a debit with return information).
    ``extra_refs`` are BgMax extra reference records (22, or 23 after a deduction) with
    reference code 2 (OCR); ``payer_bankgiro`` the payer's bankgiro number in BgMax."""

    reference: str
    amount: Decimal | int | str
    paid_on: dt.date
    payer: str = ""
    returned: bool = False
    reason: str = ""
    serial: str = ""
    payer_bankgiro: str = ""
    code: str = "0"
    extra_refs: tuple = ()

    def __post_init__(self):
        self.amount = Decimal(str(self.amount))
        self.serial = self.serial or str(next(_serials))


def _ore(amount, width) -> str:
    return str(int(Decimal(amount) * 100)).zfill(width)


def _pad(text: str) -> str:
    assert len(text) <= 80, text
    return text.ljust(80)


def bgmax_records(payments, bankgiro=BANKGIRO, marker="P") -> list[str]:
    """The records of a BgMax file: one deposit per payment date, in date order; ``marker``
    ``T`` makes it Bankgirot's test file."""
    records = [_pad(f"01BGMAX               0120270305101010123456{marker}")]
    extras = 0
    days = sorted({p.paid_on for p in payments})
    deposits = 0
    for number, day in enumerate(days, start=1):
        deposits += 1
        records.append(_pad(f"05{bankgiro.zfill(10)}{'':10}SEK"))
        ones = [p for p in payments if p.paid_on == day]
        for p in ones:
            kind = "21" if p.returned else "20"
            payer = p.payer_bankgiro.zfill(10)
            record = f"{kind}{payer}{p.reference:<25}{_ore(p.amount, 18)}21{p.serial.zfill(12)}0"
            if p.returned:
                record += p.code
            records.append(_pad(record))
            for extra in p.extra_refs:
                extras += 1
                extra_kind = "23" if p.returned else "22"
                records.append(_pad(f"{extra_kind}{payer}{extra:<25}{'0' * 18}2"))
            if p.reason:
                records.append(_pad(f"25{p.reason:<50}"))
            if p.payer:
                records.append(_pad(f"26{p.payer:<35}"))
                records.append(_pad(f"27{'Gatan 1':<35}{'12345':<9}"))
        total = sum(-p.amount if p.returned else p.amount for p in ones)
        records.append(
            _pad(
                f"15{'1234567890'.zfill(35)}{day:%Y%m%d}{str(number).zfill(5)}"
                f"{_ore(total, 18)}SEK{str(len(ones)).zfill(8)} "
            )
        )
    paid = sum(1 for p in payments if not p.returned)
    returned = len(payments) - paid
    records.append(
        _pad(
            f"70{str(paid).zfill(8)}{str(returned).zfill(8)}{str(extras).zfill(8)}"
            f"{str(deposits).zfill(8)}"
        )
    )
    return records


def bgmax(payments, bankgiro=BANKGIRO, marker="P") -> bytes:
    """A BgMax file, Latin-1, CR LF between records."""
    records = bgmax_records(payments, bankgiro, marker)
    return ("\r\n".join(records) + "\r\n").encode("latin-1")


def _entry(p: Paid, version: str) -> str:
    indicator = "DBIT" if p.returned else "CRDT"
    amount = f"{p.amount:.2f}"
    if int(version) >= 3:
        amount_xml = f'<Amt Ccy="SEK">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
    else:
        amount_xml = f'<AmtDtls><TxAmt><Amt Ccy="SEK">{amount}</Amt></TxAmt></AmtDtls>'
    payer = ""
    if p.payer:
        name = f"<Nm>{escape(p.payer)}</Nm>"
        payer = f"<RltdPties><Dbtr>{'<Pty>' + name + '</Pty>' if int(version) >= 8 else name}"
        payer += "</Dbtr></RltdPties>"
    returned = ""
    if p.returned:
        reason = f"<AddtlInf>{escape(p.reason)}</AddtlInf>"
        returned = f"<RtrInf><Rsn><Cd>AC04</Cd></Rsn>{reason}</RtrInf>"
    return f"""
      <Ntry>
        <NtryRef>N{p.serial}</NtryRef>
        <Amt Ccy="SEK">{amount}</Amt>
        <CdtDbtInd>{indicator}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{p.paid_on.isoformat()}</Dt></BookgDt>
        <ValDt><Dt>{p.paid_on.isoformat()}</Dt></ValDt>
        <BkTxCd><Prtry><Cd>BGINB</Cd></Prtry></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>BG{p.serial}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          {amount_xml}
          {payer}
          <RmtInf><Strd><CdtrRefInf><Ref>{escape(p.reference)}</Ref></CdtrRefInf></Strd></RmtInf>
          {returned}
        </TxDtls></NtryDtls>
      </Ntry>"""


def camt054(payments, version="02", summary=True, doctype="") -> bytes:
    """A camt.054 notification with one entry per payment, UTF-8."""
    total = sum((p.amount for p in payments), Decimal(0))
    credits = [p for p in payments if not p.returned]
    summary_xml = ""
    if summary:
        summary_xml = f"""
      <TxsSummry>
        <TtlNtries><NbOfNtries>{len(payments)}</NbOfNtries><Sum>{total:.2f}</Sum></TtlNtries>
        <TtlCdtNtries><NbOfNtries>{len(credits)}</NbOfNtries>
          <Sum>{sum((p.amount for p in credits), Decimal(0)):.2f}</Sum></TtlCdtNtries>
      </TxsSummry>"""
    entries = "".join(_entry(p, version) for p in payments)
    return f"""<?xml version="1.0" encoding="UTF-8"?>{doctype}
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.{version}">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2027-03-05T10:10:10</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>N1</Id>
      <CreDtTm>2027-03-05T10:10:10</CreDtTm>
      <Acct><Id><Othr><Id>{BANKGIRO}</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr></Id></Acct>{summary_xml}{entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()

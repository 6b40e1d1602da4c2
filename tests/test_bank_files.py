"""Reading the banks' files: BgMax and camt.054 into one shape, their own totals checked,
and every kind of bad file refused with its reason and line."""

import datetime as dt
from decimal import Decimal

import pytest
from bankfiles import Paid, bgmax, bgmax_records, camt054

from intranet.bank import BankFileError, parse_file
from intranet.bank.files import DEDUCTION, MAX_FILE_BYTES, PAYMENT

DAY = dt.date(2027, 2, 26)
LATER = dt.date(2027, 3, 3)


def _payments():
    return [
        Paid("100000181", 6200, DAY, "Sara Ek"),
        Paid("100000280", "3100.50", LATER, "Ali Ek"),
        Paid("100000181", 6200, LATER, "Sara Ek", returned=True, reason="Fel mottagare"),
        Paid("100000389", 9000, LATER),
    ]


def _bgmax_file(records) -> bytes:
    return ("\r\n".join(records) + "\r\n").encode("latin-1")


@pytest.mark.parametrize("write", [bgmax, lambda p: camt054(p, "02"), lambda p: camt054(p, "08")])
def test_both_formats_read_into_the_same_transactions(write):
    """The same payments in either format; money the bank returned is a camt.054 debit
    (in BgMax a record 21 is a credit note, not a return: see test_bank_files_as_written)."""
    payments = _payments()
    if write is bgmax:
        payments = [p for p in payments if not p.returned]
    parsed = parse_file(write(payments))
    got = [(t.paid_on, t.amount, t.reference, t.payer, t.kind) for t in parsed.transactions]
    expected = [
        (DAY, Decimal("6200.00"), "100000181", "Sara Ek", PAYMENT),
        (LATER, Decimal("3100.50"), "100000280", "Ali Ek", PAYMENT),
        (LATER, Decimal("6200.00"), "100000181", "Sara Ek", DEDUCTION),
        (LATER, Decimal("9000.00"), "100000389", "", PAYMENT),
    ]
    if write is bgmax:
        del expected[2]
    else:
        assert "Fel mottagare" in parsed.transactions[2].reason
    assert got == expected
    assert len({t.bank_reference for t in parsed.transactions}) == len(expected)
    assert parsed.payment_total == Decimal("18300.50")


def test_a_bgmax_payment_is_named_by_bankgiro_date_and_serial_and_its_line():
    parsed = parse_file(bgmax([Paid("100000181", 6200, DAY, serial="77")]))
    (payment,) = parsed.transactions
    assert payment.bank_reference == "50501055-20270226-000000000077"
    assert payment.line == 3
    assert parsed.format == "bgmax"


def test_several_deposits_in_one_bgmax_file_take_their_own_dates():
    parsed = parse_file(bgmax([Paid("1", 1, DAY), Paid("2", 2, LATER), Paid("3", 3, LATER)]))
    assert [t.paid_on for t in parsed.transactions] == [DAY, LATER, LATER]


def test_camt_references_fall_back_to_the_entry_reference_and_end_to_end_id():
    data = camt054([Paid("100000181", 6200, DAY, serial="5")]).replace(
        b"<AcctSvcrRef>BG5</AcctSvcrRef><EndToEndId>NOTPROVIDED", b"<EndToEndId>E2E"
    )
    (payment,) = parse_file(data).transactions
    assert payment.bank_reference == "N5/E2E"


def test_camt_unstructured_reference_is_read_when_there_is_no_structured_one():
    data = camt054([Paid("100000181", 6200, DAY)]).replace(
        b"<Strd><CdtrRefInf><Ref>100000181</Ref></CdtrRefInf></Strd>", b"<Ustrd>Hyra mars</Ustrd>"
    )
    assert parse_file(data).transactions[0].reference == "Hyra mars"


def test_camt_reversal_is_a_deduction():
    """A credit reversed is booked as a debit marked as a reversal."""
    data = (
        camt054([Paid("100000181", 6200, DAY)], summary=False)
        .replace(b"CRDT", b"DBIT")
        .replace(b"<Sts>BOOK</Sts>", b"<RvslInd>true</RvslInd><Sts>BOOK</Sts>")
    )
    (payment,) = parse_file(data).transactions
    assert payment.kind == DEDUCTION
    assert payment.reason == "Reversed by the bank"


def _swap(records, index, start, text):
    record = records[index]
    records[index] = record[:start] + text + record[start + len(text) :]
    return records


BGMAX_RECORDS = [Paid("100000181", 6200, DAY), Paid("100000280", 3100, DAY)]


@pytest.mark.parametrize(
    ("change", "message", "line"),
    [
        (lambda r: r[:-1], "without its end record (70)", 5),
        (lambda r: _swap(r, 5, 2, "00000003"), "says 3 payment records; the file has 2", 6),
        (lambda r: _swap(r, 5, 26, "00000002"), "says 2 deposit records; the file has 1", 6),
        (lambda r: _swap(r, 4, 50, "000000000000930001"), "says 9\u00a0300,01 kr", 5),
        (lambda r: _swap(r, 4, 71, "00000001"), "says 1 payment; the deposit has 2", 5),
        (lambda r: [*r[:2], r[2] + " ", *r[3:]], "80 characters; this one is 81", 3),
        (lambda r: _swap(r, 4, 37, "20270230"), "20270230 is not a date", 5),
        (lambda r: _swap(r, 2, 37, "00000000000062000x"), "is not a number of öre", 3),
        (lambda r: _swap(r, 2, 0, "X9"), "X9 is not a BgMax record type", 3),
        (lambda r: [r[0], *r[2:]], "outside a deposit", 2),
        (lambda r: _swap(r, 1, 22, "EUR"), "Only payments in SEK", 2),
    ],
)
def test_a_bad_bgmax_file_is_refused_naming_the_line(change, message, line):
    records = change(bgmax_records(BGMAX_RECORDS))
    with pytest.raises(BankFileError) as refused:
        parse_file(_bgmax_file(records))
    assert message in refused.value.message
    assert refused.value.line == line


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("\r\n".join(bgmax_records([Paid("1", 1, DAY, payer="Åsa Ek")])).encode(), "UTF-8"),
        ("\r\n".join(bgmax_records([Paid("1", 1, DAY)])).encode("utf-16"), "UTF-16"),
        (b"Hej, det h\xe4r \xe4r ingen bankfil\r\n", "This is not a bank file (BgMax or camt.054)"),
        (b"   \r\n", "empty"),
        (b"x" * (MAX_FILE_BYTES + 1), "larger than 10 MB"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused(data, message):
    with pytest.raises(BankFileError) as refused:
        parse_file(data)
    assert message in refused.value.message


def test_bgmax_reads_latin1_names():
    parsed = parse_file(bgmax([Paid("1", 1, DAY, payer="Åsa Öberg")]))
    assert parsed.transactions[0].payer == "Åsa Öberg"


BOMB = """<!DOCTYPE Document [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>"""
EXTERNAL = '<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
CAMT = [Paid("100000181", 6200, DAY), Paid("100000280", 3100, DAY, returned=True)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (camt054(CAMT, doctype=BOMB).replace(b"<Id>N1</Id>", b"<Id>&c;</Id>"), "document type"),
        (camt054(CAMT, doctype=EXTERNAL).replace(b"N1", b"&secret;"), "document type"),
        (camt054(CAMT)[:-60], "not well-formed XML"),
        (camt054(CAMT).replace(b"camt.054.001.02", b"camt.053.001.02"), "not a camt.054"),
        (camt054(CAMT).replace(b"<NbOfNtries>2", b"<NbOfNtries>3"), "says 3 entries"),
        (camt054(CAMT).replace(b"<Sum>9300.00", b"<Sum>9300.01"), "says 9\u00a0300,01 kr"),
        (camt054(CAMT).replace(b"<Dt>2027-02-26", b"<Dt>2027-02-30"), "2027-02-30 is not a date"),
        (camt054(CAMT).replace(b">6200.00<", b">62OO.00<"), "62OO.00 is not a number"),
        (camt054(CAMT).replace(b'Ccy="SEK">6200', b'Ccy="EUR">6200'), "Only payments in SEK"),
        (camt054(CAMT).replace(b"UTF-8", b"UTF-8").replace(b"N1", b"N\xe41"), "not UTF-8"),
    ],
)
def test_a_bad_camt_file_is_refused(data, message):
    with pytest.raises(BankFileError) as refused:
        parse_file(data)
    assert message in refused.value.message


def test_a_bad_camt_entry_names_its_line():
    data = camt054(CAMT).replace(b"<Dt>2027-02-26", b"<Dt>2027-13-26", 1)
    with pytest.raises(BankFileError) as refused:
        parse_file(data)
    assert refused.value.line == 14
    assert refused.value.described().startswith("Line 14: ")

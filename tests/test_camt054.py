"""Reading camt.054: only booked money registers, an entry's transactions add up to it,
money out is skipped unless the bank says it takes back a payment, and the file names the
accounts it is for."""

import datetime as dt
from decimal import Decimal

import pytest
from camtfiles import Charge, Notification, Tx, bankgiro, camt, document, entry, iban, other

from intranet.bank.camt054 import parse
from intranet.bank.files import (
    BANKGIRO_ACCOUNT,
    DEDUCTION,
    IBAN_ACCOUNT,
    OTHER_ACCOUNT,
    PAYMENT,
    SKIPPED,
    Account,
    BankFileError,
)

DAY = dt.date(2027, 3, 2)
CREATED = dt.date(2027, 3, 5)


def _refused(data: bytes) -> BankFileError:
    with pytest.raises(BankFileError) as refused:
        parse(data)
    return refused.value


def _kinds(parsed) -> list[tuple]:
    return [(t.kind, t.amount, t.reason) for t in parsed.transactions]


# ---- status -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["02", "08"])
def test_a_booked_credit_is_a_payment(version):
    parsed = parse(camt(entry("6200.00", Tx("6200.00", "100000181", "Sara Ek")), version=version))
    (payment,) = parsed.transactions
    assert (payment.kind, payment.amount, payment.paid_on) == (PAYMENT, Decimal("6200.00"), DAY)
    assert (payment.reference, payment.payer, payment.part) == ("100000181", "Sara Ek", 1)


@pytest.mark.parametrize("version", ["02", "08"])
@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("PDNG", "Not booked yet (status PDNG)"),
        ("FUTR", "Not booked yet (status FUTR)"),
        ("INFO", "Information only, not booked (status INFO)"),
        ("XXXX", "Not booked (status XXXX)"),
    ],
)
def test_an_entry_not_booked_registers_nothing_and_says_why(version, status, reason):
    data = camt(entry("6200.00", Tx("6200.00", "100000181"), status=status), version=version)
    parsed = parse(data)
    assert _kinds(parsed) == [(SKIPPED, Decimal("6200.00"), reason)]
    assert parsed.payments == []


@pytest.mark.parametrize(("code", "kind"), [("BOOK", PAYMENT), ("HOLD", SKIPPED)])
def test_a_proprietary_status_is_booked_only_when_it_says_book(code, kind):
    data = camt(entry("100.00", status="BOOK")).replace(
        b"<Sts><Cd>BOOK</Cd></Sts>", f"<Sts><Prtry>{code}</Prtry></Sts>".encode()
    )
    assert parse(data).transactions[0].kind == kind


@pytest.mark.parametrize("version", ["02", "08"])
def test_an_entry_without_a_status_is_taken_as_booked(version):
    parsed = parse(camt(entry("100.00", status=None), version=version))
    assert parsed.transactions[0].kind == PAYMENT


def test_an_empty_status_is_not_taken_as_booked():
    parsed = parse(camt(entry("100.00", status="")))
    assert _kinds(parsed) == [
        (SKIPPED, Decimal("100.00"), "Not booked: the entry's status is empty.")
    ]


# ---- transactions add up to their entry --------------------------------------------------


@pytest.mark.parametrize("version", ["02", "08"])
def test_each_transaction_of_a_batch_is_read_with_its_own_amount(version):
    data = camt(
        entry("600.00", Tx("100.00", "1"), Tx("200.00", "2"), Tx("300.00", "3")), version=version
    )
    parsed = parse(data)
    assert [(t.part, t.amount, t.reference) for t in parsed.payments] == [
        (1, Decimal("100.00"), "1"),
        (2, Decimal("200.00"), "2"),
        (3, Decimal("300.00"), "3"),
    ]
    assert len({t.bank_reference for t in parsed.payments}) == 3


@pytest.mark.parametrize("version", ["02", "08"])
def test_transactions_that_do_not_add_up_to_their_entry_refuse_the_file(version):
    refused = _refused(camt(entry("105678.50", Tx("100.00", "100000181")), version=version))
    # Outside a request the words stay English and the amounts are written as the unit's
    # language (Swedish) writes them.
    assert refused.message == (
        "The entry's transactions add up to 100,00 kr; the entry says 105\u00a0678,50 kr."
    )
    assert refused.line == 9


@pytest.mark.parametrize(
    "charged",
    [
        pytest.param({"charges": [Charge("5.00", included=True)]}, id="record included"),
        pytest.param({"charges": [Charge("5.00")]}, id="record without indicator"),
        pytest.param({"charges": [Charge("2.00"), Charge("3.00")]}, id="two records"),
        pytest.param({"charges_total": "5.00"}, id="total only"),
    ],
)
def test_the_charges_taken_from_a_credit_are_allowed_for(charged):
    parsed = parse(camt(entry("595.00", Tx("600.00", "100000181"), **charged)))
    assert parsed.payment_total == Decimal("600.00")


def test_version_02_charges_are_allowed_for():
    data = camt(entry("595.00", Tx("600.00", "1"), charges=[Charge("5.00")]), version="02")
    assert parse(data).payment_total == Decimal("600.00")


def test_a_transactions_own_charges_are_allowed_for():
    data = camt(
        entry(
            "593.00",
            Tx("300.00", "1", charges=[Charge("3.00")]),
            Tx("300.00", "2", charges=[Charge("4.00")]),
        )
    )
    assert parse(data).payment_total == Decimal("600.00")


def test_transactions_already_net_of_their_charges_add_up_as_they_are():
    data = camt(entry("595.00", Tx("595.00", "1"), charges=[Charge("5.00", included=True)]))
    assert parse(data).payment_total == Decimal("595.00")


def test_a_charge_only_advised_is_not_in_the_entrys_amount():
    advised = [Charge("5.00", included=False)]
    assert parse(camt(entry("600.00", Tx("600.00", "1"), charges=advised))).payments
    refused = _refused(camt(entry("595.00", Tx("600.00", "1"), charges=advised)))
    assert refused.message == (
        "The entry's transactions add up to 600,00 kr; the entry says 595,00 kr."
    )


def test_charges_that_do_not_explain_the_difference_refuse_the_file():
    refused = _refused(camt(entry("590.00", Tx("600.00", "1"), charges=[Charge("5.00")])))
    assert refused.message == (
        "The entry's transactions add up to 600,00 kr, 595,00 kr after 5,00 kr in charges; "
        "the entry says 590,00 kr."
    )


def test_a_reversal_takes_its_charges_on_top():
    data = camt(
        entry(
            "605.00",
            Tx("600.00", "100000181"),
            indicator="DBIT",
            reversal=True,
            charges=[Charge("5.00")],
        )
    )
    assert _kinds(parse(data)) == [(DEDUCTION, Decimal("600.00"), "Reversed by the bank")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            camt(entry("100.00", Tx("100.00", "1"), Tx("0.00", "2"))),
            "The entry's transaction 2 is for 0,00 kr; an amount must be more than 0 kr.",
        ),
        (
            camt(entry("0")),
            "The entry is for 0,00 kr; an amount must be more than 0 kr.",
        ),
        (
            camt(entry("0.00", Tx(reference="1"), Tx(reference="1"))),
            "The entry is for 0,00 kr; an amount must be more than 0 kr.",
        ),
    ],
)
def test_a_transaction_of_no_money_refuses_the_file_naming_its_entry(data, message):
    refused = _refused(data)
    assert refused.message == message
    assert refused.line == 9


def test_an_entry_that_registers_nothing_need_not_add_up():
    data = camt(entry("100.00", Tx("90.00", "1"), Tx("0.00", "2"), status="PDNG"))
    assert [t.kind for t in parse(data).transactions] == [SKIPPED, SKIPPED]


def test_a_batch_whose_transactions_give_no_amounts_is_one_payment_for_the_entry():
    data = camt(entry("900.00", *[Tx(reference="100000181", payer="Sara Ek")] * 3))
    (payment,) = parse(data).transactions
    assert (payment.part, payment.amount) == (0, Decimal("900.00"))
    assert (payment.reference, payment.payer) == ("100000181", "Sara Ek")


def test_a_batch_read_as_one_names_no_reference_its_transactions_disagree_on():
    data = camt(entry("900.00", Tx(reference="100000181"), Tx(reference="100000280")))
    (payment,) = parse(data).transactions
    assert (payment.amount, payment.reference) == (Decimal("900.00"), "")


def test_a_batch_where_only_some_transactions_give_amounts_is_refused():
    refused = _refused(camt(entry("900.00", Tx("400.00", "1"), Tx(reference="2"))))
    assert refused.message == "The entry's transaction 2 has no amount; the others have."
    assert refused.line == 9


# ---- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2027-03-01", "2027-03-01T09:30:00+01:00"])
def test_the_value_date_is_used_when_the_booking_date_is_missing(value):
    parsed = parse(camt(entry("100.00", booked=None, value=value)))
    assert parsed.transactions[0].paid_on == dt.date(2027, 3, 1)


def test_a_booking_date_as_a_time_is_read_as_its_day():
    parsed = parse(camt(entry("100.00", booked="2027-02-27T23:00:00", value=None)))
    assert parsed.transactions[0].paid_on == dt.date(2027, 2, 27)


@pytest.mark.parametrize(
    ("details", "indicator"),
    [([], "CRDT"), ([Tx("100.00", "1", returned="AC04")], "DBIT")],
    ids=["credit", "returned debit"],
)
def test_an_entry_that_registers_money_without_any_date_is_refused(details, indicator):
    undated = entry("100.00", *details, indicator=indicator, booked=None, value=None)
    refused = _refused(camt(undated))
    assert refused.message == "The entry has no booking date and no value date."
    assert refused.line == 9


@pytest.mark.parametrize(
    "changes", [{"indicator": "DBIT"}, {"status": "PDNG"}], ids=["debit", "pending"]
)
def test_a_skipped_entry_without_dates_takes_the_notifications_date(changes):
    parsed = parse(camt(entry("100.00", booked=None, value=None, **changes)))
    assert [(t.kind, t.paid_on) for t in parsed.transactions] == [(SKIPPED, CREATED)]


def test_without_the_notifications_date_the_messages_date_is_taken():
    notice = Notification([entry("100.00", booked=None, value=None, status="INFO")], created=None)
    parsed = parse(document(notice, created="2027-03-04T08:00:00"))
    assert parsed.transactions[0].paid_on == dt.date(2027, 3, 4)


def test_a_skipped_entry_without_any_date_in_the_file_is_refused():
    notice = Notification([entry("100.00", booked=None, value=None, status="INFO")], created=None)
    refused = _refused(document(notice, created=""))
    assert refused.message == (
        "The entry has no booking date and no value date, "
        "and the notification has no creation date."
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.replace(b'<Amt Ccy="SEK">100.00</Amt>', b'<Amt Ccy="SEK"> </Amt>', 1),
            "The entry has no amount.",
        ),
        (
            lambda d: d.replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"<CdtDbtInd></CdtDbtInd>"),
            "The entry has no credit/debit indicator (CdtDbtInd).",
        ),
        (
            lambda d: d.replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"<CdtDbtInd>IN</CdtDbtInd>"),
            "The credit/debit indicator IN is neither CRDT nor DBIT.",
        ),
        (
            lambda d: d.replace(b"<Dt>2027-03-02</Dt>", b"<Dt> </Dt>"),
            "The entry has no booking date and no value date.",
        ),
        (
            lambda d: d.replace(b'Ccy="SEK">100.00', b'Ccy="NOK">100.00', 1),
            "Only payments in SEK can be read; this amount is in NOK.",
        ),
    ],
)
def test_a_message_says_what_is_missing_rather_than_show_an_empty_value(change, message):
    refused = _refused(change(camt(entry("100.00", Tx("100.00", "1")))))
    assert refused.message == message
    assert refused.line == 9


# ---- money out --------------------------------------------------------------------------


def test_a_debit_that_is_no_reversal_is_skipped():
    parsed = parse(camt(entry("2500.00", Tx("2500.00", "Elräkning"), indicator="DBIT")))
    assert _kinds(parsed) == [
        (SKIPPED, Decimal("2500.00"), "Money out of the account (not a payment to the unit)")
    ]
    assert parsed.deductions == []


@pytest.mark.parametrize("written", [b"true", b"1"])
def test_a_reversed_credit_is_a_deduction(written):
    data = camt(entry("6200.00", Tx("6200.00", "100000181"), indicator="DBIT", reversal=True))
    data = data.replace(b"<RvslInd>true", b"<RvslInd>" + written)
    assert _kinds(parse(data)) == [(DEDUCTION, Decimal("6200.00"), "Reversed by the bank")]


@pytest.mark.parametrize("version", ["02", "08"])
def test_a_returned_payment_is_a_deduction_with_the_banks_reason(version):
    returned = Tx("6200.00", "100000181", returned="AC04")
    parsed = parse(camt(entry("6200.00", returned, indicator="DBIT"), version=version))
    assert _kinds(parsed) == [(DEDUCTION, Decimal("6200.00"), "AC04")]
    assert parsed.transactions[0].reference == "100000181"


@pytest.mark.parametrize(
    "back",
    [entry("100.00", reversal=True), entry("100.00", Tx("100.00", "1", returned="AC04"))],
    ids=["reversed debit", "returned transfer"],
)
def test_money_back_from_a_payment_out_of_the_account_is_skipped(back):
    parsed = parse(camt(back))
    assert _kinds(parsed) == [
        (
            SKIPPED,
            Decimal("100.00"),
            "Money back from a payment out of the account (not a payment to the unit)",
        )
    ]


def test_a_debit_transaction_in_a_credit_entry_is_skipped_and_counted_against_the_entry():
    data = camt(entry("500.00", Tx("600.00", "1"), Tx("100.00", "2", indicator="DBIT")))
    assert [(t.kind, t.amount) for t in parse(data).transactions] == [
        (PAYMENT, Decimal("600.00")),
        (SKIPPED, Decimal("100.00")),
    ]


def test_the_summary_still_counts_the_skipped_entries():
    data = camt(entry("100.00"), entry("40.00", indicator="DBIT"), entry("7.00", status="PDNG"))
    summary = (
        b"<TxsSummry><TtlNtries><NbOfNtries>3</NbOfNtries><Sum>147.00</Sum></TtlNtries>"
        b"<TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>40.00</Sum></TtlDbtNtries></TxsSummry>"
    )
    with_summary = data.replace(b"</Acct>", b"</Acct>" + summary)
    assert len(parse(with_summary).transactions) == 3
    refused = _refused(with_summary.replace(b"<NbOfNtries>3", b"<NbOfNtries>2"))
    assert "says 2 entries; the file has 3" in refused.message


# ---- accounts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "said"),
    [
        (iban("se45 5000 0000 0583 9825 7466"), (IBAN_ACCOUNT, "SE4550000000058398257466")),
        (bankgiro("5050-1055"), (BANKGIRO_ACCOUNT, "50501055")),
        (bankgiro("5050 1055", scheme="bgnr"), (BANKGIRO_ACCOUNT, "50501055")),
        (other("1234 56 78901"), (OTHER_ACCOUNT, "12345678901")),
        (bankgiro("5050-1055", scheme="BBAN"), (OTHER_ACCOUNT, "5050-1055")),
    ],
)
def test_the_file_names_the_account_it_is_for(account, said):
    parsed = parse(camt(entry("100.00"), account=account))
    assert parsed.accounts == [Account(*said, line=5)]


def test_each_notification_names_its_own_account_and_line():
    data = document(
        Notification([entry("100.00")], bankgiro("5050-1055")),
        Notification([entry("200.00")], iban("SE4550000000058398257466")),
    )
    assert parse(data).accounts == [
        Account(BANKGIRO_ACCOUNT, "50501055", 5),
        Account(IBAN_ACCOUNT, "SE4550000000058398257466", 19),
    ]


def test_a_notification_without_an_account_names_none():
    assert parse(camt(entry("100.00"), account="")).accounts == []


def test_a_bankgiro_number_that_is_no_number_is_refused():
    refused = _refused(camt(entry("100.00"), account=bankgiro("5050-IO55")))
    assert refused.message == "The receiving bankgiro number 5050-IO55 is not a number."
    assert refused.line == 5

"""Importing a bank file: matching each payment to a resident by its OCR reference, the
month it pays, credit, unmatched payments and their suggestions, deductions, duplicates, and
a fixed number of queries however many payments the file has."""

import datetime as dt
from decimal import Decimal

import pytest
from bankfiles import Paid, bgmax, camt054
from helpers import count_queries, open_rent_month

from intranet import cache, clock
from intranet.bank import BankFileError, parse_file
from intranet.models import BankEntry, BankImport, EntryState, ImportStatus, Payment, RentCharge
from intranet.rent import bank_imports as imports
from intranet.rent import board, ledger, rules, services

MARCH = dt.date(2027, 3, 1)
pytestmark = pytest.mark.usefixtures("app_context")


def _import(data, actor=None, name="bank.txt"):
    """Read, preview and confirm a file, as the upload page and the command do."""
    planned = imports.plan(parse_file(data))
    preview = imports.save_preview(planned, name, imports.sha256(data), actor)
    return imports.confirm(preview.id, actor)


def _row(tenancy, month=MARCH):
    return next(r for r in board.tenancy_rows(tenancy.id) if r.charge.month == month)


def _status(tenancy, month=MARCH):
    row = _row(tenancy, month)
    return row.status(clock.today()), row.balance


def _entries(bank_import):
    query = BankEntry.select().where(BankEntry.bank_import == bank_import.id)
    return list(query.order_by(BankEntry.line))


@pytest.fixture
def residents(rent_world):
    staff, resident = rent_world
    sara, ali = resident("Sara"), resident("Ali", rent=5000)
    open_rent_month(dt.date(2027, 1, 1))
    open_rent_month(dt.date(2027, 2, 1))
    open_rent_month(MARCH)
    # January and February are paid; March is open.
    for tenancy in (sara, ali):
        for charge in RentCharge.select().where(
            (RentCharge.tenancy == tenancy.id) & (RentCharge.month < MARCH)
        ):
            services.register_payment(
                charge.id, staff, charge.due_on, charge.amount, "swish", f"k{charge.id}"
            )
    return staff, sara, ali


def test_a_payment_before_the_1st_pays_the_month_on_time(residents):
    staff, sara, _ali = residents
    bank_import = _import(bgmax([Paid(sara.payment_reference, 6200, dt.date(2027, 2, 27))]), staff)
    assert bank_import.status == ImportStatus.IMPORTED
    assert bank_import.matched == 1
    assert _status(sara) == (rules.PAID_ON_TIME, Decimal(0))
    (entry,) = _entries(bank_import)
    assert entry.state == EntryState.REGISTERED
    payment = Payment.get_by_id(entry.payment_id)
    assert payment.method == "bank_transfer" and payment.registered_by_id == staff.id


@pytest.mark.parametrize(
    ("paid_on", "amount", "status", "balance", "credit"),
    [
        (dt.date(2027, 3, 4), 6200, rules.PAID_LATE, 0, 0),
        (dt.date(2027, 3, 4), 3000, rules.PARTLY_PAID, 3200, 0),
        (dt.date(2027, 2, 20), 9000, rules.PAID_ON_TIME, 0, 2800),
    ],
)
def test_late_partial_and_over_payments_follow_the_boards_rules(
    residents, paid_on, amount, status, balance, credit
):
    staff, sara, _ali = residents
    _import(bgmax([Paid(sara.payment_reference, amount, paid_on)]), staff)
    assert _status(sara) == (status, Decimal(balance))
    assert _row(sara).credit == credit


def test_an_overpayment_is_credit_for_the_next_month(residents):
    staff, sara, _ali = residents
    _import(bgmax([Paid(sara.payment_reference, 12400, dt.date(2027, 3, 2))]), staff)
    clock.set_clock(dt.date(2027, 4, 2))
    open_rent_month(dt.date(2027, 4, 1))
    assert _status(sara, dt.date(2027, 4, 1)) == (rules.PAID_ON_TIME, Decimal(0))


def test_a_payment_pays_the_oldest_unpaid_month_first(residents):
    staff, sara, _ali = residents
    for payment in Payment.select().where(Payment.tenancy == sara.id):
        services.reverse_payment(payment.id, staff, "x")
    bank_import = _import(bgmax([Paid(sara.payment_reference, 6200, dt.date(2027, 3, 2))]), staff)
    (entry,) = _entries(bank_import)
    (share,) = ledger.receipt_of(entry.payment_id).shares
    assert (share.month, share.amount) == (dt.date(2027, 1, 1), 6200)


@pytest.mark.parametrize("reference", ["100000182", "999999995", "Hyra mars"])
def test_a_wrong_or_unknown_reference_is_unmatched_with_suggestions(residents, reference):
    staff, sara, _ali = residents
    bank_import = _import(
        bgmax([Paid(reference, 6200, dt.date(2027, 3, 2), payer="EK SARA")]), staff
    )
    (entry,) = _entries(bank_import)
    assert (entry.state, entry.tenancy_id, entry.payment_id) == (EntryState.UNMATCHED, None, None)
    assert bank_import.unmatched == 1 and bank_import.matched == 0
    suggested = imports.suggestions(entry, imports.residents_to_choose())
    assert [t.id for t in suggested][:1] == [sara.id]
    assert _status(sara)[0] == rules.NOT_YET_PAID


def test_an_unmatched_payment_assigned_later_is_registered(residents):
    staff, sara, _ali = residents
    bank_import = _import(bgmax([Paid("123", 6200, dt.date(2027, 2, 27))]), staff)
    (entry,) = _entries(bank_import)
    imports.assign(entry.id, sara.id, staff)
    entry = BankEntry.get_by_id(entry.id)
    assert entry.state == EntryState.REGISTERED and entry.tenancy_id == sara.id
    assert _status(sara) == (rules.PAID_ON_TIME, Decimal(0))
    assert BankImport.get_by_id(bank_import.id).unmatched == 0
    with pytest.raises(imports.ImportRefused, match="redan hanterad"):
        imports.assign(entry.id, sara.id, staff)


def test_an_unmatched_payment_assigned_in_the_preview_is_registered_on_confirm(residents):
    staff, sara, _ali = residents
    data = bgmax([Paid("123", 6200, dt.date(2027, 2, 27))])
    preview = imports.save_preview(imports.plan(parse_file(data)), "a", "x", staff)
    (entry,) = _entries(preview)
    imports.assign(entry.id, sara.id, staff)
    assert Payment.select().where(Payment.method == "bank_transfer").count() == 0
    imports.confirm(preview.id, staff)
    assert _status(sara) == (rules.PAID_ON_TIME, Decimal(0))


def test_the_same_file_twice_registers_once(residents):
    staff, sara, ali = residents
    data = camt054(
        [Paid(sara.payment_reference, 6200, MARCH), Paid(ali.payment_reference, 5000, MARCH)]
    )
    first, second = _import(data, staff), _import(data, staff)
    assert (first.matched, second.matched, second.already_imported) == (2, 0, 2)
    assert Payment.select().where(Payment.method == "bank_transfer").count() == 2
    assert {e.state for e in _entries(second)} == {EntryState.ALREADY_IMPORTED}


def test_a_file_that_says_one_transaction_twice_is_refused_naming_both_lines(residents):
    """Two payments with the same bank key in one file: the deposit's total counts both,
    so the file contradicts itself; it is refused, nothing saved."""
    staff, sara, _ali = residents
    paid = Paid(sara.payment_reference, 6200, MARCH, serial="55")
    data = bgmax([paid, Paid(sara.payment_reference, 6200, MARCH, serial="55")])
    with pytest.raises(BankFileError) as refused:
        _import(data, staff)
    assert "Rad 3 och 4" in refused.value.message and "50501055-20270301-000000000055" in (
        refused.value.message
    )
    assert BankImport.select().count() == 0 and Payment.select().count() == 4


def test_a_preview_confirmed_twice_is_one_import(residents):
    staff, sara, _ali = residents
    data = bgmax([Paid(sara.payment_reference, 6200, MARCH)])
    preview = imports.save_preview(imports.plan(parse_file(data)), "a", "x", staff)
    imports.confirm(preview.id, staff)
    with pytest.raises(imports.ImportRefused, match="redan importerad"):
        imports.confirm(preview.id, staff)
    assert Payment.select().where(Payment.method == "bank_transfer").count() == 1


def test_two_previews_of_one_file_confirmed_register_once(residents):
    staff, sara, _ali = residents
    data = bgmax([Paid(sara.payment_reference, 6200, MARCH)])
    previews = [
        imports.save_preview(imports.plan(parse_file(data)), "a", "x", staff) for _n in range(2)
    ]
    first, second = (imports.confirm(p.id, staff) for p in previews)
    assert (first.matched, second.already_imported) == (1, 1)
    assert Payment.select().where(Payment.method == "bank_transfer").count() == 1


def test_a_returned_payment_reverses_the_imported_one(residents):
    """camt.054: money the bank returned (a debit with return information) reverses the
    imported payment of that resident and amount."""
    staff, sara, _ali = residents
    _import(bgmax([Paid(sara.payment_reference, 6200, dt.date(2027, 3, 2))]), staff)
    returned = Paid(sara.payment_reference, 6200, dt.date(2027, 3, 4), returned=True, reason="Fel")
    bank_import = _import(camt054([returned, Paid("1", 9000, dt.date(2027, 3, 4))]), staff)
    entry = _entries(bank_import)[0]
    assert entry.state == EntryState.REVERSED
    payment = Payment.get_by_id(entry.payment_id)
    assert payment.reversed_at is not None and "Fel" in payment.reversal_reason
    assert _status(sara)[0] == rules.NOT_YET_PAID


def test_a_returned_payment_with_nothing_to_reverse_is_unmatched(residents):
    staff, sara, _ali = residents
    returned = Paid(sara.payment_reference, 100, dt.date(2027, 3, 4), returned=True)
    bank_import = _import(camt054([returned]), staff)
    (entry,) = _entries(bank_import)
    assert (entry.state, entry.note) == (
        EntryState.UNMATCHED,
        "Ingen importerad betalning att makulera.",
    )


def test_several_deposits_in_one_file(residents):
    staff, sara, ali = residents
    data = bgmax(
        [
            Paid(sara.payment_reference, 6200, dt.date(2027, 2, 26)),
            Paid(ali.payment_reference, 2500, dt.date(2027, 3, 1)),
            Paid(ali.payment_reference, 2500, dt.date(2027, 3, 3)),
        ]
    )
    bank_import = _import(data, staff)
    assert bank_import.matched == 3
    assert _status(sara)[0] == rules.PAID_ON_TIME
    assert _status(ali) == (rules.PAID_LATE, Decimal(0))


def test_a_payment_dated_in_the_future_is_refused(residents):
    staff, sara, _ali = residents
    bank_import = _import(bgmax([Paid(sara.payment_reference, 6200, dt.date(2027, 3, 9))]), staff)
    assert bank_import.refused == 1
    assert Payment.select().where(Payment.method == "bank_transfer").count() == 0


def test_a_payment_before_the_first_month_is_charged_is_refused(residents, rent_world):
    staff, resident = rent_world
    newcomer = resident("Nora", start=dt.date(2027, 5, 1))
    bank_import = _import(bgmax([Paid(newcomer.payment_reference, 6200, MARCH)]), staff)
    (entry,) = _entries(bank_import)
    assert entry.state == EntryState.REFUSED
    assert bank_import.refused == 1


def _queries_to_import(sara, count, serial):
    payments = [
        Paid(sara.payment_reference if n % 3 else "123", 10, MARCH, serial=f"{serial}{n}")
        for n in range(count)
    ]
    data = bgmax(payments)
    cache.forget()  # each import with nothing kept from the one before, as after a restart
    with count_queries() as queries:
        _import(data)
    return len(queries)


def test_the_import_runs_the_same_queries_for_10_and_200_payments(residents):
    _staff, sara, _ali = residents
    assert _queries_to_import(sara, 10, "1") == _queries_to_import(sara, 200, "2")

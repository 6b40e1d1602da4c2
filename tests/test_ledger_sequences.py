"""Random days of a resident's money, on both databases: months opened as the days pass,
payments on the board and from bank files (some more than a month's rent, some a few
kronor), reversals. After every step the stored ledger equals a replay of the same steps
through the pure rule, every payment's money is all somewhere, no month holds more than
it charges, and ``verify`` finds no summary that differs."""

import datetime as dt
import itertools
import os
from decimal import Decimal

from bankfiles import Paid, bgmax
from helpers import add_resident
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intranet import clock
from intranet.bank import imports, parse_file
from intranet.models import (
    Allocation,
    BankEntry,
    BankImport,
    Commissioner,
    Payment,
    RentCharge,
    RentMonth,
)
from intranet.rent import ledger, rules, services
from intranet.rent.ledger_rules import Book

START = dt.date(2027, 1, 10)
EXAMPLES = itertools.count(1)
RENT = Decimal(6000)

STEP = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 25)),
    st.tuples(
        st.sampled_from(["board", "bank"]),
        st.sampled_from([Decimal(1), Decimal(2500), RENT, Decimal(6500), Decimal(13000)]),
        st.integers(0, 3),
    ),
    st.tuples(st.just("reverse"), st.integers(0, 10)),
)


def _stored_held() -> dict:
    held: dict = {}
    for charge_id, amount in Allocation.select(Allocation.charge, Allocation.amount).tuples():
        held[charge_id] = held.get(charge_id, Decimal(0)) + Decimal(amount)
    return held


def _check(book: Book) -> None:
    assert ledger.verify() == []
    expected: dict = {}
    for allocation in book.allocations:
        if allocation.amount > 0:
            key = allocation.charge_id
            expected[key] = expected.get(key, Decimal(0)) + allocation.amount
    assert _stored_held() == expected
    for charge in RentCharge.select():
        held = expected.get(charge.id, Decimal(0))
        assert held <= Decimal(charge.amount)
    for payment in Payment.select():
        held = sum((Decimal(a.amount) for a in payment.allocations), Decimal(0))
        assert held == (0 if payment.reversed_at else Decimal(payment.amount)), payment.id


@settings(
    # ``make bench`` runs 300 examples.
    max_examples=int(os.environ.get("LEDGER_EXAMPLES", "12")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_any_sequence_of_money_keeps_the_ledger_whole(app, make_user, make_landlord, steps):
    for model in (RentMonth, Allocation, BankEntry, BankImport, Payment, RentCharge):
        model.delete().execute()
    today = START
    clock.set_clock(today)
    number = next(EXAMPLES)
    staff = make_user("staff")
    commissioner, _new = Commissioner.get_or_create(name="Socialtjänsten")
    landlord = make_landlord(f"Hyresvärd {number} AB")
    tenancy = add_resident(
        landlord, commissioner, staff, "Sara", RENT, START, address=f"Gatan {number}"
    )
    book = Book()

    def open_through(day):
        for charge_id in _opened(day, tenancy):
            charge = RentCharge.get_by_id(charge_id)
            book.open(charge.id, charge.month, Decimal(charge.amount), charge.due_on)

    open_through(today)
    live: list[int] = []
    for number, step in enumerate(steps):
        if step[0] == "wait":
            today += dt.timedelta(days=step[1])
            clock.set_clock(today)
            open_through(today)
        elif step[0] == "reverse" and live:
            payment_id = live.pop(step[1] % len(live))
            services.reverse_payment(payment_id, staff, "fel")
            book.reverse(payment_id)
        elif step[0] in ("board", "bank"):
            _kind, amount, days_ago = step
            paid_on = max(START, today - dt.timedelta(days=days_ago))
            payment_id = _pay(step[0], tenancy, staff, amount, paid_on, number)
            book.pay(payment_id, amount, paid_on)
            live.append(payment_id)
        _check(book)


def _opened(day, tenancy) -> list[int]:
    """Open the month of ``day`` and return the charges that opening made for ``tenancy``
    (the residents of earlier examples get theirs too)."""
    month = rules.month_of(day)
    charges = RentCharge.select(RentCharge.id).where(RentCharge.tenancy == tenancy.id)
    before = {c for (c,) in charges.tuples()}
    services.open_month(month)
    return sorted({c for (c,) in charges.tuples()} - before)


def _pay(how, tenancy, staff, amount, paid_on, number) -> int:
    if how == "board":
        charge = RentCharge.select().order_by(RentCharge.month.desc()).first()
        payment = services.register_payment(
            charge.id, staff, paid_on, amount, "swish", f"seq-{number}"
        )
        return payment.id
    data = bgmax([Paid(tenancy.payment_reference, amount, paid_on, serial=f"9{number:04d}")])
    preview = imports.save_preview(imports.plan(parse_file(data)), "bg.txt", f"{number:064d}", None)
    imports.confirm(preview.id, None)
    return Payment.select().order_by(Payment.id.desc()).first().id

"""Random days of a resident's money, on both databases: a mid-month move-in, months opened
as the days pass, payments on the board and from bank files (some more than a month's rent,
some a few kronor), reversals, a payer's credit note taken off their payment in a BgMax
deposit, money the bank returns (camt.054), repayment plans over the months
owed, the manager's moves of money between months and credit, and a move-out that makes
the months from it pro rata. After every step the
stored ledger equals a replay of the same steps through the pure rule, every payment's
money is all somewhere, no month holds more than it charges, ``verify`` finds no summary
that differs, and every page that shows a month says the same of it: the board, the
resident's months, the counts of the board and the start pages, rent over time, the rent
notice and the reminder letters. At the end, the ledger booked anew from what was stored
(``ledger.rebuild``) holds the same money in the same months."""

import datetime as dt
import itertools
import os
from decimal import Decimal

from bankfiles import Paid, bgmax, camt054
from helpers import add_resident
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from intranet import clock
from intranet.bank import parse_file
from intranet.models import (
    Allocation,
    AllocationMove,
    BankEntry,
    BankImport,
    ChargeChange,
    Commissioner,
    Instalment,
    Payment,
    PlanMonth,
    RentCharge,
    RentMonth,
    RepaymentPlan,
    Tenancy,
)
from intranet.rent import bank_imports as imports
from intranet.rent import board, ledger, notices, rules, services, stats
from intranet.rent.ledger_rules import Book
from intranet.residents import services as residents

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
    st.tuples(st.just("plan"), st.integers(1, 3)),
    st.tuples(st.just("deduct"), st.integers(0, 10)),
    st.tuples(st.just("move"), st.integers(0, 10), st.sampled_from([Decimal(500), RENT])),
    st.tuples(st.just("move_out"), st.integers(0, 20)),
)


def _stored_held() -> dict:
    held: dict = {}
    for charge_id, amount in Allocation.select(Allocation.charge, Allocation.amount).tuples():
        held[charge_id] = held.get(charge_id, Decimal(0)) + Decimal(amount)
    return held


def _check(book: Book, today: dt.date) -> None:
    assert ledger.verify() == []
    _pages_agree(today)
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
    # No explain phase: it traces every line, and a failure would take minutes to report.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_any_sequence_of_money_keeps_the_ledger_whole(app_context, make_user, make_landlord, steps):
    for model in (
        ChargeChange,
        AllocationMove,
        PlanMonth,
        Instalment,
        RepaymentPlan,
        RentMonth,
        Allocation,
        BankEntry,
        BankImport,
        Payment,
        RentCharge,
    ):
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
    banked: list[int] = []  # the live payments that came in bank files
    for number, step in enumerate(steps):
        if step[0] == "wait":
            today += dt.timedelta(days=step[1])
        # A second a step, so a replay of the stored moments keeps the steps' order.
        clock.set_clock(dt.datetime.combine(today, dt.time()) + dt.timedelta(seconds=number + 1))
        if step[0] == "wait":
            open_through(today)
        elif step[0] == "reverse" and live:
            payment_id = live.pop(step[1] % len(live))
            services.reverse_payment(payment_id, staff, "fel")
            book.reverse(payment_id)
        elif step[0] == "deduct" and banked:
            taken = Payment.get_by_id(banked[step[1] % len(banked)])
            if step[1] % 2:
                # The bank returns money (camt.054): the latest imported payment of the
                # resident and amount is reversed.
                reversed_id = _returned(tenancy, taken.amount, today, number)
                if reversed_id is not None:
                    book.reverse(reversed_id)
                    for ids in (live, banked):
                        if reversed_id in ids:
                            ids.remove(reversed_id)
            else:
                # A payer's credit note in a BgMax deposit: the net is the payment.
                paid_id = _credit_note(tenancy, taken.amount, today, number)
                book.pay(paid_id, Decimal(1), today)
                live.append(paid_id)
                banked.append(paid_id)
        elif step[0] == "plan":
            plan = _plan(tenancy, staff, today, step[1])
            if plan is not None:
                book.add_plan(plan.id, *plan.ledger_detail)
        elif step[0] == "move":
            _kind, pick, amount = step
            months = sorted(book.charges)
            source = ([None] + months)[pick % (len(months) + 1)]
            target = ([None] + months)[(pick * 7 + 1) % (len(months) + 1)]
            if source != target:
                expected = book.move_between(source, target, amount)
                moved = ledger.move(tenancy.id, source, target, amount, "fel månad", staff)
                assert moved == sum((m for _p, m in expected), Decimal(0))
        elif step[0] == "move_out" and Tenancy.get_by_id(tenancy.id).end_date is None:
            end = max(START, today - dt.timedelta(days=step[1]))
            residents.move_out(tenancy.id, end, "own_lease", "", staff)
            for charge in RentCharge.select().where(RentCharge.tenancy == tenancy.id):
                if book.charges[charge.id].amount != Decimal(charge.amount):
                    book.recharge(charge.id, Decimal(charge.amount))
        elif step[0] in ("board", "bank"):
            _kind, amount, days_ago = step
            paid_on = max(START, today - dt.timedelta(days=days_ago))
            payment_id = _pay(step[0], tenancy, staff, amount, paid_on, number)
            book.pay(payment_id, amount, paid_on)
            live.append(payment_id)
            if step[0] == "bank":
                banked.append(payment_id)
        _check(book, today)
    # Booked anew from what was stored, in the order it happened, the ledger is the same.
    booked = _bookings()
    ledger.rebuild([tenancy.id])
    assert _bookings() == booked
    assert ledger.verify() == []


def _bookings() -> list:
    query = Allocation.select(
        Allocation.payment, Allocation.charge, Allocation.amount, Allocation.day
    ).where(Allocation.amount > 0)
    return sorted((p, c or 0, Decimal(a), d) for p, c, a, d in query.tuples())


def _plan(tenancy, staff, today, parts):
    """A plan over the months past their due day that still owe and are in no plan, in
    ``parts`` instalments from tomorrow, a week apart; None if no month owes."""
    from intranet.models import PlanMonth

    planned = {c for (c,) in PlanMonth.select(PlanMonth.charge).tuples()}
    owing = [
        r
        for r in board.tenancy_rows(tenancy.id)
        if r.balance > 0 and r.charge.due_on < today and r.charge.id not in planned
    ]
    if not owing:
        return None
    debt = sum((r.balance for r in owing), Decimal(0))
    share = (debt / parts).quantize(Decimal("0.01"))
    amounts = [share] * (parts - 1) + [debt - share * (parts - 1)]
    instalments = [(today + dt.timedelta(days=1 + 7 * n), a) for n, a in enumerate(amounts)]
    plan = services.create_plan(tenancy.id, staff, [r.charge.id for r in owing], instalments)
    plan.ledger_detail = ([r.charge.id for r in owing], instalments)
    return plan


def _pages_agree(today: dt.date) -> None:
    """Every page that shows a month says the same of it as the resident's own months."""
    settled = {s.charge.id: s.status for s in stats.settled_months(today)}
    for month in sorted({c.month for c in RentCharge.select(RentCharge.month)}):
        rows = board.month_rows(month, today)
        own = {
            r.charge.id: r
            for tenancy_id in {row.charge.tenancy_id for row in rows}
            for r in board.tenancy_rows(tenancy_id)
        }
        counts = board.month_counts(month, today)
        instalments = services.open_instalments({r.charge.tenancy_id for r in rows}, month)
        for row in rows:
            mine = own[row.charge.id]
            assert (row.summary, row.credit) == (mine.summary, mine.credit)
            assert row.status(today) == mine.status(today)
            if row.charge.id in settled:
                assert settled[row.charge.id] == row.status(today)
        for status in {row.status(today) for row in rows}:
            assert counts[status] == sum(1 for r in rows if r.status(today) == status)
        for kind in rules.CHECKPOINTS:
            due = [r for r in rows if board.checkpoint_state(r, kind, today) == "due"]
            assert counts["due"][kind] == len(due)
        letters = notices.letters(month, today, notices.reminders_due())
        reminded = [
            r.charge.id for r in rows if board.checkpoint_state(r, "reminder", today) == "due"
        ]
        assert [letter.row.charge.id for letter in letters] == reminded
        for letter in letters:
            assert letter.owed == letter.row.balance > 0
        for row in rows:
            asked = sum((i.left for i in instalments.get(row.charge.tenancy_id, [])), Decimal(0))
            notice = notices.Letter(row, instalments.get(row.charge.tenancy_id, []))
            rest = Decimal(0) if row.plan_id else row.summary.balance
            assert notice.amount == rest + asked


def _credit_note(tenancy, amount, today, number) -> int:
    """A BgMax deposit with a payment of ``amount`` + 1 kr and the payer's credit note of
    ``amount`` taken off it: the payment registered (of 1 kr)."""
    data = bgmax(
        [
            Paid(tenancy.payment_reference, amount + 1, today, serial=f"7{number:04d}"),
            Paid(tenancy.payment_reference, amount, today, serial=f"8{number:04d}", returned=True),
        ]
    )
    preview = imports.save_preview(
        imports.plan(parse_file(data)), "bg.txt", f"d{number:063d}", None
    )
    imports.confirm(preview.id, None)
    (entry,) = BankEntry.select().where(BankEntry.bank_import == preview.id)
    assert Decimal(entry.amount) == 1 and Decimal(entry.deducted) == amount
    return entry.payment_id


def _returned(tenancy, amount, today, number) -> int | None:
    """A camt.054 return of ``amount``: the imported payment it reversed, if any."""
    data = camt054(
        [Paid(tenancy.payment_reference, amount, today, serial=f"8{number:04d}", returned=True)]
    )
    preview = imports.save_preview(
        imports.plan(parse_file(data)), "camt.xml", f"r{number:063d}", None
    )
    imports.confirm(preview.id, None)
    (entry,) = BankEntry.select().where(BankEntry.bank_import == preview.id)
    return entry.payment_id if entry.state == "reversed" else None


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
        charge = (
            RentCharge.select()
            .where(RentCharge.tenancy == tenancy.id)
            .order_by(RentCharge.month.desc())
            .first()
        )
        payment = services.register_payment(
            charge.id, staff, paid_on, amount, "swish", f"seq-{number}"
        )
        return payment.id
    data = bgmax([Paid(tenancy.payment_reference, amount, paid_on, serial=f"9{number:04d}")])
    preview = imports.save_preview(imports.plan(parse_file(data)), "bg.txt", f"{number:064d}", None)
    imports.confirm(preview.id, None)
    return Payment.select().order_by(Payment.id.desc()).first().id

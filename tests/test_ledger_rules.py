"""The ledger's rules in a user's words: where a payment goes, and a month's group, from
the dates of the money a month holds. Pure functions, no database; every row of the rent
ledger's table (rent 6 000 kr, due on the last day of the month before) is a test."""

import datetime as dt
from decimal import Decimal

import pytest

from intranet.rent import rules
from intranet.rent.ledger_rules import (
    COMING,
    CREDIT,
    KEPT,
    MISSED,
    MOVE,
    MOVED,
    OLDEST_UNPAID,
    OPEN,
    PAID_LATER,
    PAY,
    PLAN,
    PLAN_INSTALMENT,
    Book,
    OpenCharge,
    PlanState,
    Share,
    allocate,
    instalment_states,
    month_group,
)

NOV, DEC, JAN = dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)
RENT = Decimal(6000)


def d(month, day):
    return dt.date(2026 if month >= 6 else 2027, month, day)


def _book(november_paid: bool) -> Book:
    """A resident with November charged; paid on 28 October if ``november_paid``."""
    book = Book()
    if november_paid:
        book.pay(1, RENT, d(10, 28))
    book.open(11, NOV, RENT, rules.due_date(NOV))
    return book


def test_paid_on_the_10th_pays_november_late():
    book = _book(november_paid=False)
    assert book.pay(2, RENT, d(11, 10)) == [Share(11, NOV, RENT, OLDEST_UNPAID)]
    assert book.group(11, d(11, 30)) == rules.PAID_LATE


def test_paid_on_the_20th_settles_november_which_stays_not_paid():
    book = _book(november_paid=False)
    book.pay(2, RENT, d(11, 20))
    summary = book.summary(11)
    assert (summary.balance, summary.settled_on) == (0, d(11, 20))
    assert book.group(11, d(11, 30)) == rules.NOT_PAID


def test_paid_on_the_28th_after_november_pays_december_on_time_as_credit():
    book = _book(november_paid=True)
    assert book.group(11, d(11, 1)) == rules.PAID_ON_TIME
    assert book.pay(2, RENT, d(11, 28)) == [Share(None, None, RENT, CREDIT)]
    book.open(12, DEC, RENT, rules.due_date(DEC))  # on 1 December
    assert book.credit() == 0
    assert book.group(12, d(12, 1)) == rules.PAID_ON_TIME


def test_paid_on_the_28th_with_november_unpaid_pays_november_and_december_is_owed():
    book = _book(november_paid=False)
    assert book.pay(2, RENT, d(11, 28)) == [Share(11, NOV, RENT, OLDEST_UNPAID)]
    book.open(12, DEC, RENT, rules.due_date(DEC))
    assert book.summary(12).balance == RENT
    assert book.group(11, d(12, 1)) == rules.NOT_PAID
    assert book.group(12, d(12, 1)) == rules.NOT_YET_PAID


def test_a_plan_takes_its_instalment_and_the_rest_pays_december_on_time():
    book = _book(november_paid=False)
    book.add_plan(7, [11], [(d(11, 25), 2000), (d(12, 25), 4000)])
    shares = book.pay(2, Decimal(8000), d(11, 28))
    assert shares == [
        Share(11, NOV, Decimal(2000), PLAN_INSTALMENT),
        Share(None, None, 6000, CREDIT),
    ]
    book.open(12, DEC, RENT, rules.due_date(DEC))
    assert book.group(12, d(12, 1)) == rules.PAID_ON_TIME
    assert book.summary(11).balance == 4000


def test_twelve_thousand_on_3_december_pays_december_late_and_january_on_time():
    book = _book(november_paid=True)
    book.open(12, DEC, RENT, rules.due_date(DEC))
    book.pay(2, Decimal(12000), d(12, 3))
    book.open(13, JAN, RENT, rules.due_date(JAN))
    assert book.group(12, d(12, 31)) == rules.PAID_LATE
    assert book.group(13, d(12, 31)) == rules.PAID_ON_TIME


def test_a_payment_covering_several_months_does_not_make_an_unpaid_month_on_time():
    book = Book()
    for charge_id, month in ((10, d(10, 1)), (11, NOV)):
        book.open(charge_id, month, RENT, rules.due_date(month))
    book.pay(1, Decimal(19300), d(12, 4))
    assert book.group(11, d(12, 6)) == rules.NOT_PAID
    assert book.group(10, d(12, 6)) == rules.NOT_PAID
    assert book.credit() == Decimal(7300)


def test_the_same_debt_has_one_status_whoever_registers_the_payment():
    """February 800 kr short, 6 800 kr paid on 10 March: February is settled that day and
    March is paid late, whether typed on the board or read from a bank file (one rule)."""
    feb, mar = dt.date(2027, 2, 1), dt.date(2027, 3, 1)
    book = Book()
    book.open(2, feb, RENT, rules.due_date(feb))
    book.pay(1, Decimal(5200), dt.date(2027, 1, 30))
    book.open(3, mar, RENT, rules.due_date(mar))
    book.pay(2, Decimal(6800), dt.date(2027, 3, 10))
    assert book.summary(2).settled_on == dt.date(2027, 3, 10)
    assert book.group(3, dt.date(2027, 3, 31)) == rules.PAID_LATE


def test_a_reversal_makes_its_months_owed_again_and_later_payments_keep_theirs():
    book = _book(november_paid=False)
    book.open(12, DEC, RENT, rules.due_date(DEC))
    book.pay(1, RENT, d(11, 10))  # November
    book.pay(2, RENT, d(11, 29))  # December
    book.reverse(1)
    assert book.summary(11).balance == RENT
    assert book.summary(12).balance == 0
    assert book.group(12, d(12, 2)) == rules.PAID_ON_TIME


def test_a_mid_month_move_in_paid_on_the_move_in_day_is_on_time():
    move_in = d(12, 6)
    book = Book()
    book.open(1, DEC, Decimal(6039), move_in)
    book.pay(1, Decimal(6039), move_in)
    assert book.group(1, move_in) == rules.PAID_ON_TIME


def test_a_first_month_due_after_the_15th_is_not_paid_only_after_its_due_day():
    move_in = d(12, 20)
    assert month_group(RENT, 0, 0, 0, DEC, move_in, d(12, 19)) == rules.NOT_YET_PAID
    assert month_group(RENT, 0, 0, 0, DEC, move_in, d(12, 20)) == rules.NOT_YET_PAID
    assert month_group(RENT, 0, 0, 0, DEC, move_in, d(12, 21)) == rules.NOT_PAID


@pytest.mark.parametrize(
    ("by_due", "by_15th", "total", "today", "group"),
    [
        (6000, 6000, 6000, d(12, 3), rules.PAID_ON_TIME),
        (0, 6000, 6000, d(12, 16), rules.PAID_LATE),
        (0, 0, 6000, d(12, 16), rules.NOT_PAID),
        (0, 0, 0, d(12, 15), rules.NOT_YET_PAID),
        (0, 100, 100, d(12, 15), rules.PARTLY_PAID),
        (0, 0, 0, d(12, 16), rules.NOT_PAID),
    ],
)
def test_the_group_needs_no_write_to_change_on_the_16th(by_due, by_15th, total, today, group):
    due = rules.due_date(DEC)
    assert month_group(RENT, by_due, by_15th, total, DEC, due, today) == group


def test_the_rule_pays_open_months_oldest_first_and_never_beyond_what_is_owed():
    charges = [
        OpenCharge(3, JAN, Decimal(6000)),
        OpenCharge(1, NOV, Decimal(500)),
        OpenCharge(2, DEC, Decimal(6000), plan_id=9),
    ]
    plans = [PlanState(9, ((d(12, 10), Decimal(1000)),), kept=Decimal(0))]
    shares = allocate(charges, plans, Decimal(8000), d(12, 12))
    assert shares == [
        Share(1, NOV, Decimal(500), OLDEST_UNPAID),
        Share(3, JAN, Decimal(6000), OLDEST_UNPAID),
        Share(2, DEC, Decimal(1000), PLAN_INSTALMENT),
        Share(None, None, Decimal(500), CREDIT),
    ]
    assert sum(share.amount for share in shares) == Decimal(8000)


def test_a_plan_asks_only_for_the_instalments_due_by_the_payments_day():
    plan = PlanState(1, ((d(12, 10), Decimal(1000)), (d(1, 10), Decimal(1000))), Decimal(400))
    assert plan.due_by(d(12, 9)) == 0
    assert plan.due_by(d(12, 10)) == 600
    assert plan.due_by(d(1, 10)) == 1600


def test_an_instalment_is_kept_by_the_plans_money_by_its_day():
    instalments = [(d(12, 25), Decimal(2000)), (d(1, 25), Decimal(2000)), (d(2, 25), Decimal(2000))]
    money = [(d(12, 24), Decimal(2000)), (d(1, 28), Decimal(1500))]
    states = instalment_states(instalments, money, d(2, 1))
    assert [(s.state, s.left) for s in states] == [
        (KEPT, 0),
        (MISSED, Decimal(500)),
        (COMING, Decimal(2000)),
    ]
    money.append((d(2, 2), Decimal(500)))
    states = instalment_states(instalments, money, d(2, 3))
    assert [s.state for s in states] == [KEPT, PAID_LATER, COMING]


def test_a_plan_is_paid_by_payments_not_by_the_oldest_first_rule():
    """November's debt in a plan: December's rent is paid first, then the instalment due;
    what is left is credit for January, not an early sweep of the plan's debt."""
    book = _book(november_paid=False)
    book.add_plan(7, [11], [(d(12, 20), 3000), (d(1, 20), 3000)])
    book.open(12, DEC, RENT, rules.due_date(DEC))
    shares = book.pay(2, Decimal(10000), d(12, 21))
    assert shares == [
        Share(12, DEC, RENT, OLDEST_UNPAID),
        Share(11, NOV, Decimal(3000), PLAN_INSTALMENT),
        Share(None, None, Decimal(1000), CREDIT),
    ]


def test_money_moved_keeps_its_day_and_a_month_takes_no_more_than_it_owes():
    book = _book(november_paid=False)
    book.pay(1, Decimal(9000), d(10, 25))  # November in full, 3 000 kr credit
    book.open(12, DEC, RENT, rules.due_date(DEC))  # December takes the credit
    assert book.summary(12).paid_total == 3000
    moves = book.move_between(11, 12, Decimal(10000))
    assert moves == [(1, Decimal(3000))]  # December owed only 3 000 kr
    assert book.summary(12).settled_on == d(10, 25)  # paid on time, by the money's day
    assert book.summary(11).balance == 3000


def test_a_replay_of_plans_and_moves_books_what_happened():
    events = [
        (1, OPEN, 11, (NOV, RENT, rules.due_date(NOV))),
        (2, PLAN, 7, ([11], [(d(11, 20), 1000)])),
        (3, PAY, 1, (Decimal(2500), d(11, 21))),
        (4, MOVE, 1, (1, None, 11, Decimal(1500))),
    ]
    book = Book.replay(events)
    assert book.summary(11).paid_total == 2500 and book.credit() == 0
    assert [a.reason for a in book.held(11)] == [PLAN_INSTALMENT, MOVED]


def test_a_month_charged_less_gives_back_what_it_held_beyond_its_charge_as_credit():
    book = _book(november_paid=True)  # 6 000 kr paid on 28 October
    book.recharge(11, Decimal(2000))  # moved out on 10 November
    assert book.summary(11).balance == 0 and book.summary(11).paid_total == 2000
    assert book.credit() == 4000
    assert book.group(11, d(11, 20)) == rules.PAID_ON_TIME

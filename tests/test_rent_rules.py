"""The rent routine's calendar, a month's group and its checkpoints, at their edges."""

import datetime as dt
from decimal import Decimal

import pytest

from intranet.rent.ledger_rules import Charge, MonthSums, checkpoint_state
from intranet.rent.rules import (
    NOT_PAID,
    NOT_YET_PAID,
    PAID_LATE,
    PAID_ON_TIME,
    PARTLY_PAID,
    due_date,
    parse_month,
    pro_rata,
)

MARCH = dt.date(2027, 3, 1)


def status(due, payments, month, today, due_on=None):
    """A month's group from its money [(day, amount)], through the summary pages read."""
    charge = Charge(1, month, Decimal(due), due_on or due_date(month))
    dated = [(day, Decimal(amount)) for day, amount in payments]
    return MonthSums.of(charge, dated).group(today)


def checkpoint(kind, due, payments, month, today, due_on=None, moved_out=None):
    charge = Charge(1, month, Decimal(due), due_on or due_date(month))
    dated = [(day, Decimal(amount)) for day, amount in payments]
    return checkpoint_state(MonthSums.of(charge, dated), kind, moved_out, today)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03", MARCH),
        ("2024-13", None),
        ("abc", None),
        ("2027-3", None),
        ("", None),
        ("1999-01", None),
    ],
)
def test_months_are_read_strictly(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    ("month", "due"),
    [
        (dt.date(2027, 3, 1), dt.date(2027, 2, 28)),
        (dt.date(2028, 3, 1), dt.date(2028, 2, 29)),
        (dt.date(2027, 5, 1), dt.date(2027, 4, 30)),
        (dt.date(2027, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_rent_is_due_on_the_last_day_of_the_previous_month(month, due):
    assert due_date(month) == due


@pytest.mark.parametrize(
    ("paid_on", "today", "expected"),
    [
        (dt.date(2027, 2, 28), dt.date(2027, 3, 20), PAID_ON_TIME),  # on the due date
        (dt.date(2027, 3, 1), dt.date(2027, 3, 20), PAID_LATE),
        (dt.date(2027, 3, 15), dt.date(2027, 3, 20), PAID_LATE),  # on the 15th
        (dt.date(2027, 3, 16), dt.date(2027, 3, 20), NOT_PAID),  # on the 16th
        (None, dt.date(2027, 3, 15), NOT_YET_PAID),
        (None, dt.date(2027, 3, 16), NOT_PAID),
    ],
)
def test_the_three_groups_at_their_edges(paid_on, today, expected):
    payments = [(paid_on, 7000)] if paid_on else []
    assert status(Decimal(7000), payments, MARCH, today) == expected


def test_partial_payments_add_up():
    payments = [(dt.date(2027, 2, 20), 3000)]
    assert status(7000, payments, MARCH, dt.date(2027, 3, 3)) == PARTLY_PAID
    payments.append((dt.date(2027, 3, 10), 4000))
    assert status(7000, payments, MARCH, dt.date(2027, 3, 20)) == PAID_LATE


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2027, 1, 1), None, Decimal(6200)),
        (dt.date(2027, 3, 20), None, Decimal(2400)),  # 12 of 31 days
        (dt.date(2027, 1, 1), dt.date(2027, 3, 10), Decimal(2000)),  # 10 of 31 days
        (dt.date(2027, 4, 1), None, Decimal(0)),
    ],
)
def test_a_tenancy_starting_or_ending_mid_month_pays_pro_rata(start, end, expected):
    assert pro_rata(6200, MARCH, start, end) == expected


@pytest.mark.parametrize(("month", "days"), [(dt.date(2027, 2, 1), 28), (dt.date(2027, 4, 1), 30)])
def test_pro_rata_uses_the_days_of_the_month(month, days):
    start = month.replace(day=days)  # the last day only
    assert pro_rata(days * 100, month, start, None) == Decimal(100)


def test_checkpoints_follow_the_1st_5th_and_15th():
    payments = [(dt.date(2027, 3, 3), 7000)]
    assert checkpoint("reminder", 7000, payments, MARCH, dt.date(2027, 2, 28)) == "later"
    assert checkpoint("reminder", 7000, [], MARCH, dt.date(2027, 3, 1)) == "due"
    assert checkpoint("home_visit", 7000, payments, MARCH, dt.date(2027, 3, 5)) == "not_needed"
    assert checkpoint("manager_meeting", 7000, [], MARCH, dt.date(2027, 3, 15)) == "due"


def test_paying_before_staff_act_takes_the_resident_off_the_list():
    """The reminder was due on the 1st; paid on the 3rd, nobody needs reminding on the 4th."""
    payments = [(dt.date(2027, 3, 3), 7000)]
    assert checkpoint("reminder", 7000, payments, MARCH, dt.date(2027, 3, 2)) == "due"
    assert checkpoint("reminder", 7000, payments, MARCH, dt.date(2027, 3, 4)) == "not_needed"
    partly = [(dt.date(2027, 3, 3), 6999)]
    assert checkpoint("reminder", 7000, partly, MARCH, dt.date(2027, 3, 4)) == "due"


def test_paid_on_the_checkpoints_day_needs_no_checkpoint():
    payments = [(dt.date(2027, 3, 5), 7000)]
    assert checkpoint("home_visit", 7000, payments, MARCH, dt.date(2027, 3, 5)) == "not_needed"


@pytest.mark.parametrize(
    ("moved_in", "today", "expected"),
    [
        # Moved in on the 6th and paid nothing yet: the 1st and 5th were before move-in.
        (
            dt.date(2027, 3, 6),
            dt.date(2027, 3, 6),
            {"reminder": "not_needed", "home_visit": "not_needed"},
        ),
        # Moved in on the 1st: the rent falls due that day, so no reminder on it; the 5th applies.
        (dt.date(2027, 3, 1), dt.date(2027, 3, 5), {"reminder": "not_needed", "home_visit": "due"}),
        # Moves in on the 26th: no checkpoint of the month applies.
        (dt.date(2027, 3, 26), dt.date(2027, 3, 20), {"manager_meeting": "not_needed"}),
    ],
)
def test_no_checkpoint_applies_before_move_in(moved_in, today, expected):
    for kind, state in expected.items():
        assert checkpoint(kind, 3000, [], MARCH, today, due_on=moved_in) == state


def test_no_checkpoint_applies_after_move_out():
    today = dt.date(2027, 3, 20)
    assert checkpoint("reminder", 2000, [], MARCH, today, moved_out=dt.date(2027, 3, 3)) == "due"
    assert (
        checkpoint("home_visit", 2000, [], MARCH, today, moved_out=dt.date(2027, 3, 3))
        == "not_needed"
    )


@pytest.mark.parametrize(
    ("paid_on", "today", "expected"),
    [
        (dt.date(2027, 3, 6), dt.date(2027, 3, 20), PAID_ON_TIME),  # on move-in day
        (dt.date(2027, 3, 7), dt.date(2027, 3, 20), PAID_LATE),
        (None, dt.date(2027, 3, 15), NOT_YET_PAID),
        (None, dt.date(2027, 3, 16), NOT_PAID),
    ],
)
def test_a_first_month_falls_due_on_move_in_day(paid_on, today, expected):
    payments = [(paid_on, 6039)] if paid_on else []
    assert status(6039, payments, MARCH, today, due_on=dt.date(2027, 3, 6)) == expected


def test_a_first_month_due_after_the_15th_is_not_yet_paid_until_its_due_day():
    due_on = dt.date(2027, 3, 26)
    assert status(1200, [], MARCH, dt.date(2027, 3, 20), due_on=due_on) == NOT_YET_PAID
    assert status(1200, [], MARCH, dt.date(2027, 3, 26), due_on=due_on) == NOT_YET_PAID
    assert status(1200, [], MARCH, dt.date(2027, 3, 27), due_on=due_on) == NOT_PAID

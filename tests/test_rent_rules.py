"""The rent routine's date rules at their edges."""

import datetime as dt
from decimal import Decimal

import pytest

from intranet.rent.rules import (
    NOT_PAID,
    NOT_YET_PAID,
    PAID_LATE,
    PAID_ON_TIME,
    PARTLY_PAID,
    checkpoint_needed,
    due_date,
    parse_month,
    pro_rata,
    status,
)

MARCH = dt.date(2027, 3, 1)


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
    assert checkpoint_needed("reminder", 7000, payments, MARCH, dt.date(2027, 2, 28)) is None
    assert checkpoint_needed("reminder", 7000, payments, MARCH, dt.date(2027, 3, 1)) is True
    assert checkpoint_needed("home_visit", 7000, payments, MARCH, dt.date(2027, 3, 5)) is False
    assert checkpoint_needed("manager_meeting", 7000, [], MARCH, dt.date(2027, 3, 15)) is True


def test_paid_on_the_checkpoints_day_needs_no_checkpoint():
    payments = [(dt.date(2027, 3, 5), 7000)]
    assert checkpoint_needed("home_visit", 7000, payments, MARCH, dt.date(2027, 3, 5)) is False
    assert checkpoint_needed("reminder", 7000, payments, MARCH, dt.date(2027, 3, 5)) is True

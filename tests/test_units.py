"""Rules that need no database: the clock, the formats, safe redirects."""

import datetime as dt

import pytest

from intranet import clock
from intranet.formatting import format_amount, format_date, format_datetime
from intranet.security import local_path

NBSP = "\u00a0"


def test_clock_can_be_set_and_released():
    clock.set_clock(dt.date(2027, 2, 28))
    assert clock.today() == dt.date(2027, 2, 28)
    assert clock.now() == dt.datetime(2027, 2, 28, 0, 0)
    clock.set_clock(None)
    # Released, it reads real time in the unit's zone (not the server's).
    from zoneinfo import ZoneInfo

    assert clock.today() == dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12345, f"12{NBSP}345{NBSP}kr"),
        (0, f"0{NBSP}kr"),
        (999, f"999{NBSP}kr"),
        (1234567, f"1{NBSP}234{NBSP}567{NBSP}kr"),
        ("4500.50", f"4{NBSP}501{NBSP}kr"),
        (-2500, f"−2{NBSP}500{NBSP}kr"),
        (None, ""),
    ],
)
def test_amounts_read_as_whole_kronor(value, expected):
    assert format_amount(value) == expected


def test_dates_read_as_iso():
    assert format_date(dt.date(2026, 3, 5)) == "2026-03-05"
    assert format_date(dt.datetime(2026, 3, 5, 14, 2)) == "2026-03-05"
    assert format_datetime(dt.datetime(2026, 3, 5, 14, 2)) == "2026-03-05 14:02"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin/users", "/admin/users"),
        ("/?a=1", "/?a=1"),
        ("//evil.example/", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("", None),
        (None, None),
    ],
)
def test_only_local_paths_are_followed_after_login(target, expected):
    assert local_path(target) == expected

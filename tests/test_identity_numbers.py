"""Personal identity numbers: the Luhn check digit, century, masking."""

import datetime as dt

import pytest

from intranet.identity_numbers import mask_personal_number, normalise_personal_number


@pytest.mark.parametrize(
    ("value", "birth", "expected"),
    [
        ("19811218-9876", None, "19811218-9876"),
        ("811218-9876", dt.date(1981, 12, 18), "19811218-9876"),
        ("8112189876", None, "19811218-9876"),
        ("811218-9877", None, None),  # wrong check digit
        ("19811318-9875", None, None),  # no 13th month, though the check digit fits
        ("811278-9873", None, "19811278-9873"),  # co-ordination number (day + 60)
        ("12345", None, None),
        ("", None, None),
    ],
)
def test_personal_numbers_are_checked(value, birth, expected):
    assert normalise_personal_number(value, birth) == expected


def test_a_personal_number_is_shown_masked():
    assert mask_personal_number("19811218-9876") == "19811218-****"
    assert mask_personal_number(None) == ""


def test_a_plus_sign_means_a_person_of_a_hundred_or_more():
    from intranet import clock

    clock.set_clock(dt.date(2026, 11, 29))
    assert normalise_personal_number("201203+1239") == "19201203-1239"
    assert normalise_personal_number("201203-1239") == "20201203-1239"


def test_an_organisation_number_is_checked_by_its_digit():
    from intranet.identity_numbers import normalise_org_number

    assert normalise_org_number("5560360793") == "556036-0793"
    assert normalise_org_number("556036-0794") is None

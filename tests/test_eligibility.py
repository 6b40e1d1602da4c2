"""The intake conditions at their edges: six months exactly, 50 % exactly, the 18th birthday."""

import datetime as dt

import pytest

from intranet.matching.eligibility import (
    FAIL,
    PASS,
    UNKNOWN,
    Person,
    Place,
    add_months,
    age_on,
    check,
)

MOVE_IN = dt.date(2027, 3, 15)
FLAT = Place(kind="training", district="Farsta", rooms=2, floor=3, elevator=False)


def person(**fields):
    values = {
        "birth_date": dt.date(1990, 5, 1),
        "drug_free_since": dt.date(2026, 1, 1),
        "occupation_percent": 75,
    }
    return Person(**{**values, **fields})


def result(eligibility, rule):
    return next(r for r in eligibility.results if r.rule == rule)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 9, 14), 6, dt.date(2027, 3, 14)),
        (dt.date(2026, 12, 1), 1, dt.date(2027, 1, 1)),
    ],
)
def test_months_are_added_as_calendar_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("since", "outcome", "eligible_from"),
    [
        (dt.date(2026, 9, 15), PASS, None),  # exactly six months on the move-in date
        (dt.date(2026, 9, 16), FAIL, dt.date(2027, 3, 16)),  # one day short
        (dt.date(2026, 1, 1), PASS, None),
        (None, UNKNOWN, None),
    ],
)
def test_drug_free_six_months_at_move_in(app, since, outcome, eligible_from):
    verdict = result(check(person(drug_free_since=since), FLAT, MOVE_IN), "drug_free")
    assert verdict.outcome == outcome
    assert verdict.eligible_from == eligible_from
    if eligible_from:
        with app.test_request_context(headers={"Accept-Language": "en"}):
            assert str(verdict.message) == f"Drug-free six months on {eligible_from.isoformat()}."


@pytest.mark.parametrize(
    ("percent", "outcome"), [(50, PASS), (49, FAIL), (100, PASS), (0, FAIL), (None, UNKNOWN)]
)
def test_occupation_at_least_half_time(percent, outcome):
    verdict = result(check(person(occupation_percent=percent), FLAT, MOVE_IN), "occupation")
    assert verdict.outcome == outcome


@pytest.mark.parametrize(
    ("birth", "outcome", "eligible_from"),
    [
        (dt.date(2009, 3, 15), PASS, None),  # 18th birthday on the move-in date
        (dt.date(2009, 3, 16), FAIL, dt.date(2027, 3, 16)),  # the day after
        (dt.date(2008, 2, 29), PASS, None),
        (None, UNKNOWN, None),
    ],
)
def test_adults_only_in_training_flats(birth, outcome, eligible_from):
    verdict = result(check(person(birth_date=birth), FLAT, MOVE_IN), "age")
    assert (verdict.outcome, verdict.eligible_from) == (outcome, eligible_from)


@pytest.mark.parametrize(
    ("birth", "outcome"),
    [
        (dt.date(2010, 3, 15), PASS),  # turns 17 on move-in day
        (dt.date(2010, 3, 16), FAIL),  # 16 at move-in
        (dt.date(2006, 3, 16), PASS),  # 20, turns 21 the day after
        (dt.date(2006, 3, 15), FAIL),  # turns 21 on move-in day
    ],
)
def test_supported_housing_is_for_17_to_20(birth, outcome):
    supported = Place(kind="supported", district="Farsta", rooms=1, floor=0, elevator=False)
    verdict = result(check(person(birth_date=birth), supported, MOVE_IN), "age")
    assert verdict.outcome == outcome


def test_a_leap_day_birthday_comes_of_age_on_the_first_of_march():
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == 18


@pytest.mark.parametrize(
    ("excluded", "outcome"),
    [(("Farsta",), FAIL), ((" farsta ",), FAIL), (("Rinkeby", "Tensta"), PASS), ((), PASS)],
)
def test_excluded_districts(excluded, outcome):
    verdict = result(check(person(excluded_districts=excluded), FLAT, MOVE_IN), "district")
    assert verdict.outcome == outcome


@pytest.mark.parametrize(
    ("floor", "elevator", "needs", "outcome"),
    [
        (3, False, True, FAIL),
        (3, True, True, PASS),
        (0, False, True, PASS),
        (3, False, False, PASS),
    ],
)
def test_step_free_access_when_needed(floor, elevator, needs, outcome):
    place = Place(kind="training", district="Farsta", rooms=2, floor=floor, elevator=elevator)
    verdict = result(check(person(needs_step_free=needs), place, MOVE_IN), "access")
    assert verdict.outcome == outcome


@pytest.mark.parametrize(("needed", "outcome"), [(2, PASS), (3, FAIL), (None, PASS)])
def test_enough_rooms(needed, outcome):
    assert result(check(person(min_rooms=needed), FLAT, MOVE_IN), "rooms").outcome == outcome


def test_eligible_from_is_the_latest_date_every_failing_rule_names():
    someone = person(birth_date=dt.date(2009, 4, 1), drug_free_since=dt.date(2026, 12, 1))
    eligibility = check(someone, FLAT, MOVE_IN)
    assert not eligibility.eligible
    assert eligibility.eligible_from == dt.date(2027, 6, 1)


def test_a_failure_without_a_date_has_no_eligible_from():
    eligibility = check(person(occupation_percent=20), FLAT, MOVE_IN)
    assert eligibility.eligible_from is None


def test_an_override_lets_a_failing_rule_pass_but_is_kept():
    eligibility = check(
        person(occupation_percent=40), FLAT, MOVE_IN, {"occupation": "Studier 40 % + praktik"}
    )
    assert eligibility.eligible
    assert result(eligibility, "occupation").outcome == FAIL
    assert eligibility.overridden == {"occupation": "Studier 40 % + praktik"}


def test_unknown_facts_keep_a_person_from_being_eligible():
    assert not check(person(drug_free_since=None), FLAT, MOVE_IN).eligible

"""Scores rank the fitting referrals first and keep failing ones visible with reasons."""

import datetime as dt

from intranet.matching.eligibility import Person, Place
from intranet.matching.scoring import score_pair

MOVE_IN = dt.date(2027, 3, 15)
FLAT = Place(kind="training", district="Farsta", rooms=2, floor=0, elevator=False)


def person(**fields):
    values = {
        "birth_date": dt.date(1990, 5, 1),
        "drug_free_since": dt.date(2026, 1, 1),
        "occupation_percent": 75,
        "min_rooms": 2,
    }
    return Person(**{**values, **fields})


def test_longer_wait_scores_higher():
    short = score_pair(person(), FLAT, MOVE_IN, waited_days=10)
    long = score_pair(person(), FLAT, MOVE_IN, waited_days=200)
    assert long.score > short.score


def test_a_preferred_district_scores_higher():
    plain = score_pair(person(), FLAT, MOVE_IN, 30)
    liked = score_pair(person(), FLAT, MOVE_IN, 30, preferred_districts=["farsta"])
    assert liked.score == plain.score + 20


def test_a_flat_bigger_than_needed_scores_lower():
    exact = score_pair(person(min_rooms=2), FLAT, MOVE_IN, 30)
    bigger = score_pair(person(min_rooms=1), FLAT, MOVE_IN, 30)
    assert bigger.score < exact.score


def test_an_ineligible_pair_has_no_score_but_keeps_its_reasons(app):
    scored = score_pair(person(occupation_percent=20), FLAT, MOVE_IN, 30)
    assert scored.score is None and not scored.eligible
    with app.test_request_context(headers={"Accept-Language": "en"}):
        lines = [str(line) for line in scored.reasons]
    assert "Occupied 20 %; at least 50 % is needed." in lines


def test_an_override_makes_a_pair_eligible_and_says_so(app):
    scored = score_pair(
        person(occupation_percent=40), FLAT, MOVE_IN, 30, overrides={"occupation": "praktik"}
    )
    assert scored.eligible
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert any("overridden: praktik" in str(line) for line in scored.reasons)


def test_scores_stay_within_1_to_100():
    huge = Place(kind="training", district="Farsta", rooms=9, floor=0, elevator=True)
    assert score_pair(person(min_rooms=1), huge, MOVE_IN, 0).score == 1
    best = score_pair(person(), FLAT, MOVE_IN, 5000, preferred_districts=["Farsta"])
    assert best.score == 100

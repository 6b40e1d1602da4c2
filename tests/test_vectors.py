"""The vectorised scores equal the rule-by-rule ones, pair by pair, on random data with
the awkward cases in it: births on 29 February, unknown facts, supported housing ages,
overridden rules, districts written differently, wished move-in dates."""

import datetime as dt
import random

import numpy as np
import pytest

from intranet.matching.eligibility import Person, Place
from intranet.matching.scoring import score_pair
from intranet.matching.vectors import Applicant, score_matrix

TODAY = dt.date(2028, 2, 20)
DISTRICTS = ["Rinkeby", "Tensta", "Farsta", "Årsta", "Södermalm"]
RULES = ["age", "drug_free", "occupation", "district", "access", "rooms"]


def _spelled(rng, name):
    return rng.choice([name, name.upper(), f" {name} ", name.lower()])


def _random(rng, flats=40, people=60):
    places = [
        Place(
            rng.choice(["training", "training", "trial", "supported"]),
            _spelled(rng, rng.choice(DISTRICTS)),
            rng.choice([1, 1, 2, 3, 4]),
            rng.randint(-1, 6),
            rng.random() < 0.5,
        )
        for _ in range(flats)
    ]
    available = [TODAY + dt.timedelta(days=rng.randint(-30, 40)) for _ in range(flats)]
    applicants = []
    for _ in range(people):
        birth = rng.choice(
            [
                None,
                dt.date(2008, 2, 29),
                dt.date(2012, 2, 29),
                dt.date(2010, 2, 28),
                dt.date(2011, 2, 28),
                dt.date(2007, 3, 1),
                TODAY - dt.timedelta(days=rng.randint(15 * 365, 60 * 365)),
            ]
        )
        person = Person(
            birth_date=birth,
            drug_free_since=rng.choice(
                [None, TODAY - dt.timedelta(days=rng.randint(0, 400)), dt.date(2027, 8, 31)]
            ),
            occupation_percent=rng.choice([None, 0, 25, 49, 50, 75, 100]),
            min_rooms=rng.choice([None, 1, 2, 3]),
            needs_step_free=rng.random() < 0.3,
            excluded_districts=tuple(
                _spelled(rng, d) for d in rng.sample(DISTRICTS, rng.randint(0, 2))
            )
            + rng.choice([(), (" ",)]),
        )
        applicants.append(
            Applicant(
                person,
                rng.choice([None, TODAY + dt.timedelta(days=rng.randint(-10, 60))]),
                rng.randint(-5, 500),
                tuple(_spelled(rng, d) for d in rng.sample(DISTRICTS, rng.randint(0, 2))),
                frozenset(rng.sample(RULES, rng.choice([0, 0, 0, 1, 2]))),
            )
        )
    return places, available, applicants


@pytest.mark.parametrize("seed", range(6))
def test_the_vectors_score_as_the_rules_do(seed):
    rng = random.Random(seed)
    places, available, applicants = _random(rng)
    matrix = score_matrix(places, available, applicants, TODAY)
    assert matrix.shape == (len(places), len(applicants))
    eligible = 0
    for i, place in enumerate(places):
        for j, a in enumerate(applicants):
            move_in = max(TODAY, available[i], a.wished_move_in or TODAY)
            expected = score_pair(
                a.person,
                place,
                move_in,
                a.waited_days,
                a.preferred_districts,
                {rule: "skäl" for rule in a.overridden},
                explain=False,
            ).score
            got = matrix[i, j]
            if expected is None:
                assert np.isnan(got), (i, j, place, a)
            else:
                eligible += 1
                assert got == expected, (i, j, place, a)
    assert eligible > 50  # the random data reaches both sides of the rules


def test_no_flats_or_no_referrals_give_an_empty_matrix():
    assert score_matrix([], [], [], TODAY).shape == (0, 0)
    place = Place("training", "Farsta", 1, 0, True)
    assert score_matrix([place], [TODAY], [], TODAY).shape == (1, 0)

"""The best plan is optimal: checked against brute force on small random cases."""

import itertools
import random

import pytest

from intranet.matching.plan import best_plan, greedy_plan, total


def brute_force_best(scores):
    """Try every partial pairing of flats with referrals; return the best total."""
    flats, referrals = len(scores), len(scores[0]) if scores else 0
    best = 0.0
    for k in range(0, min(flats, referrals) + 1):
        for chosen_flats in itertools.combinations(range(flats), k):
            for chosen_refs in itertools.permutations(range(referrals), k):
                pairs = list(zip(chosen_flats, chosen_refs, strict=True))
                if all(scores[i][j] is not None and scores[i][j] > 0 for i, j in pairs):
                    best = max(best, sum(scores[i][j] for i, j in pairs))
    return best


def random_scores(rng, flats, referrals):
    return [
        [None if rng.random() < 0.3 else rng.randint(1, 100) for _ in range(referrals)]
        for _ in range(flats)
    ]


@pytest.mark.parametrize("seed", range(40))
def test_best_plan_equals_brute_force(seed):
    rng = random.Random(seed)
    scores = random_scores(rng, rng.randint(1, 5), rng.randint(1, 5))
    plan = best_plan(scores)
    assert total(plan) == pytest.approx(brute_force_best(scores))
    assert len({p.flat for p in plan}) == len(plan) == len({p.referral for p in plan})
    assert all(scores[p.flat][p.referral] is not None for p in plan)
    assert total(plan) >= total(greedy_plan(scores))


def test_greedy_can_be_worse_than_the_best_plan():
    # Flat 0 suits both; flat 1 suits only referral 0. Greedy gives flat 0 to referral 0.
    scores = [[10, 9], [8, None]]
    assert total(greedy_plan(scores)) == 10
    assert total(best_plan(scores)) == 17


def test_no_eligible_pair_makes_an_empty_plan():
    assert best_plan([[None, None], [None, None]]) == []
    assert best_plan([]) == []
    assert greedy_plan([[None]]) == []

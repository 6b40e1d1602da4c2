"""How long the best plan takes for 500 free flats × 2,000 waiting referrals.

A benchmark, not a test: run it by hand (``make bench``) and read the
figures. It scores every pair with the real rules and scoring, then solves
the assignment, and prints the time of each part and the plans' totals.
"""

import datetime as dt
import random
import time

from intranet.matching.eligibility import Person, Place
from intranet.matching.plan import best_plan, greedy_plan, total
from intranet.matching.scoring import score_pair
from intranet.matching.vectors import Applicant, score_matrix

FLATS, REFERRALS = 500, 2000
DISTRICTS = [
    "Rinkeby",
    "Tensta",
    "Husby",
    "Farsta",
    "Årsta",
    "Skärholmen",
    "Bagarmossen",
    "Södermalm",
]


def main() -> None:
    from intranet import create_app

    rng = random.Random(2026)
    today = dt.date(2026, 11, 23)
    places = [
        Place(
            rng.choice(["training"] * 8 + ["trial", "supported"]),
            rng.choice(DISTRICTS),
            rng.choice([1, 1, 2, 3]),
            rng.randint(0, 6),
            rng.random() < 0.6,
        )
        for _ in range(FLATS)
    ]
    people = [
        (
            Person(
                birth_date=today - dt.timedelta(days=rng.randint(17 * 365, 60 * 365)),
                drug_free_since=today - dt.timedelta(days=rng.randint(0, 900)),
                occupation_percent=rng.choice([25, 50, 75, 100]),
                min_rooms=rng.choice([1, 1, 1, 2]),
                needs_step_free=rng.random() < 0.1,
                excluded_districts=tuple(rng.sample(DISTRICTS, rng.randint(0, 2))),
            ),
            rng.randint(0, 400),
            tuple(rng.sample(DISTRICTS, 2)),
        )
        for _ in range(REFERRALS)
    ]
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "benchmark", "DATABASE_URL": "sqlite:///:memory:"}
    )
    applicants = [
        Applicant(person, None, waited, preferred) for person, waited, preferred in people
    ]
    available = [today] * FLATS
    with app.test_request_context():
        started = time.perf_counter()
        scores = score_matrix(places, available, applicants, today)
        scored = time.perf_counter()
        best = best_plan(scores)
        solved = time.perf_counter()
        greedy = greedy_plan(scores)
        done = time.perf_counter()
        # One flat against every referral, as the matching page ranks them.
        one = time.perf_counter()
        score_matrix(places[:1], available[:1], applicants, today)
        ranked = time.perf_counter()
        # The rule-by-rule scoring the vectors replace, on a tenth of the pairs.
        sample = places[: FLATS // 10]
        slow_start = time.perf_counter()
        for place in sample:
            for person, waited, preferred in people:
                score_pair(person, place, today, waited, preferred, explain=False)
        slow = (time.perf_counter() - slow_start) * 10
    eligible = int((scores > 0).sum())
    print(
        f"{FLATS} flats × {REFERRALS} referrals: {FLATS * REFERRALS:,} pairs, {eligible:,} eligible"
    )
    print(f"scoring every pair (vectorised):  {scored - started:6.2f} s")
    print(f"scoring rule by rule (estimated): {slow:6.2f} s")
    print(f"ranking one flat:                 {(ranked - one) * 1000:6.1f} ms")
    for name, seconds, plan in [
        ("best plan", solved - scored, best),
        ("greedy plan", done - solved, greedy),
    ]:
        print(f"{name + ':':<33} {seconds:6.2f} s  {len(plan)} pairs, total {total(plan):,.0f}")
    print(f"best plan with its scoring:       {solved - started:6.2f} s (target under 2 s)")


if __name__ == "__main__":
    main()

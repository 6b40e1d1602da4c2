"""Every free flat scored against every waiting referral at once, as NumPy arrays.

The same rules as ``eligibility.py`` and the same points as ``scoring.py``, stated over
arrays of flats (rows) and referrals (columns), so that a plan or a ranking over thousands
of each takes a fraction of a second. The sentences that explain a score are made only
for the pairs a person looks at, by the rule-by-rule code; a test keeps the two in step.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .eligibility import (
    ADULT_AGE,
    DRUG_FREE_MONTHS,
    MIN_OCCUPATION_PERCENT,
    SUPPORTED_MAX_AGE,
    SUPPORTED_MIN_AGE,
    Person,
    Place,
    add_months,
    birthday,
)
from .scoring import (
    BASE,
    EXTRA_ROOM_PENALTY,
    PREFERRED_DISTRICT,
    ROOM_FIT,
    WAITING_FULL_DAYS,
    WAITING_MAX,
)

# An ordinal no date reaches: "never" for a threshold that cannot be met.
NEVER = dt.date.max.toordinal() + 1


@dataclass(frozen=True)
class Applicant:
    """One referral as the scoring reads it: the person, when they may move, how long they
    have waited, where they would like to live, and the rules a manager has overridden."""

    person: Person
    wished_move_in: dt.date | None = None
    waited_days: int = 0
    preferred_districts: tuple = ()
    overridden: frozenset = frozenset()


def _key(district: str) -> str:
    return district.strip().casefold()


def _ordinal(day: dt.date | None, missing: int = NEVER) -> int:
    return day.toordinal() if day is not None else missing


def _district_table(lists: list, index: dict) -> np.ndarray:
    """A referrals × districts table: True where the district is in the referral's list."""
    table = np.zeros((len(lists), len(index)), dtype=bool)
    for j, names in enumerate(lists):
        for name in names:
            column = index.get(_key(name)) if name.strip() else None
            if column is not None:
                table[j, column] = True
    return table


def score_matrix(
    places: list[Place], available: list[dt.date], applicants: list[Applicant], today: dt.date
) -> np.ndarray:
    """Scores of every flat (row, free from ``available[i]``) for every applicant (column),
    as floats from 1 to 100; NaN where the pair may not be made."""
    n_flats, n_people = len(places), len(applicants)
    if n_flats == 0 or n_people == 0:
        return np.full((n_flats, n_people), np.nan)
    people = [a.person for a in applicants]

    def column(values, dtype=np.int64):
        return np.array(values, dtype=dtype)[None, :]

    def row(values, dtype=np.int64):
        return np.array(values, dtype=dtype)[:, None]

    start = today.toordinal()
    move_in = np.maximum(
        row([max(start, day.toordinal()) for day in available]),
        column([max(start, _ordinal(a.wished_move_in, start)) for a in applicants]),
    )

    # Age: each person's birthdays that open and close the doors, as ordinals.
    def turns(age):
        return column(
            [_ordinal(birthday(p.birth_date, age) if p.birth_date else None) for p in people]
        )

    born = column([p.birth_date is not None for p in people], bool)
    supported = row([place.kind == "supported" for place in places], bool)
    adult_ok = turns(ADULT_AGE) <= move_in
    supported_ok = (turns(SUPPORTED_MIN_AGE) <= move_in) & (move_in < turns(SUPPORTED_MAX_AGE + 1))
    age_fail = np.where(supported, ~supported_ok, ~adult_ok)

    clean_from = column(
        [
            _ordinal(add_months(p.drug_free_since, DRUG_FREE_MONTHS) if p.drug_free_since else None)
            for p in people
        ]
    )
    drug_known = column([p.drug_free_since is not None for p in people], bool)
    drug_fail = clean_from > move_in

    occupation = column(
        [p.occupation_percent if p.occupation_percent is not None else 0 for p in people]
    )
    occupation_known = column([p.occupation_percent is not None for p in people], bool)
    occupation_fail = np.broadcast_to(occupation < MIN_OCCUPATION_PERCENT, (n_flats, n_people))

    index: dict = {}
    for place in places:
        index.setdefault(_key(place.district), len(index))
    district_of = np.array([index[_key(place.district)] for place in places], dtype=np.int64)
    excluded = _district_table([p.excluded_districts for p in people], index)
    preferred = _district_table([a.preferred_districts for a in applicants], index)
    district_fail = excluded[:, district_of].T
    in_preferred = preferred[:, district_of].T

    step_free = row([place.floor <= 0 or place.elevator for place in places], bool)
    needs_step_free = column([p.needs_step_free for p in people], bool)
    access_fail = needs_step_free & ~step_free

    rooms = row([place.rooms for place in places])
    needed = column([p.min_rooms or 1 for p in people])
    rooms_fail = rooms < needed

    def kept(fail, rule):
        overridden = column([rule in a.overridden for a in applicants], bool)
        return fail & ~overridden

    failing = (
        kept(age_fail, "age")
        | kept(drug_fail, "drug_free")
        | kept(occupation_fail, "occupation")
        | kept(district_fail, "district")
        | kept(access_fail, "access")
        | kept(rooms_fail, "rooms")
    )
    unknown = ~(born & drug_known & occupation_known)
    eligible = ~failing & ~np.broadcast_to(unknown, (n_flats, n_people))

    waiting = column(
        [
            round(WAITING_MAX * min(max(0, a.waited_days), WAITING_FULL_DAYS) / WAITING_FULL_DAYS)
            for a in applicants
        ]
    )
    extra = rooms - needed
    points = BASE + waiting + PREFERRED_DISTRICT * in_preferred
    points = (
        points
        + np.where(extra == 0, ROOM_FIT, 0)
        - np.where(extra > 0, EXTRA_ROOM_PENALTY * extra, 0)
    )
    scores = np.clip(points, 1, 100).astype(float)
    scores[~eligible] = np.nan
    return scores

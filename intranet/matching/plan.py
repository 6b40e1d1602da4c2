"""Pairing all free flats with all waiting referrals at once.

The best plan is an optimal assignment (scipy's ``linear_sum_assignment``)
over the scores of the eligible pairs; the greedy plan takes the best
remaining pair again and again, as a person would down a sorted list. The
two are shown side by side so staff can see what the optimum gains.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment


@dataclass(frozen=True)
class Pair:
    """One flat (row) given to one referral (column), with the pair's score."""

    flat: int
    referral: int
    score: float


def best_plan(scores) -> list[Pair]:
    """The pairing with the greatest total score; ``None`` marks a pair that may not be made.

    ``scores[i][j]`` is the score of flat ``i`` with referral ``j``, greater
    than zero for an eligible pair. Not every flat or referral need be paired.
    """
    matrix = _matrix(scores)
    if matrix.size == 0:
        return []
    # Ineligible pairs weigh nothing, so the optimum never needs them; they are dropped.
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return [
        Pair(int(r), int(c), float(matrix[r, c]))
        for r, c in zip(rows, cols, strict=True)
        if matrix[r, c] > 0
    ]


def greedy_plan(scores) -> list[Pair]:
    """The pairing made by always taking the best remaining eligible pair (ties: the
    earlier flat, then the earlier referral)."""
    matrix = _matrix(scores)
    if matrix.size == 0:
        return []
    flats, referrals = np.nonzero(matrix > 0)
    values = matrix[flats, referrals]
    order = np.lexsort((referrals, flats, -values))
    used_flats, used_referrals, pairs = set(), set(), []
    limit = min(matrix.shape)
    for k in order:
        i, j = int(flats[k]), int(referrals[k])
        if i not in used_flats and j not in used_referrals:
            used_flats.add(i)
            used_referrals.add(j)
            pairs.append(Pair(i, j, float(values[k])))
            if len(pairs) == limit:
                break
    return pairs


def total(pairs) -> float:
    """The summed score of a plan."""
    return sum(pair.score for pair in pairs)


def _matrix(scores) -> np.ndarray:
    """The scores as a float array, 0 where a pair may not be made (None, NaN or not > 0)."""
    if isinstance(scores, np.ndarray):
        matrix = np.nan_to_num(scores.astype(float), nan=0.0)
    else:
        rows = [[0.0 if s is None or s <= 0 else float(s) for s in row] for row in scores]
        if not rows or not rows[0]:
            return np.zeros((0, 0))
        matrix = np.array(rows, dtype=float)
    matrix[matrix < 0] = 0.0
    return matrix

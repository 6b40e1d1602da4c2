"""How well a waiting referral fits a free flat: a score and a line per criterion.

An ineligible pair gets no score (it may not be made) but keeps its lines, so
a failing candidate is shown as failing, with why, rather than hidden.
"""

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from .eligibility import Eligibility, Person, Place, check

# The parts of a score, in points; eligible pairs score between 1 and 100.
BASE = 30
WAITING_MAX = 40  # a year's wait earns them all
WAITING_FULL_DAYS = 365
PREFERRED_DISTRICT = 20
ROOM_FIT = 10
EXTRA_ROOM_PENALTY = 5


def _silent(text, **values):
    return None


@dataclass(frozen=True)
class Scored:
    """A pair's score (None when ineligible), its eligibility, and why, line by line."""

    score: int | None
    eligibility: Eligibility
    reasons: tuple

    @property
    def eligible(self) -> bool:
        return self.score is not None


def score_pair(
    person: Person,
    place: Place,
    move_in: dt.date,
    waited_days: int,
    preferred_districts=(),
    overrides: dict | None = None,
    explain: bool = True,
) -> Scored:
    """Score a referral for a flat at a move-in date; ``explain=False`` skips the reasons."""
    eligibility = check(person, place, move_in, overrides, explain)
    reasons = [result.message for result in eligibility.results]
    say = _l if explain else _silent
    for rule, why in eligibility.overridden.items():
        reasons.append(say("Rule %(rule)s overridden: %(why)s", rule=rule, why=why))

    points = BASE
    waited = max(0, waited_days)
    points += round(WAITING_MAX * min(waited, WAITING_FULL_DAYS) / WAITING_FULL_DAYS)
    reasons.append(
        lazy_ngettext(
            "Has waited %(count)s day.", "Has waited %(count)s days.", waited, count=waited
        )
        if explain
        else None
    )

    preferred = {d.strip().casefold() for d in preferred_districts if d.strip()}
    if place.district.strip().casefold() in preferred:
        points += PREFERRED_DISTRICT
        reasons.append(say("%(district)s is a preferred district.", district=place.district))

    extra_rooms = place.rooms - (person.min_rooms or 1)
    if extra_rooms == 0:
        points += ROOM_FIT
        reasons.append(say("The number of rooms fits exactly."))
    elif extra_rooms > 0:
        points -= EXTRA_ROOM_PENALTY * extra_rooms
        reasons.append(
            lazy_ngettext(
                "%(count)s more room than needed.",
                "%(count)s more rooms than needed.",
                extra_rooms,
                count=extra_rooms,
            )
            if explain
            else None
        )

    score = max(1, min(100, points)) if eligibility.eligible else None
    return Scored(score, eligibility, tuple(reasons))

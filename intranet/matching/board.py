"""What the matching page reads: free flats, waiting referrals, rankings and plans."""

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from peewee import JOIN

from .. import clock
from ..models import (
    Commissioner,
    Flat,
    FlatStatus,
    Landlord,
    Match,
    MatchStatus,
    Referral,
    ReferralStatus,
    Tenancy,
    User,
)
from ..referrals.services import days_waited, needs_confirmation, overrides_for
from .eligibility import Person, Place
from .plan import best_plan, greedy_plan, total
from .scoring import score_pair
from .services import active_tenancy_flats, open_match_flats

# After a move-out the caretaker inspects and prepares the flat before it is ready again.
PREPARE_DAYS_AFTER_MOVE_OUT = 7


@dataclass
class FreeFlat:
    """A flat that can be matched: ready now, or soon free after a move-out."""

    flat: Flat
    available_on: dt.date
    moving_out: bool = False

    @property
    def days_vacant(self) -> int:
        return max(0, (clock.today() - self.available_on).days) if not self.moving_out else 0

    @property
    def cost_so_far(self):
        return self.flat.daily_rent() * self.days_vacant


def free_flats(within_days: int = 0, today: dt.date | None = None) -> list[FreeFlat]:
    """Ready flats nobody lives in, and flats whose resident moves out within ``within_days``."""
    today = today or clock.today()
    ready = (
        Flat.select(Flat, Landlord)
        .join(Landlord)
        .where(
            (Flat.status == FlatStatus.READY)
            & Flat.id.not_in(active_tenancy_flats())
            & Flat.id.not_in(open_match_flats())
        )
    )
    result = [FreeFlat(flat, flat.ready_since or today) for flat in ready]
    horizon = today + dt.timedelta(days=within_days)
    leaving = (
        Tenancy.select(Tenancy, Flat, Landlord)
        .join(Flat)
        .join(Landlord)
        .where(
            Tenancy.end_date.is_null()
            & Tenancy.move_out_date.is_null(False)
            & (Tenancy.move_out_date <= horizon)
            & Flat.id.not_in(open_match_flats())
        )
    )
    for tenancy in leaving:
        available = tenancy.move_out_date + dt.timedelta(days=PREPARE_DAYS_AFTER_MOVE_OUT)
        result.append(FreeFlat(tenancy.flat, max(available, today), moving_out=True))
    result.sort(key=lambda free: (free.available_on, -free.flat.rent_to_landlord))
    return result


def waiting_referrals():
    """Referrals waiting for a flat, longest waiting first, with their commissioner."""
    return list(
        Referral.select(Referral, Commissioner, User)
        .join(Commissioner)
        .switch(Referral)
        .join(User, JOIN.LEFT_OUTER, on=(Referral.responsible == User.id))
        .where(Referral.status == ReferralStatus.WAITING)
        .order_by(Referral.received_on, Referral.id)
    )


def person_of(referral: Referral) -> Person:
    """The facts of a referral the rules read."""
    return Person(
        birth_date=referral.birth_date,
        drug_free_since=referral.drug_free_since,
        occupation_percent=referral.occupation_percent,
        min_rooms=referral.min_rooms,
        needs_step_free=referral.needs_step_free,
        excluded_districts=tuple(_split(referral.excluded_districts)),
    )


def place_of(flat: Flat) -> Place:
    """The facts of a flat the rules read."""
    return Place(
        kind=flat.kind,
        district=flat.district,
        rooms=flat.rooms,
        floor=flat.floor,
        elevator=flat.elevator,
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def planned_move_in(free: FreeFlat, referral: Referral, today: dt.date | None = None) -> dt.date:
    """The earliest sensible move-in: the flat available, and not before the person wishes."""
    today = today or clock.today()
    return max(today, free.available_on, referral.wished_move_in or today)


@dataclass
class Candidate:
    """A scored pair, for a ranking."""

    free: FreeFlat
    referral: Referral
    scored: object
    move_in: dt.date
    waited: int
    confirm: bool


def _candidate(free, referral, overrides, today, explain=True) -> Candidate:
    move_in = planned_move_in(free, referral, today)
    waited = days_waited(referral, today)
    scored = score_pair(
        person_of(referral),
        place_of(free.flat),
        move_in,
        waited,
        preferred_districts=_split(referral.preferred_districts),
        overrides=overrides.get(referral.id),
        explain=explain,
    )
    return Candidate(free, referral, scored, move_in, waited, needs_confirmation(referral, today))


def _rank_key(candidate: Candidate):
    return (candidate.scored.score is None, -(candidate.scored.score or 0), -candidate.waited)


def rank_for_flat(free: FreeFlat, referrals, today=None) -> list[Candidate]:
    """Every waiting referral for one flat, best first; failing ones last, not hidden."""
    today = today or clock.today()
    overrides = overrides_for(r.id for r in referrals)
    return sorted((_candidate(free, r, overrides, today) for r in referrals), key=_rank_key)


def rank_for_referral(referral: Referral, frees, today=None) -> list[Candidate]:
    """Every free flat for one referral, best first."""
    today = today or clock.today()
    overrides = overrides_for([referral.id])
    return sorted((_candidate(f, referral, overrides, today) for f in frees), key=_rank_key)


def check_proposal(free: FreeFlat, referral: Referral, reason: str):
    """Whether ``referral`` may be proposed for the flat: (their candidacy, None) when they
    pass the rules and are ranked first or a reason is given; else (candidacy, message)."""
    ranking = rank_for_flat(free, waiting_referrals())
    chosen = next((c for c in ranking if c.referral.id == referral.id), None)
    top = next((c for c in ranking if c.scored.eligible), None)
    if chosen is None or not chosen.scored.eligible:
        return chosen, _(
            "This person does not meet the rules for this flat. "
            "A manager can override a rule on the referral."
        )
    if top is not None and top.referral.id != referral.id and not reason:
        return chosen, _(
            "%(name)s is ranked first. Say why you pass them over.",
            name=f"{top.referral.first_name} {top.referral.last_name}",
        )
    return chosen, None


@dataclass
class PlanView:
    """A plan's pairs with what it achieves."""

    pairs: list
    score: float
    waiting_days_served: int
    people_placed: int


def plans(frees, referrals, today=None) -> tuple[PlanView, PlanView]:
    """The best and the greedy pairing of all free flats with all waiting referrals."""
    today = today or clock.today()
    overrides = overrides_for(r.id for r in referrals)
    grid = [[_candidate(f, r, overrides, today, explain=False) for r in referrals] for f in frees]
    scores = [[c.scored.score for c in row] for row in grid]

    def view(pairs):
        chosen = [grid[p.flat][p.referral] for p in pairs]
        return PlanView(chosen, total(pairs), sum(c.waited for c in chosen), len(chosen))

    return view(best_plan(scores)), view(greedy_plan(scores))


def open_matches():
    """Matches under way, with flat and referral."""
    return list(
        Match.select(Match, Flat, Referral)
        .join(Flat, on=(Match.flat == Flat.id))
        .switch(Match)
        .join(Referral, on=(Match.referral == Referral.id))
        .where(Match.status.in_(MatchStatus.OPEN))
        .order_by(Match.proposed_at)
    )


def previous_declines(referral_ids):
    """Declined matches of these referrals, newest first: shown on the next match."""
    rows = (
        Match.select(Match, Flat)
        .join(Flat)
        .where(Match.referral.in_(list(referral_ids)) & (Match.status == MatchStatus.DECLINED))
        .order_by(Match.closed_at.desc())
    )
    result: dict = {}
    for match in rows:
        result.setdefault(match.referral_id, []).append(match)
    return result

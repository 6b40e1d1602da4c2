"""What the matching page reads: free flats, waiting referrals, rankings and plans."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from flask_babel import gettext as _
from peewee import JOIN

from .. import cache, clock
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
from ..referrals.services import (
    PROTECTED,
    days_waited,
    may_see_person,
    needs_confirmation,
    overrides_for,
)
from .eligibility import Person, Place
from .plan import best_plan, greedy_plan, total
from .scoring import score_pair
from .services import active_tenancy_flats, open_match_flats
from .vectors import Applicant, score_matrix

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
        """What the flat's empty days have cost so far (``Flat.vacancy_cost``); nothing
        for a flat whose resident has not moved out yet."""
        return Decimal(0) if self.moving_out else self.flat.vacancy_cost() or Decimal(0)


def free_flats(within_days: int = 0, today: dt.date | None = None) -> list[FreeFlat]:
    """Ready flats nobody lives in, and flats whose resident moves out within ``within_days``:
    read once and kept between requests (``cache.remembered``) until a flat, a tenancy, a
    match or a landlord is written to, or the day turns. A proposal checks its flat afresh
    (``services.propose_match``)."""
    today = today or clock.today()
    kept = cache.remembered(
        "free flats",
        within_days,
        (today, *cache.changes("flat", "tenancy", "match", "landlord")),
        lambda: tuple(_read_free_flats(within_days, today)),
    )
    return list(kept)


def _read_free_flats(within_days: int, today: dt.date) -> list[FreeFlat]:
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
            Tenancy.is_current()
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


def waiting_referrals_query():
    """Referrals waiting for a flat, longest waiting first, with their commissioner and
    the person responsible, as a query (to page, or to read one)."""
    return (
        Referral.select(Referral, Commissioner, User)
        .join(Commissioner)
        .switch(Referral)
        .join(User, JOIN.LEFT_OUTER, on=(Referral.responsible == User.id))
        .where(Referral.status == ReferralStatus.WAITING)
        .order_by(Referral.received_on, Referral.id)
    )


def waiting_referrals():
    """Every referral waiting for a flat, longest waiting first: what a flat is ranked
    against."""
    return list(waiting_referrals_query())


@dataclass(frozen=True)
class Waiting:
    """Every waiting referral as the scoring reads it, longest waiting first: their ids,
    what the rules read of them and the days they have waited, in the same order."""

    ids: tuple
    applicants: tuple
    waited: tuple


def waiting(today: dt.date | None = None) -> Waiting:
    """The waiting referrals as the scoring reads them, read once and kept between requests
    (``cache.remembered``) until a referral or an override changes or the day turns: a
    ranking or a plan then reads only the people it shows."""
    today = today or clock.today()
    return cache.remembered(
        "waiting referrals", today, _waiting_version(), lambda: _read_waiting(today)
    )


def _waiting_version() -> tuple:
    """What the waiting list is read from: the referrals and the overrides, by the
    database's count of their writes (``cache.changes``)."""
    return cache.changes("referral", "rule_override")


def _read_waiting(today: dt.date) -> Waiting:
    referrals = waiting_referrals()
    overrides = overrides_for(r.id for r in referrals)
    return Waiting(
        tuple(r.id for r in referrals),
        tuple(applicant_of(r, overrides.get(r.id), today) for r in referrals),
        tuple(days_waited(r, today) for r in referrals),
    )


def _people(ids) -> tuple[dict, dict]:
    """The waiting referrals ``ids`` (id → referral) and their overrides: two queries."""
    ids = list(dict.fromkeys(ids))
    found = {r.id: r for r in waiting_referrals_query().where(Referral.id.in_(ids))}
    return found, overrides_for(ids)


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


# A ranking shows this many candidates at first, and this many more at each "show more".
RANKING_PAGE = 25


def applicant_of(referral: Referral, overrides: dict | None, today: dt.date) -> Applicant:
    """A referral as the vectorised scoring reads it."""
    return Applicant(
        person_of(referral),
        referral.wished_move_in,
        days_waited(referral, today),
        tuple(_split(referral.preferred_districts)),
        frozenset(overrides or ()),
    )


def _scores(frees, referrals, today):
    """Every free flat × every referral scored at once, with the referrals' overrides."""
    overrides = overrides_for(r.id for r in referrals)
    applicants = [applicant_of(r, overrides.get(r.id), today) for r in referrals]
    places = [place_of(f.flat) for f in frees]
    return score_matrix(places, [f.available_on for f in frees], applicants, today), overrides


def _best_first(scores: np.ndarray, waited) -> np.ndarray:
    """Indexes of ``scores`` best first: eligible before failing, higher score, longer
    wait, then the order given."""
    return np.lexsort(
        (
            np.arange(len(scores)),
            -np.asarray(waited),
            -np.nan_to_num(scores, nan=0.0),
            np.isnan(scores),
        )
    )


def rank_for_flat(free: FreeFlat, kept: Waiting, today=None, limit=None) -> list[Candidate]:
    """The waiting referrals (``waiting``) for one flat, best first, failing ones last
    rather than hidden; the first ``limit`` of them (all without one) with why. Only the
    people shown are read."""
    today = today or clock.today()
    scores = score_matrix([place_of(free.flat)], [free.available_on], list(kept.applicants), today)
    order = _best_first(scores[0], kept.waited)[:limit]
    found, overrides = _people(kept.ids[j] for j in order)
    chosen = (found.get(kept.ids[j]) for j in order)
    return [_candidate(free, r, overrides, today) for r in chosen if r is not None]


def rank_for_referral(referral: Referral, frees, today=None, limit=None) -> list[Candidate]:
    """Free flats for one referral, best first; the first ``limit`` with why."""
    today = today or clock.today()
    frees = list(frees)
    scores, overrides = _scores(frees, [referral], today)
    order = _best_first(scores[:, 0], [0] * len(frees))[:limit]
    return [_candidate(frees[i], referral, overrides, today) for i in order]


def check_proposal(
    flat: Flat, referral: Referral, reason: str, placed: dict, actor: User
) -> int | None:
    """The rules of a proposal, read by ``services.propose_match``: the person meets the
    rules for the flat (or has an override), and passing over anyone ranked above them for
    it takes a reason, unless ``placed`` (the best plan's referral id → flat id) gives that
    person another flat. The pair's score, or ``MatchError`` beside the reason field."""
    from .services import MatchError

    today = clock.today()
    free = FreeFlat(flat, flat.ready_since or today)
    referrals = list(waiting_referrals())
    scores, overrides = _scores([free], referrals, today)
    row = scores[0]
    order = _best_first(row, [days_waited(r, today) for r in referrals])
    place = next((j for j, r in enumerate(referrals) if r.id == referral.id), None)
    chosen = None if place is None else _candidate(free, referrals[place], overrides, today)
    if chosen is None or not chosen.scored.eligible:
        raise MatchError(
            _(
                "This person does not meet the rules for this flat. "
                "A manager can override a rule on the referral."
            ),
            "passed_over_reason",
        )
    above = []
    for j in order:
        if j == place or np.isnan(row[j]):
            break
        if placed.get(referrals[j].id, flat.id) == flat.id:
            above.append(referrals[j])
    if above and not reason:
        first = above[0]
        name = (
            f"{first.first_name} {first.last_name}"
            if may_see_person(first, actor)
            else str(PROTECTED)
        )
        if first.id == referrals[order[0]].id:
            message = _("%(name)s is ranked first. Say why you pass them over.", name=name)
        else:
            message = _(
                "%(name)s is ranked above this person. Say why you pass them over.", name=name
            )
        raise MatchError(message, "passed_over_reason")
    return chosen.scored.score


def placed_in_best_plan() -> dict:
    """Who the best plan places where now: referral id → flat id."""
    frees, referrals = free_flats(0), waiting_referrals()
    scores, _overrides = _scores(frees, referrals, clock.today())
    return {referrals[p.referral].id: frees[p.flat].flat.id for p in best_plan(scores)}


@dataclass
class PlanView:
    """A plan's pairs with what it achieves."""

    pairs: list
    score: float
    waiting_days_served: int
    people_placed: int


def plans(frees, kept: Waiting, today=None) -> tuple[PlanView, PlanView]:
    """The best and the greedy pairing of all free flats with all waiting referrals
    (``waiting``); only the people the plans place are read."""
    today = today or clock.today()
    frees = list(frees)
    places = [place_of(f.flat) for f in frees]
    scores = score_matrix(places, [f.available_on for f in frees], list(kept.applicants), today)
    best, greedy = best_plan(scores), greedy_plan(scores)
    found, overrides = _people(kept.ids[p.referral] for p in [*best, *greedy])

    def view(pairs):
        chosen = [
            _candidate(frees[p.flat], found[kept.ids[p.referral]], overrides, today, explain=False)
            for p in pairs
            if kept.ids[p.referral] in found
        ]
        return PlanView(chosen, total(pairs), sum(c.waited for c in chosen), len(chosen))

    return view(best), view(greedy)


def open_matches():
    """Matches under way, the oldest first, with flat and referral, as a query (the page
    shows the first of them and how many there are)."""
    return (
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

"""Where a resident stands on the road: each condition's state read from the facts.

The rent conditions are read from the rent ledger's months (``RentMonth``), the time in the
flat from the tenancy, the landlord's answer from the lease request and the rest from the
marks people made. ``progress_for`` reads them for any number of residents in a fixed
number of queries; every page, block and report that shows a road reads it.
"""

import dataclasses
import datetime as dt
import functools
import operator
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from peewee import Case, fn

from .. import cache
from ..models import (
    LeaseAnswer,
    LeaseRequest,
    Referral,
    RentMonth,
    Road,
    RoadCondition,
    RoadMark,
    RoadRequirement,
    RoadStep,
    ShareConsent,
    Tenancy,
    User,
)
from ..rent import rules
from ..rent.rules import add_months, whole_months

# A road is stuck when none of its conditions changed state for this many months.
STUCK_MONTHS = 6


@dataclass(frozen=True)
class RentFacts:
    """A tenancy's rent as the road reads it: the months measured (past their due day)
    paid on time since the last one that was not, and what is owed today."""

    on_time_in_a_row: int = 0
    streak_from: dt.date | None = None  # the first month of the run
    last_missed_due: dt.date | None = None  # the due day of the last month not on time
    debt: Decimal = Decimal("0.00")


def _ore(value) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(Decimal("0.01"))


def rent_facts(tenancy_ids, today: dt.date) -> dict[int, RentFacts]:
    """The rent facts of the tenancies (ids, or a query of ids), in one pass over their
    months in SQL, summed as whole öre so that SQLite's sums are exact. The debt is
    ``rent.services.debt`` (the unpaid part of the months past their due day) stated in
    SQL for many tenancies at once; a test holds the two to the same figure.

    A tenancy is charged every month from its move-in on, so the months measured (past their
    due day) run without a gap from the first to the last: the run of months on time is the
    months after the last one that was not, counted from the month numbers."""
    measured = RentMonth.due_on < today
    missed = (RentMonth.charged > 0) & (RentMonth.paid_by_due < RentMonth.charged)
    owed = RentMonth.charged - RentMonth.paid_total
    rows = (
        RentMonth.select(
            RentMonth.tenancy.alias("tenancy_id"),
            fn.MIN(RentMonth.month).alias("first_month"),
            fn.MAX(RentMonth.month).alias("last_month"),
            fn.MAX(Case(None, [(missed, RentMonth.month)], None)).alias("missed_month"),
            fn.MAX(Case(None, [(missed, RentMonth.due_on)], None)).alias("missed_due"),
            fn.SUM(Case(None, [(owed > 0, fn.ROUND(owed * 100))], 0)).alias("debt"),
        )
        .where(RentMonth.tenancy.in_(tenancy_ids) & measured)
        .group_by(RentMonth.tenancy)
        .dicts()
    )
    found = {}
    for row in rows:
        last_month, missed_month = as_date(row["last_month"]), as_date(row["missed_month"])
        run_from = add_months(missed_month, 1) if missed_month else as_date(row["first_month"])
        run = _months_from_to(run_from, last_month) if run_from <= last_month else 0
        found[row["tenancy_id"]] = RentFacts(
            run, run_from if run else None, as_date(row["missed_due"]), _ore(row["debt"])
        )
    return found


def kept_rent_facts(tenancy_ids, today: dt.date, stamps: dict) -> dict[int, RentFacts]:
    """``rent_facts`` kept between requests tenancy by tenancy, each with its ledger's stamp
    (``ledger.stamps()``, read before): a payment moves one tenancy's stamp, and only that
    tenancy's months are read again. What is kept is for ``today``; the next day reads all
    again, since a month falls due with the day."""
    return cache.remembered_rows(
        "rent facts", today, stamps, tenancy_ids, lambda ids: rent_facts(ids, today), RentFacts()
    )


def _months_from_to(first: dt.date, last: dt.date) -> int:
    """The months from ``first`` to ``last``, both counted (months' 1sts)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def as_date(value) -> dt.date | None:
    """A date as a plain row gives it (SQLite's text, PostgreSQL's date), or None."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class ConditionState:
    """One condition of a resident's step: met or not, its state in words (a code of
    ``labels.STATE_LABELS`` or a count), the day its state holds from, the figures."""

    condition: str
    met: bool
    state: str
    since: dt.date | None = None
    months: int | None = None  # what the unit asks for, for the conditions in months
    value: object = None  # the months counted, or the debt


@dataclass
class Progress:
    """A resident's road: the step, its conditions, and what they add up to."""

    tenancy: Tenancy
    road: Road | None
    conditions: list[ConditionState] = field(default_factory=list)
    request: LeaseRequest | None = None
    consent: ShareConsent | None = None
    rent: RentFacts = RentFacts()
    months_in_flat: int = 0

    @property
    def step(self) -> str:
        return self.road.step if self.road else RoadStep.NOT_YET

    @property
    def on_the_road(self) -> bool:
        return self.step in RoadStep.ON_THE_ROAD

    @property
    def all_met(self) -> bool:
        """Every condition of the step is met (a step with none is met by choosing it)."""
        return self.on_the_road and all(c.met for c in self.conditions)

    @property
    def ready(self) -> bool:
        """Ready to move on: every condition met but the landlord's answer, which is asked
        once the others are."""
        return self.on_the_road and all(
            c.met for c in self.conditions if c.condition != RoadCondition.LANDLORD_ANSWER
        )

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.conditions if c.met)

    @property
    def last_change(self) -> dt.date | None:
        """The last day the step was chosen or a condition changed state."""
        days = [c.since for c in self.conditions if c.since]
        if self.road is not None:
            days.append(self.road.updated_at.date())
        return max(days, default=None)

    def stuck(self, today: dt.date) -> bool:
        """On the road, not ready, and nothing has changed for ``STUCK_MONTHS``."""
        changed = self.last_change
        return (
            self.on_the_road
            and not self.all_met
            and changed is not None
            and add_months(changed, STUCK_MONTHS) <= today
        )


# The conditions each step needs until the manager sets them: a year of rent on time and
# in the flat before a landlord is asked, the housing queue and a rent guarantee for a lease
# elsewhere, half a year for a trial flat.
DEFAULTS = {
    RoadStep.TAKE_OVER: {
        RoadCondition.RENT_ON_TIME: 12,
        RoadCondition.NO_DEBT: None,
        RoadCondition.TIME_IN_FLAT: 12,
        RoadCondition.ASSESSMENT: None,
        RoadCondition.LANDLORD_ANSWER: None,
    },
    RoadStep.LEASE_ELSEWHERE: {
        RoadCondition.RENT_ON_TIME: 12,
        RoadCondition.NO_DEBT: None,
        RoadCondition.ASSESSMENT: None,
        RoadCondition.HOUSING_QUEUE: None,
        RoadCondition.RENT_GUARANTEE: None,
    },
    RoadStep.TRIAL_FLAT: {
        RoadCondition.RENT_ON_TIME: 6,
        RoadCondition.NO_DEBT: None,
        RoadCondition.TIME_IN_FLAT: 6,
        RoadCondition.ASSESSMENT: None,
    },
    RoadStep.OTHER_HOUSING: {RoadCondition.NO_DEBT: None, RoadCondition.ASSESSMENT: None},
}
# The row that says a step is set with no condition at all.
NO_CONDITION = ""


def requirements() -> dict[str, dict[str, int | None]]:
    """The unit's settings: each step's conditions, with the months for those in months
    (the defaults for a step the unit has not set)."""
    found: dict[str, dict[str, int | None]] = {}
    for row in RoadRequirement.select().order_by(RoadRequirement.id):
        if row.step in RoadStep.ALL:
            conditions = found.setdefault(row.step, {})
            if row.condition in RoadCondition.ALL:
                conditions[row.condition] = row.months
    for step in RoadStep.ALL:
        if step not in found:
            found[step] = dict(DEFAULTS.get(step, {}))
    return {
        step: {c: conditions[c] for c in RoadCondition.ALL if c in conditions}
        for step, conditions in found.items()
    }


def _rent_on_time(rent: RentFacts, months: int) -> ConditionState:
    met = rent.on_time_in_a_row >= months
    since = None
    if met and rent.streak_from is not None:
        since = rules.due_date(add_months(rent.streak_from, months - 1))
    elif not met:
        since = rent.last_missed_due
    return ConditionState(RoadCondition.RENT_ON_TIME, met, "", since, months, rent.on_time_in_a_row)


def _time_in_flat(tenancy: Tenancy, lived: int, months: int) -> ConditionState:
    met = lived >= months
    since = add_months(tenancy.start_date, months) if met else None
    return ConditionState(RoadCondition.TIME_IN_FLAT, met, "", since, months, lived)


def _marked(condition: str, mark: RoadMark | None) -> ConditionState:
    states = RoadCondition.MARKED[condition]
    state = mark.state if mark is not None and mark.state in states else states[0]
    since = (mark.on_date or mark.marked_at.date()) if mark is not None else None
    return ConditionState(condition, state == RoadCondition.MET[condition], state, since)


def _landlord_answer(request: LeaseRequest | None) -> ConditionState:
    if request is None:
        return ConditionState(RoadCondition.LANDLORD_ANSWER, False, "not_asked")
    if request.answer is None:
        return ConditionState(
            RoadCondition.LANDLORD_ANSWER, False, "asked", request.asked_at.date()
        )
    return ConditionState(
        RoadCondition.LANDLORD_ANSWER,
        request.answer == LeaseAnswer.YES,
        request.answer,
        request.answered_at.date() if request.answered_at else None,
        value=request.answer_on,
    )


def _conditions(progress: Progress, needed: dict, marks: dict, today: dt.date) -> list:
    found = []
    for condition, months in needed.items():
        if condition == RoadCondition.RENT_ON_TIME:
            found.append(_rent_on_time(progress.rent, months or 0))
        elif condition == RoadCondition.NO_DEBT:
            debt = progress.rent.debt
            found.append(ConditionState(condition, debt <= 0, "", None, value=debt))
        elif condition == RoadCondition.TIME_IN_FLAT:
            found.append(_time_in_flat(progress.tenancy, progress.months_in_flat, months or 0))
        elif condition == RoadCondition.LANDLORD_ANSWER:
            found.append(_landlord_answer(progress.request))
        else:
            found.append(_marked(condition, marks.get(condition)))
    return found


def progress_for(tenancies: list[Tenancy], today: dt.date) -> list[Progress]:
    """The road of each tenancy, in the order given: six queries, however many."""
    ids = [t.id for t in tenancies]
    roads = {r.tenancy_id: r for r in Road.select().where(Road.tenancy.in_(ids))}
    marks: dict[int, dict[str, RoadMark]] = {}
    road_ids = [r.id for r in roads.values()]
    for mark in (
        RoadMark.select()
        .where(RoadMark.road.in_(road_ids))
        .order_by(RoadMark.marked_at, RoadMark.id)
    ):
        marks.setdefault(mark.road_id, {})[mark.subject] = mark
    asked = {}
    for request in (
        LeaseRequest.select()
        .where(LeaseRequest.tenancy.in_(ids) & LeaseRequest.withdrawn_at.is_null())
        .order_by(LeaseRequest.asked_at, LeaseRequest.id)
    ):
        asked[request.tenancy_id] = request
    consents = {}
    for consent in (
        ShareConsent.select(ShareConsent, User)
        .join(User, on=(ShareConsent.recorded_by == User.id))
        .where(ShareConsent.tenancy.in_(ids) & ShareConsent.withdrawn_at.is_null())
        .order_by(ShareConsent.recorded_at, ShareConsent.id)
    ):
        consents[consent.tenancy_id] = consent
    rent = rent_facts(ids, today)
    needed = requirements()
    found = []
    for tenancy in tenancies:
        end = min(today, tenancy.end_date) if tenancy.end_date else today
        road = roads.get(tenancy.id)
        progress = Progress(
            tenancy,
            road,
            request=asked.get(tenancy.id),
            consent=consents.get(tenancy.id),
            rent=rent.get(tenancy.id, RentFacts()),
            months_in_flat=whole_months(tenancy.start_date, end),
        )
        step = road.step if road else RoadStep.NOT_YET
        marked = marks.get(road.id, {}) if road else {}
        progress.conditions = _conditions(progress, needed.get(step, {}), marked, today)
        found.append(progress)
    return found


def progress_of(tenancy: Tenancy, today: dt.date) -> Progress:
    """One resident's road."""
    return progress_for([tenancy], today)[0]


# ---- many roads at once, light --------------------------------------------------------------


def _light(row: dict, prefix: str) -> SimpleNamespace:
    """The columns of ``row`` named ``prefix``_…, as an object with those attributes."""
    return SimpleNamespace(
        **{key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)}
    )


def worth_a_look(today: dt.date):
    """The SQL condition of the roads a list of the ready or the stuck can hold: every
    condition people mark met (by its latest mark) and the time in the flat lived, for the
    step's conditions as the unit sets them; or nothing recorded on the road for
    ``STUCK_MONTHS``. The rent, the landlord's answer and the exact days are then read for
    these alone (``roads_at_scale``), so a list over thousands reads a few."""
    ready = []
    for step, conditions in requirements().items():
        if step not in RoadStep.ON_THE_ROAD:
            continue
        clause = Road.step == step
        for condition, months in conditions.items():
            if condition == RoadCondition.TIME_IN_FLAT:
                clause &= Tenancy.start_date <= add_months(today, -(months or 0))
            elif condition in RoadCondition.MARKED:
                clause &= fn.EXISTS(_latest_mark_meets(condition))
        ready.append(clause)
    cutoff = add_months(today, -STUCK_MONTHS)
    moment = dt.datetime.combine(cutoff, dt.time())
    recent_mark = RoadMark.select(RoadMark.id).where(
        (RoadMark.road == Road.id) & (RoadMark.subject != "step") & (RoadMark.on_date > cutoff)
    )
    recent_request = LeaseRequest.select(LeaseRequest.id).where(
        (LeaseRequest.tenancy == Tenancy.id)
        & LeaseRequest.withdrawn_at.is_null()
        & ((LeaseRequest.asked_at > moment) | (LeaseRequest.answered_at > moment))
    )
    still = (Road.updated_at <= moment) & ~fn.EXISTS(recent_mark) & ~fn.EXISTS(recent_request)
    return functools.reduce(operator.or_, ready, still)


def _latest_mark_meets(condition: str):
    """The latest mark of ``condition`` on the outer query's road says it is met."""
    later = RoadMark.alias("later_mark")
    newer = later.select(later.id).where(
        (later.road == RoadMark.road)
        & (later.subject == condition)
        & (
            (later.marked_at > RoadMark.marked_at)
            | ((later.marked_at == RoadMark.marked_at) & (later.id > RoadMark.id))
        )
    )
    return RoadMark.select(RoadMark.id).where(
        (RoadMark.road == Road.id)
        & (RoadMark.subject == condition)
        & (RoadMark.state == RoadCondition.MET[condition])
        & ~fn.EXISTS(newer)
    )


def roads_at_scale(query, today: dt.date, every_rent: bool = False) -> list[Progress]:
    """The roads of the tenancies ``query`` selects (a ``Tenancy`` query joined to
    ``Referral`` and ``Road``), for lists over many residents: each row read as plain values
    rather than as models, in five queries however many. The rent is read only for the
    roads it can decide: those whose other conditions are all met (ready, if the rent is
    too) and those with no change recorded for ``STUCK_MONTHS`` (stuck, unless the rent has
    moved); or for every road, with ``every_rent``. The others' rent conditions count as
    not met."""
    return with_rent(roads_without_rent(query, today), today, every_rent)


@dataclass(frozen=True)
class RoadsRead:
    """The roads of ``roads_without_rent``: each with its conditions as they stand without
    the rent, and the marks and the unit's conditions the rent's turn reads again."""

    found: tuple
    marks: dict
    needed: dict


def roads_without_rent(query, today: dt.date) -> RoadsRead:
    """The first part of ``roads_at_scale``: everything but the rent ledger, which changes
    with every payment while the rest changes seldom; a list keeps this part apart."""
    rows = list(
        query.select(
            Tenancy.id.alias("t_id"),
            Tenancy.start_date.alias("t_start_date"),
            Tenancy.end_date.alias("t_end_date"),
            Tenancy.contact_person.alias("t_contact_person_id"),
            Tenancy.flat.alias("t_flat_id"),
            Tenancy.referral.alias("t_referral_id"),
            Referral.id.alias("r_id"),
            Referral.first_name.alias("r_first_name"),
            Referral.last_name.alias("r_last_name"),
            Referral.protected_identity.alias("r_protected_identity"),
            Referral.responsible.alias("r_responsible_id"),
            Referral.status.alias("r_status"),
            Road.id.alias("road_id"),
            Road.step.alias("road_step"),
            Road.target_month.alias("road_target_month"),
            Road.updated_at.alias("road_updated_at"),
        ).dicts()
    )
    # Even for none, the same queries run: a page's queries do not depend on its rows.
    road_ids = [row["road_id"] for row in rows]
    marks: dict[int, dict[str, SimpleNamespace]] = {}
    for road_id, subject, state, on_date, marked_at in (
        RoadMark.select(
            RoadMark.road, RoadMark.subject, RoadMark.state, RoadMark.on_date, RoadMark.marked_at
        )
        .where(RoadMark.road.in_(road_ids))
        .order_by(RoadMark.marked_at, RoadMark.id)
        .tuples()
    ):
        marks.setdefault(road_id, {})[subject] = SimpleNamespace(
            state=state, on_date=as_date(on_date), marked_at=_moment(marked_at)
        )
    tenancy_ids = [row["t_id"] for row in rows]
    asked = {}
    for request in (
        LeaseRequest.select(
            LeaseRequest.id,
            LeaseRequest.tenancy,
            LeaseRequest.answer,
            LeaseRequest.answer_on,
            LeaseRequest.asked_at,
            LeaseRequest.answered_at,
            LeaseRequest.withdrawn_at,
            LeaseRequest.transferred_at,
        )
        .where(LeaseRequest.tenancy.in_(tenancy_ids) & LeaseRequest.withdrawn_at.is_null())
        .order_by(LeaseRequest.asked_at, LeaseRequest.id)
    ):
        asked[request.tenancy_id] = request
    needed = requirements()
    found = []
    for row in rows:
        tenancy = _light(row, "t_")
        tenancy.referral = _light(row, "r_")
        road = SimpleNamespace(
            id=row["road_id"],
            step=row["road_step"],
            target_month=as_date(row["road_target_month"]),
            updated_at=_moment(row["road_updated_at"]),
        )
        tenancy.start_date = as_date(tenancy.start_date)
        end = min(today, as_date(tenancy.end_date)) if tenancy.end_date else today
        progress = Progress(
            tenancy,
            road,
            request=asked.get(tenancy.id),
            months_in_flat=whole_months(tenancy.start_date, end),
        )
        progress.conditions = _conditions(
            progress, needed.get(road.step, {}), marks.get(road.id, {}), today
        )
        found.append(progress)
    return RoadsRead(tuple(found), marks, needed)


def with_rent(
    read: RoadsRead, today: dt.date, every_rent: bool = False, stamps: dict | None = None
) -> list[Progress]:
    """The second part of ``roads_at_scale``: the rent read for the roads it can decide (or
    every road), and their conditions again with it; the roads of ``read`` are copied, not
    changed, so that a kept first part serves the next turn of the ledger too. With the
    ledger's ``stamps`` (read before), each resident's rent facts are kept between requests
    and only those whose ledger was written since are read again (``kept_rent_facts``)."""
    found = list(read.found)
    rent_for = [i for i, p in enumerate(found) if every_rent or _rent_decides(p, today)]
    ids = [found[i].tenancy.id for i in rent_for]
    rent = rent_facts(ids, today) if stamps is None else kept_rent_facts(ids, today, stamps)
    for i in rent_for:
        progress = dataclasses.replace(found[i], rent=rent.get(found[i].tenancy.id, RentFacts()))
        progress.conditions = _conditions(
            progress,
            read.needed.get(progress.step, {}),
            read.marks.get(progress.road.id, {}),
            today,
        )
        found[i] = progress
    return found


def _rent_decides(progress: Progress, today: dt.date) -> bool:
    """Whether the rent can change what a list says of this road: every other condition
    met, or nothing else changed for ``STUCK_MONTHS``."""
    other = [c for c in progress.conditions if c.condition not in RENT_CONDITIONS]
    if all(c.met or c.condition == RoadCondition.LANDLORD_ANSWER for c in other):
        return True
    return progress.stuck(today)


# The conditions read from the rent ledger.
RENT_CONDITIONS = (RoadCondition.RENT_ON_TIME, RoadCondition.NO_DEBT)


def _moment(value) -> dt.datetime | None:
    """A stored moment as the models give it (the unit's time), from a plain row."""
    from ..models.base import MomentField

    return MomentField().python_value(value) if value is not None else None

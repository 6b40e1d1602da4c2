"""Where a resident stands on the road: each condition's state read from the facts.

The rent conditions are read from the rent ledger's months (``RentMonth``), the time in the
flat from the tenancy, the landlord's answer from the lease request and the rest from the
marks people made. ``progress_for`` reads them for any number of residents in a fixed
number of queries; every page, block and report that shows a road reads it.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import JOIN, Case, fn

from ..models import (
    LeaseAnswer,
    LeaseRequest,
    RentMonth,
    Road,
    RoadCondition,
    RoadMark,
    RoadRequirement,
    RoadStep,
    ShareConsent,
    Tenancy,
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
    """The rent facts of the tenancies (ids, or a query of ids): two queries, summed in SQL
    as whole öre so that SQLite's sums are exact."""
    measured = RentMonth.due_on < today
    missed = measured & (RentMonth.charged > 0) & (RentMonth.paid_by_due < RentMonth.charged)
    last = (
        RentMonth.select(
            RentMonth.tenancy.alias("missed_tenancy"),
            fn.MAX(RentMonth.month).alias("missed_month"),
            fn.MAX(RentMonth.due_on).alias("missed_due"),
        )
        .where(RentMonth.tenancy.in_(tenancy_ids) & missed)
        .group_by(RentMonth.tenancy)
        .alias("last_missed")
    )
    after = last.c.missed_month.is_null() | (RentMonth.month > last.c.missed_month)
    owed = RentMonth.charged - RentMonth.paid_total
    rows = (
        RentMonth.select(
            RentMonth.tenancy.alias("tenancy_id"),
            fn.SUM(Case(None, [(after, 1)], 0)).alias("run"),
            fn.MIN(Case(None, [(after, RentMonth.month)], None)).alias("run_from"),
            fn.MAX(last.c.missed_due).alias("missed_due"),
            fn.SUM(Case(None, [(owed > 0, fn.ROUND(owed * 100))], 0)).alias("debt"),
        )
        .join(last, JOIN.LEFT_OUTER, on=(RentMonth.tenancy == last.c.missed_tenancy))
        .where(RentMonth.tenancy.in_(tenancy_ids) & measured)
        .group_by(RentMonth.tenancy)
        .dicts()
    )
    return {
        row["tenancy_id"]: RentFacts(
            int(row["run"] or 0),
            _as_date(row["run_from"]),
            _as_date(row["missed_due"]),
            _ore(row["debt"]),
        )
        for row in rows
    }


def _as_date(value) -> dt.date | None:
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
    if not tenancies:
        return []
    ids = [t.id for t in tenancies]
    roads = {r.tenancy_id: r for r in Road.select().where(Road.tenancy.in_(ids))}
    marks: dict[int, dict[str, RoadMark]] = {}
    road_ids = [r.id for r in roads.values()]
    if road_ids:
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
        ShareConsent.select()
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

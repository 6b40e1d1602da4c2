"""The road's lists on the start pages: who is ready to move on and what is next, whose road
has stood still, a contact person's residents on the road, and the flats the unit lost to a
lease handed over.

Each list reads its residents in one query (the current tenancies whose road is a step, in
SQL) and their roads with ``facts.progress_for`` (six more), whatever their number, and
returns its first ``LIMIT`` rows with how many there are in all. A person with protected
personal details is named only to their circle (``may_see_person``); to anyone else their
row says "Protected personal details" and nothing else of theirs. The counts include them.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from peewee import JOIN

from .. import cache
from ..models import (
    Flat,
    FlatStatus,
    FlatStatusChange,
    Landlord,
    LeaseAnswer,
    Referral,
    Road,
    RoadStep,
    Tenancy,
    User,
)
from ..referrals.services import may_see_person
from ..rent import ledger
from ..residents.labels import TRANSFER
from . import facts
from .services import asks_landlord, transfer_due

# The rows a list returns; the count says how many there are in all.
LIMIT = 10
# The flats taken over in this many months are the flats to replace.
REPLACE_MONTHS = 12

# What is next for a resident who is ready: the codes ``Row.next`` takes.
ASK = "ask"  # take over: the landlord is not asked yet (or it is the day to ask again)
WAITING = "waiting"  # asked, no answer yet
YES = "yes"  # the landlord said yes: the lease is handed over on the day they gave
LATER = "later"  # the landlord said later: ask again on the day they gave
NO = "no"  # the landlord said no: the step is to be chosen again
READY = "ready"  # the other steps: every condition met


@dataclass(frozen=True)
class Row:
    """A resident on a list. ``shown`` is False for a person protected from the viewer:
    then the row carries nothing but its tenancy's place in the list."""

    tenancy_id: int
    shown: bool
    name: str = ""
    step: str = ""
    target_month: dt.date | None = None
    met: int = 0
    conditions: int = 0
    last_change: dt.date | None = None
    next: str = ""
    next_on: dt.date | None = None
    urgent: bool = False

    @property
    def next_words(self) -> str:
        """What is next, in words."""
        day = self.next_on.isoformat() if self.next_on else ""
        if self.next == ASK:
            return _("ask the landlord")
        if self.next == WAITING:
            return _("waiting for the landlord")
        if self.next == YES:
            return _("the landlord said yes: hand over the lease on %(date)s", date=day)
        if self.next == LATER:
            return _("the landlord said later: ask again on %(date)s", date=day)
        if self.next == NO:
            return _("the landlord said no: choose the next step again")
        return _("ready") if self.next == READY else ""


@dataclass(frozen=True)
class FlatRow:
    """A flat whose lease a resident took over, on the day its status changed. ``shown``
    is False where that resident is protected from the viewer: the flat is their home."""

    flat_id: int
    shown: bool
    address: str = ""
    district: str = ""
    landlord: str = ""
    landlord_id: int | None = None
    on: dt.date | None = None


@dataclass
class Listed:
    """A list's first rows and how many there are in all."""

    rows: list = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.rows))


def roads(
    today: dt.date, contact_person_id: int | None = None, all_of_them: bool = True
) -> list[facts.Progress]:
    """The current residents whose road is a step (or one contact person's), with their
    person, by the month aimed at and name, read light (``facts.roads_at_scale``): six
    queries however many. A contact person's few have every rent fact read. Without
    ``all_of_them``, only the roads that may be ready or stuck (``facts.worth_a_look``):
    what the manager's lists read."""
    query = (
        Tenancy.current()
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .switch(Tenancy)
        .join(Road, on=(Road.tenancy == Tenancy.id))
        .where(Road.step.in_(RoadStep.ON_THE_ROAD))
        .order_by(
            Road.target_month.asc(nulls="LAST"),
            Referral.last_name,
            Referral.first_name,
            Tenancy.id,
        )
    )
    if contact_person_id is not None:
        query = query.where(Tenancy.contact_person == contact_person_id)
    if all_of_them and contact_person_id is None:
        return facts.roads_at_scale(query, today)
    if all_of_them:
        return _kept_in_two_parts("a contact person's roads", contact_person_id, query, today)
    query = query.where(facts.worth_a_look(today))
    return _kept_in_two_parts("roads worth a look", contact_person_id, query, today)


def _kept_in_two_parts(name: str, contact_person_id, query, today: dt.date) -> list:
    """``query``'s roads with every rent fact read, kept between requests in two parts: the
    roads without the rent, which change seldom (``ROAD_TABLES``), and the rent's turn over
    them, found by the ledger's stamps of these roads' residents. A payment to anyone else
    leaves the list as it is kept, and one to a resident on it reads that resident's
    months alone (``facts.kept_rent_facts``)."""
    roads_version = (today, *cache.changes(*ROAD_TABLES))
    read = cache.remembered(
        f"{name}, without the rent",
        contact_person_id,
        roads_version,
        lambda: facts.roads_without_rent(query, today),
    )
    stamps = ledger.stamps()
    return cache.remembered(
        name,
        contact_person_id,
        (*roads_version, tuple(stamps.get(p.tenancy.id, 0) for p in read.found)),
        lambda: KeptRoads(facts.with_rent(read, today, every_rent=True, stamps=stamps)),
    )


class KeptRoads(list):
    """Roads kept between requests, with what is worked out from them alone (the ready,
    the stuck), kept beside them for as long as they are."""

    def __init__(self, roads):
        super().__init__(roads)
        self.derived: dict = {}


def _derived(found: list, key, compute: Callable):
    """``compute()``, kept with ``found`` when it is kept roads (``KeptRoads``)."""
    derived = getattr(found, "derived", None)
    if derived is None:
        return compute()
    if key not in derived:
        derived[key] = compute()
    return derived[key]


# What a road is read from besides the rent: the tenancies and the people, the roads and
# their marks, the requests to take over a lease, the consents and the unit's conditions.
ROAD_TABLES = (
    "road",
    "road_mark",
    "lease_request",
    "share_consent",
    "tenancy",
    "referral",
    "road_requirement",
)


def _row(progress: facts.Progress, viewer: User, **more) -> Row:
    tenancy = progress.tenancy
    if not may_see_person(tenancy.referral, viewer, [tenancy.contact_person_id]):
        return Row(tenancy.id, False)
    referral = tenancy.referral
    return Row(
        tenancy.id,
        True,
        f"{referral.first_name} {referral.last_name}",
        progress.step,
        progress.road.target_month if progress.road else None,
        progress.met_count,
        len(progress.conditions),
        progress.last_change,
        **more,
    )


def _listed(found: list, viewer: User, more=lambda p: {}) -> Listed:
    return Listed([_row(p, viewer, **more(p)) for p in found[:LIMIT]], len(found))


def whats_next(progress: facts.Progress, today: dt.date) -> dict:
    """What is next for a resident who is ready: the code, its day, and whether it is due
    today (a yes whose day has come)."""
    if not asks_landlord(progress.step):
        return {"next": READY}
    request = progress.request
    if request is None:
        return {"next": ASK}
    if request.answer is None:
        return {"next": WAITING}
    if request.answer == LeaseAnswer.YES:
        return {"next": YES, "next_on": request.answer_on, "urgent": transfer_due(request, today)}
    if request.answer == LeaseAnswer.LATER and request.answer_on and request.answer_on > today:
        return {"next": LATER, "next_on": request.answer_on}
    if request.answer == LeaseAnswer.LATER:
        return {"next": ASK, "urgent": True}
    return {"next": NO}


def ready_to_move_on(today: dt.date, viewer: User, found: list | None = None) -> Listed:
    """Residents on the road whose conditions are met (all but the landlord's answer,
    which comes once they are), each with what is next. ``found`` is ``roads(today)``
    when the caller has read it already."""
    found = roads(today, all_of_them=False) if found is None else found
    ready = _derived(found, ("ready", today), lambda: [p for p in found if p.ready])
    return _listed(ready, viewer, lambda p: whats_next(p, today))


def stuck(today: dt.date, viewer: User, found: list | None = None) -> Listed:
    """Residents on the road, not there yet, whose road has not changed for
    ``facts.STUCK_MONTHS`` months, the longest still first."""
    found = roads(today, all_of_them=False) if found is None else found
    still = _derived(
        found,
        ("stuck", today),
        lambda: sorted(
            (p for p in found if p.stuck(today)), key=lambda p: (p.last_change, p.tenancy.id)
        ),
    )
    return _listed(still, viewer)


def on_the_road(contact_person_id: int, today: dt.date, viewer: User) -> Listed:
    """A contact person's own current residents whose road is a step, with the conditions
    met and the month aimed at."""
    return _listed(roads(today, contact_person_id), viewer)


def flats_to_replace(today: dt.date, viewer: User) -> Listed:
    """Flats whose lease a resident took over in the last ``REPLACE_MONTHS`` months, the
    latest first, with the day, the address and the landlord: two queries."""
    since = dt.datetime.combine(facts.add_months(today, -REPLACE_MONTHS), dt.time())
    query = (
        FlatStatusChange.select(
            FlatStatusChange.changed_at,
            Flat.id,
            Flat.address,
            Flat.district,
            Landlord.id,
            Landlord.name,
            Tenancy.contact_person,
            Referral.id,
            *Referral.record_rule_columns(),
        )
        .join(Flat, on=(FlatStatusChange.flat == Flat.id))
        .join(Landlord, on=(Flat.landlord == Landlord.id))
        .switch(Flat)
        .join(
            Tenancy,
            JOIN.LEFT_OUTER,
            on=(Tenancy.flat == Flat.id) & (Tenancy.outcome == TRANSFER),
        )
        .join(Referral, JOIN.LEFT_OUTER, on=(Tenancy.referral == Referral.id))
        .where(
            (FlatStatusChange.to_status == FlatStatus.TRANSFERRED)
            & (FlatStatusChange.changed_at >= since)
        )
        .order_by(FlatStatusChange.changed_at.desc(), FlatStatusChange.id.desc())
    )
    rows = []
    for (
        moment,
        flat_id,
        address,
        district,
        landlord_id,
        landlord,
        contact,
        rid,
        *person,
    ) in query.limit(LIMIT).tuples():
        protected, responsible, status = person
        if rid is not None and protected:
            referral = Referral.for_record_rule(rid, True, responsible, status)
            if not may_see_person(referral, viewer, [contact]):
                rows.append(FlatRow(flat_id, False))
                continue
        rows.append(FlatRow(flat_id, True, address, district, landlord, landlord_id, moment.date()))
    return Listed(rows, query.count())

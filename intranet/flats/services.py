"""Flat rules: registering offers, the acquisition status, the equipping checklist, vacancy."""

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from .. import clock
from ..database import for_update, write_transaction
from ..models import Flat, FlatStatus, FlatStatusChange, Landlord, Stage, Tenancy, User

# Where a flat may go from each status. Rejected and returned are final.
TRANSITIONS = {
    FlatStatus.OFFERED: {FlatStatus.VIEWED, FlatStatus.REJECTED},
    FlatStatus.VIEWED: {FlatStatus.CONTRACTED, FlatStatus.REJECTED},
    FlatStatus.CONTRACTED: {FlatStatus.EQUIPPING, FlatStatus.RETURNED},
    FlatStatus.EQUIPPING: {FlatStatus.READY, FlatStatus.RETURNED},
    FlatStatus.READY: {FlatStatus.EQUIPPING, FlatStatus.RETURNED},
    FlatStatus.REJECTED: set(),
    FlatStatus.RETURNED: set(),
}
CHECKLIST = (
    "has_furniture",
    "has_kitchenware",
    "has_bedding",
    "keys_handed_over",
    "inspection_done",
)


class FlatError(Exception):
    """A change refused for a reason the person can act on."""

    def __init__(self, message, field_name=None):
        super().__init__(message)
        self.message = message
        self.field_name = field_name


class StaleFlat(Exception):
    """The flat was changed by someone else after the form was shown."""

    def __init__(self, flat: Flat):
        super().__init__("stale")
        self.flat = flat


def may_move(from_status: str, to_status: str) -> bool:
    """Tell whether a flat may go from one status to another."""
    return to_status in TRANSITIONS.get(from_status, set())


def landlords_taking_flats():
    """Landlords from whom flats may be registered: negotiating or agreement signed."""
    return (
        Landlord.select(Landlord.id, Landlord.name)
        .where(Landlord.stage.in_(Stage.TAKES_FLATS))
        .order_by(Landlord.name)
    )


def register_flat(actor: User, **values) -> Flat:
    """Register a flat a landlord offers, with the first line of its history."""
    landlord = Landlord.get_or_none(Landlord.id == values.get("landlord"))
    if landlord is None or landlord.stage not in Stage.TAKES_FLATS:
        raise FlatError(
            _("Flats can be registered only from a landlord in negotiation or with an agreement."),
            "landlord",
        )
    moment = clock.now()
    with write_transaction():
        flat = Flat.create(
            status=FlatStatus.OFFERED,
            status_changed_at=moment,
            created_at=moment,
            created_by=actor,
            **values,
        )
        FlatStatusChange.create(
            flat=flat,
            from_status=None,
            to_status=FlatStatus.OFFERED,
            changed_at=moment,
            changed_by=actor,
        )
    return flat


def update_flat(flat_id: int, revision: int, **values) -> Flat:
    """Save a flat's facts at the revision the form showed."""
    with write_transaction():
        updated = (
            Flat.update(revision=Flat.revision + 1, **values)
            .where((Flat.id == flat_id) & (Flat.revision == revision))
            .execute()
        )
        if updated != 1:
            raise StaleFlat(Flat.get_by_id(flat_id))
    return Flat.get_by_id(flat_id)


def _set_status(flat: Flat, to_status: str, actor, note: str) -> None:
    moment = clock.now()
    changes = {
        Flat.status: to_status,
        Flat.status_changed_at: moment,
        Flat.revision: Flat.revision + 1,
    }
    if to_status == FlatStatus.READY:
        changes[Flat.ready_since] = moment.date()
    elif flat.status == FlatStatus.READY:
        changes[Flat.ready_since] = None
    Flat.update(changes).where(Flat.id == flat.id).execute()
    FlatStatusChange.create(
        flat=flat.id,
        from_status=flat.status,
        to_status=to_status,
        changed_at=moment,
        changed_by=actor,
        note=note,
    )


def change_status(flat_id: int, revision: int, to_status: str, actor: User, note: str = "") -> Flat:
    """Move a flat to another status; marking it ready with the checklist unfinished says so."""
    with write_transaction():
        flat = for_update(Flat.select().where(Flat.id == flat_id)).get()
        if flat.revision != revision:
            raise StaleFlat(flat)
        if not may_move(flat.status, to_status):
            raise FlatError(_("A flat cannot go from this status to that one."), "to_status")
        if to_status == FlatStatus.READY and not flat.checklist_complete():
            note = (
                note.strip() + " " + _("(marked ready by the manager; checklist not complete)")
            ).strip()
        _set_status(flat, to_status, actor, note.strip())
    return Flat.get_by_id(flat_id)


def update_checklist(
    flat_id: int, revision: int, actor: User, key_count: int | None, **items
) -> Flat:
    """Save the equipping checklist; when it is complete the flat becomes ready."""
    with write_transaction():
        flat = for_update(Flat.select().where(Flat.id == flat_id)).get()
        if flat.revision != revision:
            raise StaleFlat(flat)
        if flat.status != FlatStatus.EQUIPPING:
            raise FlatError(_("The checklist is kept while the flat is being equipped."))
        if items.get("keys_handed_over") and not key_count:
            raise FlatError(_("Say how many keys were handed over."), "key_count")
        values = {getattr(Flat, name): bool(items.get(name)) for name in CHECKLIST}
        values[Flat.key_count] = key_count if items.get("keys_handed_over") else None
        values[Flat.revision] = Flat.revision + 1
        Flat.update(values).where(Flat.id == flat_id).execute()
        flat = Flat.get_by_id(flat_id)
        if flat.checklist_complete():
            _set_status(flat, FlatStatus.READY, actor, _("checklist complete"))
    return Flat.get_by_id(flat_id)


@dataclass
class FlatFilters:
    """What the flats list is narrowed to."""

    status: str | None = None
    district: str | None = None
    landlord_id: int | None = None
    kind: str | None = None


def occupied_flat_ids():
    """Ids of flats somebody lives in now."""
    return Tenancy.select(Tenancy.flat).where(Tenancy.end_date.is_null())


def flats_list(filters: FlatFilters):
    """Flats with their landlord, and whether someone lives there: one query."""
    from peewee import Case

    occupied = Case(None, [(Flat.id.in_(occupied_flat_ids()), True)], False).alias("occupied")
    query = Flat.select(Flat, Landlord, occupied).join(Landlord)
    if filters.status:
        query = query.where(Flat.status == filters.status)
    if filters.district:
        query = query.where(Flat.district == filters.district)
    if filters.landlord_id:
        query = query.where(Flat.landlord == filters.landlord_id)
    if filters.kind:
        query = query.where(Flat.kind == filters.kind)
    return list(query.order_by(Flat.district, Flat.address))


def is_vacant(flat: Flat, occupied: bool) -> bool:
    """A ready flat nobody lives in: it costs rent every day it stands empty."""
    return flat.status == FlatStatus.READY and not occupied


def vacancy(flat: Flat, occupied: bool, today: dt.date | None = None):
    """(days vacant, cost so far) for a vacant flat, else (None, None)."""
    if not is_vacant(flat, occupied):
        return None, None
    return flat.days_vacant(today), flat.vacancy_cost(today)


def districts():
    """The districts flats are in, for the filter."""
    return [row.district for row in Flat.select(Flat.district).distinct().order_by(Flat.district)]

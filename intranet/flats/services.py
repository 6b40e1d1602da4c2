"""Flat rules: registering offers, the status and its moves, the equipping checklist, vacancy."""

import datetime as dt
from dataclasses import astuple, dataclass
from decimal import Decimal
from typing import NamedTuple

from flask_babel import gettext as _
from peewee import Case, fn

from .. import cache, clock, exports
from ..database import for_update, write_transaction
from ..formatting import format_datetime
from ..models import (
    Flat,
    FlatStatus,
    FlatStatusChange,
    Landlord,
    MoveOutChecklist,
    Refused,
    Stage,
    Tenancy,
    User,
)
from ..paging import Page, paginate
from .labels import FLAT_KIND_LABELS, FLAT_STATUS_LABELS

# Where a flat may move from each status (the manager's form offers these, and every
# service that moves a flat checks them). Any open status may end in rejected or returned
# to the landlord; a ready flat may be returned, or go back to being equipped (damage
# found, a new round of furnishing). When its resident moves out, a ready flat waits for
# the caretaker's move-out checklist; from there it is ready again, goes to equipping for
# what is missing, or is returned. When its resident takes over the lease, a ready flat is
# transferred: only the lease transfer moves it there. Rejected, returned and transferred
# are final.
OPEN = (FlatStatus.OFFERED, FlatStatus.VIEWED, FlatStatus.CONTRACTED, FlatStatus.EQUIPPING)
ENDINGS = {FlatStatus.REJECTED, FlatStatus.RETURNED}
# Moves a service makes for its own reason, never offered on the status form.
BY_SERVICE_ONLY = {FlatStatus.TRANSFERRED}
TRANSITIONS = {
    FlatStatus.OFFERED: {FlatStatus.VIEWED} | ENDINGS,
    FlatStatus.VIEWED: {FlatStatus.CONTRACTED} | ENDINGS,
    FlatStatus.CONTRACTED: {FlatStatus.EQUIPPING} | ENDINGS,
    FlatStatus.EQUIPPING: {FlatStatus.READY} | ENDINGS,
    FlatStatus.READY: {
        FlatStatus.EQUIPPING,
        FlatStatus.MOVED_OUT,
        FlatStatus.RETURNED,
        FlatStatus.TRANSFERRED,
    },
    FlatStatus.MOVED_OUT: {FlatStatus.READY, FlatStatus.EQUIPPING, FlatStatus.RETURNED},
    FlatStatus.REJECTED: set(),
    FlatStatus.RETURNED: set(),
    FlatStatus.TRANSFERRED: set(),
}
# The flat's equipment: what a move-out checklist may find missing or broken.
EQUIPMENT = ("has_furniture", "has_kitchenware", "has_bedding")
CHECKLIST = EQUIPMENT + ("keys_handed_over", "inspection_done")


class FlatError(Refused):
    """A change refused for a reason the person can act on."""


class StaleFlat(Exception):
    """The flat was changed by someone else after the form was shown."""

    def __init__(self, flat: Flat):
        super().__init__("stale")
        self.flat = flat


def may_move(from_status: str, to_status: str) -> bool:
    """Tell whether the manager may move a flat from one status to another."""
    return to_status in TRANSITIONS.get(from_status, set())


def next_statuses(status: str) -> list[str]:
    """The statuses a flat may move to from ``status``, in the order of the flow."""
    return [
        code for code in FlatStatus.ALL if may_move(status, code) and code not in BY_SERVICE_ONLY
    ]


def landlords_taking_flats():
    """Landlords from whom flats may be registered: negotiating or agreement signed."""
    return (
        Landlord.select(Landlord.id, Landlord.name)
        .where(Landlord.stage.in_(Stage.TAKES_FLATS))
        .order_by(Landlord.name)
    )


def _check_landlord_takes_flats(landlord_id) -> None:
    landlord = for_update(Landlord.select().where(Landlord.id == landlord_id)).first()
    if landlord is None or landlord.stage not in Stage.TAKES_FLATS:
        raise FlatError(
            _("Flats can be registered only from a landlord in negotiation or with an agreement."),
            "landlord",
        )


def register_flat(actor: User, **values) -> Flat:
    """Register a flat a landlord offers, with the first line of its history."""
    with write_transaction():
        # Inside the transaction, so a landlord moved back meanwhile is caught.
        _check_landlord_takes_flats(values.get("landlord"))
        return record_offer(actor, **values)


def record_offer(actor: User, history_note: str = "", **values) -> Flat:
    """Create a flat as offered, with the first line of its history, in the caller's transaction."""
    moment = clock.now()
    flat = Flat.create(
        status=FlatStatus.OFFERED,
        status_changed_at=moment,
        created_at=moment,
        created_by=actor,
        **values,
    )
    FlatStatusChange.record(flat, None, FlatStatus.OFFERED, actor, moment, note=history_note)
    return flat


def update_flat(flat_id: int, revision: int, **values) -> Flat:
    """Save a flat's facts at the revision the form showed."""
    with write_transaction():
        flat = for_update(Flat.select().where(Flat.id == flat_id)).get()
        if flat.revision != revision:
            raise StaleFlat(flat)
        # A flat may stay with its landlord whatever the stage; moving it needs one taking flats.
        if "landlord" in values and int(values["landlord"]) != flat.landlord_id:
            _check_landlord_takes_flats(values["landlord"])
        Flat.update(revision=Flat.revision + 1, **values).where(Flat.id == flat_id).execute()
    return Flat.get_by_id(flat_id)


def last_change(flat_id: int) -> FlatStatusChange | None:
    """The latest line of a flat's status history, with who made it."""
    return FlatStatusChange.latest(flat_id)


def what_changed(flat: Flat, seen_status: str | None) -> str:
    """Say what someone else changed since the form showed the flat in ``seen_status``."""
    change = last_change(flat.id)
    if flat.status != seen_status and change is not None:
        return _(
            "%(who)s changed the status from %(old)s to %(new)s at %(time)s.",
            who=change.changed_by.display_name if change.changed_by_id else _("Someone"),
            old=FLAT_STATUS_LABELS.get(change.from_status, "—"),
            new=FLAT_STATUS_LABELS[flat.status],
            time=format_datetime(change.changed_at),
        )
    return _(
        "Someone else saved the flat's facts or checklist; its status is still %(status)s.",
        status=FLAT_STATUS_LABELS[flat.status],
    )


def history(flat_id: int):
    """A flat's status history, oldest first, with who made each change."""
    return FlatStatusChange.history(flat_id)


def set_status(flat: Flat, to_status: str, actor, note: str, **changes) -> None:
    """Move ``flat`` (read for update by the caller) to ``to_status`` if the table allows it,
    with a line of history; ``changes`` are further columns saved with the move. Entering the
    move-out status opens its checklist; leaving it closes the one under way."""
    if not may_move(flat.status, to_status):
        raise FlatError(_("A flat cannot go from this status to that one."), "to_status")
    moment = clock.now()
    changes = {
        **{getattr(Flat, name): value for name, value in changes.items()},
        Flat.status: to_status,
        Flat.status_changed_at: moment,
        Flat.revision: Flat.revision + 1,
    }
    if to_status == FlatStatus.READY:
        changes[Flat.ready_since] = clock.today()
    elif flat.status == FlatStatus.READY:
        changes[Flat.ready_since] = None
    Flat.update(changes).where(Flat.id == flat.id).execute()
    if flat.status == FlatStatus.MOVED_OUT:
        MoveOutChecklist.update(finished_at=moment, finished_by=actor).where(
            (MoveOutChecklist.flat == flat.id) & MoveOutChecklist.finished_at.is_null()
        ).execute()
    if to_status == FlatStatus.MOVED_OUT:
        MoveOutChecklist.opened(flat, moment).save()
    FlatStatusChange.record(flat.id, flat.status, to_status, actor, moment, note=note)


def start_move_out(flat_id: int, actor: User, note: str) -> None:
    """After a move-out the flat waits for the caretaker's move-out checklist; its equipment
    ticks stay as they were. Runs inside the caller's transaction."""
    flat = for_update(Flat.select().where(Flat.id == flat_id)).get()
    if not may_move(flat.status, FlatStatus.MOVED_OUT):
        raise FlatError(
            _(
                "The flat's status is %(status)s, not Ready: its move-out checklist cannot start.",
                status=FLAT_STATUS_LABELS[flat.status],
            )
        )
    set_status(flat, FlatStatus.MOVED_OUT, actor, note)


def change_status(
    flat_id: int,
    revision: int,
    to_status: str,
    actor: User,
    note: str = "",
    seen_status: str | None = None,
) -> Flat:
    """Move a flat to another status; marking it ready with the checklist unfinished says so.

    ``revision`` and ``seen_status`` are what the form showed: if the flat has
    changed since, nothing is saved and ``StaleFlat`` says so.
    """
    with write_transaction():
        flat = for_update(Flat.select().where(Flat.id == flat_id)).get()
        if flat.revision != revision or (seen_status and flat.status != seen_status):
            raise StaleFlat(flat)
        if not may_move(flat.status, to_status) or to_status in BY_SERVICE_ONLY:
            raise FlatError(_("A flat cannot go from this status to that one."), "to_status")
        if is_occupied(flat.id):
            raise FlatError(
                _("Someone lives in this flat: record the move-out before changing its status."),
                "to_status",
            )
        said = ""
        if to_status == FlatStatus.READY and flat.status == FlatStatus.MOVED_OUT:
            said = _("(marked ready by the manager; move-out checklist not finished)")
        elif to_status == FlatStatus.READY and not flat.checklist_complete():
            said = _("(marked ready by the manager; checklist not complete)")
        set_status(flat, to_status, actor, f"{note.strip()} {said}".strip())
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
            set_status(flat, FlatStatus.READY, actor, _("checklist complete"))
    return Flat.get_by_id(flat_id)


@dataclass
class FlatFilters:
    """What the flats list is narrowed to."""

    status: str | None = None
    district: str | None = None
    landlord_id: int | None = None
    # Part of a landlord's name: the flats of every landlord whose name holds it.
    landlord_name: str | None = None
    kind: str | None = None
    # Only the flats standing ready and empty (what costs rent every day).
    vacant: bool = False

    def as_params(self) -> dict:
        """The filters as the list's address has them."""
        params = {
            "status": self.status,
            "district": self.district,
            "landlord": self.landlord_id,
            "landlord_name": self.landlord_name,
            "kind": self.kind,
            "vacant": "y" if self.vacant else None,
        }
        return {key: value for key, value in params.items() if value}


def occupied_flat_ids():
    """Ids of flats somebody lives in now."""
    return Tenancy.occupied_flat_ids()


def is_occupied(flat_id: int) -> bool:
    """Tell whether somebody lives in the flat now."""
    return occupied_flat_ids().where(Tenancy.flat == flat_id).exists()


def is_vacant(flat: Flat, occupied: bool) -> bool:
    """A ready flat nobody lives in: it costs rent every day it stands empty."""
    return flat.status == FlatStatus.READY and not occupied


def vacancy(flat: Flat, occupied: bool, today: dt.date | None = None):
    """(days vacant, cost so far) for a vacant flat, else (None, None)."""
    if not is_vacant(flat, occupied):
        return None, None
    return flat.days_vacant(today), flat.vacancy_cost(today)


class FlatRow(NamedTuple):
    """One line of the flats list."""

    flat: Flat
    occupied: bool
    days_vacant: int | None
    vacancy_cost: Decimal | None


def _filtered(query, filters: FlatFilters):
    if filters.status:
        query = query.where(Flat.status == filters.status)
    if filters.district:
        query = query.where(Flat.district == filters.district)
    if filters.landlord_id:
        query = query.where(Flat.landlord == filters.landlord_id)
    if filters.landlord_name:
        named = Landlord.select(Landlord.id).where(
            fn.LOWER(Landlord.name).contains(filters.landlord_name.lower())
        )
        query = query.where(Flat.landlord.in_(named))
    if filters.kind:
        query = query.where(Flat.kind == filters.kind)
    if filters.vacant:
        query = query.where((Flat.status == FlatStatus.READY) & Flat.id.not_in(occupied_flat_ids()))
    return query


def _flats_query(filters: FlatFilters):
    occupied = Case(None, [(Flat.id.in_(occupied_flat_ids()), True)], False).alias("occupied")
    # Of the landlord only the name the list draws, not its notes and the rest.
    landlord = (Landlord.id, Landlord.name)
    query = _filtered(Flat.select(Flat, *landlord, occupied).join(Landlord), filters)
    return query.order_by(Flat.district, Flat.address, Flat.id)


def _rows(flats, today: dt.date) -> list[FlatRow]:
    rows = []
    for flat in flats:
        days, cost = vacancy(flat, bool(flat.occupied), today)
        rows.append(FlatRow(flat, bool(flat.occupied), days, cost))
    return rows


def flats_list(filters: FlatFilters, today: dt.date | None = None) -> list[FlatRow]:
    """Every flat the filters keep, with landlords, occupancy and vacancy (for downloads):
    one query."""
    return _rows(_flats_query(filters), today or clock.today())


def flats_page(filters: FlatFilters, number: int, today: dt.date | None = None) -> Page:
    """Page ``number`` of the flats list: two queries whatever its length."""
    page = paginate(_flats_query(filters), number)
    page.rows = _rows(page.rows, today or clock.today())
    return page


def flats_table(rows: list[FlatRow]) -> tuple[list, list]:
    """The flats list as a header and rows for a download, with the page's columns."""
    header = [
        _("Address"),
        _("District"),
        _("Rooms"),
        _("Landlord"),
        _("Kind"),
        _("Status"),
        _("Occupied"),
        _("Rent to the landlord"),
        _("Days vacant"),
        _("Vacancy cost"),
    ]
    table = [
        [
            flat.address,
            flat.district,
            flat.rooms,
            flat.landlord.name,
            str(FLAT_KIND_LABELS[flat.kind]),
            str(FLAT_STATUS_LABELS[flat.status]),
            _("yes") if occupied else _("no"),
            exports.kronor(flat.rent_to_landlord),
            days,
            exports.kronor(cost),
        ]
        for flat, occupied, days, cost in rows
    ]
    return [str(h) for h in header], table


def vacancy_totals(filters: FlatFilters, today: dt.date | None = None) -> tuple[int, Decimal]:
    """How many of the flats the filters keep stand vacant, and what their empty days have
    cost together: one query, a row per rent and first empty day (``Flat.vacancy_totals``),
    kept until a table it reads is written to (a fifth of the flats list's time)."""
    today = today or clock.today()
    vacant = _filtered(
        Flat.select().where(
            (Flat.status == FlatStatus.READY) & Flat.id.not_in(occupied_flat_ids())
        ),
        filters,
    )
    return cache.kept(
        "vacancy totals", (astuple(filters), today), lambda: Flat.vacancy_totals(vacant, today)
    )


def districts():
    """The districts flats are in, for the filter."""
    return [row.district for row in Flat.select(Flat.district).distinct().order_by(Flat.district)]


def landlord_names(text: str, limit: int = 20) -> list[str]:
    """The names of at most ``limit`` landlords with flats whose name holds ``text``, by
    name: what the flats list's landlord box suggests."""
    text = (text or "").strip()[:200]
    if not text:
        return []
    query = (
        Landlord.select(Landlord.name)
        .where(
            Landlord.id.in_(Flat.select(Flat.landlord).distinct())
            & fn.LOWER(Landlord.name).contains(text.lower())
        )
        .order_by(Landlord.name)
        .limit(limit)
    )
    return [name for (name,) in query.tuples()]

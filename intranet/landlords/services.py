"""Pipeline rules: creating landlords, moving them between stages, logging activities."""

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from peewee import JOIN, fn

from .. import clock
from ..database import for_update, write_transaction
from ..formatting import format_datetime
from ..models import Activity, Flat, Landlord, LandlordContact, Refused, Stage, StageChange, User
from .labels import STAGE_LABELS


class PipelineError(Refused):
    """A change refused for a reason the person can act on."""


class StageConflict(Exception):
    """The card had already left the stage the move was made from."""

    def __init__(self, landlord: Landlord, last_change: StageChange | None):
        super().__init__("stage conflict")
        self.landlord = landlord
        self.last_change = last_change

    def describe(self) -> str:
        """Say who moved the landlord away from the stage the move was made from, and when."""
        change = self.last_change
        who = change.changed_by.display_name if change and change.changed_by_id else _("someone")
        return _(
            "Not moved: %(who)s had already moved %(name)s to %(stage)s at %(time)s.",
            who=who,
            name=self.landlord.name,
            stage=STAGE_LABELS[self.landlord.stage],
            time=format_datetime(change.changed_at) if change else "",
        )


class StaleEdit(Exception):
    """The landlord was changed by someone else after the form was shown."""


# ---- reading -----------------------------------------------------------------


@dataclass
class BoardFilters:
    """What the board is narrowed to; every field empty means the whole pipeline."""

    owner_id: int | None = None
    kind: str | None = None
    overdue_only: bool = False
    query: str = ""

    def as_params(self) -> dict:
        """The filters as URL parameters, leaving out the empty ones."""
        params = {}
        if self.owner_id:
            params["owner"] = self.owner_id
        if self.kind:
            params["kind"] = self.kind
        if self.overdue_only:
            params["overdue"] = "1"
        if self.query:
            params["q"] = self.query
        return params


# A column shows this many cards at first, and this many more at each "show more".
CARDS = 20


@dataclass
class Column:
    """One stage of the board: how many landlords are in it, the flats they are expected to
    bring, and its first cards."""

    stage: str
    cards: list = field(default_factory=list)
    count: int = 0
    expected_flats: int = 0


def landlords_with_owner():
    """Landlords with their relationship owner joined: one query, no query per row."""
    return Landlord.select(Landlord, User).join(
        User, JOIN.LEFT_OUTER, on=(Landlord.owner == User.id)
    )


def board(filters: BoardFilters, shown: dict | None = None) -> list[Column]:
    """The pipeline board: per stage its count and expected flats over every landlord the
    filters keep (one aggregate), and its first cards (``shown[stage]``, else ``CARDS``):
    eight queries however long the pipeline."""
    shown = shown or {}
    query = landlords_with_owner()
    if filters.owner_id:
        query = query.where(Landlord.owner == filters.owner_id)
    if filters.kind:
        query = query.where(Landlord.kind == filters.kind)
    if filters.overdue_only:
        query = query.where(Landlord.next_follow_up < clock.today())
    if filters.query:
        query = query.where(Landlord.name.contains(filters.query))
    totals = {
        stage: (count, expected or 0)
        for stage, count, expected in query.select(
            Landlord.stage, fn.COUNT(Landlord.id), fn.SUM(Landlord.expected_flats)
        )
        .group_by(Landlord.stage)
        .tuples()
    }
    ordered = query.order_by(Landlord.next_follow_up.asc(nulls="LAST"), Landlord.name, Landlord.id)
    columns = []
    for stage in Stage.ALL:
        count, expected = totals.get(stage, (0, 0))
        # Asked even for an empty column, so the board's queries never depend on the data.
        cards = list(ordered.where(Landlord.stage == stage).limit(shown.get(stage, CARDS)))
        columns.append(Column(stage, cards, count, expected))
    return columns


def staff_who_own_relationships():
    """The unit's people who may own a landlord relationship, for selects."""
    return (
        User.select(User.id, User.display_name)
        .where(User.role.in_(["manager", "staff"]) & (User.active == True))  # noqa: E712
        .order_by(User.display_name)
    )


def namesakes(name: str, landlord_id: int | None = None) -> list[Landlord]:
    """Landlords other than ``landlord_id`` whose name is ``name``: a likely double entry."""
    return [other for other in Landlord.with_name(name) if other.id != landlord_id]


def follow_ups_for(user: User, today: dt.date | None = None):
    """The user's landlords whose follow-up is overdue or due by the end of this week."""
    today = today or clock.today()
    end_of_week = today + dt.timedelta(days=6 - today.weekday())
    return (
        landlords_with_owner()
        .where(
            (Landlord.owner == user.id)
            & (Landlord.next_follow_up <= end_of_week)
            & (Landlord.stage != Stage.DECLINED)
        )
        .order_by(Landlord.next_follow_up, Landlord.name)
    )


def timeline(landlord_id: int):
    """A landlord's activities, newest first, with who logged them."""
    return (
        Activity.select(Activity, User)
        .join(User, on=(Activity.by == User.id))
        .where(Activity.landlord == landlord_id)
        .order_by(Activity.occurred_on.desc(), Activity.id.desc())
    )


def contacts(landlord_id: int):
    """The people at a landlord, by name."""
    return (
        LandlordContact.select()
        .where(LandlordContact.landlord == landlord_id)
        .order_by(LandlordContact.name)
    )


def flats(landlord_id: int):
    """The flats a landlord has offered or leased to the unit, by address."""
    return Flat.select().where(Flat.landlord == landlord_id).order_by(Flat.address)


def stage_history(landlord_id: int):
    """A landlord's stage moves, oldest first, with who made them."""
    return StageChange.history(landlord_id)


# ---- writing -----------------------------------------------------------------


def create_landlord(actor: User, **values) -> Landlord:
    """Register a landlord in its first stage, with that first step in the history."""
    stage = values.pop("stage", Stage.IDENTIFIED)
    moment = clock.now()
    with write_transaction():
        landlord = Landlord.create(
            stage=stage, stage_entered_at=moment, created_at=moment, **values
        )
        StageChange.record(landlord, None, stage, actor, moment)
    return landlord


def update_landlord(landlord_id: int, revision: int, **values) -> Landlord:
    """Save a landlord's facts at the revision the form showed."""
    with write_transaction():
        updated = (
            Landlord.update(revision=Landlord.revision + 1, **values)
            .where((Landlord.id == landlord_id) & (Landlord.revision == revision))
            .execute()
        )
        if updated != 1:
            raise StaleEdit()
    return Landlord.get_by_id(landlord_id)


def move_stage(
    landlord_id: int,
    from_stage: str,
    to_stage: str,
    actor: User,
    reason: str | None = None,
    note: str = "",
) -> Landlord:
    """Move a landlord from ``from_stage`` to ``to_stage``, keeping the move in the history.

    A move made from a stage the landlord has already left loses to the move
    that took it away (StageConflict); no move is ever lost or overwritten.
    """
    if to_stage not in Stage.ALL:
        raise PipelineError(_("Choose one of the stages."), "to_stage")
    if to_stage == Stage.DECLINED and not reason:
        raise PipelineError(_("Say why the landlord declined."), "reason")
    with write_transaction():
        landlord = for_update(Landlord.select().where(Landlord.id == landlord_id)).get()
        if landlord.stage != from_stage:
            raise StageConflict(landlord, last_stage_change(landlord.id))
        if to_stage == from_stage:
            raise PipelineError(_("The landlord is already in that stage."), "to_stage")
        moment = clock.now()
        declined = to_stage == Stage.DECLINED
        updated = (
            Landlord.update(
                stage=to_stage,
                stage_entered_at=moment,
                declined_reason=reason if declined else None,
                declined_note=note.strip() if declined else "",
                revision=Landlord.revision + 1,
            )
            .where((Landlord.id == landlord_id) & (Landlord.stage == from_stage))
            .execute()
        )
        if updated != 1:
            raise StageConflict(landlord, last_stage_change(landlord.id))
        StageChange.record(landlord_id, from_stage, to_stage, actor, moment)
    return landlords_with_owner().where(Landlord.id == landlord_id).get()


def last_stage_change(landlord_id: int) -> StageChange | None:
    """The latest move of a landlord, with who made it."""
    return StageChange.latest(landlord_id)


def log_activity(landlord_id: int, actor: User, **values) -> Activity:
    """Log a call, letter or meeting; its next step's date becomes the next follow-up."""
    with write_transaction():
        activity = Activity.create(landlord=landlord_id, by=actor, created_at=clock.now(), **values)
        if values.get("next_step_on"):
            Landlord.update(
                next_follow_up=values["next_step_on"], revision=Landlord.revision + 1
            ).where(Landlord.id == landlord_id).execute()
    return activity


def add_contact(landlord_id: int, **values) -> LandlordContact:
    """Add a person at the landlord."""
    return LandlordContact.create(landlord=landlord_id, **values)

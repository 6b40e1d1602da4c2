"""Pipeline rules: creating landlords, moving them between stages, logging activities."""

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from peewee import JOIN, fn

from .. import clock
from ..database import for_update, write_transaction
from ..formatting import format_datetime
from ..models import (
    Activity,
    AuditEvent,
    DeclineReason,
    Flat,
    Landlord,
    LandlordContact,
    Refused,
    Stage,
    StageChange,
    User,
)
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


# ---- the moves -----------------------------------------------------------------

FORWARD, ASIDE, BACK = "forward", "aside", "back"

# Every move the pipeline allows, from each stage, in the order a select offers them: on to
# the next stage of the funnel (one step at a time), aside to paused or declined, or back.
# A move back (a demotion: to an earlier stage, and every move out of an agreement, a pause
# or a decline) is asked for with a tick and a reason, and the history keeps the reason.
# The move forms' choices and ``move_stage`` read this one table.
MOVES = {
    Stage.IDENTIFIED: {
        Stage.CONTACTED: FORWARD,
        Stage.PAUSED: ASIDE,
        Stage.DECLINED: ASIDE,
    },
    Stage.CONTACTED: {
        Stage.MEETING: FORWARD,
        Stage.PAUSED: ASIDE,
        Stage.DECLINED: ASIDE,
        Stage.IDENTIFIED: BACK,
    },
    Stage.MEETING: {
        Stage.NEGOTIATING: FORWARD,
        Stage.PAUSED: ASIDE,
        Stage.DECLINED: ASIDE,
        Stage.CONTACTED: BACK,
        Stage.IDENTIFIED: BACK,
    },
    Stage.NEGOTIATING: {
        Stage.AGREEMENT: FORWARD,
        Stage.PAUSED: ASIDE,
        Stage.DECLINED: ASIDE,
        Stage.MEETING: BACK,
        Stage.CONTACTED: BACK,
        Stage.IDENTIFIED: BACK,
    },
    Stage.AGREEMENT: {
        Stage.PAUSED: BACK,
        Stage.DECLINED: BACK,
        Stage.NEGOTIATING: BACK,
        Stage.MEETING: BACK,
        Stage.CONTACTED: BACK,
        Stage.IDENTIFIED: BACK,
    },
    Stage.PAUSED: {
        Stage.DECLINED: ASIDE,
        Stage.NEGOTIATING: BACK,
        Stage.MEETING: BACK,
        Stage.CONTACTED: BACK,
        Stage.IDENTIFIED: BACK,
    },
    Stage.DECLINED: {
        Stage.PAUSED: BACK,
        Stage.NEGOTIATING: BACK,
        Stage.MEETING: BACK,
        Stage.CONTACTED: BACK,
        Stage.IDENTIFIED: BACK,
    },
}

# The audit line of a move back (the reason is kept with the move, not in the log).
MOVED_BACK = "moved_back"
# The longest reason a move back keeps.
MAX_REASON = 500


@dataclass(frozen=True)
class Move:
    """One move the pipeline allows: the stage it goes to, and whether it is a move back."""

    stage: str
    kind: str

    @property
    def back(self) -> bool:
        return self.kind == BACK


def moves_from(stage: str | None) -> list[Move]:
    """The moves allowed from ``stage``, in the order a select offers them (none for a stage
    that does not exist)."""
    return [Move(to, kind) for to, kind in MOVES.get(stage, {}).items()]


def move_kind(from_stage: str | None, to_stage: str | None) -> str | None:
    """Whether going from ``from_stage`` to ``to_stage`` is a move forward, aside or back;
    None if the pipeline does not allow it."""
    return MOVES.get(from_stage, {}).get(to_stage)


# ---- reading -----------------------------------------------------------------


@dataclass
class BoardFilters:
    """What the board is narrowed to; every field empty means the whole pipeline."""

    owner_id: int | None = None
    owner_name: str = ""  # part of the owner's name
    kind: str | None = None
    overdue_only: bool = False
    query: str = ""

    def as_params(self) -> dict:
        """The filters as URL parameters, leaving out the empty ones."""
        params = {}
        if self.owner_id:
            params["owner"] = self.owner_id
        if self.owner_name:
            params["owner_name"] = self.owner_name
        if self.kind:
            params["kind"] = self.kind
        if self.overdue_only:
            params["overdue"] = "1"
        if self.query:
            params["q"] = self.query
        return params


# A column shows this many cards at first, and this many more at each "show more".
CARDS = 6


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
    if filters.owner_name:
        query = query.where(Landlord.owner.in_(owners_named(filters.owner_name)))
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


def owners_named(text: str):
    """Ids of the people whose name holds ``text``, as a query for the owner filter."""
    return User.select(User.id).where(User.display_name.contains(text.strip()))


def _owners_holding(text: str, limit: int) -> list[User]:
    """At most ``limit`` of those who may own a relationship whose name holds ``text``."""
    found = staff_who_own_relationships()
    if text.strip():
        found = found.where(User.id.in_(owners_named(text)))
    return list(found.limit(limit))


def owner_names(text: str, limit: int = 20) -> list[str]:
    """The names of those who may own a relationship that hold ``text``, at most ``limit``:
    the pipeline's owner box's suggestions as one types."""
    return [user.display_name for user in _owners_holding(text, limit)]


def owner_choices(text: str, limit: int = 20) -> list[str]:
    """What the landlord form's owner box suggests for ``text``: the same people as the
    pipeline's, each as it is typed into the box (the name, and the e-mail address beside
    a name two people share)."""
    found = _owners_holding(text, limit)
    shared = _shared_names([user.display_name for user in found])
    return [owner_text(user, shared) for user in found]


def owner_text(user: User, shared: set | None = None) -> str:
    """How ``user`` is written in the owner box: the name, with the e-mail address when
    another who may own a relationship has the same name."""
    shared = _shared_names([user.display_name]) if shared is None else shared
    if user.display_name.lower() in shared:
        return f"{user.display_name} ({user.email})"
    return user.display_name


class OwnerNotFound(Exception):
    """No one who may own a relationship is written so (``shared``: more than one has the
    name, and the e-mail address is needed)."""

    def __init__(self, shared: bool):
        super().__init__()
        self.shared = shared


# "Name (e-mail address)", as the owner box writes someone whose name another has too.
_NAME_AND_EMAIL = re.compile(r"(.*)\(([^()\s]+@[^()\s]+)\)\s*")


def owner_named(text: str) -> int:
    """The id of the one who may own a relationship written ``text`` in the owner box: the
    name, or the name with the e-mail address; ``OwnerNotFound`` if it is no one, or if
    more than one has the name."""
    candidates = staff_who_own_relationships()
    with_email = _NAME_AND_EMAIL.fullmatch(text)
    if with_email:
        found = list(candidates.where(fn.LOWER(User.email) == with_email.group(2).lower()))
    else:
        found = list(candidates.where(fn.LOWER(User.display_name) == text.strip().lower()))
    if len(found) != 1:
        raise OwnerNotFound(shared=len(found) > 1)
    return found[0].id


def _shared_names(names: list[str]) -> set:
    """Those of ``names`` (lower-cased) that more than one who may own a relationship has."""
    if not names:
        return set()
    lowered = fn.LOWER(User.display_name)
    query = (
        staff_who_own_relationships()
        .select(lowered)
        .where(lowered.in_({name.lower() for name in names}))
        .group_by(lowered)
        .having(fn.COUNT(User.id) > 1)
        .order_by()
    )
    return {name for (name,) in query.tuples()}


def staff_who_own_relationships():
    """The unit's people who may own a landlord relationship, by name."""
    return (
        User.select(User.id, User.display_name, User.email)
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
    """A landlord's stage moves, oldest first, with who made them and, for a move back, why
    (``change.reason``): one query."""
    return StageChange.history(landlord_id)


# ---- writing -----------------------------------------------------------------


def create_landlord(actor: User, at: dt.datetime | None = None, **values) -> Landlord:
    """Register a landlord in its first stage, with that first step in the history; ``at``
    is when (now, unless the demo writes a history in the past)."""
    stage = values.pop("stage", Stage.IDENTIFIED)
    moment = at or clock.now()
    with write_transaction():
        landlord = Landlord.create(
            stage=stage, stage_entered_at=moment, created_at=moment, **values
        )
        StageChange.record(landlord, None, stage, actor, moment)
    return landlord


def update_landlord(landlord_id: int, revision: int, **values) -> Landlord:
    """Save a landlord's facts at the revision the form showed (never its stage: that
    moves only by ``move_stage``)."""
    if "stage" in values:
        raise ValueError("a landlord's stage changes only by move_stage")
    with write_transaction():
        updated = (
            Landlord.update(revision=Landlord.revision + 1, **values)
            .where((Landlord.id == landlord_id) & (Landlord.revision == revision))
            .execute()
        )
        if updated != 1:
            raise StaleEdit()
    return Landlord.get_by_id(landlord_id)


def move_problems(
    from_stage: str | None,
    to_stage: str | None,
    decline_reason: str | None = None,
    back_reason: str = "",
) -> list[tuple[str, str]]:
    """What stops a landlord going from ``from_stage`` to ``to_stage`` with these reasons:
    each a (field, message) pair, none if the pipeline allows the move."""
    if not to_stage:
        return [("to_stage", _("Choose the stage to move the landlord to."))]
    if to_stage == from_stage:
        return [("to_stage", _("The landlord is already in that stage."))]
    kind = move_kind(from_stage, to_stage)
    if kind is None:
        if from_stage not in STAGE_LABELS or to_stage not in STAGE_LABELS:
            return [("to_stage", _("Choose one of the stages."))]
        message = _(
            "A landlord in %(current)s cannot be moved straight to %(stage)s: forward, it "
            "moves one stage at a time.",
            current=STAGE_LABELS[from_stage],
            stage=STAGE_LABELS[to_stage],
        )
        return [("to_stage", message)]
    problems = []
    if to_stage == Stage.DECLINED and not decline_reason:
        problems.append(("decline_reason", _("Say why the landlord declined.")))
    elif to_stage == Stage.DECLINED and decline_reason not in DeclineReason.ALL:
        problems.append(("decline_reason", _("Choose one of the options.")))
    if kind == BACK and not (back_reason or "").strip():
        problems.append(("back_reason", _("Say why the landlord is moved back.")))
    return problems


def move_stage(
    landlord_id: int,
    from_stage: str,
    to_stage: str,
    actor: User | None,
    decline_reason: str | None = None,
    decline_note: str = "",
    back_reason: str = "",
    at: dt.datetime | None = None,
) -> Landlord:
    """Move a landlord from ``from_stage`` to ``to_stage``, keeping the move in the history:
    the one way a landlord's stage changes (the board, the landlord's page, the demo).

    Only the moves of ``MOVES`` are made; a decline needs its reason, and a move back the
    reason it is made, kept with the move. A move made from a stage the landlord has
    already left loses to the move that took it away (StageConflict); no move is ever lost
    or overwritten. ``at`` is when (now, unless the demo writes a history in the past).
    """
    problems = move_problems(from_stage, to_stage, decline_reason, back_reason)
    if problems:
        field_name, message = problems[0]
        raise PipelineError(message, field_name)
    with write_transaction():
        landlord = for_update(Landlord.select().where(Landlord.id == landlord_id)).get()
        if landlord.stage != from_stage:
            raise StageConflict(landlord, last_stage_change(landlord.id))
        moment = at or clock.now()
        declined = to_stage == Stage.DECLINED
        updated = (
            Landlord.update(
                stage=to_stage,
                stage_entered_at=moment,
                declined_reason=decline_reason if declined else None,
                declined_note=decline_note.strip() if declined else "",
                revision=Landlord.revision + 1,
            )
            .where((Landlord.id == landlord_id) & (Landlord.stage == from_stage))
            .execute()
        )
        if updated != 1:
            raise StageConflict(landlord, last_stage_change(landlord.id))
        back = move_kind(from_stage, to_stage) == BACK
        reason = back_reason.strip()[:MAX_REASON] if back else ""
        StageChange.record(landlord_id, from_stage, to_stage, actor, moment, reason=reason)
        if back:
            AuditEvent.record(
                actor, MOVED_BACK, "landlord", landlord_id, f"{from_stage} -> {to_stage}"
            )
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

"""The move-out checklist: after a resident moves out the caretaker records the keys
returned, the inspection with any damage, the cleaning and which equipment is missing or
broken; finishing makes the flat ready again, or sends it to equipping for exactly what is
missing."""

from dataclasses import dataclass, field
from typing import NamedTuple

from flask_babel import gettext as _

from ..database import for_update, write_transaction
from ..models import Flat, FlatStatus, MoveOutChecklist, User
from .labels import CHECKLIST_LABELS, MOVE_OUT_TO_DO
from .services import CHECKLIST, EQUIPMENT, FlatError, StaleFlat, set_status

# The most keys a flat is counted with (as on the equipping checklist).
MAX_KEYS = 20
DAMAGE_LENGTH = 2000


def missing_field(item: str) -> str:
    """The checklist's column that says an equipment item is missing: has_bedding →
    missing_bedding."""
    return "missing_" + item.removeprefix("has_")


class Unfinished(FlatError):
    """Finishing refused: the boxes still to tick, each with its reason (the first is the
    error's own field and message)."""

    def __init__(self, reasons: dict[str, str]):
        name, message = next(iter(reasons.items()))
        super().__init__(message, name)
        self.reasons = reasons


@dataclass
class MoveOutValues:
    """What the caretaker records on the move-out checklist."""

    keys_returned: bool = False
    key_count: int | None = None
    inspection_done: bool = False
    damage: str = ""
    cleaned: bool = False
    missing: set[str] = field(default_factory=set)  # items of ``EQUIPMENT``


def _unfinished(values: MoveOutValues) -> dict[str, str]:
    reasons = {}
    if not values.keys_returned:
        reasons["keys_returned"] = _("Record the keys returned before finishing.")
    if not values.inspection_done:
        reasons["inspection_done"] = _("Do the move-out inspection before finishing.")
    if not values.cleaned:
        reasons["cleaned"] = _("The flat must be cleaned before finishing.")
    return reasons


def _check(values: MoveOutValues) -> None:
    if values.keys_returned and values.key_count is None:
        raise FlatError(_("Say how many keys were returned."), "key_count")
    if values.key_count is not None and not 0 <= values.key_count <= MAX_KEYS:
        raise FlatError(_("Enter 0 to 20 keys."), "key_count")
    if len(values.damage) > DAMAGE_LENGTH:
        raise FlatError(_("Describe the damage in at most 2000 characters."), "damage")
    if values.missing - set(EQUIPMENT):
        raise FlatError(_("Choose among the flat's equipment."))


def save_move_out(
    flat_id: int, revision: int, actor: User, values: MoveOutValues, finish: bool = False
) -> Flat:
    """Save the move-out checklist at the flat's revision the form showed; with ``finish``,
    refuse until the keys, the inspection and the cleaning are recorded, then move the flat
    on (``finish_move_out``)."""
    with write_transaction():
        flat = for_update(Flat.select().where(Flat.id == flat_id)).get()
        if flat.revision != revision:
            raise StaleFlat(flat)
        if flat.status != FlatStatus.MOVED_OUT:
            raise FlatError(_("The move-out checklist is kept while the flat waits for it."))
        _check(values)
        if finish and (reasons := _unfinished(values)):
            raise Unfinished(reasons)
        checklist = for_update(
            MoveOutChecklist.select().where(
                (MoveOutChecklist.flat == flat.id) & MoveOutChecklist.finished_at.is_null()
            )
        ).first()
        if checklist is None:  # the status was set by other means than a move-out
            checklist = MoveOutChecklist.opened(flat, flat.status_changed_at)
            checklist.save()
        MoveOutChecklist.update(
            keys_returned=values.keys_returned,
            key_count=values.key_count if values.keys_returned else None,
            inspection_done=values.inspection_done,
            damage=values.damage.strip(),
            cleaned=values.cleaned,
            **{missing_field(item): item in values.missing for item in EQUIPMENT},
        ).where(MoveOutChecklist.id == checklist.id).execute()
        Flat.update(revision=Flat.revision + 1).where(Flat.id == flat.id).execute()
        if finish:
            checklist = MoveOutChecklist.get_by_id(checklist.id)
            finish_move_out(Flat.get_by_id(flat.id), checklist, actor)
    return Flat.get_by_id(flat_id)


def checklist_under_way(flat: Flat) -> MoveOutChecklist | None:
    """The checklist of a flat waiting for it (a fresh one if it has none yet), else None."""
    if flat.status != FlatStatus.MOVED_OUT:
        return None
    return MoveOutChecklist.open_for(flat.id) or MoveOutChecklist.opened(
        flat, flat.status_changed_at
    )


def missing_items(checklist: MoveOutChecklist) -> list[str]:
    """The equipment items the checklist found missing or broken."""
    return [item for item in EQUIPMENT if getattr(checklist, missing_field(item))]


def keys_short(checklist: MoveOutChecklist) -> bool:
    """Whether the flat lacks keys after the move-out: fewer came back than it had, or none
    did."""
    return checklist.keys_missing() > 0 or checklist.key_count == 0


def finish_move_out(flat: Flat, checklist: MoveOutChecklist, actor: User) -> None:
    """Move the flat on from its finished checklist, in the caller's transaction: ready when
    nothing is missing and its equipping checklist is complete, else to equipping with the
    missing items (and the keys, when some did not come back) unticked and nothing else."""
    missing = missing_items(checklist)
    changes = {item: False for item in missing}
    if keys_short(checklist):
        changes.update(keys_handed_over=False, key_count=None)
    elif checklist.key_count:
        # The keys the unit holds now: the count came back whole (or the flat had none
        # recorded), so the equipping checklist counts them.
        changes.update(keys_handed_over=True, key_count=checklist.key_count)
    ticked = Flat(**{name: getattr(flat, name) for name in (*CHECKLIST, "key_count")})
    for name, value in changes.items():
        setattr(ticked, name, value)
    to_status = FlatStatus.READY if ticked.checklist_complete() else FlatStatus.EQUIPPING
    set_status(flat, to_status, actor, _finish_note(checklist, missing), **changes)


def _finish_note(checklist: MoveOutChecklist, missing: list[str]) -> str:
    parts = [_("move-out checklist finished")]
    if keys_short(checklist):
        parts.append(keys_summary(checklist))
    if missing:
        labels = ", ".join(str(CHECKLIST_LABELS[item]) for item in missing)
        parts.append(_("missing: %(items)s", items=labels))
    if checklist.damage:
        parts.append(_("damage noted"))
    return "; ".join(parts)


def keys_summary(checklist: MoveOutChecklist) -> str:
    """The keys returned in words, against the flat's count when it has one."""
    if checklist.key_count is None:
        return _("keys not returned yet")
    if checklist.keys_expected is None:
        return _("keys returned: %(count)s", count=checklist.key_count)
    missing = checklist.keys_missing()
    if missing:
        return _(
            "keys returned: %(count)s of %(expected)s, %(missing)s missing",
            count=checklist.key_count,
            expected=checklist.keys_expected,
            missing=missing,
        )
    return _(
        "keys returned: %(count)s of %(expected)s",
        count=checklist.key_count,
        expected=checklist.keys_expected,
    )


class Inspection(NamedTuple):
    """A finished move-out checklist as the flat's page lists it."""

    checklist: MoveOutChecklist
    keys: str
    missing: str


def finished_inspections(flat_id: int) -> list[Inspection]:
    """The flat's latest finished move-out checklists, newest first (one query)."""
    return [
        Inspection(
            checklist,
            keys_summary(checklist),
            ", ".join(str(CHECKLIST_LABELS[item]) for item in missing_items(checklist)),
        )
        for checklist in MoveOutChecklist.finished_for(flat_id)
    ]


def keys_expected_text(checklist: MoveOutChecklist) -> str:
    """What the caretaker compares the keys returned with."""
    if checklist.keys_expected is None:
        return _("The flat has no key count recorded. Enter 0 if none came back.")
    return _(
        "Keys the flat had: %(count)s. Enter 0 if none came back.", count=checklist.keys_expected
    )


def still_to_do(checklist: MoveOutChecklist) -> list[str]:
    """What is left before the checklist can be finished, in words."""
    return [str(label) for name, label in MOVE_OUT_TO_DO.items() if not getattr(checklist, name)]

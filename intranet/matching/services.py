"""The match workflow: propose, offer, view, accept, move in; or decline at any step."""

import datetime as dt

from flask_babel import gettext as _
from peewee import IntegrityError

from .. import clock
from ..database import for_update, write_transaction
from ..extensions import db
from ..models import (
    AuditEvent,
    Flat,
    FlatStatus,
    Match,
    MatchStatus,
    MoveInDateChange,
    Referral,
    ReferralStatus,
    Refused,
    Role,
    Tenancy,
    User,
)
from ..referrals.services import record_status_change
from .labels import DECLINE_REASON_LABELS, RENT_PAYER_LABELS, SIDE_LABELS

# The steps a match takes, each only from the one before it.
NEXT_STEP = {
    MatchStatus.PROPOSED: MatchStatus.OFFERED,
    MatchStatus.OFFERED: MatchStatus.VIEWING,
    MatchStatus.VIEWING: MatchStatus.ACCEPTED,
}
DECLINING_SIDES = tuple(SIDE_LABELS)
DECLINE_REASONS = tuple(DECLINE_REASON_LABELS)
RENT_PAYERS = tuple(RENT_PAYER_LABELS)


class MatchError(Refused):
    """A step refused for a reason the person can act on."""


def active_tenancy_flats():
    """Ids of flats somebody lives in now."""
    return Tenancy.occupied_flat_ids()


def open_match_flats():
    """Ids of flats with an open match."""
    return Match.select(Match.flat).where(Match.status.in_(MatchStatus.OPEN))


def is_free(flat: Flat) -> bool:
    """Ready, nobody living there, and no open match: the flat can be proposed."""
    if flat.status != FlatStatus.READY:
        return False
    busy = (
        Tenancy.current().where(Tenancy.flat == flat.id).exists()
        or Match.select()
        .where((Match.flat == flat.id) & Match.status.in_(MatchStatus.OPEN))
        .exists()
    )
    return not busy


def propose_match(
    flat_id: int,
    referral_id: int,
    actor: User,
    passed_over_reason: str = "",
    from_plan: bool = False,
) -> Match:
    """Reserve a free flat for a waiting referral who meets the rules for it (or has a
    manager's override); passing over someone ranked above them takes a reason. A pair
    chosen ``from_plan`` passes over nobody the best plan places in another flat.

    Every way to propose (the matching page, the best plan) comes here. Two people
    proposing the same flat or person at once end with one match: the rows are locked
    (IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL) and the database's unique indexes catch
    whatever slips past.
    """
    # The board reads this module's queries, so it is imported here, not at the top.
    from . import board

    placed = board.placed_in_best_plan() if from_plan else {}
    reason = passed_over_reason.strip()
    with write_transaction():
        referral = for_update(Referral.select().where(Referral.id == referral_id)).first()
        flat = for_update(Flat.select().where(Flat.id == flat_id)).first()
        if referral is None or flat is None:
            # A page left open after the flat or the person was removed, or a forged form.
            raise MatchError(
                _("The flat is not free or the referral is not waiting. Nothing was saved.")
            )
        if referral.status != ReferralStatus.WAITING:
            raise MatchError(_("The referral is not waiting for a flat."))
        if not is_free(flat):
            raise MatchError(_("The flat is not free."))
        score = board.check_proposal(flat, referral, reason, placed, actor)
        try:
            with db.atomic():
                match = Match.create(
                    flat=flat,
                    referral=referral,
                    proposed_by=actor,
                    score=score,
                    passed_over_reason=reason,
                    proposed_at=clock.now(),
                )
        except IntegrityError as error:
            raise MatchError(
                _("Someone else has just proposed this flat or this person.")
            ) from error
        record_status_change(referral, ReferralStatus.MATCHED, actor)
    return match


def _open_match(match_id: int, from_status: str) -> Match:
    match = for_update(Match.select().where(Match.id == match_id)).get()
    if match.status != from_status:
        raise MatchError(_("Someone else changed this match in the meantime."))
    return match


def advance_match(
    match_id: int, from_status: str, actor: User, move_in_date: dt.date | None = None
) -> Match:
    """Take the next step: offered to the commissioner, viewing, accepted with a move-in date."""
    to_status = NEXT_STEP.get(from_status)
    if to_status is None:
        raise MatchError(_("This match has no next step here."))
    with write_transaction():
        match = _open_match(match_id, from_status)
        changes = {Match.status: to_status, Match.revision: Match.revision + 1}
        if to_status == MatchStatus.ACCEPTED:
            flat = Flat.get_by_id(match.flat_id)
            check_move_in_date(move_in_date, flat)
            changes[Match.move_in_date] = move_in_date
        Match.update(changes).where(Match.id == match.id).execute()
    return Match.get_by_id(match_id)


def check_move_in_date(move_in_date: dt.date | None, flat: Flat) -> None:
    """A move-in date is today or later, and not before the flat was ready."""
    if move_in_date is None:
        raise MatchError(_("Give the move-in date."))
    if move_in_date < clock.today():
        raise MatchError(_("The move-in date cannot be in the past."))
    if flat.ready_since is not None and move_in_date < flat.ready_since:
        raise MatchError(_("The move-in date cannot be before the flat is ready."))


def decline_match(
    match_id: int, from_status: str, side: str, reason: str, note: str, actor: User
) -> Match:
    """Either side says no: the flat is free again and the person waits again; the match stays."""
    if side not in DECLINING_SIDES or reason not in DECLINE_REASONS:
        raise MatchError(_("Say who declined and why."))
    with write_transaction():
        match = _open_match(match_id, from_status)
        Match.update(
            status=MatchStatus.DECLINED,
            declined_by_side=side,
            decline_reason=reason,
            decline_note=note.strip(),
            closed_at=clock.now(),
            revision=Match.revision + 1,
        ).where(Match.id == match.id).execute()
        referral = Referral.get_by_id(match.referral_id)
        record_status_change(referral, ReferralStatus.WAITING, actor, reason)
    return Match.get_by_id(match_id)


def move_in(
    match_id: int, actor: User, contact_person_id: int, rent, rent_payer: str = "resident"
) -> Tenancy:
    """The person moves in on the agreed day, recorded on that day or later: the match
    closes and a tenancy begins on the agreed day. A person with protected personal details
    gets another contact person than their responsible staff member only from the manager;
    the contact person chosen is in the audit log, as it opens the person's record."""
    if rent_payer not in RENT_PAYERS:
        raise MatchError(_("Say who pays the rent."))
    with write_transaction():
        match = _open_match(match_id, MatchStatus.ACCEPTED)
        if match.move_in_date > clock.today():
            raise MatchError(
                _(
                    "The move-in is agreed for %(date)s: record it on that day or later. "
                    "If the person moved in earlier, change the agreed day first.",
                    date=match.move_in_date.isoformat(),
                )
            )
        referral = Referral.get_by_id(match.referral_id)
        contact = User.get_or_none(
            (User.id == contact_person_id) & User.role.in_((Role.MANAGER, Role.STAFF)) & User.active
        )
        if contact is None:
            raise MatchError(_("Choose the contact person."), "contact_person")
        if (
            referral.protected_identity
            and actor.role != Role.MANAGER
            and contact.id != referral.responsible_id
        ):
            raise MatchError(
                _(
                    "Only the manager chooses another contact person than the responsible "
                    "staff member for a person with protected personal details."
                ),
                "contact_person",
            )
        try:
            with db.atomic():
                tenancy = Tenancy.create(
                    flat=match.flat_id,
                    referral=match.referral_id,
                    contact_person=contact.id,
                    start_date=match.move_in_date,
                    rent=rent,
                    rent_payer=rent_payer,
                    created_at=clock.now(),
                )
        except IntegrityError as error:
            raise MatchError(_("Somebody already lives in this flat.")) from error
        Match.update(
            status=MatchStatus.MOVED_IN, closed_at=clock.now(), revision=Match.revision + 1
        ).where(Match.id == match.id).execute()
        record_status_change(referral, ReferralStatus.MOVED_IN, actor)
        AuditEvent.record(
            actor, "assigned", "referral", referral.id, f"contact person {contact.display_name}"
        )
    return tenancy


def change_move_in_date(
    match_id: int, revision: int, move_in_date: dt.date | None, reason: str, actor: User
) -> Match:
    """Change an accepted match's agreed move-in day, with a reason that the match keeps:
    earlier when the person in fact moved in before it (not before the flat was ready nor
    the match proposed), or later when it is put off."""
    reason = reason.strip()
    if move_in_date is None:
        raise MatchError(_("Give the move-in date."), "move_in_date")
    if not reason:
        raise MatchError(_("Say why the move-in day changes."), "reason")
    with write_transaction():
        match = _open_match(match_id, MatchStatus.ACCEPTED)
        if match.revision != revision:
            raise MatchError(_("Someone else changed this match in the meantime."))
        flat = Flat.get_by_id(match.flat_id)
        if move_in_date == match.move_in_date:
            raise MatchError(_("That is the agreed day already."), "move_in_date")
        if flat.ready_since is not None and move_in_date < flat.ready_since:
            raise MatchError(
                _("The move-in date cannot be before the flat is ready."), "move_in_date"
            )
        if move_in_date < match.proposed_at.date():
            raise MatchError(
                _("The move-in date cannot be before the match was proposed."), "move_in_date"
            )
        Match.update(move_in_date=move_in_date, revision=Match.revision + 1).where(
            Match.id == match.id
        ).execute()
        MoveInDateChange.record(match.id, match.move_in_date, move_in_date, actor, reason=reason)
    return Match.get_by_id(match_id)

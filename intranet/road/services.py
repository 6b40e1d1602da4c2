"""The road's rules, each where its write happens: the step and the marks, the settings,
consent and the assessment of harm, the request to the landlord, the landlord's answer, and
the lease handed over."""

import datetime as dt
import json

from flask_babel import gettext as _
from peewee import IntegrityError

from .. import clock
from ..database import for_update, write_transaction
from ..formatting import format_date
from ..models import (
    AuditEvent,
    Flat,
    FlatStatus,
    InventoryLeft,
    LeaseAnswer,
    LeaseRequest,
    Referral,
    Refused,
    Road,
    RoadCondition,
    RoadMark,
    RoadRequirement,
    RoadStep,
    Role,
    ShareConsent,
    Tenancy,
    User,
)
from ..rent import rules
from . import facts

# The longest note, recommendation or answer a form takes.
MAX_TEXT = 5000


class RoadError(Refused):
    """A change on the road refused for a reason the person can act on."""


def asks_landlord(step: str) -> bool:
    """Whether a step asks the flat's landlord: only taking over this flat's lease does."""
    return step == RoadStep.TAKE_OVER


def may_edit_road(tenancy: Tenancy, user: User) -> bool:
    """The manager and the resident's contact person plan the road and read its notes."""
    return user.role == Role.MANAGER or tenancy.contact_person_id == user.id


def _tenancy(tenancy_id: int) -> Tenancy:
    """The tenancy read for update, with its person; refused once it has ended."""
    tenancy = for_update(Tenancy.select().where(Tenancy.id == tenancy_id)).get()
    if tenancy.end_date is not None:
        raise RoadError(_("This tenancy has ended: its road is closed."))
    return tenancy


def _check_editor(tenancy: Tenancy, actor: User) -> None:
    if not may_edit_road(tenancy, actor):
        raise RoadError(_("Only the manager and the resident's contact person plan the road."))


def _text(value: str, field: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RoadError(_("Write something."), field)
    if len(value) > MAX_TEXT:
        raise RoadError(_("At most %(count)d characters.", count=MAX_TEXT), field)
    return value


# ---- the step and the marks --------------------------------------------------------------


def set_step(
    tenancy_id: int,
    step: str,
    target_month: dt.date | None,
    note: str,
    actor: User,
    revision: int | None = None,
) -> Road:
    """Choose the resident's next step and the month it is aimed at; kept as a mark."""
    if step not in RoadStep.ALL:
        raise RoadError(_("Choose the next step."), "step")
    if step != RoadStep.NOT_YET and target_month is None:
        raise RoadError(_("Give the month the step is aimed at."), "target_month")
    if target_month is not None and target_month < rules.month_of(clock.today()):
        raise RoadError(_("The month cannot be in the past."), "target_month")
    note = _text(note, "note")
    with write_transaction():
        tenancy = _tenancy(tenancy_id)
        _check_editor(tenancy, actor)
        road = for_update(Road.select().where(Road.tenancy == tenancy.id)).first()
        if road is not None and revision is not None and road.revision != revision:
            raise RoadError(
                _("Someone else changed the road after you opened it. Here it is as it is now.")
            )
        moment = clock.now()
        values = {
            "step": step,
            "target_month": target_month,
            "note": note,
            "updated_by": actor,
            "updated_at": moment,
        }
        if road is None:
            road = Road.create(tenancy=tenancy, **values)
        else:
            Road.update(revision=Road.revision + 1, **values).where(Road.id == road.id).execute()
        RoadMark.create(
            road=road,
            subject="step",
            state=step,
            on_date=target_month,
            note=note,
            marked_by=actor,
            marked_at=moment,
        )
    return Road.get_by_id(road.id)


def mark(
    tenancy_id: int, condition: str, state: str, on_date: dt.date, note: str, actor: User
) -> RoadMark:
    """Mark a condition people decide (the assessment, the housing queue, the rent
    guarantee) with its new state and the day it holds from."""
    states = RoadCondition.MARKED.get(condition)
    if states is None:
        raise RoadError(_("This condition is read from the facts, not marked."), "condition")
    if state not in states:
        raise RoadError(_("Choose the state."), "state")
    if on_date is None or on_date > clock.today():
        raise RoadError(_("Give the day; it cannot be in the future."), "on_date")
    note = _text(note, "note")
    with write_transaction():
        tenancy = _tenancy(tenancy_id)
        _check_editor(tenancy, actor)
        road = Road.select().where(Road.tenancy == tenancy.id).first()
        if road is None or road.step == RoadStep.NOT_YET:
            raise RoadError(_("Choose the next step first."), "condition")
        return RoadMark.create(
            road=road,
            subject=condition,
            state=state,
            on_date=on_date,
            note=note,
            marked_by=actor,
            marked_at=clock.now(),
        )


def marks(road: Road | None):
    """The road's marks, newest first, with who made them (one query, none or many)."""
    return list(
        RoadMark.select(RoadMark, User)
        .join(User, on=(RoadMark.marked_by == User.id))
        .where(RoadMark.road == (road.id if road else 0))
        .order_by(RoadMark.marked_at.desc(), RoadMark.id.desc())
    )


# ---- the unit's settings -----------------------------------------------------------------


def save_requirements(chosen: dict[str, dict[str, int | None]], actor: User) -> None:
    """Replace the conditions each step needs. ``chosen`` maps a step to its conditions, and
    a condition in months to its number (1 to 120)."""
    rows = []
    for step, conditions in chosen.items():
        if step not in RoadStep.ON_THE_ROAD:
            raise RoadError(_("Choose the next step."))
        for condition, months in conditions.items():
            if condition not in RoadCondition.ALL:
                raise RoadError(_("Choose the state."))
            if condition == RoadCondition.LANDLORD_ANSWER and not asks_landlord(step):
                raise RoadError(
                    _("Only taking over the lease of the flat asks its landlord."),
                    f"{step}-{condition}",
                )
            if condition in RoadCondition.IN_MONTHS:
                if months is None or not 1 <= months <= 120:
                    raise RoadError(
                        _("Give a number of months from 1 to 120."), f"{step}-{condition}-months"
                    )
            else:
                months = None
            rows.append({"step": step, "condition": condition, "months": months})
        if not conditions:
            rows.append({"step": step, "condition": facts.NO_CONDITION, "months": None})
    moment = clock.now()
    with write_transaction():
        RoadRequirement.delete().where(RoadRequirement.step.in_(list(chosen))).execute()
        for row in rows:
            RoadRequirement.create(changed_by=actor, changed_at=moment, **row)
        AuditEvent.record(actor, "edited", "road_settings", None, "conditions of the steps")


# ---- consent and the assessment of harm ----------------------------------------------------


def record_consent(tenancy_id: int, given_on: dt.date, actor: User) -> ShareConsent:
    """Record that the resident agreed that the landlord of their flat is told their name
    and how their stay has gone (what ``shared_facts`` lists), from ``given_on``."""
    if given_on is None or given_on > clock.today():
        raise RoadError(_("Give the day; it cannot be in the future."), "given_on")
    with write_transaction():
        tenancy = _tenancy(tenancy_id)
        _check_editor(tenancy, actor)
        if _consent(tenancy.id) is not None:
            raise RoadError(_("The resident's consent is already recorded."), "given_on")
        consent = ShareConsent.create(
            tenancy=tenancy, given_on=given_on, recorded_by=actor, recorded_at=clock.now()
        )
        AuditEvent.record(
            actor,
            "consent_recorded",
            "referral",
            tenancy.referral_id,
            f"consent to tell the landlord, given {given_on.isoformat()}",
        )
    return consent


def _consent(tenancy_id: int) -> ShareConsent | None:
    return (
        ShareConsent.select()
        .where((ShareConsent.tenancy == tenancy_id) & ShareConsent.withdrawn_at.is_null())
        .order_by(ShareConsent.id.desc())
        .first()
    )


def assess_harm(tenancy_id: int, note: str, actor: User) -> ShareConsent:
    """The manager's recorded assessment that telling the landlord who a resident with
    protected personal details is does them no harm."""
    note = _text(note, "note", required=True)
    with write_transaction():
        tenancy = _tenancy(tenancy_id)
        if actor.role != Role.MANAGER:
            raise RoadError(_("Only the manager assesses the harm of telling the landlord."))
        referral = Referral.get_by_id(tenancy.referral_id)
        if not referral.protected_identity:
            raise RoadError(_("This resident has no protected personal details."))
        consent = _consent(tenancy.id)
        if consent is None:
            raise RoadError(_("Record the resident's consent first."), "note")
        ShareConsent.update(
            harm_assessed_by=actor, harm_assessed_at=clock.now(), harm_note=note
        ).where(ShareConsent.id == consent.id).execute()
        AuditEvent.record(
            actor, "harm_assessed", "referral", tenancy.referral_id, "telling the landlord"
        )
    return ShareConsent.get_by_id(consent.id)


def withdraw_consent(tenancy_id: int, note: str, actor: User) -> list[LeaseRequest]:
    """The resident withdraws their consent: no request is sent any more, and those sent
    leave the portal. Returns the requests that had been sent, with what each shared."""
    note = _text(note, "note")
    with write_transaction():
        tenancy = _tenancy(tenancy_id)
        _check_editor(tenancy, actor)
        consent = _consent(tenancy.id)
        if consent is None:
            raise RoadError(_("There is no consent to withdraw."))
        moment = clock.now()
        ShareConsent.update(withdrawn_by=actor, withdrawn_at=moment, withdrawal_note=note).where(
            ShareConsent.id == consent.id
        ).execute()
        LeaseRequest.update(withdrawn_at=moment, revision=LeaseRequest.revision + 1).where(
            (LeaseRequest.consent == consent.id) & LeaseRequest.withdrawn_at.is_null()
        ).execute()
        sent = list(LeaseRequest.select().where(LeaseRequest.consent == consent.id))
        AuditEvent.record(
            actor,
            "consent_withdrawn",
            "referral",
            tenancy.referral_id,
            f"consent withdrawn; {len(sent)} request(s) taken out of the portal",
        )
    return sent


# ---- the request to the landlord -----------------------------------------------------------


def shared_facts(progress: facts.Progress, recommendation: str) -> dict:
    """What the landlord is told when asked: the resident's name and the facts of their stay,
    as they stand today."""
    tenancy = progress.tenancy
    referral = Referral.get_by_id(tenancy.referral_id)
    return {
        "name": f"{referral.first_name} {referral.last_name}",
        "moved_in": tenancy.start_date.isoformat(),
        "months_in_flat": progress.months_in_flat,
        "on_time_in_a_row": progress.rent.on_time_in_a_row,
        "debt": str(progress.rent.debt),
        "recommendation": recommendation,
    }


def why_not_ask(progress: facts.Progress) -> str | None:
    """Why the landlord cannot be asked yet, in words, or None when they can."""
    if progress.tenancy.end_date is not None:
        return _("This tenancy has ended: its road is closed.")
    if not asks_landlord(progress.step):
        return _("The step is not to take over this flat's lease.")
    if not progress.ready:
        return _("Not every condition is met yet.")
    if progress.request is not None and progress.request.answer is None:
        return _("The landlord has been asked and has not answered yet.")
    if progress.request is not None and progress.request.answer == LeaseAnswer.YES:
        return _("The landlord has said yes.")
    if (
        progress.request is not None
        and progress.request.answer == LeaseAnswer.LATER
        and progress.request.answer_on > clock.today()
    ):
        return _(
            "The landlord asked to be asked again on %(day)s.",
            day=format_date(progress.request.answer_on),
        )
    consent = progress.consent
    if consent is None:
        return _("Record the resident's consent first: without it the landlord is told nothing.")
    if progress.tenancy.referral.protected_identity and consent.harm_assessed_at is None:
        return _(
            "The resident has protected personal details: the manager first records the "
            "assessment that telling the landlord does no harm."
        )
    return None


def ask_landlord(tenancy_id: int, recommendation: str, actor: User) -> LeaseRequest:
    """The manager asks the flat's landlord whether the resident may take over the lease;
    the landlord sees the request, with what ``shared_facts`` lists, in the portal."""
    recommendation = _text(recommendation, "recommendation", required=True)
    if actor.role != Role.MANAGER:
        raise RoadError(_("Only the manager asks a landlord to hand over a lease."))
    with write_transaction():
        tenancy = _tenancy(tenancy_id)
        progress = facts.progress_of(tenancy, clock.today())
        reason = why_not_ask(progress)
        if reason:
            raise RoadError(reason, "recommendation")
        flat = Flat.get_by_id(tenancy.flat_id)
        shared = shared_facts(progress, recommendation)
        try:
            with write_transaction():
                request = LeaseRequest.create(
                    tenancy=tenancy,
                    flat=flat,
                    landlord=flat.landlord_id,
                    consent=progress.consent,
                    asked_by=actor,
                    asked_at=clock.now(),
                    recommendation=recommendation,
                    shared=json.dumps(shared, ensure_ascii=False),
                )
        except IntegrityError:
            raise RoadError(
                _("The landlord has been asked and has not answered yet."), "recommendation"
            ) from None
        AuditEvent.record(
            actor,
            "shared",
            "referral",
            tenancy.referral_id,
            f"lease request to landlord {flat.landlord_id}: " + ", ".join(sorted(shared)),
        )
    return request


def shared_of(request: LeaseRequest) -> dict:
    """What a request told the landlord, as it was told."""
    return json.loads(request.shared) if request.shared else {}


def requests_of(tenancy_id: int) -> list[LeaseRequest]:
    """Every request made for the tenancy, newest first, with who asked: what was shared
    with whom (one query)."""
    return list(
        LeaseRequest.select(LeaseRequest, User)
        .join(User, on=(LeaseRequest.asked_by == User.id))
        .where(LeaseRequest.tenancy == tenancy_id)
        .order_by(LeaseRequest.asked_at.desc(), LeaseRequest.id.desc())
    )


def requests_to_landlord(landlord_id: int, limit: int) -> list[LeaseRequest]:
    """The unit's view of the requests to a landlord, withdrawn ones too, newest first, each
    with its flat and its tenancy's resident: one query of at most ``limit`` rows."""
    return list(
        LeaseRequest.select(LeaseRequest, Flat, Tenancy, Referral)
        .join(Flat, on=(LeaseRequest.flat == Flat.id))
        .switch(LeaseRequest)
        .join(Tenancy, on=(LeaseRequest.tenancy == Tenancy.id))
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .where(LeaseRequest.landlord == landlord_id)
        .order_by(LeaseRequest.asked_at.desc(), LeaseRequest.id.desc())
        .limit(limit)
    )


def landlords_requests(landlord_id: int):
    """The requests a landlord sees: theirs, with the resident's consent standing and the
    resident still in the flat (or the lease handed over to them), newest first. Nothing
    else about the resident is selected."""
    still_there = Tenancy.select(Tenancy.id).where(Tenancy.is_current())
    return (
        LeaseRequest.select(LeaseRequest, Flat)
        .join(Flat, on=(LeaseRequest.flat == Flat.id))
        .where(
            (LeaseRequest.landlord == landlord_id)
            & LeaseRequest.withdrawn_at.is_null()
            & (LeaseRequest.tenancy.in_(still_there) | LeaseRequest.transferred_at.is_null(False))
        )
        .order_by(LeaseRequest.asked_at.desc(), LeaseRequest.id.desc())
    )


def landlords_request(landlord_id: int, request_id: int) -> LeaseRequest | None:
    """One request as the landlord sees it, or None if it is not theirs or was withdrawn."""
    return landlords_requests(landlord_id).where(LeaseRequest.id == request_id).first()


def answer(
    request_id: int,
    landlord_id: int,
    said: str,
    answer_on: dt.date | None,
    note: str,
    actor: User,
) -> LeaseRequest:
    """The landlord's answer: yes with the day of the transfer, later with the day to ask
    again, or no. The first answer stands; a second finds it given."""
    if said not in LeaseAnswer.ALL:
        raise RoadError(_("Choose the answer."), "answer")
    today = clock.today()
    if said == LeaseAnswer.YES and (answer_on is None or answer_on < today):
        raise RoadError(_("Give the day of the transfer: today or later."), "answer_on")
    if said == LeaseAnswer.LATER and (answer_on is None or answer_on <= today):
        raise RoadError(_("Give the day to ask again: after today."), "answer_on")
    if said == LeaseAnswer.NO:
        answer_on = None
    note = _text(note, "note")
    with write_transaction():
        request = for_update(
            LeaseRequest.select().where(
                (LeaseRequest.id == request_id)
                & (LeaseRequest.landlord == landlord_id)
                & LeaseRequest.withdrawn_at.is_null()
            )
        ).first()
        moved_out = request is not None and Tenancy.get_by_id(request.tenancy_id).end_date
        if request is None or moved_out:
            raise RoadError(_("This request has been withdrawn."))
        if request.answer is not None:
            raise RoadError(_("This request has already been answered."), "answer")
        LeaseRequest.update(
            answer=said,
            answer_on=answer_on,
            answer_note=note,
            answered_by=actor,
            answered_at=clock.now(),
            revision=LeaseRequest.revision + 1,
        ).where(LeaseRequest.id == request.id).execute()
        AuditEvent.record(
            actor, "answered", "lease_request", request.id, f"landlord answered {said}"
        )
    return LeaseRequest.get_by_id(request.id)


# ---- the lease handed over -----------------------------------------------------------------


def transfer_due(request: LeaseRequest | None, today: dt.date) -> bool:
    """Whether a yes has reached its day and the transfer can be recorded."""
    return (
        request is not None
        and request.answer == LeaseAnswer.YES
        and request.transferred_at is None
        and request.withdrawn_at is None
        and request.answer_on is not None
        and request.answer_on <= today
    )


def transfer_lease(
    request_id: int, inventory: str, inventory_note: str, money_note: str, actor: User
) -> Tenancy:
    """The resident has taken over the lease on the day the landlord gave: the tenancy ends
    with the outcome "own lease by transfer", its last month is charged to that day, the
    inventory is recorded as left, sold or taken back, and the flat leaves the stock."""
    from ..flats.services import set_status
    from ..rent import board
    from ..rent.services import debt
    from ..residents.labels import TRANSFER
    from ..residents.services import end_tenancy

    if actor.role != Role.MANAGER:
        raise RoadError(_("Only the manager records a lease handed over."))
    if inventory not in InventoryLeft.ALL:
        raise RoadError(_("Say what became of the unit's furniture and inventory."), "inventory")
    inventory_note = _text(inventory_note, "inventory_note")
    money_note = _text(money_note, "money_note")
    today = clock.today()
    with write_transaction():
        request = for_update(LeaseRequest.select().where(LeaseRequest.id == request_id)).get()
        if not transfer_due(request, today):
            raise RoadError(_("The landlord's yes and its day are needed first."), "inventory")
        tenancy = _tenancy(request.tenancy_id)
        end = request.answer_on
        if end < tenancy.start_date:
            raise RoadError(_("The move-out cannot be before the move-in."), "inventory")
        if money_note == "" and debt(board.tenancy_rows(tenancy.id), today) > 0:
            raise RoadError(
                _("Say how the rent debt is settled: paid, or kept in a repayment plan."),
                "money_note",
            )
        end_tenancy(tenancy, end, TRANSFER, inventory_note, actor)
        flat = for_update(Flat.select().where(Flat.id == tenancy.flat_id)).get()
        if flat.status != FlatStatus.READY:
            raise RoadError(_("A flat cannot go from this status to that one."), "inventory")
        set_status(
            flat,
            FlatStatus.TRANSFERRED,
            actor,
            _("The resident took over the lease on %(day)s.", day=end.isoformat()),
            lease_end=end,
        )
        LeaseRequest.update(
            transferred_by=actor,
            transferred_at=clock.now(),
            inventory=inventory,
            inventory_note=inventory_note,
            money_note=money_note,
            revision=LeaseRequest.revision + 1,
        ).where(LeaseRequest.id == request.id).execute()
        AuditEvent.record(
            actor,
            "lease_transferred",
            "referral",
            tenancy.referral_id,
            f"flat {flat.id} left the stock on {end.isoformat()}",
        )
    return Tenancy.get_by_id(tenancy.id)

"""Referral rules: intake, status changes with reasons, contact, overrides."""

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import clock
from ..database import for_update, write_transaction
from ..models import (
    AuditEvent,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Refused,
    RuleOverride,
    Tenancy,
    User,
)
from .labels import REFERRAL_STATUS_LABELS

# Changes staff make by hand, the one table the status form and ``set_status`` read;
# matched and moved in come from the match workflow, and a matched referral goes back to
# waiting when its match is declined (a withdrawal is then made from waiting).
MANUAL_MOVES = {
    ReferralStatus.RECEIVED: {
        ReferralStatus.ASSESSING,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
    ReferralStatus.ASSESSING: {
        ReferralStatus.WAITING,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
    ReferralStatus.WAITING: {
        ReferralStatus.ASSESSING,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
}
NEEDS_REASON = {ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN}
DEFAULT_CONFIRM_AFTER_DAYS = 30


class ReferralError(Refused):
    """A change refused for a reason the person can act on."""


def status_moves(from_status: str) -> list[str]:
    """The statuses a referral may be moved to by hand from ``from_status``, in the order
    of the referral's way."""
    allowed = MANUAL_MOVES.get(from_status, set())
    return [code for code in REFERRAL_STATUS_LABELS if code in allowed]


def _check_responsible(actor: User | None, old: int | None, new: int | None) -> None:
    """Only the manager assigns the staff member responsible for a referral: before
    move-in they may see a protected person's record. (No actor: a command on the server.)"""
    if (old or None) != (new or None) and actor is not None and actor.role != "manager":
        raise ReferralError(_("Only the manager assigns the responsible staff member."))


def _record_responsible(actor, referral_id: int, old: int | None, new) -> None:
    new = getattr(new, "id", new)
    if (old or None) != (new or None):
        AuditEvent.record(
            actor, "assigned", "referral", referral_id, f"responsible {old or '-'} -> {new or '-'}"
        )


def create_referral(actor: User | None, **values) -> Referral:
    """Register a referral as received, with the first line of its history."""
    _check_responsible(actor, None, values.get("responsible"))
    moment = clock.now()
    with write_transaction():
        referral = Referral.create(
            status=ReferralStatus.RECEIVED, status_changed_at=moment, created_at=moment, **values
        )
        ReferralStatusChange.record(referral, None, ReferralStatus.RECEIVED, actor, moment)
        _record_responsible(actor, referral.id, None, values.get("responsible"))
    return referral


def set_status(
    referral_id: int, from_status: str, to_status: str, actor, reason: str = ""
) -> Referral:
    """Move a referral between statuses by hand; declining or withdrawing needs a reason."""
    if to_status not in MANUAL_MOVES.get(from_status, set()):
        raise ReferralError(_("A referral cannot go from this status to that one."), "to_status")
    if to_status in NEEDS_REASON and not reason.strip():
        raise ReferralError(_("Give the reason."), "reason")
    with write_transaction():
        referral = for_update(Referral.select().where(Referral.id == referral_id)).get()
        if referral.status != from_status:
            raise ReferralError(_("Someone else changed the referral's status in the meantime."))
        return record_status_change(referral, to_status, actor, reason.strip())


def record_status_change(referral: Referral, to_status: str, actor, reason: str = "") -> Referral:
    """Record a status change inside the caller's transaction (the match workflow's too)."""
    moment = clock.now()
    Referral.update(
        status=to_status,
        status_changed_at=moment,
        status_reason=reason,
        revision=Referral.revision + 1,
    ).where(Referral.id == referral.id).execute()
    ReferralStatusChange.record(
        referral.id, referral.status, to_status, actor, moment, reason=reason
    )
    return Referral.get_by_id(referral.id)


def record_contact(referral_id: int, on: dt.date | None = None) -> None:
    """Note that staff have been in touch and the referral is still current."""
    Referral.update(last_contact_on=on or clock.today()).where(Referral.id == referral_id).execute()


def needs_confirmation(
    referral: Referral, today: dt.date | None = None, after_days: int | None = None
) -> bool:
    """A waiting referral without contact for ``after_days`` days: is it still current?

    The number of days is the setting REFERRAL_CONFIRM_AFTER_DAYS (default 30).
    """
    if referral.status != ReferralStatus.WAITING:
        return False
    if after_days is None:
        after_days = _confirm_after_days()
    last = referral.last_contact_on or referral.received_on
    return ((today or clock.today()) - last).days >= after_days


def _confirm_after_days() -> int:
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get("REFERRAL_CONFIRM_AFTER_DAYS", DEFAULT_CONFIRM_AFTER_DAYS)
    return DEFAULT_CONFIRM_AFTER_DAYS


def days_waited(referral: Referral, today: dt.date | None = None) -> int:
    """Days since the referral was received."""
    return ((today or clock.today()) - referral.received_on).days


def override_rule(referral_id: int, rule: str, reason: str, manager: User) -> RuleOverride:
    """Let a failing eligibility rule pass for this person, with the manager's written reason."""
    if not reason.strip():
        raise ReferralError(_("Write why the rule is overridden."))
    return RuleOverride.create(
        referral=referral_id,
        rule=rule,
        reason=reason.strip(),
        decided_by=manager,
        decided_at=clock.now(),
    )


def overrides_for(referral_ids) -> dict:
    """The overrides of each referral, as {referral id: {rule: reason}}, in one query."""
    result: dict = {}
    query = RuleOverride.select().where(RuleOverride.referral.in_(list(referral_ids)))
    for row in query.order_by(RuleOverride.decided_at):
        result.setdefault(row.referral_id, {})[row.rule] = row.reason
    return result


OPEN_STATUSES = (
    ReferralStatus.RECEIVED,
    ReferralStatus.ASSESSING,
    ReferralStatus.WAITING,
    ReferralStatus.MATCHED,
)
CLOSED_STATUSES = (ReferralStatus.MOVED_IN, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN)


@dataclass
class ReferralFilters:
    """What the referrals list is narrowed to."""

    show: str = "open"
    status: str | None = None
    responsible: int | None = None
    to_confirm: bool = False

    def as_params(self) -> dict:
        """The filters as the list's address has them."""
        params = {
            "show": self.show if self.show != "open" else None,
            "status": self.status,
            "responsible": self.responsible,
            "confirm": "y" if self.to_confirm else None,
        }
        return {key: value for key, value in params.items() if value}


def referrals_list(filters: ReferralFilters | None = None, today: dt.date | None = None):
    """Referrals, open or closed, narrowed by status, the person responsible or those to
    confirm as still current; with commissioner and responsible joined: one query."""
    from peewee import JOIN, fn

    from ..models import Commissioner

    filters = filters or ReferralFilters()
    statuses = CLOSED_STATUSES if filters.show == "closed" else OPEN_STATUSES
    # The contact person of the person's latest tenancy, for the rule on protected records.
    contact = (
        Tenancy.select(Tenancy.contact_person)
        .where(Tenancy.referral == Referral.id)
        .order_by(Tenancy.id.desc())
        .limit(1)
    )
    # What the list draws, not every column of three tables: that took a third of its time.
    drawn = (
        Referral.id,
        Referral.first_name,
        Referral.last_name,
        Referral.received_on,
        Referral.last_contact_on,
        Referral.commissioner,
        *Referral.record_rule_columns(),
        Commissioner.id,
        Commissioner.name,
        User.id,
        User.display_name,
    )
    query = (
        Referral.select(*drawn, contact.alias("contact_id"))
        .join(Commissioner, on=(Referral.commissioner == Commissioner.id))
        .switch(Referral)
        .join(User, JOIN.LEFT_OUTER, on=(Referral.responsible == User.id))
        .where(Referral.status.in_(list(statuses)))
    )
    if filters.status:
        query = query.where(Referral.status == filters.status)
    if filters.responsible:
        query = query.where(Referral.responsible == filters.responsible)
    if filters.to_confirm:
        limit = (today or clock.today()) - dt.timedelta(days=_confirm_after_days())
        last = fn.COALESCE(Referral.last_contact_on, Referral.received_on)
        query = query.where((Referral.status == ReferralStatus.WAITING) & (last <= limit))
    return query.order_by(Referral.received_on, Referral.id)


def referrals_table(rows, today: dt.date, viewer: User) -> tuple[list, list]:
    """The referrals list as a header and rows for a download, with the page's columns; a
    person protected from ``viewer`` is a row with nothing of theirs."""

    header = [
        _("Person"),
        _("Commissioner"),
        _("Status"),
        _("Received"),
        _("Days waited"),
        _("Responsible"),
        _("Confirm still current"),
    ]
    table = [
        [
            f"{r.first_name} {r.last_name}",
            r.commissioner.name,
            str(REFERRAL_STATUS_LABELS[r.status]),
            r.received_on.isoformat(),
            days_waited(r, today),
            r.responsible.display_name if r.responsible_id else "",
            _("yes") if needs_confirmation(r, today) else "",
        ]
        if may_see_person(r, viewer, [getattr(r, "contact_id", None)])
        else [str(PROTECTED), "", "", "", "", "", ""]
        for r in rows
    ]
    return [str(h) for h in header], table


def in_persons_circle(referral: Referral, viewer: User, contact_person_ids=()) -> bool:
    """Whether ``viewer`` is one of those who work closest to the person: the manager,
    their contact person and, before move-in, the staff member the manager made
    responsible for the referral."""
    if getattr(viewer, "role", None) == "manager" or viewer.id in set(contact_person_ids):
        return True
    return viewer.id == referral.responsible_id and referral.status != ReferralStatus.MOVED_IN


def may_see_person(referral: Referral, viewer: User, contact_person_ids=()) -> bool:
    """Whether ``viewer`` may see this person's record at all. A person with protected
    personal details is open only to the person's circle (``in_persons_circle``); to
    everyone else they are "Protected personal details", with nothing that is theirs
    (name, district, flat, rent, dates), since any of it points to where they live."""
    return not referral.protected_identity or in_persons_circle(
        referral, viewer, contact_person_ids
    )


def _contact_people(referral: Referral) -> list[int]:
    """The contact people of all the person's tenancies (one query)."""
    contacts = Tenancy.select(Tenancy.contact_person).where(Tenancy.referral == referral.id)
    return [c for (c,) in contacts.tuples()]


def may_open(referral: Referral, viewer: User) -> bool:
    """``may_see_person`` for a page about one person, with their contact people read
    from their tenancies: one query, only for a protected person."""
    if not referral.protected_identity:
        return True
    return may_see_person(referral, viewer, _contact_people(referral))


def may_read_notes(referral: Referral, viewer: User) -> bool:
    """Whether ``viewer`` may read the notes kept about this person (a home visit's and a
    meeting's notes and plans, a reversal's reason, a decline's note, a notice's text, an
    outcome's note): the person's circle only, whoever the person is. Other staff see that
    a step happened and when. One query, none for the manager."""
    if getattr(viewer, "role", None) == "manager":
        return True
    return in_persons_circle(referral, viewer, _contact_people(referral))


# What everyone outside the rule sees in the person's place.
PROTECTED = _l("Protected personal details")


def person_rule() -> dict:
    """For every template: whether the one logged in may see a person's record
    (``open_to_me(referral, contact person id, ...)``) and read the notes about them
    (``notes_to_me``), and what shows in the record's place."""
    from flask_login import current_user

    def open_to_me(referral, *contact_person_ids) -> bool:
        return may_see_person(referral, current_user, [c for c in contact_person_ids if c])

    def notes_to_me(referral, *contact_person_ids) -> bool:
        """``may_read_notes`` for a row that carries the person's contact people."""
        return in_persons_circle(referral, current_user, [c for c in contact_person_ids if c])

    return {"open_to_me": open_to_me, "notes_to_me": notes_to_me, "protected_label": PROTECTED}


def update_referral(
    referral_id: int, revision: int, actor: User | None = None, **values
) -> Referral:
    """Save a referral's facts at the revision the form showed, in the audit log; the
    responsible staff member changes only by the manager's hand."""
    with write_transaction():
        old = Referral.get_by_id(referral_id).responsible_id
        if "responsible" in values:
            _check_responsible(actor, old, values["responsible"])
        updated = (
            Referral.update(revision=Referral.revision + 1, **values)
            .where((Referral.id == referral_id) & (Referral.revision == revision))
            .execute()
        )
        if updated != 1:
            raise ReferralError(
                _("Someone else changed this referral while you edited. Reload and try again.")
            )
        AuditEvent.record(actor, "edited", "referral", referral_id, ", ".join(sorted(values)))
        if "responsible" in values:
            _record_responsible(actor, referral_id, old, values["responsible"])
    return Referral.get_by_id(referral_id)

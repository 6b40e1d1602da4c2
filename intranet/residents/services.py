"""A resident's tenancy: who lives where, the notice, the move-out with its outcome, outcomes."""

import datetime as dt

from flask_babel import gettext as _

from .. import clock
from ..database import for_update, write_transaction
from ..flats.services import start_move_out
from ..models import Referral, Refused, Tenancy, User
from .labels import EARLY_END, MOVED_ON, OUTCOME_LABELS, TRANSFER


class TenancyError(Refused):
    """A change refused for a reason the person can act on."""


def current_residents(contact: int | None = None, contact_name: str | None = None):
    """Everyone living in a flat now (or the residents of one contact person, or of those
    whose name holds ``contact_name``), with flat and contact person, by name: one query."""
    query = Tenancy.listed_with_people().where(Tenancy.is_current())
    if contact:
        query = query.where(Tenancy.contact_person == contact)
    if contact_name:
        query = query.where(Tenancy.contact_person.in_(Tenancy.of_contact_named(contact_name)))
    return query.order_by(Referral.last_name, Referral.first_name, Tenancy.id)


def residents_table(rows, viewer: User) -> tuple[list, list]:
    """The residents list as a header and rows for a download: the page's columns; a
    person protected from ``viewer`` is a row with nothing of theirs."""
    from ..referrals.services import PROTECTED, may_see_person

    header = [
        _("Resident"),
        _("Address"),
        _("District"),
        _("Contact person"),
        _("Moved in"),
        _("Planned move-out date"),
    ]
    table = [
        [
            f"{t.referral.first_name} {t.referral.last_name}",
            t.flat.address,
            t.flat.district,
            t.contact_person.display_name,
            t.start_date.isoformat(),
            t.move_out_date.isoformat() if t.move_out_date else "",
        ]
        if may_see_person(t.referral, viewer, [t.contact_person_id])
        else [str(PROTECTED), "", "", "", "", ""]
        for t in rows
    ]
    return [str(h) for h in header], table


def tenancy_with_people(tenancy_id: int) -> Tenancy | None:
    """One tenancy with its flat, resident and contact person, or None."""
    return Tenancy.with_people().where(Tenancy.id == tenancy_id).first()


def give_notice(tenancy_id: int, move_out_date: dt.date) -> Tenancy:
    """Record a planned move-out: the flat shows on the matching page before it is empty."""
    if move_out_date < clock.today():
        raise TenancyError(_("The move-out date cannot be in the past."))
    with write_transaction():
        tenancy = for_update(Tenancy.select().where(Tenancy.id == tenancy_id)).get()
        if tenancy.end_date is not None:
            raise TenancyError(_("This tenancy has already ended."))
        Tenancy.update(
            move_out_date=move_out_date,
            notice_given_on=tenancy.notice_given_on or clock.today(),
            revision=Tenancy.revision + 1,
        ).where(Tenancy.id == tenancy_id).execute()
    return Tenancy.get_by_id(tenancy_id)


def move_out(tenancy_id: int, end_date: dt.date, outcome: str, note: str, actor: User) -> Tenancy:
    """End a tenancy with its outcome; the flat goes to move-out inspection and re-equipping."""
    if outcome not in OUTCOME_LABELS or outcome == TRANSFER:
        raise TenancyError(_("Choose the outcome."))
    with write_transaction():
        tenancy = for_update(Tenancy.select().where(Tenancy.id == tenancy_id)).get()
        if tenancy.end_date is not None:
            raise TenancyError(_("This tenancy has already ended."))
        if end_date < tenancy.start_date:
            raise TenancyError(_("The move-out cannot be before the move-in."))
        if end_date > clock.today():
            raise TenancyError(_("Record the move-out on the day it has happened."))
        end_tenancy(tenancy, end_date, outcome, note, actor)
        start_move_out(tenancy.flat_id, actor, _("move-out inspection"))
    return Tenancy.get_by_id(tenancy_id)


def end_tenancy(tenancy: Tenancy, end_date: dt.date, outcome: str, note: str, actor: User):
    """End ``tenancy`` (read for update by the caller, inside its transaction) on
    ``end_date`` with its outcome, and charge the months from then on for the days lived:
    every way a tenancy ends (a move-out, a lease handed over) ends it here."""
    Tenancy.update(
        end_date=end_date,
        outcome=outcome,
        outcome_note=note.strip(),
        revision=Tenancy.revision + 1,
    ).where(Tenancy.id == tenancy.id).execute()
    _last_months_pro_rata(tenancy, end_date, actor)


def _last_months_pro_rata(tenancy: Tenancy, end_date: dt.date, actor: User) -> None:
    """Months already opened from the move-out's on are charged for the days lived there
    only (nothing after the move-out), through the rent ledger."""
    from ..models import RentCharge
    from ..rent import ledger, rules

    amounts = {}
    for charge in RentCharge.select().where(
        (RentCharge.tenancy == tenancy.id) & (RentCharge.month >= rules.month_of(end_date))
    ):
        amount = rules.pro_rata(tenancy.rent, charge.month, tenancy.start_date, end_date)
        if amount != charge.amount:
            amounts[charge.id] = amount
    ledger.recharge(tenancy.id, amounts, f"move-out {end_date.isoformat()}", actor)


def outcome_report() -> dict:
    """Moved on, left early, average stay in days, counted over the ended tenancies; and
    moving on by path with the median months to it, as the yearly report counts them."""
    from .outcomes import PATH_LABELS, moves_on

    moved = moves_on()
    ended = list(
        Tenancy.select(Tenancy.start_date, Tenancy.end_date, Tenancy.outcome)
        .where(Tenancy.end_date.is_null(False))
        .tuples()
    )
    stays = [(end - start).days for start, end, _outcome in ended]
    counts = {code: 0 for code in OUTCOME_LABELS}
    for _start, _end, outcome in ended:
        counts[outcome] = counts.get(outcome, 0) + 1
    return {
        "ended": len(ended),
        "moved_on": sum(counts[c] for c in MOVED_ON),
        "early": sum(counts[c] for c in EARLY_END),
        "average_stay": round(sum(stays) / len(stays)) if stays else None,
        "counts": counts,
        "paths": [(PATH_LABELS[code], n) for code, n in moved.counts.items()],
        "median_months": moved.median_months,
    }

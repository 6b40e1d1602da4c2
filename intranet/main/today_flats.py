"""Start-page blocks about flats: occupancy, vacancy, move-out checklists, equipping, moves
and new offers."""

import datetime as dt

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from peewee import JOIN, fn

from ..flats.labels import CHECKLIST_LABELS, FLAT_STATUS_LABELS
from ..flats.move_out import keys_short, keys_summary, still_to_do
from ..formatting import format_number, format_share
from ..models import (
    Flat,
    FlatStatus,
    Match,
    MatchStatus,
    MoveOutChecklist,
    Tenancy,
    User,
)
from ..portal.services import portal_offers_for_owner
from ..rent import rules
from .blocks import FIRST, Block, Item, days_text, kr, listed, person_name


def flats_block() -> Block:
    """Flats by status, and how many of those the unit leases somebody lives in."""
    counts = dict(Flat.select(Flat.status, fn.COUNT(Flat.id)).group_by(Flat.status).tuples())
    lived_in = Tenancy.current().count()
    leased = sum(counts.get(status, 0) for status in FlatStatus.LEASED)
    lived = ngettext(
        "%(n)s of %(count)s leased flat",
        "%(n)s of %(count)s leased flats",
        leased,
        n=format_number(lived_in),
        count=format_number(leased),
    )
    facts = [(_("Lived in"), lived), (_("Occupancy rate"), format_share(lived_in, leased))]
    facts += [(str(FLAT_STATUS_LABELS[s]), counts[s]) for s in FlatStatus.ALL if counts.get(s)]
    return Block(
        "flats",
        _("Flats"),
        sum(counts.values()),
        url_for("flats.index"),
        _("All flats"),
        _("No flats are registered yet."),
        facts=facts,
    )


def vacant_block(today: dt.date) -> Block:
    """Ready flats nobody lives in: days vacant, what they cost, this month's cost; the
    first few and the totals (``Flat.vacancy_totals``), not a row for every empty flat."""
    vacant = Flat.select().where(
        (Flat.status == FlatStatus.READY) & Flat.id.not_in(Tenancy.occupied_flat_ids())
    )
    first = vacant.select(
        Flat.id, Flat.address, Flat.district, Flat.rent_to_landlord, Flat.ready_since, Flat.status
    ).order_by(Flat.ready_since.asc(nulls="LAST"), Flat.id)
    count, month_cost = Flat.vacancy_totals(vacant, today, since=rules.month_of(today))
    items = [
        Item(
            f"{flat.address}, {flat.district}",
            url_for("flats.detail", flat_id=flat.id),
            _(
                "%(days)s vacant, %(cost)s so far",
                days=days_text(d),
                cost=kr(flat.daily_rent() * d),
            ),
            urgent=d > 30,
        )
        for flat in first.limit(FIRST)
        for d in [flat.days_vacant(today) or 0]
    ]
    return Block(
        "vacant",
        _("Vacant and ready"),
        count,
        url_for("matching.index"),
        _("Match them on the matching page"),
        _("No ready flat stands empty."),
        items=items,
        facts=[(_("Vacancy cost this month"), kr(month_cost))],
    )


def offers_block(user: User) -> Block:
    """Flats offered through the portal by the landlords the person owns."""

    def item(flat):
        return Item(
            f"{flat.landlord.name}: {flat.address}",
            url_for("flats.detail", flat_id=flat.id),
            flat.created_at.date().isoformat(),
        )

    return listed(
        "offers",
        _("New flat offers from the portal"),
        portal_offers_for_owner(user),
        item,
        url_for("flats.index", status=FlatStatus.OFFERED),
        _("All offered flats"),
        _("No new offer."),
    )


def move_outs_block(today: dt.date, days: int = 30) -> Block:
    """Notices given, and move-outs planned in the next ``days`` days."""
    query = Tenancy.with_people().where(
        Tenancy.is_current() & (Tenancy.move_out_date <= today + dt.timedelta(days=days))
    )

    def item(tenancy):
        return Item(
            person_name(tenancy.referral),
            url_for("residents.detail", tenancy_id=tenancy.id),
            _("moves out %(date)s", date=tenancy.move_out_date.isoformat()),
            urgent=tenancy.move_out_date <= today,
        )

    return listed(
        "move-outs",
        ngettext(
            "Move-outs in the next %(count)s day",
            "Move-outs in the next %(count)s days",
            days,
            count=format_number(days),
        ),
        query.order_by(Tenancy.move_out_date, Tenancy.id),
        item,
        url_for("residents.index"),
        _("All residents"),
        _("No move-out is planned."),
    )


def moves_block(today: dt.date, days: int = 14) -> Block:
    """For the caretaker: the flats with a move-out or a move-in in the next ``days`` days,
    named by address only (who moves is not the caretaker's business)."""
    until = today + dt.timedelta(days=days)
    outs = (
        Tenancy.select(Tenancy.move_out_date.alias("day"), Flat.id, Flat.address)
        .join(Flat, on=(Tenancy.flat == Flat.id))
        .where(Tenancy.is_current() & Tenancy.move_out_date.between(today, until))
    )
    ins = (
        Match.select(Match.move_in_date.alias("day"), Flat.id, Flat.address)
        .join(Flat, on=(Match.flat == Flat.id))
        .where((Match.status == MatchStatus.ACCEPTED) & Match.move_in_date.between(today, until))
    )
    moves = [(d, fid, address, _("move-out")) for d, fid, address in outs.tuples()]
    moves += [(d, fid, address, _("move-in")) for d, fid, address in ins.tuples()]
    moves.sort(key=lambda m: (m[0], m[2]))
    items = [
        Item(address, url_for("flats.detail", flat_id=fid), f"{what} {day.isoformat()}")
        for day, fid, address, what in moves[:FIRST]
    ]
    return Block(
        "moves",
        ngettext(
            "Move-outs and move-ins in the next %(count)s day",
            "Move-outs and move-ins in the next %(count)s days",
            days,
            count=format_number(days),
        ),
        len(moves),
        url_for("flats.index"),
        _("All flats"),
        _("No move is planned."),
        items=items,
    )


def move_out_checklists_block() -> Block:
    """Flats waiting for their move-out checklist, with what is left to do on each."""

    def item(flat):
        checklist = getattr(flat, "checklist", None)
        if checklist is None or checklist.id is None:  # the status was set by other means
            checklist = MoveOutChecklist.opened(flat, flat.status_changed_at)
        left = still_to_do(checklist)
        note = _("waiting since %(date)s", date=checklist.opened_at.date().isoformat())
        if left:
            note += " · " + _("to do: %(items)s", items=", ".join(left))
        if keys_short(checklist):
            note += " · " + keys_summary(checklist)
        return Item(
            f"{flat.address}, {flat.district}", url_for("flats.detail", flat_id=flat.id), note
        )

    return listed(
        "move-out-checklists",
        _("Flats awaiting move-out inspection"),
        Flat.select(Flat, MoveOutChecklist)
        .join(
            MoveOutChecklist,
            JOIN.LEFT_OUTER,
            on=(MoveOutChecklist.flat == Flat.id) & MoveOutChecklist.finished_at.is_null(),
            attr="checklist",
        )
        .where(Flat.status == FlatStatus.MOVED_OUT)
        .order_by(Flat.status_changed_at, Flat.id),
        item,
        url_for("flats.index", status=FlatStatus.MOVED_OUT),
        _("All flats awaiting move-out inspection"),
        _("No flat is waiting for its move-out inspection."),
    )


def equipping_block() -> Block:
    """Flats being equipped, with what is missing on each checklist."""

    def item(flat):
        missing = [
            str(label) for name, label in CHECKLIST_LABELS.items() if not getattr(flat, name)
        ]
        if flat.keys_handed_over and not flat.key_count:
            missing.append(_("number of keys"))
        note = _("missing: %(items)s", items=", ".join(missing)) if missing else ""
        return Item(
            f"{flat.address}, {flat.district}", url_for("flats.detail", flat_id=flat.id), note
        )

    return listed(
        "equipping",
        _("Flats being equipped"),
        Flat.select()
        .where(Flat.status == FlatStatus.EQUIPPING)
        .order_by(Flat.status_changed_at, Flat.id),
        item,
        url_for("flats.index", status=FlatStatus.EQUIPPING),
        _("All flats being equipped"),
        _("No flat is being equipped."),
    )

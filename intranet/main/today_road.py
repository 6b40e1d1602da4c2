"""Start-page blocks about the road to a home of one's own: who is ready to move on, whose
road stands still, the flats to replace, and a contact person's residents on the road.
Every row comes from ``road.lists``, which names a protected person only to their circle."""

import datetime as dt

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..formatting import format_number
from ..models import User
from ..referrals.services import PROTECTED
from ..road import lists
from ..road.labels import STEP_LABELS
from .blocks import Block, Item


def _item(row: lists.Row, note, urgent) -> Item:
    """A resident's line: their name linked to their page with ``note(row)``, or "Protected
    personal details" and nothing of theirs."""
    if not row.shown:
        return Item(str(PROTECTED))
    url = url_for("residents.detail", tenancy_id=row.tenancy_id)
    return Item(row.name, url, note(row), urgent(row))


def _conditions_met(row: lists.Row) -> str:
    return ngettext(
        "%(met)s of %(count)s condition met",
        "%(met)s of %(count)s conditions met",
        row.conditions,
        met=format_number(row.met),
        count=format_number(row.conditions),
    )


def _residents_block(key, title, found: lists.Listed, note, link, link_text, empty, urgent=None):
    """A block of residents from a road list, each with ``note(row)``."""
    urgent = urgent or (lambda row: False)
    items = [_item(row, note, urgent) for row in found.rows]
    return Block(key, title, found.count, link, link_text, empty, items=items)


def ready_block(today: dt.date, viewer: User, found: list | None = None) -> Block:
    """Residents ready to move on, with what is next for each."""
    return _residents_block(
        "road-ready",
        _("Ready to move on"),
        lists.ready_to_move_on(today, viewer, found),
        lambda row: f"{STEP_LABELS[row.step]} · {row.next_words}",
        url_for("residents.index"),
        _("All residents"),
        _("Nobody is ready to move on yet."),
        urgent=lambda row: row.urgent,
    )


def stuck_block(today: dt.date, viewer: User, found: list | None = None) -> Block:
    """Residents on the road whose road has not changed for six months."""

    def note(row):
        since = _("nothing changed since %(date)s", date=row.last_change.isoformat())
        return f"{STEP_LABELS[row.step]} · {_conditions_met(row)} · {since}"

    return _residents_block(
        "road-stuck",
        _("Stuck on the road (nothing changed for six months)"),
        lists.stuck(today, viewer, found),
        note,
        url_for("residents.index"),
        _("All residents"),
        _("No road has stood still for six months."),
        urgent=lambda row: True,
    )


def replace_block(today: dt.date, viewer: User) -> Block:
    """Flats whose lease a resident took over in the last twelve months: each is a flat the
    unit must win again."""

    def item(row):
        if not row.shown:
            return Item(str(PROTECTED))
        return Item(
            f"{row.landlord}: {row.address}",
            url_for("flats.detail", flat_id=row.flat_id),
            _("taken over %(date)s", date=row.on.isoformat()),
        )

    found = lists.flats_to_replace(today, viewer)
    return Block(
        "road-replace",
        _("Flats to replace"),
        found.count,
        url_for("landlords.pipeline"),
        _("The pipeline: win new flats"),
        _("No flat was taken over in the last twelve months."),
        items=[item(row) for row in found.rows],
    )


def my_road_block(user: User, today: dt.date) -> Block:
    """The person's own residents on the road: the step, the conditions met and the month
    aimed at."""

    def note(row):
        note = f"{STEP_LABELS[row.step]} · {_conditions_met(row)}"
        if row.target_month:
            note += " · " + _("aimed at %(month)s", month=row.target_month.strftime("%Y-%m"))
        return note

    return _residents_block(
        "road-mine",
        _("Your residents on the road"),
        lists.on_the_road(user.id, today, user),
        note,
        url_for("residents.index", contact=user.id),
        _("All your residents"),
        _("None of your residents is on the road yet."),
    )

"""Start-page blocks about people: referrals, matches, and the residents' rent."""

import datetime as dt
import statistics

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from peewee import fn

from ..formatting import format_number
from ..models import (
    Flat,
    Match,
    MatchStatus,
    Referral,
    ReferralStatus,
    RepaymentPlan,
    Tenancy,
    User,
)
from ..referrals.labels import MATCH_STATUS_LABELS, REFERRAL_STATUS_LABELS
from ..referrals.services import (
    OPEN_STATUSES,
    ReferralFilters,
    needs_confirmation,
    referrals_list,
)
from ..rent import board as rent_board
from ..rent import ledger as rent_ledger
from ..rent import rules
from ..rent.labels import CHECKPOINT_LABELS, STATUS_LABELS
from .blocks import FIRST, Block, Item, kr, listed, person_name


def waiting_block(today: dt.date) -> Block:
    """Waiting referrals: how many, the median wait, and the first of those to confirm as
    still current; four queries that read a handful of rows however many are waiting."""
    waiting = Referral.select(Referral.received_on).where(Referral.status == ReferralStatus.WAITING)
    count = waiting.count()
    # The median from the middle one or two, read in order: no list of everyone waiting.
    middle = [
        (today - received).days
        for (received,) in waiting.order_by(Referral.received_on)
        .offset(max(0, (count - 1) // 2))
        .limit(2 - count % 2)
        .tuples()
    ]
    to_confirm = referrals_list(
        ReferralFilters(status=ReferralStatus.WAITING, to_confirm=True), today
    )

    def item(referral):
        note = _("confirm that it is still current")
        return Item(
            person_name(referral), url_for("referrals.detail", referral_id=referral.id), note, True
        )

    confirm_count = to_confirm.count()
    return Block(
        "waiting",
        _("Waiting referrals"),
        count,
        url_for("referrals.index", status=ReferralStatus.WAITING),
        _("All waiting referrals"),
        _("Nobody is waiting for a flat."),
        items=[item(r) for r in to_confirm.limit(FIRST)],
        listed=confirm_count,
        facts=[
            (_("Median days waited"), format_number(statistics.median(middle)) if middle else "—"),
            (_("To confirm as still current"), confirm_count),
        ],
    )


def my_referrals_block(user: User, today: dt.date) -> Block:
    """Open referrals the person is responsible for."""
    query = Referral.select().where(
        (Referral.responsible == user.id) & Referral.status.in_(OPEN_STATUSES)
    )

    def item(referral):
        confirm = needs_confirmation(referral, today)
        note = str(REFERRAL_STATUS_LABELS[referral.status])
        if confirm:
            note += f" · {_('confirm that it is still current')}"
        return Item(
            person_name(referral),
            url_for("referrals.detail", referral_id=referral.id),
            note,
            confirm,
        )

    return listed(
        "my-referrals",
        _("Referrals you are responsible for"),
        query.order_by(Referral.received_on, Referral.id),
        item,
        url_for("referrals.index", responsible=user.id),
        _("All your open referrals"),
        _("No open referral is yours."),
    )


def matches_block(user: User) -> Block:
    """Matches under way that the person proposed or whose referral is theirs, and the next
    step of each."""
    from ..matching.services import NEXT_STEP

    query = (
        Match.select(Match, Referral, Flat)
        .join(Referral, on=(Match.referral == Referral.id))
        .switch(Match)
        .join(Flat, on=(Match.flat == Flat.id))
        .where(
            Match.status.in_(MatchStatus.OPEN)
            & ((Referral.responsible == user.id) | (Match.proposed_by == user.id))
        )
    )

    def item(match):
        step = NEXT_STEP.get(match.status)
        note = (
            _("next: %(step)s", step=MATCH_STATUS_LABELS[step])
            if step
            else _("moves in %(date)s", date=match.move_in_date.isoformat())
        )
        text = f"{person_name(match.referral)} · {match.flat.district}"
        return Item(text, url_for("matching.match", match_id=match.id), note)

    return listed(
        "matches",
        _("Matches under way"),
        query.order_by(Match.proposed_at, Match.id),
        item,
        url_for("matching.index"),
        _("The matching page"),
        _("No match of yours is under way."),
    )


def rent_lead(today: dt.date, due: dict) -> str:
    """What today's checkpoint asks, or when the next one is."""
    if today.day == 1:
        return ngettext(
            "Today is the 1st: %(count)s reminder to send.",
            "Today is the 1st: %(count)s reminders to send.",
            due["reminder"],
            count=format_number(due["reminder"]),
        )
    if today.day == 5:
        return ngettext(
            "Today is the 5th: %(count)s home visit to make.",
            "Today is the 5th: %(count)s home visits to make.",
            due["home_visit"],
            count=format_number(due["home_visit"]),
        )
    if today.day == 15:
        return ngettext(
            "Today is the 15th: %(count)s meeting with the manager, and the commissioner to "
            "notify.",
            "Today is the 15th: %(count)s meetings with the manager, and the commissioner to "
            "notify.",
            due["manager_meeting"],
            count=format_number(due["manager_meeting"]),
        )
    if today.day < 5:
        return _("Next checkpoint: the home visits on the 5th.")
    if today.day < 15:
        return _("Next checkpoint: the meetings with the manager on the 15th.")
    return _("Next checkpoint: the reminders on the 1st.")


def rent_block(today: dt.date, contact: User | None = None, meetings: bool = False) -> Block:
    """This month's rent: the groups, the checkpoints due, and who needs action today (on
    the 15th, for the manager, the meetings to hold)."""
    month = rules.month_of(today)
    contact_id = contact.id if contact else None
    counts = rent_board.month_counts(month, today, contact=contact_id)
    due_kind = "manager_meeting" if meetings and today.day >= 15 else None
    rows = rent_board.first_rows(
        month,
        today,
        rent_board.BoardFilters(contact=contact_id, action_today=due_kind is None, due=due_kind),
        FIRST,
    )
    items = []
    for row in rows:
        due = [
            str(CHECKPOINT_LABELS[kind])
            for kind in rules.CHECKPOINTS
            if rent_board.checkpoint_state(row, kind, today) == "due"
        ]
        items.append(
            Item(
                person_name(row.charge.tenancy.referral),
                url_for("residents.rent", tenancy_id=row.charge.tenancy_id),
                f"{STATUS_LABELS[row.status(today)]} · {', '.join(due)}",
                urgent=True,
            )
        )
    facts = [(_("Needing action today"), counts["needs_action"])]
    facts += [(str(label), counts.get(code, 0)) for code, label in STATUS_LABELS.items()]
    facts += [(str(label), counts["due"][kind]) for kind, label in CHECKPOINT_LABELS.items()]
    params = {"month": month.strftime("%Y-%m"), "action_today": "y"}
    if contact_id:
        params["contact"] = contact_id
    lead = rent_lead(today, counts["due"]) if counts["all"] else _no_charges_lead(month)
    return Block(
        "rent",
        _("Your residents' rent this month") if contact else _("Rent this month"),
        counts["needs_action"],
        url_for("rent.board", **params),
        _("The rent board: those needing action"),
        _("Nobody's rent needs action today."),
        items=items,
        facts=facts,
        lead=lead,
        # From the 15th the manager's items are the meetings to hold, not all that is due.
        listed=counts["due"]["manager_meeting"] if due_kind else None,
    )


def _no_charges_lead(month: dt.date) -> str:
    if Tenancy.current().exists():
        return _("This month's rents are not opened yet: open the rent board.")
    return ""


def instalments_block(user: User, today: dt.date) -> Block:
    """Repayment instalments of the person's residents that payments have not kept yet,
    the earliest first: 4 queries (the residents with plans, then the ledger's three)."""
    people = {
        tenancy.id: tenancy
        for tenancy in Tenancy.select(Tenancy, Referral)
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .where(
            (Tenancy.contact_person == user.id)
            & Tenancy.is_current()
            & fn.EXISTS(RepaymentPlan.select().where(RepaymentPlan.tenancy == Tenancy.id))
        )
    }
    open_ = sorted(
        (state.due_on, plan.tenancy_id, state)
        for plan in rent_ledger.instalments(list(people), today).values()
        for state in plan.instalments
        if state.left > 0
    )
    items = [
        Item(
            person_name(people[tenancy_id].referral),
            url_for("residents.rent", tenancy_id=tenancy_id),
            _("%(amount)s due %(date)s", amount=kr(state.left), date=state.due_on),
            urgent=state.due_on < today,
        )
        for _day, tenancy_id, state in open_[:FIRST]
    ]
    return Block(
        "instalments",
        _("Open repayment instalments"),
        len(open_),
        url_for("rent.board", contact=user.id),
        _("Your residents on the rent board"),
        _("None of your residents has an open instalment."),
        items=items,
    )

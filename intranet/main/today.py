"""What each role's start page shows: the day's work in blocks, each with a count, its
first few items and a link to the page where the work is done.

Every block runs a fixed number of queries and shows at most ``FIRST`` items, however
much data there is.
"""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from peewee import JOIN, fn

from .. import clock
from ..flats.labels import CHECKLIST_LABELS, FLAT_STATUS_LABELS
from ..landlords.labels import STAGE_LABELS
from ..landlords.services import follow_ups_for
from ..models import (
    Flat,
    FlatStatus,
    Instalment,
    Landlord,
    LoginThrottle,
    Match,
    MatchStatus,
    Referral,
    ReferralStatus,
    RepaymentPlan,
    Role,
    Stage,
    Tenancy,
    User,
)
from ..portal.labels import CASE_KIND_LABELS
from ..portal.services import cases_for, portal_offers_for_owner
from ..referrals.labels import MATCH_STATUS_LABELS, REFERRAL_STATUS_LABELS
from ..referrals.services import needs_confirmation
from ..rent import board as rent_board
from ..rent import rules
from ..rent.labels import CHECKPOINT_LABELS, STATUS_LABELS

FIRST = 5
OPEN_REFERRAL = (
    ReferralStatus.RECEIVED,
    ReferralStatus.ASSESSING,
    ReferralStatus.WAITING,
    ReferralStatus.MATCHED,
)


@dataclass
class Item:
    """One line of a block: what it is, where to act on it, and a note."""

    text: str
    url: str | None = None
    note: str = ""
    urgent: bool = False


@dataclass
class Block:
    """A part of a start page: what it is, how many, the first few, and where to work."""

    key: str
    title: str
    count: int
    link: str
    link_text: str
    empty: str
    items: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    lead: str = ""
    # How many the items are the first of, when not ``count`` (say, the referrals to
    # confirm among all those waiting).
    listed: int | None = None

    @property
    def more(self) -> int:
        """How many more there are than the items shown."""
        total = self.count if self.listed is None else self.listed
        return max(0, total - len(self.items))


def _name(referral) -> str:
    return f"{referral.first_name} {referral.last_name}"


def _days(n: int) -> str:
    return _("%(days)s days", days=n)


# ---- flats ----------------------------------------------------------------------------


def flats_block() -> Block:
    """Flats by status, and how many of those the unit leases somebody lives in."""
    counts = dict(Flat.select(Flat.status, fn.COUNT(Flat.id)).group_by(Flat.status).tuples())
    lived_in = Tenancy.select().where(Tenancy.end_date.is_null()).count()
    leased = sum(counts.get(status, 0) for status in FlatStatus.LEASED)
    rate = f"{round(100 * lived_in / leased)} %" if leased else "—"
    facts = [(_("Lived in"), _("%(n)s of %(of)s leased flats", n=lived_in, of=leased))]
    facts.append((_("Occupancy rate"), rate))
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


def vacancy_days_this_month(ready_since: dt.date, today: dt.date) -> int:
    """The days of this month a flat ready since ``ready_since`` has stood empty up to today."""
    start = max(ready_since, rules.month_of(today) - dt.timedelta(days=1))
    return max(0, (today - start).days)


def vacant_block(today: dt.date) -> Block:
    """Ready flats nobody lives in: days vacant, what they cost, this month's cost."""
    vacant = list(
        Flat.select(
            Flat.id,
            Flat.address,
            Flat.district,
            Flat.rent_to_landlord,
            Flat.ready_since,
            Flat.status,
        )
        .where(
            (Flat.status == FlatStatus.READY)
            & Flat.id.not_in(Tenancy.select(Tenancy.flat).where(Tenancy.end_date.is_null()))
        )
        .order_by(Flat.ready_since.asc(nulls="LAST"), Flat.id)
    )
    month_cost = sum(
        (f.daily_rent() * vacancy_days_this_month(f.ready_since or today, today) for f in vacant),
        Decimal(0),
    )
    items = [
        Item(
            f"{flat.address}, {flat.district}",
            url_for("flats.detail", flat_id=flat.id),
            _("%(days)s vacant, %(cost)s so far", days=_days(d), cost=_kr(flat.daily_rent() * d)),
            urgent=d > 30,
        )
        for flat in vacant[:FIRST]
        for d in [flat.days_vacant(today) or 0]
    ]
    return Block(
        "vacant",
        _("Vacant and ready"),
        len(vacant),
        url_for("matching.index"),
        _("Match them on the matching page"),
        _("No ready flat stands empty."),
        items=items,
        facts=[(_("Vacancy cost this month"), _kr(month_cost))],
    )


def _kr(amount) -> str:
    from ..formatting import format_amount

    return format_amount(amount)


# ---- referrals and matches ----------------------------------------------------------


def waiting_block(today: dt.date) -> Block:
    """Waiting referrals: how many, the median wait, and those to confirm as still current."""
    waiting = list(
        Referral.select(
            Referral.id,
            Referral.first_name,
            Referral.last_name,
            Referral.received_on,
            Referral.last_contact_on,
            Referral.status,
        )
        .where(Referral.status == ReferralStatus.WAITING)
        .order_by(Referral.received_on, Referral.id)
    )
    waits = [(today - r.received_on).days for r in waiting]
    to_confirm = [r for r in waiting if needs_confirmation(r, today)]
    items = [
        Item(
            _name(r),
            url_for("referrals.detail", referral_id=r.id),
            _("confirm that it is still current"),
            urgent=True,
        )
        for r in to_confirm[:FIRST]
    ]
    return Block(
        "waiting",
        _("Waiting referrals"),
        len(waiting),
        url_for("referrals.index"),
        _("All open referrals"),
        _("Nobody is waiting for a flat."),
        items=items,
        listed=len(to_confirm),
        facts=[
            (_("Median days waited"), round(statistics.median(waits)) if waits else "—"),
            (_("To confirm as still current"), len(to_confirm)),
        ],
    )


def my_referrals_block(user: User, today: dt.date) -> Block:
    """Open referrals the person is responsible for."""
    query = Referral.select().where(
        (Referral.responsible == user.id) & Referral.status.in_(OPEN_REFERRAL)
    )
    rows = list(query.order_by(Referral.received_on, Referral.id).limit(FIRST))
    items = [
        Item(
            _name(r),
            url_for("referrals.detail", referral_id=r.id),
            str(REFERRAL_STATUS_LABELS[r.status])
            + (
                f" · {_('confirm that it is still current')}"
                if needs_confirmation(r, today)
                else ""
            ),
            urgent=needs_confirmation(r, today),
        )
        for r in rows
    ]
    return Block(
        "my-referrals",
        _("Referrals you are responsible for"),
        query.count(),
        url_for("referrals.index"),
        _("All open referrals"),
        _("No open referral is yours."),
        items=items,
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
    items = []
    for match in query.order_by(Match.proposed_at, Match.id).limit(FIRST):
        step = NEXT_STEP.get(match.status)
        note = (
            _("next: %(step)s", step=MATCH_STATUS_LABELS[step])
            if step
            else _("moves in %(date)s", date=match.move_in_date.isoformat())
        )
        items.append(
            Item(
                f"{_name(match.referral)} · {match.flat.district}",
                url_for("matching.match", match_id=match.id),
                note,
            )
        )
    return Block(
        "matches",
        _("Matches under way"),
        query.count(),
        url_for("matching.index"),
        _("The matching page"),
        _("No match of yours is under way."),
        items=items,
    )


# ---- rent ---------------------------------------------------------------------------


def rent_lead(today: dt.date, due: dict) -> str:
    """What today's checkpoint asks, or when the next one is."""
    if today.day == 1:
        return _("Today is the 1st: %(n)s reminders to send.", n=due["reminder"])
    if today.day == 5:
        return _("Today is the 5th: %(n)s home visits to make.", n=due["home_visit"])
    if today.day == 15:
        return _(
            "Today is the 15th: %(n)s meetings with the manager, and the commissioner to notify.",
            n=due["manager_meeting"],
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
    rows = rent_board.month_rows(
        month, today, contact=contact_id, action_today=due_kind is None, due=due_kind, limit=FIRST
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
                _name(row.charge.tenancy.referral),
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
    )


def _no_charges_lead(month: dt.date) -> str:
    if Tenancy.select().where(Tenancy.end_date.is_null()).exists():
        return _("This month's rents are not opened yet: open the rent board.")
    return ""


def instalments_block(user: User, today: dt.date) -> Block:
    """Unpaid repayment instalments of the person's residents, the earliest first."""
    query = (
        Instalment.select(Instalment, RepaymentPlan, Tenancy, Referral)
        .join(RepaymentPlan)
        .join(Tenancy, on=(RepaymentPlan.tenancy == Tenancy.id))
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .where(
            (Tenancy.contact_person == user.id)
            & Tenancy.end_date.is_null()
            & Instalment.paid_on.is_null()
        )
    )
    items = [
        Item(
            _name(i.plan.tenancy.referral),
            url_for("residents.rent", tenancy_id=i.plan.tenancy_id),
            _("%(amount)s due %(date)s", amount=_kr(i.amount), date=i.due_on.isoformat()),
            urgent=i.due_on < today,
        )
        for i in query.order_by(Instalment.due_on, Instalment.id).limit(FIRST)
    ]
    return Block(
        "instalments",
        _("Open repayment instalments"),
        query.count(),
        url_for("rent.board", contact=user.id),
        _("Your residents on the rent board"),
        _("None of your residents has an open instalment."),
        items=items,
    )


# ---- landlords and cases -------------------------------------------------------------


def landlords_block(today: dt.date) -> Block:
    """Landlords per stage, and the follow-ups that are overdue."""
    stages = dict(
        Landlord.select(Landlord.stage, fn.COUNT(Landlord.id)).group_by(Landlord.stage).tuples()
    )
    overdue = (
        Landlord.select(Landlord, User)
        .join(User, JOIN.LEFT_OUTER, on=(Landlord.owner == User.id))
        .where((Landlord.next_follow_up < today) & (Landlord.stage != Stage.DECLINED))
    )
    items = [
        Item(
            landlord.name,
            url_for("landlords.detail", landlord_id=landlord.id),
            _("follow-up %(date)s", date=landlord.next_follow_up.isoformat())
            + (f" · {landlord.owner.display_name}" if landlord.owner_id else ""),
            urgent=True,
        )
        for landlord in overdue.order_by(Landlord.next_follow_up, Landlord.id).limit(FIRST)
    ]
    return Block(
        "landlords",
        _("Follow-ups overdue"),
        overdue.count(),
        url_for("landlords.pipeline", overdue="1"),
        _("The pipeline, overdue only"),
        _("No follow-up is overdue."),
        items=items,
        facts=[(str(STAGE_LABELS[s]), stages[s]) for s in Stage.ALL if stages.get(s)],
    )


def follow_ups_block(user: User, today: dt.date) -> Block:
    """The person's landlords whose follow-up is overdue or due this week."""
    query = follow_ups_for(user, today)
    items = [
        Item(
            landlord.name,
            url_for("landlords.detail", landlord_id=landlord.id),
            _("follow-up %(date)s", date=landlord.next_follow_up.isoformat()),
            urgent=landlord.next_follow_up < today,
        )
        for landlord in query.limit(FIRST)
    ]
    return Block(
        "follow-ups",
        _("Your follow-ups this week"),
        query.count(),
        url_for("landlords.follow_ups"),
        _("All your follow-ups"),
        _("No follow-up is due this week."),
        items=items,
    )


def cases_block(kind: str | None = None) -> Block:
    """Open cases with landlords (for the caretaker: the open fault reports)."""
    query = cases_for(status="open", kind=kind)
    items = [
        Item(
            f"{case.landlord.name}: {case.flat.address}",
            url_for("portal.staff_case", case_id=case.id),
            f"{CASE_KIND_LABELS[case.kind]} · {case.opened_at.date().isoformat()}",
        )
        for case in query.limit(FIRST)
    ]
    title = _("Open fault reports") if kind else _("Open cases with landlords")
    return Block(
        "cases",
        title,
        query.count(),
        url_for("portal.cases"),
        _("All open cases"),
        _("No case is open."),
        items=items,
    )


def offers_block(user: User) -> Block:
    """Flats offered through the portal by the landlords the person owns."""
    query = portal_offers_for_owner(user)
    items = [
        Item(
            f"{flat.landlord.name}: {flat.address}",
            url_for("flats.detail", flat_id=flat.id),
            flat.created_at.date().isoformat(),
        )
        for flat in query.limit(FIRST)
    ]
    return Block(
        "offers",
        _("New flat offers from the portal"),
        query.count(),
        url_for("flats.index", status=FlatStatus.OFFERED),
        _("All offered flats"),
        _("No new offer."),
        items=items,
    )


# ---- moves -----------------------------------------------------------------------------


def move_outs_block(today: dt.date, days: int = 30) -> Block:
    """Notices given, and move-outs planned in the next ``days`` days."""
    query = Tenancy.with_people().where(
        Tenancy.end_date.is_null() & (Tenancy.move_out_date <= today + dt.timedelta(days=days))
    )
    items = [
        Item(
            _name(t.referral),
            url_for("residents.detail", tenancy_id=t.id),
            _("moves out %(date)s", date=t.move_out_date.isoformat()),
            urgent=t.move_out_date <= today,
        )
        for t in query.order_by(Tenancy.move_out_date, Tenancy.id).limit(FIRST)
    ]
    return Block(
        "move-outs",
        _("Move-outs in the next %(days)s days", days=days),
        query.count(),
        url_for("residents.index"),
        _("All residents"),
        _("No move-out is planned."),
        items=items,
    )


def moves_block(today: dt.date, days: int = 14) -> Block:
    """For the caretaker: the flats with a move-out or a move-in in the next ``days`` days,
    named by address only (who moves is not the caretaker's business)."""
    until = today + dt.timedelta(days=days)
    outs = (
        Tenancy.select(Tenancy.move_out_date.alias("day"), Flat.id, Flat.address)
        .join(Flat, on=(Tenancy.flat == Flat.id))
        .where(Tenancy.end_date.is_null() & Tenancy.move_out_date.between(today, until))
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
        _("Move-outs and move-ins in the next %(days)s days", days=days),
        len(moves),
        url_for("flats.index"),
        _("All flats"),
        _("No move is planned."),
        items=items,
    )


def equipping_block() -> Block:
    """Flats being equipped, with what is missing on each checklist."""
    query = Flat.select().where(Flat.status == FlatStatus.EQUIPPING)
    items = []
    for flat in query.order_by(Flat.status_changed_at, Flat.id).limit(FIRST):
        missing = [
            str(label) for name, label in CHECKLIST_LABELS.items() if not getattr(flat, name)
        ]
        if flat.keys_handed_over and not flat.key_count:
            missing.append(_("number of keys"))
        items.append(
            Item(
                f"{flat.address}, {flat.district}",
                url_for("flats.detail", flat_id=flat.id),
                _("missing: %(items)s", items=", ".join(missing)) if missing else "",
            )
        )
    return Block(
        "equipping",
        _("Flats being equipped"),
        query.count(),
        url_for("flats.index", status=FlatStatus.EQUIPPING),
        _("All flats being equipped"),
        _("No flat is being equipped."),
        items=items,
    )


# ---- accounts ----------------------------------------------------------------------------


def accounts_block() -> Block:
    """Active accounts per role, deactivated accounts, and accounts locked now."""
    from ..templating import ROLE_LABELS

    active = User.role_counts()
    inactive = User.select().where(User.active == False).count()  # noqa: E712
    locked = (
        LoginThrottle.select(LoginThrottle.key, LoginThrottle.locked_until)
        .where(
            LoginThrottle.key.startswith("account:") & (LoginThrottle.locked_until > clock.now())
        )
        .order_by(LoginThrottle.locked_until.desc())
    )
    items = [
        Item(
            row.key.split(":", 1)[1],
            url_for("admin.users"),
            _("locked until %(time)s", time=row.locked_until.strftime("%H:%M")),
            urgent=True,
        )
        for row in locked.limit(FIRST)
    ]
    facts = [(str(label), active.get(role, 0)) for role, label in ROLE_LABELS.items()]
    facts.append((_("Deactivated"), inactive))
    return Block(
        "accounts",
        _("Locked accounts"),
        locked.count(),
        url_for("admin.users"),
        _("Manage users"),
        _("No account is locked."),
        items=items,
        facts=facts,
    )


# ---- the pages -------------------------------------------------------------------------


def blocks_for(user: User, today: dt.date | None = None) -> list[Block]:
    """The blocks of ``user``'s start page, most pressing first."""
    today = today or clock.today()
    if user.role == Role.MANAGER:
        return [
            rent_block(today, meetings=True),
            vacant_block(today),
            waiting_block(today),
            flats_block(),
            landlords_block(today),
            offers_block(user),
            cases_block(),
            move_outs_block(today),
        ]
    if user.role == Role.STAFF:
        return [
            rent_block(today, contact=user),
            instalments_block(user, today),
            follow_ups_block(user, today),
            my_referrals_block(user, today),
            matches_block(user),
            offers_block(user),
            cases_block(),
        ]
    if user.role == Role.CARETAKER:
        return [equipping_block(), moves_block(today), cases_block(kind="fault")]
    if user.role == Role.ADMIN:
        return [accounts_block()]
    return []

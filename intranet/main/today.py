"""What each role's start page shows: the day's work in blocks, each with a count, its
first few items and a link to the page where the work is done.

Every block runs a fixed number of queries and shows at most ``FIRST`` items, however
much data there is.
"""

import datetime as dt

from flask import url_for
from flask_babel import gettext as _
from peewee import JOIN, fn

from .. import cache, clock
from ..landlords.labels import STAGE_LABELS
from ..landlords.services import follow_ups_for
from ..models import (
    Landlord,
    LoginThrottle,
    Role,
    Stage,
    User,
)
from ..portal.labels import CASE_KIND_LABELS
from ..portal.services import cases_for
from ..road.lists import roads
from .blocks import Block, Item, listed
from .today_flats import (
    equipping_block,
    flats_block,
    move_out_checklists_block,
    move_outs_block,
    moves_block,
    offers_block,
    vacant_block,
)
from .today_people import (
    instalments_block,
    matches_block,
    my_referrals_block,
    rent_block,
    waiting_block,
)
from .today_road import my_road_block, ready_block, replace_block, stuck_block


def landlords_block(today: dt.date) -> Block:
    """Landlords per stage, and the follow-ups that are overdue."""
    stages = dict(
        Landlord.select(Landlord.stage, fn.COUNT(Landlord.id)).group_by(Landlord.stage).tuples()
    )
    overdue = (
        Landlord.select(Landlord, User)
        .join(User, JOIN.LEFT_OUTER, on=(Landlord.owner == User.id))
        .where(Landlord.next_follow_up < today)
    )

    def item(landlord):
        note = _("follow-up %(date)s", date=landlord.next_follow_up.isoformat())
        if landlord.owner_id:
            note += f" · {landlord.owner.display_name}"
        return Item(landlord.name, _landlord_url(landlord), note, urgent=True)

    return listed(
        "landlords",
        _("Follow-ups overdue"),
        overdue.order_by(Landlord.next_follow_up, Landlord.id),
        item,
        url_for("landlords.pipeline", overdue="1"),
        _("The pipeline, overdue only"),
        _("No follow-up is overdue."),
        facts=[(str(STAGE_LABELS[s]), stages[s]) for s in Stage.ALL if stages.get(s)],
        facts_title=_("Landlords per stage"),
    )


def _landlord_url(landlord) -> str:
    return url_for("landlords.detail", landlord_id=landlord.id)


def follow_ups_block(user: User, today: dt.date) -> Block:
    """The person's landlords whose follow-up is overdue or due this week."""

    def item(landlord):
        note = _("follow-up %(date)s", date=landlord.next_follow_up.isoformat())
        return Item(landlord.name, _landlord_url(landlord), note, landlord.next_follow_up < today)

    return listed(
        "follow-ups",
        _("Your follow-ups this week"),
        follow_ups_for(user, today),
        item,
        url_for("landlords.follow_ups"),
        _("All your follow-ups"),
        _("No follow-up is due this week."),
    )


def cases_block(kind: str | None = None) -> Block:
    """Open cases with landlords (for the caretaker: the open fault reports)."""

    def item(case):
        return Item(
            f"{case.landlord.name}: {case.flat.address}",
            url_for("portal.staff_case", case_id=case.id),
            f"{CASE_KIND_LABELS[case.kind]} · {case.opened_at.date().isoformat()}",
        )

    return listed(
        "cases",
        _("Open fault reports") if kind else _("Open cases with landlords"),
        cases_for(status="open", kind=kind),
        item,
        url_for("portal.cases"),
        _("All open cases"),
        _("No case is open."),
    )


def approvals_block() -> Block:
    """Accounts an administrator changed, waiting for a manager's approval."""
    from ..templating import ROLE_LABELS

    def item(user):
        return Item(user.display_name, url_for("admin.approvals"), str(ROLE_LABELS[user.role]))

    return listed(
        "approvals",
        _("Accounts to approve"),
        User.awaiting_approval(),
        item,
        url_for("admin.approvals"),
        _("Review"),
        _("No account is waiting for approval."),
    )


def accounts_block() -> Block:
    """Active accounts per role, deactivated accounts, and accounts locked now."""
    from ..templating import ROLE_LABELS

    active = User.role_counts()
    inactive = User.select().where(User.active == False).count()  # noqa: E712
    locked = LoginThrottle.select(LoginThrottle.key, LoginThrottle.locked_until).where(
        LoginThrottle.key.startswith("account:") & (LoginThrottle.locked_until > clock.now())
    )

    def item(row):
        until = _("locked until %(time)s", time=row.locked_until.strftime("%H:%M"))
        return Item(row.key.split(":", 1)[1], url_for("admin.users"), until, urgent=True)

    facts = [(str(label), active.get(role, 0)) for role, label in ROLE_LABELS.items()]
    facts.append((_("Deactivated"), inactive))
    return listed(
        "accounts",
        _("Locked accounts"),
        locked.order_by(LoginThrottle.locked_until.desc()),
        item,
        url_for("admin.users"),
        _("Manage users"),
        _("No account is locked."),
        facts=facts,
    )


def _kept(block, *arguments) -> Block:
    """``block(*arguments)``, kept until a table it was read from is written to
    (``cache.kept``). A person among the arguments is kept apart by who they are."""
    key = tuple((a.id, a.role) if isinstance(a, User) else a for a in arguments)
    return cache.kept(f"start page: {block.__name__}", key, lambda: block(*arguments))


def blocks_for(user: User, today: dt.date | None = None) -> list[Block]:
    """The blocks of ``user``'s start page, most pressing first.

    The rent block and the roads are kept resident by resident (``rent.board``,
    ``road.lists``); every other block is kept whole until a table it read is written to.
    The accounts block goes by the hour (who is locked now), so it is read each time."""
    today = today or clock.today()
    if user.role == Role.MANAGER:
        # Read once for the ready and the stuck: the roads that may be either.
        on_the_road = roads(today, all_of_them=False)
        return [
            rent_block(today, meetings=True),
            _kept(vacant_block, today),
            _kept(waiting_block, today),
            _kept(flats_block),
            _kept(landlords_block, today),
            _kept(offers_block, user),
            _kept(cases_block),
            _kept(move_outs_block, today),
            ready_block(today, user, on_the_road),
            stuck_block(today, user, on_the_road),
            _kept(replace_block, today, user),
            _kept(approvals_block),
        ]
    if user.role == Role.STAFF:
        return [
            rent_block(today, contact=user),
            _kept(instalments_block, user, today),
            _kept(my_road_block, user, today),
            _kept(follow_ups_block, user, today),
            _kept(my_referrals_block, user, today),
            _kept(matches_block, user),
            _kept(offers_block, user),
            _kept(cases_block),
        ]
    if user.role == Role.CARETAKER:
        return [
            _kept(move_out_checklists_block),
            _kept(equipping_block),
            _kept(moves_block, today),
            _kept(cases_block, "fault"),
        ]
    if user.role == Role.ADMIN:
        return [accounts_block()]
    return []

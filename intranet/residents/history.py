"""A resident's history: every step taken with them, dated, with who took it and the note
written about it, newest first, a page at a time.

The steps: the referral's own status moves and rule overrides, the flats proposed and
declined, the moves in and out and the notice, the rent routine's reminders, home visits
and meetings, the repayment plans, the notices to the commissioner, the payments reversed
and the money the manager moved. The notes are read only by those ``may_read_notes``
names; everyone else who may open the page sees that a step happened, and when.
"""

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from ..formatting import format_date, format_money
from ..models import (
    AllocationMove,
    Checkpoint,
    CommissionerNotice,
    Flat,
    Match,
    MatchStatus,
    Payment,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    RentCharge,
    RepaymentPlan,
    RuleOverride,
    Tenancy,
    User,
)
from ..referrals.services import may_read_notes
from ..rent.labels import CHECKPOINT_LABELS
from .labels import OUTCOME_LABELS

# Entries on one page of the history.
PAGE_SIZE = 25

KIND_LABELS = {
    "referral_status": _l("Referral status"),
    "rule_override": _l("Eligibility rule overridden"),
    "match_proposed": _l("Flat proposed"),
    "match_declined": _l("Match declined"),
    "moved_in": _l("Moved in"),
    "notice_given": _l("Move-out date set"),
    "moved_out": _l("Moved out"),
    **CHECKPOINT_LABELS,
    "repayment_plan": _l("Repayment plan"),
    "commissioner_notice": _l("Notice to the commissioner"),
    "payment_reversed": _l("Payment reversed"),
    "money_moved": _l("Money moved between months"),
}

# Referral moves the match and the tenancy entries already tell (proposed, moved in, a
# declined match putting the person back in the queue), so they are not told twice.
_TOLD_ELSEWHERE = ReferralStatusChange.to_status.in_(
    [ReferralStatus.MATCHED, ReferralStatus.MOVED_IN]
) | (
    # The first move has no "from"; COALESCE keeps the test true or false, never NULL.
    (fn.COALESCE(ReferralStatusChange.from_status, "") == ReferralStatus.MATCHED)
    & (ReferralStatusChange.to_status == ReferralStatus.WAITING)
)


@dataclass(frozen=True)
class Entry:
    """One step: what kind, when (a moment, or a day where only the day is kept), who took
    it (a name, or None when not kept), the facts everyone who may open the page sees, and
    the note and agreed plan (None when there is none, or the reader may not read it)."""

    kind: str
    at: dt.datetime | dt.date
    who: str | None
    what: str
    note: str | None = None
    plan: str | None = None
    ident: int = 0

    @property
    def label(self):
        return KIND_LABELS[self.kind]

    @property
    def sort_key(self) -> tuple:
        """Newest first by this; a day kept without its time counts from its midnight."""
        at = self.at
        moment = at if isinstance(at, dt.datetime) else dt.datetime.combine(at, dt.time())
        return (moment, self.kind, self.ident)


@dataclass(frozen=True)
class History:
    """One page of a person's history, newest first."""

    entries: list
    page: int
    older: bool
    notes_readable: bool

    @property
    def notes_shown(self) -> bool:
        """Whether this page shows any note: then the reading is logged."""
        return any(e.note or e.plan for e in self.entries)


def resident_history(referral: Referral, viewer: User, page: int = 1) -> History:
    """Page ``page`` of the person's history, newest first, the notes in it only for those
    who may read them: a fixed number of queries however long the history (each kind of
    step reads at most the entries up to the end of the page, plus one to know if more)."""
    readable = may_read_notes(referral, viewer)
    limit = page * PAGE_SIZE + 1
    entries = []
    for source in _SOURCES:
        entries.extend(source(referral.id, limit))
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    shown = entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if not readable:
        shown = [_without_notes(e) for e in shown]
    return History(shown, page, len(entries) > page * PAGE_SIZE, readable)


def _without_notes(entry: Entry) -> Entry:
    return Entry(entry.kind, entry.at, entry.who, entry.what, None, None, entry.ident)


def _text(value) -> str | None:
    """A stored note, or None when nothing was written."""
    value = (value or "").strip()
    return value or None


def _name(user) -> str | None:
    """Who took a step, from the joined account; None where nobody is kept."""
    return user.display_name if user is not None else None


def _tenancies_of(referral_id: int):
    return Tenancy.select(Tenancy.id).where(Tenancy.referral == referral_id)


def _status_moves(referral_id: int, limit: int) -> list[Entry]:
    from ..matching.labels import DECLINE_REASON_LABELS
    from ..referrals.labels import REFERRAL_STATUS_LABELS

    query = (
        ReferralStatusChange.select(ReferralStatusChange, User)
        .join(User, JOIN.LEFT_OUTER, on=(ReferralStatusChange.changed_by == User.id))
        .where((ReferralStatusChange.referral == referral_id) & ~_TOLD_ELSEWHERE)
        .order_by(ReferralStatusChange.changed_at.desc(), ReferralStatusChange.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            "referral_status",
            c.changed_at,
            _name(c.changed_by if c.changed_by_id else None),
            str(REFERRAL_STATUS_LABELS.get(c.to_status, c.to_status)),
            _text(str(DECLINE_REASON_LABELS.get(c.reason, c.reason))),
            ident=c.id,
        )
        for c in query
    ]


def _overrides(referral_id: int, limit: int) -> list[Entry]:
    from ..referrals.labels import RULE_LABELS

    query = (
        RuleOverride.select(RuleOverride, User)
        .join(User, on=(RuleOverride.decided_by == User.id))
        .where(RuleOverride.referral == referral_id)
        .order_by(RuleOverride.decided_at.desc(), RuleOverride.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            "rule_override",
            o.decided_at,
            _name(o.decided_by),
            str(RULE_LABELS.get(o.rule, o.rule)),
            _text(o.reason),
            ident=o.id,
        )
        for o in query
    ]


def _matches(referral_id: int, limit: int) -> list[Entry]:
    """A match proposed (with why others were passed over) and, if so, declined (by which
    side, why, and the note). A person has one open match at a time, so the newest
    matches hold the newest of these steps."""
    from ..matching.labels import DECLINE_REASON_LABELS, SIDE_LABELS

    query = (
        Match.select(Match, Flat.address, User)
        .join(Flat, on=(Match.flat == Flat.id))
        .switch(Match)
        .join(User, on=(Match.proposed_by == User.id))
        .where(Match.referral == referral_id)
        .order_by(Match.id.desc())
        .limit(limit)
    )
    entries = []
    for m in query:
        address = m.flat.address
        entries.append(
            Entry(
                "match_proposed",
                m.proposed_at,
                _name(m.proposed_by),
                address,
                _text(m.passed_over_reason),
                ident=m.id,
            )
        )
        if m.status == MatchStatus.DECLINED and m.closed_at is not None:
            reason = DECLINE_REASON_LABELS.get(m.decline_reason, m.decline_reason or "")
            entries.append(
                Entry(
                    "match_declined",
                    m.closed_at,
                    str(SIDE_LABELS.get(m.declined_by_side, m.declined_by_side or "")) or None,
                    f"{address}: {reason}",
                    _text(m.decline_note),
                    ident=m.id,
                )
            )
    return entries


def _tenancy_moves(referral_id: int, limit: int) -> list[Entry]:
    """Moved in, the move-out date set, moved out with its outcome and note. A person
    lives in one flat at a time, so the newest tenancies hold the newest of these."""
    query = (
        Tenancy.select(Tenancy, Flat.address)
        .join(Flat, on=(Tenancy.flat == Flat.id))
        .where(Tenancy.referral == referral_id)
        .order_by(Tenancy.id.desc())
        .limit(limit)
    )
    entries = []
    for t in query:
        entries.append(Entry("moved_in", t.start_date, None, t.flat.address, ident=t.id))
        if t.notice_given_on is not None:
            planned = format_date(t.move_out_date)
            entries.append(Entry("notice_given", t.notice_given_on, None, planned, ident=t.id))
        if t.end_date is not None:
            outcome = str(OUTCOME_LABELS.get(t.outcome, t.outcome or ""))
            entries.append(
                Entry("moved_out", t.end_date, None, outcome, _text(t.outcome_note), ident=t.id)
            )
    return entries


def _checkpoints(referral_id: int, limit: int) -> list[Entry]:
    query = (
        Checkpoint.select(Checkpoint, RentCharge.month, User)
        .join(RentCharge, on=(Checkpoint.charge == RentCharge.id))
        .switch(Checkpoint)
        .join(User, on=(Checkpoint.done_by == User.id))
        .where(RentCharge.tenancy.in_(_tenancies_of(referral_id)))
        .order_by(Checkpoint.done_at.desc(), Checkpoint.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            c.kind,
            c.done_at,
            _name(c.done_by),
            f"{c.charge.month:%Y-%m}",
            _text(c.note),
            _text(c.plan),
            ident=c.id,
        )
        for c in query
    ]


def _plans(referral_id: int, limit: int) -> list[Entry]:
    query = (
        RepaymentPlan.select(RepaymentPlan, User)
        .join(User, on=(RepaymentPlan.created_by == User.id))
        .where(RepaymentPlan.tenancy.in_(_tenancies_of(referral_id)))
        .order_by(RepaymentPlan.created_at.desc(), RepaymentPlan.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            "repayment_plan",
            p.created_at,
            _name(p.created_by),
            format_money(p.debt),
            _text(p.note),
            ident=p.id,
        )
        for p in query
    ]


def _notices(referral_id: int, limit: int) -> list[Entry]:
    query = (
        CommissionerNotice.select(CommissionerNotice, User)
        .join(User, on=(CommissionerNotice.sent_by == User.id))
        .where(CommissionerNotice.tenancy.in_(_tenancies_of(referral_id)))
        .order_by(CommissionerNotice.sent_on.desc(), CommissionerNotice.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            "commissioner_notice",
            n.sent_on,
            _name(n.sent_by),
            f"{n.month:%Y-%m}",
            _text(n.text),
            ident=n.id,
        )
        for n in query
    ]


def _reversals(referral_id: int, limit: int) -> list[Entry]:
    """Payments reversed, with why; one reversed by the bank's own file has no person."""
    query = (
        Payment.select(Payment, User)
        .join(User, JOIN.LEFT_OUTER, on=(Payment.reversed_by == User.id))
        .where(Payment.tenancy.in_(_tenancies_of(referral_id)) & Payment.reversed_at.is_null(False))
        .order_by(Payment.reversed_at.desc(), Payment.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            "payment_reversed",
            p.reversed_at,
            _name(p.reversed_by if p.reversed_by_id else None),
            f"{format_money(p.amount)}, {format_date(p.paid_on)}",
            _text(p.reversal_reason),
            ident=p.id,
        )
        for p in query
    ]


def _money_moves(referral_id: int, limit: int) -> list[Entry]:
    query = (
        AllocationMove.select(AllocationMove, User)
        .join(User, on=(AllocationMove.moved_by == User.id))
        .where(AllocationMove.tenancy.in_(_tenancies_of(referral_id)))
        .order_by(AllocationMove.moved_at.desc(), AllocationMove.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            "money_moved",
            m.moved_at,
            _name(m.moved_by),
            format_money(m.amount),
            _text(m.reason),
            ident=m.id,
        )
        for m in query
    ]


# Each reads one kind of step in one query, newest first.
_SOURCES = (
    _status_moves,
    _overrides,
    _matches,
    _tenancy_moves,
    _checkpoints,
    _plans,
    _notices,
    _reversals,
    _money_moves,
)

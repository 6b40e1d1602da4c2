"""The rent board's read side: a month's rows, their group and checkpoints, filtered and
counted in SQL over the ledger's month summaries (``RentMonth``), so that the board answers
from a fixed number of queries however many residents and months there are.

The rules are written once, over the summary's dated sums, in ``ledger_rules``; the SQL here
states the same rules over the stored columns, and a test compares the two.
"""

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import JOIN, Case, Value, fn

from .. import cache
from ..models import (
    Allocation,
    Checkpoint,
    Flat,
    Payment,
    PlanMonth,
    Referral,
    RentCharge,
    RentMonth,
    Tenancy,
    User,
)
from . import ledger, ledger_rules, rules

ZERO = Decimal(0)


@dataclass
class MonthRow:
    """One resident's month on the board: its charge, its summary, the money it holds (each
    allocation with its payment), the tenancy's credit waiting for the next month, and the
    checkpoints done."""

    charge: RentCharge
    summary: ledger_rules.MonthSums
    held: list = field(default_factory=list)
    credit: Decimal = ZERO
    checkpoints: dict = field(default_factory=dict)
    plan_id: int | None = None  # the repayment plan that took over the month's debt

    @property
    def paid(self) -> Decimal:
        """What the month holds, wherever the money was entered."""
        return self.summary.paid_total

    @property
    def balance(self) -> Decimal:
        """What remains to pay of the month."""
        return max(ZERO, self.summary.balance)

    def status(self, today: dt.date) -> str:
        return self.summary.group(today)


def checkpoint_state(row: MonthRow, kind: str, today: dt.date) -> str:
    """For the board: 'done', 'due', 'not_needed' or 'later' (its day has not come)."""
    if kind in row.checkpoints:
        return "done"
    return ledger_rules.checkpoint_state(
        row.summary, kind, row.charge.tenancy.end_date, today, row.plan_id is not None
    )


def paid_whens(charged, paid_by_due, paid_by_limit) -> list:
    """The groups a month's dated sums decide whatever the day, as SQL: on time, late."""
    return [
        ((charged <= 0) | (paid_by_due >= charged), rules.PAID_ON_TIME),
        (paid_by_limit >= charged, rules.PAID_LATE),
    ]


def settled_group():
    """``ledger_rules.month_group`` as SQL over a month summary past its 15th (and due day):
    on time, late or not paid."""
    return Case(
        None,
        paid_whens(RentMonth.charged, RentMonth.paid_by_due, RentMonth.paid_by_limit),
        rules.NOT_PAID,
    )


class _MonthSql:
    """The month's charges joined to their summaries, and the rules as SQL over them."""

    def __init__(self, month: dt.date, today: dt.date):
        self.month, self.today = month, today
        self.days = {kind: ledger_rules.checkpoint_day(month, kind) for kind in rules.CHECKPOINTS}
        self.late_day = rules.late_limit(month)

    def query(self, *columns):
        """The month's charges with their summaries, selecting ``columns``."""
        return (
            RentCharge.select(*columns)
            .join(Tenancy)
            .switch(RentCharge)
            .join(
                RentMonth,
                JOIN.LEFT_OUTER,
                on=(RentMonth.charge == RentCharge.id),
                attr="summary_row",
            )
            .where(RentCharge.month == self.month)
        )

    @staticmethod
    def _sum(column):
        return fn.COALESCE(column, 0)

    def status(self):
        """``ledger_rules.month_group`` as SQL."""
        whens = paid_whens(
            RentCharge.amount, self._sum(RentMonth.paid_by_due), self._sum(RentMonth.paid_by_limit)
        )
        if self.today > self.late_day:
            # Past the 15th, and past the due day of a first month that falls due later.
            whens.append((RentCharge.due_on < self.today, rules.NOT_PAID))
        whens.append((self._sum(RentMonth.paid_total) > 0, rules.PARTLY_PAID))
        return Case(None, whens, rules.NOT_YET_PAID)

    def owes(self):
        """``ledger_rules.owes`` as SQL: part of the month is still unpaid today."""
        return (RentCharge.amount > 0) & (
            RentMonth.settled_on.is_null() | (RentMonth.settled_on > self.today)
        )

    def due(self, kind: str):
        """``ledger_rules.checkpoint_state`` == 'due' as SQL, less those done."""
        day = self.days[kind]
        if self.today < day:
            return Value(False)
        done = fn.EXISTS(
            Checkpoint.select(Checkpoint.id).where(
                (Checkpoint.charge == RentCharge.id) & (Checkpoint.kind == kind)
            )
        )
        in_plan = fn.EXISTS(PlanMonth.select(PlanMonth.id).where(PlanMonth.charge == RentCharge.id))
        # The columns first and the subqueries last: most months are paid, and the database
        # stops at the first false term.
        return (
            self.owes() & (RentCharge.due_on < day) & Tenancy.lived_in_since(day) & ~in_plan & ~done
        )

    def needs_action(self):
        """Any checkpoint due."""
        conditions = [self.due(kind) for kind in rules.CHECKPOINTS]
        result = conditions[0]
        for condition in conditions[1:]:
            result = result | condition
        return result


@dataclass
class BoardFilters:
    """What the board is narrowed to: a contact person, a status, those needing action today,
    one checkpoint due, one charge, one tenancy, some charges by id."""

    contact: int | None = None
    contact_name: str | None = None  # part of the contact person's name
    status: str | None = None
    action_today: bool = False
    due: str | None = None
    charge_id: int | None = None
    tenancy_id: int | None = None
    charge_ids: tuple | None = None

    def apply(self, query, sql: "_MonthSql"):
        """``query`` narrowed to these filters, in SQL."""
        if self.contact:
            query = query.where(Tenancy.contact_person == self.contact)
        if self.contact_name:
            query = query.where(
                Tenancy.contact_person.in_(Tenancy.of_contact_named(self.contact_name))
            )
        if self.status:
            query = query.where(sql.status() == self.status)
        if self.action_today:
            query = query.where(sql.needs_action())
        if self.due is not None:
            query = query.where(sql.due(self.due))
        if self.charge_id is not None:
            query = query.where(RentCharge.id == self.charge_id)
        if self.charge_ids is not None:
            query = query.where(RentCharge.id.in_(self.charge_ids))
        if self.tenancy_id is not None:
            query = query.where(RentCharge.tenancy == self.tenancy_id)
        return query

    def counted_in(self, counts: dict) -> int | None:
        """How many rows these filters keep, as the month's ``counts`` say it (``month_counts``
        for the filters' contact person, or everyone): for no further filter, one status,
        those needing action or one checkpoint due. None where the filters narrow further (a
        name, some rows) or combine two of these."""
        if self.contact_name or (self.charge_id, self.tenancy_id, self.charge_ids) != (None,) * 3:
            return None
        chosen = [f for f in (self.status, self.action_today, self.due is not None) if f]
        if len(chosen) > 1:
            return None
        if self.status:
            return counts.get(self.status, 0)
        if self.action_today:
            return counts["needs_action"]
        if self.due is not None:
            return counts["due"].get(self.due, 0)
        return counts["all"]


def _credit_waiting():
    """The tenancy's credit that no month holds yet, in öre, as a column selected with a
    charge. Summed as whole öre, so SQLite (which stores decimals as floats) sums exactly."""
    waiting = Allocation.select(fn.SUM(fn.ROUND(Allocation.amount * 100))).where(
        (Allocation.tenancy == RentCharge.tenancy) & Allocation.charge.is_null()
    )
    return waiting.alias("waiting_credit")


def _plan_of():
    """The repayment plan holding the month's debt, if any, as a column."""
    plan = PlanMonth.select(PlanMonth.plan).where(PlanMonth.charge == RentCharge.id)
    return plan.alias("in_plan")


def month_rows(
    month: dt.date,
    today: dt.date,
    filters: BoardFilters | None = None,
    limit: int | None = None,
    offset: int = 0,
    held: bool = False,
    whole: bool = False,
    **narrowing,
) -> list[MonthRow]:
    """The month's rows, filtered in SQL (``filters``, or the same as keywords), by name,
    ``limit`` of them from ``offset``, with their checkpoints and (``held``) the money each
    month holds with its payments: 2 queries, 3 with the money. The person, the contact
    person and the flat are read as far as a row draws them (the names, the record rule,
    the district); ``whole`` reads all of them, as a letter prints an address."""
    filters = filters or BoardFilters(**narrowing)
    sql = _MonthSql(month, today)
    drawn = (
        (Referral, User, Flat)
        if whole
        else (
            Referral.id,
            Referral.first_name,
            Referral.last_name,
            *Referral.record_rule_columns(),
            User.id,
            User.display_name,
            Flat.id,
            Flat.district,
        )
    )
    query = (
        sql.query(RentCharge, Tenancy, RentMonth, *drawn, _credit_waiting(), _plan_of())
        .switch(Tenancy)
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .switch(Tenancy)
        .join(User, on=(Tenancy.contact_person == User.id))
        .switch(Tenancy)
        .join(Flat, on=(Tenancy.flat == Flat.id))
        .order_by(*_BY_NAME)
    )
    if limit:
        # The page's charges are chosen first, by name alone, so that the credit and the
        # plan (a subquery each) are worked out for the rows shown, not the whole month.
        query = query.where(RentCharge.id.in_(_chosen(sql, filters, limit, offset)))
    else:
        query = filters.apply(query, sql)
    return _with_money_and_checkpoints(list(query), held)


_BY_NAME = (Referral.last_name, Referral.first_name, RentCharge.id)


def _chosen(sql: "_MonthSql", filters: BoardFilters, limit: int, offset: int = 0):
    """The ids of the month's charges the filters keep, ``limit`` of them by name from
    ``offset``, as a query."""
    kept = filters.apply(
        sql.query(RentCharge.id)
        .switch(Tenancy)
        .join(Referral, on=(Tenancy.referral == Referral.id)),
        sql,
    )
    return kept.order_by(*_BY_NAME).limit(limit).offset(offset)


def first_rows(month: dt.date, today: dt.date, filters: BoardFilters, limit: int) -> list[MonthRow]:
    """The first ``limit`` rows by name that ``filters`` keep, as a start page lists them:
    which they are is kept between requests with the month's counts (and the names), and
    the rows are read by their ids."""
    *classed, referral = cache.changes(*CLASSED_FROM, "referral")
    version = (today, *classed)  # as ``_month_classes`` keeps the month's residents
    owners = _month_owners(month, version)
    stamps = ledger.stamps()
    # A payment to a resident the filters cannot keep (another contact person's) leaves
    # the kept rows as they are.
    ledgers = tuple(
        stamps.get(t, 0) for t, c in owners.items() if not filters.contact or c == filters.contact
    )
    ids = cache.remembered(
        "first rows",
        (month, dataclasses.astuple(filters), limit),
        (*version, referral, ledgers),
        lambda: tuple(row.id for row in _chosen(_MonthSql(month, today), filters, limit)),
    )
    # Read even for none: a page's queries do not depend on its rows.
    return month_rows(month, today, charge_ids=ids)


def month_count(month: dt.date, today: dt.date, filters: BoardFilters) -> int:
    """How many of the month's rows the filters keep: one query."""
    return month_charge_ids(month, today, filters).count()


def month_charge_ids(month: dt.date, today: dt.date, filters: BoardFilters):
    """The ids of the month's charges the filters keep, as a query."""
    sql = _MonthSql(month, today)
    return filters.apply(sql.query(RentCharge.id), sql)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _kronor(ore) -> Decimal:
    """Whole öre, as a sum returns them (an int, a float or a decimal), in kronor."""
    return (Decimal(int(ore or 0)) / 100).quantize(Decimal("0.01"))


def _sums(charge: RentCharge) -> ledger_rules.MonthSums:
    """The summary read with ``charge`` (nothing paid if the month has none yet)."""
    row = getattr(charge, "summary_row", None)
    return ledger_rules.MonthSums(
        charge.month,
        charge.due_on,
        _money(charge.amount),
        _money(row.paid_by_due if row else 0),
        _money(row.paid_by_limit if row else 0),
        _money(row.paid_total if row else 0),
        row.settled_on if row else None,
    )


def _with_money_and_checkpoints(charges, with_held: bool) -> list[MonthRow]:
    """Rows for ``charges`` (selected with ``_summary_columns``): the checkpoints done, and
    (``with_held``) the money each month holds with its payments: a query each."""
    ids = [c.id for c in charges]
    held: dict = {}
    for allocation in (
        Allocation.select(Allocation, Payment)
        .join(Payment)
        .where(Allocation.charge.in_(ids))
        .order_by(Allocation.day, Allocation.id)
        if with_held
        else ()
    ):
        held.setdefault(allocation.charge_id, []).append(allocation)
    checkpoints: dict = {}
    for checkpoint in (
        Checkpoint.select(Checkpoint, User).join(User).where(Checkpoint.charge.in_(ids))
    ):
        checkpoints.setdefault(checkpoint.charge_id, {})[checkpoint.kind] = checkpoint
    return [
        MonthRow(
            charge,
            _sums(charge),
            held.get(charge.id, []),
            _kronor(getattr(charge, "waiting_credit", 0)),
            checkpoints.get(charge.id, {}),
            getattr(charge, "in_plan", None),
        )
        for charge in charges
    ]


# What a month's counts are read from besides the months' summaries and the checkpoints
# done (which the ledger's stamps follow resident by resident): its charges, the months in
# repayment plans, and the tenancies (who lives there, and whose).
CLASSED_FROM = ("rent_charge", "plan_month", "tenancy")
# Past this many residents to read again, the whole month is read in one pass.
WHOLE_MONTH_FROM = 200


def month_counts(month: dt.date, today: dt.date, contact: int | None = None) -> dict:
    """How many residents are in each status, the checkpoints due, how many residents need
    action and how many charges there are, over the whole month or one contact person's
    residents, whatever the board shows.

    Each resident's place in the month (``_month_classes``) is kept between requests with
    their ledger's stamp: after a payment or a checkpoint done only that resident's month is
    read again, and the counts are summed from what is kept. A write to the charges, the
    plans or the tenancies, or a new day, reads the whole month again."""
    classes, owners = _month_classes(month, today)
    ids = [t for t, owner in owners.items() if owner == contact] if contact else owners
    # The places are few kinds (a status and the checkpoints due): count each kind once.
    places = Counter(classes[tenancy_id] for tenancy_id in ids)
    result: dict = {"due": dict.fromkeys(rules.CHECKPOINTS, 0), "needs_action": 0, "all": 0}
    for (status, due), n in places.items():
        result[status] = result.get(status, 0) + n
        result["all"] += n
        result["needs_action"] += n if any(due) else 0
        for kind, is_due in zip(rules.CHECKPOINTS, due, strict=True):
            result["due"][kind] += n if is_due else 0
    return result


def _month_classes(month: dt.date, today: dt.date) -> tuple[dict, dict]:
    """Each charged resident's status and checkpoints due in ``month`` ({tenancy: (status,
    (due, ...))}), and their contact person ({tenancy: contact}): who is charged is kept
    until a charge or a tenancy is written, each resident's place until their ledger's stamp
    moves (``cache.remembered_rows``)."""
    version = (today, *cache.changes(*CLASSED_FROM))
    owners = _month_owners(month, version)
    classes = cache.remembered_rows(
        ("month's places", month),
        version,
        ledger.stamps(),
        owners,
        lambda tenancy_ids: _classes(month, today, tenancy_ids),
    )
    return classes, owners


def _month_owners(month: dt.date, version: tuple) -> dict:
    """The residents charged in ``month`` and their contact persons ({tenancy: contact}),
    kept at ``version`` (which holds the counts of the charges and the tenancies)."""
    return cache.remembered(
        "month's residents",
        month,
        version,
        lambda: dict(
            RentCharge.select(RentCharge.tenancy, Tenancy.contact_person)
            .join(Tenancy)
            .where(RentCharge.month == month)
            .tuples()
        ),
    )


def _classes(month: dt.date, today: dt.date, tenancy_ids: list) -> dict:
    """The status and the checkpoints due of these residents' charges for ``month``, as
    SQL states the rules (``_MonthSql``): one query."""
    sql = _MonthSql(month, today)
    due = [Case(None, [(sql.due(kind), 1)], 0).alias(kind) for kind in rules.CHECKPOINTS]
    rows = sql.query(RentCharge.tenancy.alias("tenancy_id"), sql.status().alias("status"), *due)
    if len(tenancy_ids) <= WHOLE_MONTH_FROM:
        rows = rows.where(RentCharge.tenancy.in_(tenancy_ids))
    return {
        row["tenancy_id"]: (row["status"], tuple(bool(row[k]) for k in rules.CHECKPOINTS))
        for row in rows.dicts()
    }


def tenancy_rows(tenancy_id: int) -> list[MonthRow]:
    """One resident's months, oldest first, from their summaries: 3 queries."""
    charges = (
        RentCharge.select(RentCharge, Tenancy, RentMonth, _credit_waiting(), _plan_of())
        .join(Tenancy)
        .switch(RentCharge)
        .join(
            RentMonth, JOIN.LEFT_OUTER, on=(RentMonth.charge == RentCharge.id), attr="summary_row"
        )
        .where(RentCharge.tenancy == tenancy_id)
        .order_by(RentCharge.month)
    )
    return _with_money_and_checkpoints(list(charges), True)

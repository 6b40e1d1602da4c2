"""The rent board's read side: a month's rows, their status and checkpoints, filtered and
counted in SQL, so that the board answers from a fixed number of queries however many
residents there are.

The rules themselves are written once, over dates and amounts, in ``rules.py``; the SQL
here states the same rules over the database's sums, and a test compares the two.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import JOIN, SQL, Case, Value, fn

from ..models import Checkpoint, Flat, Payment, Referral, RentCharge, Tenancy, User
from . import rules

# Amounts are whole öre; SQLite sums them as floating point, so "paid in full" allows
# half an öre of rounding. PostgreSQL sums exactly and is not affected.
HALF_ORE = Decimal("0.005")


@dataclass
class MonthRow:
    """One resident's month on the board."""

    charge: RentCharge
    payments: list = field(default_factory=list)
    credit_in: Decimal = Decimal(0)
    checkpoints: dict = field(default_factory=dict)

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))

    @property
    def balance(self) -> Decimal:
        """What remains to pay; negative is credit carried to the next month."""
        return self.charge.amount - self.credit_in - self.paid

    def dated(self) -> list:
        """The month's money as [(date, amount)]: a credit from earlier months counts as
        there on the due date."""
        dated = [(self.charge.due_on, self.credit_in)] if self.credit_in else []
        return dated + [(p.paid_on, p.amount) for p in self.payments]

    def status(self, today: dt.date) -> str:
        return rules.status(self.charge.amount, self.dated(), self.charge.month, today)


def checkpoint_state(row: MonthRow, kind: str, today: dt.date) -> str:
    """For the board: 'done', 'due', 'not_needed' or 'later' (its day has not come)."""
    if kind in row.checkpoints:
        return "done"
    needed = rules.checkpoint_needed(kind, row.charge.amount, row.dated(), row.charge.month, today)
    if needed is None:
        return "later"
    return "due" if needed else "not_needed"


class _MonthSql:
    """The month's sums per charge as subqueries, and the rules as SQL expressions over them."""

    def __init__(self, month: dt.date, today: dt.date):
        self.month, self.today = month, today
        days = {"due": rules.due_date(month), "late": rules.late_limit(month)}
        days.update({kind: month.replace(day=day) for kind, day in rules.CHECKPOINTS.items()})
        self.days = days
        self.paid = (
            Payment.select(
                Payment.charge,
                fn.SUM(Payment.amount).alias("total"),
                *[
                    fn.SUM(Case(None, [(Payment.paid_on <= day, Payment.amount)], 0)).alias(name)
                    for name, day in days.items()
                ],
            )
            .join(RentCharge)
            .where((RentCharge.month == month) & Payment.reversed_at.is_null())
            .group_by(Payment.charge)
            .alias("paid")
        )
        earlier = RentCharge.alias("earlier")
        self.charged_before = (
            earlier.select(earlier.tenancy, fn.SUM(earlier.amount).alias("charged"))
            .where(earlier.month < month)
            .group_by(earlier.tenancy)
            .alias("charged_before")
        )
        paid_charge = RentCharge.alias("paid_charge")
        self.paid_before = (
            Payment.select(paid_charge.tenancy, fn.SUM(Payment.amount).alias("paid"))
            .join(paid_charge, on=(Payment.charge == paid_charge.id))
            .where((paid_charge.month < month) & Payment.reversed_at.is_null())
            .group_by(paid_charge.tenancy)
            .alias("paid_before")
        )
        carried = fn.COALESCE(self.paid_before.c.paid, 0) - fn.COALESCE(
            self.charged_before.c.charged, 0
        )
        self.credit = Case(None, [(carried > 0, carried)], 0)

    def query(self, *columns):
        """The month's charges joined to their sums, selecting ``columns``."""
        return (
            RentCharge.select(*columns)
            .join(Tenancy)
            .join(self.paid, JOIN.LEFT_OUTER, on=(self.paid.c.charge_id == RentCharge.id))
            .join(
                self.charged_before,
                JOIN.LEFT_OUTER,
                on=(self.charged_before.c.tenancy_id == RentCharge.tenancy),
            )
            .join(
                self.paid_before,
                JOIN.LEFT_OUTER,
                on=(self.paid_before.c.tenancy_id == RentCharge.tenancy),
            )
            .where(RentCharge.month == self.month)
        )

    def _had_in_full_by(self, day_name: str):
        by_then = self.credit + fn.COALESCE(getattr(self.paid.c, day_name), 0)
        return by_then >= RentCharge.amount - HALF_ORE

    def status(self):
        """rules.status as SQL."""
        nothing_due = RentCharge.amount <= 0
        whens = [
            (nothing_due | self._had_in_full_by("due"), rules.PAID_ON_TIME),
            (self._had_in_full_by("late"), rules.PAID_LATE),
        ]
        if self.today > self.days["late"]:
            return Case(None, whens, rules.NOT_PAID)
        something = (self.credit + fn.COALESCE(self.paid.c.total, 0)) > 0
        return Case(None, [*whens, (something, rules.PARTLY_PAID)], rules.NOT_YET_PAID)

    def due(self, kind: str):
        """A checkpoint is due: its day has come, it is not done, and the rent was short then."""
        if self.today < self.days[kind]:
            return Value(False)
        done = fn.EXISTS(
            Checkpoint.select(Checkpoint.id).where(
                (Checkpoint.charge == RentCharge.id) & (Checkpoint.kind == kind)
            )
        )
        return (RentCharge.amount > 0) & ~done & ~self._had_in_full_by(kind)

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
    one checkpoint due, one charge, one tenancy."""

    contact: int | None = None
    status: str | None = None
    action_today: bool = False
    due: str | None = None
    charge_id: int | None = None
    tenancy_id: int | None = None

    def apply(self, query, sql: "_MonthSql"):
        """``query`` narrowed to these filters, in SQL."""
        if self.contact:
            query = query.where(Tenancy.contact_person == self.contact)
        if self.status:
            query = query.where(sql.status() == self.status)
        if self.action_today:
            query = query.where(sql.needs_action())
        if self.due is not None:
            query = query.where(sql.due(self.due))
        if self.charge_id is not None:
            query = query.where(RentCharge.id == self.charge_id)
        if self.tenancy_id is not None:
            query = query.where(RentCharge.tenancy == self.tenancy_id)
        return query


def month_rows(
    month: dt.date,
    today: dt.date,
    filters: BoardFilters | None = None,
    limit: int | None = None,
    offset: int = 0,
    **narrowing,
) -> list[MonthRow]:
    """The month's rows, filtered in SQL (``filters``, or the same as keywords), by name,
    ``limit`` of them from ``offset``, with payments and checkpoints: 3 queries."""
    filters = filters or BoardFilters(**narrowing)
    sql = _MonthSql(month, today)
    query = filters.apply(
        sql.query(RentCharge, Tenancy, Referral, User, Flat, sql.credit.alias("credit_in"))
        .switch(Tenancy)
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .switch(Tenancy)
        .join(User, on=(Tenancy.contact_person == User.id))
        .switch(Tenancy)
        .join(Flat, on=(Tenancy.flat == Flat.id))
        .order_by(Referral.last_name, Referral.first_name, RentCharge.id),
        sql,
    )
    if limit:
        query = query.limit(limit).offset(offset)
    charges = list(query)
    return _with_payments_and_checkpoints(charges, {c.id: _money(c.credit_in) for c in charges})


def month_count(month: dt.date, today: dt.date, filters: BoardFilters) -> int:
    """How many of the month's rows the filters keep: one query."""
    return month_charge_ids(month, today, filters).count()


def month_charge_ids(month: dt.date, today: dt.date, filters: BoardFilters):
    """The ids of the month's charges the filters keep, as a query."""
    sql = _MonthSql(month, today)
    return filters.apply(sql.query(RentCharge.id), sql)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _with_payments_and_checkpoints(charges, credits: dict) -> list[MonthRow]:
    ids = [c.id for c in charges]
    payments: dict = {}
    for payment in (
        Payment.select()
        .where(Payment.charge.in_(ids) & Payment.reversed_at.is_null())
        .order_by(Payment.paid_on, Payment.id)
    ):
        payments.setdefault(payment.charge_id, []).append(payment)
    checkpoints: dict = {}
    for checkpoint in (
        Checkpoint.select(Checkpoint, User).join(User).where(Checkpoint.charge.in_(ids))
    ):
        checkpoints.setdefault(checkpoint.charge_id, {})[checkpoint.kind] = checkpoint
    return [
        MonthRow(
            charge,
            payments.get(charge.id, []),
            credits.get(charge.id, Decimal(0)),
            checkpoints.get(charge.id, {}),
        )
        for charge in charges
    ]


def month_counts(month: dt.date, today: dt.date, contact: int | None = None) -> dict:
    """How many residents are in each status, the checkpoints due, how many residents need
    action and how many charges there are: one aggregate query over the whole month (or one
    contact person's residents), whatever the board shows."""
    sql = _MonthSql(month, today)
    status = sql.status()

    def how_many(condition):
        return fn.SUM(Case(None, [(condition, 1)], 0))

    due = [how_many(sql.due(kind)).alias(kind) for kind in rules.CHECKPOINTS]
    result: dict = {"due": dict.fromkeys(rules.CHECKPOINTS, 0), "needs_action": 0, "all": 0}
    rows = sql.query(
        status.alias("board_status"),
        fn.COUNT(RentCharge.id).alias("n"),
        how_many(sql.needs_action()).alias("needs_action"),
        *due,
    )
    if contact:
        rows = rows.where(Tenancy.contact_person == contact)
    # Grouped by the output name: PostgreSQL would not see two parameterised CASEs as one.
    for row in rows.group_by(SQL('"board_status"')).dicts():
        result[row["board_status"]] = row["n"]
        result["all"] += row["n"]
        result["needs_action"] += int(row["needs_action"] or 0)
        for kind in rules.CHECKPOINTS:
            result["due"][kind] += int(row[kind] or 0)
    return result


def tenancy_rows(tenancy_id: int) -> list[MonthRow]:
    """One resident's months, oldest first, each with the credit carried into it by the
    board's rule (all paid before it minus all charged before it, when above 0): 3 queries."""
    charges = list(
        RentCharge.select().where(RentCharge.tenancy == tenancy_id).order_by(RentCharge.month)
    )
    rows = _with_payments_and_checkpoints(charges, {})
    charged = paid = Decimal(0)
    for row in rows:
        row.credit_in = max(Decimal(0), paid - charged)
        charged += row.charge.amount
        paid += row.paid
    return rows

"""Three years of demo rent with realistic patterns, checkpoints and a few repayment plans.

Written in bulk (a few statements per unit, whatever its size), so that a city's worth of
units loads in minutes.
"""

import datetime as dt
from decimal import Decimal

from .. import clock
from ..demo import DemoContext, demo_part
from ..models import Checkpoint, Payment, RentCharge, RentMonth, Role
from . import ledger, rules
from .services import charge_rows

MONTHS = 36
# How residents pay: (share of months on time, share paid late); the rest not paid by the 15th.
PROFILES = {"steady": (0.95, 0.04), "phases": (0.75, 0.15), "struggling": (0.5, 0.3)}
BATCH = 500


def _months(today: dt.date) -> list[dt.date]:
    """The last ``MONTHS`` months, oldest first, this one last."""
    month, months = rules.month_of(today), []
    for _ in range(MONTHS):
        months.append(month)
        month = rules.month_of(month - dt.timedelta(days=1))
    return months[::-1]


def _insert(model, rows: list) -> None:
    for start in range(0, len(rows), BATCH):
        model.insert_many(rows[start : start + BATCH]).execute()


def _paid_on(rng, profile: str, month: dt.date, due_on: dt.date) -> dt.date | None:
    on_time, late = PROFILES[profile]
    if profile == "phases" and month.month in (11, 12, 1):
        on_time, late = 0.3, 0.4  # the dark months are the hard ones
    roll = rng.random()
    if roll < on_time:
        return due_on - dt.timedelta(days=rng.randint(0, 5))
    if roll < on_time + late:
        return month + dt.timedelta(days=rng.randint(1, 13))
    return None


@demo_part(60)
def rent(context: DemoContext) -> None:
    """Charges for the last three years, paid in each resident's pattern."""
    rng = context.rng(515)
    today, now = clock.today(), clock.now()
    staff = context.users[Role.STAFF]
    months = _months(today)
    tenancies = context.extra.get("tenancies", [])
    _insert(RentCharge, charge_rows(tenancies, months, now))
    charges = (
        RentCharge.select(RentCharge.id, RentCharge.tenancy, RentCharge.month, RentCharge.amount)
        .where(RentCharge.tenancy.in_([t.id for t in tenancies]))
        .order_by(RentCharge.tenancy, RentCharge.month)
        .tuples()
    )
    profiles: dict = {}
    payments, checkpoints = [], []

    def pay(tenancy_id, charge_id, paid_on, amount, key):
        payments.append(
            {
                "tenancy": tenancy_id,
                "charge": charge_id,
                "paid_on": paid_on,
                "amount": amount,
                "method": rng.choice(["bank_transfer", "swish", "swish", "cash"]),
                "registered_by": staff.id,
                "registered_at": now,
                "request_key": f"demo-{context.unit}-{key}",
            }
        )

    for charge_id, tenancy_id, month, amount in charges:
        profile = profiles.setdefault(tenancy_id, rng.choices(list(PROFILES), weights=[6, 3, 1])[0])
        paid_on = _paid_on(rng, profile, month, rules.due_date(month))
        if paid_on is not None and paid_on <= today:
            pay(tenancy_id, charge_id, paid_on, amount, charge_id)
            continue
        # Most who miss the 15th pay the month later in the month, so that their next
        # payment is not swallowed by the old debt (a payment pays the oldest month first).
        caught_up = month + dt.timedelta(days=rng.randint(16, 26))
        if caught_up <= today and rng.random() < 0.75:
            pay(tenancy_id, charge_id, caught_up, amount, f"{charge_id}-later")
        for kind, day in rules.CHECKPOINTS.items():
            if month.replace(day=day) <= today and rng.random() < 0.85:
                checkpoints.append(
                    {
                        "charge": charge_id,
                        "kind": kind,
                        "done_by": staff.id,
                        "done_at": dt.datetime.combine(month.replace(day=day), dt.time(11)),
                        "note": "" if kind == "reminder" else "Hemma, lönen kom sent",
                        "plan": "" if kind == "reminder" else "Betalar halva nu, resten den 25:e",
                    }
                )
    _insert(Payment, payments)
    ledger.rebuild([t.id for t in tenancies])
    _insert(Checkpoint, checkpoints)
    _plans(context, [t.id for t in tenancies], today)


def _plans(context: DemoContext, tenancy_ids: list, today: dt.date) -> None:
    """Repayment plans for three residents with debts past their due day, in two
    instalments, made through the ledger like any plan."""
    owed: dict = {}
    for charge_id, tenancy_id, charged, paid in (
        RentMonth.select(
            RentMonth.charge, RentMonth.tenancy, RentMonth.charged, RentMonth.paid_total
        )
        .where(
            RentMonth.tenancy.in_(tenancy_ids)
            & (RentMonth.paid_total < RentMonth.charged)
            & (RentMonth.due_on < today)
        )
        .order_by(RentMonth.tenancy, RentMonth.month)
        .tuples()
    ):
        owed.setdefault(tenancy_id, []).append((charge_id, Decimal(charged) - Decimal(paid)))
    for tenancy_id, months in sorted(owed.items())[:3]:
        debt = sum((left for _charge, left in months), Decimal(0))
        half = (debt / 2).quantize(Decimal(1))
        first = max(today + dt.timedelta(days=1), rules.month_of(today) + dt.timedelta(days=24))
        instalments = [(first, half), (first + dt.timedelta(days=30), debt - half)]
        ledger.add_plan(
            tenancy_id,
            [charge for charge, _left in months],
            instalments,
            "Avtalat vid mötet den 15:e",
            context.users[Role.MANAGER],
        )

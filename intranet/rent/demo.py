"""Three years of demo rent with realistic patterns, checkpoints and a few repayment plans.

Written in bulk (a few statements per unit, whatever its size), so that a city's worth of
units loads in minutes.
"""

import datetime as dt
from decimal import Decimal

from .. import clock
from ..demo import DemoContext, demo_part
from ..models import Checkpoint, Instalment, Payment, RentCharge, RepaymentPlan, Role
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
    unpaid_recently: dict = {}
    for charge_id, tenancy_id, month, amount in charges:
        profile = profiles.setdefault(tenancy_id, rng.choices(list(PROFILES), weights=[6, 3, 1])[0])
        paid_on = _paid_on(rng, profile, month, rules.due_date(month))
        if paid_on is not None and paid_on <= today:
            payments.append(
                {
                    "tenancy": tenancy_id,
                    "charge": charge_id,
                    "paid_on": paid_on,
                    "amount": amount,
                    "method": rng.choice(["bank_transfer", "swish", "swish", "cash"]),
                    "registered_by": staff.id,
                    "registered_at": now,
                    "request_key": f"demo-{context.unit}-{charge_id}",
                }
            )
            continue
        if month >= months[-4]:
            unpaid_recently[tenancy_id] = unpaid_recently.get(tenancy_id, Decimal(0)) + amount
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
    _plans(context, unpaid_recently, today)


def _plans(context: DemoContext, unpaid: dict, today: dt.date) -> None:
    """Repayment plans for three residents with recent debts, in two instalments."""
    for tenancy_id, debt in sorted(unpaid.items())[:3]:
        plan = RepaymentPlan.create(
            tenancy=tenancy_id,
            debt=debt,
            note="Avtalat vid mötet den 15:e",
            created_by=context.users[Role.MANAGER],
        )
        half = (debt / 2).quantize(Decimal(1))
        for number, amount in enumerate([half, debt - half], start=1):
            Instalment.create(
                plan=plan,
                due_on=rules.month_of(today) + dt.timedelta(days=24 + 30 * (number - 1)),
                amount=amount,
            )

"""Three years of demo rent with realistic patterns, checkpoints and a few repayment plans."""

import datetime as dt
import random
from decimal import Decimal

from .. import clock
from ..demo import DemoContext, demo_part
from ..models import Checkpoint, Instalment, Payment, RentCharge, RepaymentPlan, Role
from . import rules, services

MONTHS = 36
# How residents pay: (share of months on time, share paid late); the rest not paid by the 15th.
PROFILES = {"steady": (0.95, 0.04), "phases": (0.75, 0.15), "struggling": (0.5, 0.3)}


@demo_part(60)
def rent(context: DemoContext) -> None:
    """Charges for the last three years, paid in each resident's pattern."""
    rng = random.Random(515)
    today = clock.today()
    staff = context.users[Role.STAFF]
    month = rules.month_of(today)
    months = []
    for _ in range(MONTHS):
        months.append(month)
        month = rules.month_of(month - dt.timedelta(days=1))
    for month in reversed(months):
        services.open_month(month)
    profiles: dict = {}
    key = 0
    unpaid_recently: dict = {}
    for charge in RentCharge.select().order_by(RentCharge.tenancy, RentCharge.month):
        profile = profiles.setdefault(
            charge.tenancy_id, rng.choices(list(PROFILES), weights=[6, 3, 1])[0]
        )
        on_time, late = PROFILES[profile]
        if profile == "phases" and charge.month.month in (11, 12, 1):
            on_time, late = 0.3, 0.4  # the dark months are the hard ones
        roll = rng.random()
        if roll < on_time:
            paid_on = charge.due_on - dt.timedelta(days=rng.randint(0, 5))
        elif roll < on_time + late:
            paid_on = charge.month + dt.timedelta(days=rng.randint(1, 13))
        else:
            paid_on = None
        if paid_on is not None and paid_on <= today:
            key += 1
            Payment.create(
                charge=charge,
                paid_on=paid_on,
                amount=charge.amount,
                method=rng.choice(["bank_transfer", "swish", "swish", "cash"]),
                registered_by=staff,
                request_key=f"demo-{key}",
            )
            continue
        if charge.month >= months[3]:
            unpaid_recently[charge.tenancy_id] = (
                unpaid_recently.get(charge.tenancy_id, Decimal(0)) + charge.amount
            )
        for kind, day in rules.CHECKPOINTS.items():
            if charge.month.replace(day=day) <= today and rng.random() < 0.85:
                Checkpoint.create(
                    charge=charge,
                    kind=kind,
                    done_by=staff,
                    done_at=dt.datetime.combine(charge.month.replace(day=day), dt.time(11)),
                    note="" if kind == "reminder" else "Hemma, lönen kom sent",
                    plan="" if kind == "reminder" else "Betalar halva nu, resten den 25:e",
                )
    for tenancy_id, debt in sorted(unpaid_recently.items())[:3]:
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

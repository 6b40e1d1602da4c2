"""Six months of demo rent: most paid on time, some late, some not paid, with checkpoints done."""

import datetime as dt
import random

from .. import clock
from ..demo import DemoContext, demo_part
from ..models import Checkpoint, Payment, RentCharge, Role
from . import rules, services


@demo_part(60)
def rent(context: DemoContext) -> None:
    """Charges for the last six months and this one, with a realistic spread of payments."""
    rng = random.Random(515)
    today = clock.today()
    staff = context.users[Role.STAFF]
    month = rules.month_of(today)
    months = []
    for _ in range(7):
        months.append(month)
        month = rules.month_of(month - dt.timedelta(days=1))
    for month in reversed(months):
        services.open_month(month)
    key = 0
    for charge in RentCharge.select().order_by(RentCharge.month, RentCharge.id):
        roll = rng.random()
        if charge.month == rules.month_of(today) and today.day < 3:
            continue
        if roll < 0.7:
            paid_on = charge.due_on - dt.timedelta(days=rng.randint(0, 5))
        elif roll < 0.88:
            paid_on = charge.month + dt.timedelta(days=rng.randint(1, 13))
        else:
            paid_on = None  # not paid
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
        else:
            for kind, day in rules.CHECKPOINTS.items():
                if charge.month.replace(day=day) <= today and rng.random() < 0.8:
                    Checkpoint.create(
                        charge=charge,
                        kind=kind,
                        done_by=staff,
                        done_at=dt.datetime.combine(charge.month.replace(day=day), dt.time(11)),
                        note="Hemma, mår dåligt" if kind != "reminder" else "",
                        plan="Betalar halva nu, resten den 25:e" if kind != "reminder" else "",
                    )

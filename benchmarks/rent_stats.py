"""How long the rent statistics take for 3 years × 500 residents (a benchmark, not a test).

Builds the data in a throwaway SQLite file with the real migrations, then
times what the statistics page computes.
"""

import datetime as dt
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

RESIDENTS, MONTHS = 500, 36


def main() -> None:
    from intranet import create_app
    from intranet.extensions import db
    from intranet.migrate import upgrade
    from intranet.models import (
        Commissioner,
        Flat,
        Landlord,
        Payment,
        Referral,
        RentCharge,
        Tenancy,
        User,
    )
    from intranet.rent import ledger, rules, stats

    rng = random.Random(7)
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{path}"})
    today = dt.date(2027, 3, 20)
    with app.app_context():
        db.connect()
        upgrade()
        with db.atomic():
            staff = User.create(email="s@x", display_name="S", role="staff", password_hash="x")
            landlord = Landlord.create(name="L")
            commissioner = Commissioner.create(name="C")
            first = rules.month_of(today)
            months = []
            for _ in range(MONTHS):
                months.append(first)
                first = rules.month_of(first - dt.timedelta(days=1))
            months.reverse()
            charges, payments = [], []
            for n in range(RESIDENTS):
                flat = Flat.create(
                    landlord=landlord,
                    address=f"G {n}",
                    postcode="1",
                    district="D",
                    rooms=1,
                    size_m2=40,
                    floor=0,
                    rent_to_landlord=6000,
                    rent_to_resident=6000,
                )
                person = Referral.create(
                    received_on=months[0],
                    commissioner=commissioner,
                    first_name=f"P{n}",
                    last_name="X",
                    birth_date=dt.date(1990, 1, 1),
                    gender="other",
                    target_group="other",
                )
                tenancy = Tenancy.create(
                    flat=flat,
                    referral=person,
                    contact_person=staff,
                    start_date=months[0],
                    rent=6000,
                )
                charges += [
                    {"tenancy": tenancy.id, "month": m, "amount": 6000, "due_on": rules.due_date(m)}
                    for m in months
                ]
            for batch in range(0, len(charges), 500):
                RentCharge.insert_many(charges[batch : batch + 500]).execute()
            for charge in RentCharge.select(
                RentCharge.id, RentCharge.tenancy, RentCharge.month, RentCharge.due_on
            ):
                if rng.random() < 0.9:
                    payments.append(
                        {
                            "tenancy": charge.tenancy_id,
                            "charge": charge.id,
                            "paid_on": charge.due_on
                            + dt.timedelta(days=rng.choice([-3, 0, 4, 20])),
                            "amount": Decimal(6000),
                            "method": "swish",
                            "registered_by": staff.id,
                            "request_key": f"b{charge.id}",
                        }
                    )
            for batch in range(0, len(payments), 500):
                Payment.insert_many(payments[batch : batch + 500]).execute()
            # Booked as the ledger books any payment; the statistics read what it books.
            ledger.rebuild([t for (t,) in Tenancy.select(Tenancy.id).tuples()])
        started = time.perf_counter()
        settled = stats.settled_months(today)
        per_month = stats.per_month(settled)
        stats.chart_svg_bars(per_month[-24:])
        stats.strips(settled, 24, today)
        stats.risk_phases(settled)
        stats.getting_worse(settled)
        elapsed = time.perf_counter() - started
        db.close()
    print(f"{RESIDENTS} residents × {MONTHS} months: {len(charges):,} charges", end=", ")
    print(f"{len(payments):,} payments")
    print(f"statistics built in {elapsed:.2f} s")


if __name__ == "__main__":
    main()

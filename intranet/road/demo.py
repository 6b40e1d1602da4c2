"""The demo's roads: about half the residents have a next step, some stand still, and those
who are ready to take over their lease have consented and their landlord has been asked."""

import datetime as dt

from .. import clock
from ..demo import DemoContext, demo_part
from ..models import Referral, Road, RoadMark, RoadStep, Role
from ..rent import rules
from . import facts, services

STEPS = [RoadStep.TAKE_OVER, RoadStep.LEASE_ELSEWHERE, RoadStep.TRIAL_FLAT, RoadStep.OTHER_HOUSING]
PLANS = {
    RoadStep.TAKE_OVER: "Vill bo kvar; värden har tagit över kontrakt förut.",
    RoadStep.LEASE_ELSEWHERE: "Söker via bostadskön och privata annonser.",
    RoadStep.TRIAL_FLAT: "Behöver ett år till med stöd innan eget kontrakt.",
    RoadStep.OTHER_HOUSING: "Planerar att flytta till sin syster i Umeå.",
}


@demo_part(70)
def roads(context: DemoContext) -> None:
    """A road for about half of the residents who live in the flats now."""
    rng = context.rng(707)
    today, now = clock.today(), clock.now()
    contact = context.users[Role.STAFF]
    current = [t for t in context.extra.get("tenancies", []) if t.end_date is None]
    chosen = []
    for tenancy in current:
        if rng.random() >= 0.5:
            continue
        step = rng.choices(STEPS, weights=[4, 3, 1, 1])[0]
        set_at = now - dt.timedelta(days=rng.randint(10, 300))
        target = facts.add_months(rules.month_of(today), rng.randint(2, 10))
        road = Road.create(
            tenancy=tenancy.id,
            step=step,
            target_month=target,
            note=PLANS[step],
            updated_by=contact,
            updated_at=set_at,
        )
        RoadMark.create(
            road=road,
            subject="step",
            state=step,
            on_date=target,
            note=PLANS[step],
            marked_by=contact,
            marked_at=set_at,
        )
        state = rng.choices(["ready", "not_ready", "not_assessed"], weights=[6, 3, 1])[0]
        if state != "not_assessed":
            RoadMark.create(
                road=road,
                subject="assessment",
                state=state,
                on_date=set_at.date(),
                note="Sköter hemmet och hyran." if state == "ready" else "Behöver mer stöd.",
                marked_by=contact,
                marked_at=set_at,
            )
        if step == RoadStep.LEASE_ELSEWHERE and rng.random() < 0.7:
            RoadMark.create(
                road=road,
                subject="housing_queue",
                state="registered",
                on_date=set_at.date(),
                marked_by=contact,
                marked_at=set_at,
            )
        chosen.append(tenancy)
    _ask_for_the_ready(context, chosen, today)


def _ask_for_the_ready(context: DemoContext, tenancies: list, today: dt.date) -> None:
    """Two residents ready to take over their lease have consented, and their landlords
    have been asked; one of them is the demo landlord's, so that the portal shows it."""
    manager = context.users[Role.MANAGER]
    own = getattr(context.users.get(Role.LANDLORD), "landlord_id", None)
    ready = [
        p
        for p in facts.progress_for(tenancies, today)
        if services.asks_landlord(p.step) and p.ready
    ]
    protected = {
        r.id
        for r in Referral.select(Referral.id).where(
            Referral.id.in_([p.tenancy.referral_id for p in ready]) & Referral.protected_identity
        )
    }
    ready = [p for p in ready if p.tenancy.referral_id not in protected]
    ready.sort(key=lambda p: (p.tenancy.flat.landlord_id != own, p.tenancy.id))
    for progress in ready[:2]:
        tenancy = progress.tenancy
        services.record_consent(tenancy.id, today, manager)
        services.ask_landlord(
            tenancy.id,
            "Har betalat varje månad i tid och sköter lägenheten väl. Vi rekommenderar "
            "att hen får ta över kontraktet.",
            manager,
        )

"""Demo flats in real Stockholm districts, in every acquisition state."""

import datetime as dt
import random

from .. import clock
from ..demo import DemoContext, demo_part
from ..models import Flat, FlatKind, FlatStatus, FlatStatusChange, Landlord, Role, Stage

DISTRICTS = {
    "Rinkeby": ("Rinkebysvängen", "163 71"),
    "Tensta": ("Tenstagången", "163 64"),
    "Husby": ("Husbygårdsgatan", "164 33"),
    "Skärholmen": ("Skärholmsvägen", "127 48"),
    "Farsta": ("Farstavägen", "123 47"),
    "Hägersten": ("Hägerstensvägen", "126 53"),
    "Bagarmossen": ("Lagaplan", "128 41"),
    "Vällingby": ("Vällingbyvägen", "162 65"),
    "Hässelby": ("Hässelby torg", "165 56"),
    "Bromma": ("Bromma kyrkväg", "168 54"),
    "Södermalm": ("Ringvägen", "118 60"),
    "Kungsholmen": ("Fleminggatan", "112 32"),
    "Årsta": ("Årstavägen", "120 54"),
    "Enskede": ("Enskedevägen", "122 63"),
    "Spånga": ("Spånga torg", "163 40"),
    "Älvsjö": ("Älvsjövägen", "125 30"),
    "Hammarby sjöstad": ("Hammarby allé", "120 63"),
    "Liljeholmen": ("Liljeholmsvägen", "117 61"),
}
# How many demo flats end in each status.
SPREAD = (
    [FlatStatus.OFFERED] * 6
    + [FlatStatus.VIEWED] * 4
    + [FlatStatus.CONTRACTED] * 4
    + [FlatStatus.EQUIPPING] * 6
    + [FlatStatus.READY] * 26
    + [FlatStatus.REJECTED] * 2
    + [FlatStatus.RETURNED] * 2
)


def _path(final: str) -> list[str]:
    if final == FlatStatus.REJECTED:
        return [FlatStatus.OFFERED, FlatStatus.VIEWED, FlatStatus.REJECTED]
    if final == FlatStatus.RETURNED:
        return list(FlatStatus.FLOW) + [FlatStatus.RETURNED]
    return list(FlatStatus.FLOW[: FlatStatus.FLOW.index(final) + 1])


@demo_part(30)
def flats(context: DemoContext) -> None:
    """About fifty flats from the landlords with agreements, with their status histories."""
    rng = random.Random(4711)
    today = clock.today()
    landlords = [ll for ll in context.landlords if ll.stage in Stage.TAKES_FLATS] or [
        Landlord.create(name="Demo Bostäder AB", stage=Stage.AGREEMENT)
    ]
    people = [context.users[Role.MANAGER], context.users[Role.CARETAKER]]
    districts = list(DISTRICTS)
    context.extra["flats"] = []
    for index, final in enumerate(SPREAD):
        district = districts[index % len(districts)]
        street, postcode = DISTRICTS[district]
        rooms = rng.choice([1, 1, 1, 2, 2, 3])
        rent = rng.randrange(5000, 11000, 50)
        path = _path(final)
        start = today - dt.timedelta(days=rng.randint(40, 360))
        steps = sorted(rng.sample(range(0, (today - start).days), len(path)))
        moments = [dt.datetime.combine(start + dt.timedelta(days=d), dt.time(10)) for d in steps]
        if final == FlatStatus.READY:
            # Ready flats have stood for 0 to 60 days.
            moments[-1] = dt.datetime.combine(
                today - dt.timedelta(days=rng.randint(0, 60)), dt.time(10)
            )
            moments = [min(m, moments[-1]) for m in moments[:-1]] + [moments[-1]]
        complete = final in (FlatStatus.READY, FlatStatus.RETURNED)
        flat = Flat.create(
            landlord=landlords[index % len(landlords)],
            address=f"{street} {rng.randint(1, 120)}",
            postcode=postcode.replace(" ", ""),
            district=district,
            rooms=rooms,
            size_m2=20 + rooms * rng.randint(14, 22),
            floor=rng.randint(0, 8),
            elevator=rng.random() < 0.6,
            rent_to_landlord=rent,
            rent_to_resident=rent + rng.choice([0, 100, 200]),
            kind=FlatKind.SUPPORTED
            if index % 11 == 0
            else FlatKind.TRIAL
            if index % 7 == 0
            else FlatKind.TRAINING,
            lease_start=moments[-1].date() if final in FlatStatus.LEASED else None,
            notice_months=3,
            status=final,
            status_changed_at=moments[-1],
            ready_since=moments[-1].date() if final == FlatStatus.READY else None,
            has_furniture=complete or rng.random() < 0.5,
            has_kitchenware=complete or rng.random() < 0.5,
            has_bedding=complete,
            keys_handed_over=complete,
            key_count=3 if complete else None,
            inspection_done=complete,
            created_at=moments[0],
            created_by=people[0],
        )
        previous = None
        for status, moment in zip(path, moments, strict=True):
            FlatStatusChange.create(
                flat=flat,
                from_status=previous,
                to_status=status,
                changed_at=moment,
                changed_by=people[1] if status == FlatStatus.READY else people[0],
            )
            previous = status
        context.extra["flats"].append(flat)

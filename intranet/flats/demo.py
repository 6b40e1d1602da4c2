"""Demo flats in real Stockholm districts, in every acquisition state."""

import datetime as dt
import random

from .. import clock
from ..demo import DemoContext, demo_part, steps
from ..models import Flat, FlatKind, FlatStatus, FlatStatusChange, Landlord, Role, Stage

DISTRICTS = {
    "Rinkeby": ("Rinkebysvängen", "163 71", "Spånga"),
    "Tensta": ("Tenstagången", "163 64", "Spånga"),
    "Husby": ("Husbygårdsgatan", "164 33", "Kista"),
    "Skärholmen": ("Skärholmsvägen", "127 48", "Skärholmen"),
    "Farsta": ("Farstavägen", "123 47", "Farsta"),
    "Hägersten": ("Hägerstensvägen", "126 53", "Hägersten"),
    "Bagarmossen": ("Lagaplan", "128 41", "Bagarmossen"),
    "Vällingby": ("Vällingbyvägen", "162 65", "Vällingby"),
    "Hässelby": ("Hässelby torg", "165 56", "Hässelby"),
    "Bromma": ("Bromma kyrkväg", "168 54", "Bromma"),
    "Södermalm": ("Ringvägen", "118 60", "Stockholm"),
    "Kungsholmen": ("Fleminggatan", "112 32", "Stockholm"),
    "Årsta": ("Årstavägen", "120 54", "Årsta"),
    "Enskede": ("Enskedevägen", "122 63", "Enskede"),
    "Spånga": ("Spånga torg", "163 40", "Spånga"),
    "Älvsjö": ("Älvsjövägen", "125 30", "Älvsjö"),
    "Hammarby sjöstad": ("Hammarby allé", "120 63", "Stockholm"),
    "Liljeholmen": ("Liljeholmsvägen", "117 61", "Stockholm"),
}
# How many demo flats end in each status.
# The unit is nearly full: most flats are ready and lived in, a few stand ready or are
# being equipped, and a few more are on their way in from the landlords.
SPREAD = (
    [FlatStatus.OFFERED] * 2
    + [FlatStatus.VIEWED]
    + [FlatStatus.CONTRACTED]
    + [FlatStatus.EQUIPPING] * 2
    + [FlatStatus.READY] * 46
    + [FlatStatus.REJECTED]
    + [FlatStatus.RETURNED]
)
# How many of the ready flats somebody lives in (the referrals' demo moves them in).
LIVED_IN = 42


def _path(final: str) -> list[str]:
    if final == FlatStatus.REJECTED:
        return [FlatStatus.OFFERED, FlatStatus.VIEWED, FlatStatus.REJECTED]
    if final == FlatStatus.RETURNED:
        return list(FlatStatus.FLOW) + [FlatStatus.RETURNED]
    return list(FlatStatus.FLOW[: FlatStatus.FLOW.index(final) + 1])


def _landlords(context: DemoContext) -> list[Landlord]:
    taking = [ll for ll in context.landlords if ll.stage in Stage.TAKES_FLATS]
    if taking:
        return taking
    # Without the pipeline's landlords, two of our own keep the flats demo whole.
    made = [
        Landlord.create(
            name=context.named(name), stage=Stage.AGREEMENT, stage_entered_at=clock.now()
        )
        for name in ("Demo Bostäder AB", "Söderhem Fastigheter AB")
    ]
    context.landlords.extend(made)
    return made


def _moments(
    rng: random.Random, today: dt.date, final: str, steps: int, lived_in: bool = False
) -> list[dt.datetime]:
    """When each step of a flat's history happened, oldest first."""
    if lived_in:
        # Ready before its residents of the last three years moved in.
        last = today - dt.timedelta(days=rng.randint(1110, 1200))
    elif final == FlatStatus.READY:
        # Ready flats have stood empty for 0 to 60 days.
        last = today - dt.timedelta(days=rng.randint(0, 60))
    else:
        last = today - dt.timedelta(days=rng.randint(0, 45))
    first = last - dt.timedelta(days=rng.randint(steps * 7, 300))
    span = (last - first).days
    days = sorted(rng.sample(range(1, span), steps - 1)) + [span] if steps > 1 else [span]
    return [
        dt.datetime.combine(first + dt.timedelta(days=day), dt.time(rng.randint(8, 16), 0))
        for day in days
    ]


def _kind(index: int) -> str:
    if index % 11 == 0:
        return FlatKind.SUPPORTED
    return FlatKind.TRIAL if index % 7 == 0 else FlatKind.TRAINING


@demo_part(30)
def flats(context: DemoContext) -> None:
    """About fifty flats from the landlords with agreements, with their status histories."""
    rng = context.rng(4711)
    today = clock.today()
    landlords = _landlords(context)
    manager, staff = context.users[Role.MANAGER], context.users[Role.STAFF]
    districts = list(DISTRICTS)
    context.extra["flats"] = []
    ready_so_far = 0
    for index, final in enumerate(SPREAD):
        district = districts[index % len(districts)]
        street, postcode, town = DISTRICTS[district]
        rooms = rng.choice([1, 1, 1, 2, 2, 3])
        rent = rng.randrange(5000, 11000, 50)
        path = _path(final)
        lived_in = final == FlatStatus.READY and ready_so_far < LIVED_IN
        ready_so_far += final == FlatStatus.READY
        moments = _moments(rng, today, final, len(path), lived_in)
        complete = final in (FlatStatus.READY, FlatStatus.RETURNED)
        flat = Flat.create(
            landlord=landlords[index % len(landlords)],
            address=f"{street} {rng.randint(1, 120)}",
            postcode=postcode.replace(" ", ""),
            postal_town=town,
            district=district,
            rooms=rooms,
            size_m2=20 + rooms * rng.randint(14, 22),
            floor=rng.randint(0, 8),
            elevator=rng.random() < 0.6,
            rent_to_landlord=rent,
            rent_to_resident=rent + rng.choice([0, 100, 200]),
            kind=_kind(index),
            lease_start=moments[-1].date() if final in FlatStatus.LEASED else None,
            notice_months=rng.choice([3, 3, 3, 6]),
            status=final,
            status_changed_at=moments[-1],
            ready_since=moments[-1].date() if final == FlatStatus.READY else None,
            has_furniture=complete or rng.random() < 0.5,
            has_kitchenware=complete or rng.random() < 0.5,
            has_bedding=complete,
            keys_handed_over=complete,
            key_count=rng.choice([2, 3, 4]) if complete else None,
            inspection_done=complete,
            created_at=moments[0],
            created_by=staff if index % 3 else manager,
        )
        for previous, status, moment in steps(path, moments):
            # Offers are registered by staff or the manager; the manager moves the rest.
            # Notes are the staff's own words, in Swedish like the rest of the demo.
            FlatStatusChange.record(
                flat,
                previous,
                status,
                flat.created_by if previous is None else manager,
                moment,
                note="checklistan klar" if status == FlatStatus.READY else "",
            )
        context.extra["flats"].append(flat)

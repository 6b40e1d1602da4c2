"""Demo landlords spread over the pipeline, with contacts, activities and histories."""

import datetime as dt

from .. import clock
from ..demo import DemoContext, demo_part, steps
from ..models import (
    Activity,
    ActivityKind,
    DeclineReason,
    Landlord,
    LandlordContact,
    LandlordKind,
    Role,
    Stage,
    StageChange,
)
from .services import create_landlord, move_stage

# (name, kind, districts, expected flats, furthest stage reached)
LANDLORDS = [
    (
        "Svenska Bostäder",
        LandlordKind.MUNICIPAL_COMPANY,
        "Rinkeby, Tensta, Husby",
        8,
        Stage.AGREEMENT,
    ),
    ("Familjebostäder", LandlordKind.MUNICIPAL_COMPANY, "Bagarmossen, Årsta", 6, Stage.AGREEMENT),
    ("Stockholmshem", LandlordKind.MUNICIPAL_COMPANY, "Farsta, Hägersten", 6, Stage.AGREEMENT),
    (
        "Bostadsförmedlingen i Stockholm",
        LandlordKind.HOUSING_AGENCY,
        "Hela staden",
        4,
        Stage.NEGOTIATING,
    ),
    (
        "Stadsbyggen Fastigheter AB",
        LandlordKind.PRIVATE_COMPANY,
        "Skärholmen, Vårberg",
        5,
        Stage.AGREEMENT,
    ),
    ("Hembla AB", LandlordKind.PRIVATE_COMPANY, "Husby, Akalla", 5, Stage.NEGOTIATING),
    (
        "Heimstaden Bostad",
        LandlordKind.PRIVATE_COMPANY,
        "Hässelby, Vällingby",
        4,
        Stage.NEGOTIATING,
    ),
    ("Victoriahem", LandlordKind.PRIVATE_COMPANY, "Rinkeby", 3, Stage.MEETING),
    ("Wallenstam", LandlordKind.PRIVATE_COMPANY, "Kungsholmen", 2, Stage.MEETING),
    ("John Mattson Fastighets AB", LandlordKind.PRIVATE_COMPANY, "Lidingö", 2, Stage.MEETING),
    ("Einar Mattsson", LandlordKind.PRIVATE_COMPANY, "Farsta, Sköndal", 3, Stage.CONTACTED),
    ("Stena Fastigheter", LandlordKind.PRIVATE_COMPANY, "Hammarby sjöstad", 2, Stage.CONTACTED),
    ("Rikshem", LandlordKind.PRIVATE_COMPANY, "Spånga", 3, Stage.CONTACTED),
    ("Willhem", LandlordKind.PRIVATE_COMPANY, "Älvsjö", 2, Stage.CONTACTED),
    ("Akelius Lägenheter", LandlordKind.PRIVATE_COMPANY, "Södermalm", 2, Stage.IDENTIFIED),
    ("Balder Bostad", LandlordKind.PRIVATE_COMPANY, "Bromma", 2, Stage.IDENTIFIED),
    ("Ikano Bostad", LandlordKind.PRIVATE_COMPANY, "Liljeholmen", 1, Stage.IDENTIFIED),
    ("Micasa Fastigheter", LandlordKind.MUNICIPAL_COMPANY, "Enskede", 1, Stage.IDENTIFIED),
    ("Bostadsrättsföreningen Kotten", LandlordKind.OTHER, "Årsta", 1, Stage.IDENTIFIED),
    ("Karin Lund", LandlordKind.PRIVATE_OWNER, "Hägersten", 1, Stage.CONTACTED),
    ("Per Andersson", LandlordKind.PRIVATE_OWNER, "Bagarmossen", 1, Stage.MEETING),
    ("Lindholmen Förvaltning", LandlordKind.PRIVATE_COMPANY, "Tensta", 2, Stage.PAUSED),
    ("Sigtunahem", LandlordKind.MUNICIPAL_COMPANY, "Sigtuna", 3, Stage.PAUSED),
    ("Förvaltnings AB Fyrtornet", LandlordKind.PRIVATE_COMPANY, "Skärholmen", 2, Stage.DECLINED),
    ("Kvarnholmen Bostad", LandlordKind.PRIVATE_COMPANY, "Nacka", 2, Stage.DECLINED),
    ("Nyckelhus AB", LandlordKind.PRIVATE_COMPANY, "Hässelby", 1, Stage.DECLINED),
    ("Amir Karimi", LandlordKind.PRIVATE_OWNER, "Rinkeby", 1, Stage.IDENTIFIED),
    ("Ekonomisk förening Solgården", LandlordKind.OTHER, "Farsta", 2, Stage.CONTACTED),
    (
        "Hyresbostäder i Sollentuna",
        LandlordKind.MUNICIPAL_COMPANY,
        "Sollentuna",
        3,
        Stage.NEGOTIATING,
    ),
    ("Botkyrkabyggen", LandlordKind.MUNICIPAL_COMPANY, "Alby, Fittja", 4, Stage.MEETING),
]

FIRST_NAMES = [
    "Anna",
    "Erik",
    "Sara",
    "Mohammed",
    "Lena",
    "Jonas",
    "Fatima",
    "Olle",
    "Maja",
    "Ahmed",
]
LAST_NAMES = ["Nilsson", "Svensson", "Haddad", "Ek", "Larsson", "Öberg", "Yilmaz", "Holm"]
TITLES = ["Förvaltare", "Uthyrningschef", "Fastighetschef", "Kundansvarig", "Ägare"]
SUMMARIES = {
    ActivityKind.CALL: "Ringde och presenterade verksamheten.",
    ActivityKind.EMAIL: "Skickade informationsmaterial och referenser.",
    ActivityKind.LETTER: "Brev om samarbete skickat till förvaltningen.",
    ActivityKind.MEETING: "Möte på deras kontor: gick igenom garantier och kontaktperson.",
    ActivityKind.VIEWING: "Visning av erbjuden lägenhet tillsammans med lägenhetsvärden.",
    ActivityKind.NOTE: "Noterat: de vill ha en namngiven kontakt och snabb felanmälan.",
}
DECLINES = [DeclineReason.NO_FLATS, DeclineReason.WANTS_GUARANTEES, DeclineReason.BAD_EXPERIENCE]


@demo_part(20)
def landlords(context: DemoContext) -> None:
    """About thirty landlords with their stage history, contacts and activities; every step
    of a history is a move through ``services.move_stage``, as on the board."""
    rng = context.rng(2026)
    today = clock.today()
    owners = [context.users[Role.MANAGER], context.users[Role.STAFF]]
    existing = {landlord.name: landlord for landlord in context.landlords}
    for index, (name, kind, districts, expected, furthest) in enumerate(LANDLORDS):
        name = context.named(name)
        owner = owners[index % 2]
        created_at = dt.datetime.combine(
            today - dt.timedelta(days=rng.randint(120, 420)), dt.time(9)
        )
        path = _path_to(furthest)
        moments = _moments(rng, created_at, len(path), today)
        facts = {"kind": kind, "districts": districts, "expected_flats": expected, "owner": owner}
        if furthest not in (Stage.DECLINED,):
            facts["next_follow_up"] = today + dt.timedelta(days=rng.randint(-10, 20))
        landlord = existing.get(name)
        if landlord is None:
            landlord = create_landlord(owner, at=moments[0], name=name, stage=path[0], **facts)
            context.landlords.append(landlord)
        else:
            # Made by an earlier part (the portal's landlord), still in the first stage.
            Landlord.update(created_at=moments[0], **facts).where(
                Landlord.id == landlord.id
            ).execute()
            StageChange.record(landlord, None, landlord.stage, owner, moments[0])
            landlord = Landlord.get_by_id(landlord.id)
        moved = landlord
        for previous, stage, moment in list(steps(path, moments))[1:]:
            declined = stage == Stage.DECLINED
            moved = move_stage(
                landlord.id,
                previous,
                stage,
                owner,
                decline_reason=DECLINES[index % len(DECLINES)] if declined else None,
                decline_note="Återkom om ett år." if declined else "",
                at=moment,
            )
        # The context keeps the landlord as it now is, for the parts after this one.
        context.landlords[context.landlords.index(landlord)] = moved
        _contacts_and_activities(rng, moved, moments, today)


def _path_to(furthest: str) -> list[str]:
    if furthest in Stage.FUNNEL:
        return list(Stage.FUNNEL[: Stage.FUNNEL.index(furthest) + 1])
    # Paused and declined ones got as far as a meeting or a first contact first.
    return [Stage.IDENTIFIED, Stage.CONTACTED, furthest]


def _moments(rng, start: dt.datetime, count: int, today: dt.date) -> list[dt.datetime]:
    span = max(1, (dt.datetime.combine(today, dt.time(8)) - start).days)
    offsets = sorted(rng.sample(range(0, span), min(count, span)))
    while len(offsets) < count:
        offsets.append(offsets[-1])
    return [start + dt.timedelta(days=offset, hours=rng.randint(0, 7)) for offset in offsets]


def _contacts_and_activities(rng, landlord, moments, today) -> None:
    for _ in range(rng.randint(1, 2)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        LandlordContact.create(
            landlord=landlord,
            name=f"{first} {last}",
            title=rng.choice(TITLES),
            phone=f"08-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            email=f"{first.lower()}.{last.lower()}@example.se".replace("ö", "o"),
        )
    for moment in moments[1:]:
        kind = rng.choice(ActivityKind.ALL)
        Activity.create(
            landlord=landlord,
            kind=kind,
            occurred_on=moment.date(),
            by=landlord.owner,
            summary=SUMMARIES[kind],
            outcome="Positivt, återkommer.",
            next_step="Följ upp",
            next_step_on=min(today, moment.date() + dt.timedelta(days=14)),
            created_at=moment,
        )

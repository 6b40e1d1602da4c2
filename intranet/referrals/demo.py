"""Demo commissioners and about sixty referrals, with tenancies, declined matches and move-outs."""

import datetime as dt

from .. import clock
from ..demo import DemoContext, demo_part, steps
from ..flats.demo import LIVED_IN
from ..models import (
    Commissioner,
    CommissionerContact,
    Flat,
    FlatStatus,
    Match,
    MatchStatus,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Role,
    Tenancy,
)

COMMISSIONERS = [
    ("Socialtjänsten Rinkeby-Kista", "social_services", ["Eva Sandberg", "Omar Jalil"]),
    ("Socialtjänsten Farsta", "social_services", ["Lena Holm"]),
    ("Socialtjänsten Skärholmen", "social_services", ["Per Nyström"]),
    ("Socialtjänsten Södermalm", "social_services", ["Anna Wik"]),
    ("Kriminalvården Frivården Stockholm", "probation_service", ["Johan Ekdahl", "Sara Björk"]),
]
FIRST = [
    "Ali",
    "Sara",
    "Mikael",
    "Fatima",
    "Jonas",
    "Amina",
    "Peter",
    "Linda",
    "Yusuf",
    "Emma",
    "Daniel",
    "Hanna",
    "Ahmed",
    "Maria",
    "Robin",
    "Nadia",
    "Oskar",
    "Leila",
    "Kevin",
    "Sofia",
]
LAST = [
    "Andersson",
    "Hassan",
    "Johansson",
    "Mohamed",
    "Karlsson",
    "Nilsson",
    "Ali",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jönsson",
]
DISTRICTS = [
    "Rinkeby",
    "Tensta",
    "Husby",
    "Farsta",
    "Årsta",
    "Skärholmen",
    "Bagarmossen",
    "Södermalm",
]
OUTCOMES = ["own_lease", "own_lease", "trial_flat", "other_housing", "treatment", "evicted"]


def _history(referral, path, start, actor):
    # A step every three days; the referral's status is dated three days after the last.
    moments = [start + dt.timedelta(days=3 * index) for index in range(len(path) + 1)]
    for previous, status, moment in steps(path, moments[:-1]):
        ReferralStatusChange.record(referral, previous, status, actor, moment)
    Referral.update(status=path[-1], status_changed_at=moments[-1]).where(
        Referral.id == referral.id
    ).execute()


def _tenancy(context, referral, flat, **tenancy):
    """The tenancy of a referral that moved in to ``flat``, at the flat's rent."""
    made = Tenancy.create(
        flat=flat,
        referral=referral,
        contact_person=referral.responsible,
        rent=flat.rent_to_resident,
        **tenancy,
    )
    context.extra["tenancies"].append(made)


def _commissioners(rng) -> list:
    """The city's commissioners and their handling officers, shared by every unit."""
    commissioners = []
    for name, kind, officers in COMMISSIONERS:
        commissioner = Commissioner.create(name=name, kind=kind)
        contacts = [
            CommissionerContact.create(
                commissioner=commissioner,
                name=officer,
                phone=f"08-508 {rng.randint(10, 99)} {rng.randint(100, 999)}",
                email=f"{officer.split()[0].lower()}@example.se",
            )
            for officer in officers
        ]
        commissioners.append((commissioner, contacts))
    return commissioners


@demo_part(40)
def referrals(context: DemoContext) -> None:
    """Referrals in every status, tenancies in the occupied flats, declines and move-outs."""
    rng = context.rng(1912)
    today = clock.today()
    staff, manager = context.users[Role.STAFF], context.users[Role.MANAGER]
    commissioners = context.shared.get("commissioners")
    if commissioners is None:
        commissioners = context.shared["commissioners"] = _commissioners(rng)

    ready = [f for f in context.extra.get("flats", []) if f.status == FlatStatus.READY]
    occupied, rest = ready[:LIVED_IN], ready[LIVED_IN:]
    # Earlier residents lived in the flats that stand vacant now.
    vacant = list(rest) or ready
    plan = (
        [ReferralStatus.MOVED_IN] * len(occupied)
        + [ReferralStatus.MATCHED] * 2
        + [ReferralStatus.WAITING] * 6
        + [ReferralStatus.ASSESSING] * 2
        + [ReferralStatus.RECEIVED] * 2
        + [ReferralStatus.DECLINED]
        + [ReferralStatus.WITHDRAWN]
        + ["moved_out"] * 5
    )
    context.extra["tenancies"] = []
    waiting = []
    for index, final in enumerate(plan):
        commissioner, contacts = commissioners[index % len(commissioners)]
        received = today - dt.timedelta(
            # Residents have lived in the flats for up to three years.
            days=rng.randint(40, 1100) if final in ("moved_out", "moved_in") else rng.randint(2, 90)
        )
        age_years = rng.randint(19, 55) if index % 13 else 18
        referral = Referral.create(
            received_on=received,
            commissioner=commissioner,
            handling_officer=rng.choice(contacts),
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            birth_date=today - dt.timedelta(days=age_years * 365 + rng.randint(0, 300)),
            gender=rng.choice(["female", "male", "male"]),
            protected_identity=index % 17 == 0,
            target_group=rng.choice(
                ["addiction", "addiction", "crime", "threats_violence", "other"]
            ),
            drug_free_since=received - dt.timedelta(days=rng.randint(60, 700)),
            occupation_kind=rng.choice(["work", "studies", "activity"]),
            occupation_percent=rng.choice([25, 50, 50, 75, 100]),
            min_rooms=1 if index % 5 else 2,
            needs_step_free=index % 9 == 0,
            preferred_districts=", ".join(rng.sample(DISTRICTS, 2)),
            excluded_districts=rng.choice(["", "", "Rinkeby", "Husby"]),
            responsible=staff if index % 2 else manager,
            last_contact_on=today - dt.timedelta(days=rng.randint(0, 45)),
            created_at=dt.datetime.combine(received, dt.time(9)),
        )
        start = dt.datetime.combine(received, dt.time(9))
        flow = [ReferralStatus.RECEIVED, ReferralStatus.ASSESSING, ReferralStatus.WAITING]
        path_in = flow + [ReferralStatus.MATCHED, ReferralStatus.MOVED_IN]
        if final in (ReferralStatus.RECEIVED, ReferralStatus.ASSESSING, ReferralStatus.WAITING):
            _history(referral, flow[: flow.index(final) + 1], start, staff)
            if final == ReferralStatus.WAITING:
                waiting.append(referral)
        elif final in (ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN):
            _history(referral, flow[:2] + [final], start, staff)
            Referral.update(status_reason="Har fått annat boende").where(
                Referral.id == referral.id
            ).execute()
        elif final == ReferralStatus.MATCHED and rest:
            _history(referral, flow + [ReferralStatus.MATCHED], start, staff)
            Match.create(
                flat=rest.pop(),
                referral=referral,
                proposed_by=staff,
                score=70,
                status=MatchStatus.OFFERED,
            )
        elif final == ReferralStatus.MOVED_IN:
            flat = occupied[index]
            move_in = min(received + dt.timedelta(days=20), today)
            # The flat was ready shortly before its resident moved in.
            Flat.update(ready_since=move_in - dt.timedelta(days=10)).where(
                Flat.id == flat.id
            ).execute()
            Match.create(
                flat=flat,
                referral=referral,
                proposed_by=staff,
                score=75,
                status=MatchStatus.MOVED_IN,
                move_in_date=move_in,
                closed_at=dt.datetime.combine(move_in, dt.time(12)),
            )
            _history(referral, path_in, start, staff)
            _tenancy(
                context,
                referral,
                flat,
                start_date=move_in,
                rent_payer="commissioner" if index % 4 == 0 else "resident",
                move_out_date=today + dt.timedelta(days=10) if index == 0 else None,
                notice_given_on=today - dt.timedelta(days=20) if index == 0 else None,
            )
        else:  # moved out earlier, with an outcome
            flat = vacant[index % len(vacant)]
            begin = received + dt.timedelta(days=30)
            end = begin + dt.timedelta(days=rng.randint(90, 300))
            end = min(end, today - dt.timedelta(days=70))
            _history(referral, path_in, start, staff)
            _tenancy(
                context,
                referral,
                flat,
                start_date=begin,
                end_date=max(end, begin + dt.timedelta(days=1)),
                outcome=OUTCOMES[index % len(OUTCOMES)],
            )
    # Some declined matches, so the next match shows what happened before.
    for referral, flat in zip(waiting[:4], ready, strict=False):
        Match.create(
            flat=flat,
            referral=referral,
            proposed_by=staff,
            score=60,
            status=MatchStatus.DECLINED,
            declined_by_side="person",
            decline_reason="area",
            decline_note="Vill inte bo där",
            closed_at=clock.now() - dt.timedelta(days=10),
        )

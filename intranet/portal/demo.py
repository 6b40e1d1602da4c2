"""Portal logins for three demo landlords, with open and closed cases on their units."""

import datetime as dt

from .. import clock
from ..demo import DEMO_PASSWORD, DemoContext, demo_part
from ..models import Case, CaseReply, Flat, Role, User
from .services import LEASED

EXTRA_LOGINS = [
    ("Svenska Bostäder", "hyresvard2@demo.example", "Karin Förvaltare"),
    ("Familjebostäder", "hyresvard3@demo.example", "Sven Uthyrare"),
]
CASES = [
    ("fault", "Droppande kran i köket, hyresgästen har anmält till oss.", "closed"),
    ("inspection", "Vi vill boka besiktning av ventilationen i vecka 12.", "open"),
    ("contract", "Kan kontraktet förlängas ett år till?", "open"),
    ("fault", "Trasigt lås på porten mot gården.", "open"),
]


@demo_part(50)
def portal(context: DemoContext) -> None:
    """Landlord users for three landlords, and cases in both directions (the other units:
    cases the unit opened with three of its landlords)."""
    today = clock.today()
    manager, caretaker = context.users[Role.MANAGER], context.users[Role.CARETAKER]
    User.update(phone="08-508 100 10").where(User.id == manager.id).execute()
    User.update(phone="070-123 45 67").where(User.id == caretaker.id).execute()
    if context.unit == 0:
        parties = [(context.users[Role.LANDLORD].landlord_id, context.users[Role.LANDLORD])]
        parties += [(user.landlord_id, user) for user in _extra_logins(context)]
    else:
        taking = [ll for ll in context.landlords if ll.stage in ("negotiating", "agreement_signed")]
        parties = [(landlord.id, None) for landlord in taking[:3]]
    for number, (landlord_id, user) in enumerate(parties):
        units = list(
            Flat.select()
            .where((Flat.landlord == landlord_id) & Flat.status.in_(LEASED))
            .order_by(Flat.id)
            .limit(2)
        )
        for index, flat in enumerate(units):
            kind, text, status = CASES[(number + index) % len(CASES)]
            opened = dt.datetime.combine(today - dt.timedelta(days=10 + index * 5), dt.time(9))
            author = user if user is not None and index % 2 == 0 else manager
            case = Case.create(
                landlord=flat.landlord_id,
                flat=flat,
                kind=kind,
                text=text,
                opened_by=author,
                opened_at=opened,
            )
            if user is not None:
                CaseReply.create(
                    case=case,
                    author=caretaker if author == user else user,
                    text="Tack, vi tittar på det i veckan.",
                    written_at=opened + dt.timedelta(hours=5),
                )
            if status == "closed":
                Case.update(
                    status="closed", closed_by=caretaker, closed_at=opened + dt.timedelta(days=2)
                ).where(Case.id == case.id).execute()


def _extra_logins(context: DemoContext) -> list:
    """Portal users for two more of the first unit's landlords, with printed logins."""
    by_name = {landlord.name: landlord for landlord in context.landlords}
    made = []
    for name, email, person in EXTRA_LOGINS:
        if name in by_name:
            made.append(
                User.create(
                    email=email,
                    display_name=person,
                    role=Role.LANDLORD,
                    landlord=by_name[name],
                    password_hash=context.password_hash,
                )
            )
            context.logins.append((Role.LANDLORD, email, DEMO_PASSWORD))
    return made
